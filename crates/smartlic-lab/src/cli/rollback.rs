//! The safety nets of a risky change: IOS-XE Configuration Rollback Confirmed Change
//! (`configure terminal revert timer [idle] N`, `configure confirm`, the config archive it
//! needs) and NX-OS checkpoints (`checkpoint NAME`, `rollback running-config checkpoint
//! NAME`, `no checkpoint NAME`, `clear checkpoint database`).
//!
//! Every device text below is cited in docs/platform-notes.md ("Safety net"); where no
//! source gives a text, the lab prints the least it can and says so here.
//!
//! The revert timer runs on the lab clock: a waiter thread restores the running config
//! when the deadline passes unconfirmed, and every command checks the deadline first, so
//! a session never sees a config that should already have been reverted.

use std::sync::{Arc, Weak};
use std::time::Duration;

use super::Device;
use crate::clock::LabClock;
use crate::device::{Checkpoint, DeviceState, LogLine, PendingRevert, SharedState};
use crate::time::Civil;
use crate::tree::Tree;

/// The timer range (napalm's IOS driver: 1–120 minutes; a public walkthrough: "x can be
/// 1-120").
pub const TIMER_MINUTES: std::ops::RangeInclusive<u32> = 1..=120;

/// `configure terminal revert timer` without a configured archive (the text the Cisco
/// NSO IOS NED expects when entering config mode; docs/platform-notes.md).
pub const ARCHIVE_OFF: &str = "%Turn config archive on before using Rollback Confirmed Change";

/// `configure confirm` (and `show archive config rollback timer`) with no timer running
/// (napalm's IOS tests; docs/platform-notes.md).
pub const NOTHING_PENDING: &str = "%No Rollback Confirmed Change pending";

/// NX-OS allows ten user checkpoints (Nexus system management guides).
pub const MAX_CHECKPOINTS: usize = 10;

/// The `path` under `archive` in the running config: where the device writes the backup a
/// revert timer rolls back to. Without it, IOS-XE refuses the timer (Cisco, "Configuration
/// Rollback Confirmed Change": a configuration archive must be configured first). Read by
/// the lab itself, not through the client's platform rules.
fn archive_path(running: &Tree) -> Option<String> {
    let archive = running.lines.iter().find(|l| l.text.trim() == "archive")?;
    archive.children.iter().find_map(|c| {
        let path = c.text.trim().strip_prefix("path ")?.trim();
        (!path.is_empty()).then(|| path.to_string())
    })
}

/// `configure terminal revert timer [idle] N`: backs the running config up and starts the
/// timer. `Err` is the device's refusal (no archive); the session then stays in exec.
pub fn start_timer(device: &Arc<Device>, minutes: u32, idle: bool) -> Result<String, String> {
    device.expire_revert();
    let user = user(device);
    let now = device.now();
    let lab_now = device.clock.now();
    let mut state = lock(&device.state);
    let Some(path) = archive_path(&state.running) else {
        return Err(format!("{ARCHIVE_OFF}\n"));
    };
    let deadline = lab_now + f64::from(minutes) * 60.0;
    if let Some(pending) = state.revert.as_mut() {
        // A second timer while one runs: not verified on a device. The lab keeps the
        // first backup (what the device would roll back to) and restarts the timer.
        pending.deadline = deadline;
        pending.idle_minutes = idle.then_some(minutes);
        let id = pending.id;
        drop(state);
        spawn_waiter(device, id);
        return Ok(String::new());
    }
    let archive = archive_name(&path, now, state.archives);
    state.archives += 1;
    let id = next_id();
    state.revert = Some(PendingRevert {
        id,
        deadline,
        idle_minutes: idle.then_some(minutes),
        archive: archive.clone(),
        snapshot: state.running.clone(),
    });
    // byteworks.com walkthrough (IOS 15.x/IOS-XE): the backup line, then the syslog pair.
    state.log.push(LogLine {
        at: now,
        text: format!(
            "%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_BACKUP: Backing up current running config to {archive}"
        ),
    });
    if !idle {
        state.log.push(LogLine {
            at: now,
            text: format!(
                "%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_START_ABSTIMER: User: {user}(Priv: 15, View: 0): Scheduled to rollback to config {archive} in {minutes} minutes"
            ),
        });
    }
    drop(state);
    spawn_waiter(device, id);
    Ok(format!(
        "Rollback Confirmed Change: Backing up current running config to {archive}\n\n"
    ))
}

/// `configure confirm`: keeps the change. Nothing is printed on success (no source
/// shows any output); with no timer running, the device's refusal.
pub fn confirm(device: &Arc<Device>) -> String {
    device.expire_revert();
    let mut state = lock(&device.state);
    match state.revert.take() {
        Some(_) => String::new(),
        None => format!("{NOTHING_PENDING}\n"),
    }
}

/// A command was typed: an idle timer starts over.
pub fn activity(device: &Device) {
    let lab_now = device.clock.now();
    let mut state = lock(&device.state);
    if let Some(pending) = state.revert.as_mut()
        && let Some(minutes) = pending.idle_minutes
        && lab_now < pending.deadline
    {
        pending.deadline = lab_now + f64::from(minutes) * 60.0;
    }
}

/// Restores the archived config if the timer ran out; `true` if it did.
pub fn expire(state: &SharedState, clock: &LabClock, device_now: f64) -> bool {
    let mut state = lock(state);
    let expired = state
        .revert
        .as_ref()
        .is_some_and(|p| clock.now() >= p.deadline);
    if !expired {
        return false;
    }
    let pending = state.revert.take().expect("checked above");
    revert_to(&mut state, pending, device_now);
    true
}

fn revert_to(state: &mut DeviceState, pending: PendingRevert, now: f64) {
    // byteworks.com walkthrough: `%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK_START: Start
    // rolling to: <archive>`, then the rollback's command list and `Rollback Done`
    // on the console.
    state.log.push(LogLine {
        at: now,
        text: format!(
            "%ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK_START: Start rolling to: {}",
            pending.archive
        ),
    });
    state.running = pending.snapshot;
    state.trusted_cas = super::cert::certificates_in(&state.running);
}

/// A device resumed from a saved lab ([`crate::saved`]) with a revert timer running:
/// reverts now if the timer ran out while the lab was stopped, else waits for it again.
pub fn resume(device: &Arc<Device>) {
    device.expire_revert();
    let id = {
        let mut state = lock(&device.state);
        let Some(pending) = state.revert.as_mut() else {
            return;
        };
        pending.id = next_id();
        pending.id
    };
    spawn_waiter(device, id);
}

/// A thread that waits for the timer on the lab clock and reverts when it runs out,
/// unless the timer was confirmed, restarted or the device is gone by then.
fn spawn_waiter(device: &Arc<Device>, id: u64) {
    if device.clock.scale() <= 0.0 {
        return; // a stopped clock never expires a timer
    }
    let state: Weak<std::sync::Mutex<DeviceState>> = Arc::downgrade(&device.state);
    let clock = device.clock.clone();
    let offset = device.now() - clock.now();
    std::thread::spawn(move || {
        loop {
            let Some(shared) = state.upgrade() else {
                return;
            };
            let deadline = match lock(&shared).revert.as_ref() {
                Some(p) if p.id == id => p.deadline,
                _ => return,
            };
            let remaining = deadline - clock.now();
            if remaining <= 0.0 {
                expire(&shared, &clock, clock.now() + offset);
                return;
            }
            drop(shared);
            let real = clock.real_duration(Duration::from_secs_f64(remaining));
            std::thread::sleep(real.min(Duration::from_millis(500)));
        }
    });
}

/// IOS archive file names: `<path>-<Mon>-<day, space-padded, spaces as dashes>-<hh>-<mm>-
/// <ss>.<ms>-<n>` (`flash:archive-Feb-15-15-56-38.517-1`,
/// `bootflash:/Backup/backup-May--4-13-16-19.360-0`).
fn archive_name(path: &str, now: f64, n: u32) -> String {
    let t = Civil::from_epoch(now);
    let day = format!("{:>2}", t.day).replace(' ', "-");
    format!(
        "{path}-{}-{day}-{:02}-{:02}-{:02}.{:03}-{n}",
        t.month_name(),
        t.hour,
        t.minute,
        t.second,
        t.millis
    )
}

// ---------------------------------------------------------------- NX-OS checkpoints

/// `checkpoint NAME`: `.Done` (a public N9K 10.2(2) transcript). The refusals' texts are
/// not verified: genielibs treats output containing `ERROR` as a failed checkpoint, so
/// the lab's refusals start with `ERROR:`.
pub fn checkpoint(device: &Arc<Device>, name: &str) -> String {
    let user = user(device);
    let at = device.now();
    let mut state = lock(&device.state);
    if name.len() > 80 || name.to_ascii_lowercase().starts_with("system") {
        return format!("ERROR: invalid checkpoint name {name}\n");
    }
    if state.checkpoints.iter().any(|c| c.name == name) {
        return format!("ERROR: checkpoint {name} already exists\n");
    }
    if state.checkpoints.len() >= MAX_CHECKPOINTS {
        return format!("ERROR: no more than {MAX_CHECKPOINTS} checkpoints\n");
    }
    let running = state.running.clone();
    state.checkpoints.push(Checkpoint {
        name: name.to_string(),
        at,
        user,
        running,
    });
    ".Done\n".to_string()
}

/// `no checkpoint NAME`: no output is shown in any source; the lab prints none.
pub fn delete_checkpoint(device: &Arc<Device>, name: &str) -> String {
    let mut state = lock(&device.state);
    let before = state.checkpoints.len();
    state.checkpoints.retain(|c| c.name != name);
    if state.checkpoints.len() == before {
        return format!("ERROR: no checkpoint {name}\n");
    }
    String::new()
}

/// `clear checkpoint database`: every checkpoint goes.
pub fn clear_checkpoints(device: &Arc<Device>) -> String {
    lock(&device.state).checkpoints.clear();
    String::new()
}

/// `rollback running-config checkpoint NAME`: the running config becomes the checkpoint's,
/// with the progress lines of the N9K 10.2(2) transcript.
pub fn rollback(device: &Arc<Device>, name: &str) -> String {
    let mut state = lock(&device.state);
    let Some(checkpoint) = state.checkpoints.iter().find(|c| c.name == name) else {
        return format!("ERROR: no checkpoint {name}\n");
    };
    state.running = checkpoint.running.clone();
    drop(state);
    device.touch();
    "ADVISORY: Rollback operation started...\n\
Modifying running configuration from another VSH terminal in parallel\n\
is not recommended, as this may lead to Rollback failure.\n\
\n\
Collecting Running-Config\n\
Generating Rollback patch for switch profile\n\
Rollback Patch is Empty\n\
Collecting Running-Config\n\
Generating Rollback Patch\n\
Executing Rollback Patch\n\
During CR operation,will retain L3 configuration\n\
when vrf member change on interface\n\
Generating Running-config for verification\n\
Generating Rollback Patch\n\
\n\
Rollback completed successfully.\n\
\n"
    .to_string()
}

fn user(device: &Device) -> String {
    device
        .options
        .username
        .clone()
        .unwrap_or_else(|| "admin".into())
}

fn lock(state: &std::sync::Mutex<DeviceState>) -> std::sync::MutexGuard<'_, DeviceState> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_pad_the_day_with_dashes() {
        // 2022-05-04 13:16:19.360 UTC
        let at = crate::time::to_epoch(2022, 5, 4, 13, 16, 19) + 0.360;
        assert_eq!(
            archive_name("bootflash:/Backup/backup", at, 0),
            "bootflash:/Backup/backup-May--4-13-16-19.360-0"
        );
    }
}
