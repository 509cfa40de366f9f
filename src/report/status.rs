//! `smartlic status`: the fleet's licensing health as a table, or as JSON for a nightly
//! job. Values that came from devices pass through `sanitize` like every other output.

use std::fmt::Write;

use serde_json::json;

use super::human::Style;
use crate::health::Health;
use crate::plan::FORMAT_VERSION;
use crate::platform::timefmt::iso8601;
use crate::source::sanitize;

/// What the report says around the hosts.
pub struct Fleet<'a> {
    pub hosts: &'a [Health],
    pub now: i64,
    pub window_days: i64,
    pub store: &'a str,
}

fn date(at: Option<i64>) -> String {
    at.map(|t| iso8601(t)[..10].to_string())
        .unwrap_or_else(|| "-".into())
}

fn account(h: &Health) -> String {
    h.seen
        .as_ref()
        .and_then(|s| {
            let sa = s.smart_account.as_deref()?;
            Some(format!(
                "{sa} / {}",
                s.virtual_account.as_deref().unwrap_or("?")
            ))
        })
        .unwrap_or_else(|| "-".into())
}

/// A table row per host, at-risk hosts first, then the reasons, then a count.
pub fn human(fleet: &Fleet, style: Style) -> String {
    let mut hosts: Vec<&Health> = fleet.hosts.iter().collect();
    hosts.sort_by_key(|h| {
        (
            !h.at_risk(),
            h.days_left.unwrap_or(i64::MAX),
            h.host.clone(),
        )
    });
    let header = [
        "HOST",
        "STATE",
        "ACCOUNT / VA",
        "AUTH DEADLINE",
        "ID EXPIRES",
        "DAYS LEFT",
        "SEEN",
    ];
    let rows: Vec<[String; 7]> = hosts.iter().map(|h| row(h)).collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let _ = writeln!(out, "{}", style.bold(&line(&header.map(String::from))));
    for (health, row) in hosts.iter().zip(&rows) {
        let text = line(row);
        let _ = writeln!(
            out,
            "{}",
            if health.at_risk() {
                style.red(&text)
            } else {
                text
            }
        );
    }
    let at_risk: Vec<&&Health> = hosts.iter().filter(|h| h.at_risk()).collect();
    if !at_risk.is_empty() {
        let _ = writeln!(out);
        for h in &at_risk {
            for risk in &h.risks {
                let _ = writeln!(out, "{}: {}", style.bold(&h.host), sanitize(risk));
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{} host(s), {} at risk (deadlines within {} day(s)); store {}",
        hosts.len(),
        at_risk.len(),
        fleet.window_days,
        fleet.store
    );
    out
}

fn row(h: &Health) -> [String; 7] {
    let seen = h.seen.as_ref();
    [
        h.host.clone(),
        seen.map(|s| sanitize(&s.state))
            .unwrap_or_else(|| "unknown".into()),
        sanitize(&account(h)),
        date(seen.and_then(|s| s.communication_deadline.or(s.next_ack_deadline))),
        date(seen.and_then(|s| s.registration_expires)),
        h.days_left
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into()),
        date(seen.map(|s| s.observed_at)),
    ]
}

/// The versioned JSON document (docs/report.schema.json `fleet_status`).
pub fn json(fleet: &Fleet) -> serde_json::Value {
    let at = |t: Option<i64>| t.map(iso8601);
    let hosts: Vec<serde_json::Value> = fleet
        .hosts
        .iter()
        .map(|h| {
            let seen = h.seen.as_ref();
            json!({
                "host": h.host,
                "at_risk": h.at_risk(),
                "risks": h.risks,
                "days_left": h.days_left,
                "observed_at": at(seen.map(|s| s.observed_at)),
                "run_id": seen.map(|s| s.run_id),
                "model": seen.map(|s| &s.model),
                "state": seen.map(|s| &s.state),
                "registration": seen.and_then(|s| s.registration.as_ref()),
                "authorization": seen.and_then(|s| s.authorization.as_ref()),
                "smart_account": seen.and_then(|s| s.smart_account.as_ref()),
                "virtual_account": seen.and_then(|s| s.virtual_account.as_ref()),
                "next_renewal": at(seen.and_then(|s| s.next_renewal)),
                "registration_expires": at(seen.and_then(|s| s.registration_expires)),
                "communication_deadline": at(seen.and_then(|s| s.communication_deadline)),
                "next_ack_deadline": at(seen.and_then(|s| s.next_ack_deadline)),
                "evaluation_ends": at(seen.and_then(|s| s.evaluation_ends)),
                "failure_reason": seen.and_then(|s| s.failure_reason.as_ref()),
            })
        })
        .collect();
    json!({
        "format_version": FORMAT_VERSION,
        "now": iso8601(fleet.now),
        "expiring_days": fleet.window_days,
        "store": fleet.store,
        "summary": {
            "hosts": fleet.hosts.len(),
            "at_risk": fleet.hosts.iter().filter(|h| h.at_risk()).count(),
        },
        "hosts": hosts,
    })
}
