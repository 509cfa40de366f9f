//! Licensing destinations: a URL parsed by the `url` crate (WHATWG rules), checked and
//! written back in one normal form.
//!
//! Destinations are typed into a device's CLI, so the rules are strict: http or https, a
//! host that is an IP address or an RFC 1123 name, a port in 1..=65535, no user info, no
//! query or fragment, and a path of URL-safe characters only (no `;`, `|`, `!` or `\`).
//! The host is normalised first (case, IDNA, a trailing dot), so that every rule after
//! this sees one spelling: `http://TOOLS.CISCO.COM./` is Cisco's cloud.

use std::fmt;

use super::check::{is_host_name, one_word_problem};

/// A parsed `scheme://host[:port]/path` URL, host normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    /// Lower case, punycode, no trailing dot; an IPv6 address without brackets.
    pub host: String,
    /// The port as written, even the scheme's default: a gateway URL must carry one.
    pub port: Option<u16>,
    /// At least `/`.
    pub path: String,
}

impl Url {
    pub fn parse(text: &str) -> Result<Url, String> {
        if let Some(problem) = one_word_problem(text) {
            return Err(problem);
        }
        // WHATWG reads `\` as `/` and `https:x` as `https://x`: refuse both spellings
        // rather than guess what was meant.
        if text.contains('\\') {
            return Err("must not contain `\\`".to_string());
        }
        let (scheme, rest) = text
            .split_once("://")
            .filter(|(_, rest)| !rest.starts_with('/'))
            .ok_or_else(|| "not a URL: expected scheme://host/path".to_string())?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(format!("unsupported scheme `{scheme}`: use https://"));
        }
        let parsed = url::Url::parse(text).map_err(|e| format!("not a valid URL: {e}"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if !parsed.username().is_empty() || parsed.password().is_some() || authority.contains('@') {
            return Err("credentials in the URL are not allowed".to_string());
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err("a query or fragment is not allowed in a licensing URL".to_string());
        }
        let host = host(&parsed)?;
        let port = match (parsed.port(), written_port(authority)) {
            (_, Some("")) => return Err("the URL has a `:` but no port".to_string()),
            (Some(0), _) => return Err("port 0 is not a port".to_string()),
            (Some(port), _) => Some(port),
            // The url crate drops a default port; keep it as written.
            (None, Some(_)) => parsed.port_or_known_default(),
            (None, None) => None,
        };
        let path = parsed.path().to_string();
        let path_ok = |c: char| c.is_ascii_alphanumeric() || "-._~/%".contains(c);
        if !path.chars().all(path_ok) {
            return Err(format!(
                "the path `{path}` may hold only letters, digits and `-._~/` (and %XX escapes)"
            ));
        }
        Ok(Url {
            scheme,
            host,
            port,
            path,
        })
    }

    /// True for Cisco's own cloud hosts, where HTTPS is mandatory ([NX-TS] [CAT-TS]).
    pub fn is_cisco_cloud(&self) -> bool {
        self.host == "cisco.com" || self.host.ends_with(".cisco.com")
    }

    pub fn is_ipv6(&self) -> bool {
        self.host.contains(':')
    }

    /// `host[:port]`, an IPv6 host in brackets.
    pub fn authority(&self) -> String {
        let host = if self.is_ipv6() {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.port {
            Some(port) => format!("{host}:{port}"),
            None => host,
        }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme, self.authority(), self.path)
    }
}

/// The normalised host: the url crate has lower-cased and IDNA-encoded a name and
/// canonicalised an address; a trailing dot goes, then the name must be RFC 1123.
fn host(parsed: &url::Url) -> Result<String, String> {
    match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Ok(ip.to_string()),
        Some(url::Host::Ipv6(ip)) => Ok(ip.to_string()),
        Some(url::Host::Domain(name)) => {
            let name = name.strip_suffix('.').unwrap_or(name);
            if is_host_name(name) {
                Ok(name.to_string())
            } else {
                Err(format!(
                    "`{name}` is not a host name (letters, digits, `-` and dots; an IPv6 address goes in brackets)"
                ))
            }
        }
        None => Err("the URL has no host".to_string()),
    }
}

/// The port as written after the host, if the authority has one.
fn written_port(authority: &str) -> Option<&str> {
    let after_ipv6 = authority.rsplit(']').next().unwrap_or(authority);
    after_ipv6.rsplit_once(':').map(|(_, port)| port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_urls() {
        let u = Url::parse("https://10.0.0.1:8443/Transportgateway/services/DeviceRequestHandler")
            .unwrap();
        assert_eq!((u.host.as_str(), u.port), ("10.0.0.1", Some(8443)));
        assert_eq!(u.path, "/Transportgateway/services/DeviceRequestHandler");
        let u =
            Url::parse("https://tools.cisco.com/its/service/oddce/services/DDCEService").unwrap();
        assert!(u.is_cisco_cloud());
        let u = Url::parse("https://[2001:db8::1]:443/x").unwrap();
        assert!(u.is_ipv6());
    }

    #[test]
    fn rejects_what_a_device_cannot_take() {
        assert!(Url::parse("tools.cisco.com").is_err());
        assert!(Url::parse("ftp://x/y").is_err());
        assert!(Url::parse("https://u:p@x/y").is_err());
        assert!(Url::parse("https://x:99999/y").is_err());
        assert!(Url::parse("https:///y").is_err());
    }

    /// The host is normalised (case, trailing dot, IDNA) before any rule sees it, so
    /// no spelling of Cisco's cloud escapes the HTTPS-only rule (issue 12 item 6).
    #[test]
    fn cisco_hosts_are_recognised_in_every_spelling() {
        for text in [
            "http://tools.cisco.com./its/service/oddce/services/DDCEService",
            "http://TOOLS.CISCO.COM/",
            "http://Tools.Cisco.Com.:80/x",
            "http://\u{ff54}\u{ff4f}\u{ff4f}\u{ff4c}\u{ff53}.cisco.com/x",
        ] {
            let u = Url::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(u.host, "tools.cisco.com", "{text}");
            assert!(u.is_cisco_cloud(), "{text}");
        }
    }

    #[test]
    fn malformed_authorities_are_refused() {
        for text in [
            "https://2001:db8::1/x",
            "https://[2001:db8::1]x/y",
            "https://[2001:db8::1]:443x/y",
            "https://tools.cisco.com:+443/x",
            "https://tools$.cisco.com/x",
            "https://a_b.example.net/x",
            "https://-a.example.net/x",
            "https://x.example.net:0/y",
            "https://x.example.net:65536/y",
        ] {
            assert!(Url::parse(text).is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn command_separators_are_refused_in_the_path() {
        for text in [
            "https://sat.example.net/a;reload",
            "https://sat.example.net/a|include",
            "https://sat.example.net/a\\b",
            "https://sat.example.net/a!b",
            "https://sat.example.net/a b",
        ] {
            assert!(Url::parse(text).is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn urls_are_written_back_normalised() {
        let u =
            Url::parse("HTTPS://[2001:DB8::1]:8443/Transportgateway/services/DeviceRequestHandler")
                .unwrap();
        assert_eq!(
            u.to_string(),
            "https://[2001:db8::1]:8443/Transportgateway/services/DeviceRequestHandler"
        );
        assert!(u.is_ipv6());
        // An explicit default port is kept: a transport gateway URL must carry its port.
        let u = Url::parse("https://TG.example.net.:443/x").unwrap();
        assert_eq!(u.to_string(), "https://tg.example.net:443/x");
        assert_eq!(u.port, Some(443));
    }
}
