//! Fleet licensing health: whether a host is at risk, from its last observed status.
//!
//! The deadlines are the timers of [CAT-TS], [NX-TS] and [ACI-SL]: authorization lapses at the `Communication
//! Deadline` (90 days after the last successful renewal), the ID certificate at
//! `Registration Expires` (1 year after the last ID renewal), the evaluation period at its
//! end; Using Policy has its `Next ACK deadline` ([GENIEPARSER]). A host is at risk when a
//! deadline falls within the window (`--expiring`), when it is not registered and
//! authorized (not trusted, under Using Policy), when its last communication failed, or
//! when it was never observed.

use serde::Serialize;

use crate::platform::timefmt::{DAY, iso8601};
use crate::store::Observation;

/// One host's health.
#[derive(Clone, Debug, Serialize)]
pub struct Health {
    pub host: String,
    /// The last observation; `None` when the store has never seen the host.
    pub seen: Option<Observation>,
    /// Whole days until the nearest deadline (negative: it has passed).
    pub days_left: Option<i64>,
    /// Why the host is at risk; empty when it is not.
    pub risks: Vec<String>,
}

impl Health {
    pub fn at_risk(&self) -> bool {
        !self.risks.is_empty()
    }
}

/// The deadlines that matter for a host, by what lapses at each.
fn deadlines(seen: &Observation) -> Vec<(&'static str, i64)> {
    let in_eval = seen
        .authorization
        .as_deref()
        .is_some_and(|a| a.starts_with("EVAL"));
    [
        ("authorization expires", seen.communication_deadline),
        ("ID certificate expires", seen.registration_expires),
        ("usage report ACK due", seen.next_ack_deadline),
        (
            "evaluation period ends",
            seen.evaluation_ends.filter(|_| in_eval),
        ),
    ]
    .into_iter()
    .filter_map(|(what, at)| Some((what, at?)))
    .collect()
}

/// The host's health at `now`, with deadlines closer than `window` seconds at risk.
pub fn assess(host: &str, seen: Option<&Observation>, now: i64, window: i64) -> Health {
    let Some(seen) = seen else {
        return Health {
            host: host.to_string(),
            seen: None,
            days_left: None,
            risks: vec!["never observed: run `smartlic status --refresh` or an apply".into()],
        };
    };
    let mut risks = state_risks(seen);
    let deadlines = deadlines(seen);
    for (what, at) in &deadlines {
        if at - now < window {
            risks.push(deadline_risk(what, *at, now));
        }
    }
    if let Some(reason) = &seen.failure_reason {
        risks.push(format!("last communication failed: {reason}"));
    }
    Health {
        host: host.to_string(),
        seen: Some(seen.clone()),
        days_left: deadlines
            .iter()
            .map(|(_, at)| (at - now).div_euclid(DAY))
            .min(),
        risks,
    }
}

/// Risks in the state itself, whatever the dates.
fn state_risks(seen: &Observation) -> Vec<String> {
    if seen.model == "policy" {
        return match seen.state.as_str() {
            "TRUSTED" => Vec::new(),
            state => vec![format!("Using Policy: {state}")],
        };
    }
    let mut risks = Vec::new();
    match seen.registration.as_deref() {
        Some("REGISTERED") => {}
        other => risks.push(format!("not registered ({})", other.unwrap_or("unknown"))),
    }
    match seen.authorization.as_deref() {
        Some("AUTHORIZED") => {}
        other => risks.push(format!("not authorized ({})", other.unwrap_or("unknown"))),
    }
    risks
}

fn deadline_risk(what: &str, at: i64, now: i64) -> String {
    let days = (at - now).div_euclid(DAY);
    if at <= now {
        format!("{what}: passed {} day(s) ago ({})", -days, iso8601(at))
    } else {
        format!("{what} in {days} day(s) ({})", iso8601(at))
    }
}

/// `30d`, `12h`, `2w` or a bare number of days, in seconds (`--expiring`).
pub fn parse_window(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "d"),
    };
    let n: i64 = number
        .parse()
        .map_err(|_| format!("`{text}`: expected a duration like 30d, 12h or 2w"))?;
    let unit = match unit {
        "h" => 3_600,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return Err(format!("`{text}`: the unit must be h, d or w")),
    };
    Ok(n * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn registered() -> Observation {
        Observation {
            host: "sw1".into(),
            run_id: 1,
            observed_at: NOW,
            model: "classic".into(),
            state: "REGISTERED / AUTHORIZED".into(),
            registration: Some("REGISTERED".into()),
            authorization: Some("AUTHORIZED".into()),
            smart_account: Some("Example Account".into()),
            virtual_account: Some("Default".into()),
            next_renewal: Some(NOW + 30 * DAY),
            registration_expires: Some(NOW + 300 * DAY),
            communication_deadline: Some(NOW + 85 * DAY),
            next_ack_deadline: None,
            evaluation_ends: None,
            failure_reason: None,
        }
    }

    #[test]
    fn a_registered_authorized_host_far_from_its_deadlines_is_healthy() {
        let health = assess("sw1", Some(&registered()), NOW, 30 * DAY);
        assert!(!health.at_risk(), "{:?}", health.risks);
        assert_eq!(health.days_left, Some(85));
    }

    #[test]
    fn a_deadline_inside_the_window_is_a_risk() {
        let mut seen = registered();
        seen.communication_deadline = Some(NOW + 10 * DAY + 5);
        let health = assess("sw1", Some(&seen), NOW, 30 * DAY);
        assert_eq!(health.days_left, Some(10));
        assert_eq!(health.risks.len(), 1);
        assert!(health.risks[0].starts_with("authorization expires in 10 day(s)"));
        // The same host with a shorter window is fine.
        assert!(!assess("sw1", Some(&seen), NOW, 7 * DAY).at_risk());
    }

    #[test]
    fn a_passed_deadline_says_how_long_ago() {
        let mut seen = registered();
        seen.registration_expires = Some(NOW - 3 * DAY);
        let health = assess("sw1", Some(&seen), NOW, 0);
        assert_eq!(health.days_left, Some(-3));
        assert!(health.risks[0].starts_with("ID certificate expires: passed 3 day(s) ago"));
    }

    #[test]
    fn states_and_failures_are_risks_whatever_the_dates() {
        let mut seen = registered();
        seen.registration = Some("REGISTRATION FAILED".into());
        seen.authorization = Some("EVAL MODE".into());
        seen.evaluation_ends = Some(NOW + 5 * DAY);
        seen.failure_reason = Some("Fail to send out Call Home HTTP message.".into());
        let risks = assess("sw1", Some(&seen), NOW, DAY).risks;
        assert_eq!(
            risks,
            [
                "not registered (REGISTRATION FAILED)",
                "not authorized (EVAL MODE)",
                "last communication failed: Fail to send out Call Home HTTP message."
            ]
        );
        // In evaluation, its end is a deadline.
        let risks = assess("sw1", Some(&seen), NOW, 30 * DAY).risks;
        assert!(
            risks
                .iter()
                .any(|r| r.starts_with("evaluation period ends in 5 day(s)"))
        );
    }

    #[test]
    fn using_policy_needs_trust_and_its_ack() {
        let mut seen = registered();
        seen.model = "policy".into();
        seen.state = "TRUSTED".into();
        seen.communication_deadline = None;
        seen.registration_expires = None;
        seen.next_ack_deadline = Some(NOW + 40 * DAY);
        assert!(!assess("sw1", Some(&seen), NOW, 30 * DAY).at_risk());
        seen.state = "no trust code".into();
        assert_eq!(
            assess("sw1", Some(&seen), NOW, 30 * DAY).risks,
            ["Using Policy: no trust code"]
        );
    }

    #[test]
    fn a_host_never_seen_is_at_risk() {
        let health = assess("new", None, NOW, 30 * DAY);
        assert!(health.at_risk());
        assert!(health.risks[0].starts_with("never observed"));
    }

    #[test]
    fn windows_read_like_durations() {
        assert_eq!(parse_window("30d"), Ok(30 * DAY));
        assert_eq!(parse_window("12h"), Ok(12 * 3_600));
        assert_eq!(parse_window("2w"), Ok(14 * DAY));
        assert_eq!(parse_window("45"), Ok(45 * DAY));
        assert!(parse_window("soon").is_err());
        assert!(parse_window("3m").unwrap_err().contains("h, d or w"));
    }
}
