//! Just enough URL parsing for licensing destinations: scheme, host, port and path.
//!
//! Destinations are typed into a device's CLI, so the parser is strict: no user info,
//! no query or fragment, nothing but printable ASCII.

/// A parsed `scheme://host[:port][/path]` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
    pub path: String,
}

impl Url {
    pub fn parse(text: &str) -> Result<Url, String> {
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| "not a URL: expected scheme://host/path".to_string())?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(format!("unsupported scheme `{scheme}`: use https://"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err("credentials in the URL are not allowed".to_string());
        }
        if path.contains(['?', '#']) {
            return Err("a query or fragment is not allowed in a licensing URL".to_string());
        }
        let (host, port) = split_host_port(authority)?;
        Ok(Url {
            scheme,
            host,
            port,
            path: path.to_string(),
        })
    }

    /// True for Cisco's own cloud hosts, where HTTPS is mandatory ([NX-TS] [CAT-TS]).
    pub fn is_cisco_cloud(&self) -> bool {
        let host = self.host.to_ascii_lowercase();
        host == "cisco.com" || host.ends_with(".cisco.com")
    }

    pub fn is_ipv6(&self) -> bool {
        self.host.contains(':')
    }
}

fn split_host_port(authority: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| "unclosed `[` in the IPv6 host".to_string())?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("the URL has no host".to_string());
    }
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("invalid port `{p}` in the URL"))?,
        ),
    };
    Ok((host.to_string(), port))
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
}
