//! Host keys of a YAML inventory: `sw[01:04].example.net` ranges and `name:port` suffixes.
//!
//! Ansible's YAML inventory plugin reads each key under `hosts:` as a host pattern
//! (`_expand_hostpattern`): an optional `:port` suffix sets `ansible_port`, and every
//! `[begin:end]` or `[begin:end:step]` range expands to one host per value, numeric
//! (zero-padded when `begin` is) or alphabetic. This module only turns a key into host
//! names; which group they join and what vars they get is the parser's business.

/// What one key under `hosts:` stands for.
#[derive(Debug, PartialEq)]
pub(super) struct HostKey {
    pub names: Vec<String>,
    /// The `:port` suffix, kept as written so it becomes an `ansible_port` var.
    pub port: Option<String>,
}

/// More hosts than this from one key is almost certainly a typo such as `[1:100000]`,
/// and expanding it would only exhaust memory before any error is shown.
const MAX_HOSTS_PER_KEY: usize = 65_536;

/// Splits off a port and expands ranges; the error is a message for a diagnostic.
pub(super) fn parse(key: &str) -> Result<HostKey, String> {
    let (pattern, port) = split_port(key);
    if pattern.is_empty() {
        return Err("a host name cannot be empty".into());
    }
    let names = if has_range(pattern) {
        let mut names = Vec::new();
        expand(pattern, &mut names)?;
        names
    } else {
        vec![pattern.to_string()]
    };
    Ok(HostKey {
        names,
        port: port.map(str::to_string),
    })
}

/// `sw1:2222` → (`sw1`, `2222`); `[2001:db8::1]:22` → (`2001:db8::1`, `22`). Colons
/// inside range brackets and bare IPv6 addresses are not ports.
fn split_port(key: &str) -> (&str, Option<&str>) {
    if let Some(rest) = key.strip_prefix('[')
        && let Some((inner, after)) = rest.split_once(']')
        && is_ipv6(inner)
    {
        let port = after.strip_prefix(':').filter(|p| is_port(p));
        return (inner, port);
    }
    let colons = colons_outside_brackets(key);
    match colons.as_slice() {
        [at] if is_port(&key[at + 1..]) => (&key[..*at], Some(&key[at + 1..])),
        _ => (key, None),
    }
}

fn colons_outside_brackets(text: &str) -> Vec<usize> {
    let mut depth = 0usize;
    let mut colons = Vec::new();
    for (at, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => colons.push(at),
            _ => {}
        }
    }
    colons
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

fn is_ipv6(text: &str) -> bool {
    text.contains(':')
        && text
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
}

/// A `[` followed by a `:` and a `]`, as Ansible's `detect_range` checks.
fn has_range(text: &str) -> bool {
    let Some(open) = text.find('[') else {
        return false;
    };
    let rest = &text[open..];
    matches!((rest.find(':'), rest.find(']')), (Some(colon), Some(close)) if colon < close)
}

/// Expands the first range of `pattern`, then recursively any later ones.
fn expand(pattern: &str, names: &mut Vec<String>) -> Result<(), String> {
    let open = pattern.find('[').expect("has_range checked it");
    let close = open + pattern[open..].find(']').expect("has_range checked it");
    let (head, range, tail) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    for value in range_values(range)? {
        let name = format!("{head}{value}{tail}");
        if has_range(&name) {
            expand(&name, names)?;
        } else {
            names.push(name);
        }
        if names.len() > MAX_HOSTS_PER_KEY {
            return Err(format!(
                "host range `[{range}]` expands to more than {MAX_HOSTS_PER_KEY} hosts"
            ));
        }
    }
    Ok(())
}

/// The values of `begin:end[:step]`, formatted as they will appear in host names.
fn range_values(range: &str) -> Result<Vec<String>, String> {
    let bounds: Vec<&str> = range.split(':').collect();
    let (begin, end, step) = match bounds.as_slice() {
        [b, e] => (*b, *e, "1"),
        [b, e, s] => (*b, *e, *s),
        _ => {
            return Err(format!(
                "host range `[{range}]` must be `[begin:end]` or `[begin:end:step]`"
            ));
        }
    };
    let begin = if begin.is_empty() { "0" } else { begin };
    if end.is_empty() {
        return Err(format!("host range `[{range}]` has no end value"));
    }
    let step: usize = step
        .parse()
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("host range `[{range}]` has an invalid step `{step}`"))?;
    if let (Some(b), Some(e)) = (single_letter(begin), single_letter(end)) {
        return letter_range(range, b, e, step);
    }
    number_range(range, begin, end, step)
}

fn single_letter(text: &str) -> Option<char> {
    let mut chars = text.chars();
    let c = chars.next()?;
    (chars.next().is_none() && c.is_ascii_alphabetic()).then_some(c)
}

/// Letters run through Python's `string.ascii_letters`: `a`..`z` then `A`..`Z`.
fn letter_range(range: &str, begin: char, end: char, step: usize) -> Result<Vec<String>, String> {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let (b, e) = (LETTERS.find(begin).unwrap(), LETTERS.find(end).unwrap());
    if b > e {
        return Err(format!("host range `[{range}]` starts after its end"));
    }
    Ok(LETTERS[b..=e]
        .chars()
        .step_by(step)
        .map(String::from)
        .collect())
}

fn number_range(range: &str, begin: &str, end: &str, step: usize) -> Result<Vec<String>, String> {
    let parse = |text: &str| {
        text.parse::<u64>().map_err(|_| {
            format!("host range `[{range}]` mixes numbers and letters or is not a range")
        })
    };
    let (b, e) = (parse(begin)?, parse(end)?);
    if b > e {
        return Err(format!("host range `[{range}]` starts after its end"));
    }
    if e - b > MAX_HOSTS_PER_KEY as u64 {
        return Err(format!(
            "host range `[{range}]` expands to more than {MAX_HOSTS_PER_KEY} hosts"
        ));
    }
    // A leading zero asks for fixed-width numbers, so begin and end must agree on it.
    let width = if begin.len() > 1 && begin.starts_with('0') {
        if begin.len() != end.len() {
            return Err(format!(
                "host range `[{range}]` pads `{begin}` with zeros, so `{end}` must have the same width"
            ));
        }
        begin.len()
    } else {
        0
    };
    Ok((b..=e)
        .step_by(step)
        .map(|n| format!("{n:0width$}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(key: &str) -> Vec<String> {
        parse(key).unwrap().names
    }

    #[test]
    fn plain_names_and_addresses_are_kept() {
        assert_eq!(names("sw1.example.net"), ["sw1.example.net"]);
        assert_eq!(names("192.0.2.10"), ["192.0.2.10"]);
        assert_eq!(parse("2001:db8::1").unwrap().port, None);
    }

    #[test]
    fn port_suffix_is_split_off() {
        let key = parse("198.51.100.7:2222").unwrap();
        assert_eq!(
            (key.names, key.port.as_deref()),
            (vec!["198.51.100.7".to_string()], Some("2222"))
        );
        let key = parse("[2001:db8::1]:22").unwrap();
        assert_eq!(
            (key.names, key.port.as_deref()),
            (vec!["2001:db8::1".to_string()], Some("22"))
        );
    }

    #[test]
    fn numeric_ranges_keep_zero_padding() {
        assert_eq!(
            names("sw[01:03].example.net"),
            ["sw01.example.net", "sw02.example.net", "sw03.example.net"]
        );
        assert_eq!(names("leaf[8:10]"), ["leaf8", "leaf9", "leaf10"]);
        assert_eq!(names("r[0:6:3]"), ["r0", "r3", "r6"]);
    }

    #[test]
    fn letter_ranges_and_several_ranges() {
        assert_eq!(
            names("pod[a:b]-sw[1:2]"),
            ["poda-sw1", "poda-sw2", "podb-sw1", "podb-sw2"]
        );
    }

    #[test]
    fn range_with_port() {
        let key = parse("sw[1:2]:830").unwrap();
        assert_eq!(
            (key.names, key.port.as_deref()),
            (vec!["sw1".to_string(), "sw2".to_string()], Some("830"))
        );
    }

    #[test]
    fn bad_ranges_are_errors() {
        assert_eq!(
            parse("sw[3:1]").unwrap_err(),
            "host range `[3:1]` starts after its end"
        );
        assert_eq!(
            parse("sw[01:100]").unwrap_err(),
            "host range `[01:100]` pads `01` with zeros, so `100` must have the same width"
        );
        assert_eq!(
            parse("sw[1:]").unwrap_err(),
            "host range `[1:]` has no end value"
        );
        assert!(
            parse("sw[0:999999999]")
                .unwrap_err()
                .contains("more than 65536 hosts")
        );
    }
}
