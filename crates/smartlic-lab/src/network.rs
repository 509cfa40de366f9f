//! The network model (docs/lab.md "Network model"): which URL the device's config names,
//! how the device resolves its host, whether a path exists through the configured
//! VRF/source interface, and which loopback socket stands for the virtual address.
//!
//! Devices never open a socket to what their config names: every back-end service has a
//! *virtual* address (documentation ranges) in a [`LabTopology`], which maps it to the
//! service's real loopback socket. Names resolve only through the device's `ip host`
//! entries or its configured name servers, and only when those are lab DNS servers reached
//! through a VRF the device's [`DeviceNetwork`] says reaches the back-end.
//!
//! The same checks answer the device's own `ping` and `telnet` ([`probe`]), so a device
//! whose registration fails for lack of DNS or of a path fails them the same way.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};

use crate::release::Platform;
use crate::spec::LabHost;
use crate::tree::{Line, Tree, words};

/// The lab's network, shared by every device: DNS servers, the DNS table, and where each
/// virtual service address really listens.
#[derive(Clone, Debug, Default)]
pub struct LabTopology {
    /// Virtual addresses of the lab's DNS servers (what `ip name-server` must name).
    pub dns_servers: BTreeSet<IpAddr>,
    /// The lab DNS table: lower-case name → virtual address.
    pub names: BTreeMap<String, IpAddr>,
    /// Virtual service socket → real loopback socket.
    pub services: BTreeMap<SocketAddr, SocketAddr>,
    /// The on-prem (satellite) server's private CA, PEM. NX-OS devices trust it without an
    /// import: [NX-TS] (Method 3) goes from the callhome block straight to `license
    /// smart register`, and no NX-OS trustpoint command is in Cisco's documents ⟨GAP⟩.
    pub on_prem_cas: Vec<String>,
}

/// The virtual address of the lab's DNS server (documentation range, RFC 5737).
pub const LAB_DNS: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 53));

impl LabTopology {
    pub fn new() -> LabTopology {
        LabTopology::default()
    }

    /// The topology of a running back-end: one lab DNS server ([`LAB_DNS`]), every
    /// service name resolving to its virtual address, and each virtual socket mapped to
    /// the service's loopback socket.
    pub fn for_backend(services: &crate::backend::Services) -> LabTopology {
        let mut topology = LabTopology::new().dns_server(LAB_DNS);
        for s in [
            &services.cssm,
            &services.satellite,
            &services.gateway,
            &services.proxy,
        ] {
            for name in &s.names {
                if name.parse::<IpAddr>().is_err() {
                    topology = topology.name(name, s.virtual_addr.ip());
                }
            }
            if is_lab_loopback(s.listen.ip()) {
                topology.services.insert(s.virtual_addr, s.listen);
            }
        }
        topology.on_prem_cas = vec![services.satellite.ca_pem.clone()];
        topology
    }

    pub fn dns_server(mut self, virtual_ip: IpAddr) -> LabTopology {
        self.dns_servers.insert(virtual_ip);
        self
    }

    pub fn name(mut self, name: &str, virtual_ip: IpAddr) -> LabTopology {
        self.names.insert(name.to_ascii_lowercase(), virtual_ip);
        self
    }

    /// Whether `ip` is the virtual address of something in the lab (a service, a DNS
    /// server, a name in the lab DNS): it answers `ping`.
    pub fn is_host(&self, ip: IpAddr) -> bool {
        self.dns_servers.contains(&ip)
            || self.services.keys().any(|s| s.ip() == ip)
            || self.names.values().any(|v| *v == ip)
    }

    /// Maps a virtual socket to a real one. A real socket outside 127.0.0.0/8 is refused:
    /// the lab never connects anywhere else.
    pub fn service(
        mut self,
        virtual_addr: SocketAddr,
        real: SocketAddr,
    ) -> Result<LabTopology, String> {
        if !is_lab_loopback(real.ip()) {
            return Err(format!(
                "lab service {virtual_addr}: {real} is not in 127.0.0.0/8"
            ));
        }
        self.services.insert(virtual_addr, real);
        Ok(self)
    }
}

/// Whether the lab may connect to `ip` (127.0.0.0/8 only).
pub fn is_lab_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.octets()[0] == 127,
        IpAddr::V6(_) => false,
    }
}

/// One device's place in the lab network (its inventory `lab:` block).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceNetwork {
    /// VRFs with a path to the back-end; `default` is the global table. Empty: only the
    /// global table.
    pub reaches: Vec<String>,
    /// Interfaces and their VRF (`None`: the global table). Empty: any interface is taken
    /// to be in the global table.
    pub interfaces: BTreeMap<String, Option<String>>,
    /// Seconds the device clock is ahead (positive) or behind (negative) lab time.
    pub clock_offset_secs: i64,
}

impl DeviceNetwork {
    pub fn from_lab_host(host: &LabHost) -> DeviceNetwork {
        DeviceNetwork {
            reaches: host.reaches.clone(),
            interfaces: host.interfaces.clone(),
            clock_offset_secs: host.clock_offset_secs,
        }
    }

    fn reaches(&self, vrf: Option<&str>) -> bool {
        let vrf = vrf.unwrap_or("default");
        if self.reaches.is_empty() {
            return vrf == "default";
        }
        self.reaches.iter().any(|r| r.eq_ignore_ascii_case(vrf))
    }

    /// The VRF of an interface: `Ok(None)` global, `Err(())` no such interface.
    fn interface_vrf(&self, name: &str) -> Result<Option<String>, ()> {
        if self.interfaces.is_empty() {
            return Ok(None);
        }
        let wanted = normalize_interface(name);
        self.interfaces
            .iter()
            .find(|(k, _)| normalize_interface(k) == wanted)
            .map(|(_, v)| v.clone())
            .ok_or(())
    }
}

/// `GigabitEthernet0/0`, `gi0/0` and `Gig0/0` compare equal; `mgmt0`, `Vlan27` as is.
fn normalize_interface(name: &str) -> String {
    let lower = name.to_ascii_lowercase().replace(' ', "");
    let split = lower
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (kind, number) = lower.split_at(split);
    let kind = match kind {
        k if !k.is_empty() && "gigabitethernet".starts_with(k) && k.len() >= 2 => "gi",
        k if !k.is_empty() && "tengigabitethernet".starts_with(k) && k.len() >= 2 => "te",
        k if !k.is_empty() && "fastethernet".starts_with(k) && k.len() >= 2 => "fa",
        k if !k.is_empty() && "ethernet".starts_with(k) && k.len() >= 3 => "eth",
        k if !k.is_empty() && "vlan".starts_with(k) && k.len() >= 2 => "vlan",
        k => k,
    };
    format!("{kind}{number}")
}

/// Where a device sends its licensing messages, as its config says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transport {
    pub url: String,
    /// VRF named by the transport config (`vrf` under call-home, `transport http use-vrf`,
    /// `license smart vrf`).
    pub vrf: Option<String>,
    pub source_interface: Option<String>,
    /// `host`, `port` of an HTTP(S) proxy.
    pub proxy: Option<(String, u16)>,
    /// `http secure server-identity-check` (on unless `no …`, [CAT-TS]).
    pub identity_check: bool,
    /// Call-home transport (classic; SLP `transport callhome`): the failure logs are the
    /// call-home ones.
    pub call_home: bool,
    /// SLP `transport cslu`.
    pub cslu: bool,
}

/// Why there is no transport to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoTransport {
    /// CAT-4 `Communication transport not available.`; `user_profile`: an active user
    /// profile without `reporting smart-licensing-data` is in the way (the
    /// `CALL_HOME_FAILED_TO_ENABLE` log).
    NotAvailable { user_profile: bool },
    /// SLP `license smart transport off`: nothing is sent.
    Off,
    /// SLP `transport cslu` with no CSLU address ([C9400-174] [FN72578] `[LOG-C1117]`).
    CsluUnset,
}

/// CSSM through call-home ([CAT-TS]).
pub const CSSM_CALL_HOME_URL: &str =
    "https://tools.cisco.com/its/service/oddce/services/DDCEService";
/// CSSM smart transport default URL ([RTR-CMD] [GENIELIBS]).
pub const CSSM_SMART_URL: &str = "https://smartreceiver.cisco.com/licservice/license";

fn canon(line: &Line) -> String {
    words(&line.text)
}

fn top(tree: &Tree) -> impl Iterator<Item = (String, &Line)> {
    tree.lines.iter().map(|l| (canon(l), l))
}

/// The words after `prefix` (canonical text), if the line starts with it.
fn after<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(prefix)?;
    if rest.is_empty() {
        return Some("");
    }
    rest.strip_prefix(' ')
}

fn unquote(word: &str) -> String {
    word.trim_matches('"').to_string()
}

/// Classic IOS-XE call-home (docs/troubleshooting.md CAT-4, [CAT-TS]; real configs, docs/platform-notes.md for `vrf`,
/// `source-interface`, `http-proxy`, `http secure server-identity-check`).
///
/// The profile used is the active one carrying Smart Licensing data: `CiscoTAC-1` does by
/// default; another profile needs `reporting smart-licensing-data`. CiscoTAC-1's
/// destination address is a hidden default (real configs, docs/platform-notes.md): absent means the CSSM URL.
pub fn ios_xe_call_home(tree: &Tree) -> Result<Transport, NoTransport> {
    let service = top(tree).any(|(c, _)| c == "service call-home");
    let Some(block) = tree.lines.iter().find(|l| canon(l) == "call-home") else {
        return Err(NoTransport::NotAvailable {
            user_profile: false,
        });
    };
    let mut vrf = None;
    let mut source_interface = None;
    let mut proxy = None;
    let mut identity_check = true;
    let mut chosen = None;
    let mut user_profile_in_the_way = false;
    for child in &block.children {
        let c = canon(child);
        if let Some(v) = after(&c, "vrf") {
            vrf = Some(v.to_string());
        } else if let Some(v) = after(&c, "source-interface") {
            source_interface = Some(v.to_string());
        } else if let Some(v) = after(&c, "http-proxy") {
            // `http-proxy "<host>" port <port>` (real configs, docs/platform-notes.md).
            let words: Vec<&str> = v.split_whitespace().collect();
            if let [host, "port", port] = words.as_slice() {
                proxy = port.parse().ok().map(|port| (unquote(host), port));
            }
        } else if c == "no http secure server-identity-check" {
            identity_check = false;
        } else if let Some(name) = after(&c, "profile") {
            let name = unquote(name);
            let lines: Vec<String> = child.children.iter().map(canon).collect();
            let has = |s: &str| lines.iter().any(|l| l == s);
            // `active` is printed under an active profile (real configs, docs/platform-notes.md); `no active`
            // deactivates it.
            let active = has("active") && !has("no active");
            let smart_licensing = name == "CiscoTAC-1" || has("reporting smart-licensing-data");
            if !active {
                continue;
            }
            if !smart_licensing {
                user_profile_in_the_way = true;
                continue;
            }
            if chosen.is_none() {
                chosen = Some((name, lines));
            }
        }
    }
    let Some((name, lines)) = chosen.filter(|_| service) else {
        return Err(NoTransport::NotAvailable {
            user_profile: user_profile_in_the_way,
        });
    };
    // [CAT-TS]: call-home's HTTPS leaves from `ip http client source-interface` (the
    // CLI "required" when tools.cisco.com is reached through a VRF) unless call-home
    // names its own source interface.
    if source_interface.is_none() {
        source_interface = top(tree)
            .find_map(|(c, _)| after(&c, "ip http client source-interface").map(str::to_string));
    }
    let http = lines
        .iter()
        .any(|l| l == "destination transport-method http");
    let url = lines
        .iter()
        .find_map(|l| after(l, "destination address http").map(str::to_string))
        .or_else(|| (name == "CiscoTAC-1").then(|| CSSM_CALL_HOME_URL.to_string()));
    match (http, url) {
        (true, Some(url)) => Ok(Transport {
            url,
            vrf,
            source_interface,
            proxy,
            identity_check,
            call_home: true,
            cslu: false,
        }),
        _ => Err(NoTransport::NotAvailable {
            user_profile: false,
        }),
    }
}

/// NX-OS callhome ([NX-TS]): `destination-profile CiscoTAC-1 transport-method
/// http`, `destination-profile CiscoTAC-1 index N http <url>` (or the add form without
/// index), `transport http use-vrf <vrf>`, `enable`. The NX-OS proxy and source-interface
/// commands are not in Cisco's documents ⟨GAP⟩ (docs/platform-notes.md): `transport http proxy
/// server <host> port <port>` is used once `transport http proxy enable` is present, and
/// the global `ip http source-interface <if> [vrf <vrf>]` sets the HTTP source interface,
/// whose VRF must be the `use-vrf` one (docs/troubleshooting.md NX-1: `vlan 27` instead of `mgmt0`).
/// The URL of a `destination-profile CiscoTAC-1 [index N] http <url>` line: the device
/// stores it with the index it gave ([NX-TS]), the add form has none.
fn nx_destination_url(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("destination-profile CiscoTAC-1 ")?;
    let rest = match rest.strip_prefix("index ") {
        Some(indexed) => indexed.split_once(' ')?.1,
        None => rest,
    };
    rest.strip_prefix("http ")
}

pub fn nx_os_call_home(tree: &Tree) -> Result<Transport, NoTransport> {
    let Some(block) = tree.lines.iter().find(|l| canon(l) == "callhome") else {
        return Err(NoTransport::NotAvailable {
            user_profile: false,
        });
    };
    let lines: Vec<String> = block.children.iter().map(canon).collect();
    let enabled = lines.iter().any(|l| l == "enable");
    let http = lines
        .iter()
        .any(|l| l == "destination-profile CiscoTAC-1 transport-method http");
    let url = lines
        .iter()
        .find_map(|l| nx_destination_url(l).map(str::to_string));
    let vrf = lines
        .iter()
        .find_map(|l| after(l, "transport http use-vrf").map(str::to_string));
    let proxy_enabled = lines.iter().any(|l| l == "transport http proxy enable");
    let proxy = lines.iter().filter(|_| proxy_enabled).find_map(|l| {
        let v = after(l, "transport http proxy server")?;
        let words: Vec<&str> = v.split_whitespace().collect();
        match words.as_slice() {
            [host, "port", port] => port.parse().ok().map(|port| (host.to_string(), port)),
            [host] => Some((host.to_string(), 8080)),
            _ => None,
        }
    });
    let source_interface = top(tree).find_map(|(c, _)| {
        let v = after(&c, "ip http source-interface")?;
        v.split_whitespace().next().map(str::to_string)
    });
    match (enabled && http, url) {
        (true, Some(url)) => Ok(Transport {
            url,
            vrf,
            source_interface,
            proxy,
            identity_check: true,
            call_home: true,
            cslu: false,
        }),
        _ => Err(NoTransport::NotAvailable {
            user_profile: false,
        }),
    }
}

/// APIC ([ACI-SL]): `license smart transport-mode smart-licensing` (direct to CSSM),
/// `… satellite url <url>`, `… proxy ip-address <host> port <port>`. The URL APIC uses for
/// direct CSSM is not in Cisco's documents ⟨GAP⟩: the call-home CSSM URL is used.
pub fn apic(tree: &Tree) -> Result<Transport, NoTransport> {
    let mut transport = Transport {
        url: CSSM_CALL_HOME_URL.to_string(),
        vrf: None,
        source_interface: None,
        proxy: None,
        identity_check: true,
        call_home: false,
        cslu: false,
    };
    for (c, _) in top(tree) {
        let Some(mode) = after(&c, "license smart transport-mode") else {
            continue;
        };
        let words: Vec<&str> = mode.split_whitespace().collect();
        match words.as_slice() {
            ["satellite", "url", url] => transport.url = url.to_string(),
            ["proxy", "ip-address", host, "port", port] => {
                transport.proxy = port.parse().ok().map(|port| (host.to_string(), port));
            }
            _ => {}
        }
    }
    Ok(transport)
}

/// Using Policy ([RTR-CMD]): `license smart transport smart|cslu|callhome|off` (default
/// `cslu`), `license smart url smart <url>` / `license smart url <url>` (default
/// `https://smartreceiver.cisco.com/licservice/license`), `license smart url cslu <url>`,
/// `license smart proxy address|port`, `license smart vrf`, `ip http client
/// source-interface`. With `callhome` the call-home config applies ([RTR-CMD] [CUBE]).
/// NX-OS SLP transport commands are ⟨UNVERIFIED⟩ (docs/platform-notes.md): the same lines are
/// read, and with no `license smart transport` line an NX-OS device uses its callhome.
pub fn policy(platform: Platform, tree: &Tree) -> Result<Transport, NoTransport> {
    let mut kind = None;
    let mut smart_url = None;
    let mut plain_url = None;
    let mut cslu_url = None;
    let mut proxy_host = None;
    let mut proxy_port = None;
    let mut vrf = None;
    let mut source_interface = None;
    let mut identity_check = true;
    for (c, _) in top(tree) {
        if let Some(v) = after(&c, "license smart transport") {
            kind = Some(v.to_string());
        } else if let Some(v) = after(&c, "license smart url smart") {
            smart_url = Some(v.to_string());
        } else if let Some(v) = after(&c, "license smart url cslu") {
            cslu_url = Some(v.to_string());
        } else if let Some(v) = after(&c, "license smart url") {
            if v != "default" && !v.starts_with("utility") {
                plain_url = Some(v.to_string());
            }
        } else if let Some(v) = after(&c, "license smart proxy address") {
            proxy_host = Some(v.to_string());
        } else if let Some(v) = after(&c, "license smart proxy port") {
            proxy_port = v.parse::<u16>().ok();
        } else if let Some(v) = after(&c, "license smart vrf") {
            vrf = Some(v.to_string());
        } else if let Some(v) = after(&c, "ip http client source-interface") {
            source_interface = Some(v.to_string());
        } else if c == "no license smart server-identity-check" {
            identity_check = false;
        }
    }
    let kind = kind.unwrap_or_else(|| {
        if platform == Platform::NxOs {
            "callhome".to_string()
        } else {
            "cslu".to_string()
        }
    });
    let proxy = proxy_host.map(|h| (h, proxy_port.unwrap_or(80)));
    let base = |url: String, cslu: bool| Transport {
        url,
        vrf: vrf.clone(),
        source_interface: source_interface.clone(),
        proxy: proxy.clone(),
        identity_check,
        call_home: false,
        cslu,
    };
    match kind.as_str() {
        "off" | "Off" => Err(NoTransport::Off),
        "callhome" => {
            let mut t = match platform {
                Platform::NxOs => nx_os_call_home(tree)?,
                _ => ios_xe_call_home(tree)?,
            };
            t.call_home = true;
            Ok(t)
        }
        "cslu" => cslu_url
            .or(plain_url)
            .map(|u| base(u, true))
            .ok_or(NoTransport::CsluUnset),
        _ => Ok(base(
            smart_url
                .or(plain_url)
                .unwrap_or_else(|| CSSM_SMART_URL.to_string()),
            false,
        )),
    }
}

/// Why no message could leave the device. All of them are CAT-5 on the device
/// (`Fail to send out Call Home HTTP message.`), the variant says which check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unreachable {
    BadUrl(String),
    /// `http://` to the Cisco cloud (docs/troubleshooting.md NX-2, [NX-TS] [CAT-TS]).
    PlainHttpToCisco,
    /// DNS lookup disabled, no usable name server, or the name is not in the lab DNS.
    NoDns(String),
    /// The source interface does not exist on the device.
    NoInterface(String),
    /// The VRF (or the global table) has no path to the back-end.
    NoPath(Option<String>),
    /// Nothing answers at that address/port.
    NoService(SocketAddr),
}

/// A resolved route: what to connect to and what the TLS check must see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The URL as configured (what the device puts in its request line and logs).
    pub url: reqwest::Url,
    /// The name the server certificate must match: the URL's host as configured.
    pub server_name: String,
    /// Where the service really listens (the proxy's socket when there is a proxy).
    pub connect: SocketAddr,
    /// The request goes through this (real) proxy socket.
    pub via_proxy: bool,
}

/// Resolves `transport` as the device would.
pub fn route(
    platform: Platform,
    tree: &Tree,
    transport: &Transport,
    lab: &LabTopology,
    device: &DeviceNetwork,
) -> Result<Route, Unreachable> {
    let url = reqwest::Url::parse(&transport.url)
        .map_err(|_| Unreachable::BadUrl(transport.url.clone()))?;
    let host = url
        .host_str()
        .ok_or_else(|| Unreachable::BadUrl(transport.url.clone()))?
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    if url.scheme() == "http" && is_cisco_cloud(&host) {
        return Err(Unreachable::PlainHttpToCisco);
    }
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(Unreachable::BadUrl(transport.url.clone()));
    }
    path(
        transport.vrf.as_deref(),
        transport.source_interface.as_deref(),
        device,
    )?;
    let (target_host, target_port) = match &transport.proxy {
        Some((h, p)) => (h.clone(), *p),
        None => (host.clone(), url.port_or_known_default().unwrap_or(443)),
    };
    let ip = resolve(platform, tree, &target_host, lab, device)?;
    let virtual_addr = SocketAddr::new(ip, target_port);
    let connect = *lab
        .services
        .get(&virtual_addr)
        .ok_or(Unreachable::NoService(virtual_addr))?;
    Ok(Route {
        url,
        server_name: host,
        connect,
        via_proxy: transport.proxy.is_some(),
    })
}

/// The VRF traffic leaves through — the one asked for, else the source interface's,
/// else the global table — if it has a path to the lab back-end. A source interface in
/// another VRF than the one asked for has no path; one the device does not have is
/// [`Unreachable::NoInterface`]. Registration ([`route`]) and `ping`/`telnet` ([`probe`])
/// both decide with this.
pub fn path(
    vrf: Option<&str>,
    source_interface: Option<&str>,
    device: &DeviceNetwork,
) -> Result<Option<String>, Unreachable> {
    let mut vrf = vrf.map(str::to_string);
    if let Some(interface) = source_interface {
        let interface_vrf = device
            .interface_vrf(interface)
            .map_err(|()| Unreachable::NoInterface(interface.to_string()))?;
        match (&vrf, interface_vrf) {
            (None, v) => vrf = v,
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(&b) => {}
            (Some(a), _) => return Err(Unreachable::NoPath(Some(a.clone()))),
        }
    }
    if !device.reaches(vrf.as_deref()) {
        return Err(Unreachable::NoPath(vrf));
    }
    Ok(vrf)
}

/// Hosts of the Cisco cloud ([CAT-TS]: tools.cisco.com; [RTR-CMD] [GENIELIBS]: smartreceiver).
fn is_cisco_cloud(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "cisco.com" || host.ends_with(".cisco.com")
}

/// How a name was resolved: what IOS's `Translating "…"` line reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The name is an address.
    Literal,
    /// An `ip host` entry: no DNS query.
    HostTable,
    /// This name server answered.
    NameServer(IpAddr),
}

/// Why a name did not resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupFailure {
    /// `no ip domain lookup` (`no ip domain-lookup`).
    Disabled,
    /// No name server is configured (IOS then asks 255.255.255.255).
    NoServer,
    /// Name servers are configured, none is a lab DNS server reached through its VRF: the
    /// query goes unanswered. The first configured server is named.
    NoAnswer(IpAddr),
    /// A lab DNS server answered that the name does not exist.
    NotFound(IpAddr),
}

/// A name as the device resolves it: an address literal; an `ip host` entry; else a
/// configured name server that is a lab DNS server reached through its VRF. One home for
/// registration ([`resolve`], through [`route`]) and `ping`/`telnet` ([`probe`]).
pub fn lookup(
    platform: Platform,
    tree: &Tree,
    name: &str,
    lab: &LabTopology,
    device: &DeviceNetwork,
) -> Result<(IpAddr, Resolution), LookupFailure> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok((ip, Resolution::Literal));
    }
    let wanted = name.to_ascii_lowercase();
    let mut servers: Vec<(IpAddr, Option<String>)> = Vec::new();
    let mut enabled = true;
    for (c, line) in top(tree) {
        if let Some(rest) = after(&c, "ip host") {
            // IOS-XE `ip host [vrf V] NAME IP…`, NX-OS `ip host NAME IP`.
            let words: Vec<&str> = rest.split_whitespace().collect();
            let words = match words.as_slice() {
                ["vrf", _, rest @ ..] => rest,
                all => all,
            };
            if let [host, addrs @ ..] = words
                && host.eq_ignore_ascii_case(&wanted)
                && let Some(ip) = addrs.iter().find_map(|a| a.parse::<IpAddr>().ok())
            {
                return Ok((ip, Resolution::HostTable));
            }
        } else if c == "no ip domain lookup" || c == "no ip domain-lookup" {
            enabled = false;
        } else if let Some(rest) = after(&c, "ip name-server") {
            servers.extend(name_servers(rest, None));
        } else if platform == Platform::NxOs
            && let Some(vrf) = after(&c, "vrf context")
        {
            for child in &line.children {
                let cc = canon(child);
                if let Some(rest) = after(&cc, "ip name-server") {
                    servers.extend(name_servers(rest, Some(vrf.to_string())));
                }
            }
        }
    }
    if platform == Platform::Apic {
        // APIC's DNS is a fabric policy outside `license smart …` ⟨GAP⟩: the lab's DNS
        // servers are used when the APIC reaches the back-end at all.
        servers.extend(lab.dns_servers.iter().map(|ip| (*ip, None)));
    }
    if !enabled {
        return Err(LookupFailure::Disabled);
    }
    let Some((first, _)) = servers.first() else {
        return Err(LookupFailure::NoServer);
    };
    let Some((server, _)) = servers
        .iter()
        .find(|(ip, vrf)| lab.dns_servers.contains(ip) && device.reaches(vrf.as_deref()))
    else {
        return Err(LookupFailure::NoAnswer(*first));
    };
    lab.names
        .get(&wanted)
        .map(|ip| (*ip, Resolution::NameServer(*server)))
        .ok_or(LookupFailure::NotFound(*server))
}

/// [`lookup`] for registration: the address, or why there is none as [`Unreachable`].
pub fn resolve(
    platform: Platform,
    tree: &Tree,
    name: &str,
    lab: &LabTopology,
    device: &DeviceNetwork,
) -> Result<IpAddr, Unreachable> {
    lookup(platform, tree, name, lab, device)
        .map(|(ip, _)| ip)
        .map_err(|failure| {
            Unreachable::NoDns(match failure {
                LookupFailure::Disabled => format!("{name}: ip domain lookup disabled"),
                LookupFailure::NoServer | LookupFailure::NoAnswer(_) => {
                    format!("{name}: no reachable name server")
                }
                LookupFailure::NotFound(_) => format!("{name}: not found"),
            })
        })
}

/// A reachability test typed on the device: `ping HOST` (no port) or `telnet HOST PORT`,
/// through a VRF and/or from a source interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Probe<'a> {
    pub host: &'a str,
    pub port: Option<u16>,
    pub vrf: Option<&'a str>,
    pub source_interface: Option<&'a str>,
}

/// What a [`Probe`] finds, in the order the device finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeResult {
    /// The source interface does not exist on the device.
    NoInterface(String),
    /// The name did not resolve.
    Unresolved(LookupFailure),
    Resolved {
        ip: IpAddr,
        via: Resolution,
        reach: Reach,
    },
}

/// Whether a resolved address answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The VRF (or source interface) has no path to the lab back-end.
    NoPath,
    /// A path exists but nothing in the lab has that address: nothing answers.
    Silent,
    /// The address is a lab host and answers ICMP (`ping`).
    Answers,
    /// The address is a lab host but nothing listens on that port (`telnet`).
    Refused,
    /// A lab service listens there: its real loopback socket (`telnet` connects to it).
    Listening(SocketAddr),
}

/// Runs `probe` the way registration would make its call: the same DNS ([`lookup`]), the
/// same VRF/source-interface check ([`path`]) and the same virtual → real service map.
pub fn probe(
    platform: Platform,
    tree: &Tree,
    probe: &Probe,
    lab: &LabTopology,
    device: &DeviceNetwork,
) -> ProbeResult {
    if let Some(interface) = probe.source_interface
        && device.interface_vrf(interface).is_err()
    {
        return ProbeResult::NoInterface(interface.to_string());
    }
    let (ip, via) = match lookup(platform, tree, probe.host, lab, device) {
        Ok(found) => found,
        Err(failure) => return ProbeResult::Unresolved(failure),
    };
    let reach = if path(probe.vrf, probe.source_interface, device).is_err() {
        Reach::NoPath
    } else if !lab.is_host(ip) {
        Reach::Silent
    } else {
        match probe.port {
            None => Reach::Answers,
            Some(port) => lab
                .services
                .get(&SocketAddr::new(ip, port))
                .map_or(Reach::Refused, |real| Reach::Listening(*real)),
        }
    };
    ProbeResult::Resolved { ip, via, reach }
}

/// `[vrf V] A B …` (IOS-XE) or `A B … [use-vrf V]` (NX-OS) → (server, VRF) pairs.
fn name_servers(rest: &str, context_vrf: Option<String>) -> Vec<(IpAddr, Option<String>)> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut vrf = context_vrf;
    let mut addrs = Vec::new();
    let mut i = 0;
    while i < words.len() {
        match words[i] {
            "vrf" | "use-vrf" if i + 1 < words.len() => {
                vrf = Some(words[i + 1].to_string());
                i += 2;
            }
            w => {
                if let Ok(ip) = w.parse::<IpAddr>() {
                    addrs.push(ip);
                }
                i += 1;
            }
        }
    }
    addrs.into_iter().map(|ip| (ip, vrf.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> Tree {
        Tree::parse(text)
    }

    const CSSM_IP: &str = "198.51.100.10";
    const DNS_IP: &str = "198.51.100.53";

    fn lab() -> LabTopology {
        LabTopology::new()
            .dns_server(DNS_IP.parse().unwrap())
            .name("tools.cisco.com", CSSM_IP.parse().unwrap())
            .name("smartreceiver.cisco.com", CSSM_IP.parse().unwrap())
            .service(
                format!("{CSSM_IP}:443").parse().unwrap(),
                "127.0.0.1:40443".parse().unwrap(),
            )
            .unwrap()
            .service(
                "198.51.100.80:3128".parse().unwrap(),
                "127.0.0.1:43128".parse().unwrap(),
            )
            .unwrap()
    }

    fn device() -> DeviceNetwork {
        DeviceNetwork {
            reaches: vec!["Mgmt-vrf".into()],
            interfaces: [
                (
                    "GigabitEthernet0/0".to_string(),
                    Some("Mgmt-vrf".to_string()),
                ),
                ("Vlan27".to_string(), None),
            ]
            .into_iter()
            .collect(),
            clock_offset_secs: 0,
        }
    }

    const XE_DEFAULT: &str = "service call-home\ncall-home\n ! If contact email address in call-home is configured as sch-smart-licensing@cisco.com\n contact-email-addr sch-smart-licensing@cisco.com\n profile \"CiscoTAC-1\"\n  active\n  destination transport-method http\n  no destination transport-method email\n";

    #[test]
    fn refuses_non_loopback_service_sockets() {
        let err = LabTopology::new()
            .service(
                "198.51.100.10:443".parse().unwrap(),
                "10.0.0.1:443".parse().unwrap(),
            )
            .unwrap_err();
        assert!(err.contains("10.0.0.1:443"), "{err}");
    }

    #[test]
    fn the_default_cisco_tac_profile_uses_the_hidden_cssm_url() {
        let t = ios_xe_call_home(&tree(XE_DEFAULT)).unwrap();
        assert_eq!(t.url, CSSM_CALL_HOME_URL);
        assert!(t.identity_check);
    }

    #[test]
    fn call_home_not_enabled_or_wrong_profile_is_cat_4() {
        let no_service = XE_DEFAULT.replace("service call-home\n", "");
        assert_eq!(
            ios_xe_call_home(&tree(&no_service)),
            Err(NoTransport::NotAvailable {
                user_profile: false
            })
        );
        let user = "service call-home\ncall-home\n profile \"CiscoTAC-1\"\n  no active\n profile \"Mine\"\n  active\n  destination transport-method http\n";
        assert_eq!(
            ios_xe_call_home(&tree(user)),
            Err(NoTransport::NotAvailable { user_profile: true })
        );
        let fixed = format!(
            "{user}  reporting smart-licensing-data\n  destination address http https://sat.lab/Transportgateway/services/DeviceRequestHandler\n"
        );
        let t = ios_xe_call_home(&tree(&fixed)).unwrap();
        assert_eq!(
            t.url,
            "https://sat.lab/Transportgateway/services/DeviceRequestHandler"
        );
    }

    #[test]
    fn reads_vrf_source_interface_proxy_and_identity_check() {
        let text = format!(
            "{XE_DEFAULT} vrf Mgmt-vrf\n source-interface GigabitEthernet0/0\n http-proxy \"proxy.lab\" port 3128\n no http secure server-identity-check\n"
        );
        let t = ios_xe_call_home(&tree(&text)).unwrap();
        assert_eq!(t.vrf.as_deref(), Some("Mgmt-vrf"));
        assert_eq!(t.source_interface.as_deref(), Some("GigabitEthernet0/0"));
        assert_eq!(t.proxy, Some(("proxy.lab".to_string(), 3128)));
        assert!(!t.identity_check);
    }

    #[test]
    fn routes_through_the_vrf_name_server() {
        let text = format!("ip name-server vrf Mgmt-vrf {DNS_IP}\n{XE_DEFAULT} vrf Mgmt-vrf\n");
        let tr = tree(&text);
        let t = ios_xe_call_home(&tr).unwrap();
        let r = route(Platform::IosXe, &tr, &t, &lab(), &device()).unwrap();
        assert_eq!(r.connect, "127.0.0.1:40443".parse().unwrap());
        assert_eq!(r.server_name, "tools.cisco.com");
    }

    #[test]
    fn each_network_failure_is_told_apart() {
        let lab = lab();
        let dev = device();
        let check = |text: &str| {
            let tr = tree(text);
            let t = ios_xe_call_home(&tr).unwrap();
            route(Platform::IosXe, &tr, &t, &lab, &dev)
        };
        // Wrong VRF: the global table does not reach the back-end.
        assert_eq!(
            check(&format!(
                "ip name-server vrf Mgmt-vrf {DNS_IP}\n{XE_DEFAULT}"
            )),
            Err(Unreachable::NoPath(None))
        );
        // Source interface in the global table.
        assert_eq!(
            check(&format!(
                "ip name-server vrf Mgmt-vrf {DNS_IP}\n{XE_DEFAULT} source-interface Vlan27\n vrf Mgmt-vrf\n"
            )),
            Err(Unreachable::NoPath(Some("Mgmt-vrf".into())))
        );
        assert_eq!(
            check(&format!("{XE_DEFAULT} source-interface Gi0/9\n")),
            Err(Unreachable::NoInterface("Gi0/9".into()))
        );
        // No DNS: no name server, or one that is not a lab DNS server.
        assert!(matches!(
            check(&format!("{XE_DEFAULT} vrf Mgmt-vrf\n")),
            Err(Unreachable::NoDns(_))
        ));
        assert!(matches!(
            check(&format!(
                "ip name-server vrf Mgmt-vrf 8.8.8.8\n{XE_DEFAULT} vrf Mgmt-vrf\n"
            )),
            Err(Unreachable::NoDns(_))
        ));
        // ... but an `ip host` entry needs no DNS ([CAT-TS]).
        assert!(
            check(&format!(
                "ip host tools.cisco.com {CSSM_IP}\n{XE_DEFAULT} vrf Mgmt-vrf\n"
            ))
            .is_ok()
        );
        // Source interface GigabitEthernet0/0 puts call-home in Mgmt-vrf.
        assert!(
            check(&format!(
                "ip host tools.cisco.com {CSSM_IP}\n{XE_DEFAULT} source-interface gi0/0\n"
            ))
            .is_ok()
        );
        // http:// to the Cisco cloud (NX-2).
        let http = format!(
            "{}  destination address http http://tools.cisco.com/its/service/oddce/services/DDCEService\n vrf Mgmt-vrf\n",
            XE_DEFAULT
        );
        assert_eq!(check(&http), Err(Unreachable::PlainHttpToCisco));
        // An address nobody listens on.
        let nowhere = format!(
            "{}  destination address http https://192.0.2.7/Transportgateway/services/DeviceRequestHandler\n vrf Mgmt-vrf\n",
            XE_DEFAULT
        );
        assert_eq!(
            check(&nowhere),
            Err(Unreachable::NoService("192.0.2.7:443".parse().unwrap()))
        );
    }

    #[test]
    fn ip_http_client_source_interface_puts_call_home_in_its_vrf() {
        // [CAT-TS]: "required" when tools.cisco.com is reached through a VRF.
        let lab = lab();
        let base = format!("ip name-server vrf Mgmt-vrf {DNS_IP}\n{XE_DEFAULT}");
        let tr = tree(&base);
        let t = ios_xe_call_home(&tr).unwrap();
        assert_eq!(
            route(Platform::IosXe, &tr, &t, &lab, &device()),
            Err(Unreachable::NoPath(None))
        );
        let text = format!("ip http client source-interface GigabitEthernet0/0\n{base}");
        let tr = tree(&text);
        let t = ios_xe_call_home(&tr).unwrap();
        assert_eq!(t.source_interface.as_deref(), Some("GigabitEthernet0/0"));
        assert!(route(Platform::IosXe, &tr, &t, &lab, &device()).is_ok());
        // call-home's own source interface wins.
        let own = format!("{text} source-interface Vlan27\n");
        let t = ios_xe_call_home(&tree(&own)).unwrap();
        assert_eq!(t.source_interface.as_deref(), Some("Vlan27"));
    }

    #[test]
    fn a_proxy_is_resolved_and_the_target_name_kept_for_tls() {
        let lab = lab().name("proxy.lab", "198.51.100.80".parse().unwrap());
        let text = format!(
            "ip name-server vrf Mgmt-vrf {DNS_IP}\n{XE_DEFAULT} vrf Mgmt-vrf\n http-proxy \"proxy.lab\" port 3128\n"
        );
        let tr = tree(&text);
        let t = ios_xe_call_home(&tr).unwrap();
        let r = route(Platform::IosXe, &tr, &t, &lab, &device()).unwrap();
        assert!(r.via_proxy);
        assert_eq!(r.connect, "127.0.0.1:43128".parse().unwrap());
        assert_eq!(r.server_name, "tools.cisco.com");
    }

    #[test]
    fn nx_os_callhome_with_use_vrf_management() {
        let text = format!(
            "ip name-server {DNS_IP} use-vrf management\ncallhome\n  email-contact sch-smart-licensing@cisco.com\n  destination-profile CiscoTAC-1 transport-method http\n  destination-profile CiscoTAC-1 index 1 http https://tools.cisco.com/its/service/oddce/services/DDCEService\n  transport http use-vrf management\n  enable\n"
        );
        let tr = tree(&text);
        let t = nx_os_call_home(&tr).unwrap();
        assert_eq!(t.url, CSSM_CALL_HOME_URL);
        assert_eq!(t.vrf.as_deref(), Some("management"));
        let dev = DeviceNetwork {
            reaches: vec!["management".into()],
            ..DeviceNetwork::default()
        };
        assert!(route(Platform::NxOs, &tr, &t, &lab(), &dev).is_ok());
        // Without `enable`, call-home is not available.
        let disabled = text.replace("  enable\n", "");
        assert!(nx_os_call_home(&tree(&disabled)).is_err());
        // docs/troubleshooting.md NX-1: the HTTP source interface in the global table, not in `management`.
        let dev = DeviceNetwork {
            reaches: vec!["management".into()],
            interfaces: [
                ("mgmt0".to_string(), Some("management".to_string())),
                ("Vlan27".to_string(), None),
            ]
            .into_iter()
            .collect(),
            clock_offset_secs: 0,
        };
        let vlan = tree(&format!("{text}ip http source-interface vlan27\n"));
        let t = nx_os_call_home(&vlan).unwrap();
        assert_eq!(t.source_interface.as_deref(), Some("vlan27"));
        assert_eq!(
            route(Platform::NxOs, &vlan, &t, &lab(), &dev),
            Err(Unreachable::NoPath(Some("management".into())))
        );
        let mgmt = tree(&format!(
            "{text}ip http source-interface mgmt0 vrf management\n"
        ));
        let t = nx_os_call_home(&mgmt).unwrap();
        assert!(route(Platform::NxOs, &mgmt, &t, &lab(), &dev).is_ok());
        // A proxy server is used only once `transport http proxy enable` is there.
        let proxied = text.replace(
            "  enable\n",
            "  enable\n  transport http proxy server proxy.lab port 3128\n",
        );
        assert_eq!(nx_os_call_home(&tree(&proxied)).unwrap().proxy, None);
        let enabled = format!("{proxied}  transport http proxy enable\n");
        assert_eq!(
            nx_os_call_home(&tree(&enabled)).unwrap().proxy,
            Some(("proxy.lab".to_string(), 3128))
        );
    }

    #[test]
    fn policy_transports() {
        let p = Platform::IosXe;
        assert_eq!(policy(p, &Tree::default()), Err(NoTransport::CsluUnset));
        assert_eq!(
            policy(p, &tree("license smart transport off\n")),
            Err(NoTransport::Off)
        );
        let smart = policy(
            p,
            &tree("license smart transport smart\nlicense smart proxy address proxy.lab\nlicense smart proxy port 3128\nlicense smart vrf Mgmt-vrf\n",
            ),
        )
        .unwrap();
        assert_eq!(smart.url, CSSM_SMART_URL);
        assert_eq!(smart.proxy, Some(("proxy.lab".into(), 3128)));
        assert_eq!(smart.vrf.as_deref(), Some("Mgmt-vrf"));
        let cslu = policy(
            p,
            &tree("license smart transport cslu\nlicense smart url cslu http://cslu.lab:8182/cslu/v1/pi\n",
            ),
        )
        .unwrap();
        assert!(cslu.cslu);
        let callhome = policy(
            p,
            &tree(&format!("license smart transport callhome\n{XE_DEFAULT}")),
        )
        .unwrap();
        assert!(callhome.call_home);
    }

    #[test]
    fn apic_modes() {
        assert_eq!(apic(&Tree::default()).unwrap().url, CSSM_CALL_HOME_URL);
        let sat = apic(&tree("license smart transport-mode satellite url https://10.0.10.1:8443/Transportgateway/services/DeviceRequestHandler\n")).unwrap();
        assert!(sat.url.starts_with("https://10.0.10.1:8443/"));
        let proxy = apic(&tree(
            "license smart transport-mode proxy ip-address 10.0.0.248 port 4440\n",
        ))
        .unwrap();
        assert_eq!(proxy.proxy, Some(("10.0.0.248".into(), 4440)));
    }

    #[test]
    fn lookup_says_how_a_name_resolved_or_why_not() {
        let lab = lab();
        let dev = device();
        let look = |text: &str, name: &str| lookup(Platform::IosXe, &tree(text), name, &lab, &dev);
        let cssm: IpAddr = CSSM_IP.parse().unwrap();
        let dns: IpAddr = DNS_IP.parse().unwrap();
        assert_eq!(look("", CSSM_IP), Ok((cssm, Resolution::Literal)));
        assert_eq!(
            look(
                &format!("ip host tools.cisco.com {CSSM_IP}\n"),
                "TOOLS.cisco.com"
            ),
            Ok((cssm, Resolution::HostTable))
        );
        assert_eq!(look("", "tools.cisco.com"), Err(LookupFailure::NoServer));
        assert_eq!(
            look(
                &format!("no ip domain lookup\nip name-server vrf Mgmt-vrf {DNS_IP}\n"),
                "tools.cisco.com"
            ),
            Err(LookupFailure::Disabled)
        );
        // A server that is not a lab DNS server, or one in a VRF with no path.
        assert_eq!(
            look("ip name-server 8.8.8.8\n", "tools.cisco.com"),
            Err(LookupFailure::NoAnswer("8.8.8.8".parse().unwrap()))
        );
        assert_eq!(
            look(&format!("ip name-server {DNS_IP}\n"), "tools.cisco.com"),
            Err(LookupFailure::NoAnswer(dns))
        );
        let vrf_dns = format!("ip name-server 8.8.8.8\nip name-server vrf Mgmt-vrf {DNS_IP}\n");
        assert_eq!(
            look(&vrf_dns, "tools.cisco.com"),
            Ok((cssm, Resolution::NameServer(dns)))
        );
        assert_eq!(
            look(&vrf_dns, "nowhere.example"),
            Err(LookupFailure::NotFound(dns))
        );
        // Registration reads the same answers.
        assert!(matches!(
            resolve(Platform::IosXe, &Tree::default(), "tools.cisco.com", &lab, &dev),
            Err(Unreachable::NoDns(m)) if m.ends_with("no reachable name server")
        ));
    }

    #[test]
    fn probes_decide_like_registration() {
        let lab = lab();
        let dev = device();
        let text = format!("ip name-server vrf Mgmt-vrf {DNS_IP}\n");
        let tr = tree(&text);
        let run = |p: Probe| probe(Platform::IosXe, &tr, &p, &lab, &dev);
        let cssm: IpAddr = CSSM_IP.parse().unwrap();
        let dns = Resolution::NameServer(DNS_IP.parse().unwrap());
        let reach = |reach| ProbeResult::Resolved {
            ip: cssm,
            via: dns,
            reach,
        };
        let host = "tools.cisco.com";
        // Mgmt-vrf reaches the back-end, the global table does not.
        let vrf = Some("Mgmt-vrf");
        assert_eq!(
            run(Probe {
                host,
                vrf,
                ..Probe::default()
            }),
            reach(Reach::Answers)
        );
        assert_eq!(
            run(Probe {
                host,
                ..Probe::default()
            }),
            reach(Reach::NoPath)
        );
        assert_eq!(
            run(Probe {
                host,
                source_interface: Some("gi0/0"),
                ..Probe::default()
            }),
            reach(Reach::Answers)
        );
        assert_eq!(
            run(Probe {
                host,
                vrf,
                source_interface: Some("Vlan27"),
                ..Probe::default()
            }),
            reach(Reach::NoPath)
        );
        assert_eq!(
            run(Probe {
                host,
                source_interface: Some("Gi0/9"),
                ..Probe::default()
            }),
            ProbeResult::NoInterface("Gi0/9".into())
        );
        // Ports: a lab service, a lab host with nothing on that port, an unknown address.
        assert_eq!(
            run(Probe {
                host,
                port: Some(443),
                vrf,
                ..Probe::default()
            }),
            reach(Reach::Listening("127.0.0.1:40443".parse().unwrap()))
        );
        assert_eq!(
            run(Probe {
                host,
                port: Some(80),
                vrf,
                ..Probe::default()
            }),
            reach(Reach::Refused)
        );
        assert_eq!(
            run(Probe {
                host: "192.0.2.7",
                port: Some(443),
                vrf,
                ..Probe::default()
            }),
            ProbeResult::Resolved {
                ip: "192.0.2.7".parse().unwrap(),
                via: Resolution::Literal,
                reach: Reach::Silent,
            }
        );
        assert_eq!(
            run(Probe {
                host: "nowhere.example",
                vrf,
                ..Probe::default()
            }),
            ProbeResult::Unresolved(LookupFailure::NotFound(DNS_IP.parse().unwrap()))
        );
    }
}
