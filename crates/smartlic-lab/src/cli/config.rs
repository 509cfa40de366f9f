//! How an accepted config line changes the running config tree, the way the device
//! does it: blocks created on entry, single-valued settings replaced, `no` forms
//! removing (or printed, where the device prints them), hidden defaults kept unprinted,
//! IOS-XE name servers appended to one line, the NX-OS destination index.
//!
//! Which effect a line has is personality data (`personality::Effect`); this module
//! applies it to a `config::Tree`.

use crate::personality::{Effect, HiddenDefault, Personality};
use crate::tree::{Line, Tree};

/// Whitespace collapsed: the form two config lines are compared in.
pub fn canonical(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn same(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

fn first_words(text: &str, n: usize) -> Vec<&str> {
    text.split_whitespace().take(n).collect()
}

/// The stored spelling of a typed line (`ip domain-lookup …` → `ip domain lookup …`).
pub fn rename(personality: &Personality, text: &str) -> String {
    let text = canonical(text);
    for (from, to) in personality.renames {
        if text == *from || text.starts_with(&format!("{from} ")) {
            return format!("{to}{}", &text[from.len()..]);
        }
    }
    text
}

/// The lines of the block at `path` (headers from the top), if it exists.
pub fn block<'a>(tree: &'a Tree, path: &[String]) -> Option<&'a [Line]> {
    let mut lines: &[Line] = &tree.lines;
    for header in path {
        lines = &lines.iter().find(|l| same(&l.text, header))?.children;
    }
    Some(lines)
}

/// The lines of the block at `path`, created if missing.
pub fn block_mut<'a>(tree: &'a mut Tree, path: &[String]) -> &'a mut Vec<Line> {
    let mut lines = &mut tree.lines;
    for header in path {
        let index = match lines.iter().position(|l| same(&l.text, header)) {
            Some(i) => i,
            None => {
                lines.push(Line::leaf(header.clone()));
                lines.len() - 1
            }
        };
        lines = &mut lines[index].children;
    }
    lines
}

/// Adds a line unless present. Settings go before the block's sub-blocks, as the
/// device prints them (real configs, docs/platform-notes.md: `contact-email-addr` before `profile`).
fn add(lines: &mut Vec<Line>, text: &str) {
    if lines.iter().any(|l| same(&l.text, text)) {
        return;
    }
    let at = lines
        .iter()
        .position(|l| !l.children.is_empty())
        .unwrap_or(lines.len());
    lines.insert(at, Line::leaf(text));
}

fn remove(lines: &mut Vec<Line>, text: &str) {
    lines.retain(|l| !same(&l.text, text));
}

/// Opens the block `header` at `path` (creating it), for a sub-mode.
pub fn enter(tree: &mut Tree, path: &[String], header: &str) {
    let lines = block_mut(tree, path);
    if !lines.iter().any(|l| same(&l.text, header)) {
        lines.push(Line::leaf(header));
    }
}

/// `no <header>`: the whole block goes.
pub fn remove_block(tree: &mut Tree, path: &[String], header: &str) {
    remove(block_mut(tree, path), header);
}

/// The hidden default equal to `text` in the block at `path`.
pub fn hidden_default<'p>(
    personality: &'p Personality,
    path: &[String],
    text: &str,
) -> Option<&'p HiddenDefault> {
    personality.hidden_defaults.iter().find(|d| {
        same(d.line, text)
            && d.scope.len() == path.len()
            && d.scope.iter().zip(path).all(|(s, p)| same(s, p))
    })
}

/// Applies an accepted line (`text` without `no`) to the block at `path`. `partial`: a
/// `no` form that left out trailing arguments.
pub fn apply(
    personality: &Personality,
    tree: &mut Tree,
    path: &[String],
    effect: Effect,
    text: &str,
    negated: bool,
    partial: bool,
) {
    if let Some(default) = hidden_default(personality, path, text) {
        let lines = block_mut(tree, path);
        let negation = format!("no {}", default.line);
        if negated {
            add(lines, &negation);
        } else {
            remove(lines, &negation);
        }
        return;
    }
    let lines = block_mut(tree, path);
    match effect {
        Effect::Flag => flag(lines, text, negated, partial),
        Effect::NoShown => {
            let negation = format!("no {text}");
            if negated {
                replace_or_add(lines, text, &negation);
            } else {
                replace_or_add(lines, &negation, text);
            }
        }
        Effect::Set(n) => set(lines, text, n, negated),
        Effect::NameServers => name_servers(lines, text, negated),
        Effect::NxDestination => nx_destination(lines, text, negated),
        Effect::ExecTimeout => {
            let mut words: Vec<&str> = text.split_whitespace().collect();
            if words.len() == 2 {
                words.push("0");
            }
            set(lines, &words.join(" "), 1, negated);
        }
    }
}

fn flag(lines: &mut Vec<Line>, text: &str, negated: bool, partial: bool) {
    if !negated {
        remove(lines, &format!("no {text}"));
        add(lines, text);
    } else if partial {
        let prefix: Vec<&str> = text.split_whitespace().collect();
        lines.retain(|l| {
            !l.text
                .split_whitespace()
                .take(prefix.len())
                .eq(prefix.iter().copied())
        });
    } else {
        remove(lines, text);
    }
}

/// Puts `new` where `old` was, or adds it.
fn replace_or_add(lines: &mut Vec<Line>, old: &str, new: &str) {
    match lines.iter_mut().find(|l| same(&l.text, old)) {
        Some(line) => *line = Line::leaf(new),
        None => add(lines, new),
    }
}

fn set(lines: &mut Vec<Line>, text: &str, n: usize, negated: bool) {
    let key = first_words(text, n);
    let position = lines
        .iter()
        .position(|l| first_words(&l.text, n) == key && l.children.is_empty());
    match (position, negated) {
        (Some(i), true) => {
            lines.remove(i);
        }
        (Some(i), false) => lines[i] = Line::leaf(text),
        (None, false) => add(lines, text),
        (None, true) => {}
    }
}

/// `ip name-server [vrf V] A B …`: one line per VRF, servers appended ([RTR-CMD] [CUBE] shows
/// `ip name-server 10.0.0.1 10.0.0.10` typed on one line).
fn name_servers(lines: &mut Vec<Line>, text: &str, negated: bool) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let key_len = if words.get(2) == Some(&"vrf") { 4 } else { 2 };
    let key = words[..key_len.min(words.len())].join(" ");
    let values = &words[key_len.min(words.len())..];
    let existing = lines.iter().position(|l| {
        let w: Vec<&str> = l.text.split_whitespace().collect();
        w.len() > key_len && w[..key_len].join(" ") == key && (key_len == 4 || w[2] != "vrf")
    });
    let mut current: Vec<String> = existing
        .map(|i| {
            lines[i]
                .text
                .split_whitespace()
                .skip(key_len)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if negated {
        if values.is_empty() {
            current.clear();
        }
        current.retain(|v| !values.contains(&v.as_str()));
    } else {
        for v in values {
            if !current.iter().any(|c| c == v) {
                current.push((*v).to_string());
            }
        }
    }
    let line = format!("{key} {}", current.join(" "));
    match (existing, current.is_empty()) {
        (Some(i), true) => {
            lines.remove(i);
        }
        (Some(i), false) => lines[i] = Line::leaf(line),
        (None, false) => add(lines, &line),
        (None, true) => {}
    }
}

/// NX-OS: `destination-profile P http URL` is stored as `destination-profile P index N
/// http URL` with the next free index ([NX-TS] note); removal accepts either form.
fn nx_destination(lines: &mut Vec<Line>, text: &str, negated: bool) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let profile = words[1];
    let url = words.last().copied().unwrap_or_default();
    let ours = |l: &Line| -> Option<(u32, String)> {
        match l.text.split_whitespace().collect::<Vec<_>>()[..] {
            ["destination-profile", p, "index", n, "http", u] if p == profile => {
                Some((n.parse().ok()?, u.to_string()))
            }
            _ => None,
        }
    };
    if negated {
        lines.retain(|l| ours(l).is_none_or(|(_, u)| u != url));
        return;
    }
    if lines.iter().filter_map(ours).any(|(_, u)| u == url) {
        return;
    }
    let next = lines
        .iter()
        .filter_map(ours)
        .map(|(n, _)| n)
        .max()
        .unwrap_or(0)
        + 1;
    add(
        lines,
        &format!("destination-profile {profile} index {next} http {url}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personality::{ios_xe, nx_os};

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn single_valued_settings_replace_and_no_removes() {
        let mut tree = Tree::default();
        let ch = path(&["call-home"]);
        let p = &ios_xe::CLASSIC;
        apply(p, &mut tree, &ch, Effect::Set(1), "vrf A", false, false);
        apply(p, &mut tree, &ch, Effect::Set(1), "vrf B", false, false);
        assert_eq!(texts(&tree.lines[0].children), ["vrf B"]);
        apply(p, &mut tree, &ch, Effect::Set(1), "vrf", true, true);
        assert!(tree.lines[0].children.is_empty());
    }

    #[test]
    fn printed_no_forms_replace_their_positive_line() {
        let mut tree = Tree::default();
        let prof = path(&["call-home", "profile \"CiscoTAC-1\""]);
        let p = &ios_xe::CLASSIC;
        apply(p, &mut tree, &prof, Effect::NoShown, "active", false, false);
        apply(p, &mut tree, &prof, Effect::NoShown, "active", true, false);
        assert_eq!(texts(block(&tree, &prof).unwrap()), ["no active"]);
    }

    #[test]
    fn hidden_defaults_print_only_their_no_form() {
        let mut tree = Tree::default();
        let p = &ios_xe::CLASSIC;
        let ch = path(&["call-home"]);
        let line = "http secure server-identity-check";
        apply(p, &mut tree, &ch, Effect::Flag, line, false, false);
        assert!(block(&tree, &ch).unwrap().is_empty());
        apply(p, &mut tree, &ch, Effect::Flag, line, true, false);
        assert_eq!(texts(block(&tree, &ch).unwrap()), [format!("no {line}")]);
        apply(p, &mut tree, &ch, Effect::Flag, line, false, false);
        assert!(block(&tree, &ch).unwrap().is_empty());
    }

    #[test]
    fn ios_name_servers_share_one_line_per_vrf() {
        let mut tree = Tree::default();
        let p = &ios_xe::CLASSIC;
        for line in [
            "ip name-server vrf M 192.0.2.53",
            "ip name-server vrf M 192.0.2.54",
            "ip name-server 192.0.2.1",
        ] {
            apply(p, &mut tree, &[], Effect::NameServers, line, false, false);
        }
        assert_eq!(
            texts(&tree.lines),
            [
                "ip name-server vrf M 192.0.2.53 192.0.2.54",
                "ip name-server 192.0.2.1"
            ]
        );
        apply(
            p,
            &mut tree,
            &[],
            Effect::NameServers,
            "ip name-server vrf M 192.0.2.53",
            true,
            false,
        );
        assert_eq!(texts(&tree.lines)[0], "ip name-server vrf M 192.0.2.54");
    }

    #[test]
    fn nx_destinations_get_the_next_index() {
        let mut tree = Tree::default();
        let p = &nx_os::CLASSIC;
        let ch = path(&["callhome"]);
        let add = "destination-profile CiscoTAC-1 http https://a";
        apply(p, &mut tree, &ch, Effect::NxDestination, add, false, false);
        apply(p, &mut tree, &ch, Effect::NxDestination, add, false, false);
        apply(
            p,
            &mut tree,
            &ch,
            Effect::NxDestination,
            "destination-profile CiscoTAC-1 http https://b",
            false,
            false,
        );
        assert_eq!(
            texts(block(&tree, &ch).unwrap()),
            [
                "destination-profile CiscoTAC-1 index 1 http https://a",
                "destination-profile CiscoTAC-1 index 2 http https://b"
            ]
        );
        let shown = "destination-profile CiscoTAC-1 index 1 http https://a";
        apply(p, &mut tree, &ch, Effect::NxDestination, shown, true, false);
        assert_eq!(block(&tree, &ch).unwrap().len(), 1);
    }

    #[test]
    fn ios_exec_timeouts_print_minutes_and_seconds() {
        let mut tree = Tree::default();
        let line = path(&["line con 0"]);
        let p = &ios_xe::CLASSIC;
        let timeout = |tree: &mut Tree, text: &str, negated: bool| {
            apply(p, tree, &line, Effect::ExecTimeout, text, negated, negated);
        };
        timeout(&mut tree, "exec-timeout 0", false);
        assert_eq!(texts(block(&tree, &line).unwrap()), ["exec-timeout 0 0"]);
        timeout(&mut tree, "exec-timeout 10 30", false);
        assert_eq!(texts(block(&tree, &line).unwrap()), ["exec-timeout 10 30"]);
        timeout(&mut tree, "exec-timeout", true);
        assert!(block(&tree, &line).unwrap().is_empty());
    }

    #[test]
    fn renames_apply_to_the_stored_spelling() {
        assert_eq!(
            rename(&ios_xe::CLASSIC, "ip domain-lookup  source-interface Gi0/0"),
            "ip domain lookup source-interface Gi0/0"
        );
        assert_eq!(
            rename(&ios_xe::CLASSIC, "ip domain-lookups"),
            "ip domain-lookups"
        );
        assert_eq!(rename(&ios_xe::CLASSIC, "line console 0"), "line con 0");
    }
}
