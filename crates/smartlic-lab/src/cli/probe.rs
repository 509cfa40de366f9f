//! `ping` and `telnet` typed on a lab device: what was asked ([`Request`]), the answer of
//! the lab network ([`network::probe`], the same DNS, VRF and service checks the device's
//! registration goes through) and the text the real device prints for it.
//!
//! This module owns the outputs; the network model owns the outcomes. `telnet` to a lab
//! service really connects to the service's loopback socket (127.0.0.0/8 only) and, as the
//! real sample shows, the connection is closed at once: the device is back at its prompt.
//!
//! Sources of each text (docs/lab.md "Reachability from the device" has the full table):
//! - IOS-XE `telnet`: [CAT-TS] (`Trying tools.cisco.com (x.x.x.x, 443)... Open`,
//!   `[Connection to tools.cisco.com closed by foreign host]`); public IOS transcripts for
//!   `Translating "trip-hop.net"...domain server (8.8.8.8) [OK]` (search index id
//!   13583784792), `Trying 172.16.22.252, 21 ... ` / `% Connection refused by remote host`
//!   / `% Connection timed out; remote host not responding` (notes.networklessons.com,
//!   "using Telnet to test transport layer ports"), and a console log with `% Bad IP
//!   address or host name` and `% Destination unreachable; gateway or host down` (index
//!   id 45564638224);
//! - IOS-XE `ping`: a C1111 IOS-XE transcript (`Type escape sequence to abort.`, `Sending
//!   5, 100-byte ICMP Echos to 8.8.8.8, timeout is 2 seconds:`, `!!!!!`, `Success rate is
//!   100 percent (5/5), round-trip min/avg/max = 4/4/5 ms`, index id 66942324225), a
//!   switch transcript for `.....` / `Success rate is 0 percent (0/5)` (index id
//!   24074078300), the 70-mark lines of a 1000-packet ping (uni-koeln.de NX-OS CoPP
//!   notes), `Translating "google.com"...domain server (255.255.255.255)` / `% Unrecognized
//!   host or address, or protocol not running.` (J. McDowell, CCNA study guide, index id
//!   70487137714), `Translating "youtube.com"` without a server while lookup is off and
//!   `... [OK]` followed by a blank line (Jeremy's IT Lab notes, index id 6050142201);
//! - NX-OS `ping`: docs/troubleshooting.md NX-1 (`PING tools.cisco.com (72.163.4.38): 56 data bytes`,
//!   `64 bytes from …: icmp_seq=0 ttl=… time=… ms`); the cisco.nxos `nxos_ping` unit tests
//!   (index id 224243600: statistics block, `Request 0 timed out`); a DevNet NSO lab on
//!   NX-OS for `ping: sendto 172.16.110.2 64 chars, No route to host` (index id
//!   14101990051); `Invalid
//!   host/interface` is what NX-OS ping checkers match for a bad destination (netests,
//!   index ids 661464279, 25151926642) — no full transcript was found;
//! - NX-OS `telnet`: docs/troubleshooting.md NX-1 (`Trying …`, `Connected to tools.cisco.com.`, `Escape
//!   character is '^]'.`, `Connection closed by foreign host.`). That is the netkit telnet
//!   client's text, so its failures are netkit's (`telnet: Unable to connect to remote
//!   host: Connection refused|Connection timed out|No route to host`, `telnet: could not
//!   resolve NAME/PORT: Name or service not known`); no NX-OS capture of them was found.

use std::net::{IpAddr, TcpStream};
use std::time::Duration;

use crate::device::Licensing;
use crate::network::{
    self, DeviceNetwork, LabTopology, LookupFailure, Probe, ProbeResult, Reach, Resolution,
};
use crate::release::Platform;
use crate::tree::Tree;

/// IOS `ping` default repeat count and NX-OS default `count`.
pub const DEFAULT_COUNT: u32 = 5;
/// The largest `repeat`/`count` the lab prints (a lab limit, not the device's).
pub const MAX_COUNT: u32 = 100_000;
/// The telnet port when none is given.
pub const TELNET_PORT: u16 = 23;
/// How long `telnet` waits for a lab service's loopback socket.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// IOS prints 70 `!`/`.` marks per line.
const MARKS_PER_LINE: usize = 70;
/// Round-trip times the lab prints (loopback; not measured).
const IOS_RTT_MS: &str = "1/1/1";
const NX_RTT_MS: &str = "0.512";
const NX_TTL: u8 = 64;

/// What a `ping`/`telnet` line asks, read from its resolved words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub host: String,
    /// `telnet`'s port; `None`: the default (23), which IOS leaves out of `Trying …`.
    pub port: Option<u16>,
    pub vrf: Option<String>,
    pub source: Option<String>,
    /// Which word names the source interface (where the caret goes if it does not exist).
    pub source_word: Option<usize>,
    pub count: u32,
}

impl Request {
    /// Reads the words of a resolved `ping …`/`telnet …` line (the personality's patterns
    /// have checked their order). `Err(i)`: word `i` is out of range.
    pub fn parse(words: &[String]) -> Result<Request, usize> {
        let mut request = Request {
            host: String::new(),
            port: None,
            vrf: None,
            source: None,
            source_word: None,
            count: DEFAULT_COUNT,
        };
        let mut i = 1;
        while i < words.len() {
            let next = words.get(i + 1).cloned();
            match words[i].as_str() {
                "vrf" | "/vrf" => request.vrf = next,
                "source" | "source-interface" | "/source-interface" => {
                    request.source = next;
                    request.source_word = Some(i + 1);
                }
                "repeat" | "count" => {
                    request.count = next
                        .and_then(|n| n.parse().ok())
                        .filter(|n| (1..=MAX_COUNT).contains(n))
                        .ok_or(i + 1)?;
                }
                word if request.host.is_empty() => {
                    request.host = word.to_string();
                    i += 1;
                    continue;
                }
                word => {
                    request.port = Some(word.parse().ok().filter(|p| *p > 0).ok_or(i)?);
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        Ok(request)
    }
}

/// `ping` (`telnet: false`) or `telnet` as `platform` prints it, through the device's lab
/// network (`licensing.network()`, nothing when it has none). `Err(i)`: the source
/// interface (word `i`) does not exist, which the device refuses as invalid input.
pub fn run(
    platform: Platform,
    licensing: &dyn Licensing,
    running: &Tree,
    telnet: bool,
    request: &Request,
) -> Result<String, usize> {
    let (lab, device) = licensing
        .network()
        .map(|(lab, device)| ((*lab).clone(), device))
        .unwrap_or_else(|| (LabTopology::default(), DeviceNetwork::default()));
    let port = telnet.then(|| request.port.unwrap_or(TELNET_PORT));
    let probe = Probe {
        host: &request.host,
        port,
        vrf: request.vrf.as_deref(),
        source_interface: request.source.as_deref(),
    };
    let result = match network::probe(platform, running, &probe, &lab, &device) {
        ProbeResult::NoInterface(_) => return Err(request.source_word.unwrap_or(0)),
        ProbeResult::Resolved {
            ip,
            via,
            reach: Reach::Listening(real),
        } => ProbeResult::Resolved {
            ip,
            via,
            reach: if connects(real) {
                Reach::Listening(real)
            } else {
                Reach::Refused
            },
        },
        other => other,
    };
    Ok(match (platform, telnet) {
        (Platform::NxOs, false) => nx_ping(request, &result),
        (Platform::NxOs, true) => nx_telnet(request, port.unwrap_or(TELNET_PORT), &result),
        (_, false) => ios_ping(request, &result),
        (_, true) => ios_telnet(request, &result),
    })
}

/// Whether a lab service really listens on its loopback socket; the connection is closed
/// at once (the session ends as in [CAT-TS]). Never connects outside 127.0.0.0/8.
fn connects(real: std::net::SocketAddr) -> bool {
    network::is_lab_loopback(real.ip())
        && TcpStream::connect_timeout(&real, CONNECT_TIMEOUT).is_ok()
}

// ---------------------------------------------------------------- IOS-XE

/// `Translating "NAME"…` for a failed lookup: no server while lookup is off, the
/// broadcast address without a name server, else the server asked.
fn ios_translating_failed(host: &str, failure: &LookupFailure) -> String {
    match failure {
        LookupFailure::Disabled => format!("Translating \"{host}\"\n"),
        LookupFailure::NoServer => {
            format!("Translating \"{host}\"...domain server (255.255.255.255)\n")
        }
        LookupFailure::NoAnswer(server) | LookupFailure::NotFound(server) => {
            format!("Translating \"{host}\"...domain server ({server})\n")
        }
    }
}

fn ios_translated(host: &str, via: &Resolution) -> Option<String> {
    match via {
        Resolution::NameServer(server) => Some(format!(
            "Translating \"{host}\"...domain server ({server}) [OK]\n"
        )),
        Resolution::Literal | Resolution::HostTable => None,
    }
}

/// `!!!!!`/`.....` in lines of 70.
fn marks(mark: char, count: u32) -> String {
    let all: Vec<char> = std::iter::repeat_n(mark, count as usize).collect();
    all.chunks(MARKS_PER_LINE)
        .map(|line| format!("{}\n", line.iter().collect::<String>()))
        .collect()
}

pub fn ios_ping(request: &Request, result: &ProbeResult) -> String {
    let host = &request.host;
    let n = request.count;
    match result {
        ProbeResult::NoInterface(_) => String::new(),
        ProbeResult::Unresolved(failure) => format!(
            "{}% Unrecognized host or address, or protocol not running.\n",
            ios_translating_failed(host, failure)
        ),
        ProbeResult::Resolved { ip, via, reach } => {
            let mut out = ios_translated(host, via)
                .map(|t| format!("{t}\n"))
                .unwrap_or_default();
            out.push_str("Type escape sequence to abort.\n");
            out.push_str(&format!(
                "Sending {n}, 100-byte ICMP Echos to {ip}, timeout is 2 seconds:\n"
            ));
            if *reach == Reach::Answers {
                out.push_str(&marks('!', n));
                out.push_str(&format!(
                    "Success rate is 100 percent ({n}/{n}), round-trip min/avg/max = {IOS_RTT_MS} ms\n"
                ));
            } else {
                out.push_str(&marks('.', n));
                out.push_str(&format!("Success rate is 0 percent (0/{n})\n"));
            }
            out
        }
    }
}

pub fn ios_telnet(request: &Request, result: &ProbeResult) -> String {
    let host = &request.host;
    match result {
        ProbeResult::NoInterface(_) => String::new(),
        ProbeResult::Unresolved(failure) => format!(
            "{}\n% Bad IP address or host name\n",
            ios_translating_failed(host, failure)
        ),
        ProbeResult::Resolved { ip, via, reach } => {
            let mut out = ios_translated(host, via).unwrap_or_default();
            let literal = *via == Resolution::Literal;
            let trying = match (literal, request.port) {
                (true, Some(port)) => format!("Trying {ip}, {port} ... "),
                (true, None) => format!("Trying {ip} ... "),
                (false, Some(port)) => format!("Trying {host} ({ip}, {port})... "),
                (false, None) => format!("Trying {host} ({ip})... "),
            };
            out.push_str(&trying);
            let failure = match reach {
                Reach::Listening(_) | Reach::Answers => {
                    out.push_str(&format!(
                        "Open\n[Connection to {host} closed by foreign host]\n"
                    ));
                    return out;
                }
                Reach::Refused => "% Connection refused by remote host",
                Reach::Silent => "% Connection timed out; remote host not responding",
                Reach::NoPath => "% Destination unreachable; gateway or host down",
            };
            out.push_str(&format!("\n{failure}\n\n"));
            out
        }
    }
}

// ---------------------------------------------------------------- NX-OS

pub fn nx_ping(request: &Request, result: &ProbeResult) -> String {
    let host = &request.host;
    let n = request.count;
    let (ip, reach) = match result {
        ProbeResult::NoInterface(_) => return String::new(),
        ProbeResult::Unresolved(_) => return format!("% Invalid host/interface {host}\n"),
        ProbeResult::Resolved { ip, reach, .. } => (ip, reach),
    };
    let mut out = format!("PING {host} ({ip}): 56 data bytes\n");
    let received = if *reach == Reach::Answers { n } else { 0 };
    for seq in 0..n {
        match reach {
            Reach::Answers => out.push_str(&format!(
                "64 bytes from {ip}: icmp_seq={seq} ttl={NX_TTL} time={NX_RTT_MS} ms\n"
            )),
            Reach::NoPath => out.push_str(&format!(
                "ping: sendto {ip} 64 chars, No route to host\nRequest {seq} timed out\n"
            )),
            _ => out.push_str(&format!("Request {seq} timed out\n")),
        }
    }
    let loss = if received == n { "0.00" } else { "100.00" };
    out.push_str(&format!(
        "\n--- {host} ping statistics ---\n{n} packets transmitted, {received} packets received, {loss}% packet loss\n"
    ));
    if received > 0 {
        out.push_str(&format!(
            "round-trip min/avg/max = {NX_RTT_MS}/{NX_RTT_MS}/{NX_RTT_MS} ms\n"
        ));
    }
    out
}

pub fn nx_telnet(request: &Request, port: u16, result: &ProbeResult) -> String {
    let host = &request.host;
    let (ip, reach): (&IpAddr, &Reach) = match result {
        ProbeResult::NoInterface(_) => return String::new(),
        ProbeResult::Unresolved(_) => {
            return format!("telnet: could not resolve {host}/{port}: Name or service not known\n");
        }
        ProbeResult::Resolved { ip, reach, .. } => (ip, reach),
    };
    let mut out = format!("Trying {ip}...\n");
    let failure = match reach {
        Reach::Listening(_) | Reach::Answers => {
            out.push_str(&format!(
                "Connected to {host}.\nEscape character is '^]'.\nConnection closed by foreign host.\n"
            ));
            return out;
        }
        Reach::Refused => "Connection refused",
        Reach::Silent => "Connection timed out",
        Reach::NoPath => "No route to host",
    };
    out.push_str(&format!(
        "telnet: Unable to connect to remote host: {failure}\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    fn request(line: &str) -> Request {
        Request::parse(&words(line)).unwrap()
    }

    const CSSM: &str = "198.51.100.10";
    const DNS: &str = "198.51.100.53";

    fn resolved(via: Resolution, reach: Reach) -> ProbeResult {
        ProbeResult::Resolved {
            ip: CSSM.parse().unwrap(),
            via,
            reach,
        }
    }

    #[test]
    fn requests_read_every_word_order_the_patterns_allow() {
        let r = request("ping vrf Mgmt-vrf tools.cisco.com repeat 2 source gi0/0");
        assert_eq!(r.host, "tools.cisco.com");
        assert_eq!(r.vrf.as_deref(), Some("Mgmt-vrf"));
        assert_eq!(r.source.as_deref(), Some("gi0/0"));
        assert_eq!(r.source_word, Some(7));
        assert_eq!(r.count, 2);
        let r = request("telnet tools.cisco.com 443 /source-interface gi0/0 /vrf Mgmt-vrf");
        assert_eq!(
            (r.port, r.vrf.as_deref(), r.source.as_deref()),
            (Some(443), Some("Mgmt-vrf"), Some("gi0/0"))
        );
        let r = request("telnet tools.cisco.com 443 vrf management");
        assert_eq!((r.port, r.count), (Some(443), DEFAULT_COUNT));
        assert_eq!(request("telnet 10.0.0.1").port, None);
        // Out of range: the caret goes under the number.
        assert_eq!(Request::parse(&words("telnet h 70000")), Err(2));
        assert_eq!(Request::parse(&words("ping h count 0")), Err(3));
    }

    #[test]
    fn ios_ping_texts() {
        let r = request("ping tools.cisco.com");
        let ok = ios_ping(
            &r,
            &resolved(Resolution::NameServer(DNS.parse().unwrap()), Reach::Answers),
        );
        assert_eq!(
            ok,
            "Translating \"tools.cisco.com\"...domain server (198.51.100.53) [OK]\n\nType escape sequence to abort.\nSending 5, 100-byte ICMP Echos to 198.51.100.10, timeout is 2 seconds:\n!!!!!\nSuccess rate is 100 percent (5/5), round-trip min/avg/max = 1/1/1 ms\n"
        );
        let lost = ios_ping(&r, &resolved(Resolution::HostTable, Reach::NoPath));
        assert_eq!(
            lost,
            "Type escape sequence to abort.\nSending 5, 100-byte ICMP Echos to 198.51.100.10, timeout is 2 seconds:\n.....\nSuccess rate is 0 percent (0/5)\n"
        );
        assert_eq!(
            ios_ping(&r, &ProbeResult::Unresolved(LookupFailure::NoServer)),
            "Translating \"tools.cisco.com\"...domain server (255.255.255.255)\n% Unrecognized host or address, or protocol not running.\n"
        );
        assert_eq!(
            ios_ping(&r, &ProbeResult::Unresolved(LookupFailure::Disabled)),
            "Translating \"tools.cisco.com\"\n% Unrecognized host or address, or protocol not running.\n"
        );
        // 70 marks a line.
        let many = ios_ping(
            &request("ping 198.51.100.10 repeat 75"),
            &resolved(Resolution::Literal, Reach::Answers),
        );
        assert!(
            many.contains(&format!(
                "\n{}\n!!!!!\nSuccess rate is 100 percent (75/75)",
                "!".repeat(70)
            )),
            "{many}"
        );
    }

    #[test]
    fn ios_telnet_texts() {
        let named = request("telnet tools.cisco.com 443");
        assert_eq!(
            ios_telnet(
                &named,
                &resolved(
                    Resolution::HostTable,
                    Reach::Listening("127.0.0.1:1".parse().unwrap())
                )
            ),
            "Trying tools.cisco.com (198.51.100.10, 443)... Open\n[Connection to tools.cisco.com closed by foreign host]\n"
        );
        assert_eq!(
            ios_telnet(&named, &resolved(Resolution::HostTable, Reach::Silent)),
            "Trying tools.cisco.com (198.51.100.10, 443)... \n% Connection timed out; remote host not responding\n\n"
        );
        let literal = request("telnet 198.51.100.10 80");
        assert_eq!(
            ios_telnet(&literal, &resolved(Resolution::Literal, Reach::Refused)),
            "Trying 198.51.100.10, 80 ... \n% Connection refused by remote host\n\n"
        );
        assert_eq!(
            ios_telnet(&literal, &resolved(Resolution::Literal, Reach::NoPath)),
            "Trying 198.51.100.10, 80 ... \n% Destination unreachable; gateway or host down\n\n"
        );
        assert_eq!(
            ios_telnet(
                &named,
                &ProbeResult::Unresolved(LookupFailure::NotFound(DNS.parse().unwrap()))
            ),
            "Translating \"tools.cisco.com\"...domain server (198.51.100.53)\n\n% Bad IP address or host name\n"
        );
    }

    #[test]
    fn nx_os_texts() {
        let r = request("ping tools.cisco.com vrf management");
        let ok = nx_ping(&r, &resolved(Resolution::HostTable, Reach::Answers));
        assert!(ok.starts_with("PING tools.cisco.com (198.51.100.10): 56 data bytes\n64 bytes from 198.51.100.10: icmp_seq=0 ttl=64 time=0.512 ms\n"), "{ok}");
        assert!(ok.ends_with("\n\n--- tools.cisco.com ping statistics ---\n5 packets transmitted, 5 packets received, 0.00% packet loss\nround-trip min/avg/max = 0.512/0.512/0.512 ms\n"), "{ok}");
        let lost = nx_ping(&r, &resolved(Resolution::HostTable, Reach::Silent));
        assert!(lost.contains("Request 4 timed out\n\n--- tools.cisco.com ping statistics ---\n5 packets transmitted, 0 packets received, 100.00% packet loss\n"), "{lost}");
        assert!(!lost.contains("round-trip"), "{lost}");
        let no_route = nx_ping(&r, &resolved(Resolution::HostTable, Reach::NoPath));
        assert!(
            no_route.contains(
                "ping: sendto 198.51.100.10 64 chars, No route to host\nRequest 0 timed out\n"
            ),
            "{no_route}"
        );
        assert_eq!(
            nx_ping(&r, &ProbeResult::Unresolved(LookupFailure::NoServer)),
            "% Invalid host/interface tools.cisco.com\n"
        );
        let t = request("telnet tools.cisco.com 443 vrf management");
        assert_eq!(
            nx_telnet(
                &t,
                443,
                &resolved(
                    Resolution::HostTable,
                    Reach::Listening("127.0.0.1:1".parse().unwrap())
                )
            ),
            "Trying 198.51.100.10...\nConnected to tools.cisco.com.\nEscape character is '^]'.\nConnection closed by foreign host.\n"
        );
        assert_eq!(
            nx_telnet(&t, 443, &resolved(Resolution::HostTable, Reach::Refused)),
            "Trying 198.51.100.10...\ntelnet: Unable to connect to remote host: Connection refused\n"
        );
        assert_eq!(
            nx_telnet(&t, 443, &ProbeResult::Unresolved(LookupFailure::Disabled)),
            "telnet: could not resolve tools.cisco.com/443: Name or service not known\n"
        );
    }
}
