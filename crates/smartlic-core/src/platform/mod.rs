//! One driver per platform: each is the single home of that platform's facts
//! (config dialect, commands, show formats). Config text itself lives in
//! `templates/<platform>/`.

pub mod apic;
pub mod cli;
pub mod ios_xe;
pub mod nx_os;
pub mod status;
pub mod timefmt;
/// Releases and what they imply for licensing (kept in `crate::release`).
pub use crate::release as version;

use crate::config::{Dialect, Tree};
use crate::intent::{Intent, TrustScope};
pub use crate::release::{LicensingModel, Platform};

impl Platform {
    /// The platform's config dialect (what its running-config text means).
    pub fn dialect(self) -> &'static Dialect {
        match self {
            Platform::IosXe => &ios_xe::DIALECT,
            Platform::NxOs => &nx_os::DIALECT,
            Platform::Apic => &apic::DIALECT,
        }
    }

    /// How the platform's CLI looks to an SSH session (prompts, paging, errors, questions).
    pub fn cli(self) -> &'static cli::CliProfile {
        match self {
            Platform::IosXe => &ios_xe::CLI,
            Platform::NxOs => &nx_os::CLI,
            Platform::Apic => &apic::CLI,
        }
    }

    /// Running lines the intent declares as an exclusive list: others in the family
    /// are removed. On IOS-XE a VRF's servers are their own list (`ip name-server vrf V`,
    /// `ntp server vrf V`), so an exclusive list in a VRF leaves the global one alone.
    /// NX-OS writes the VRF last (`… use-vrf V`), which a prefix cannot single out: there
    /// the whole family is the list.
    pub fn exclusive_prefixes(self, intent: &Intent) -> Vec<String> {
        let scoped = |family: &str| match (&intent.vrf, self) {
            (Some(vrf), Platform::IosXe) => format!("{family} vrf {vrf}"),
            _ => family.to_string(),
        };
        let mut prefixes = Vec::new();
        if intent.dns.as_ref().is_some_and(|d| d.exclusive) {
            prefixes.push(scoped("ip name-server"));
        }
        if intent.ntp.as_ref().is_some_and(|n| n.exclusive) {
            prefixes.push(scoped("ntp server"));
        }
        prefixes
    }

    /// How the running config is saved after a change ([CAT-TS]). APIC keeps its
    /// configuration without a save step.
    pub fn save_command(self) -> Option<&'static str> {
        match self {
            Platform::IosXe => Some("write memory"),
            Platform::NxOs => Some("copy running-config startup-config"),
            Platform::Apic => None,
        }
    }

    /// The registration command: classic `license smart register idtoken T [force]`
    /// ([CAT-TS] [NX-TS] [ACI-SL]); Using Policy `license smart trust idtoken T local|all [force]` on
    /// IOS-XE and without `local|all` on NX-OS ([RTR-CMD] [NX-TSFAQ]).
    pub fn register_command(self, intent: &Intent, token: &str) -> String {
        let mut command = match (intent.licensing_model, self) {
            (LicensingModel::Classic, _) => format!("license smart register idtoken {token}"),
            (LicensingModel::Policy, Platform::IosXe) => {
                let scope = match intent.trust_scope {
                    TrustScope::Local => "local",
                    TrustScope::All => "all",
                };
                format!("license smart trust idtoken {token} {scope}")
            }
            (LicensingModel::Policy, _) => format!("license smart trust idtoken {token}"),
        };
        if intent.force {
            command.push_str(" force");
        }
        command
    }

    /// APIC takes `license smart register idtoken` in configuration mode ([ACI-SL]:
    /// every sample types it at `apic1(config)#`); the others in exec mode ([CAT-TS] [NX-TS] [ACI-SL]).
    pub fn registers_in_config_mode(self) -> bool {
        self == Platform::Apic
    }

    /// Using Policy's report after trust: `license smart sync all` ([GENIELIBS]; genielibs
    /// runs it on IOS-XE, the lab's NX-OS 10.2 accepts it too). Classic has none.
    pub fn sync_command(self, model: LicensingModel) -> Option<&'static str> {
        match (model, self) {
            (LicensingModel::Policy, Platform::IosXe | Platform::NxOs) => {
                Some("license smart sync all")
            }
            _ => None,
        }
    }

    /// Where the device's licensing log lines are read for `smartlic diagnose` (docs/troubleshooting.md:
    /// `show logging` and `show license eventlog` carry the scenarios' messages; the
    /// mnemonics are `%SMART_LIC`, `%CALL_HOME` and `%PKI`). NX-OS shows the same
    /// facilities in `show logging`; APIC has no documented CLI log ([ACI-SL] ⟨GAP⟩).
    pub fn licensing_log_commands(self) -> &'static [&'static str] {
        match self {
            Platform::IosXe => &[
                "show logging | include SMART_LIC|CALL_HOME|PKI",
                "show license eventlog",
            ],
            Platform::NxOs => &["show logging | include SMART_LIC|CALL_HOME|CALLHOME|PKI"],
            Platform::Apic => &[],
        }
    }

    /// The command that opens TCP `port` to `host` from the device, the way the intent's
    /// call-home goes: IOS-XE `telnet HOST PORT [/source-interface IF] [/vrf VRF]`
    /// ([CAT-TS]; the `/vrf` option as IOS documents it), NX-OS `telnet HOST PORT vrf VRF`
    /// (docs/troubleshooting.md NX-1). APIC has no documented CLI for it.
    pub fn tcp_probe(self, host: &str, port: u16, intent: &Intent) -> Option<String> {
        let mut command = format!("telnet {host} {port}");
        match self {
            Platform::IosXe => {
                if let Some(interface) = &intent.source_interface {
                    command.push_str(&format!(" /source-interface {interface}"));
                }
                if let Some(vrf) = &intent.vrf {
                    command.push_str(&format!(" /vrf {vrf}"));
                }
            }
            Platform::NxOs => {
                if let Some(vrf) = &intent.vrf {
                    command.push_str(&format!(" vrf {vrf}"));
                }
            }
            Platform::Apic => return None,
        }
        Some(command)
    }

    /// Whether [`Platform::tcp_probe`]'s output says the connection opened: IOS
    /// `Trying … Open` ([CAT-TS]), NX-OS `Connected to …` (docs/troubleshooting.md NX-1). Otherwise
    /// the device's own reason (docs/lab.md "Reachability from the device" lists them).
    pub fn tcp_probe_outcome(self, output: &str) -> Result<(), String> {
        let opened = match self {
            Platform::NxOs => output.lines().any(|l| l.starts_with("Connected to ")),
            _ => output
                .lines()
                .any(|l| l.starts_with("Trying ") && l.trim_end().ends_with("Open")),
        };
        if opened {
            return Ok(());
        }
        let reason = output
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with('%') || l.starts_with("telnet:"))
            .unwrap_or("the connection did not open");
        let unresolved = [
            "Bad IP address or host name",
            "Unrecognized host",
            "could not resolve",
        ];
        Err(match unresolved.iter().any(|u| reason.contains(u)) {
            true => format!("the name does not resolve through the device's DNS: {reason}"),
            false => reason.to_string(),
        })
    }

    /// `smartlic renew`'s command. Classic: `license smart renew id|auth` in exec mode
    /// ([CAT-TS] [NX-TS] [ACI-SL] for APIC; `renew auth` on IOS-XE and NX-OS in a public SSM
    /// On-Prem guide, docs/platform-notes.md; `renew id` there is the same family,
    /// lower case, as [ACI-SL]'s keywords are). Using Policy has no registration or
    /// authorization to renew: its deadline is the report's ACK, which the sync refreshes
    /// ([GENIELIBS]), so `auth` means the sync and `id` has no command.
    pub fn renew_command(self, model: LicensingModel, what: Renewal) -> Option<&'static str> {
        match (model, what) {
            (LicensingModel::Classic, Renewal::Id) => Some("license smart renew id"),
            (LicensingModel::Classic, Renewal::Auth) => Some("license smart renew auth"),
            (LicensingModel::Policy, Renewal::Auth) => self.sync_command(model),
            (LicensingModel::Policy, Renewal::Id) => None,
        }
    }

    /// Exec commands that import trustpoint CA certificates the running config does
    /// not hold yet. IOS-XE prints an imported CA as `crypto pki certificate chain NAME`
    /// with a `certificate ca …` child; the import is `crypto pki authenticate NAME`
    /// ([CAT-TS]).
    pub fn trustpoint_imports(self, intent: &Intent, running: &Tree) -> Vec<String> {
        if self != Platform::IosXe {
            return Vec::new();
        }
        intent
            .trustpoints
            .iter()
            .filter(|tp| tp.ca_cert.is_some())
            .filter(|tp| !has_ca_certificate(running, &tp.name))
            .map(|tp| format!("crypto pki authenticate {}", tp.name))
            .collect()
    }
}

/// The safety net a platform offers for a risky change (docs/platform-notes.md
/// "Safety net").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SafetyNetKind {
    /// IOS-XE Configuration Rollback Confirmed Change: `configure terminal revert timer
    /// N`, then `configure confirm`; unconfirmed, the device restores the archived config.
    RevertTimer,
    /// NX-OS `checkpoint NAME` before, `rollback running-config checkpoint NAME` on failure,
    /// `no checkpoint NAME` at the end.
    Checkpoint,
}

impl Platform {
    /// What this platform can do to take a risky change back; APIC: nothing smartlic knows.
    pub fn safety_net(self) -> Option<SafetyNetKind> {
        match self {
            Platform::IosXe => Some(SafetyNetKind::RevertTimer),
            Platform::NxOs => Some(SafetyNetKind::Checkpoint),
            Platform::Apic => None,
        }
    }

    /// Whether a planned config line changes how the device reaches the licensing
    /// back-end (its VRF, source interface or proxy): a mistake there can cut the device
    /// off from the back-end, or a VRF change from its management path.
    pub fn risky_line(self, line: &str) -> bool {
        let words: Vec<&str> = line.split_whitespace().collect();
        let words = match words.first() {
            Some(&"no") => &words[1..],
            _ => &words[..],
        };
        let keywords: &[&str] = match self {
            Platform::IosXe => ios_xe::RISKY_KEYWORDS,
            Platform::NxOs => nx_os::RISKY_KEYWORDS,
            Platform::Apic => apic::RISKY_KEYWORDS,
        };
        words.iter().any(|w| keywords.contains(w))
            || (self == Platform::IosXe && words.starts_with(&["license", "smart", "proxy"]))
    }

    /// Whether the device can arm the safety net as its running config stands: IOS-XE
    /// needs the config archive (`archive` with a ` path`); NX-OS checkpoints need nothing.
    pub fn safety_net_ready(self, running: &Tree) -> Result<(), String> {
        match self {
            Platform::IosXe if ios_xe::archive_path(running).is_none() => Err(
                "no config archive (`archive` / ` path …`) for `configure terminal revert timer`"
                    .into(),
            ),
            Platform::Apic => Err("APIC has no revert timer or checkpoint".into()),
            _ => Ok(()),
        }
    }
}

fn has_ca_certificate(running: &Tree, trustpoint: &str) -> bool {
    let header = format!("crypto pki certificate chain {trustpoint}");
    running
        .lines
        .iter()
        .filter(|l| l.text.split_whitespace().eq(header.split_whitespace()))
        .any(|l| {
            l.children
                .iter()
                .any(|c| c.text.starts_with("certificate ca "))
        })
}

/// What `smartlic renew` renews: the ID certificate ([CAT-TS] [NX-TS] [ACI-SL]: 1 year, renewed every 6
/// months) or the authorization (90 days, renewed every 30).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Renewal {
    Id,
    Auth,
}

#[cfg(test)]
mod safety_net_tests {
    use super::*;

    #[test]
    fn risky_lines_are_the_ones_that_move_the_path_to_the_back_end() {
        let ios = Platform::IosXe;
        assert!(ios.risky_line("vrf Mgmt-vrf"));
        assert!(ios.risky_line("no vrf Mgmt-vrf"));
        assert!(ios.risky_line("ip http client source-interface GigabitEthernet0/0"));
        assert!(ios.risky_line("http-proxy \"proxy.example.com\" port 3128"));
        assert!(ios.risky_line("license smart proxy address proxy.example.com"));
        assert!(ios.risky_line("ip name-server vrf Mgmt-vrf 192.0.2.53"));
        assert!(!ios.risky_line("contact-email-addr sch-smart-licensing@cisco.com"));
        assert!(!ios.risky_line("ip name-server 192.0.2.53"));
        let nx = Platform::NxOs;
        assert!(nx.risky_line("transport http use-vrf management"));
        assert!(nx.risky_line("transport http proxy enable"));
        assert!(nx.risky_line("ip http source-interface mgmt0 vrf management"));
        assert!(!nx.risky_line("destination-profile CiscoTAC-1 transport-method http"));
        assert!(
            !Platform::Apic.risky_line("license smart transport-mode proxy ip-address p port 1")
        );
    }

    #[test]
    fn ios_xe_needs_an_archive_path_for_its_revert_timer() {
        let dialect = Platform::IosXe.dialect();
        let without = Tree::parse("hostname sw1\narchive\n maximum 5\n", dialect);
        assert!(Platform::IosXe.safety_net_ready(&without).is_err());
        let with = Tree::parse("hostname sw1\narchive\n path flash:archive\n", dialect);
        assert!(Platform::IosXe.safety_net_ready(&with).is_ok());
        assert!(Platform::NxOs.safety_net_ready(&without).is_ok());
        assert!(Platform::Apic.safety_net().is_none());
    }
}
