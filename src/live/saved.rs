//! Saved plans, as Terraform has them: `smartlic plan --out FILE` records everything the
//! run needs (the inputs' paths and digests, `-e`, `--limit`, `--shard`, templates, and per
//! host the planned lines and the digest of the device's managed config);
//! `smartlic apply FILE` runs exactly that and nothing else.
//!
//! A plan file is input too, and may have been edited: apply never types a line from it.
//! It renders each host's intent again from the recorded inputs, reads the device, and
//! goes on only where that gives the same lines the file holds (see [`check_host`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::record::Mode;
use crate::inputs::InputFile;
use crate::plan::{FORMAT_VERSION, HostPlan};

/// What the run was made from: enough to load the same targets again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanInputs {
    pub inventory: PathBuf,
    pub playbook: PathBuf,
    pub limit: Option<String>,
    /// `i/N`.
    pub shard: Option<String>,
    /// As given: `key=value`, `@file.yml` or inline YAML; never a secret value (a plan
    /// with one is not written).
    pub extra_vars: Vec<String>,
    pub templates: Option<PathBuf>,
    pub allow_plaintext_token: bool,
    /// Planned against the built-in lab (`--lab`): applied against it too.
    pub lab: bool,
    /// Every file the intent was read from, with its digest.
    pub files: Vec<InputFile>,
}

/// A saved plan as `apply` reads it (the live plan document plus its inputs).
#[derive(Clone, Debug, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub mode: Mode,
    pub inputs: Option<PlanInputs>,
    pub hosts: Vec<SavedRun>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SavedRun {
    pub host: String,
    pub plan: Option<SavedHostPlan>,
}

/// What `apply` compares for each saved host.
#[derive(Clone, Debug, Deserialize)]
pub struct SavedHostPlan {
    pub commands: Vec<String>,
    pub exec: Vec<String>,
    pub running_digest: Option<String>,
    pub register: Option<SavedRegister>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SavedRegister {
    /// Whether the device needed the registration when planned.
    pub pending: Option<bool>,
}

impl SavedPlan {
    /// Reads and checks a plan file written by `plan --out`.
    pub fn read(path: &Path) -> Result<SavedPlan, String> {
        let shown = path.display();
        let text = crate::files::read(path, crate::files::PLAN_OR_REPORT)
            .map_err(|e| format!("cannot read the plan {shown}: {e}"))?;
        let saved: SavedPlan = serde_json::from_str(&text)
            .map_err(|e| format!("{shown} is not a smartlic plan: {e}"))?;
        if saved.format_version != FORMAT_VERSION || saved.mode != Mode::Plan {
            return Err(format!(
                "{shown} is a document of format {} made by `{}`; apply needs a plan of format \
                 {FORMAT_VERSION} made by `smartlic plan --out`",
                saved.format_version,
                saved.mode.name()
            ));
        }
        if saved.inputs.is_none() {
            return Err(format!(
                "{shown} does not record its inputs (made by an older smartlic): plan again"
            ));
        }
        Ok(saved)
    }

    pub fn host(&self, name: &str) -> Option<&SavedHostPlan> {
        self.hosts
            .iter()
            .find(|h| h.host == name)
            .and_then(|h| h.plan.as_ref())
    }

    /// The saved plan of a run's planned hosts (for approving on a terminal).
    pub fn of(plans: impl IntoIterator<Item = (String, HostPlan, bool)>) -> SavedPlan {
        let hosts = plans
            .into_iter()
            .map(|(host, plan, registers)| SavedRun {
                host,
                plan: Some(SavedHostPlan {
                    commands: plan.commands,
                    exec: plan.exec,
                    running_digest: plan.running_digest,
                    register: plan.register.map(|_| SavedRegister {
                        pending: Some(registers),
                    }),
                }),
            })
            .collect();
        SavedPlan {
            format_version: FORMAT_VERSION,
            mode: Mode::Plan,
            inputs: None,
            hosts,
        }
    }
}

/// Whether the freshly made `plan` of a host (from the recorded inputs and the device as
/// it is now) is the saved one: same device config, same lines, same registration step.
/// `Err` says what differs; the host is then not touched.
pub fn check_host(plan: &HostPlan, registers: bool, saved: &SavedPlan) -> Result<(), String> {
    let Some(saved) = saved.host(&plan.host) else {
        return Err("not in the saved plan".into());
    };
    if saved.running_digest != plan.running_digest {
        return Err(
            "the device changed since the plan was made (its managed config no longer matches \
             the saved plan's digest): plan again"
                .into(),
        );
    }
    let fresh: Vec<&String> = plan.commands.iter().chain(&plan.exec).collect();
    let planned: Vec<&String> = saved.commands.iter().chain(&saved.exec).collect();
    if fresh != planned {
        return Err(format!(
            "the saved plan's lines are not the ones the intent gives for this device{}: \
             refused (was the plan file edited?); plan again",
            first_difference(&planned, &fresh)
        ));
    }
    let pending = saved.register.as_ref().and_then(|r| r.pending);
    if pending.is_some_and(|p| p != registers) {
        let now = if registers {
            "needs"
        } else {
            "no longer needs"
        };
        return Err(format!(
            "the device's licensing changed since the plan was made (it {now} registering): \
             plan again"
        ));
    }
    Ok(())
}

/// ` (the plan has `X`, the intent `Y`)` at the first line that differs.
fn first_difference(planned: &[&String], fresh: &[&String]) -> String {
    let at = planned
        .iter()
        .zip(fresh)
        .position(|(a, b)| a != b)
        .unwrap_or(planned.len().min(fresh.len()));
    let show = |lines: &[&String]| {
        lines
            .get(at)
            .map(|l| format!("`{}`", crate::redact::redact(l)))
            .unwrap_or_else(|| "nothing".into())
    };
    format!(
        " (line {}: the plan has {}, the intent {})",
        at + 1,
        show(planned),
        show(fresh)
    )
}

/// The first secret-bearing key that an inline `-e` value sets to a plain value.
pub fn inline_secret(extra_vars: &[String]) -> Option<&'static str> {
    extra_vars
        .iter()
        .filter(|v| !v.starts_with('@'))
        .filter_map(|v| crate::targets::extra_vars(std::slice::from_ref(v)).ok())
        .find_map(|node| secret_key(&node))
}

fn secret_key(node: &crate::yaml::Node) -> Option<&'static str> {
    node.entries()?.iter().find_map(|(key, value)| {
        let secret = crate::redact::SECRET_KEYS.iter().find(|k| **k == key.name);
        match secret {
            Some(name) if value.scalar().is_some() => Some(*name),
            _ => secret_key(value),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_secrets_are_found_and_sources_are_not() {
        let vars = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            inline_secret(&vars(&["ansible_password=x"])),
            Some("ansible_password")
        );
        assert_eq!(
            inline_secret(&vars(&["smart_licensing.token=NjQ0"])),
            Some("token")
        );
        assert_eq!(
            inline_secret(&vars(&["{smart_licensing: {token: abc}}"])),
            Some("token")
        );
        assert_eq!(
            inline_secret(&vars(&["smart_licensing.token.env=OTHER", "@vars.yml"])),
            None
        );
        assert_eq!(inline_secret(&vars(&["smart_licensing.force=true"])), None);
    }
}
