//! The Smart Agent's event log: what `show license eventlog [DAYS]` prints on IOS-XE
//! (classic and Using Policy). The licensing state machines ([`super::machine`]) record
//! the events; this module owns their names and the output format.
//!
//! Format, from real captures: `**** Event Log ****`, a blank line, then one line per
//! event, `YYYY-MM-DD hh:mm:ss.mmm UTC SAEVT_… key="value" …` (a C9300-48U on 17.18.2,
//! ChartinoLabs/Muninn `tests/parsers/iosxe/show_license_eventlog/001_basic/input.txt`;
//! genieparser `ShowLicenseEventlog2` golden output 1, a C9800 on 17.x); with no event,
//! ` No EventLog Found.    ` (genieparser golden output 2, spaces as captured). The
//! device wraps long lines at the terminal width; the lab, like its other outputs, does
//! not wrap.
//!
//! Event names are only those a public source shows: the boot sequence of the Muninn
//! capture (`SAEVT_READY`, `SAEVT_ENABLED`, `SAEVT_EXPORT_FLAG exportAllowed="False"`,
//! `SAEVT_STATE_EVAL remainingSeconds="…"`, `SAEVT_INIT_CRYPTO success="True"`,
//! `SAEVT_COMM_RESTORED`, `SAEVT_INIT_COMPLETE`) and docs/troubleshooting.md CAT-6
//! (`SAEVT_DEREGISTER_STATUS msgStatus="LS_INVALID_DATA" error="…"`). The names of the
//! registration, authorization and communication-failure events are ⟨GAP⟩ (searched: the
//! public code index, stored pages): a registration shows as the export flag the back-end
//! grants (`SAEVT_EXPORT_FLAG exportAllowed="True"`, the event behind [CAT-TS]'s
//! `%SMART_LIC-6-EXPORT_CONTROLLED`) and, after a failed communication, as
//! `SAEVT_COMM_RESTORED`; evaluation starting again as `SAEVT_STATE_EVAL`.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::time::Civil;

/// How many events the lab keeps (the oldest go first).
pub const CAPACITY: usize = 1_000;

pub const READY: &str = "SAEVT_READY";
pub const ENABLED: &str = "SAEVT_ENABLED";
pub const INIT_CRYPTO: &str = "SAEVT_INIT_CRYPTO success=\"True\"";
pub const INIT_COMPLETE: &str = "SAEVT_INIT_COMPLETE";
pub const COMM_RESTORED: &str = "SAEVT_COMM_RESTORED";
/// genieparser golden output 2.
pub const NONE_FOUND: &str = " No EventLog Found.    ";

/// `SAEVT_EXPORT_FLAG exportAllowed="True|False"`.
pub fn export_flag(allowed: bool) -> String {
    let value = if allowed { "True" } else { "False" };
    format!("SAEVT_EXPORT_FLAG exportAllowed=\"{value}\"")
}

/// `SAEVT_STATE_EVAL remainingSeconds="7775908"`: evaluation runs, this much is left.
pub fn state_eval(remaining_secs: f64) -> String {
    format!(
        "SAEVT_STATE_EVAL remainingSeconds=\"{}\"",
        remaining_secs.max(0.0).floor() as i64
    )
}

/// docs/troubleshooting.md CAT-6 (the same text is in `show logging`, [`super::logs`]).
pub fn deregister_status_invalid_data(error: &str) -> String {
    super::logs::deregister_status_invalid_data(error)
}

/// One event at lab time `at`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub at: f64,
    pub text: String,
}

/// The events of one device, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventLog {
    events: VecDeque<Event>,
}

impl EventLog {
    pub fn push(&mut self, at: f64, text: impl Into<String>) {
        if self.events.len() == CAPACITY {
            self.events.pop_front();
        }
        self.events.push_back(Event {
            at,
            text: text.into(),
        });
    }

    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.events.iter()
    }

    /// `show license eventlog [DAYS]` at lab time `now`, stamped in device time (lab time
    /// + `offset`); `days`: only the events of the last `days` days.
    pub fn render(&self, now: f64, offset: f64, days: Option<u32>) -> String {
        let since = days.map_or(f64::MIN, |d| now - f64::from(d) * 86_400.0);
        // Oldest first; an event can be recorded late (an expiry noticed when asked).
        let mut events: Vec<&Event> = self.events.iter().filter(|e| e.at >= since).collect();
        events.sort_by(|a, b| a.at.total_cmp(&b.at));
        let lines: Vec<String> = events
            .iter()
            .map(|e| format!("{} {}\n", stamp(e.at + offset), e.text))
            .collect();
        if lines.is_empty() {
            return format!("{NONE_FOUND}\n");
        }
        format!("**** Event Log ****\n\n{}", lines.concat())
    }
}

/// `2021-09-10 14:03:56.089 UTC`.
fn stamp(secs: f64) -> String {
    let c = Civil::from_epoch(secs);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
    )
}

/// The DAYS of `eventlog [DAYS]` (the normalized `show license` sub-command), or `None`
/// when `command` is not the event log.
pub fn days_of(command: &str) -> Option<Option<u32>> {
    let mut words = command.split_whitespace();
    if words.next() != Some("eventlog") {
        return None;
    }
    match (words.next(), words.next()) {
        (None, _) => Some(None),
        (Some(n), None) => n.parse().ok().map(Some),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2021-09-10 14:03:56.089 UTC.
    const AT: f64 = 1_631_282_636.089;

    #[test]
    fn renders_like_the_captures() {
        let mut log = EventLog::default();
        log.push(AT, READY);
        log.push(AT, export_flag(false));
        log.push(AT + 2.0, state_eval(7_775_908.9));
        assert_eq!(
            log.render(AT + 10.0, 0.0, None),
            "**** Event Log ****\n\n2021-09-10 14:03:56.089 UTC SAEVT_READY\n2021-09-10 14:03:56.089 UTC SAEVT_EXPORT_FLAG exportAllowed=\"False\"\n2021-09-10 14:03:58.089 UTC SAEVT_STATE_EVAL remainingSeconds=\"7775908\"\n"
        );
        // Device time: a clock an hour ahead stamps an hour later.
        assert!(
            log.render(AT, 3_600.0, None)
                .contains("2021-09-10 15:03:56.089 UTC SAEVT_READY")
        );
    }

    #[test]
    fn days_keep_only_recent_events_and_none_says_so() {
        let mut log = EventLog::default();
        log.push(AT, READY);
        log.push(AT + 3.0 * 86_400.0, ENABLED);
        let recent = log.render(AT + 3.0 * 86_400.0, 0.0, Some(2));
        assert!(recent.contains("SAEVT_ENABLED") && !recent.contains("SAEVT_READY"));
        assert_eq!(
            EventLog::default().render(AT, 0.0, None),
            " No EventLog Found.    \n"
        );
        assert_eq!(days_of("eventlog"), Some(None));
        assert_eq!(days_of("eventlog 2"), Some(Some(2)));
        assert_eq!(days_of("status"), None);
    }

    #[test]
    fn keeps_the_newest_events() {
        let mut log = EventLog::default();
        for i in 0..CAPACITY + 5 {
            log.push(i as f64, format!("E{i}"));
        }
        assert_eq!(log.events().count(), CAPACITY);
        assert_eq!(log.events().next().unwrap().text, "E5");
    }
}
