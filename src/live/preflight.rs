//! Preflight: before `apply` spends a token (and with `diagnose --preflight`), check from
//! the device itself what registration needs (the prerequisites of [CAT-TS] [NX-TS] [ACI-SL] in docs/sources.md;
//! docs/troubleshooting.md CAT-3, CAT-4, CAT-5):
//! the destination resolves and TCP opens from the intended VRF or source interface, the
//! clock is close to this machine's, the trustpoints the transport needs exist, and
//! call-home is on with exactly one active profile reporting Smart Licensing.

use serde::Serialize;

use super::device::Device;
use crate::config::{Line, Tree};
use crate::intent::{Intent, Transport};
use crate::platform::timefmt::{now, parse_show_clock};
use crate::platform::{LicensingModel, Platform};

/// How far the device clock may be from the runner's. CSSM's own tolerance is not
/// published (docs/troubleshooting.md CAT-3: [CAT-TS] only says "allowed tolerance limit"): five minutes is
/// smartlic's choice, tight enough to catch CAT-3's months and loose enough for NTP drift.
pub const CLOCK_TOLERANCE_SECS: i64 = 300;

/// One check and how it went.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub ok: bool,
    pub detail: String,
    /// The catalogue scenario (or the source in docs/sources.md) a failure of this check leads to.
    pub scenario: &'static str,
}

impl Check {
    fn new(check: &'static str, scenario: &'static str, result: Result<String, String>) -> Check {
        let (ok, detail) = match result {
            Ok(detail) => (true, detail),
            Err(detail) => (false, detail),
        };
        Check {
            check,
            ok,
            detail,
            scenario,
        }
    }

    /// `destination (CAT-5): …`, for a failure message.
    pub fn failure(&self) -> String {
        format!("{} ({}): {}", self.check, self.scenario, self.detail)
    }
}

/// What the caller already read from the device, so it is not read again.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seen<'a> {
    pub running: Option<&'a str>,
    /// Device clock minus this machine's, in seconds.
    pub clock_skew: Option<i64>,
}

/// Every check that applies to the host's platform, model and transport.
pub async fn run(device: &mut Device, intent: &Intent, seen: Seen<'_>) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some((host, port)) = destination(intent)
        && let Some(command) = device.platform.tcp_probe(&host, port, intent)
    {
        let result = match device.exec(&command).await {
            Ok(output) => device.platform.tcp_probe_outcome(&output),
            Err(e) => Err(e.to_string()),
        };
        checks.push(Check::new(
            "destination",
            "CAT-5",
            result
                .map(|()| format!("TCP {port} to {host} opens from the device (`{command}`)"))
                .map_err(|why| format!("`{command}`: {why}")),
        ));
    }
    let skew = match seen.clock_skew {
        Some(skew) => Some(skew),
        None => clock_skew(device).await,
    };
    if let Some(skew) = skew {
        checks.push(Check::new("clock", "CAT-3", clock(skew)));
    }
    if let Some(needed) = trustpoints_needed(intent) {
        let shown = device
            .exec("show crypto pki trustpoints")
            .await
            .unwrap_or_default();
        checks.push(Check::new(
            "trustpoints",
            "docs/sources.md [CAT-TS]",
            trustpoints(&needed, &shown),
        ));
    }
    if uses_call_home(intent) {
        let running = match seen.running {
            Some(text) => text.to_string(),
            None => device.exec("show running-config").await.unwrap_or_default(),
        };
        checks.push(Check::new(
            "call-home",
            "CAT-4",
            call_home(intent.platform, &running),
        ));
    }
    checks
}

/// `show clock` against this machine's clock, in seconds; `None` when unreadable.
pub async fn clock_skew(device: &mut Device) -> Option<i64> {
    let text = device.exec("show clock").await.ok()?;
    parse_show_clock(&text).map(|device_time| device_time - now())
}

/// Where registration connects first: the proxy, or the destination URL's host.
pub fn destination(intent: &Intent) -> Option<(String, u16)> {
    match &intent.proxy {
        Some(proxy) => Some((proxy.host.clone(), proxy.port)),
        None => url_host_port(intent.url.as_deref()?),
    }
}

/// `https://host[:port]/…` → (host, port), the port defaulting by scheme.
fn url_host_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    let default = if scheme.eq_ignore_ascii_case("http") {
        80
    } else {
        443
    };
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => default,
    };
    Some((host.to_string(), port))
}

fn clock(skew: i64) -> Result<String, String> {
    if skew.abs() <= CLOCK_TOLERANCE_SECS {
        Ok(format!(
            "the device clock is {skew:+} s from this machine's"
        ))
    } else {
        Err(format!(
            "the device clock is {skew:+} s off this machine's (more than {CLOCK_TOLERANCE_SECS} s): \
             the back-end refuses it (docs/troubleshooting.md CAT-3); configure NTP or `clock set`"
        ))
    }
}

/// IOS-XE trustpoints the intent imports a CA for must exist before registering.
fn trustpoints_needed(intent: &Intent) -> Option<Vec<String>> {
    let names: Vec<String> = intent
        .trustpoints
        .iter()
        .filter(|t| t.ca_cert.is_some())
        .map(|t| t.name.clone())
        .collect();
    (intent.platform == Platform::IosXe && !names.is_empty()).then_some(names)
}

/// `show crypto pki trustpoints` prints `Trustpoint NAME:` per trustpoint.
fn trustpoints(needed: &[String], shown: &str) -> Result<String, String> {
    let missing: Vec<&str> = needed
        .iter()
        .filter(|name| {
            !shown
                .lines()
                .any(|l| l.trim() == format!("Trustpoint {name}:"))
        })
        .map(String::as_str)
        .collect();
    match missing.as_slice() {
        [] => Ok(format!("present: {}", needed.join(", "))),
        missing => Err(format!("missing: {}", missing.join(", "))),
    }
}

/// Classic Smart Licensing on IOS-XE and NX-OS goes through call-home ([CAT-TS] [NX-TS]).
fn uses_call_home(intent: &Intent) -> bool {
    intent.licensing_model == LicensingModel::Classic
        && intent.platform != Platform::Apic
        && !matches!(intent.transport, Transport::Cslu | Transport::Off)
}

/// IOS-XE: `service call-home`, and exactly one active profile reporting Smart Licensing
/// ([CAT-TS]: only one call-home profile can be active for Smart Licensing; CiscoTAC-1
/// reports it unless told not to, another profile needs `reporting smart-licensing-data`).
/// NX-OS: the `callhome` block has `enable` ([NX-TS]).
pub fn call_home(platform: Platform, running: &str) -> Result<String, String> {
    let tree = Tree::parse(running, platform.dialect());
    let top = |text: &str| tree.lines.iter().find(|l| l.text == text);
    let has = |line: &Line, child: &str| line.children.iter().any(|c| c.text == child);
    if platform == Platform::NxOs {
        return match top("callhome") {
            Some(block) if has(block, "enable") => Ok("callhome is enabled".into()),
            _ => Err("callhome is not enabled (`callhome` / `enable`)".into()),
        };
    }
    if top("service call-home").is_none() {
        return Err("`service call-home` is not configured (docs/troubleshooting.md CAT-4)".into());
    }
    let profiles = top("call-home").map_or(&[][..], |block| &block.children[..]);
    let reporting: Vec<&str> = profiles
        .iter()
        .filter_map(|p| {
            let name = p.text.strip_prefix("profile ")?;
            let reports = has(p, "reporting smart-licensing-data")
                || (name.trim_matches('"') == "CiscoTAC-1"
                    && !has(p, "no reporting smart-licensing-data"));
            (has(p, "active") && reports).then_some(name)
        })
        .collect();
    match reporting.as_slice() {
        [one] => Ok(format!(
            "call-home is on; profile {one} reports Smart Licensing"
        )),
        [] => Err(
            "no active call-home profile reports Smart Licensing (docs/troubleshooting.md CAT-4)"
                .into(),
        ),
        many => Err(format!(
            "{} active call-home profiles report Smart Licensing ({}); only one may",
            many.len(),
            many.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/platform-notes.md "Real IOS-XE call-home blocks": the factory profile as `show running-config` prints it.
    const FACTORY: &str = "service call-home\ncall-home\n ! If contact email address in call-home is configured as sch-smart-licensing@cisco.com\n contact-email-addr sch-smart-licensing@cisco.com\n profile \"CiscoTAC-1\"\n  active\n  destination transport-method http\n  no destination transport-method email\n!\nip http client source-interface Gi0/0\n";

    #[test]
    fn the_factory_profile_reports_smart_licensing() {
        assert_eq!(
            call_home(Platform::IosXe, FACTORY),
            Ok("call-home is on; profile \"CiscoTAC-1\" reports Smart Licensing".into())
        );
    }

    #[test]
    fn call_home_needs_the_service_and_exactly_one_reporting_profile() {
        let off = FACTORY.replace("service call-home\n", "");
        assert!(
            call_home(Platform::IosXe, &off)
                .unwrap_err()
                .contains("service call-home")
        );
        let silenced = FACTORY.replace(
            "  active\n",
            "  active\n  no reporting smart-licensing-data\n",
        );
        assert!(call_home(Platform::IosXe, &silenced).is_err());
        let inactive = FACTORY.replace("  active\n", "  no active\n");
        assert!(
            call_home(Platform::IosXe, &inactive)
                .unwrap_err()
                .contains("no active")
        );
        // CAT-4's case: a user profile, active, without `reporting smart-licensing-data`,
        // next to an inactive CiscoTAC-1.
        let user = "service call-home\ncall-home\n profile \"CiscoTAC-1\"\n  no active\n profile \"ops\"\n  active\n  destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService\n";
        assert!(call_home(Platform::IosXe, user).is_err());
        let reporting = user.replace("  active\n", "  active\n  reporting smart-licensing-data\n");
        assert!(
            call_home(Platform::IosXe, &reporting)
                .unwrap()
                .contains("\"ops\"")
        );
        let two = format!(
            "{}  reporting smart-licensing-data\n",
            FACTORY.replace(
                "!\nip http",
                " profile \"ops\"\n  active\n  reporting smart-licensing-data\n!\nip http"
            )
        );
        assert!(
            call_home(Platform::IosXe, &two)
                .unwrap_err()
                .starts_with("2 active")
        );
    }

    #[test]
    fn nx_os_call_home_needs_enable() {
        let on = "callhome\n  email-contact sch-smart-licensing@cisco.com\n  destination-profile CiscoTAC-1 transport-method http\n  enable\n";
        assert!(call_home(Platform::NxOs, on).is_ok());
        assert!(call_home(Platform::NxOs, &on.replace("  enable\n", "")).is_err());
    }

    #[test]
    fn the_destination_is_the_url_s_host_and_port() {
        let url = |u: &str| url_host_port(u);
        assert_eq!(
            url("https://tools.cisco.com/its/service/oddce/services/DDCEService"),
            Some(("tools.cisco.com".into(), 443))
        );
        assert_eq!(
            url("https://tg.example.com:8443/Transportgateway/services/DeviceRequestHandler"),
            Some(("tg.example.com".into(), 8443))
        );
        assert_eq!(url("http://10.1.1.1/x"), Some(("10.1.1.1".into(), 80)));
        assert_eq!(
            url("https://[2001:db8::1]:8443/x"),
            Some(("2001:db8::1".into(), 8443))
        );
        assert_eq!(url("not a url"), None);
    }

    #[test]
    fn the_clock_is_within_five_minutes_or_fails() {
        assert!(clock(-299).is_ok());
        assert!(clock(15_552_000).unwrap_err().contains("CAT-3"));
    }

    #[test]
    fn trustpoints_are_read_from_show_crypto_pki_trustpoints() {
        let shown = "Trustpoint SLA-TrustPoint:\n    Subject Name:\n    cn=Cisco Licensing Root CA\nTrustpoint SATELLITE-CA:\n";
        assert!(trustpoints(&["SATELLITE-CA".into()], shown).is_ok());
        assert_eq!(
            trustpoints(&["ONPREM".into()], shown),
            Err("missing: ONPREM".into())
        );
    }
}
