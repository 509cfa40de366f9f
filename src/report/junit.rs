//! JUnit XML for CI test reports: one test case per host and step, the failure on the
//! step where the host stopped, with the device's reason.

use std::fmt::Write;

use crate::live::{HostRun, Mode};
use crate::plan::HostPlan;
use crate::source::sanitize;

/// One test case.
struct Case {
    class: String,
    name: String,
    seconds: f64,
    failure: Option<String>,
}

/// A live run: per host, each recorded step; a failed or unreachable host's reason sits
/// on its last step.
pub fn live(runs: &[HostRun], mode: Mode) -> String {
    let verb = mode.name();
    let mut cases = Vec::new();
    for run in runs {
        let failure = super::live::failure(run)
            .map(|why| format!("{}: {why}", super::live::result_word(run, mode)));
        let last = run.steps.len().saturating_sub(1);
        for (i, step) in run.steps.iter().enumerate() {
            cases.push(Case {
                class: format!("smartlic.{verb}.{}", run.host),
                name: step.step.clone(),
                seconds: step.millis as f64 / 1000.0,
                failure: failure.clone().filter(|_| i == last),
            });
        }
        if run.steps.is_empty() {
            cases.push(Case {
                class: format!("smartlic.{verb}.{}", run.host),
                name: verb.to_string(),
                seconds: run.millis as f64 / 1000.0,
                failure,
            });
        }
    }
    document(&format!("smartlic {verb}"), &cases)
}

/// An offline plan: one case per host.
pub fn plan(plans: &[HostPlan]) -> String {
    let cases: Vec<Case> = plans
        .iter()
        .map(|p| Case {
            class: format!("smartlic.plan.{}", p.host),
            name: "plan".into(),
            seconds: 0.0,
            failure: p.errors.first().cloned(),
        })
        .collect();
    document("smartlic plan", &cases)
}

fn document(suite: &str, cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let total: f64 = cases.iter().map(|c| c.seconds).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites tests=\"{}\" failures=\"{failures}\" time=\"{total:.3}\">",
        cases.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" time=\"{total:.3}\">",
        xml(suite),
        cases.len()
    );
    for case in cases {
        let open = format!(
            "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
            xml(&case.class),
            xml(&case.name),
            case.seconds
        );
        match &case.failure {
            None => {
                let _ = writeln!(out, "{open}/>");
            }
            Some(reason) => {
                let _ = writeln!(
                    out,
                    "{open}>\n      <failure message=\"{0}\">{0}</failure>\n    </testcase>",
                    xml(reason)
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text safe in an XML attribute or element: control characters gone, markup escaped.
fn xml(text: &str) -> String {
    sanitize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
