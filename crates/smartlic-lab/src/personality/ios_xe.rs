//! IOS-XE: classic Smart Licensing (16.9 – 17.3.1) and Smart Licensing Using Policy
//! (17.3.2+). The two share everything but the `license smart …` commands.
//!
//! Sources (cited per fact below):
//! - [CAT-TS] (call-home config, sub-mode prompts, trustpoints, the
//!   `crypto pki authenticate` dialogue, exec commands, show outputs);
//! - [RTR-CMD] (the `license smart` global syntax on 17.x, `trust idtoken`);
//! - `docs/platform-notes.md "Real IOS-XE call-home blocks"` (the factory call-home block);
//! - real transcripts in the public code index: pyneng task 22.2c (R1 `conf t` banner,
//!   `% Invalid input detected at '^' marker.` with the caret under the bad token and a
//!   blank line after, `% Incomplete command.` + blank line, `% Ambiguous command:  "a"`
//!   with two spaces); an IOS 12.4 exec `?` listing (the exec keywords below); netmiko
//!   and captured sessions for ` --More-- ` and its backspace erase.

use super::{
    Config, ConfigRule, Effect, Exec, ExecRule, HiddenDefault, Layout, Mode, Pager, Personality,
    Style,
};
use crate::release::{LicensingModel, Platform};

/// The CSSM call-home URL, default destination of CiscoTAC-1 ([CAT-TS]).
pub const DDCE_SERVICE: &str = "https://tools.cisco.com/its/service/oddce/services/DDCEService";

/// `conf t` answer, two spaces before `End` (pyneng transcript; Cisco docs).
const CONFIG_BANNER: &str = "Enter configuration commands, one per line.  End with CNTL/Z.";

/// ` --More-- `, erased by nine backspaces, eight spaces, nine backspaces when a key is
/// pressed (real captures quoted in netmiko issues and parser tests).
const PAGER: Pager = Pager {
    prompt: " --More-- ",
    erase: "\x08\x08\x08\x08\x08\x08\x08\x08\x08        \x08\x08\x08\x08\x08\x08\x08\x08\x08",
};

/// `?` descriptions (see `Personality::help`). Sourced from real IOS `?` listings in
/// public transcripts: a user-exec `Router>?` and `Router#sh ?` capture (connect,
/// disable, enable, exit, logout, ping, show, telnet, terminal; show clock, history,
/// hosts, ip, license, startup-config), an IOS `Router#?` / `Router#show ?` listing in a
/// CCNA course text (clock, configure, copy, dir; `terminal history size`), Portuguese
/// and Spanish CCNA notes quoting `show ?` / `show ip ?` (running-config, version,
/// `show ip interface`, `interface brief`). Entries marked `unverified` are the lab's
/// own short wording.
const IOS_HELP: &[(&str, &str)] = &[
    ("clock", "Manage the system clock"),
    ("configure", "Enter configuration mode"),
    ("connect", "Open a terminal connection"),
    ("copy", "Copy from one file to another"),
    ("dir", "List files on a directory"),
    ("disable", "Turn off privileged commands"),
    ("enable", "Turn on privileged commands"),
    ("exit", "Exit from the EXEC"),
    ("logout", "Exit from the EXEC"),
    ("ping", "Send echo messages"),
    ("show", "Show running system information"),
    ("telnet", "Open a telnet connection"),
    ("terminal", "Set terminal line parameters"),
    ("show clock", "Display the system clock"),
    ("show history", "Display the session command history"),
    (
        "show hosts",
        "IP domain-name, lookup style, nameservers, and host table",
    ),
    ("show ip", "IP information"),
    ("show license", "Show license information"),
    ("show running-config", "Current operating configuration"),
    ("show startup-config", "Contents of startup configuration"),
    ("show version", "System hardware and software status"),
    ("ip interface", "IP interface status and configuration"),
    (
        "interface brief",
        "Brief summary of IP status and configuration",
    ),
    // unverified: the lab's own wording.
    ("license", "Smart licensing commands"),
    ("quit", "Exit from the EXEC"),
    ("reload", "Halt and perform a cold restart"),
    ("write", "Write running configuration to memory"),
    ("show call-home", "Call-home configuration and status"),
    ("show crypto", "Encryption module"),
    ("show inventory", "Show the physical inventory"),
    ("show logging", "Show the contents of logging buffers"),
    ("show privilege", "Show current privilege level"),
    ("terminal length", "Set number of lines on a screen"),
    ("terminal width", "Set width of the display terminal"),
    ("include", "Include lines that match"),
    ("exclude", "Exclude lines that match"),
    ("begin", "Begin with the line that matches"),
    ("section", "Filter a section of output"),
    ("count", "Count number of lines which match regexp"),
    ("call-home", "Enter call-home configuration mode"),
    ("hostname", "Set system's network name"),
    ("do", "To run exec commands in config mode"),
    ("end", "Exit from configure mode"),
];

/// Exec commands common to both models. `user: true` = also at the `>` prompt.
const COMMON_EXEC: &[ExecRule] = &[
    ExecRule {
        pattern: "enable",
        action: Exec::Enable,
        user: true,
    },
    ExecRule {
        pattern: "disable",
        action: Exec::Disable,
        user: false,
    },
    ExecRule {
        pattern: "configure terminal",
        action: Exec::ConfigureTerminal,
        user: false,
    },
    // Configuration Rollback Confirmed Change (docs/platform-notes.md "Safety net"):
    // `configure terminal revert timer {minutes | idle minutes}`, 1–120 minutes, then
    // `configure confirm`.
    ExecRule {
        pattern: "configure terminal revert timer [idle] <num>",
        action: Exec::ConfigureRevertTimer,
        user: false,
    },
    ExecRule {
        pattern: "configure confirm",
        action: Exec::ConfigureConfirm,
        user: false,
    },
    ExecRule {
        pattern: "{exit|logout|quit}",
        action: Exec::Logout,
        user: true,
    },
    ExecRule {
        pattern: "show running-config",
        action: Exec::ShowRunning,
        user: false,
    },
    ExecRule {
        pattern: "show running-config all",
        action: Exec::ShowRunningAll,
        user: false,
    },
    ExecRule {
        pattern: "show startup-config",
        action: Exec::ShowStartup,
        user: false,
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
    // docs/troubleshooting.md CAT-3: set the clock by hand, then `clock calendar-valid`.
    ExecRule {
        pattern: "clock set <word> <word> <word> <word>",
        action: Exec::ClockSet,
        user: false,
    },
    ExecRule {
        pattern: "show call-home",
        action: Exec::ShowCallHome,
        user: false,
    },
    ExecRule {
        pattern: "show call-home profile all",
        action: Exec::ShowCallHomeProfileAll,
        user: false,
    },
    ExecRule {
        pattern: "show crypto pki trustpoints",
        action: Exec::ShowTrustpoints,
        user: false,
    },
    ExecRule {
        pattern: "show logging",
        action: Exec::ShowLogging,
        user: false,
    },
    // NAPALM's `ios` get_facts reads both (napalm/ios/ios.py; its fixtures are real
    // captures, cited at `lab::cli::show::ios_hosts`). User exec commands on IOS.
    ExecRule {
        pattern: "show hosts",
        action: Exec::ShowHosts,
        user: true,
    },
    ExecRule {
        pattern: "show ip interface brief",
        action: Exec::ShowIpInterfaceBrief,
        user: true,
    },
    // `Current privilege level is 15` (Cisco IOS Security Command Reference, `show
    // privilege`); issue 13 lists it among what automation clients ask.
    // `dir [flash:[FILE]]` (netmiko's file transfer and NAPALM's config operations read
    // it; layout: `lab::cli::show::dir`).
    ExecRule {
        pattern: "dir [<word>]",
        action: Exec::Dir,
        user: false,
    },
    // `show history` (IOS "Using the Command-Line Interface": the command history;
    // `Display the session command history` in a real `show ?` listing).
    ExecRule {
        pattern: "show history",
        action: Exec::ShowHistory,
        user: true,
    },
    ExecRule {
        pattern: "show privilege",
        action: Exec::ShowPrivilege,
        user: true,
    },
    // [CAT-TS] (its list of verify commands); [GENIEPARSER] (`show license tech support`, `udi`, `usage`).
    ExecRule {
        pattern: "show license {status|summary|all|udi|usage|tech support}",
        action: Exec::ShowLicense,
        user: true,
    },
    // [CAT-TS] (its list of verify commands), docs/troubleshooting.md CAT-6; `show license eventlog 2` (genieparser
    // ShowLicenseEventlog2): the days are optional.
    ExecRule {
        pattern: "show license eventlog [<num>]",
        action: Exec::ShowLicense,
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
    // `wr` alone writes memory on IOS ([CAT-TS] `write memory`).
    ExecRule {
        pattern: "write [memory]",
        action: Exec::WriteMemory,
        user: false,
    },
    ExecRule {
        pattern: "copy running-config startup-config",
        action: Exec::CopyRunStart,
        user: false,
    },
    ExecRule {
        pattern: "reload",
        action: Exec::Reload,
        user: false,
    },
    // docs/troubleshooting.md CAT-5 "Ping tools.cisco.com", "Telnet to tools.cisco.com on TCP 443";
    // [CAT-TS] `telnet tools.cisco.com 443 /source-interface gi0/0`. IOS puts the VRF
    // first (`ping vrf NAME HOST`); `ping HOST vrf NAME` is accepted too. Both are user
    // EXEC commands on IOS. Outputs and their sources: `lab::cli::probe`.
    ExecRule {
        pattern: "ping vrf <word> <word> [repeat <num>] [source <word>]",
        action: Exec::Ping,
        user: true,
    },
    ExecRule {
        pattern: "ping <word> [vrf <word>] [repeat <num>] [source <word>]",
        action: Exec::Ping,
        user: true,
    },
    ExecRule {
        pattern: "telnet <word> [<num>] [/source-interface <word>] [/vrf <word>]",
        action: Exec::Telnet,
        user: true,
    },
    ExecRule {
        pattern: "telnet <word> [<num>] /vrf <word> /source-interface <word>",
        action: Exec::Telnet,
        user: true,
    },
    // [CAT-TS] (its Japanese edition's scenario 9 names it).
    ExecRule {
        pattern: "license smart deregister",
        action: Exec::Deregister,
        user: false,
    },
];

/// [CAT-TS] [NX-TS] [ACI-SL]: `register idtoken T [force]`; `renew id|auth` as the ACI table names them
/// (the IOS-XE forms are ⟨GAP⟩ in [CAT-TS]; the keywords are the same family).
const CLASSIC_EXEC: &[ExecRule] = &[
    ExecRule {
        pattern: "license smart register idtoken <word> [force]",
        action: Exec::Register,
        user: false,
    },
    ExecRule {
        pattern: "license smart renew id",
        action: Exec::RenewId,
        user: false,
    },
    ExecRule {
        pattern: "license smart renew auth",
        action: Exec::RenewAuth,
        user: false,
    },
];

/// [RTR-CMD] [NX-TSFAQ]: privileged EXEC, `local|all`, then optional `force`. `register idtoken` is
/// deprecated on SLP and its behaviour there unverified ([C9K-MIG]): it is not accepted,
/// so a client that sends it to an SLP device is caught. [GENIELIBS]: `sync all|local`.
const POLICY_EXEC: &[ExecRule] = &[
    ExecRule {
        pattern: "license smart trust idtoken <word> {local|all} [force]",
        action: Exec::Trust,
        user: false,
    },
    ExecRule {
        pattern: "license smart sync {all|local}",
        action: Exec::Sync,
        user: false,
    },
    ExecRule {
        pattern: "license smart renew auth",
        action: Exec::RenewAuth,
        user: false,
    },
];

/// Exec keywords of a real IOS image that the lab does not implement (IOS exec `?`
/// listing, index id 8312939393; `license`/`install`/`request` are IOS-XE 16.x+).
const OTHER_EXEC: &[&str] = &[
    "access-enable",
    "access-profile",
    "access-template",
    "archive",
    "cd",
    "clear",
    "cns",
    "connect",
    "crypto",
    "debug",
    "delete",
    "disconnect",
    "erase",
    "event",
    "format",
    "help",
    "install",
    "lock",
    "login",
    "monitor",
    "more",
    "mkdir",
    "no",
    "pwd",
    "release",
    "rename",
    "renew",
    "request",
    "resume",
    "rmdir",
    "send",
    "set",
    "setup",
    "ssh",
    "systat",
    "tclsh",
    "test",
    "traceroute",
    "undebug",
    "verify",
    "where",
];

/// Global configuration keywords the lab does not implement but that share prefixes
/// with ones it does (IOS-XE global config; e.g. `service-template`, `clock`).
const OTHER_CONFIG: &[&str] = &[
    "aaa",
    "access-list",
    "banner",
    "boot",
    "cdp",
    "class-map",
    "clock",
    "control-plane",
    "enable",
    "interface",
    "policy-map",
    "router",
    "service-template",
    "snmp-server",
    "spanning-tree",
    "username",
    "vlan",
    "vrf",
];

/// Global configuration lines both models accept.
const GLOBAL: &[ConfigRule] = &[
    ConfigRule {
        pattern: "hostname <word>",
        action: Config::Store(Effect::Set(1)),
    },
    // [CAT-TS]: `service call-home` must be in the running config.
    ConfigRule {
        pattern: "service call-home",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "call-home",
        action: Config::Enter("call-home"),
    },
    // The config archive, prerequisite of `configure terminal revert timer`
    // (docs/platform-notes.md "Safety net"): `archive` / ` path URL` / ` maximum N`.
    ConfigRule {
        pattern: "archive",
        action: Config::Enter("config-archive"),
    },
    // [CAT-TS] (`ip domain-lookup [source-interface IF]`, printed as `ip domain lookup
    // …`, see `RENAMES`); real configs, docs/platform-notes.md (`ip domain lookup vrf V source-interface IF`).
    ConfigRule {
        pattern: "ip {domain-lookup|domain lookup}",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "ip {domain-lookup|domain lookup} [vrf <word>] source-interface <word>",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "ip {domain-name|domain name} <word>",
        action: Config::Store(Effect::Set(3)),
    },
    // [CAT-TS] `ip name-server [vrf V] <ip>`; [RTR-CMD] [CUBE] several on one line.
    ConfigRule {
        pattern: "ip name-server [vrf <word>] <line>",
        action: Config::Store(Effect::NameServers),
    },
    ConfigRule {
        pattern: "ip host <word> <line>",
        action: Config::Store(Effect::Set(3)),
    },
    // [CAT-TS]; [RTR-CMD] [CUBE] (`ip http client secure-trustpoint`).
    ConfigRule {
        pattern: "ip http client source-interface <word>",
        action: Config::Store(Effect::Set(4)),
    },
    ConfigRule {
        pattern: "ip http client secure-trustpoint <word>",
        action: Config::Store(Effect::Set(4)),
    },
    // docs/platform-notes.md: `ntp server [vrf V] <ip>` (genieparser/genielibs tests).
    ConfigRule {
        pattern: "ntp server [vrf <word>] <word> [prefer]",
        action: Config::Store(Effect::Flag),
    },
    // docs/troubleshooting.md CAT-3: `clock calendar-valid` makes the clock authoritative.
    ConfigRule {
        pattern: "clock calendar-valid",
        action: Config::Store(Effect::Flag),
    },
    // [CAT-TS].
    ConfigRule {
        pattern: "crypto pki trustpoint <word>",
        action: Config::Enter("ca-trustpoint"),
    },
    ConfigRule {
        pattern: "crypto pki authenticate <word>",
        action: Config::PkiAuthenticate,
    },
    // pyATS/unicon's IOS-XE plugin sends `no logging console`, `line console 0`,
    // `exec-timeout 0`, `line vty 0 4`, `exec-timeout 0` on every connect (unicon.plugins
    // 26.9 `generic/settings.py` HA_INIT_CONFIG_COMMANDS; issue 13). Console logging is
    // on by default and a real config prints only `no logging console`, after the
    // hostname (a public switch `Current configuration`, index id 21887958483); see
    // HIDDEN_DEFAULTS. A severity level is accepted and kept.
    ConfigRule {
        pattern: "logging console",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "logging console <word>",
        action: Config::Store(Effect::Set(2)),
    },
    // `line console 0` / `line vty 0 4` open `(config-line)#` (public IOS transcripts:
    // `R1(config)#line con 0` / `R1(config-line)#exec-timeout 0 0` / `R1(config-line)#line
    // vty 0 4`, index ids 1634311209, 11254386774); the config prints `line con 0` and
    // `line vty 0 4` (public `show running-config` captures, index ids 63474159718,
    // 50596588). See RENAMES.
    ConfigRule {
        pattern: "line console <num>",
        action: Config::Enter("line"),
    },
    ConfigRule {
        pattern: "line vty <num> [<num>]",
        action: Config::Enter("line"),
    },
    ConfigRule {
        pattern: "do <line>",
        action: Config::Do,
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

/// `(config-line)#` lines, as public configs print them under `line con 0` / `line vty
/// 0 4` (index ids 63474159718, 50596588, 71167173340): `exec-timeout MINUTES [SECONDS]`
/// is printed with both numbers (`exec-timeout 0 0`; Cisco IOS command reference,
/// `exec-timeout`: seconds default to 0).
const LINE: &[ConfigRule] = &[
    ConfigRule {
        pattern: "exec-timeout <num> [<num>]",
        action: Config::Store(Effect::ExecTimeout),
    },
    ConfigRule {
        pattern: "logging synchronous",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "privilege level <num>",
        action: Config::Store(Effect::Set(2)),
    },
    ConfigRule {
        pattern: "login [local]",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "length <num>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "stopbits <num>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "transport {input|output} <line>",
        action: Config::Store(Effect::Set(2)),
    },
    ConfigRule {
        pattern: "do <line>",
        action: Config::Do,
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

/// [RTR-CMD] syntax and keywords: only on SLP images (17.3.2+).
const POLICY_GLOBAL: &[ConfigRule] = &[
    ConfigRule {
        pattern: "license smart transport {automatic|callhome|cslu|off|smart}",
        action: Config::Store(Effect::Set(3)),
    },
    ConfigRule {
        pattern: "license smart url {smart|cslu} <word>",
        action: Config::Store(Effect::Set(4)),
    },
    ConfigRule {
        pattern: "license smart url default",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "license smart proxy {address|port} <word>",
        action: Config::Store(Effect::Set(4)),
    },
    ConfigRule {
        pattern: "license smart vrf <word>",
        action: Config::Store(Effect::Set(3)),
    },
    ConfigRule {
        pattern: "license smart usage interval <num>",
        action: Config::Store(Effect::Set(4)),
    },
    ConfigRule {
        pattern: "license smart privacy {all|hostname|version}",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "license smart server-identity-check",
        action: Config::Store(Effect::Flag),
    },
];

/// `(cfg-call-home)#` lines: [CAT-TS], docs/platform-notes.md (with real configs).
const CALL_HOME: &[ConfigRule] = &[
    ConfigRule {
        pattern: "contact-email-addr <word>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "source-interface <word>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "vrf <word>",
        action: Config::Store(Effect::Set(1)),
    },
    // [CAT-TS]: default on, `no http secure server-identity-check` disables it.
    ConfigRule {
        pattern: "http secure server-identity-check",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "http resolve-hostname {ipv4-first|ipv6-first|default}",
        action: Config::Store(Effect::Set(2)),
    },
    // Real configs (docs/platform-notes.md) show it as `http-proxy "<host>" port <port>`.
    ConfigRule {
        pattern: "http-proxy <qword> port <num>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "mail-server <word> priority <num>",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "profile <qword>",
        action: Config::Enter("cfg-call-home-profile"),
    },
    ConfigRule {
        pattern: "do <line>",
        action: Config::Do,
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

/// `(cfg-call-home-profile)#` lines: [CAT-TS]; real configs, docs/platform-notes.md.
const PROFILE: &[ConfigRule] = &[
    // Real configs (docs/platform-notes.md) print `active`; the command reference documents `no active`.
    ConfigRule {
        pattern: "active",
        action: Config::Store(Effect::NoShown),
    },
    ConfigRule {
        pattern: "reporting {smart-licensing-data|smart-call-home-data}",
        action: Config::Store(Effect::Flag),
    },
    // Real configs (docs/platform-notes.md) print `destination transport-method http` and `no … email`.
    ConfigRule {
        pattern: "destination transport-method {http|email}",
        action: Config::Store(Effect::NoShown),
    },
    ConfigRule {
        pattern: "destination address {http|email} <word>",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "destination preferred-msg-format {xml|long-text|short-text}",
        action: Config::Store(Effect::Set(2)),
    },
    ConfigRule {
        pattern: "destination message-size-limit <num>",
        action: Config::Store(Effect::Set(2)),
    },
    ConfigRule {
        pattern: "do <line>",
        action: Config::Do,
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

/// `(ca-trustpoint)#` lines: [CAT-TS].
const TRUSTPOINT: &[ConfigRule] = &[
    ConfigRule {
        pattern: "enrollment {terminal|pkcs12|selfsigned|url <word>}",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "revocation-check <line>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "subject-name <line>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "rsakeypair <word>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "do <line>",
        action: Config::Do,
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

/// `(config-archive)#` lines (the archive sub-mode `?` listing on a public IOS-XE page,
/// docs/platform-notes.md "Safety net"); `log config` is not simulated.
const ARCHIVE: &[ConfigRule] = &[
    ConfigRule {
        pattern: "path <word>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "maximum <num>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "time-period <num>",
        action: Config::Store(Effect::Set(1)),
    },
    ConfigRule {
        pattern: "write-memory",
        action: Config::Store(Effect::Flag),
    },
    ConfigRule {
        pattern: "do <line>",
        action: Config::Do,
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

/// Sub-mode prompts: `(cfg-call-home)#`, `(cfg-call-home-profile)#` ([CAT-TS]),
/// `(ca-trustpoint)#` ([CAT-TS]).
const CLASSIC_MODES: &[Mode] = &[
    Mode {
        id: "config",
        prompt: "(config)",
        parent: None,
        rules: &[GLOBAL],
    },
    Mode {
        id: "call-home",
        prompt: "(cfg-call-home)",
        parent: Some("config"),
        rules: &[CALL_HOME],
    },
    Mode {
        id: "cfg-call-home-profile",
        prompt: "(cfg-call-home-profile)",
        parent: Some("call-home"),
        rules: &[PROFILE],
    },
    Mode {
        id: "ca-trustpoint",
        prompt: "(ca-trustpoint)",
        parent: Some("config"),
        rules: &[TRUSTPOINT],
    },
    Mode {
        id: "config-archive",
        prompt: "(config-archive)",
        parent: Some("config"),
        rules: &[ARCHIVE],
    },
    Mode {
        id: "line",
        prompt: "(config-line)",
        parent: Some("config"),
        rules: &[LINE],
    },
];

const POLICY_MODES: &[Mode] = &[
    Mode {
        id: "config",
        prompt: "(config)",
        parent: None,
        rules: &[GLOBAL, POLICY_GLOBAL],
    },
    Mode {
        id: "call-home",
        prompt: "(cfg-call-home)",
        parent: Some("config"),
        rules: &[CALL_HOME],
    },
    Mode {
        id: "cfg-call-home-profile",
        prompt: "(cfg-call-home-profile)",
        parent: Some("call-home"),
        rules: &[PROFILE],
    },
    Mode {
        id: "ca-trustpoint",
        prompt: "(ca-trustpoint)",
        parent: Some("config"),
        rules: &[TRUSTPOINT],
    },
    Mode {
        id: "config-archive",
        prompt: "(config-archive)",
        parent: Some("config"),
        rules: &[ARCHIVE],
    },
    Mode {
        id: "line",
        prompt: "(config-line)",
        parent: Some("config"),
        rules: &[LINE],
    },
];

/// Unprinted defaults (real configs, docs/platform-notes.md; [CAT-TS]).
const HIDDEN_DEFAULTS: &[HiddenDefault] = &[
    // `show run all | in destination address http` prints it ([CAT-TS]).
    HiddenDefault {
        scope: &["call-home", "profile \"CiscoTAC-1\""],
        line: "destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService",
        overridden_by: &["destination address http", "no destination address http"],
    },
    HiddenDefault {
        scope: &["call-home"],
        line: "http secure server-identity-check",
        overridden_by: &["no http secure server-identity-check"],
    },
    HiddenDefault {
        scope: &[],
        line: "ip domain lookup",
        overridden_by: &["no ip domain lookup"],
    },
    // Console logging is on by default; configs print `no logging console` only (see
    // `logging console` in GLOBAL).
    HiddenDefault {
        scope: &[],
        line: "logging console",
        overridden_by: &["no logging console"],
    },
];

/// A device fresh from the factory: the auto-generated call-home block of docs/platform-notes.md ("Real IOS-XE call-home blocks")
/// (16.9.1+ switches, 16.10.1+ routers, [CAT-TS]) and the SLA trustpoint that every
/// corpus `show crypto pki trustpoints` lists (its `enrollment pkcs12` / `revocation-check
/// crl` lines are as commonly seen in public configs, not verified in a capture).
const FACTORY: &str = "\
hostname {hostname}
service call-home
call-home
 contact-email-addr sch-smart-licensing@cisco.com
 profile \"CiscoTAC-1\"
  active
  destination transport-method http
  no destination transport-method email
crypto pki trustpoint SLA-TrustPoint
 enrollment pkcs12
 revocation-check crl
";

pub static CLASSIC: Personality = Personality {
    key: "ios-xe-classic",
    platform: Platform::IosXe,
    model: LicensingModel::Classic,
    style: Style::Ios,
    starts_privileged: false,
    config_banner: CONFIG_BANNER,
    exec: &[COMMON_EXEC, CLASSIC_EXEC],
    modes: CLASSIC_MODES,
    other_exec_keywords: OTHER_EXEC,
    other_config_keywords: OTHER_CONFIG,
    help: IOS_HELP,
    renames: RENAMES,
    hidden_defaults: HIDDEN_DEFAULTS,
    factory_config: FACTORY,
    // No banner is configured on a factory device.
    banner: "",
    // IOS vty default length (netmiko/scrapli send `terminal length 0` for this reason).
    terminal_length: 24,
    pager: PAGER,
    layout: Layout::IosXe,
};

pub static POLICY: Personality = Personality {
    key: "ios-xe-policy",
    platform: Platform::IosXe,
    model: LicensingModel::Policy,
    style: Style::Ios,
    starts_privileged: false,
    config_banner: CONFIG_BANNER,
    exec: &[COMMON_EXEC, POLICY_EXEC],
    modes: POLICY_MODES,
    other_exec_keywords: OTHER_EXEC,
    other_config_keywords: OTHER_CONFIG,
    help: IOS_HELP,
    renames: RENAMES,
    hidden_defaults: HIDDEN_DEFAULTS,
    factory_config: FACTORY,
    banner: "",
    terminal_length: 24,
    pager: PAGER,
    layout: Layout::IosXe,
};

/// Input spellings the running config prints otherwise ([CAT-TS] types
/// `ip domain-lookup`; real configs print `ip domain lookup`, docs/platform-notes.md).
const RENAMES: &[(&str, &str)] = &[
    ("ip domain-lookup", "ip domain lookup"),
    ("ip domain-name", "ip domain name"),
    // Typed `line console 0`, printed `line con 0` (see `line console` in GLOBAL).
    ("line console", "line con"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_policy_images_have_license_smart_transport() {
        let has = |modes: &[Mode]| {
            modes[0]
                .config_rules()
                .any(|r| r.pattern.starts_with("license smart transport"))
        };
        assert!(has(POLICY.modes));
        assert!(!has(CLASSIC.modes));
    }

    #[test]
    fn the_classic_register_and_the_policy_trust_commands_do_not_mix() {
        let patterns = |p: &Personality| p.exec_rules().map(|r| r.pattern).collect::<Vec<_>>();
        assert!(
            patterns(&CLASSIC)
                .iter()
                .any(|p| p.contains("register idtoken"))
        );
        assert!(
            !patterns(&CLASSIC)
                .iter()
                .any(|p| p.contains("trust idtoken"))
        );
        assert!(
            patterns(&POLICY)
                .iter()
                .any(|p| p.contains("trust idtoken"))
        );
        assert!(
            !patterns(&POLICY)
                .iter()
                .any(|p| p.contains("register idtoken"))
        );
    }
}
