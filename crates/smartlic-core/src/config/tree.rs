//! Running-config text as an indentation tree, and back.
//!
//! Owns parsing (`show running-config`, a `| section` excerpt or NX-OS
//! `show running-config callhome`) and rendering. Which lines are noise comes from the
//! [`Dialect`]; what the lines mean is the diff's business, not this module's.

use serde::{Deserialize, Serialize};

use super::dialect::Dialect;

/// A parsed config: its top-level lines, in device order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tree {
    pub lines: Vec<Line>,
}

/// One config line (trimmed) and the lines indented under it.
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
    /// Parses config text. Indentation is relative: a line indented more than the one
    /// before it is its child, whatever the width; a line dedented between two levels
    /// joins the nearest shallower one. Blank lines, comments (at any depth), top-level
    /// decoration (`Building configuration...`, `version …`, `end`) and a leading CLI
    /// prompt echo (`switch# show run callhome`) are dropped; `\r` and tabs are tolerated.
    pub fn parse(text: &str, dialect: &Dialect) -> Tree {
        let mut builder = Builder::default();
        let mut seen_content = false;
        for raw in text.lines() {
            let raw = raw.trim_end_matches('\r');
            let trimmed = raw.trim();
            let width = indent_width(raw);
            if trimmed.is_empty() || dialect.is_comment(trimmed) {
                continue;
            }
            if width == 0 && dialect.is_top_level_noise(trimmed) {
                continue;
            }
            if !seen_content && is_prompt_echo(trimmed) {
                continue;
            }
            seen_content = true;
            builder.push(width, Line::leaf(trimmed));
        }
        Tree {
            lines: builder.finish(),
        }
    }

    /// The config text with `indent` spaces per level, one line per `\n`.
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        render_lines(&self.lines, 0, indent, &mut out);
        out
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
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

/// Builds the tree from (indent, line) pairs with a stack of open blocks.
#[derive(Default)]
struct Builder {
    roots: Vec<Line>,
    open: Vec<(usize, Line)>,
}

impl Builder {
    fn push(&mut self, width: usize, line: Line) {
        while self.open.last().is_some_and(|(w, _)| *w >= width) {
            self.close_innermost();
        }
        self.open.push((width, line));
    }

    fn close_innermost(&mut self) {
        let Some((_, line)) = self.open.pop() else {
            return;
        };
        match self.open.last_mut() {
            Some((_, parent)) => parent.children.push(line),
            None => self.roots.push(line),
        }
    }

    fn finish(mut self) -> Vec<Line> {
        while !self.open.is_empty() {
            self.close_innermost();
        }
        self.roots
    }
}

/// Columns of leading whitespace; a tab advances to the next multiple of 8.
fn indent_width(raw: &str) -> usize {
    let mut width = 0;
    for c in raw.chars() {
        match c {
            ' ' => width += 1,
            '\t' => width += 8 - width % 8,
            _ => break,
        }
    }
    width
}

/// `^\S+[#>]\s*show ` — the echo of the command that produced the output, as captured
/// with its prompt ([NX-TS] starts with `switch# show run callhome`).
fn is_prompt_echo(trimmed: &str) -> bool {
    let first_word_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    trimmed[..first_word_end]
        .char_indices()
        .filter(|&(i, c)| i > 0 && (c == '#' || c == '>'))
        .any(|(i, _)| trimmed[i + 1..].trim_start().starts_with("show "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::dialect::no_rewrite;

    const TEST: Dialect = Dialect {
        name: "test",
        indent: 2,
        comment_prefixes: &["!"],
        top_level_noise: &[
            "Building configuration...",
            "Current configuration :",
            "version",
            "end",
        ],
        managed_roots: &[],
        single_valued: &[],
        families: &[],
        hidden_defaults: &[],
        synonyms: &[],
        multi_value: &[],
        compare_rewrite: no_rewrite,
        add_rewrite: no_rewrite,
    };

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn nests_by_relative_indentation() {
        let tree = Tree::parse("a\n   b\n      c\n   d\ne\n", &TEST);
        assert_eq!(texts(&tree.lines), ["a", "e"]);
        assert_eq!(texts(&tree.lines[0].children), ["b", "d"]);
        assert_eq!(texts(&tree.lines[0].children[0].children), ["c"]);
    }

    #[test]
    fn a_line_dedented_between_levels_joins_the_shallower_block() {
        let tree = Tree::parse("a\n    b\n  c\n", &TEST);
        assert_eq!(texts(&tree.lines[0].children), ["b", "c"]);
    }

    #[test]
    fn drops_ios_xe_decoration_and_comments_inside_blocks() {
        let text = "Building configuration...\r\n\r\nCurrent configuration : 1234 bytes\r\n!\r\nversion 17.3\r\ncall-home\r\n ! If contact email address in call-home is configured as sch-smart-licensing@cisco.com\r\n contact-email-addr sch-smart-licensing@cisco.com\r\n!\r\nend\r\n";
        let tree = Tree::parse(text, &TEST);
        assert_eq!(texts(&tree.lines), ["call-home"]);
        assert_eq!(
            texts(&tree.lines[0].children),
            ["contact-email-addr sch-smart-licensing@cisco.com"]
        );
    }

    #[test]
    fn drops_nx_os_header_and_hash_comments() {
        // Shape of [NX-TS] and corpus/nxos/show-running-config-callhome/napalm-derived-1.txt.
        let text = "switch# show run callhome\n\n!Command: show running-config callhome\n!Time: Wed Jun 22 16:16:28 2022\nversion 9.3(4) Bios:version 07.67\ncallhome\n  !#destination-profile CiscoTAC-1 message-level 0\n  email-contact sch-smart-licensing@cisco.com\n";
        let tree = Tree::parse(text, &TEST);
        assert_eq!(texts(&tree.lines), ["callhome"]);
        assert_eq!(
            texts(&tree.lines[0].children),
            ["email-contact sch-smart-licensing@cisco.com"]
        );
    }

    #[test]
    fn version_and_end_are_noise_only_at_top_level() {
        let tree = Tree::parse("snmp\n version 3\nendpoint x\n", &TEST);
        assert_eq!(texts(&tree.lines), ["snmp", "endpoint x"]);
        assert_eq!(texts(&tree.lines[0].children), ["version 3"]);
    }

    #[test]
    fn tabs_count_as_indentation() {
        let tree = Tree::parse("a\n\tb\n\t\tc\n", &TEST);
        assert_eq!(texts(&tree.lines[0].children), ["b"]);
        assert_eq!(texts(&tree.lines[0].children[0].children), ["c"]);
    }

    #[test]
    fn recognises_prompt_echoes() {
        assert!(is_prompt_echo("switch# show run callhome"));
        assert!(is_prompt_echo(
            "Router#show running-config | section call-home"
        ));
        assert!(is_prompt_echo("apic1> show running-config"));
        assert!(!is_prompt_echo("ip host show 192.0.2.1"));
        assert!(!is_prompt_echo("#show x"));
    }

    #[test]
    fn render_round_trips_through_parse() {
        let text = "call-home\n  profile CiscoTAC-1\n    active\n  vrf Mgmt\nservice call-home\n";
        let tree = Tree::parse(text, &TEST);
        assert_eq!(tree.render(2), text);
        assert_eq!(Tree::parse(&tree.render(1), &TEST), tree);
    }
}
