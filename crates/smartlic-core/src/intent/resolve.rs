//! From one host's merged variables to a typed, validated [`Intent`].
//!
//! Every rule here cites the source it enforces (docs/sources.md). Problems are collected, not
//! returned at the first: a user fixing an inventory sees all of them at once.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::check::{
    Checker, INTERFACE_NAME, PROFILE_NAME, TRUSTPOINT_NAME, VRF_NAME, email_problem, join,
    parse_duration,
};
use super::secret::{TokenSource, is_token_shaped};
use super::url::Url;
use super::*;
use crate::redact::Secret;
use crate::release::{Version, first_smart_licensing_release, model_of};
use crate::source::{Diagnostic, Origin};
use crate::yaml::{Node, Value};

/// The keys of the `smart_licensing` mapping.
pub fn smart_licensing_keys() -> &'static [&'static str] {
    &[
        "licensing_model",
        "transport",
        "url",
        "proxy",
        "vrf",
        "source_interface",
        "dns",
        "ntp",
        "trustpoints",
        "sla_trustpoint_revocation_check",
        "server_identity_check",
        "contact_email",
        "profile",
        "token",
        "force",
        "trust_scope",
        "save",
        "expect",
        "safety_net",
        "revert_timer",
    ]
}

const SL: &str = "smart_licensing";
const MAX_URL: usize = 255;

#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// Accept a token written as a plain value in a file.
    pub allow_plaintext_token: bool,
}

/// Everything smartlic reads from one host's variables.
#[derive(Clone, Debug)]
pub struct HostVars {
    pub name: String,
    /// Where the host is listed in the inventory, for messages about the host as a whole.
    pub origin: crate::source::Origin,
    pub os_version: Option<Version>,
    pub connection: Connection,
    pub intent: Intent,
}

/// Resolves and validates one host. Returns the host if there were no errors, and
/// every diagnostic (warnings too) either way. `vars` is the host's merged variables;
/// its own origin should be where the host is listed, for host-level messages.
pub fn resolve_host(
    name: &str,
    vars: &Node,
    options: &ResolveOptions,
) -> (Option<HostVars>, Vec<Diagnostic>) {
    let mut c = Checker::default();
    let host = resolve(&mut c, name, vars, options);
    let host = if c.has_errors() { None } else { host };
    (host, c.diagnostics)
}

fn resolve(c: &mut Checker, name: &str, vars: &Node, options: &ResolveOptions) -> Option<HostVars> {
    let platform = platform(c, vars)?;
    // `null` (e.g. `-e '{os_version: null}'`) clears a version set lower down.
    let os_version = match vars.get("os_version").filter(|n| !n.is_null()) {
        // An unreadable version was reported; deciding `auto` without it would only repeat that.
        Some(n) => Some(os_version(c, n, platform)?),
        None => None,
    };
    let connection = connection(c, name, vars);
    // Host-level problems point at the merged vars' origin: where the host is listed.
    let empty = Node::empty_map(vars.origin.clone());
    let sl = vars.get(SL).unwrap_or(&empty);
    if sl.is_null() {
        // Clearing the whole intent would leave a host in the play with nothing said
        // about it: refused, rather than guessing between "the defaults" and "leave it".
        c.push(
            Diagnostic::error(&sl.origin, SL, "is null, which would clear every setting")
                .with_help(
                    "to leave this host out, drop it from the play's `hosts` or use --limit; \
                     for every default, write `smart_licensing: {}`",
                ),
        );
        return None;
    }
    c.map(sl, SL, smart_licensing_keys())?;
    let model = licensing_model(c, sl, platform, os_version)?;
    let intent = intent(c, name, sl, platform, model, options);
    Some(HostVars {
        name: name.to_string(),
        origin: vars.origin.clone(),
        os_version,
        connection: connection?,
        intent: intent?,
    })
}

/// `platform: ios-xe | nx-os | apic`, or Ansible's `ansible_network_os`.
fn platform(c: &mut Checker, vars: &Node) -> Option<Platform> {
    let own = [
        ("ios-xe", Platform::IosXe),
        ("nx-os", Platform::NxOs),
        ("apic", Platform::Apic),
    ];
    let ansible = [
        ("cisco.ios.ios", Platform::IosXe),
        ("ios", Platform::IosXe),
        ("cisco.nxos.nxos", Platform::NxOs),
        ("nxos", Platform::NxOs),
    ];
    let declared = vars
        .get("platform")
        .map(|n| (n, c.choice(n, "platform", &own)));
    let from_ansible = vars
        .get("ansible_network_os")
        .map(|n| (n, c.choice(n, "ansible_network_os", &ansible)));
    match (declared, from_ansible) {
        (Some((_, Some(p))), Some((node, Some(a)))) if p != a => {
            c.error(
                node,
                "ansible_network_os",
                format!("says {a} but `platform` says {p}"),
            );
            None
        }
        (Some((_, p)), _) => p,
        (None, Some((_, a))) => a,
        (None, None) => {
            c.error(
                vars,
                "platform",
                "the host has no platform: set `platform: ios-xe | nx-os | apic` or `ansible_network_os`",
            );
            None
        }
    }
}

fn os_version(c: &mut Checker, node: &Node, platform: Platform) -> Option<Version> {
    let text = c.string(node, "os_version")?;
    if text.chars().any(char::is_control) {
        c.error(node, "os_version", "must not contain control characters");
        return None;
    }
    let Some(version) = Version::parse(&text) else {
        c.error(
            node,
            "os_version",
            format!(
                "cannot read `{text}` as a version of {platform} (e.g. 17.3.2, 9.3(3), 4.2(7f))"
            ),
        );
        return None;
    };
    let first = first_smart_licensing_release(platform);
    if version < first {
        c.error(
            node,
            "os_version",
            format!("{platform} {text} has no Smart Licensing; it starts with {first} (docs/sources.md [CAT-TS] [NX-TS] [ACI-SL])"),
        );
        return None;
    }
    Some(version)
}

fn licensing_model(
    c: &mut Checker,
    sl: &Node,
    platform: Platform,
    os_version: Option<Version>,
) -> Option<LicensingModel> {
    let choices = [
        ("classic", Some(LicensingModel::Classic)),
        ("policy", Some(LicensingModel::Policy)),
        ("auto", None),
    ];
    let field = join(SL, "licensing_model");
    let (declared, node) = match sl.get("licensing_model") {
        Some(node) => (c.choice(node, &field, &choices)?, node),
        None => (None, sl),
    };
    let model = match (declared, os_version) {
        (Some(model), _) => model,
        (None, Some(version)) => model_of(platform, version),
        (None, None) => {
            c.error(
                node,
                &field,
                "is `auto` but the host has no `os_version` to decide from offline",
            );
            return None;
        }
    };
    if platform == Platform::Apic && model == LicensingModel::Policy {
        c.error(
            node,
            &field,
            "APIC with Smart Licensing Using Policy (5.2(4) and later) is not supported yet",
        );
        return None;
    }
    Some(model)
}

fn connection(c: &mut Checker, name: &str, vars: &Node) -> Option<Connection> {
    let address = match vars.get("ansible_host") {
        Some(n) => c.host(n, "ansible_host")?,
        None => name.to_string(),
    };
    let port = match vars.get("ansible_port") {
        Some(n) => c.int(n, "ansible_port", 1, 65535)? as u16,
        None => 22,
    };
    let user = vars
        .get("ansible_user")
        .and_then(|n| c.string(n, "ansible_user"));
    let secret = |c: &mut Checker, keys: &[&str]| {
        let (key, node) = keys.iter().find_map(|k| vars.get(k).map(|n| (*k, n)))?;
        secret_value(c, node, key)
    };
    let path = |c: &mut Checker, key: &str| {
        vars.get(key).and_then(|n| {
            c.string(n, key)
                .map(|p| relative_to_origin(&n.origin, Path::new(&p)))
        })
    };
    let seconds = |c: &mut Checker, key: &str, default: u64| {
        vars.get(key)
            .and_then(|n| c.int(n, key, 1, 3600))
            .map_or(Duration::from_secs(default), |s| {
                Duration::from_secs(s as u64)
            })
    };
    Some(Connection {
        address,
        port,
        user,
        password: secret(c, &["ansible_password", "ansible_ssh_pass"]),
        private_key_file: path(c, "ansible_ssh_private_key_file"),
        private_key_passphrase: secret(c, &["smartlic_private_key_passphrase"]),
        enable_secret: secret(c, &["ansible_become_password", "ansible_become_pass"]),
        host_key_checking: host_key_checking(c, vars),
        known_hosts: path(c, "smartlic_known_hosts"),
        legacy_algorithms: vars
            .get("smartlic_ssh_legacy_algorithms")
            .and_then(|n| c.bool(n, "smartlic_ssh_legacy_algorithms"))
            .unwrap_or(false),
        connect_timeout: seconds(c, "ansible_connect_timeout", 15),
        command_timeout: seconds(c, "ansible_command_timeout", 30),
    })
}

/// An inline `!vault |` value, decrypted with the run's vault password.
fn vaulted(c: &mut Checker, node: &Node, field: &str) -> Option<Secret> {
    let text = node.scalar().unwrap_or_default();
    match crate::vault::open(text) {
        Ok(secret) => Some(secret),
        Err(e) => {
            c.error(node, field, e.to_string());
            None
        }
    }
}

/// `smartlic_host_key_checking: strict | accept-new | off`, or Ansible's boolean
/// `ansible_host_key_checking` (true = strict). Strict unless told otherwise.
fn host_key_checking(c: &mut Checker, vars: &Node) -> HostKeyPolicy {
    const FIELD: &str = "smartlic_host_key_checking";
    if let Some(node) = vars.get(FIELD) {
        let text = c.string(node, FIELD).unwrap_or_default();
        return HostKeyPolicy::parse(&text).unwrap_or_else(|| {
            c.error(
                node,
                FIELD,
                format!("`{text}` is not one of strict, accept-new, off"),
            );
            HostKeyPolicy::Strict
        });
    }
    match vars
        .get("ansible_host_key_checking")
        .and_then(|n| c.bool(n, "ansible_host_key_checking"))
    {
        Some(false) => HostKeyPolicy::Off,
        _ => HostKeyPolicy::Strict,
    }
}

/// A password-like value: a plain scalar (inventories commonly hold them, usually
/// vaulted), `{env: NAME}` read now, or `{file: PATH}` read now, so a missing secret
/// is an input error before any device is touched.
pub fn secret_value(c: &mut Checker, node: &Node, field: &str) -> Option<Secret> {
    if node.tag.as_deref() == Some("!vault") {
        return vaulted(c, node, field);
    }
    if let Value::Map(_) = &node.value {
        return match token_reference(c, node, field)? {
            TokenSource::Env(name) => match std::env::var(&name) {
                Ok(value) => Some(Secret::new(value)),
                Err(_) => {
                    c.error(
                        node,
                        field,
                        format!("environment variable {name} is not set"),
                    );
                    None
                }
            },
            TokenSource::File(path) => match crate::files::read(&path, crate::files::SECRET_FILE) {
                Ok(value) => Some(Secret::new(value.trim_end_matches(['\r', '\n']))),
                Err(e) => {
                    c.error(node, field, format!("cannot read {}: {e}", path.display()));
                    None
                }
            },
            TokenSource::Vault(_) | TokenSource::Literal(_) => None,
        };
    }
    let value = node.scalar().map(Secret::new);
    if value.is_none() && !node.is_null() {
        c.error(
            node,
            field,
            format!(
                "expected a string, {{env: NAME}}, {{file: PATH}} or a !vault value, found {}",
                node.kind()
            ),
        );
    }
    value
}

/// Reads the fields of `smart_licensing` for one host.
struct Fields<'a> {
    c: &'a mut Checker,
    sl: &'a Node,
    platform: Platform,
    model: LicensingModel,
}

impl<'a> Fields<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.sl.get(key).filter(|n| !n.is_null())
    }

    /// Reads `key` with `read` if present and not null.
    fn opt<T>(
        &mut self,
        key: &str,
        read: impl FnOnce(&mut Checker, &Node, &str) -> Option<T>,
    ) -> Option<T> {
        let node = self.sl.get(key).filter(|n| !n.is_null())?;
        read(self.c, node, &join(SL, key))
    }

    /// An error on `key` if it is set on a platform that has no such setting.
    fn only_on(&mut self, key: &str, platforms: &[Platform], why: &str) {
        if let Some(node) = self.sl.get(key).filter(|n| !n.is_null())
            && !platforms.contains(&self.platform)
        {
            self.c.error(
                node,
                &join(SL, key),
                format!("is not supported on {}: {why}", self.platform),
            );
        }
    }
}

fn intent(
    c: &mut Checker,
    host: &str,
    sl: &Node,
    platform: Platform,
    model: LicensingModel,
    options: &ResolveOptions,
) -> Option<Intent> {
    let mut f = Fields {
        c,
        sl,
        platform,
        model,
    };
    let transport = transport(&mut f)?;
    let url = url(&mut f, transport);
    let proxy = proxy(&mut f, transport);
    use Platform::*;
    f.only_on("vrf", &[IosXe, NxOs], "APIC has no licensing VRF setting");
    f.only_on(
        "source_interface",
        &[IosXe, NxOs],
        "APIC has no licensing source interface",
    );
    f.only_on(
        "dns",
        &[IosXe, NxOs],
        "APIC DNS is a fabric policy, not managed here",
    );
    f.only_on(
        "ntp",
        &[IosXe, NxOs],
        "APIC NTP is a fabric policy, not managed here",
    );
    f.only_on(
        "trustpoints",
        &[IosXe],
        "trustpoints are an IOS-XE PKI feature (docs/sources.md [CAT-TS])",
    );
    f.only_on(
        "sla_trustpoint_revocation_check",
        &[IosXe],
        "SLA-TrustPoint is an IOS-XE trustpoint (docs/sources.md [CAT-TS])",
    );
    f.only_on(
        "profile",
        &[IosXe],
        "only IOS-XE call-home takes a user profile (docs/sources.md [CAT-TS])",
    );
    let vrf = f.opt("vrf", |c, n, p| c.name(n, p, &VRF_NAME));
    let source_interface = f.opt("source_interface", |c, n, p| c.name(n, p, &INTERFACE_NAME));
    let dns = f.opt("dns", dns);
    let ntp = f.opt("ntp", ntp);
    let trustpoints = f.opt("trustpoints", trustpoints).unwrap_or_default();
    let sla_trustpoint_revocation_check = f.opt("sla_trustpoint_revocation_check", |c, n, p| {
        c.choice(n, p, &RevocationCheck::ALL)
    });
    let server_identity_check = server_identity_check(&mut f);
    let contact_email = f
        .opt("contact_email", contact_email)
        .unwrap_or_else(|| DEFAULT_CONTACT_EMAIL.to_string());
    let profile = f
        .opt("profile", |c, n, p| c.name(n, p, &PROFILE_NAME))
        .unwrap_or_else(|| DEFAULT_PROFILE.to_string());
    let token = f.opt("token", |c, n, p| token(c, n, p, options));
    // The key that names the source, in the layer that set it (a source replaces whole).
    let token_origin = f.get("token").map(|n| {
        let key = source_key(n, "env").or_else(|| source_key(n, "file"));
        key.unwrap_or(n).origin.clone()
    });
    let force = force(&mut f);
    let trust_scope = trust_scope(&mut f);
    let save = f.opt("save", |c, n, p| c.bool(n, p)).unwrap_or(true);
    let expect = expect(&mut f);
    let safety_net = safety_net(&mut f);
    let revert_timer = f
        .opt("revert_timer", |c, n, p| c.int(n, p, 1, 120))
        .map_or(DEFAULT_REVERT_TIMER, |m| m as u32);
    Some(Intent {
        host: host.to_string(),
        platform,
        licensing_model: model,
        transport,
        url,
        proxy,
        vrf,
        source_interface,
        dns,
        ntp,
        trustpoints,
        sla_trustpoint_revocation_check,
        server_identity_check,
        contact_email,
        profile,
        token,
        token_origin,
        force,
        trust_scope,
        save,
        expect: expect?,
        safety_net,
        revert_timer,
    })
}

fn transport(f: &mut Fields) -> Option<Transport> {
    let Some(node) = f.get("transport") else {
        return Some(Transport::Direct);
    };
    let field = join(SL, "transport");
    let transport = f.c.choice(node, &field, &Transport::ALL)?;
    let policy_only = matches!(transport, Transport::Cslu | Transport::Off);
    if policy_only && f.model == LicensingModel::Classic {
        f.c.error(
            node,
            &field,
            format!(
                "`{}` exists only with Smart Licensing Using Policy (licensing_model: policy; docs/sources.md [RTR-CMD])",
                transport.name()
            ),
        );
        return None;
    }
    Some(transport)
}

/// The destination URL: given, or the default for the transport and model ([CAT-TS],
/// [RTR-CMD] [GENIELIBS]), checked against the URL rules of those documents.
fn url(f: &mut Fields, transport: Transport) -> Option<String> {
    let field = join(SL, "url");
    let node = f.get("url").cloned();
    let default = match (transport, f.model) {
        (Transport::Off, _) => {
            if let Some(node) = &node {
                f.c.push(Diagnostic::warning(
                    &node.origin,
                    &field,
                    "is ignored with transport `off`",
                ));
            }
            return None;
        }
        (Transport::Direct | Transport::Proxy, LicensingModel::Classic) => Some(CSSM_CALLHOME_URL),
        (Transport::Direct | Transport::Proxy, LicensingModel::Policy) => Some(CSSM_SMART_URL),
        _ => None,
    };
    let Some(node) = node else {
        if default.is_none() {
            f.c.error(
                f.sl,
                &field,
                format!(
                    "is required with transport `{}`: {}",
                    transport.name(),
                    url_example(transport, f.model)
                ),
            );
        }
        return default.map(str::to_string);
    };
    let text = f.c.string(&node, &field)?;
    if text.len() > MAX_URL {
        f.c.error(
            &node,
            &field,
            format!("is longer than {MAX_URL} characters"),
        );
        return None;
    }
    let parsed = match Url::parse(&text) {
        Ok(u) => u,
        Err(problem) => {
            f.c.error(&node, &field, problem);
            return None;
        }
    };
    check_url(f, &node, &field, &parsed, transport)?;
    // Written back in normal form: the device gets exactly what the rules checked.
    Some(parsed.to_string())
}

fn url_example(transport: Transport, model: LicensingModel) -> String {
    match (transport, model) {
        (Transport::Satellite | Transport::Cslu, LicensingModel::Policy) => {
            format!(
                "e.g. https://onprem.example.net{CSLU_PATH}/<account> (docs/sources.md [RTR-CMD] [GENIELIBS])"
            )
        }
        (Transport::TransportGateway, _) => {
            format!("e.g. https://tg.example.net:8443{ONPREM_PATH} (docs/sources.md [CAT-TS])")
        }
        _ => format!("e.g. https://onprem.example.net{ONPREM_PATH} (docs/sources.md [CAT-TS])"),
    }
}

fn check_url(
    f: &mut Fields,
    node: &Node,
    field: &str,
    url: &Url,
    transport: Transport,
) -> Option<()> {
    if url.scheme == "http" && url.is_cisco_cloud() {
        f.c.push(
            Diagnostic::error(
                &node.origin,
                field,
                "http:// is refused for the Cisco cloud: only HTTPS reaches Cisco's back end (docs/sources.md [NX-TS] [CAT-TS])",
            )
            .with_help(format!("use https://{}{}", url.authority(), url.path)),
        );
        return None;
    }
    if url.scheme == "http" {
        f.c.push(Diagnostic::warning(
            &node.origin,
            field,
            "plain http:// sends licensing data unencrypted; HTTP (TCP/80) is deprecated, use HTTPS (docs/sources.md [CAT-TS])",
        ));
    }
    if url.scheme == "https" {
        https_warnings(f, node, field, url, transport);
    }
    if f.platform == Platform::Apic && url.is_ipv6() {
        f.c.error(
            node,
            field,
            "APIC Smart Licensing does not support IPv6 (docs/sources.md [ACI-SL])",
        );
        return None;
    }
    let onprem = matches!(
        transport,
        Transport::Satellite | Transport::TransportGateway
    );
    let wants_cslu = f.model == LicensingModel::Policy
        && matches!(transport, Transport::Satellite | Transport::Cslu);
    if wants_cslu {
        if !url.path.starts_with(CSLU_PATH) {
            f.c.error(
                node,
                field,
                format!("a CSLU / SSM On-Prem URL must use the path {CSLU_PATH}[/<account>] (docs/sources.md [RTR-CMD] [GENIELIBS])"),
            );
            return None;
        }
    } else if onprem {
        check_onprem_path(f, node, field, url)?;
    } else if !url.is_cisco_cloud() {
        f.c.push(Diagnostic::warning(
            &node.origin,
            field,
            format!(
                "transport `{}` normally talks to Cisco's cloud, not {}",
                transport.name(),
                url.host
            ),
        ));
    }
    if transport == Transport::TransportGateway && url.port.is_none() {
        f.c.error(
            node,
            field,
            "a transport gateway URL must carry the gateway's port, e.g. https://tg:8443/… (docs/sources.md [CAT-TS] [ACI-SL])",
        );
        return None;
    }
    Some(())
}

/// HTTPS pitfalls Cisco's troubleshooting documents list, worth a warning before a device hits them.
fn https_warnings(f: &mut Fields, node: &Node, field: &str, url: &Url, transport: Transport) {
    let onprem = matches!(
        transport,
        Transport::Satellite | Transport::TransportGateway
    );
    if onprem && url.host.parse::<IpAddr>().is_ok() {
        f.c.push(Diagnostic::warning(
            &node.origin,
            field,
            "the HTTPS server identity check compares this IP address with the server's certificate; \
             use the name the certificate was made for (docs/sources.md [CAT-TS] [ACI-SL])",
        ));
    }
    if f.platform == Platform::Apic && transport == Transport::Satellite {
        f.c.push(Diagnostic::warning(
            &node.origin,
            field,
            "a satellite over HTTPS needs Cisco's root CA imported on the APIC before registering \
             (System > Smart Licensing > Import/Remove Private Certificate; docs/sources.md [ACI-SL])",
        ));
    }
}

/// The on-prem path is case-sensitive ([CAT-TS]): a near miss names the exact spelling.
fn check_onprem_path(f: &mut Fields, node: &Node, field: &str, url: &Url) -> Option<()> {
    if url.path == ONPREM_PATH {
        return Some(());
    }
    let message = if url.path.eq_ignore_ascii_case(ONPREM_PATH) {
        format!(
            "the path `{}` has the wrong case: it is case-sensitive and must be exactly {ONPREM_PATH} (docs/sources.md [CAT-TS])",
            url.path
        )
    } else {
        format!(
            "a satellite or transport gateway URL must end with the path {ONPREM_PATH} (docs/sources.md [CAT-TS])"
        )
    };
    f.c.push(
        Diagnostic::error(&node.origin, field, message).with_help(format!(
            "write {}://{}{ONPREM_PATH}",
            url.scheme,
            url.authority()
        )),
    );
    None
}

fn proxy(f: &mut Fields, transport: Transport) -> Option<Proxy> {
    let field = join(SL, "proxy");
    let node = f.get("proxy").cloned();
    match (&node, transport) {
        (None, Transport::Proxy) => {
            f.c.error(
                f.sl,
                &field,
                "is required with transport `proxy`: give `proxy: {host: H, port: P}`",
            );
            return None;
        }
        (None, _) => return None,
        (Some(node), t) if t != Transport::Proxy => {
            f.c.push(Diagnostic::warning(
                &node.origin,
                &field,
                format!("is ignored with transport `{}`", t.name()),
            ));
            return None;
        }
        _ => {}
    }
    let node = node?;
    f.c.map(&node, &field, &["host", "port"])?;
    let host =
        required(f.c, &node, &field, "host").and_then(|n| f.c.host(n, &join(&field, "host")));
    let port = required(f.c, &node, &field, "port")
        .and_then(|n| f.c.int(n, &join(&field, "port"), 1, 65535));
    if f.platform == Platform::Apic
        && let Some(h) = &host
        && h.contains(':')
    {
        f.c.error(
            &node,
            &join(&field, "host"),
            "APIC Smart Licensing does not support IPv6 (docs/sources.md [ACI-SL])",
        );
        return None;
    }
    Some(Proxy {
        host: host?,
        port: port? as u16,
    })
}

fn required<'a>(c: &mut Checker, map: &'a Node, field: &str, key: &str) -> Option<&'a Node> {
    let value = map.get(key).filter(|n| !n.is_null());
    if value.is_none() {
        c.error(map, &join(field, key), "is required");
    }
    value
}

fn ip_address(c: &mut Checker, node: &Node, field: &str) -> Option<String> {
    c.line_value(node, field, |text| {
        text.parse::<IpAddr>()
            .is_err()
            .then(|| format!("`{text}` is not an IP address"))
    })
}

fn dns(c: &mut Checker, node: &Node, field: &str) -> Option<Dns> {
    c.map(
        node,
        field,
        &["servers", "domain_lookup", "hosts", "exclusive"],
    )?;
    let servers = match node.get("servers") {
        Some(list) => {
            let items = c.list(list, &join(field, "servers"));
            items
                .iter()
                .enumerate()
                .filter_map(|(i, n)| ip_address(c, n, &format!("{field}.servers[{i}]")))
                .collect()
        }
        None => Vec::new(),
    };
    let domain_lookup = node
        .get("domain_lookup")
        .and_then(|n| c.bool(n, &join(field, "domain_lookup")));
    let hosts = node
        .get("hosts")
        .map(|n| dns_hosts(c, n, &join(field, "hosts")))
        .unwrap_or_default();
    let exclusive = node
        .get("exclusive")
        .and_then(|n| c.bool(n, &join(field, "exclusive")))
        .unwrap_or(false);
    if exclusive && servers.is_empty() {
        c.error(
            node,
            &join(field, "exclusive"),
            "would remove every name server: list `servers` too",
        );
    }
    Some(Dns {
        servers,
        domain_lookup,
        hosts,
        exclusive,
    })
}

/// `hosts: {tools.cisco.com: 192.0.2.10}` — static entries (`ip host`, [CAT-TS]).
fn dns_hosts(c: &mut Checker, node: &Node, field: &str) -> Vec<DnsHost> {
    let Some(entries) = node.entries() else {
        c.error(
            node,
            field,
            format!("expected a mapping of name: address, found {}", node.kind()),
        );
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(key, value)| {
            let path = join(field, &key.name);
            let name_node = Node::string(key.name.clone(), key.origin.clone());
            let name = c.host(&name_node, &path);
            let address = ip_address(c, value, &path);
            Some(DnsHost {
                name: name?,
                address: address?,
            })
        })
        .collect()
}

fn ntp(c: &mut Checker, node: &Node, field: &str) -> Option<Ntp> {
    c.map(node, field, &["servers", "exclusive"])?;
    let list = required(c, node, field, "servers")?;
    let servers = c
        .list(list, &join(field, "servers"))
        .iter()
        .enumerate()
        .filter_map(|(i, n)| c.host(n, &format!("{field}.servers[{i}]")))
        .collect();
    let exclusive = node
        .get("exclusive")
        .and_then(|n| c.bool(n, &join(field, "exclusive")))
        .unwrap_or(false);
    Some(Ntp { servers, exclusive })
}

fn trustpoints(c: &mut Checker, node: &Node, field: &str) -> Option<Vec<Trustpoint>> {
    let mut result: Vec<Trustpoint> = Vec::new();
    for (i, item) in c.list(node, field).iter().enumerate() {
        let path = format!("{field}[{i}]");
        let Some(tp) = trustpoint(c, item, &path) else {
            continue;
        };
        if result.iter().any(|t| t.name == tp.name) {
            c.error(
                item,
                &path,
                format!("trustpoint `{}` is listed twice", tp.name),
            );
            continue;
        }
        result.push(tp);
    }
    Some(result)
}

fn trustpoint(c: &mut Checker, node: &Node, field: &str) -> Option<Trustpoint> {
    c.map(node, field, &["name", "ca_cert", "revocation_check"])?;
    let name_node = required(c, node, field, "name")?;
    let name = c.name(name_node, &join(field, "name"), &TRUSTPOINT_NAME)?;
    if name.eq_ignore_ascii_case("SLA-TrustPoint") {
        c.push(
            Diagnostic::error(
                &name_node.origin,
                join(field, "name"),
                "SLA-TrustPoint is Cisco's own trustpoint",
            )
            .with_help("set `sla_trustpoint_revocation_check` instead (docs/sources.md [CAT-TS])"),
        );
        return None;
    }
    let ca_cert = node
        .get("ca_cert")
        .and_then(|n| ca_cert(c, n, &join(field, "ca_cert")));
    let revocation_check = node
        .get("revocation_check")
        .and_then(|n| c.choice(n, &join(field, "revocation_check"), &RevocationCheck::ALL));
    Some(Trustpoint {
        name,
        ca_cert,
        revocation_check,
    })
}

/// A PEM CA certificate, resolved relative to the file that names it.
fn ca_cert(c: &mut Checker, node: &Node, field: &str) -> Option<PathBuf> {
    let text = c.string(node, field)?;
    let path = relative_to_origin(&node.origin, Path::new(&text));
    let read = crate::files::read(&path, crate::files::CA_CERT);
    if let Ok(pem) = &read {
        crate::inputs::record(&path, pem.as_bytes());
    }
    match read {
        Ok(pem) if pem.contains("-----BEGIN CERTIFICATE-----") => Some(path),
        Ok(_) => {
            c.error(
                node,
                field,
                format!(
                    "{} is not a PEM certificate (no BEGIN CERTIFICATE line)",
                    path.display()
                ),
            );
            None
        }
        Err(e) => {
            c.error(node, field, format!("cannot read {}: {e}", path.display()));
            None
        }
    }
}

/// A relative path written in a file is relative to that file's folder.
pub(crate) fn relative_to_origin(origin: &Origin, path: &Path) -> PathBuf {
    match origin.location().and_then(|l| l.path().parent()) {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

fn server_identity_check(f: &mut Fields) -> bool {
    let value = f
        .opt("server_identity_check", |c, n, p| c.bool(n, p))
        .unwrap_or(true);
    if !value && let Some(node) = f.get("server_identity_check").cloned() {
        if f.platform != Platform::IosXe {
            f.c.error(
                &node,
                &join(SL, "server_identity_check"),
                "can only be turned off on IOS-XE (docs/sources.md [CAT-TS])",
            );
        } else {
            f.c.push(Diagnostic::warning(
                &node.origin,
                join(SL, "server_identity_check"),
                "turns off HTTPS server identity checks; Cisco calls this a last resort after fixing DNS or ip host (docs/sources.md [CAT-TS])",
            ));
        }
    }
    value
}

fn contact_email(c: &mut Checker, node: &Node, field: &str) -> Option<String> {
    c.line_value(node, field, email_problem)
}

fn token(
    c: &mut Checker,
    node: &Node,
    field: &str,
    options: &ResolveOptions,
) -> Option<TokenSource> {
    if node.tag.as_deref() == Some("!vault") {
        let token = vaulted(c, node, field)?;
        if !is_token_shaped(token.expose()) {
            c.error(
                node,
                field,
                "the vault holds something not shaped like an ID token",
            );
            return None;
        }
        return Some(TokenSource::Vault(token));
    }
    if let Value::Map(_) = &node.value {
        return token_reference(c, node, field);
    }
    let Some(value) = node.scalar() else {
        c.error(
            node,
            field,
            format!(
                "expected {{env: NAME}} or {{file: PATH}}, found {}",
                node.kind()
            ),
        );
        return None;
    };
    let help = "use `token: {env: NAME}` or `token: {file: PATH}`";
    if let Origin::CommandLine(_) = node.origin {
        c.push(
            Diagnostic::error(
                &node.origin,
                field,
                "a token on the command line is visible to every user of the machine",
            )
            .with_help(help),
        );
        return None;
    }
    if !options.allow_plaintext_token {
        c.push(
            Diagnostic::error(
                &node.origin,
                field,
                "a plain token in a file is refused (it would end up in git)",
            )
            .with_help(format!("{help}, or pass --allow-plaintext-token"))
            .secret(),
        );
        return None;
    }
    if !is_token_shaped(value) {
        c.push(
            Diagnostic::error(
                &node.origin,
                field,
                "is not shaped like an ID token (letters, digits, %=+/._- only)",
            )
            .secret(),
        );
        return None;
    }
    Some(TokenSource::Literal(Secret::new(value)))
}

fn token_reference(c: &mut Checker, node: &Node, field: &str) -> Option<TokenSource> {
    c.map(node, field, &["env", "file"])?;
    match (source_key(node, "env"), source_key(node, "file")) {
        (Some(env), None) => {
            let name = c.string(env, &join(field, "env"))?;
            let valid = name.starts_with(|ch: char| ch.is_ascii_alphabetic() || ch == '_')
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
            if !valid {
                c.error(
                    env,
                    &join(field, "env"),
                    format!("`{name}` is not an environment variable name"),
                );
                return None;
            }
            Some(TokenSource::Env(name))
        }
        (None, Some(file)) => {
            let path = c.string(file, &join(field, "file"))?;
            if path.is_empty() {
                c.error(file, &join(field, "file"), "must name a file");
                return None;
            }
            Some(TokenSource::File(relative_to_origin(
                &file.origin,
                Path::new(&path),
            )))
        }
        (Some(env), Some(file)) => {
            let message = format!(
                "give exactly one of `env` ({}) or `file` ({})",
                env.origin, file.origin
            );
            c.error(node, field, message);
            None
        }
        (None, None) => {
            c.error(node, field, "give one of `env` or `file`");
            None
        }
    }
}

/// A key of a token source; `null` clears it, as it clears any value.
fn source_key<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    node.get(key).filter(|n| !n.is_null())
}

/// APIC's CLI has no `force` keyword: re-registration is a GUI checkbox ([CAT-TS] [NX-TS] [ACI-SL]).
fn force(f: &mut Fields) -> bool {
    let force = f.opt("force", |c, n, p| c.bool(n, p)).unwrap_or(false);
    if force
        && f.platform == Platform::Apic
        && let Some(node) = f.get("force")
    {
        f.c.error(
            node,
            &join(SL, "force"),
            "APIC's CLI has no force keyword; re-register from the GUI with \"Reregister product if already registered\" (docs/sources.md [ACI-SL])",
        );
    }
    force
}

fn trust_scope(f: &mut Fields) -> TrustScope {
    let choices = [("local", TrustScope::Local), ("all", TrustScope::All)];
    let Some(node) = f.get("trust_scope").cloned() else {
        return TrustScope::Local;
    };
    let field = join(SL, "trust_scope");
    let scope =
        f.c.choice(&node, &field, &choices)
            .unwrap_or(TrustScope::Local);
    if f.model != LicensingModel::Policy || f.platform != Platform::IosXe {
        f.c.error(
            &node,
            &field,
            "applies only to IOS-XE with Smart Licensing Using Policy (`license smart trust idtoken T local|all`; docs/sources.md [RTR-CMD])",
        );
    }
    scope
}

/// `auto` (default), `always` or `off`. APIC has neither a revert timer nor checkpoints
/// in the commands smartlic knows, so `always` is refused there.
fn safety_net(f: &mut Fields) -> SafetyNet {
    let Some(node) = f.get("safety_net").cloned() else {
        return SafetyNet::Auto;
    };
    let field = join(SL, "safety_net");
    let net =
        f.c.choice(&node, &field, &SafetyNet::ALL)
            .unwrap_or(SafetyNet::Auto);
    if net == SafetyNet::Always && f.platform == Platform::Apic {
        f.c.error(
            &node,
            &field,
            "APIC has no revert timer or checkpoint command that smartlic knows; use `auto` or `off`",
        );
    }
    net
}

fn expect(f: &mut Fields) -> Option<Expect> {
    let field = join(SL, "expect");
    let (registrations, authorizations): (&[&str], &[&str]) = match f.model {
        LicensingModel::Classic => (
            &["REGISTERED", "UNREGISTERED"],
            &["AUTHORIZED", "OUT_OF_COMPLIANCE", "EVAL", "ANY"],
        ),
        LicensingModel::Policy => (&["TRUSTED", "ANY"], &["ANY"]),
    };
    let mut expect = Expect {
        registration: registrations[0].to_string(),
        authorization: authorizations[0].to_string(),
        timeout_secs: 600,
        smart_account: None,
        virtual_account: None,
    };
    let Some(node) = f.get("expect").cloned() else {
        return Some(expect);
    };
    f.c.map(
        &node,
        &field,
        &[
            "registration",
            "authorization",
            "timeout",
            "smart_account",
            "virtual_account",
        ],
    )?;
    for (key, slot) in [
        ("smart_account", &mut expect.smart_account),
        ("virtual_account", &mut expect.virtual_account),
    ] {
        if let Some(n) = node.get(key) {
            *slot = f.c.string(n, &join(&field, key));
        }
    }
    if let Some(n) = node.get("registration") {
        expect.registration = state(f, n, &join(&field, "registration"), registrations)?;
    }
    if let Some(n) = node.get("authorization") {
        expect.authorization = state(f, n, &join(&field, "authorization"), authorizations)?;
    }
    if let Some(n) = node.get("timeout") {
        expect.timeout_secs = timeout(f.c, n, &join(&field, "timeout"))?;
    }
    Some(expect)
}

/// `expect.timeout`: from 1s (one status check) to 24h.
fn timeout(c: &mut Checker, node: &Node, field: &str) -> Option<u64> {
    let text = c.string(node, field)?;
    let problem = match parse_duration(&text) {
        Some(secs @ 1..=86_400) => return Some(secs),
        Some(0) => format!("`{text}` would give up before the first status check; give 1s or more"),
        Some(_) => format!("`{text}` is out of range: at most 24h"),
        None => format!("`{text}` is not a duration up to 24h (e.g. 90s, 10m, 1h)"),
    };
    c.error(node, field, problem);
    None
}

fn state(f: &mut Fields, node: &Node, field: &str, allowed: &[&str]) -> Option<String> {
    let choices: Vec<(&str, &str)> = allowed.iter().map(|s| (*s, *s)).collect();
    let model = f.model;
    let value = f.c.choice(node, field, &choices);
    if value.is_none()
        && let Some(last) = f.c.diagnostics.last_mut()
    {
        last.message
            .push_str(&format!(" (licensing_model {model})"));
    }
    value.map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(yaml: &str) -> (Option<HostVars>, Vec<Diagnostic>) {
        let node = crate::yaml::load_str(Path::new("host_vars/sw1.yml"), yaml.to_string()).unwrap();
        resolve_host("sw1", &node, &ResolveOptions::default())
    }

    fn errors(yaml: &str) -> Vec<String> {
        let (_, diags) = host(yaml);
        diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect()
    }

    #[test]
    fn defaults_for_a_bare_ios_xe_host() {
        let (h, diags) = host("platform: ios-xe\nos_version: 17.2.1\n");
        assert!(diags.is_empty(), "{diags:?}");
        let i = h.unwrap().intent;
        assert_eq!(i.licensing_model, LicensingModel::Classic);
        assert_eq!(i.transport, Transport::Direct);
        assert_eq!(i.url.as_deref(), Some(CSSM_CALLHOME_URL));
        assert_eq!(i.profile, "CiscoTAC-1");
        assert!(i.save && i.server_identity_check && !i.force);
    }

    #[test]
    fn auto_model_follows_os_version() {
        let (h, _) = host("platform: ios-xe\nos_version: 17.3.2a\n");
        let i = h.unwrap().intent;
        assert_eq!(i.licensing_model, LicensingModel::Policy);
        assert_eq!(i.url.as_deref(), Some(CSSM_SMART_URL));
        let (h, _) = host("ansible_network_os: cisco.nxos.nxos\nos_version: 10.2(1)F\n");
        assert_eq!(h.unwrap().intent.licensing_model, LicensingModel::Policy);
    }

    #[test]
    fn http_to_cisco_is_refused_with_the_fix() {
        let (_, d) = host(
            "platform: nx-os\nos_version: 9.3(5)\nsmart_licensing:\n  url: http://tools.cisco.com/its/service/oddce/services/DDCEService\n",
        );
        let e = &d[0];
        assert!(e.message.contains("only HTTPS"), "{}", e.message);
        assert_eq!(
            e.help.as_deref(),
            Some("use https://tools.cisco.com/its/service/oddce/services/DDCEService")
        );
        assert_eq!(e.origin.location().unwrap().line, 4);
    }

    #[test]
    fn satellite_path_case_is_exact() {
        let errs = errors(
            "platform: ios-xe\nos_version: 16.12.4\nsmart_licensing:\n  transport: satellite\n  url: https://sat.example.net/TransportGateway/services/DeviceRequestHandler\n",
        );
        assert_eq!(errs.len(), 1);
        assert!(errs[0].contains("wrong case"), "{errs:?}");
    }

    #[test]
    fn proxy_needs_host_and_port() {
        let errs = errors(
            "platform: ios-xe\nos_version: 16.12.4\nsmart_licensing:\n  transport: proxy\n  proxy: {host: proxy.example.net}\n",
        );
        assert_eq!(errs, ["smart_licensing.proxy.port: is required"]);
    }

    #[test]
    fn injection_through_strings_is_refused() {
        let errs = errors(
            "platform: ios-xe\nos_version: 16.12.4\nsmart_licensing:\n  vrf: \"Mgmt\\nno service call-home\"\n",
        );
        assert_eq!(errs.len(), 1);
        assert!(errs[0].contains("line break"), "{errs:?}");
    }

    /// `;` ends an NX-OS command, `|` pipes on IOS, `\\` escapes and a `!` starts a comment:
    /// none may reach a device line through a name (issue 12 item 5).
    #[test]
    fn command_separators_are_refused_in_every_name() {
        for bad in ["a;reload", "a|include", "a\\\\b", "a!b"] {
            let errs = errors(&format!(
                "platform: ios-xe\nos_version: 16.12.4\nsmart_licensing:\n  vrf: \"{bad}\"\n  source_interface: \"{bad}\"\n  profile: \"{bad}\"\n  trustpoints: [{{name: \"{bad}\"}}]\n  contact_email: \"{bad}@example.net\"\n  transport: proxy\n  proxy: {{host: \"{bad}.example.net\", port: 80}}\n  ntp: {{servers: [\"{bad}\"]}}\n"
            ));
            for field in [
                "smart_licensing.vrf: ",
                "smart_licensing.source_interface: ",
                "smart_licensing.profile: ",
                "smart_licensing.trustpoints[0].name: ",
                "smart_licensing.contact_email: ",
                "smart_licensing.proxy.host: ",
                "smart_licensing.ntp.servers[0]: ",
            ] {
                assert!(
                    errs.iter().any(|e| e.starts_with(field)),
                    "{bad}: no error on {field} in {errs:?}"
                );
            }
        }
    }

    #[test]
    fn a_nx_os_vrf_names_the_allowed_characters() {
        let errs =
            errors("platform: nx-os\nos_version: 9.3(5)\nsmart_licensing:\n  vrf: \"a;reload\"\n");
        assert_eq!(
            errs,
            [
                "smart_licensing.vrf: `a;reload` is not a VRF name: a VRF name is letters, digits and `-_.`"
            ]
        );
    }

    #[test]
    fn good_names_pass() {
        let errs = errors(
            "platform: ios-xe\nos_version: 16.12.4\nsmart_licensing:\n  vrf: Mgmt-vrf\n  source_interface: GigabitEthernet0/0.100\n  profile: CiscoTAC-1\n  trustpoints: [{name: Lic_Root.2}]\n  contact_email: first.last+sl@example.net\n  ntp: {servers: [ntp1.example.net, 192.0.2.1, \"2001:db8::1\"]}\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
    }

    #[test]
    fn http_to_cisco_is_refused_in_any_spelling() {
        for url in [
            "http://tools.cisco.com./its/service/oddce/services/DDCEService",
            "http://TOOLS.CISCO.COM/its/service/oddce/services/DDCEService",
        ] {
            let (_, d) = host(&format!(
                "platform: nx-os\nos_version: 9.3(5)\nsmart_licensing:\n  url: {url}\n"
            ));
            assert!(d[0].message.contains("only HTTPS"), "{url}: {d:?}");
            assert_eq!(
                d[0].help.as_deref(),
                Some("use https://tools.cisco.com/its/service/oddce/services/DDCEService")
            );
        }
    }

    #[test]
    fn plaintext_token_refused_and_masked() {
        let (_, d) = host(
            "platform: ios-xe\nos_version: 16.12.4\nsmart_licensing:\n  token: NjQ0ZmE5YzYtYjQ\n",
        );
        assert!(d[0].secret);
        assert!(!d[0].to_string().contains("NjQ0"));
    }

    #[test]
    fn policy_only_transports_need_policy() {
        let errs = errors(
            "platform: ios-xe\nos_version: 16.12.4\nsmart_licensing:\n  transport: cslu\n  url: http://cslu.example.net:8182/cslu/v1/pi\n",
        );
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("Smart Licensing Using Policy"));
    }

    #[test]
    fn unknown_keys_suggest_the_right_one() {
        let (_, d) =
            host("platform: ios-xe\nos_version: 16.12.4\nsmart_licensing:\n  trasnport: direct\n");
        assert_eq!(d[0].field, "smart_licensing.trasnport");
        assert_eq!(d[0].help.as_deref(), Some("did you mean `transport`?"));
    }
}
