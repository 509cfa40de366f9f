//! Device personalities: everything that differs between the simulated platforms and
//! releases, as data — prompts, modes and their prompts, which commands exist in which
//! mode, how an accepted config line changes the running config, banners, paging, the
//! running-config layout and the factory configuration. Each fact is cited in the
//! personality's file (`ios_xe`, `nx_os`, `apic`).
//!
//! The engine that reads this data is `lab::cli`; nothing here executes anything.

pub mod apic;
pub mod ios_xe;
pub mod nx_os;

use crate::device::Identity;
use crate::release::{LicensingModel, Platform};

/// One platform/release family as the lab simulates it.
#[derive(Debug)]
pub struct Personality {
    /// `ios-xe-classic`, `ios-xe-policy`, `nx-os-classic`, `nx-os-policy`, `apic`.
    pub key: &'static str,
    pub platform: Platform,
    pub model: LicensingModel,
    /// Error texts and prompt spacing.
    pub style: Style,
    /// The session starts in privileged exec (NX-OS, APIC) rather than user exec.
    pub starts_privileged: bool,
    /// Printed after `configure terminal`.
    pub config_banner: &'static str,
    /// Exec commands, in groups (shared ones first, then the model's own).
    pub exec: &'static [&'static [ExecRule]],
    /// Config modes; the first is global configuration.
    pub modes: &'static [Mode],
    /// First keywords of exec commands the real CLI has but the lab does not implement:
    /// they make abbreviations ambiguous exactly where the device finds them ambiguous.
    pub other_exec_keywords: &'static [&'static str],
    /// The same for global configuration mode.
    pub other_config_keywords: &'static [&'static str],
    /// `?` help descriptions: `"show clock"` (a keyword after the keyword before it) or
    /// `"clock"` (a first keyword, or an output filter after `|`). A keyword without an
    /// entry is listed with an empty description.
    pub help: &'static [(&'static str, &'static str)],
    /// Typed spellings the running config prints differently (`ip domain-lookup` →
    /// `ip domain lookup`).
    pub renames: &'static [(&'static str, &'static str)],
    /// Settings on by default and not printed; typing them removes a printed `no` form,
    /// negating them prints the `no` form. `show running-config all` prints them.
    pub hidden_defaults: &'static [HiddenDefault],
    /// The configuration of a device fresh from the factory; `{hostname}` is replaced.
    pub factory_config: &'static str,
    /// Printed when a session opens, before the first prompt.
    pub banner: &'static str,
    /// Lines per screen until `terminal length 0`.
    pub terminal_length: usize,
    pub pager: Pager,
    pub layout: Layout,
}

/// How errors and prompts look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `host#` (no space), `% Invalid input detected at '^' marker.`,
    /// `% Incomplete command.`, `% Ambiguous command:  "…"`.
    Ios,
    /// `host# ` (with a space), `% Invalid command at '^' marker.`,
    /// `% Incomplete command at '^' marker.`, `% Ambiguous command at '^' marker.`.
    NxOs,
}

/// How `show running-config` is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `Building configuration...`, `Current configuration : N bytes`, `!` separators,
    /// one space per level, `end`.
    IosXe,
    /// `!Command:`, `!Running configuration last done at:`, `!Time:`, `version … Bios:…`,
    /// two spaces per level.
    NxOs,
    /// `# Command:`, `# Time:`, every line indented two spaces.
    Apic,
}

/// The `--More--` prompt and what erases it when a key is pressed.
#[derive(Clone, Copy, Debug)]
pub struct Pager {
    pub prompt: &'static str,
    pub erase: &'static str,
}

/// A config mode: its prompt suffix and grammar.
#[derive(Debug)]
pub struct Mode {
    pub id: &'static str,
    /// What goes between the hostname and `#`: `(config)`, `(cfg-call-home)`.
    pub prompt: &'static str,
    /// The mode `exit` returns to; `None` for global configuration (back to exec).
    pub parent: Option<&'static str>,
    /// Config lines, in groups (shared ones first, then the model's own).
    pub rules: &'static [&'static [ConfigRule]],
}

/// An exec command: its pattern, what it does, and whether user exec (`>`) has it.
#[derive(Debug)]
pub struct ExecRule {
    pub pattern: &'static str,
    pub action: Exec,
    pub user: bool,
}

/// A config-mode command.
#[derive(Debug)]
pub struct ConfigRule {
    pub pattern: &'static str,
    pub action: Config,
}

/// What an exec command does. The engine implements each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exec {
    Enable,
    Disable,
    ConfigureTerminal,
    /// Leave the session (`exit`, `logout`, `quit`).
    Logout,
    ShowRunning,
    /// `show running-config all`: the running config with its hidden defaults.
    ShowRunningAll,
    /// `show running-config <section>` (NX-OS `callhome`): the block named by the last word.
    ShowRunningSection,
    ShowStartup,
    ShowVersion,
    ShowClock,
    /// IOS `clock set hh:mm:ss day month year` (docs/troubleshooting.md CAT-3).
    ClockSet,
    ShowCallHome,
    ShowCallHomeProfileAll,
    ShowTrustpoints,
    ShowLogging,
    /// `show hosts`: the default domain, name servers and `ip host` table of the running
    /// config.
    ShowHosts,
    /// IOS `show ip interface brief`.
    ShowIpInterfaceBrief,
    /// IOS `show privilege`: the session's privilege level.
    ShowPrivilege,
    /// NX-OS `show hostname`.
    ShowHostname,
    /// IOS `show history`: the session's exec command history.
    ShowHistory,
    /// NX-OS `show interface status`.
    ShowInterfaceStatus,
    /// `show inventory` (NX-OS also `| json`).
    ShowInventory,
    /// NX-OS `[no] terminal dont-ask`: no confirmation questions in this session.
    TerminalDontAsk,
    /// `dir [FILESYSTEM:[FILE]]`: IOS-XE `flash:`, NX-OS `bootflash:`.
    Dir,
    /// `show license …`: handed to the licensing agent with the words after `license`.
    ShowLicense,
    TerminalLength,
    TerminalWidth,
    /// NX-OS `terminal session-timeout MINUTES` (0: never): accepted; a lab session has
    /// no idle timeout to change.
    TerminalSessionTimeout,
    WriteMemory,
    /// `copy running-config startup-config` (IOS-XE asks for the destination name).
    CopyRunStart,
    Reload,
    /// `license smart register idtoken T [force]`.
    Register,
    /// `license smart trust idtoken T [local|all] [force]`.
    Trust,
    Deregister,
    RenewId,
    RenewAuth,
    Sync,
    /// IOS-XE `configure terminal revert timer [idle] N`: config mode with a Rollback
    /// Confirmed Change timer (the config archive must be configured).
    ConfigureRevertTimer,
    /// IOS-XE `configure confirm`: keep the changes, stop the revert timer.
    ConfigureConfirm,
    /// NX-OS `checkpoint NAME`.
    Checkpoint,
    /// NX-OS `no checkpoint NAME`.
    CheckpointDelete,
    /// NX-OS `clear checkpoint database`.
    CheckpointClear,
    /// NX-OS `rollback running-config checkpoint NAME [atomic|…]`.
    Rollback,
    /// `ping HOST …` through the lab network (`lab::cli::probe`).
    Ping,
    /// `telnet HOST [PORT] …` through the lab network (`lab::cli::probe`).
    Telnet,
}

/// What a config-mode command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Config {
    /// Change the running config at the current block.
    Store(Effect),
    /// Open (create if missing) the block this line heads and enter a mode.
    Enter(&'static str),
    Exit,
    End,
    /// IOS `do <exec command>`.
    Do,
    /// An exec command that this platform accepts in config mode too (NX-OS, APIC).
    Exec(Exec),
    /// `crypto pki authenticate NAME` ([CAT-TS]).
    PkiAuthenticate,
}

/// How an accepted line changes the block it is typed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The line is present or not; its `no` form removes it.
    Flag,
    /// The device prints the `no` form (`no active`, `no destination transport-method
    /// email`): the line and its `no` form replace each other.
    NoShown,
    /// A setting with one value: a line sharing its first `n` words is replaced; the
    /// `no` form removes it.
    Set(usize),
    /// IOS-XE `ip name-server [vrf V] A B …`: the servers of one VRF are one line,
    /// new ones are appended and `no … A` removes one.
    NameServers,
    /// NX-OS `destination-profile P http URL` adds `destination-profile P index N http
    /// URL` with the next free index; the `no` form takes either spelling.
    NxDestination,
    /// IOS `exec-timeout MINUTES [SECONDS]`: one setting, printed with both numbers
    /// (`exec-timeout 0` is stored as `exec-timeout 0 0`); the `no` form removes it.
    ExecTimeout,
}

/// A default the device does not print.
#[derive(Debug)]
pub struct HiddenDefault {
    /// Headers of the enclosing blocks, outermost first, as stored (empty: global).
    pub scope: &'static [&'static str],
    pub line: &'static str,
    /// Word prefixes of lines that, present in the same block, mean the default is off.
    pub overridden_by: &'static [&'static str],
}

/// The personality of a device: platform, then licensing model.
pub fn for_identity(identity: &Identity) -> &'static Personality {
    match (identity.platform, identity.model) {
        (Platform::IosXe, LicensingModel::Classic) => &ios_xe::CLASSIC,
        (Platform::IosXe, LicensingModel::Policy) => &ios_xe::POLICY,
        (Platform::NxOs, LicensingModel::Classic) => &nx_os::CLASSIC,
        (Platform::NxOs, LicensingModel::Policy) => &nx_os::POLICY,
        (Platform::Apic, _) => &apic::APIC,
    }
}

impl Personality {
    pub fn mode(&self, id: &str) -> Option<&Mode> {
        self.modes.iter().find(|m| m.id == id)
    }

    pub fn exec_rules(&self) -> impl Iterator<Item = &ExecRule> {
        self.exec.iter().flat_map(|group| group.iter())
    }

    /// The `?` description of `keyword` after `before` (see `help`).
    pub fn describe(&self, before: Option<&str>, keyword: &str) -> &'static str {
        let key = match before {
            Some(b) => format!("{b} {keyword}"),
            None => keyword.to_string(),
        };
        self.help
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, d)| d)
    }
}

impl Mode {
    pub fn config_rules(&self) -> impl Iterator<Item = &ConfigRule> {
        self.rules.iter().flat_map(|group| group.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> [&'static Personality; 5] {
        [
            &ios_xe::CLASSIC,
            &ios_xe::POLICY,
            &nx_os::CLASSIC,
            &nx_os::POLICY,
            &apic::APIC,
        ]
    }

    #[test]
    fn every_mode_reference_exists() {
        for p in all() {
            for mode in p.modes {
                if let Some(parent) = mode.parent {
                    assert!(p.mode(parent).is_some(), "{}: {parent}", p.key);
                }
                for rule in mode.rules.iter().flat_map(|g| g.iter()) {
                    if let Config::Enter(target) = rule.action {
                        assert!(p.mode(target).is_some(), "{}: {target}", p.key);
                    }
                }
            }
        }
    }

    #[test]
    fn keys_are_unique_and_match_platform_and_model() {
        let keys: std::collections::HashSet<_> = all().iter().map(|p| p.key).collect();
        assert_eq!(keys.len(), 5);
        for p in all() {
            assert!(p.key.starts_with(p.platform.name()), "{}", p.key);
        }
    }
}
