//! The faults a lab device can be told to show: from the inventory's `lab.faults` block
//! at start (`spec.rs`) or at run time through the admin API
//! (`backend/devices.rs`), with the same field names.

use serde::{Deserialize, Serialize};

use crate::schema::nearest;

/// Faults a lab device can be told to show (issue 3's list), from the inventory's
/// `lab.faults` block at start, or at run time through the admin API
/// (`PUT /admin/devices/{name}/faults`, the same field names in JSON; fields left out are
/// no fault, unknown fields are refused).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Every login fails, whatever the credentials (new connections).
    pub auth_failure: bool,
    /// Milliseconds before every reply to a command, shell or `exec`.
    pub latency_ms: u64,
    /// The connection drops when command N+1 is entered (new connections).
    pub drop_after: Option<usize>,
    /// Commands after which the device never answers.
    pub hang_on: Vec<String>,
    /// Commands this release does not know (`% Invalid input`).
    pub invalid: Vec<String>,
    /// Only legacy SSH algorithms (new connections).
    pub legacy_ssh: bool,
    /// A different host key than the one known_hosts holds (new connections).
    pub changed_host_key: bool,
    /// Only keyboard-interactive login, no `password` method, as TACACS+/RADIUS-backed
    /// devices often offer (new connections).
    pub keyboard_interactive_only: bool,
}

/// The bounds of `latency_ms` and `drop_after`, the same in the inventory and the admin API.
pub const MAX_LATENCY_MS: u64 = 600_000;
pub const MAX_DROP_AFTER: usize = 1_000_000;

impl Faults {
    /// What is wrong with these faults, as `field: problem` (empty when they are right).
    /// The admin API checks what it is sent with this; the inventory checks the same
    /// bounds with file and line.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.latency_ms > MAX_LATENCY_MS {
            problems.push(format!(
                "latency_ms: {} is more than {MAX_LATENCY_MS}",
                self.latency_ms
            ));
        }
        if let Some(n) = self.drop_after
            && !(1..=MAX_DROP_AFTER).contains(&n)
        {
            problems.push(format!(
                "drop_after: {n} is not between 1 and {MAX_DROP_AFTER}"
            ));
        }
        for (field, list) in [("hang_on", &self.hang_on), ("invalid", &self.invalid)] {
            for (i, command) in list.iter().enumerate() {
                if command.split_whitespace().next().is_none() {
                    problems.push(format!("{field}[{i}]: an empty command"));
                } else if command.chars().any(char::is_control) {
                    problems.push(format!("{field}[{i}]: control characters"));
                }
            }
        }
        problems
    }

    /// Sets one field from `key=value` text (`smartlic lab fault`): booleans `true`/`false`,
    /// numbers, `drop_after=none`; a list field takes one command per `key=value`, added
    /// to what earlier pairs of the same call gave, and `key=` empties it.
    pub fn set(&mut self, key: &str, value: &str, fresh_list: bool) -> Result<(), String> {
        let flag = |value: &str| match value {
            "true" | "yes" | "on" => Ok(true),
            "false" | "no" | "off" => Ok(false),
            _ => Err(format!("{key}: expected true or false, not `{value}`")),
        };
        let number = |value: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{key}: expected a number, not `{value}`"))
        };
        let list = |list: &mut Vec<String>| {
            if fresh_list {
                list.clear();
            }
            if !value.trim().is_empty() {
                list.push(value.trim().to_string());
            }
        };
        match key {
            "auth_failure" => self.auth_failure = flag(value)?,
            "legacy_ssh" => self.legacy_ssh = flag(value)?,
            "changed_host_key" => self.changed_host_key = flag(value)?,
            "keyboard_interactive_only" => self.keyboard_interactive_only = flag(value)?,
            "latency_ms" => self.latency_ms = number(value)?,
            "drop_after" => {
                self.drop_after = match value {
                    "" | "none" | "null" => None,
                    n => Some(number(n)? as usize),
                }
            }
            "hang_on" => list(&mut self.hang_on),
            "invalid" => list(&mut self.invalid),
            _ => {
                let hint = nearest(key, FAULT_KEYS)
                    .map(|b| format!(" (did you mean `{b}`?)"))
                    .unwrap_or_default();
                return Err(format!(
                    "unknown fault `{key}`{hint}; known: {}",
                    FAULT_KEYS.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// The fields of `lab.faults` (and of the admin API's device faults).
pub const FAULT_KEYS: &[&str] = &[
    "auth_failure",
    "latency_ms",
    "drop_after",
    "hang_on",
    "invalid",
    "legacy_ssh",
    "changed_host_key",
    "keyboard_interactive_only",
];
