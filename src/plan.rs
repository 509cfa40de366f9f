//! Plans: for each host, what would change and what would be typed.
//!
//! A plan renders the host's desired config, diffs it against the running config
//! (saved files for `--offline`; read over SSH in later stages), and lists the steps
//! that would follow: trustpoint imports, saving, and registration (token shown as
//! `<redacted>`). A host that fails is reported with its error; the others go on.

use std::path::Path;

use serde::Serialize;

use crate::config::{Tree, diff, unified};
use crate::intent::{Expect, Intent, REDACTED};
use crate::platform::{LicensingModel, Platform};
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
    #[serde(skip)]
    pub depths: Vec<usize>,
    /// Unified diff of the managed part of the config, running → planned.
    pub diff: String,
    /// Exec-mode steps around the config change (certificate imports, save).
    pub exec: Vec<String>,
    pub register: Option<RegisterPlan>,
    pub errors: Vec<String>,
}

/// The registration (classic) or trust (Using Policy) step that would follow.
#[derive(Clone, Debug, Serialize)]
pub struct RegisterPlan {
    /// The command with the token shown as `<redacted>`.
    pub command: String,
    pub token_source: String,
    pub force: bool,
    pub expect: Expect,
}

/// Plans every target against saved running configs in `running_dir`.
pub fn plan_offline(targets: &[Target], running_dir: &Path) -> Vec<HostPlan> {
    targets
        .iter()
        .map(|t| plan_host(t, read_running(running_dir, &t.host.name)))
        .collect()
}

/// `<dir>/<host>.cfg`; a missing file is an empty config (a device never configured).
fn read_running(dir: &Path, host: &str) -> Result<String, String> {
    let path = dir.join(format!("{host}.cfg"));
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
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
        exec: Vec::new(),
        register: None,
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
    if plan.changed && intent.save {
        plan.exec
            .extend(intent.platform.save_command().map(str::to_string));
    }
    Ok(())
}

fn register(intent: &Intent) -> Option<RegisterPlan> {
    let token = intent.token.as_ref()?;
    Some(RegisterPlan {
        command: intent.platform.register_command(intent, REDACTED),
        token_source: token.describe(),
        force: intent.force,
        expect: intent.expect.clone(),
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
