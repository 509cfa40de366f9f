//! APIC: the NX-OS style CLI of the ACI controller, classic Smart Licensing (3.2+/4.x).
//!
//! Sources: [ACI-SL] (`configure`, `apic1(config)#`, `license smart transport-mode …`,
//! `license smart register idtoken …` typed in config mode, "config and exec commands
//! are not distinguished", "all show commands start with `show license`", keywords
//! auto-complete, `renew ID|auth`, `deregister`, the `show license` set); public
//! APIC transcripts (`apic1(config)# sh run` answering `# Command: show running-config`
//! with two-space indented lines; the `Application Policy Infrastructure Controller`
//! login banner); genie's APIC `show version` parser (the Role/Pod/Node table). APIC's
//! own error texts were not found: the NX-OS ones are used.

use super::{Config, ConfigRule, Effect, Exec, ExecRule, Layout, Mode, Pager, Personality, Style};
use crate::release::{LicensingModel, Platform};

/// [ACI-SL] "show license all / status / summary / usage / mode / server / catalog /
/// tech support".
const SHOW_LICENSE: &str =
    "show license {all|status|summary|usage|mode|server|catalog|tech support}";

const EXEC: &[ExecRule] = &[
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
        pattern: "show running-config",
        action: Exec::ShowRunning,
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
        pattern: SHOW_LICENSE,
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
];

/// [ACI-SL] configuration commands and the exec ones implemented as config commands.
/// No `force` keyword: re-registration is a GUI checkbox ([ACI-SL] ⟨GAP⟩).
const CONFIG: &[ConfigRule] = &[
    ConfigRule {
        pattern: "license smart transport-mode {smart-licensing|satellite url <word>|proxy ip-address <word> port <num>}",
        action: Config::Store(Effect::Set(3)),
    },
    ConfigRule {
        pattern: "license smart register idtoken <word>",
        action: Config::Exec(Exec::Register),
    },
    ConfigRule {
        pattern: "license smart deregister",
        action: Config::Exec(Exec::Deregister),
    },
    ConfigRule {
        pattern: "license smart renew id",
        action: Config::Exec(Exec::RenewId),
    },
    ConfigRule {
        pattern: "license smart renew auth",
        action: Config::Exec(Exec::RenewAuth),
    },
    ConfigRule {
        pattern: "show running-config",
        action: Config::Exec(Exec::ShowRunning),
    },
    ConfigRule {
        pattern: SHOW_LICENSE,
        action: Config::Exec(Exec::ShowLicense),
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

const MODES: &[Mode] = &[Mode {
    id: "config",
    prompt: "(config)",
    parent: None,
    rules: &[CONFIG],
}];

pub static APIC: Personality = Personality {
    key: "apic",
    platform: Platform::Apic,
    model: LicensingModel::Classic,
    style: Style::NxOs,
    starts_privileged: true,
    // Not verified for APIC; `configure` answers nothing in the [ACI-SL] samples.
    config_banner: "",
    exec: &[EXEC],
    modes: MODES,
    other_exec_keywords: &[],
    other_config_keywords: &[],
    help: &[],
    renames: &[],
    hidden_defaults: &[],
    factory_config: "",
    // Printed before the password prompt of an APIC SSH login (public transcript).
    banner: "Application Policy Infrastructure Controller\n",
    terminal_length: 24,
    pager: Pager {
        prompt: "\x1b[7m--More--\x1b[m",
        erase: "\r\x1b[K",
    },
    layout: Layout::Apic,
};
