//! Plans: for each host, what would change and what would be typed.
//!
//! A plan renders the host's desired config, diffs it against the running config
//! (saved files for `--offline`; read over SSH in later stages), and lists the steps
//! that would follow: trustpoint imports, saving, and registration (token shown as
//! `<redacted>`). A host that fails is reported with its error; the others go on.

use std::path::Path;

use serde::Serialize;

use crate::config::{Tree, diff, unified};
use crate::intent::{Expect, Intent, REDACTED, SafetyNet};
use crate::platform::{LicensingModel, Platform, SafetyNetKind};
use crate::playbook::Step;
use crate::targets::Target;

/// The JSON document's version: bumped on any incompatible change (README documents it).
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct HostPlan {
    pub host: String,
    pub play: String,
    pub platform: Platform,
    pub licensing_model: LicensingModel,
    /// The configuration would change (commands to send or a certificate to import).
    pub changed: bool,
    /// The exact lines that would be typed in configuration mode, in order.
    pub commands: Vec<String>,
    /// Each command's depth in the config tree, for indented display.
    pub depths: Vec<usize>,
    /// Unified diff of the managed part of the config, running → planned.
    pub diff: String,
    /// `sha256:…` of the managed part of the running config the plan was made from:
    /// `smartlic apply PLAN` refuses a host whose device no longer matches it.
    pub running_digest: Option<String>,
    /// Exec-mode steps around the config change (certificate imports, save).
    pub exec: Vec<String>,
    pub register: Option<RegisterPlan>,
    /// How the change is made safe to take back (`smart_licensing.safety_net`); absent
    /// when the change needs none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_net: Option<SafetyNetPlan>,
    pub errors: Vec<String>,
}

/// The name a run gives its NX-OS checkpoint; `<run>` becomes the run's id at apply time.
pub const CHECKPOINT_NAME: &str = "smartlic-<run>";

/// The safety net around the config change (docs/platform-notes.md "Safety net").
#[derive(Clone, Debug, Serialize)]
pub struct SafetyNetPlan {
    /// `revert-timer` (IOS-XE), `checkpoint` (NX-OS), or `none` when `auto` found the
    /// device without what the net needs (then `reason` says what is missing).
    pub kind: &'static str,
    /// Why the net is (or is not) there: the first risky line, or `always`.
    pub reason: String,
    /// Exec steps before config mode (`checkpoint smartlic-<run>`).
    pub before: Vec<String>,
    /// The command that enters config mode instead of `configure terminal`.
    pub enter: Option<String>,
    /// What proves the change did no harm before it is kept.
    pub check: String,
    /// Exec steps once the check passed (`configure confirm`, `no checkpoint …`).
    pub confirm: Vec<String>,
    /// Exec steps when the check (or a config line) failed; IOS-XE sends none: left
    /// unconfirmed, the device restores the archived config when the timer runs out.
    pub on_failure: Vec<String>,
    /// IOS-XE: minutes until the device reverts by itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert_minutes: Option<u32>,
}

/// The post-change check, in words.
pub const CHECK: &str = "a new SSH login succeeds and `show license status` parses";

/// The registration (classic) or trust (Using Policy) step that would follow.
#[derive(Clone, Debug, Serialize)]
pub struct RegisterPlan {
    /// The command with the token shown as `<redacted>`.
    pub command: String,
    pub token_source: String,
    pub force: bool,
    pub expect: Expect,
    /// Whether the device needs it (a live plan reads its licensing state; absent offline).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<bool>,
}

/// Plans every target against saved running configs in `running_dir`.
pub fn plan_offline(targets: &[Target], running_dir: &Path) -> Vec<HostPlan> {
    targets
        .iter()
        .map(|t| plan_host(t, read_running(running_dir, &t.host.name)))
        .collect()
}

/// A warning for each target with no saved config in `running_dir`: it is planned
/// against an empty config (a device never configured), which is rarely what was meant.
pub fn missing_running(targets: &[Target], running_dir: &Path) -> Vec<crate::source::Diagnostic> {
    let origin = crate::source::Origin::CommandLine("--running-dir".into());
    targets
        .iter()
        .map(|t| running_path(running_dir, &t.host.name))
        .filter(|path| !path.exists())
        .map(|path| {
            crate::source::Diagnostic::warning(
                &origin,
                "",
                format!(
                    "{} does not exist: planned against an empty config",
                    path.display()
                ),
            )
        })
        .collect()
}

/// `<dir>/<host>.cfg`; a missing file is an empty config (a device never configured). One
/// that cannot be read (a folder, a FIFO, too big) fails its host alone, as an unreachable
/// device would.
fn read_running(dir: &Path, host: &str) -> Result<String, String> {
    let path = running_path(dir, host);
    match crate::files::read(&path, crate::files::RUNNING_CONFIG) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Where `host`'s saved running config is in `dir`.
fn running_path(dir: &Path, host: &str) -> std::path::PathBuf {
    dir.join(crate::files::host_file_name(host, ".cfg"))
}

/// Plans one host given its running config (or the error reading it).
pub fn plan_host(target: &Target, running: Result<String, String>) -> HostPlan {
    let intent = &target.host.intent;
    let mut plan = HostPlan {
        host: target.host.name.clone(),
        play: target.play.clone(),
        platform: intent.platform,
        licensing_model: intent.licensing_model,
        changed: false,
        commands: Vec::new(),
        depths: Vec::new(),
        diff: String::new(),
        running_digest: None,
        exec: Vec::new(),
        register: None,
        safety_net: None,
        errors: Vec::new(),
    };
    if let Err(e) = configure(&mut plan, target, running) {
        plan.errors.push(e);
        return plan;
    }
    if target.steps.contains(&Step::Register) {
        plan.register = register(intent);
    }
    plan
}

fn configure(
    plan: &mut HostPlan,
    target: &Target,
    running: Result<String, String>,
) -> Result<(), String> {
    if !target.steps.contains(&Step::Configure) {
        return Ok(());
    }
    let intent = &target.host.intent;
    let running = running?;
    let dialect = intent.platform.dialect();
    let running_tree = Tree::parse(&running, dialect);
    let config_diff = diff(
        dialect,
        &Tree::parse(&target.desired, dialect),
        &running_tree,
        &intent.platform.exclusive_prefixes(intent),
    );
    plan.commands = config_diff
        .commands
        .iter()
        .map(|c| c.text.clone())
        .collect();
    plan.depths = config_diff.commands.iter().map(|c| c.depth).collect();
    plan.running_digest = Some(digest(&config_diff.before));
    plan.diff = unified(
        &config_diff.before,
        &config_diff.after,
        &format!("{}/running", plan.host),
        &format!("{}/planned", plan.host),
    );
    plan.exec = intent
        .platform
        .trustpoint_imports(intent, &running_tree)
        .into_iter()
        .collect();
    plan.changed = !plan.commands.is_empty() || !plan.exec.is_empty();
    plan.safety_net = safety_net(intent, &running_tree, &plan.commands)?;
    if plan.changed && intent.save {
        plan.exec
            .extend(intent.platform.save_command().map(str::to_string));
    }
    Ok(())
}

/// `sha256:<hex>` of `text`.
pub fn digest(text: &str) -> String {
    crate::files::digest_bytes(text.as_bytes())
}

/// The safety net the change gets: `always` for any config change, `auto` when a planned
/// line is risky (the platform driver says which) and the device can arm the net;
/// `always` on a device that cannot is the host's error, before anything changes.
fn safety_net(
    intent: &Intent,
    running: &Tree,
    commands: &[String],
) -> Result<Option<SafetyNetPlan>, String> {
    let platform = intent.platform;
    let reason = match intent.safety_net {
        SafetyNet::Off => return Ok(None),
        _ if commands.is_empty() => return Ok(None),
        SafetyNet::Always => "safety_net: always".to_string(),
        SafetyNet::Auto => match commands.iter().find(|c| platform.risky_line(c)) {
            Some(line) => format!("risky line `{}`", line.trim()),
            None => return Ok(None),
        },
    };
    let Some(kind) = platform.safety_net() else {
        return Ok(None);
    };
    if let Err(missing) = platform.safety_net_ready(running) {
        return match intent.safety_net {
            SafetyNet::Always => Err(format!("no safety net possible: {missing}")),
            _ => Ok(Some(SafetyNetPlan {
                kind: "none",
                reason: format!("{reason}, but {missing}"),
                before: Vec::new(),
                enter: None,
                check: String::new(),
                confirm: Vec::new(),
                on_failure: Vec::new(),
                revert_minutes: None,
            })),
        };
    }
    Ok(Some(match kind {
        SafetyNetKind::RevertTimer => SafetyNetPlan {
            kind: "revert-timer",
            reason,
            before: Vec::new(),
            enter: Some(format!(
                "configure terminal revert timer {}",
                intent.revert_timer
            )),
            check: CHECK.to_string(),
            confirm: vec!["configure confirm".to_string()],
            on_failure: Vec::new(),
            revert_minutes: Some(intent.revert_timer),
        },
        SafetyNetKind::Checkpoint => SafetyNetPlan {
            kind: "checkpoint",
            reason,
            before: vec![format!("checkpoint {CHECKPOINT_NAME}")],
            enter: None,
            check: CHECK.to_string(),
            confirm: vec![format!("no checkpoint {CHECKPOINT_NAME}")],
            on_failure: vec![
                format!("rollback running-config checkpoint {CHECKPOINT_NAME}"),
                format!("no checkpoint {CHECKPOINT_NAME}"),
            ],
            revert_minutes: None,
        },
    }))
}

fn register(intent: &Intent) -> Option<RegisterPlan> {
    let token = intent.token.as_ref()?;
    Some(RegisterPlan {
        command: intent.platform.register_command(intent, REDACTED),
        token_source: token.describe(),
        force: intent.force,
        expect: intent.expect.clone(),
        pending: None,
    })
}

/// Totals over a plan, for the summary line and the exit code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub hosts: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub failed: usize,
}

impl Summary {
    pub fn of(plans: &[HostPlan]) -> Summary {
        let failed = plans.iter().filter(|p| !p.errors.is_empty()).count();
        let changed = plans
            .iter()
            .filter(|p| p.errors.is_empty() && p.changed)
            .count();
        Summary {
            hosts: plans.len(),
            changed,
            unchanged: plans.len() - failed - changed,
            failed,
        }
    }
}
