//! The diff between a desired config and a running one: the exact lines to type, and
//! the before/after view a plan shows.
//!
//! Semantics (README "What a plan owns"):
//! * Inside a managed block (`call-home`, NX-OS `callhome`) smartlic owns every line:
//!   running lines that are not desired are removed (`no X`; `X` for a running `no X`;
//!   a stale sub-block by negating its header), missing ones are added. Removals come
//!   before additions in a block (docs/troubleshooting.md NX-2, [NX-TS]: remove the `http://`
//!   destination, then add the `https://` one).
//! * Everywhere else lines are merged: added when missing, never removed, except running
//!   lines under a prefix the caller declares exclusive (e.g. `ip name-server`).
//! * A line that sets the same thing as a running one (single-valued settings, or `X`
//!   against `no X`) replaces it: only the desired line is sent.
//! * Defaults the device does not print, quoting, spacing, synonyms and multi-value
//!   lines are compared through the [`Dialect`], so a converged device yields nothing.
//!
//! Matching uses hash maps of canonical lines per block, and only the running top-level
//! lines relevant to the desired ones are looked at beyond a first-word filter, so a full
//! running config costs one parse and a linear scan.
//!
//! This module does not talk to devices, render templates or redact secrets (config
//! lines carry none; the token travels in an exec command).

use std::collections::{HashMap, HashSet};

use similar::TextDiff;

use super::dialect::{Dialect, HiddenDefault, starts_with_words};
use super::tree::{Line, Tree};

/// One line to type in config mode; `depth` is the sub-mode level it is typed at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub depth: usize,
    pub text: String,
}

/// What it takes to bring running to desired, and how the relevant part of the running
/// config reads before and after.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigDiff {
    /// In order, parents entered before their children, `exit` when leaving a sub-mode.
    pub commands: Vec<Command>,
    /// The managed blocks and the global lines in the families of the desired lines.
    pub before: String,
    /// `before` with the commands applied, as the device would show it.
    pub after: String,
}

impl ConfigDiff {
    /// A converged device: nothing to send.
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// The commands, one per line, indented `indent` spaces per depth.
    pub fn render_commands(&self, indent: usize) -> String {
        let mut out = String::new();
        for command in &self.commands {
            out.extend(std::iter::repeat_n(' ', command.depth * indent));
            out.push_str(&command.text);
            out.push('\n');
        }
        out
    }

    /// The unified diff of `before` and `after` (empty when they are equal).
    pub fn unified(&self, from_label: &str, to_label: &str) -> String {
        unified(&self.before, &self.after, from_label, to_label)
    }
}

/// A unified diff with 3 lines of context; the empty string when the texts are equal.
pub fn unified(before: &str, after: &str, from_label: &str, to_label: &str) -> String {
    if before == after {
        return String::new();
    }
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(from_label, to_label)
        .to_string()
}

/// The commands that take `running` to `desired`. `exclusive` lists command prefixes
/// (e.g. `ip name-server`) whose running lines outside managed blocks are removed when
/// not desired.
pub fn diff<S: AsRef<str>>(
    dialect: &Dialect,
    desired: &Tree,
    running: &Tree,
    exclusive: &[S],
) -> ConfigDiff {
    let differ = Differ::new(dialect, exclusive);
    let view = differ.relevant_view(desired, running);
    let outcome = differ.diff_block(&desired.lines, &view, Scope::Merged, &mut Vec::new());
    ConfigDiff {
        commands: flatten(&outcome.commands),
        before: Tree { lines: view }.render(dialect.indent),
        after: Tree {
            lines: outcome.after,
        }
        .render(dialect.indent),
    }
}

/// Whether a block's undesired running lines are removed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Managed,
    Merged,
}

struct Differ<'d> {
    dialect: &'d Dialect,
    exclusive: Vec<String>,
}

/// One line of a block with its comparison forms. Leaves of multi-value commands have
/// one atom per value; every other line is one atom.
struct Entry<'a> {
    line: &'a Line,
    canonical: String,
    atoms: Vec<Atom>,
}

struct Atom {
    text: String,
    canonical: String,
}

/// A command with the sub-mode commands typed under it.
struct CommandNode {
    text: String,
    opens_mode: bool,
    children: Vec<CommandNode>,
}

impl CommandNode {
    fn line(text: String) -> CommandNode {
        CommandNode {
            text,
            opens_mode: false,
            children: Vec::new(),
        }
    }
}

/// The result of diffing one block's children.
struct BlockOutcome {
    commands: Vec<CommandNode>,
    after: Vec<Line>,
}

/// What happens to a desired line, in desired order.
enum Step {
    /// Already in running at this index, nothing to do inside.
    Present(usize),
    /// A block present in running at this index, entered to fix its children.
    Entered {
        running: usize,
        text: String,
        outcome: BlockOutcome,
    },
    /// Missing: typed (a new block with its children).
    Added {
        text: String,
        canonical: String,
        block: Option<BlockOutcome>,
    },
}

/// What happens to a running atom.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Kept,
    /// Replaced by a desired line in the same slot, or removed by a `no` command.
    Gone,
}

impl<'d> Differ<'d> {
    fn new<S: AsRef<str>>(dialect: &'d Dialect, exclusive: &[S]) -> Self {
        let exclusive = exclusive
            .iter()
            .map(|p| dialect.canonical(p.as_ref()))
            .collect();
        Differ { dialect, exclusive }
    }

    fn entries<'a>(&self, lines: &'a [Line]) -> Vec<Entry<'a>> {
        lines.iter().map(|line| self.entry(line)).collect()
    }

    fn entry<'a>(&self, line: &'a Line) -> Entry<'a> {
        let canonical = self.dialect.canonical(&line.text);
        let expanded = if line.children.is_empty() {
            self.dialect.expand(&line.text)
        } else {
            Vec::new()
        };
        let atoms = if expanded.len() > 1 {
            expanded
                .into_iter()
                .map(|text| Atom {
                    canonical: self.dialect.canonical(&text),
                    text,
                })
                .collect()
        } else {
            vec![Atom {
                text: line.text.clone(),
                canonical: canonical.clone(),
            }]
        };
        Entry {
            line,
            canonical,
            atoms,
        }
    }

    fn is_exclusive(&self, canonical: &str) -> bool {
        self.exclusive
            .iter()
            .any(|prefix| starts_with_words(canonical, prefix))
    }

    /// The running top-level lines a plan shows and the diff looks at: managed blocks,
    /// lines in the family or slot of a desired line, and exclusive lines. A full
    /// running config is mostly unrelated lines, so they are rejected on their first two
    /// words before anything is allocated.
    fn relevant_view(&self, desired: &Tree, running: &Tree) -> Vec<Line> {
        let mut families = HashSet::new();
        let mut slots = HashSet::new();
        for entry in self.entries(&desired.lines) {
            for atom in &entry.atoms {
                families.insert(self.dialect.family(&atom.canonical).to_string());
                slots.insert(self.dialect.slot(&atom.canonical).to_string());
            }
        }
        let keys = families
            .iter()
            .chain(&slots)
            .chain(&self.exclusive)
            .map(String::as_str)
            .chain(self.dialect.managed_roots.iter().copied())
            .chain(self.dialect.synonyms.iter().map(|s| s.from));
        let prefilter = LeadingWords::new(keys);
        running
            .lines
            .iter()
            .filter(|line| prefilter.may_start(&line.text))
            .filter(|line| {
                let canonical = self.dialect.canonical(&line.text);
                self.dialect.is_managed_root(&canonical)
                    || families.contains(self.dialect.family(&canonical))
                    || slots.contains(self.dialect.slot(&canonical))
                    || self.is_exclusive(&canonical)
            })
            .cloned()
            .collect()
    }

    /// Diffs the children of one block (or the top level).
    fn diff_block(
        &self,
        desired: &[Line],
        running: &[Line],
        scope: Scope,
        path: &mut Vec<String>,
    ) -> BlockOutcome {
        let want = self.entries(desired);
        let have = self.entries(running);
        let steps = self.plan_steps(&want, &have, scope, path);
        let sent_slots: HashSet<&str> = steps
            .iter()
            .filter_map(|step| match step {
                Step::Added { canonical, .. } => Some(self.dialect.slot(canonical)),
                _ => None,
            })
            .collect();
        let wanted: HashSet<&str> = want
            .iter()
            .flat_map(|e| e.atoms.iter().map(|a| a.canonical.as_str()))
            .collect();
        let mut commands = Vec::new();
        let fates: Vec<Vec<Fate>> = have
            .iter()
            .map(|entry| {
                entry
                    .atoms
                    .iter()
                    .map(|atom| {
                        if wanted.contains(atom.canonical.as_str()) {
                            Fate::Kept
                        } else if sent_slots.contains(self.dialect.slot(&atom.canonical)) {
                            Fate::Gone
                        } else if scope == Scope::Managed || self.is_exclusive(&atom.canonical) {
                            commands.push(CommandNode::line(self.dialect.negate(&atom.text)));
                            Fate::Gone
                        } else {
                            Fate::Kept
                        }
                    })
                    .collect()
            })
            .collect();
        let after = self.after_view(&have, &fates, &steps, path);
        commands.extend(steps.into_iter().filter_map(|step| self.step_command(step)));
        BlockOutcome { commands, after }
    }

    /// Walks the desired lines in order and decides, for each, present / enter / add.
    fn plan_steps(
        &self,
        want: &[Entry],
        have: &[Entry],
        scope: Scope,
        path: &mut Vec<String>,
    ) -> Vec<Step> {
        let mut running_atoms: HashMap<&str, usize> = HashMap::new();
        for (index, entry) in have.iter().enumerate() {
            for atom in &entry.atoms {
                running_atoms.entry(&atom.canonical).or_insert(index);
            }
        }
        let mut added: HashSet<&str> = HashSet::new();
        let mut steps = Vec::new();
        for entry in want {
            if !entry.line.children.is_empty() {
                steps.push(self.block_step(entry, have, &running_atoms, scope, path));
                continue;
            }
            for atom in &entry.atoms {
                if let Some(&index) = running_atoms.get(atom.canonical.as_str()) {
                    steps.push(Step::Present(index));
                } else if added.insert(&atom.canonical)
                    && !self.default_holds(path, &atom.canonical, have)
                {
                    steps.push(Step::Added {
                        text: atom.text.clone(),
                        canonical: atom.canonical.clone(),
                        block: None,
                    });
                }
            }
        }
        steps
    }

    /// A desired block: entered if running has its header, added whole otherwise.
    fn block_step(
        &self,
        entry: &Entry,
        have: &[Entry],
        running_atoms: &HashMap<&str, usize>,
        scope: Scope,
        path: &mut Vec<String>,
    ) -> Step {
        path.push(entry.canonical.clone());
        let step = match running_atoms.get(entry.canonical.as_str()) {
            Some(&index) => {
                let inner =
                    if scope == Scope::Managed || self.dialect.is_managed_root(&entry.canonical) {
                        Scope::Managed
                    } else {
                        Scope::Merged
                    };
                Step::Entered {
                    running: index,
                    text: entry.line.text.clone(),
                    outcome: self.diff_block(
                        &entry.line.children,
                        &have[index].line.children,
                        inner,
                        path,
                    ),
                }
            }
            None => Step::Added {
                text: entry.line.text.clone(),
                canonical: entry.canonical.clone(),
                block: Some(self.diff_block(&entry.line.children, &[], Scope::Managed, path)),
            },
        };
        path.pop();
        step
    }

    /// Whether a desired line is a default the device does not print and nothing in
    /// the running block overrides it (real configs, docs/platform-notes.md: the CiscoTAC-1 destination).
    fn default_holds(&self, path: &[String], canonical: &str, have: &[Entry]) -> bool {
        self.dialect
            .hidden_default(path, canonical)
            .is_some_and(|default| !default.is_overridden_by(running_canonicals(have)))
    }

    fn step_command(&self, step: Step) -> Option<CommandNode> {
        match step {
            Step::Present(_) => None,
            Step::Entered { text, outcome, .. } => {
                (!outcome.commands.is_empty()).then_some(CommandNode {
                    text,
                    opens_mode: true,
                    children: outcome.commands,
                })
            }
            Step::Added { text, block, .. } => Some(match block {
                None => CommandNode::line(self.dialect.add_command(&text)),
                Some(outcome) => CommandNode {
                    text: self.dialect.add_command(&text),
                    opens_mode: true,
                    children: outcome.commands,
                },
            }),
        }
    }

    /// The running block with the fates applied and the added lines placed: a
    /// replacement where the line it replaces stood, else after the last line of its
    /// family, else after the previous desired line.
    fn after_view(
        &self,
        have: &[Entry],
        fates: &[Vec<Fate>],
        steps: &[Step],
        path: &[String],
    ) -> Vec<Line> {
        let mut in_place: Vec<Vec<Line>> = have
            .iter()
            .zip(fates)
            .map(|(entry, fates)| surviving_lines(entry, fates))
            .collect();
        // inserted[0] goes first; inserted[i + 1] follows running line i.
        let mut inserted: Vec<Vec<(Line, bool)>> = (0..=have.len()).map(|_| Vec::new()).collect();
        let mut anchor = 0;
        for step in steps {
            match step {
                Step::Present(index) => anchor = index + 1,
                Step::Entered {
                    running, outcome, ..
                } => {
                    anchor = running + 1;
                    if let Some(line) = in_place[*running].first_mut() {
                        line.children = outcome.after.clone();
                    }
                }
                Step::Added {
                    text,
                    canonical,
                    block,
                } => {
                    anchor = self.placement(canonical, have, fates).unwrap_or(anchor);
                    let line = Line {
                        text: text.clone(),
                        children: block.as_ref().map(|b| b.after.clone()).unwrap_or_default(),
                    };
                    let hidden = self.dialect.hidden_default(path, canonical).is_some();
                    inserted[anchor].push((line, hidden));
                }
            }
        }
        let mut ordered: Vec<(Line, bool)> = inserted[0].drain(..).collect();
        for (index, lines) in in_place.iter_mut().enumerate() {
            ordered.extend(lines.drain(..).map(|line| (line, false)));
            ordered.append(&mut inserted[index + 1]);
        }
        self.hide_defaults(ordered, path)
    }

    /// Where an added line goes in the after view, if its slot or family is there.
    fn placement(&self, canonical: &str, have: &[Entry], fates: &[Vec<Fate>]) -> Option<usize> {
        let slot = self.dialect.slot(canonical);
        let replaced = have.iter().zip(fates).position(|(entry, fates)| {
            entry.atoms.iter().zip(fates).any(|(atom, fate)| {
                *fate == Fate::Gone && self.dialect.slot(&atom.canonical) == slot
            })
        });
        let family = self.dialect.family(canonical);
        let same_family = || {
            have.iter()
                .rposition(|entry| self.dialect.family(&entry.canonical) == family)
        };
        replaced.or_else(same_family).map(|index| index + 1)
    }

    /// Drops added defaults the device will not print (nothing else in the block
    /// overrides them), so the after view reads like the next `show running-config`.
    fn hide_defaults(&self, ordered: Vec<(Line, bool)>, path: &[String]) -> Vec<Line> {
        if !ordered.iter().any(|(_, hidden)| *hidden) {
            return ordered.into_iter().map(|(line, _)| line).collect();
        }
        let canonicals: Vec<String> = ordered
            .iter()
            .map(|(line, _)| self.dialect.canonical(&line.text))
            .collect();
        let shown = |default: &HiddenDefault| {
            default.is_overridden_by(canonicals.iter().map(String::as_str))
        };
        ordered
            .into_iter()
            .zip(&canonicals)
            .filter(|((_, hidden), canonical)| {
                !*hidden
                    || self
                        .dialect
                        .hidden_default(path, canonical)
                        .is_none_or(shown)
            })
            .map(|((line, _), _)| line)
            .collect()
    }
}

/// The canonical forms of every atom of a block.
fn running_canonicals<'a>(have: &'a [Entry]) -> impl Iterator<Item = &'a str> {
    have.iter()
        .flat_map(|entry| entry.atoms.iter().map(|atom| atom.canonical.as_str()))
}

/// What is left of a running line: itself if all its atoms stay, the surviving values
/// one per line if only some do.
fn surviving_lines(entry: &Entry, fates: &[Fate]) -> Vec<Line> {
    if fates.iter().all(|fate| *fate == Fate::Kept) {
        return vec![entry.line.clone()];
    }
    if !entry.line.children.is_empty() {
        return Vec::new();
    }
    entry
        .atoms
        .iter()
        .zip(fates)
        .filter(|(_, fate)| **fate == Fate::Kept)
        .map(|(atom, _)| Line::leaf(atom.text.clone()))
        .collect()
}

/// The first two words of a set of canonical prefixes, to reject lines that cannot
/// start with any of them without computing their canonical form.
/// A handful of keys, so a linear scan beats hashing every running line.
struct LeadingWords<'k> {
    /// (first word, second word or `None` when the key is one word).
    keys: Vec<(&'k str, Option<&'k str>)>,
}

impl<'k> LeadingWords<'k> {
    fn new(keys: impl Iterator<Item = &'k str>) -> Self {
        let mut keys: Vec<_> = keys.map(leading_words).collect();
        keys.sort_unstable();
        keys.dedup();
        LeadingWords { keys }
    }

    /// Whether a raw line could start with one of the keys once canonical.
    fn may_start(&self, text: &str) -> bool {
        let (first, second) = leading_words(text);
        self.keys.iter().any(|(key_first, key_second)| {
            *key_first == first && (key_second.is_none() || *key_second == second)
        })
    }
}

/// The first two words of a line, ignoring a leading `no` and double quotes, as the
/// canonical form would have them.
fn leading_words(text: &str) -> (&str, Option<&str>) {
    let mut words = text
        .split_ascii_whitespace()
        .map(|word| word.trim_matches('"'))
        .skip_while(|word| *word == "no");
    (words.next().unwrap_or(""), words.next())
}

/// Command nodes as typed lines: `exit` at the sub-mode's depth before each line that is
/// shallower than the current mode.
fn flatten(nodes: &[CommandNode]) -> Vec<Command> {
    let mut out = Vec::new();
    let mut mode = 0;
    flatten_into(nodes, 0, &mut mode, &mut out);
    out
}

fn flatten_into(nodes: &[CommandNode], depth: usize, mode: &mut usize, out: &mut Vec<Command>) {
    for node in nodes {
        while *mode > depth {
            out.push(Command {
                depth: *mode,
                text: "exit".to_string(),
            });
            *mode -= 1;
        }
        out.push(Command {
            depth,
            text: node.text.clone(),
        });
        if node.opens_mode {
            *mode = depth + 1;
            flatten_into(&node.children, depth + 1, mode, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{apic, ios_xe, nx_os};

    fn plan(dialect: &Dialect, desired: &str, running: &str, exclusive: &[&str]) -> ConfigDiff {
        diff(
            dialect,
            &Tree::parse(desired, dialect),
            &Tree::parse(running, dialect),
            exclusive,
        )
    }

    fn typed(diff: &ConfigDiff) -> Vec<(usize, &str)> {
        diff.commands
            .iter()
            .map(|c| (c.depth, c.text.as_str()))
            .collect()
    }

    #[test]
    fn managed_block_removes_undesired_lines_and_flips_no_forms() {
        let running = "call-home\n no http secure server-identity-check\n vrf OLD\n";
        let diff = plan(&ios_xe::DIALECT, "call-home\n", running, &[]);
        assert!(
            diff.is_empty(),
            "a desired leaf header leaves its block alone"
        );
        let diff = plan(
            &ios_xe::DIALECT,
            "call-home\n contact-email-addr a@b\n",
            running,
            &[],
        );
        assert_eq!(
            typed(&diff),
            [
                (0, "call-home"),
                (1, "http secure server-identity-check"),
                (1, "no vrf OLD"),
                (1, "contact-email-addr a@b"),
            ]
        );
    }

    #[test]
    fn stale_sub_block_is_removed_by_its_header_only() {
        let running = "call-home\n profile \"OLD\"\n  active\n  destination transport-method http\n profile \"CiscoTAC-1\"\n  active\n";
        let desired = "call-home\n profile CiscoTAC-1\n  active\n";
        let diff = plan(&ios_xe::DIALECT, desired, running, &[]);
        assert_eq!(typed(&diff), [(0, "call-home"), (1, "no profile \"OLD\"")]);
    }

    #[test]
    fn single_valued_lines_are_replaced_without_negation() {
        let diff = plan(
            &ios_xe::DIALECT,
            "call-home\n contact-email-addr new@example.net\n",
            "call-home\n contact-email-addr old@example.net\n",
            &[],
        );
        assert_eq!(
            typed(&diff),
            [(0, "call-home"), (1, "contact-email-addr new@example.net")]
        );
        assert!(!diff.after.contains("old@example.net"));
    }

    #[test]
    fn global_lines_are_merged_never_removed() {
        let diff = plan(
            &ios_xe::DIALECT,
            "ip name-server 192.0.2.53\n",
            "ip name-server 10.0.0.1\nip host a 10.0.0.2\n",
            &[],
        );
        assert_eq!(typed(&diff), [(0, "ip name-server 192.0.2.53")]);
        assert_eq!(diff.before, "ip name-server 10.0.0.1\n");
        assert_eq!(
            diff.after,
            "ip name-server 10.0.0.1\nip name-server 192.0.2.53\n"
        );
    }

    #[test]
    fn exclusive_prefixes_remove_undesired_values_one_by_one() {
        let diff = plan(
            &ios_xe::DIALECT,
            "ip name-server 192.0.2.53\n",
            "ip name-server 10.0.0.1 192.0.2.53 10.0.0.2\n",
            &["ip name-server"],
        );
        assert_eq!(
            typed(&diff),
            [
                (0, "no ip name-server 10.0.0.1"),
                (0, "no ip name-server 10.0.0.2")
            ]
        );
        assert_eq!(diff.after, "ip name-server 192.0.2.53\n");
    }

    #[test]
    fn global_no_forms_replace_each_other() {
        let diff = plan(
            &ios_xe::DIALECT,
            "no ip domain lookup\n",
            "ip domain-lookup\n",
            &[],
        );
        assert_eq!(typed(&diff), [(0, "no ip domain lookup")]);
        let diff = plan(
            &ios_xe::DIALECT,
            "ip domain lookup\n",
            "no ip domain-lookup\n",
            &[],
        );
        assert_eq!(typed(&diff), [(0, "ip domain lookup")]);
        assert_eq!(diff.after, "", "the device does not print the default");
    }

    #[test]
    fn hidden_default_holds_until_overridden() {
        let desired = format!(
            "call-home\n profile \"CiscoTAC-1\"\n  active\n  {}\n",
            ios_xe::CISCO_TAC_DESTINATION
        );
        let shipped = "call-home\n profile \"CiscoTAC-1\"\n  active\n";
        assert!(plan(&ios_xe::DIALECT, &desired, shipped, &[]).is_empty());
        let satellite = "call-home\n profile \"CiscoTAC-1\"\n  active\n  destination address http https://10.0.0.5/Transportgateway/services/DeviceRequestHandler\n";
        let diff = plan(&ios_xe::DIALECT, &desired, satellite, &[]);
        assert_eq!(diff.commands.len(), 4);
        assert_eq!(
            diff.commands[2].text,
            "no destination address http https://10.0.0.5/Transportgateway/services/DeviceRequestHandler"
        );
        assert_eq!(diff.commands[3].text, ios_xe::CISCO_TAC_DESTINATION);
    }

    #[test]
    fn hidden_default_is_scoped_to_its_block() {
        let desired = format!(
            "call-home\n profile \"OTHER\"\n  {}\n",
            ios_xe::CISCO_TAC_DESTINATION
        );
        let running = "call-home\n profile \"OTHER\"\n  active\n";
        let diff = plan(&ios_xe::DIALECT, &desired, running, &[]);
        assert_eq!(
            diff.commands.last().unwrap().text,
            ios_xe::CISCO_TAC_DESTINATION
        );
    }

    #[test]
    fn nx_os_url_is_removed_as_shown_and_added_without_index() {
        let running = "callhome\n  destination-profile CiscoTAC-1 index 1 http http://a/x\n";
        let desired = "callhome\n  destination-profile CiscoTAC-1 index 1 http https://a/x\n";
        let diff = plan(&nx_os::DIALECT, desired, running, &[]);
        assert_eq!(
            typed(&diff),
            [
                (0, "callhome"),
                (
                    1,
                    "no destination-profile CiscoTAC-1 index 1 http http://a/x"
                ),
                (1, "destination-profile CiscoTAC-1 http https://a/x"),
            ]
        );
        assert!(diff.after.contains("index 1 http https://a/x"));
    }

    #[test]
    fn exits_each_sub_mode_before_a_shallower_line() {
        let desired = "call-home\n profile \"CiscoTAC-1\"\n  active\nip name-server 192.0.2.53\n";
        let diff = plan(
            &ios_xe::DIALECT,
            desired,
            "call-home\n profile \"CiscoTAC-1\"\n",
            &[],
        );
        assert_eq!(
            typed(&diff),
            [
                (0, "call-home"),
                (1, "profile \"CiscoTAC-1\""),
                (2, "active"),
                (2, "exit"),
                (1, "exit"),
                (0, "ip name-server 192.0.2.53"),
            ]
        );
        assert_eq!(
            diff.render_commands(1),
            "call-home\n profile \"CiscoTAC-1\"\n  active\n  exit\n exit\nip name-server 192.0.2.53\n"
        );
    }

    #[test]
    fn a_missing_block_is_added_whole() {
        let desired =
            "crypto pki trustpoint LicRoot\n enrollment terminal\n revocation-check none\n";
        let diff = plan(&ios_xe::DIALECT, desired, "hostname r1\n", &[]);
        assert_eq!(
            typed(&diff),
            [
                (0, "crypto pki trustpoint LicRoot"),
                (1, "enrollment terminal"),
                (1, "revocation-check none"),
            ]
        );
        assert_eq!(diff.after, desired);
    }

    #[test]
    fn duplicated_desired_lines_are_sent_once() {
        let diff = plan(
            &apic::DIALECT,
            "license smart transport-mode smart-licensing\nlicense smart transport-mode smart-licensing\n",
            "",
            &[],
        );
        assert_eq!(diff.commands.len(), 1);
    }

    #[test]
    fn view_shows_only_the_relevant_running_lines() {
        // Not `ip http server` (another family), not the other host entry.
        let running = "hostname r1\ninterface Gi0/0\n ip address 192.0.2.1 255.255.255.0\nip host a 1.1.1.1\nip host tools.cisco.com 192.0.2.9\nip http server\nip http client source-interface Gi0/0\ncall-home\n vrf X\n";
        let desired = "ip host tools.cisco.com 192.0.2.10\nip http client source-interface Gi0/0\n";
        let diff = plan(&ios_xe::DIALECT, desired, running, &[]);
        assert_eq!(
            diff.before,
            "ip host tools.cisco.com 192.0.2.9\nip http client source-interface Gi0/0\ncall-home\n vrf X\n"
        );
    }

    #[test]
    fn unified_is_empty_for_equal_texts_and_labelled_otherwise() {
        assert_eq!(unified("a\n", "a\n", "x", "y"), "");
        let text = unified("a\nb\n", "a\nc\n", "running", "after");
        assert!(text.starts_with("--- running\n+++ after\n"));
        assert!(text.contains("-b\n+c\n"));
    }
}
