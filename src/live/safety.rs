//! The safety net around a risky change (`smart_licensing.safety_net`, planned in
//! [`crate::plan::SafetyNetPlan`]; the device facts are in docs/platform-notes.md
//! "Safety net").
//!
//! - IOS-XE: config mode is entered with `configure terminal revert timer N`, the lines
//!   are typed, then a post-change check runs; only if it passes is `configure confirm`
//!   sent. Otherwise nothing is sent: unconfirmed, the device restores its archived
//!   config by itself when the timer runs out, even if smartlic has lost the device.
//! - NX-OS: `checkpoint smartlic-<run>` first; if a line is refused or the check fails,
//!   `rollback running-config checkpoint smartlic-<run>`; the checkpoint is removed at the
//!   end either way.
//!
//! The post-change check is what the change could break: a new SSH login to the device
//! succeeds and `show license status` still parses.

use std::time::{SystemTime, UNIX_EPOCH};

use super::LiveOptions;
use super::device::{Device, DeviceError};
use crate::plan::{HostPlan, SafetyNetPlan};
use crate::platform::status::parse_license_status;
use crate::targets::Target;

/// The step name the progress display and the run record show for the check.
pub const CHECK_STEP: &str = "post-change check";

/// Why the config change failed, and whether the device is left changed by it.
#[derive(Debug)]
pub struct ConfigFailure {
    pub reason: String,
    /// Lines were kept: typed before a refused one, or not (yet) taken back. An IOS-XE
    /// change waiting for its revert timer counts as changed until the device reverts.
    pub device_changed: bool,
}

impl ConfigFailure {
    fn new(reason: String, device_changed: bool) -> ConfigFailure {
        ConfigFailure {
            reason,
            device_changed,
        }
    }
}

/// Types the planned lines, inside the plan's safety net if it has one. `step` records
/// each step (the host's recorder). `Err` says what became of the change.
pub async fn configure(
    target: &Target,
    options: &LiveOptions,
    device: &mut Device,
    plan: &HostPlan,
    step: &mut (dyn FnMut(&str) + Send),
) -> Result<(), ConfigFailure> {
    let Some(net) = plan.safety_net.as_ref().filter(|n| n.kind != "none") else {
        step("configure");
        return device.configure(&plan.commands).await.map_err(|e| {
            // Lines before a refused one were taken; a refused first line changed nothing.
            let kept = match &e {
                DeviceError::Refused(r) => plan.commands.first() != Some(&r.line),
                _ => true,
            };
            ConfigFailure::new(e.to_string(), kept)
        });
    };
    let run = run_id();
    let fill = |text: &str| text.replace("<run>", &run);
    for command in &net.before {
        let command = fill(command);
        step(&command);
        let unchanged = |reason: String| ConfigFailure::new(reason, false);
        let output = device
            .exec(&command)
            .await
            .map_err(|e| unchanged(e.to_string()))?;
        if let Some(line) = refusal(&output) {
            return Err(unchanged(format!(
                "`{command}` failed ({line}); nothing was changed"
            )));
        }
    }
    let enter = net.enter.as_deref().unwrap_or("configure terminal");
    step(enter);
    if let Err(e) = device.configure_entering(enter, &plan.commands).await {
        let (undone, kept) = undo(device, net, &fill, step).await;
        return Err(ConfigFailure::new(format!("{e}; {undone}"), kept));
    }
    step(CHECK_STEP);
    if let Err(why) = check(target, options).await {
        let (undone, kept) = undo(device, net, &fill, step).await;
        let reason = format!("the post-change check failed: {why}; {undone}");
        return Err(ConfigFailure::new(reason, kept));
    }
    for command in &net.confirm {
        let command = fill(command);
        step(&command);
        let result = device.exec(&command).await.map_err(|e| e.to_string());
        let reason = match result {
            Ok(output) => match refusal(&output) {
                None => continue,
                Some(line) => format!("`{command}` failed after the check passed: {line}"),
            },
            Err(e) if net.kind == "revert-timer" => format!(
                "`{command}` failed: {e}; the change was not kept (the device restores \
                 its archived config when the revert timer runs out)"
            ),
            Err(e) => format!("`{command}` failed after the check passed: {e}"),
        };
        return Err(ConfigFailure::new(reason, true));
    }
    Ok(())
}

/// Takes the change back where smartlic must (NX-OS); says what became of it, and
/// whether the device is still changed.
async fn undo(
    device: &mut Device,
    net: &SafetyNetPlan,
    fill: &impl Fn(&str) -> String,
    step: &mut (dyn FnMut(&str) + Send),
) -> (String, bool) {
    if net.on_failure.is_empty() {
        return match net.revert_minutes {
            Some(minutes) => (
                format!(
                    "not confirmed: the device restores its archived config when its \
                     {minutes}-minute revert timer runs out"
                ),
                true,
            ),
            None => ("the change was left as it is".to_string(), true),
        };
    }
    let mut said = Vec::new();
    let mut rolled_back = false;
    for command in &net.on_failure {
        let command = fill(command);
        step(&command);
        match device.exec(&command).await {
            Ok(output) => match refusal(&output) {
                None if command.starts_with("rollback ") => {
                    rolled_back = true;
                    said.push(format!("rolled back (`{command}`)"));
                }
                None => {}
                Some(line) => said.push(format!("`{command}` failed: {line}")),
            },
            Err(e) => said.push(format!("`{command}` failed: {e}")),
        }
    }
    let said = if said.is_empty() {
        "the safety net's steps were sent".to_string()
    } else {
        said.join("; ")
    };
    (said, !rolled_back)
}

/// A new SSH login succeeds and `show license status` parses.
async fn check(target: &Target, options: &LiveOptions) -> Result<(), String> {
    let vars = &target.host;
    let ssh_target =
        super::device::target(&vars.name, &vars.connection, options.known_hosts.as_deref());
    let mut fresh = Device::open_logged(
        &ssh_target,
        vars.intent.platform,
        vars.connection.enable_secret.as_ref(),
        options.session_log.as_deref(),
    )
    .await
    .map_err(|e| format!("a new SSH login failed: {e}"))?;
    let output = fresh.exec("show license status").await;
    fresh.close().await;
    let text = output.map_err(|e| format!("`show license status` failed: {e}"))?;
    parse_license_status(vars.intent.platform, &text)
        .map_err(|e| format!("`show license status` no longer parses: {e}"))?;
    Ok(())
}

/// A refusal in a safety-net command's output: NX-OS checkpoint errors start with `ERROR`
/// (genielibs checks for it), IOS refusals with `%` (docs/platform-notes.md).
fn refusal(output: &str) -> Option<&str> {
    output
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("ERROR") || (l.starts_with('%') && !l.starts_with("%ARCHIVE")))
}

/// The run's id in checkpoint names: seconds since the Unix epoch.
fn run_id() -> String {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_error_and_percent_lines_not_syslog() {
        assert_eq!(refusal(".Done\n"), None);
        assert_eq!(
            refusal("ERROR: checkpoint x already exists\n"),
            Some("ERROR: checkpoint x already exists")
        );
        assert_eq!(
            refusal("%No Rollback Confirmed Change pending\n"),
            Some("%No Rollback Confirmed Change pending")
        );
        assert_eq!(
            refusal("%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_BACKUP: x\n"),
            None
        );
    }
}
