//! A device's configuration as the lab stores it: lines in device order, each with the
//! lines of its sub-mode indented under it.
//!
//! The lab's CLI stores every line in the spelling the device prints (`cli::config`), so
//! this store needs no knowledge of how a client might write a line; it only parses the
//! lab's own factory configs and renders `show running-config`.

use serde::{Deserialize, Serialize};

/// A configuration: its top-level lines, in device order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tree {
    pub lines: Vec<Line>,
}

/// One config line (trimmed) and the lines of its sub-mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Line>,
}

impl Line {
    pub fn leaf(text: impl Into<String>) -> Line {
        Line {
            text: text.into(),
            children: Vec::new(),
        }
    }
}

impl Tree {
    /// Reads config text the way the lab writes its factory configs: a line indented more
    /// than the line before it belongs to that line's sub-mode; blank lines and `!`
    /// separators are skipped.
    pub fn parse(text: &str) -> Tree {
        let mut roots = Vec::new();
        let mut open: Vec<(usize, Line)> = Vec::new();
        let mut raw_lines = text.lines();
        while let Some(raw) = raw_lines.next() {
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('!') {
                continue;
            }
            let indent = raw.len() - raw.trim_start().len();
            while open.last().is_some_and(|(i, _)| *i >= indent) {
                close_innermost(&mut open, &mut roots);
            }
            let line = match banner_delimiter(trimmed).filter(|_| indent == 0) {
                Some(delimiter) => banner(trimmed, delimiter, &mut raw_lines),
                None => trimmed.to_string(),
            };
            open.push((indent, Line::leaf(line)));
        }
        while !open.is_empty() {
            close_innermost(&mut open, &mut roots);
        }
        Tree { lines: roots }
    }

    /// The config text with `indent` spaces per level.
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        render_lines(&self.lines, 0, indent, &mut out);
        out
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// The delimiter of a `banner KIND DELIM…` line, when the banner's text goes on past this
/// line. A running config prints the delimiter as `^C` (Cisco IOS Configuration
/// Fundamentals Command Reference, `banner motd`); the text up to the closing one is
/// literal: its lines keep their indentation and may start with `!`.
fn banner_delimiter(line: &str) -> Option<&str> {
    let mut words = line.splitn(3, ' ');
    let (Some("banner"), Some(_kind), Some(rest)) = (words.next(), words.next(), words.next())
    else {
        return None;
    };
    let delimiter = if rest.starts_with("^C") {
        "^C"
    } else {
        rest.get(..1)?
    };
    // `banner motd ^Ctext^C` on one line ends where it starts.
    (!rest[delimiter.len()..].contains(delimiter)).then_some(delimiter)
}

/// A banner's lines, up to and including the one holding the closing delimiter, as one
/// multi-line text.
fn banner<'a>(first: &str, delimiter: &str, rest: &mut impl Iterator<Item = &'a str>) -> String {
    let mut text = first.to_string();
    for raw in rest.by_ref() {
        text.push('\n');
        text.push_str(raw);
        if raw.contains(delimiter) {
            break;
        }
    }
    text
}

fn close_innermost(open: &mut Vec<(usize, Line)>, roots: &mut Vec<Line>) {
    if let Some((_, line)) = open.pop() {
        match open.last_mut() {
            Some((_, parent)) => parent.children.push(line),
            None => roots.push(line),
        }
    }
}

fn render_lines(lines: &[Line], depth: usize, indent: usize, out: &mut String) {
    for line in lines {
        out.extend(std::iter::repeat_n(' ', depth * indent));
        out.push_str(&line.text);
        out.push('\n');
        render_lines(&line.children, depth + 1, indent, out);
    }
}

/// Words with single spaces and without surrounding quotes (`profile "CiscoTAC-1"` →
/// `profile CiscoTAC-1`): the form in which the lab looks a stored line up.
pub fn words(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            w.strip_prefix('"')
                .and_then(|w| w.strip_suffix('"'))
                .unwrap_or(w)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_by_indentation_and_skips_separators() {
        let tree = Tree::parse(
            "hostname r1\n!\ncall-home\n contact x\n profile \"A\"\n  active\n!\nend\n",
        );
        let texts: Vec<&str> = tree.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["hostname r1", "call-home", "end"]);
        assert_eq!(tree.lines[1].children.len(), 2);
        assert_eq!(tree.lines[1].children[1].children[0].text, "active");
    }

    #[test]
    fn renders_what_it_parses() {
        let text = "callhome\n  email-contact x\n  enable\nfeature ssh\n";
        assert_eq!(Tree::parse(text).render(2), text);
    }

    #[test]
    fn a_banner_is_literal_text_up_to_its_delimiter() {
        let text = "hostname r1\nbanner motd ^C\n! Authorised access only\n  indented\n^C\nline con 0\n exec-timeout 0 0\nbanner login ^Cone line^C\n";
        let tree = Tree::parse(text);
        let texts: Vec<&str> = tree.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "hostname r1",
                "banner motd ^C\n! Authorised access only\n  indented\n^C",
                "line con 0",
                "banner login ^Cone line^C"
            ]
        );
        assert_eq!(tree.render(1), text);
    }

    #[test]
    fn words_drop_extra_spaces_and_quotes() {
        assert_eq!(words("  profile   \"CiscoTAC-1\" "), "profile CiscoTAC-1");
        assert_eq!(words("ip host a 1.1.1.1"), "ip host a 1.1.1.1");
    }
}
