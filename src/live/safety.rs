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
use super::device::Device;
use crate::plan::{HostPlan, SafetyNetPlan};
use crate::platform::status::parse_license_status;
use crate::targets::Target;

/// The step name the progress display and the run record show for the check.
pub const CHECK_STEP: &str = "post-change check";

/// Types the planned lines, inside the plan's safety net if it has one. `step` records
/// each step (the host's recorder). `Err` is the host's failure reason, saying what
/// became of the change.
pub async fn configure(
    target: &Target,
    options: &LiveOptions,
    device: &mut Device,
    plan: &HostPlan,
    step: &mut (dyn FnMut(&str) + Send),
) -> Result<(), String> {
    let Some(net) = plan.safety_net.as_ref().filter(|n| n.kind != "none") else {
        step("configure");
        return device
            .configure(&plan.commands)
            .await
            .map_err(|e| e.to_string());
    };
    let run = run_id();
    let fill = |text: &str| text.replace("<run>", &run);
    for command in &net.before {
        let command = fill(command);
        step(&command);
        let output = device.exec(&command).await.map_err(|e| e.to_string())?;
        if let Some(line) = refusal(&output) {
            return Err(format!("`{command}` failed ({line}); nothing was changed"));
        }
    }
    let enter = net.enter.as_deref().unwrap_or("configure terminal");
    step(enter);
    if let Err(e) = device.configure_entering(enter, &plan.commands).await {
        let undone = undo(device, net, &fill, step).await;
        return Err(format!("{e}; {undone}"));
    }
    step(CHECK_STEP);
    if let Err(why) = check(target, options).await {
        let undone = undo(device, net, &fill, step).await;
        return Err(format!("the post-change check failed: {why}; {undone}"));
    }
    for command in &net.confirm {
        let command = fill(command);
        step(&command);
        let result = device.exec(&command).await.map_err(|e| e.to_string());
        match result {
            Ok(output) if refusal(&output).is_none() => {}
            Ok(output) => {
                let line = refusal(&output).unwrap_or_default();
                return Err(format!("`{command}` failed after the check passed: {line}"));
            }
            Err(e) if net.kind == "revert-timer" => {
                return Err(format!(
                    "`{command}` failed: {e}; the change was not kept (the device restores \
                     its archived config when the revert timer runs out)"
                ));
            }
            Err(e) => return Err(format!("`{command}` failed after the check passed: {e}")),
        }
    }
    Ok(())
}

/// Takes the change back where smartlic must (NX-OS); says what became of it.
async fn undo(
    device: &mut Device,
    net: &SafetyNetPlan,
    fill: &impl Fn(&str) -> String,
    step: &mut (dyn FnMut(&str) + Send),
) -> String {
    if net.on_failure.is_empty() {
        return match net.revert_minutes {
            Some(minutes) => format!(
                "not confirmed: the device restores its archived config when its {minutes}-minute \
                 revert timer runs out"
            ),
            None => "the change was left as it is".to_string(),
        };
    }
    let mut said = Vec::new();
    for command in &net.on_failure {
        let command = fill(command);
        step(&command);
        match device.exec(&command).await {
            Ok(output) => match refusal(&output) {
                None if command.starts_with("rollback ") => {
                    said.push(format!("rolled back (`{command}`)"));
                }
                None => {}
                Some(line) => said.push(format!("`{command}` failed: {line}")),
            },
            Err(e) => said.push(format!("`{command}` failed: {e}")),
        }
    }
    if said.is_empty() {
        "the safety net's steps were sent".to_string()
    } else {
        said.join("; ")
    }
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
