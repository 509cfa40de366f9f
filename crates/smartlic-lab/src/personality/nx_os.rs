//! NX-OS: classic Smart Licensing (9.3(3) – 10.1(2)) and Smart Licensing Using Policy
//! (10.2(1)F+).
//!
//! Sources (cited per fact below):
//! - [NX-TS] (the callhome block, its `(config-callhome)#` prompt, the add form
//!   `destination-profile CiscoTAC-1 http URL` shown as `… index 1 http URL`, the exec commands);
//! - [RTR-CMD] [NX-TSFAQ] (`license smart trust idtoken T [force]`, no `local|all` on NX-OS);
//! - docs/platform-notes.md (global lines and the SLP commands, marked assumed there);
//! - genieparser NX-OS `show version` fixtures (the login/copyright text);
//! - public transcripts: `% Invalid command at '^' marker.`, `% Incomplete command at
//!   '^' marker.` with the caret at the end of the line (N9K `wr`), `% Ambiguous
//!   command at '^' marker.` (unicon NX-OS error patterns), `Enter configuration
//!   commands, one per line. End with CNTL/Z.` (one space), the `switch# ` prompt with
//!   a trailing space, and the reverse-video `--More--` (scrapligo NX-OS pager tests).

use super::{
    Config, ConfigRule, Effect, Exec, ExecRule, HiddenDefault, Layout, Mode, Pager, Personality,
    Style,
};
use crate::release::{LicensingModel, Platform};

/// `?` descriptions (see `Personality::help`): the lab's own short wording, not verified
/// against a real NX-OS `?` listing (none was found in the public sources searched).
const NX_HELP: &[(&str, &str)] = &[
    ("checkpoint", "Create a checkpoint"),
    ("clear", "Reset functions"),
    ("configure", "Enter configuration mode"),
    ("copy", "Copy from one file to another"),
    ("dir", "List files in a directory"),
    ("exit", "Exit from the EXEC"),
    ("license", "Smart licensing commands"),
    ("ping", "Test network reachability"),
    ("reload", "Reboot the entire box"),
    ("rollback", "Rollback configuration"),
    ("show", "Show running system information"),
    ("telnet", "Telnet to another system"),
    ("terminal", "Set terminal line parameters"),
    ("show clock", "Display current date"),
    ("show running-config", "Current operating configuration"),
    ("show startup-config", "Contents of startup configuration"),
    ("show version", "Show the software and hardware version"),
    ("include", "Include lines that match"),
    ("exclude", "Exclude lines that match"),
    ("grep", "Matching lines"),
    ("json", "Output in JSON format"),
];

const CONFIG_BANNER: &str = "Enter configuration commands, one per line. End with CNTL/Z.";

/// `ESC[7m--More--ESC[m` (scrapligo NX-OS pager fixtures). What erases it is not
/// verified: a carriage return and erase-line are used.
const PAGER: Pager = Pager {
    prompt: "\x1b[7m--More--\x1b[m",
    erase: "\r\x1b[K",
};

/// The text NX-OS prints at login, as at the head of `show version` (genieparser
/// `nxos/tests/ShowVersion/cli/equal/golden_output_2_output.txt`, lines 1–19).
pub const COPYRIGHT: &str = "\
Cisco Nexus Operating System (NX-OS) Software
TAC support: http://www.cisco.com/tac
Copyright (C) 2002-2022, Cisco and/or its affiliates.
All rights reserved.
The copyrights to certain works contained in this software are
owned by other third parties and used and distributed under their own
licenses, such as open source.  This software is provided \"as is,\" and unless
otherwise stated, there is no warranty, express or implied, including but not
limited to warranties of merchantability and fitness for a particular purpose.
Certain components of this software are licensed under
the GNU General Public License (GPL) version 2.0 or 
GNU General Public License (GPL) version 3.0  or the GNU
Lesser General Public License (LGPL) Version 2.1 or 
Lesser General Public License (LGPL) Version 2.0. 
A copy of each such license is available at
http://www.opensource.org/licenses/gpl-2.0.php and
http://opensource.org/licenses/gpl-3.0.html and
http://www.opensource.org/licenses/lgpl-2.1.php and
http://www.gnu.org/licenses/old-licenses/library.txt.
";

/// Show and save commands; NX-OS runs them in config mode too, without `do`.
const SHOW_EXEC: &[ExecRule] = &[
    ExecRule {
        pattern: "show running-config",
        action: Exec::ShowRunning,
        user: true,
    },
    ExecRule {
        pattern: "show running-config all",
        action: Exec::ShowRunningAll,
        user: true,
    },
    // [NX-TS] `show run callhome`.
    ExecRule {
        pattern: "show running-config callhome",
        action: Exec::ShowRunningSection,
        user: true,
    },
    ExecRule {
        pattern: "show startup-config",
        action: Exec::ShowStartup,
        user: true,
    },
    ExecRule {
        pattern: "show version",
        action: Exec::ShowVersion,
        user: true,
    },
    ExecRule {
        pattern: "show clock",
        action: Exec::ShowClock,
        user: true,
    },
    ExecRule {
        pattern: "show logging [logfile]",
        action: Exec::ShowLogging,
        user: true,
    },
    // [CAT-TS] [NX-TS] [ACI-SL] (NX-OS verify: `show license status`); [N3550-MIG] [NX-ART] (`summary`, `usage`, `all`).
    ExecRule {
        pattern: "show license {status|summary|all|udi|usage}",
        action: Exec::ShowLicense,
        user: true,
    },
    ExecRule {
        pattern: "copy running-config startup-config",
        action: Exec::CopyRunStart,
        user: true,
    },
    // NAPALM's `nxos_ssh` get_facts reads these four (napalm/nxos_ssh/nxos_ssh.py; the
    // output shapes come from its real-capture fixtures, cited in `lab::cli::show`).
    ExecRule {
        pattern: "show hosts",
        action: Exec::ShowHosts,
        user: true,
    },
    ExecRule {
        pattern: "show hostname",
        action: Exec::ShowHostname,
        user: true,
    },
    ExecRule {
        pattern: "show interface status",
        action: Exec::ShowInterfaceStatus,
        user: true,
    },
    ExecRule {
        pattern: "show inventory",
        action: Exec::ShowInventory,
        user: true,
    },
    // `dir [bootflash:[FILE]]` (netmiko's NX-OS file transfer reads it; layout:
    // `lab::cli::show::dir`).
    ExecRule {
        pattern: "dir [<word>]",
        action: Exec::Dir,
        user: true,
    },
];

/// docs/troubleshooting.md NX-1 evidence: `ping tools.cisco.com vrf management`, `telnet
/// tools.cisco.com 443 vrf management`, typed at `(config)#` (so they are config-mode
/// lines too, below). `count N` and `source-interface IF` are NX-OS ping options (the
/// cisco.nxos `nxos_ping` module sends `ping DEST count N [source S] [vrf V]`); the
/// telnet client takes `[port] [vrf NAME]` only (NX-OS command reference). Outputs and
/// their sources: `lab::cli::probe`.
const PROBE_EXEC: &[ExecRule] = &[
    ExecRule {
        pattern: "ping <word> [count <num>] [vrf <word>] [source-interface <word>]",
        action: Exec::Ping,
        user: true,
    },
    ExecRule {
        pattern: "ping <word> [count <num>] [source-interface <word>] [vrf <word>]",
        action: Exec::Ping,
        user: true,
    },
    ExecRule {
        pattern: "telnet <word> [<num>] [vrf <word>]",
        action: Exec::Telnet,
        user: true,
    },
];

const COMMON_EXEC: &[ExecRule] = &[
    // Checkpoint and rollback (docs/platform-notes.md "Safety net": the NX-OS system
    // management guides, "Configuring Rollback").
    ExecRule {
        pattern: "checkpoint <word>",
        action: Exec::Checkpoint,
        user: true,
    },
    ExecRule {
        pattern: "no checkpoint <word>",
        action: Exec::CheckpointDelete,
        user: true,
    },
    ExecRule {
        pattern: "clear checkpoint database",
        action: Exec::CheckpointClear,
        user: true,
    },
    ExecRule {
        pattern: "rollback running-config checkpoint <word> [{atomic|best-effort|stop-at-first-failure|verbose}]",
        action: Exec::Rollback,
        user: true,
    },
    ExecRule {
        pattern: "configure [terminal]",
        action: Exec::ConfigureTerminal,
        user: true,
    },
    ExecRule {
        pattern: "{exit|logout}",
        action: Exec::Logout,
        user: true,
    },
    ExecRule {
        pattern: "terminal length <num>",
        action: Exec::TerminalLength,
        user: true,
    },
    ExecRule {
        pattern: "terminal width <num>",
        action: Exec::TerminalWidth,
        user: true,
    },
    // pyATS/unicon's NX-OS plugin sends it on every connect (unicon.plugins 26.9
    // `nxos/setting.py` HA_INIT_EXEC_COMMANDS: `term length 0`, `term width 511`,
    // `terminal session-timeout 0`); NX-OS fundamentals command reference: `terminal
    // session-timeout MINUTES`, 0 to 525600, 0 disabling the timeout.
    ExecRule {
        pattern: "terminal session-timeout <num>",
        action: Exec::TerminalSessionTimeout,
        user: true,
    },
    // NAPALM's `nxos`/`nxos_ssh` wrap config replace and rollback in `terminal dont-ask` /
    // `no terminal dont-ask` (napalm/nxos_ssh/nxos_ssh.py).
    ExecRule {
        pattern: "terminal dont-ask",
        action: Exec::TerminalDontAsk,
        user: true,
    },
    ExecRule {
        pattern: "no terminal dont-ask",
        action: Exec::TerminalDontAsk,
        user: true,
    },
    ExecRule {
        pattern: "reload",
        action: Exec::Reload,
        user: true,
    },
];

/// [NX-TS]: `license smart register idtoken XXXX (force)`. Deregister and
/// renew are ⟨GAP⟩ in [NX-TS]; accepted with the ACI keywords.
const CLASSIC_EXEC: &[ExecRule] = &[
    ExecRule {
        pattern: "license smart register idtoken <word> [force]",
        action: Exec::Register,
        user: true,
    },
    ExecRule {
        pattern: "license smart deregister",
        action: Exec::Deregister,
        user: true,
    },
    ExecRule {
        pattern: "license smart renew id",
        action: Exec::RenewId,
        user: true,
    },
    ExecRule {
        pattern: "license smart renew auth",
        action: Exec::RenewAuth,
        user: true,
    },
];

/// [RTR-CMD] [NX-TSFAQ]: `license smart trust idtoken id_token_value [ force ]`, privileged EXEC.
/// `sync` is not verified on NX-OS (accepted as on IOS-XE).
const POLICY_EXEC: &[ExecRule] = &[
    ExecRule {
        pattern: "license smart trust idtoken <word> [force]",
        action: Exec::Trust,
        user: true,
    },
    ExecRule {
        pattern: "license smart sync {all|local}",
        action: Exec::Sync,
        user: true,
    },
];

/// Exec keywords of NX-OS the lab does not implement (NX-OS exec `?`; not a verified
/// complete list).
const OTHER_EXEC: &[&str] = &[
    "attach",
    "callhome",
    "cd",
    "clear",
    "cli",
    "clock",
    "debug",
    "delete",
    "echo",
    "install",
    "load",
    "mkdir",
    "move",
    "rmdir",
    "run-script",
    "send",
    "setup",
    "sleep",
    "ssh",
    "system",
    "tac-pac",
    "tail",
    "test",
    "traceroute",
    "where",
];

const OTHER_CONFIG: &[&str] = &[
    "class-map",
    "feature",
    "interface",
    "username",
    "vlan",
    "vrf",
];

/// The show commands again, as config-mode lines.
const CONFIG_SHOWS: &[ConfigRule] = &[
    ConfigRule {
        pattern: "show running-config",
        action: Config::Exec(Exec::ShowRunning),
    },
    ConfigRule {
        pattern: "show running-config all",
        action: Config::Exec(Exec::ShowRunningAll),
    },
    ConfigRule {
        pattern: "show running-config callhome",
        action: Config::Exec(Exec::ShowRunningSection),
    },
    ConfigRule {
        pattern: "show version",
        action: Config::Exec(Exec::ShowVersion),
    },
    ConfigRule {
        pattern: "show clock",
        action: Config::Exec(Exec::ShowClock),
    },
    ConfigRule {
        pattern: "show license {status|summary|all|udi|usage}",
        action: Config::Exec(Exec::ShowLicense),
    },
    ConfigRule {
        pattern: "copy running-config startup-config",
        action: Config::Exec(Exec::CopyRunStart),
    },
    ConfigRule {
        pattern: "show hosts",
        action: Config::Exec(Exec::ShowHosts),
    },
    ConfigRule {
        pattern: "show hostname",
        action: Config::Exec(Exec::ShowHostname),
    },
    ConfigRule {
        pattern: "show interface status",
        action: Config::Exec(Exec::ShowInterfaceStatus),
    },
    ConfigRule {
        pattern: "show inventory",
        action: Config::Exec(Exec::ShowInventory),
    },
    ConfigRule {
        pattern: "dir [<word>]",
        action: Config::Exec(Exec::Dir),
    },
    ConfigRule {
        pattern: "ping <word> [count <num>] [vrf <word>] [source-interface <word>]",
        action: Config::Exec(Exec::Ping),
    },
    ConfigRule {
        pattern: "ping <word> [count <num>] [source-interface <word>] [vrf <word>]",
        action: Config::Exec(Exec::Ping),
    },
    ConfigRule {
        pattern: "telnet <word> [<num>] [vrf <word>]",
        action: Config::Exec(Exec::Telnet),
    },
    // A public N9K 10.2(2) transcript runs both at `(config)#` (docs/platform-notes.md).
    ConfigRule {
        pattern: "checkpoint <word>",
        action: Config::Exec(Exec::Checkpoint),
    },
    ConfigRule {
        pattern: "rollback running-config checkpoint <word> [{atomic|best-effort|stop-at-first-failure|verbose}]",
        action: Config::Exec(Exec::Rollback),
    },
    ConfigRule {
        pattern: "end",
        action: Config::End,
    },
    ConfigRule {
        pattern: "exit",
        action: Config::Exit,
    },
];

/// Global configuration (docs/platform-notes.md NX-OS rows).
const GLOBAL: &[ConfigRule] = &[
    ConfigRule {
        pattern: "hostname <word>",
        action: Config::Store(Effect::Set(1)),
    },
    // [NX-TS].
    ConfigRule {
        pattern: "callhome",
        action: Config::Enter("callhome"),
    },
    ConfigRule {
        pattern: "ip domain-lookup",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "ip domain-name <word> [use-vrf <word>]",
        action: Config::Store(Effect::Set(2)),
    },
    ConfigRule {
        pattern: "ip name-server <line>",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "ip host <word> <line>",
        action: Config::Store(Effect::Set(3)),
    },
    ConfigRule {
        pattern: "ip http source-interface <word> [vrf <word>]",
        action: Config::Store(Effect::Set(3)),
    },
    ConfigRule {
        pattern: "ntp server <word> [prefer] [use-vrf <word>]",
        action: Config::Store(Effect::Flag),
    },
    // pyATS/unicon's NX-OS plugin sends `no logging console`, `line console`,
    // `exec-timeout 0`, `line vty`, `exec-timeout 0`, `terminal width 511` on every
    // connect (unicon.plugins 26.9 `nxos/setting.py` HA_INIT_CONFIG_COMMANDS). Real
    // sessions, from unicon's own documentation (index ids 888738315, 587553085):
    // `nx-osv-1(config)# no logging console`, `(config)# line console` →
    // `(config-console)# exec-timeout 0` → `(config-console)# terminal width 511` →
    // `end`; `line vty` opens `(config-line)#` (a DISA NX-OS STIG fix text, index id
    // 25142440432). Configs print `line console` / `  exec-timeout 0` / `line vty` /
    // `  exec-timeout 0`, and console logging (on by default) only as `no logging
    // console` (public N9K configs, index ids 41616274360, 246657213).
    ConfigRule {
        pattern: "logging console",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "logging console <num>",
        action: Config::Store(Effect::Set(2)),
    },
    ConfigRule {
        pattern: "line console",
        action: Config::Enter("console"),
    },
    ConfigRule {
        pattern: "line vty",
        action: Config::Enter("line"),
    },
];

/// `(config-console)#` lines (NX-OS: `exec-timeout MINUTES`, printed as typed; `speed`).
const CONSOLE: &[ConfigRule] = &[
    ConfigRule {
        pattern: "exec-timeout <num>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "speed <num>",
        action: Config::Store(Effect::Set(1)),
    },
];

/// `(config-line)#` lines under `line vty` (NX-OS: `exec-timeout MINUTES`,
/// `session-limit N`).
const VTY: &[ConfigRule] = &[
    ConfigRule {
        pattern: "exec-timeout <num>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "session-limit <num>",
        action: Config::Store(Effect::Set(1)),
    },
];

/// docs/platform-notes.md "NX-OS, Smart Licensing Using Policy" (assumed CLI text).
const POLICY_GLOBAL: &[ConfigRule] = &[
    ConfigRule {
        pattern: "license smart transport {callhome|cslu|off|smart}",
        action: Config::Store(Effect::Set(3)),
    },
    ConfigRule {
        pattern: "license smart url cslu <word>",
        action: Config::Store(Effect::Set(4)),
    },
];

/// `(config-callhome)#` lines: [NX-TS] (meaning of each line), the docs/troubleshooting.md NX-1 sample
/// (`phone-contact`, `streetaddress`), docs/platform-notes.md (proxy lines).
const CALLHOME: &[ConfigRule] = &[
    ConfigRule {
        pattern: "email-contact <word>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "phone-contact <word>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "streetaddress <line>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "destination-profile <word> transport-method {http|email}",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "destination-profile <word> http <word>",
        action: Config::Store(Effect::NxDestination),
    },
    ConfigRule {
        pattern: "destination-profile <word> index <num> http <word>",
        action: Config::Store(Effect::NxDestination),
    },
    ConfigRule {
        pattern: "destination-profile <word> email-addr <word>",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "transport http use-vrf <word>",
        action: Config::Store(Effect::Set(3)),
    },
    ConfigRule {
        pattern: "transport http proxy server <word> [port <num>]",
        action: Config::Store(Effect::Set(4)),
    },
    ConfigRule {
        pattern: "transport http proxy enable",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "enable",
        action: Config::Store(Effect::Flag),
    },
];

const CLASSIC_MODES: &[Mode] = &[
    Mode {
        id: "config",
        prompt: "(config)",
        parent: None,
        rules: &[GLOBAL, CONFIG_SHOWS],
    },
    Mode {
        id: "callhome",
        prompt: "(config-callhome)",
        parent: Some("config"),
        rules: &[CALLHOME, CONFIG_SHOWS],
    },
    Mode {
        id: "console",
        prompt: "(config-console)",
        parent: Some("config"),
        rules: &[CONSOLE, CONFIG_SHOWS],
    },
    Mode {
        id: "line",
        prompt: "(config-line)",
        parent: Some("config"),
        rules: &[VTY, CONFIG_SHOWS],
    },
];

const POLICY_MODES: &[Mode] = &[
    Mode {
        id: "config",
        prompt: "(config)",
        parent: None,
        rules: &[GLOBAL, POLICY_GLOBAL, CONFIG_SHOWS],
    },
    Mode {
        id: "callhome",
        prompt: "(config-callhome)",
        parent: Some("config"),
        rules: &[CALLHOME, CONFIG_SHOWS],
    },
    Mode {
        id: "console",
        prompt: "(config-console)",
        parent: Some("config"),
        rules: &[CONSOLE, CONFIG_SHOWS],
    },
    Mode {
        id: "line",
        prompt: "(config-line)",
        parent: Some("config"),
        rules: &[VTY, CONFIG_SHOWS],
    },
];

/// `no ip domain-lookup` is what a config prints (docs/platform-notes.md, index id
/// 4032232639): lookup is on by default and not printed.
const HIDDEN_DEFAULTS: &[HiddenDefault] = &[
    HiddenDefault {
        scope: &[],
        line: "ip domain-lookup",
        overridden_by: &["no ip domain-lookup"],
    },
    // See `logging console` in GLOBAL.
    HiddenDefault {
        scope: &[],
        line: "logging console",
        overridden_by: &["no logging console"],
    },
];

/// A factory NX-OS device prints no callhome block in `show running-config` (the
/// defaults show only as `!#` lines in a checkpoint, corpus napalm-derived-1).
const FACTORY: &str = "hostname {hostname}\n";

pub static CLASSIC: Personality = Personality {
    key: "nx-os-classic",
    platform: Platform::NxOs,
    model: LicensingModel::Classic,
    style: Style::NxOs,
    // The admin user lands at `switch#` ([NX-TS]: every sample starts at `switch#`).
    starts_privileged: true,
    config_banner: CONFIG_BANNER,
    exec: &[SHOW_EXEC, PROBE_EXEC, COMMON_EXEC, CLASSIC_EXEC],
    modes: CLASSIC_MODES,
    other_exec_keywords: OTHER_EXEC,
    other_config_keywords: OTHER_CONFIG,
    help: NX_HELP,
    renames: &[],
    hidden_defaults: HIDDEN_DEFAULTS,
    factory_config: FACTORY,
    banner: COPYRIGHT,
    // Not verified for NX-OS vty sessions; the IOS value is used.
    terminal_length: 24,
    pager: PAGER,
    layout: Layout::NxOs,
};

pub static POLICY: Personality = Personality {
    key: "nx-os-policy",
    platform: Platform::NxOs,
    model: LicensingModel::Policy,
    style: Style::NxOs,
    starts_privileged: true,
    config_banner: CONFIG_BANNER,
    exec: &[SHOW_EXEC, PROBE_EXEC, COMMON_EXEC, POLICY_EXEC],
    modes: POLICY_MODES,
    other_exec_keywords: OTHER_EXEC,
    other_config_keywords: OTHER_CONFIG,
    help: NX_HELP,
    renames: &[],
    hidden_defaults: HIDDEN_DEFAULTS,
    factory_config: FACTORY,
    banner: COPYRIGHT,
    terminal_length: 24,
    pager: PAGER,
    layout: Layout::NxOs,
};
