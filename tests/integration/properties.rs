//! Property tests: random valid intents through the real validation, templates and diff.
//!
//! Every intent here starts as YAML text (a host's vars: platform, os_version,
//! `smart_licensing {…}`) built from generated parts and goes through
//! `yaml::load_str` + `intent::resolve_host`, so a generator bug cannot smuggle in an
//! intent the validation would refuse: a generated "valid" host that does not resolve
//! fails the test. The properties:
//!
//! * (a) a rendered config diffed against itself as the running config is converged (no
//!   command, empty unified diff), and so is the after view of a blank device's plan
//!   (apply twice, as Ansible's integration tests do);
//! * (b) it is also converged against the same config as a device prints it: only the
//!   normalisations the dialects claim to understand (`platform::{ios_xe,nx_os}::DIALECT`,
//!   `tests/golden/diff/*converged*`): hidden defaults absent, quotes dropped, name
//!   servers of one VRF joined on one line, `ip domain-lookup` spelling, output
//!   decoration, comments, device line order, unrelated config, CRLF. The whole offline
//!   plan of the host (`plan::plan_host`) is then unchanged too;
//! * (c) no generated line (desired config, commands) holds a control character, and no
//!   command holds a line break, for any accepted intent;
//! * (d) hostile strings (line breaks, control characters, `!`/`#` starts, quotes, `?`)
//!   in any string field are refused with an error naming that field, never a host.
//!
//! Besides: a plan's after view is converged whatever the device held before (another
//! intent's config), and two checks keep the generators honest (coverage of every
//! platform × model × transport; each injection base is valid with a harmless value).
//!
//! NX-OS templates refuse some Using Policy intents that validation accepts (no verified
//! command: proxy, a VRF for smart/CSLU transport, a non-default smart URL; see
//! `templates/nx-os/policy.j2`): those cases are skipped with `prop_assume!`. A template
//! refusal anywhere else fails the test, as it is a gap between validation and templates.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestRunner;
use smartlic::config::{Line, Tree, diff, unified};
use smartlic::intent::{
    CSSM_CALLHOME_URL, CSSM_SMART_URL, HostVars, Intent, ResolveOptions, resolve_host,
};
use smartlic::plan::plan_host;
use smartlic::platform::{LicensingModel, Platform};
use smartlic::playbook::Step;
use smartlic::render::{RenderError, Templates};
use smartlic::source::Diagnostic;
use smartlic::targets::Target;
use smartlic::yaml::load_str;

/// Compiled once: the templates are the same for every case.
static TEMPLATES: LazyLock<Templates> = LazyLock::new(Templates::builtin);

/// Trustpoints need a readable PEM file; absolute, so it does not depend on the YAML's
/// own (made-up) path.
static PEM: LazyLock<PathBuf> = LazyLock::new(|| {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("inventory/example/files/lic-root.pem")
});

/// Enough cases to reach every platform × model × transport many times, few enough
/// to keep the debug-build suite fast. `PROPTEST_CASES=20000` runs a deeper search.
fn config() -> ProptestConfig {
    let default = ProptestConfig::default();
    let cases = match std::env::var_os("PROPTEST_CASES") {
        Some(_) => default.cases,
        None => 256,
    };
    // About one case in ten is an NX-OS refusal, skipped: allow that many rejects.
    ProptestConfig {
        cases,
        max_global_rejects: cases.max(1024),
        ..default
    }
}

// ---------------------------------------------------------------------------------------
// The generated host, as the parts its YAML is written from.

#[derive(Clone, Copy, Debug)]
struct Release {
    platform: Platform,
    model: LicensingModel,
    os_version: &'static str,
    /// `auto` would pick another model (APIC 5.2(4) and later is Using Policy, which is
    /// refused), so `licensing_model` must be written.
    explicit_model: bool,
}

const fn release(platform: Platform, model: LicensingModel, os_version: &'static str) -> Release {
    Release {
        platform,
        model,
        os_version,
        explicit_model: false,
    }
}

/// Versions either side of each boundary: IOS-XE 17.3.2 and NX-OS 10.2(1) start Smart
/// Licensing Using Policy; APIC is classic only.
const RELEASES: &[Release] = {
    use LicensingModel::{Classic, Policy};
    use Platform::{Apic, IosXe, NxOs};
    &[
        release(IosXe, Classic, "16.9.1"),
        release(IosXe, Classic, "16.12.5"),
        release(IosXe, Classic, "17.3.1a"),
        release(IosXe, Policy, "17.3.2"),
        release(IosXe, Policy, "17.03.02"),
        release(IosXe, Policy, "17.9.4a"),
        release(NxOs, Classic, "8.0(1)"),
        release(NxOs, Classic, "9.3(8)"),
        release(NxOs, Classic, "10.1(2)"),
        release(NxOs, Policy, "10.2(1)F"),
        release(NxOs, Policy, "10.2(5)"),
        release(NxOs, Policy, "10.4(3)F"),
        release(Apic, Classic, "3.2(1l)"),
        release(Apic, Classic, "4.2(7f)"),
        Release {
            explicit_model: true,
            ..release(Apic, Classic, "5.2(4e)")
        },
    ]
};

const CLASSIC_TRANSPORTS: &[&str] = &["direct", "proxy", "satellite", "transport-gateway"];
const POLICY_TRANSPORTS: &[&str] = &[
    "direct",
    "proxy",
    "satellite",
    "transport-gateway",
    "cslu",
    "off",
];
const REVOCATION: &[&str] = &["none", "crl", "ocsp"];

#[derive(Clone, Debug)]
struct Dns {
    servers: Vec<String>,
    domain_lookup: Option<bool>,
    hosts: BTreeMap<String, String>,
    exclusive: bool,
}

#[derive(Clone, Debug)]
struct Ntp {
    servers: Vec<String>,
    exclusive: bool,
}

#[derive(Clone, Debug)]
struct Trustpoint {
    name: String,
    ca_cert: bool,
    revocation_check: Option<&'static str>,
}

#[derive(Clone, Debug)]
struct HostSpec {
    release: Release,
    /// `platform: …` or one of Ansible's `ansible_network_os` spellings.
    platform_line: &'static str,
    /// `licensing_model` as written, if it is.
    model_key: Option<&'static str>,
    transport: &'static str,
    /// `direct` is the default: written or not.
    write_transport: bool,
    url: Option<String>,
    proxy: Option<(String, u16)>,
    vrf: Option<String>,
    source_interface: Option<String>,
    dns: Option<Dns>,
    ntp: Option<Ntp>,
    trustpoints: Vec<Trustpoint>,
    sla_revocation: Option<&'static str>,
    server_identity_check: Option<bool>,
    contact_email: Option<String>,
    profile: Option<String>,
}

impl HostSpec {
    /// The host's vars file. Every string is double-quoted with its non-printable
    /// characters escaped, so the YAML loader decides what each value is.
    fn yaml(&self) -> String {
        let mut sl: Vec<String> = Vec::new();
        if let Some(model) = self.model_key {
            sl.push(format!("licensing_model: {model}"));
        }
        if self.write_transport || self.transport != "direct" {
            sl.push(format!("transport: {}", self.transport));
        }
        if let Some(url) = &self.url {
            sl.push(format!("url: {}", quoted(url)));
        }
        if let Some((host, port)) = &self.proxy {
            sl.push(format!("proxy: {{host: {}, port: {port}}}", quoted(host)));
        }
        if let Some(vrf) = &self.vrf {
            sl.push(format!("vrf: {}", quoted(vrf)));
        }
        if let Some(interface) = &self.source_interface {
            sl.push(format!("source_interface: {}", quoted(interface)));
        }
        if let Some(dns) = &self.dns {
            sl.push("dns:".to_string());
            sl.push(format!("  servers: {}", quoted_list(&dns.servers)));
            if let Some(lookup) = dns.domain_lookup {
                sl.push(format!("  domain_lookup: {lookup}"));
            }
            let hosts: Vec<String> = dns
                .hosts
                .iter()
                .map(|(name, address)| format!("{}: {}", quoted(name), quoted(address)))
                .collect();
            sl.push(format!("  hosts: {{{}}}", hosts.join(", ")));
            sl.push(format!("  exclusive: {}", dns.exclusive));
        }
        if let Some(ntp) = &self.ntp {
            sl.push(format!(
                "ntp: {{servers: {}, exclusive: {}}}",
                quoted_list(&ntp.servers),
                ntp.exclusive
            ));
        }
        if !self.trustpoints.is_empty() {
            sl.push("trustpoints:".to_string());
            for tp in &self.trustpoints {
                sl.push(format!("  - name: {}", quoted(&tp.name)));
                if tp.ca_cert {
                    let pem = PEM.to_str().expect("the repository path is UTF-8");
                    sl.push(format!("    ca_cert: {}", quoted(pem)));
                }
                if let Some(check) = tp.revocation_check {
                    sl.push(format!("    revocation_check: {check}"));
                }
            }
        }
        if let Some(check) = self.sla_revocation {
            sl.push(format!("sla_trustpoint_revocation_check: {check}"));
        }
        if let Some(check) = self.server_identity_check {
            sl.push(format!("server_identity_check: {check}"));
        }
        if let Some(email) = &self.contact_email {
            sl.push(format!("contact_email: {}", quoted(email)));
        }
        if let Some(profile) = &self.profile {
            sl.push(format!("profile: {}", quoted(profile)));
        }
        let mut yaml = format!(
            "{}\nos_version: {}\n",
            self.platform_line,
            quoted(self.release.os_version)
        );
        if sl.is_empty() {
            yaml.push_str("smart_licensing: {}\n");
        } else {
            yaml.push_str("smart_licensing:\n");
            for line in sl {
                let _ = writeln!(yaml, "  {line}");
            }
        }
        yaml
    }
}

/// `text` as a YAML double-quoted scalar, only printable ASCII left unescaped.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

fn quoted_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", items.join(", "))
}

// ---------------------------------------------------------------------------------------
// Strategies.

/// Any name the validation accepts for its kind (`check::NameKind`): ASCII letters,
/// digits and the kind's punctuation; or a realistic name. Both must hold every property.
fn name(punctuation: &str, max_len: usize) -> BoxedStrategy<String> {
    let realistic = select(vec![
        "Mgmt-vrf",
        "management",
        "mgmt0",
        "GigabitEthernet0/0",
        "TenGigabitEthernet1/0/1.100",
        "Vlan100",
        "Loopback0",
        "LIC",
    ])
    .prop_filter("fits the kind", move |w| w.len() <= max_len)
    .prop_filter("only the kind's punctuation", {
        let punctuation = punctuation.to_string();
        move |w| {
            w.chars()
                .all(|c| c.is_ascii_alphanumeric() || punctuation.contains(c))
        }
    })
    .prop_map(String::from);
    // `-` last in the class, where it is itself.
    let others: String = punctuation.chars().filter(|c| *c != '-').collect();
    let dash = if punctuation.contains('-') { "-" } else { "" };
    let class = format!("[A-Za-z0-9{others}{dash}]");
    let any_name = format!("{class}{{1,{max_len}}}");
    prop_oneof![
        realistic,
        proptest::string::string_regex(&any_name).expect("a valid regex"),
    ]
    .boxed()
}

const VRF: &str = "-_.";
const INTERFACE: &str = "-_./";

/// An RFC 1123 label: no hyphen at either end.
fn label() -> &'static str {
    "[a-z]([a-z0-9-]{0,6}[a-z0-9])?"
}

/// A DNS name never under cisco.com (http:// to Cisco's cloud is refused by design).
fn dns_name() -> BoxedStrategy<String> {
    proptest::string::string_regex(&format!("({0}\\.){{0,2}}{0}\\.example\\.net", label()))
        .expect("a valid regex")
        .boxed()
}

fn ipv4() -> BoxedStrategy<String> {
    any::<[u8; 4]>()
        .prop_map(|octets| Ipv4Addr::from(octets).to_string())
        .boxed()
}

fn ipv6() -> BoxedStrategy<String> {
    any::<[u16; 8]>()
        .prop_map(|segments| Ipv6Addr::from(segments).to_string())
        .boxed()
}

fn ip() -> BoxedStrategy<String> {
    prop_oneof![3 => ipv4(), 1 => ipv6()].boxed()
}

/// A host name or address; APIC has no IPv6 ([CAT-TS] [NX-TS] [ACI-SL]).
fn host(platform: Platform) -> BoxedStrategy<String> {
    let bare = proptest::string::string_regex(label()).expect("a valid regex");
    if platform == Platform::Apic {
        prop_oneof![dns_name(), ipv4()].boxed()
    } else {
        prop_oneof![dns_name(), bare, ipv4(), ipv6()].boxed()
    }
}

/// A URL's authority: host (IPv6 in brackets) and optional port.
fn authority(platform: Platform, port_required: bool) -> BoxedStrategy<String> {
    let port = if port_required {
        (1u16..=65535).prop_map(Some).boxed()
    } else {
        option::of(1u16..=65535).boxed()
    };
    (host(platform), port)
        .prop_map(|(host, port)| {
            let host = if host.contains(':') {
                format!("[{host}]")
            } else {
                host
            };
            match port {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        })
        .boxed()
}

fn scheme() -> impl Strategy<Value = &'static str> {
    prop_oneof![3 => Just("https"), 1 => Just("http")]
}

/// The destination as written: omitted (the default), the default spelled out, or one
/// Cisco's URL rules accept for the transport ([CAT-TS], [RTR-CMD]).
fn url(
    platform: Platform,
    model: LicensingModel,
    transport: &str,
) -> BoxedStrategy<Option<String>> {
    let onprem = |port_required| {
        (scheme(), authority(platform, port_required))
            .prop_map(|(scheme, authority)| {
                Some(format!(
                    "{scheme}://{authority}/Transportgateway/services/DeviceRequestHandler"
                ))
            })
            .boxed()
    };
    match (transport, model) {
        // Ignored with a warning.
        ("off", _) => prop_oneof![
            Just(None),
            Just(Some("https://cslu.example.net/cslu/v1/pi".to_string()))
        ]
        .boxed(),
        ("direct" | "proxy", _) => {
            let default = match model {
                LicensingModel::Classic => CSSM_CALLHOME_URL,
                LicensingModel::Policy => CSSM_SMART_URL,
            };
            let custom = (
                scheme(),
                authority(platform, false),
                proptest::string::string_regex("(/[A-Za-z0-9._~-]{1,8}){0,3}")
                    .expect("a valid regex"),
            )
                .prop_map(|(scheme, authority, path)| {
                    Some(format!("{scheme}://{authority}{path}"))
                });
            prop_oneof![Just(None), Just(Some(default.to_string())), custom].boxed()
        }
        ("satellite", LicensingModel::Classic) => onprem(false),
        ("transport-gateway", _) => onprem(true),
        ("satellite" | "cslu", LicensingModel::Policy) => (
            scheme(),
            authority(platform, false),
            option::of("[A-Za-z0-9_-]{1,12}"),
        )
            .prop_map(|(scheme, authority, account)| {
                let account = account.map(|a| format!("/{a}")).unwrap_or_default();
                Some(format!("{scheme}://{authority}/cslu/v1/pi{account}"))
            })
            .boxed(),
        other => unreachable!("no transport {other:?} for the generator"),
    }
}

fn dns() -> BoxedStrategy<Dns> {
    (
        vec(ip(), 0..4),
        option::of(any::<bool>()),
        btree_map(dns_name(), ip(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(servers, domain_lookup, hosts, exclusive)| Dns {
            // `exclusive` with no server would remove them all: refused by validation.
            exclusive: exclusive && !servers.is_empty(),
            servers,
            domain_lookup,
            hosts,
        })
        .boxed()
}

fn ntp(platform: Platform) -> BoxedStrategy<Ntp> {
    (vec(host(platform), 0..4), any::<bool>())
        .prop_map(|(servers, exclusive)| Ntp { servers, exclusive })
        .boxed()
}

fn trustpoints() -> BoxedStrategy<Vec<Trustpoint>> {
    let name = name(VRF, 64).prop_filter("SLA-TrustPoint is Cisco's own", |n| {
        !n.eq_ignore_ascii_case("SLA-TrustPoint")
    });
    btree_map(name, (any::<bool>(), option::of(select(REVOCATION))), 0..3)
        .prop_map(|tps| {
            tps.into_iter()
                .map(|(name, (ca_cert, revocation_check))| Trustpoint {
                    name,
                    ca_cert,
                    revocation_check,
                })
                .collect()
        })
        .boxed()
}

fn email() -> BoxedStrategy<String> {
    // The local part: no dot at either end, none doubled (`check::email_problem`).
    let local = "[a-z0-9_+-]([a-z0-9._+-]{0,8}[a-z0-9_+-])?";
    proptest::string::string_regex(&format!("{local}@{}\\.example\\.com", label()))
        .expect("a valid regex")
        .prop_filter("no double dot", |e| !e.contains(".."))
        .boxed()
}

/// `Some(strategy)` where the platform has the setting, else never set.
fn only_if<T: Clone + std::fmt::Debug + 'static>(
    supported: bool,
    strategy: BoxedStrategy<T>,
) -> BoxedStrategy<Option<T>> {
    if supported {
        option::of(strategy).boxed()
    } else {
        Just(None).boxed()
    }
}

fn platform_lines(platform: Platform) -> Vec<&'static str> {
    match platform {
        Platform::IosXe => vec![
            "platform: ios-xe",
            "ansible_network_os: cisco.ios.ios",
            "ansible_network_os: ios",
        ],
        Platform::NxOs => vec![
            "platform: nx-os",
            "ansible_network_os: cisco.nxos.nxos",
            "ansible_network_os: nxos",
        ],
        Platform::Apic => vec!["platform: apic"],
    }
}

fn model_keys(release: Release) -> Vec<Option<&'static str>> {
    let model = Some(release.model.name());
    if release.explicit_model {
        vec![model]
    } else {
        vec![None, Some("auto"), model]
    }
}

/// A valid host of any platform, model and transport, with any optional setting its
/// platform has.
fn host_spec() -> BoxedStrategy<HostSpec> {
    host_spec_among(RELEASES.to_vec())
}

/// Like [`host_spec`], on one platform.
fn host_spec_on(platform: Platform) -> BoxedStrategy<HostSpec> {
    host_spec_among(
        RELEASES
            .iter()
            .filter(|r| r.platform == platform)
            .copied()
            .collect(),
    )
}

fn host_spec_among(releases: Vec<Release>) -> BoxedStrategy<HostSpec> {
    select(releases)
        .prop_flat_map(|release| {
            let transports = match release.model {
                LicensingModel::Classic => CLASSIC_TRANSPORTS,
                LicensingModel::Policy => POLICY_TRANSPORTS,
            };
            (
                Just(release),
                select(platform_lines(release.platform)),
                select(model_keys(release)),
                select(transports),
            )
        })
        .prop_flat_map(|(release, platform_line, model_key, transport)| {
            let platform = release.platform;
            let ios = platform == Platform::IosXe;
            let not_apic = platform != Platform::Apic;
            let proxy = if transport == "proxy" {
                (host(platform), 1u16..=65535).prop_map(Some).boxed()
            } else {
                Just(None).boxed()
            };
            let head = (
                Just((release, platform_line, model_key, transport)),
                any::<bool>(),
                url(platform, release.model, transport),
                proxy,
            );
            let network = (
                only_if(not_apic, name(VRF, 32)),
                only_if(not_apic, name(INTERFACE, 64)),
                only_if(not_apic, dns()),
                only_if(not_apic, ntp(platform)),
            );
            // server_identity_check can only be turned off on IOS-XE ([CAT-TS]).
            let identity = if ios {
                option::of(any::<bool>()).boxed()
            } else {
                option::of(Just(true)).boxed()
            };
            let ios_only = (
                if ios {
                    trustpoints()
                } else {
                    Just(Vec::new()).boxed()
                },
                only_if(ios, select(REVOCATION).boxed()),
                identity,
                option::of(email()),
                only_if(
                    ios,
                    prop_oneof![Just("CiscoTAC-1".to_string()), name(VRF, 31)].boxed(),
                ),
            );
            (head, network, ios_only)
        })
        .prop_map(
            |(
                ((release, platform_line, model_key, transport), write_transport, url, proxy),
                (vrf, source_interface, dns, ntp),
                (trustpoints, sla_revocation, server_identity_check, contact_email, profile),
            )| HostSpec {
                release,
                platform_line,
                model_key,
                transport,
                write_transport,
                url,
                proxy,
                vrf,
                source_interface,
                dns,
                ntp,
                trustpoints,
                sla_revocation,
                server_identity_check,
                contact_email,
                profile,
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Validation and rendering, as the CLI does them.

fn resolve(yaml: &str, options: &ResolveOptions) -> (Option<HostVars>, Vec<Diagnostic>) {
    let node = load_str(Path::new("host_vars/prop-host.yml"), yaml.to_string())
        .unwrap_or_else(|d| panic!("generated YAML does not load: {d}\n{yaml}"));
    resolve_host("prop-host", &node, options)
}

/// With plain tokens allowed, a `token: VALUE` is refused for its content, not its form.
fn hostile_options() -> ResolveOptions {
    ResolveOptions {
        allow_plaintext_token: true,
    }
}

/// The host a valid spec must resolve to; a refusal is a generator or validation bug.
fn valid_host(spec: &HostSpec) -> Result<HostVars, TestCaseError> {
    let yaml = spec.yaml();
    let (host, diagnostics) = resolve(&yaml, &ResolveOptions::default());
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    let Some(host) = host else {
        return Err(TestCaseError::fail(format!(
            "a valid host was refused:\n{yaml}\n{}",
            errors.join("\n")
        )));
    };
    prop_assert_eq!(host.intent.platform, spec.release.platform);
    prop_assert_eq!(host.intent.licensing_model, spec.release.model);
    prop_assert_eq!(host.intent.transport.name(), spec.transport);
    Ok(host)
}

/// The NX-OS Using Policy intents `templates/nx-os/policy.j2` refuses: no verified
/// command for a proxy, for the VRF of smart/CSLU transport, or for a non-default
/// smart URL.
fn nx_os_policy_refuses(intent: &Intent) -> bool {
    intent.platform == Platform::NxOs
        && intent.licensing_model == LicensingModel::Policy
        && match intent.transport.name() {
            "proxy" => true,
            "direct" => intent.vrf.is_some() || intent.url.as_deref() != Some(CSSM_SMART_URL),
            "satellite" | "cslu" => intent.vrf.is_some(),
            _ => false,
        }
}

/// The rendered desired config; `None` for a known NX-OS refusal.
fn render(intent: &Intent) -> Result<Option<String>, TestCaseError> {
    let rendered = TEMPLATES.render(
        intent.platform.name(),
        intent.licensing_model.name(),
        intent,
    );
    match rendered {
        Ok(text) => Ok(Some(text)),
        Err(RenderError::Template { .. }) if nx_os_policy_refuses(intent) => Ok(None),
        Err(e) => Err(TestCaseError::fail(format!(
            "the templates refused a validated intent: {e}\n{intent:#?}"
        ))),
    }
}

fn shows(text: &str) -> String {
    text.replace('\r', "\\r")
}

// ---------------------------------------------------------------------------------------
// The running config as a device prints it.

/// How a device prints a config: the variations the dialects claim to understand.
#[derive(Clone, Debug)]
struct DeviceStyle {
    /// `profile "CiscoTAC-1"` printed `profile CiscoTAC-1` (and other quoted words).
    unquote: bool,
    /// IOS `ip domain-lookup` instead of `ip domain lookup`.
    hyphenated_lookup: bool,
    /// All name servers of a VRF on one line.
    join_name_servers: bool,
    /// Header, `!` separators, comments, unrelated config.
    decorate: bool,
    crlf: bool,
    /// Sort keys for the top-level lines: the device's order, not the template's.
    order: Vec<u8>,
}

fn device_style() -> impl Strategy<Value = DeviceStyle> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        vec(any::<u8>(), 32),
    )
        .prop_map(
            |(unquote, hyphenated_lookup, join_name_servers, decorate, crlf, order)| DeviceStyle {
                unquote,
                hyphenated_lookup,
                join_name_servers,
                decorate,
                crlf,
                order,
            },
        )
}

/// `show running-config` of a device already configured as `desired`.
fn device_view(intent: &Intent, desired: &str, style: &DeviceStyle) -> String {
    let dialect = intent.platform.dialect();
    let mut lines = Tree::parse(desired, dialect).lines;
    match intent.platform {
        Platform::IosXe => ios_xe_view(&mut lines, style),
        Platform::NxOs => nx_os_view(&mut lines, style),
        Platform::Apic => {}
    }
    // A device prints each setting once (a server listed twice in the intent).
    let mut seen: Vec<Line> = Vec::new();
    lines.retain(|line| {
        let fresh = !seen.contains(line);
        seen.push(line.clone());
        fresh
    });
    if style.join_name_servers {
        lines = join_name_servers(intent.platform, lines);
    }
    if style.decorate {
        lines.extend(unrelated_config(intent.platform));
    }
    let mut keyed: Vec<(u8, usize, Line)> = lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| (style.order[i % style.order.len()], i, line))
        .collect();
    keyed.sort_by_key(|(key, i, _)| (*key, *i));
    let separator = match (intent.platform, style.decorate) {
        (Platform::IosXe, true) => "!\n",
        (_, true) => "\n",
        _ => "",
    };
    let blocks: Vec<String> = keyed
        .into_iter()
        .map(|(_, _, line)| Tree { lines: vec![line] }.render(dialect.indent))
        .collect();
    let mut text = String::new();
    if style.decorate {
        text.push_str(header(intent.platform));
    }
    text.push_str(&blocks.join(separator));
    if style.decorate && intent.platform == Platform::IosXe {
        text.push_str("!\nend\n");
    }
    if style.crlf {
        text = text.replace('\n', "\r\n");
    }
    text
}

fn ios_xe_view(lines: &mut [Line], style: &DeviceStyle) {
    for line in lines.iter_mut() {
        if line.text == "call-home" {
            // Defaults `show running-config` does not print (real configs, docs/platform-notes.md; [CAT-TS]).
            line.children
                .retain(|c| c.text != "http secure server-identity-check");
            for child in &mut line.children {
                if child.text == "profile \"CiscoTAC-1\"" {
                    child.children.retain(|c| {
                        c.text
                            != "destination address http https://tools.cisco.com/its/service/oddce/services/DDCEService"
                    });
                }
            }
            if style.decorate {
                line.children.insert(0, Line::leaf("! If contact email address in call-home is configured as sch-smart-licensing@cisco.com"));
            }
        }
        if style.decorate && line.text == "crypto pki trustpoint SLA-TrustPoint" {
            line.children.insert(0, Line::leaf("enrollment pkcs12"));
        }
        if style.hyphenated_lookup {
            for (from, to) in [
                ("ip domain lookup", "ip domain-lookup"),
                ("no ip domain lookup", "no ip domain-lookup"),
            ] {
                if line.text == from || line.text.starts_with(&format!("{from} ")) {
                    line.text = format!("{to}{}", &line.text[from.len()..]);
                }
            }
        }
        if style.unquote {
            unquote(line);
        }
    }
}

/// `profile "X"` → `profile X`, at any depth.
fn unquote(line: &mut Line) {
    line.text = line
        .text
        .split(' ')
        .map(|w| {
            w.strip_prefix('"')
                .and_then(|w| w.strip_suffix('"'))
                .unwrap_or(w)
        })
        .collect::<Vec<_>>()
        .join(" ");
    line.children.iter_mut().for_each(unquote);
}

fn nx_os_view(lines: &mut [Line], style: &DeviceStyle) {
    if !style.decorate {
        return;
    }
    for line in lines.iter_mut() {
        if line.text == "callhome" {
            // Default markers NX-OS prints inside callhome ([NX-TS]; corpus).
            line.children.insert(
                1,
                Line::leaf("!#destination-profile CiscoTAC-1 message-level 0"),
            );
            line.children
                .push(Line::leaf("!#destination-profile full_txt message-level 0"));
        }
    }
}

/// IOS-XE `ip name-server [vrf V] A B …`, NX-OS `ip name-server A B … [use-vrf V]`:
/// one line per VRF, where the first of them stood.
fn join_name_servers(platform: Platform, lines: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut groups: Vec<(String, usize, Vec<String>)> = Vec::new();
    for line in lines {
        let words: Vec<&str> = line.text.split(' ').collect();
        let parsed = match (platform, words.as_slice()) {
            (Platform::IosXe, ["ip", "name-server", "vrf", vrf, server]) => {
                Some((format!("vrf {vrf}"), *server))
            }
            (Platform::NxOs, ["ip", "name-server", server, "use-vrf", vrf]) => {
                Some((format!("use-vrf {vrf}"), *server))
            }
            (_, ["ip", "name-server", server]) => Some((String::new(), *server)),
            _ => None,
        };
        let Some((vrf, server)) = parsed else {
            out.push(line);
            continue;
        };
        let server = server.to_string();
        match groups.iter_mut().find(|(v, _, _)| *v == vrf) {
            Some((_, _, servers)) => servers.push(server),
            None => {
                groups.push((vrf, out.len(), vec![server]));
                out.push(Line::leaf(""));
            }
        }
    }
    for (vrf, index, servers) in groups {
        let servers = servers.join(" ");
        out[index].text = match (platform, vrf.is_empty()) {
            (_, true) => format!("ip name-server {servers}"),
            (Platform::NxOs, false) => format!("ip name-server {servers} {vrf}"),
            _ => format!("ip name-server {vrf} {servers}"),
        };
    }
    out
}

fn header(platform: Platform) -> &'static str {
    match platform {
        Platform::IosXe => {
            "Building configuration...\n\nCurrent configuration : 9876 bytes\n!\n! Last configuration change at 10:12:44 UTC Mon Mar 3 2025 by admin\n!\nversion 17.3\n"
        }
        Platform::NxOs => {
            "switch# show running-config\n\n!Command: show running-config\n!Running configuration last done at: Wed Jun 22 16:14:37 2022\n!Time: Wed Jun 22 16:16:28 2022\n\nversion 9.3(5) Bios:version 07.68\n"
        }
        Platform::Apic => "! APIC running configuration\n\n",
    }
}

/// Config a device holds that smartlic does not manage.
fn unrelated_config(platform: Platform) -> Vec<Line> {
    let block = |text: &str, children: &[&str]| Line {
        text: text.to_string(),
        children: children.iter().map(|c| Line::leaf(*c)).collect(),
    };
    match platform {
        Platform::IosXe => vec![
            block("hostname c9300-access-01", &[]),
            block("ip domain name example.net", &[]),
            block("ip http server", &[]),
            block(
                "interface GigabitEthernet0/0",
                &[
                    "vrf forwarding Mgmt-vrf",
                    "ip address 192.0.2.20 255.255.255.0",
                ],
            ),
            block("line con 0", &["stopbits 1"]),
        ],
        Platform::NxOs => vec![
            block("hostname n9k-leaf-01", &[]),
            block("feature nxapi", &[]),
            block(
                "interface mgmt0",
                &["vrf member management", "ip address 192.0.2.10/24"],
            ),
        ],
        Platform::Apic => vec![block("system default-interface-policy", &[])],
    }
}

/// What IOS-XE shows once a trustpoint's CA is imported: without it the plan would
/// (rightly) import the certificate again.
fn certificate_chains(intent: &Intent) -> String {
    let mut text = String::new();
    for tp in intent.trustpoints.iter().filter(|tp| tp.ca_cert.is_some()) {
        let _ = write!(
            text,
            "crypto pki certificate chain {}\n certificate ca 01\n  30820321 30820209 A0030201 02020101\n  quit\n",
            tp.name
        );
    }
    text
}

fn control_characters(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Every string in the intent as it is serialised for the templates.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// (d) Hostile strings.

/// One string field and a host that is valid except for it (`@BAD@`).
#[derive(Debug)]
struct Injection {
    yaml: &'static str,
    /// The field the error must name; `@BAD@` is the value itself for a mapping key.
    field: &'static str,
    /// A value the field accepts (`@PEM@`: the example CA file), to show the base is valid.
    harmless: &'static str,
}

/// The host each injection starts from.
macro_rules! base {
    (IOS_CLASSIC) => {
        "platform: ios-xe\nos_version: 16.12.5\nsmart_licensing:\n"
    };
    (IOS_POLICY) => {
        "platform: ios-xe\nos_version: 17.9.4a\nsmart_licensing:\n"
    };
    (NX_CLASSIC) => {
        "platform: nx-os\nos_version: 9.3(8)\nsmart_licensing:\n"
    };
    (NX_POLICY) => {
        "platform: nx-os\nos_version: 10.2(5)\nsmart_licensing:\n"
    };
    (APIC) => {
        "platform: apic\nos_version: 4.2(7f)\nsmart_licensing:\n"
    };
}

macro_rules! injections {
    ($($base:ident $sl:literal => $field:literal, $harmless:literal;)*) => {
        &[$(Injection { yaml: concat!(base!($base), $sl), field: $field, harmless: $harmless }),*]
    };
}

/// Every string-valued field of `smart_licensing`, on each platform that has it, plus
/// the host vars validated as command words. `token.file` is left out on purpose: a
/// local path smartlic reads, never typed on a device.
const INJECTIONS: &[Injection] = injections![
    IOS_CLASSIC "  licensing_model: @BAD@\n" => "smart_licensing.licensing_model", "auto";
    IOS_CLASSIC "  transport: @BAD@\n" => "smart_licensing.transport", "direct";
    IOS_CLASSIC "  url: @BAD@\n" => "smart_licensing.url", "https://tools.cisco.com/its/service/oddce/services/DDCEService";
    IOS_CLASSIC "  transport: satellite\n  url: @BAD@\n" => "smart_licensing.url", "https://sat.example.net/Transportgateway/services/DeviceRequestHandler";
    IOS_CLASSIC "  transport: proxy\n  proxy: {host: @BAD@, port: 3128}\n" => "smart_licensing.proxy.host", "proxy.example.net";
    IOS_CLASSIC "  vrf: @BAD@\n" => "smart_licensing.vrf", "Mgmt-vrf";
    IOS_CLASSIC "  source_interface: @BAD@\n" => "smart_licensing.source_interface", "GigabitEthernet0/0";
    IOS_CLASSIC "  dns: {servers: [192.0.2.53, @BAD@]}\n" => "smart_licensing.dns.servers[1]", "192.0.2.54";
    IOS_CLASSIC "  dns: {hosts: {tools.cisco.com: @BAD@}}\n" => "smart_licensing.dns.hosts.tools.cisco.com", "192.0.2.10";
    IOS_CLASSIC "  dns: {hosts: {@BAD@: 192.0.2.10}}\n" => "smart_licensing.dns.hosts.@BAD@", "tools.cisco.com";
    IOS_CLASSIC "  ntp: {servers: [@BAD@]}\n" => "smart_licensing.ntp.servers[0]", "ntp.example.net";
    IOS_CLASSIC "  trustpoints: [{name: @BAD@}]\n" => "smart_licensing.trustpoints[0].name", "LicRoot";
    IOS_CLASSIC "  trustpoints: [{name: LicRoot, ca_cert: @BAD@}]\n" => "smart_licensing.trustpoints[0].ca_cert", "@PEM@";
    IOS_CLASSIC "  trustpoints: [{name: LicRoot, revocation_check: @BAD@}]\n" => "smart_licensing.trustpoints[0].revocation_check", "crl";
    IOS_CLASSIC "  sla_trustpoint_revocation_check: @BAD@\n" => "smart_licensing.sla_trustpoint_revocation_check", "none";
    IOS_CLASSIC "  server_identity_check: @BAD@\n" => "smart_licensing.server_identity_check", "@TRUE@";
    IOS_CLASSIC "  contact_email: @BAD@\n" => "smart_licensing.contact_email", "noc@example.net";
    IOS_CLASSIC "  profile: @BAD@\n" => "smart_licensing.profile", "LIC";
    IOS_CLASSIC "  token: @BAD@\n" => "smart_licensing.token", "NjQ0ZmE5YzYtYjQ";
    IOS_CLASSIC "  token: {env: @BAD@}\n" => "smart_licensing.token.env", "SMARTLIC_TOKEN";
    IOS_CLASSIC "  force: @BAD@\n" => "smart_licensing.force", "@TRUE@";
    IOS_CLASSIC "  save: @BAD@\n" => "smart_licensing.save", "@TRUE@";
    IOS_CLASSIC "  expect: {registration: @BAD@}\n" => "smart_licensing.expect.registration", "UNREGISTERED";
    IOS_CLASSIC "  expect: {authorization: @BAD@}\n" => "smart_licensing.expect.authorization", "EVAL";
    IOS_CLASSIC "  expect: {timeout: @BAD@}\n" => "smart_licensing.expect.timeout", "1h30m";
    IOS_CLASSIC "  {}\nansible_host: @BAD@\n" => "ansible_host", "192.0.2.11";
    IOS_POLICY "  trust_scope: @BAD@\n" => "smart_licensing.trust_scope", "all";
    IOS_POLICY "  transport: cslu\n  url: @BAD@\n" => "smart_licensing.url", "http://cslu.example.net:8182/cslu/v1/pi";
    IOS_POLICY "  transport: transport-gateway\n  url: @BAD@\n" => "smart_licensing.url", "https://tg.example.net:8443/Transportgateway/services/DeviceRequestHandler";
    IOS_POLICY "  vrf: @BAD@\n" => "smart_licensing.vrf", "Mgmt-vrf";
    NX_CLASSIC "  url: @BAD@\n" => "smart_licensing.url", "https://tools.cisco.com/its/service/oddce/services/DDCEService";
    NX_CLASSIC "  transport: proxy\n  proxy: {host: @BAD@, port: 8080}\n" => "smart_licensing.proxy.host", "192.0.2.8";
    NX_CLASSIC "  vrf: @BAD@\n" => "smart_licensing.vrf", "management";
    NX_CLASSIC "  source_interface: @BAD@\n" => "smart_licensing.source_interface", "mgmt0";
    NX_CLASSIC "  dns: {servers: [@BAD@]}\n" => "smart_licensing.dns.servers[0]", "2001:db8::53";
    NX_CLASSIC "  ntp: {servers: [198.51.100.123, @BAD@]}\n" => "smart_licensing.ntp.servers[1]", "ntp2";
    NX_CLASSIC "  contact_email: @BAD@\n" => "smart_licensing.contact_email", "noc@example.net";
    NX_POLICY "  transport: cslu\n  url: @BAD@\n" => "smart_licensing.url", "https://cslu.example.net/cslu/v1/pi/ACME";
    NX_POLICY "  transport: transport-gateway\n  url: @BAD@\n" => "smart_licensing.url", "https://tg.example.net:8443/Transportgateway/services/DeviceRequestHandler";
    APIC "  transport: @BAD@\n" => "smart_licensing.transport", "proxy\n  proxy: {host: p.example.net, port: 80}";
    APIC "  transport: satellite\n  url: @BAD@\n" => "smart_licensing.url", "https://198.51.100.5/Transportgateway/services/DeviceRequestHandler";
    APIC "  transport: proxy\n  proxy: {host: @BAD@, port: 3128}\n" => "smart_licensing.proxy.host", "proxy.example.net";
    APIC "  contact_email: @BAD@\n" => "smart_licensing.contact_email", "noc@example.net";
];

/// A string that must never reach a device command line: a line break, carriage return
/// or other control character (C0, DEL, C1, an ANSI escape) anywhere, a second command,
/// a quote, `?`, or a leading `!`/`#`; around text that looks like a real value.
fn hostile() -> impl Strategy<Value = String> {
    let plain = "[A-Za-z0-9./:@-]{0,12}";
    let breaker = prop_oneof![
        Just("\n".to_string()),
        Just("\r".to_string()),
        Just("\r\n".to_string()),
        Just("\nend\nno service call-home\n".to_string()),
        Just("\r\nexit\r\nno license smart transport".to_string()),
        Just("\u{1b}[2J".to_string()),
        (0u8..0x20).prop_map(|b| char::from(b).to_string()),
        Just("\u{7f}".to_string()),
        Just("\u{85}".to_string()),
        Just("\u{9b}".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("?".to_string()),
    ];
    prop_oneof![
        4 => (plain, breaker, plain).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
        1 => (select(vec!['!', '#']), plain).prop_map(|(c, rest)| format!("{c}{rest}")),
    ]
}

// ---------------------------------------------------------------------------------------
// The properties.

proptest! {
    #![proptest_config(config())]

    /// (a) Rendered config against itself as running: converged. And applying a blank
    /// device's plan, then planning again: converged (the after view is what the device
    /// shows next).
    #[test]
    fn a_render_is_converged_with_itself(spec in host_spec()) {
        let intent = valid_host(&spec)?.intent;
        let desired = render(&intent)?;
        prop_assume!(desired.is_some(), "nx-os refuses this policy intent");
        let desired = desired.unwrap_or_default();
        let dialect = intent.platform.dialect();
        let exclusive = intent.platform.exclusive_prefixes(&intent);
        let desired_tree = Tree::parse(&desired, dialect);

        let own = diff(dialect, &desired_tree, &Tree::parse(&desired, dialect), &exclusive);
        prop_assert!(own.commands.is_empty(), "commands {:?}\nfor\n{}", own.commands, desired);
        prop_assert_eq!(unified(&own.before, &own.after, "running", "after"), "");

        let blank = diff(dialect, &desired_tree, &Tree::default(), &exclusive);
        prop_assert!(!blank.commands.is_empty(), "a blank device needs configuring:\n{}", desired);
        let again = diff(dialect, &desired_tree, &Tree::parse(&blank.after, dialect), &exclusive);
        prop_assert!(
            again.commands.is_empty(),
            "second plan {:?}\nafter view\n{}\nfor\n{}", again.commands, blank.after, desired
        );
    }

    /// (b) Against the same config as a device prints it: converged, and the host's whole
    /// offline plan is unchanged.
    #[test]
    fn b_device_output_of_the_render_is_converged(spec in host_spec(), style in device_style()) {
        let host = valid_host(&spec)?;
        let desired = render(&host.intent)?;
        prop_assume!(desired.is_some(), "nx-os refuses this policy intent");
        let desired = desired.unwrap_or_default();
        let intent = &host.intent;
        let dialect = intent.platform.dialect();
        let running = device_view(intent, &desired, &style) + &certificate_chains(intent);

        let result = diff(
            dialect,
            &Tree::parse(&desired, dialect),
            &Tree::parse(&running, dialect),
            &intent.platform.exclusive_prefixes(intent),
        );
        prop_assert!(
            result.commands.is_empty(),
            "commands {:?}\ndesired\n{}\nrunning\n{}", result.commands, desired, shows(&running)
        );
        prop_assert_eq!(unified(&result.before, &result.after, "running", "after"), "");

        let target = Target {
            play: "properties".to_string(),
            steps: vec![Step::Configure],
            host: host.clone(),
            desired: desired.clone(),
            model_choice: None,
        };
        let plan = plan_host(&target, Ok(running.clone()));
        prop_assert!(
            !plan.changed && plan.exec.is_empty() && plan.errors.is_empty(),
            "plan {:?}\ndesired\n{}\nrunning\n{}", plan, desired, shows(&running)
        );
    }

    /// (c) No control character in any value, desired line or command, and no line break
    /// inside a command, whatever the (accepted) intent and running config.
    #[test]
    fn c_generated_lines_hold_no_control_characters(spec in host_spec(), style in device_style()) {
        let intent = valid_host(&spec)?.intent;
        let mut values = Vec::new();
        strings(&serde_json::to_value(&intent).expect("an intent serialises"), &mut values);
        for value in &values {
            prop_assert!(!control_characters(value), "intent value {:?}", value);
        }
        let desired = render(&intent)?;
        prop_assume!(desired.is_some(), "nx-os refuses this policy intent");
        let desired = desired.unwrap_or_default();
        for line in desired.lines() {
            prop_assert!(!control_characters(line), "desired line {:?}", line);
        }
        let dialect = intent.platform.dialect();
        let exclusive = intent.platform.exclusive_prefixes(&intent);
        let desired_tree = Tree::parse(&desired, dialect);
        // A blank device gets every line as a command; a stale device (the render for
        // defaults, as printed) gets replacements and removals.
        let stale_intent = Intent { vrf: None, source_interface: None, ..intent.clone() };
        let stale = render(&stale_intent)?.unwrap_or_default();
        for running in [String::new(), device_view(&intent, &stale, &style)] {
            let result = diff(dialect, &desired_tree, &Tree::parse(&running, dialect), &exclusive);
            for command in &result.commands {
                prop_assert!(!control_characters(&command.text), "command {:?}", command.text);
            }
            for line in result.before.lines().chain(result.after.lines()) {
                prop_assert!(!control_characters(line), "plan view line {:?}", line);
            }
        }
    }

    /// A plan's after view is what the device shows once the commands are applied, so
    /// planning again against it finds nothing to do, whatever the device held before
    /// (here: another intent's config, as a device prints it).
    #[test]
    fn after_view_of_any_plan_is_converged(
        (spec, before) in select(Platform::ALL.to_vec())
            .prop_flat_map(|p| (host_spec_on(p), host_spec_on(p))),
        style in device_style(),
    ) {
        let intent = valid_host(&spec)?.intent;
        let previous = valid_host(&before)?.intent;
        let desired = render(&intent)?;
        let stale = render(&previous)?;
        prop_assume!(desired.is_some() && stale.is_some(), "nx-os refuses this policy intent");
        let desired = desired.unwrap_or_default();
        let running = device_view(&previous, &stale.unwrap_or_default(), &style);
        let dialect = intent.platform.dialect();
        let exclusive = intent.platform.exclusive_prefixes(&intent);
        let desired_tree = Tree::parse(&desired, dialect);
        let first = diff(dialect, &desired_tree, &Tree::parse(&running, dialect), &exclusive);
        let second = diff(dialect, &desired_tree, &Tree::parse(&first.after, dialect), &exclusive);
        prop_assert!(
            second.commands.is_empty(),
            "second plan {:?}\nfirst plan {:?}\nafter view\n{}\ndesired\n{}\nrunning\n{}",
            second.commands, first.commands, first.after, desired, shows(&running)
        );
    }

    /// (d) A hostile string in any string field: an error naming that field, no host.
    #[test]
    fn d_hostile_strings_are_refused_naming_the_field(
        injection in select(INJECTIONS.iter().collect::<Vec<_>>()),
        bad in hostile(),
    ) {
        let yaml = injection.yaml.replace("@BAD@", &quoted(&bad));
        let field = injection.field.replace("@BAD@", &bad);
        let (host, diagnostics) = resolve(&yaml, &hostile_options());
        prop_assert!(host.is_none(), "accepted {:?} in {}:\n{}", bad, field, yaml);
        prop_assert!(
            diagnostics.iter().any(|d| d.is_error() && d.field == field),
            "no error names {:?}:\n{}\n{:#?}", field, yaml, diagnostics
        );
    }
}

/// The generator reaches every platform × licensing model × transport Cisco's documents allow,
/// and the optional settings, through validation and the templates (a generator that
/// silently narrowed would make the properties above vacuous).
#[test]
fn generated_hosts_cover_every_platform_model_and_transport() {
    let mut runner = TestRunner::deterministic();
    let strategy = host_spec();
    let mut combinations = std::collections::BTreeSet::new();
    let mut features = std::collections::BTreeSet::new();
    for _ in 0..2000 {
        let spec = strategy
            .new_tree(&mut runner)
            .expect("the generator produces a value")
            .current();
        let intent = valid_host(&spec).unwrap_or_else(|e| panic!("{e}")).intent;
        if render(&intent).unwrap_or_else(|e| panic!("{e}")).is_none() {
            continue;
        }
        combinations.insert(format!(
            "{} {} {}",
            intent.platform,
            intent.licensing_model,
            intent.transport.name()
        ));
        let platform = intent.platform;
        for (feature, present) in [
            ("vrf", intent.vrf.is_some()),
            ("source_interface", intent.source_interface.is_some()),
            ("dns", intent.dns.is_some()),
            (
                "dns.exclusive",
                intent.dns.as_ref().is_some_and(|d| d.exclusive),
            ),
            ("ntp", intent.ntp.is_some()),
            (
                "trustpoint ca_cert",
                intent.trustpoints.iter().any(|t| t.ca_cert.is_some()),
            ),
            (
                "sla_trustpoint_revocation_check",
                intent.sla_trustpoint_revocation_check.is_some(),
            ),
            ("server_identity_check off", !intent.server_identity_check),
            ("profile", intent.profile != "CiscoTAC-1"),
            ("proxy", intent.proxy.is_some()),
        ] {
            if present {
                features.insert(format!("{platform} {feature}"));
            }
        }
    }
    let mut expected = std::collections::BTreeSet::new();
    for platform in Platform::ALL {
        let models: &[(&str, &[&str])] = match platform {
            Platform::Apic => &[("classic", CLASSIC_TRANSPORTS)],
            _ => &[
                ("classic", CLASSIC_TRANSPORTS),
                ("policy", POLICY_TRANSPORTS),
            ],
        };
        for (model, transports) in models {
            for transport in *transports {
                // NX-OS refuses every Using Policy proxy intent (templates/nx-os/policy.j2).
                if !(platform == Platform::NxOs && *model == "policy" && *transport == "proxy") {
                    expected.insert(format!("{platform} {model} {transport}"));
                }
            }
        }
    }
    assert_eq!(combinations, expected);
    for feature in [
        "ios-xe vrf",
        "ios-xe source_interface",
        "ios-xe dns.exclusive",
        "ios-xe ntp",
        "ios-xe trustpoint ca_cert",
        "ios-xe sla_trustpoint_revocation_check",
        "ios-xe server_identity_check off",
        "ios-xe profile",
        "ios-xe proxy",
        "nx-os vrf",
        "nx-os source_interface",
        "nx-os dns.exclusive",
        "nx-os ntp",
        "nx-os proxy",
        "apic proxy",
    ] {
        assert!(
            features.contains(feature),
            "never generated: {feature}; got {features:?}"
        );
    }
}

/// The injection table itself is sound: with a harmless value in place of `@BAD@`, each
/// base host resolves (so a refusal in (d) is caused by the hostile value alone).
#[test]
fn injection_bases_are_valid_with_a_harmless_value() {
    for injection in INJECTIONS {
        // Booleans and the nested APIC proxy are written plain; strings quoted.
        let value = match injection.harmless {
            "@TRUE@" => "true".to_string(),
            "@PEM@" => quoted(PEM.to_str().expect("the repository path is UTF-8")),
            plain if plain.contains('\n') => plain.to_string(),
            text => quoted(text),
        };
        let yaml = injection.yaml.replace("@BAD@", &value);
        let (host, diagnostics) = resolve(&yaml, &hostile_options());
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect();
        assert!(host.is_some(), "{yaml}\n{}", errors.join("\n"));
    }
}

proptest! {
    /// `--shard i/N` splits any set of host names into N parts that together are the whole
    /// set, with no host in two parts — whatever the names and their order.
    #[test]
    fn shards_partition_every_inventory(
        names in proptest::collection::btree_set("[a-z][a-z0-9.-]{0,20}", 0..200),
        count in 1u32..9,
    ) {
        let shards: Vec<smartlic::targets::Shard> = (1..=count)
            .map(|i| smartlic::targets::Shard::parse(&format!("{i}/{count}")).unwrap())
            .collect();
        for name in &names {
            let holders = shards.iter().filter(|s| s.holds(name)).count();
            prop_assert_eq!(holders, 1, "{} is in {} shards", name, holders);
        }
    }
}

#[test]
fn shard_specs_are_checked() {
    use smartlic::targets::Shard;
    assert!(Shard::parse("0/3").is_err());
    assert!(Shard::parse("4/3").is_err());
    assert!(Shard::parse("1/0").is_err());
    assert!(Shard::parse("x/2").is_err());
    assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
}

proptest! {
    /// The shard/merge contract: reports of every shard of a run, merged, give the run's
    /// recap and exit code, whatever the hosts and their outcomes.
    #[test]
    fn merged_shard_reports_equal_the_whole_run(
        outcomes in proptest::collection::btree_map(
            "[a-z][a-z0-9-]{0,12}",
            proptest::sample::select(vec!["ok", "changed", "failed", "unreachable"]),
            1..60,
        ),
        count in 1u32..6,
    ) {
        let host = |name: &String, result: &&str| serde_json::json!({
            "host": name, "outcome": {"result": result}
        });
        let report = |hosts: Vec<serde_json::Value>| serde_json::json!({
            "format_version": 1, "mode": "apply", "hosts": hosts, "recap": {}
        });
        let whole = report(outcomes.iter().map(|(n, r)| host(n, r)).collect());
        let shards: Vec<(String, serde_json::Value)> = (1..=count)
            .map(|i| {
                let shard = smartlic::targets::Shard::parse(&format!("{i}/{count}")).unwrap();
                let hosts = outcomes
                    .iter()
                    .filter(|(n, _)| shard.holds(n))
                    .map(|(n, r)| host(n, r))
                    .collect();
                (format!("shard {i}"), report(hosts))
            })
            .collect();
        let merged = smartlic::report::merge::merge(&shards).unwrap();
        let all = smartlic::report::merge::merge(&[("whole".into(), whole)]).unwrap();
        prop_assert_eq!(&merged["recap"], &all["recap"]);
        for detailed in [false, true] {
            prop_assert_eq!(
                smartlic::report::merge::exit_code(&merged, detailed),
                smartlic::report::merge::exit_code(&all, detailed)
            );
        }
        prop_assert_eq!(merged["hosts"].as_array().unwrap().len(), outcomes.len());
    }
}
