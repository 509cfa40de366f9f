//! Command grammar: a small pattern language for a personality's commands, and the
//! matcher that resolves a typed line against a mode's patterns the way a Cisco parser
//! does — unique keyword prefixes (`conf t`, `sh run`), an exact keyword winning over
//! longer ones (`end` vs `enable`), and the three parser errors with the column the
//! caret goes under.
//!
//! Pattern syntax (one command per pattern):
//! - `word` — a keyword, matched case-insensitively by unique prefix;
//! - `<word>` any one token, `<num>` digits, `<qword>` a token shown in double quotes
//!   (IOS-XE prints `profile "CiscoTAC-1"` whatever was typed), `<line>` the rest of
//!   the line (one token or more, kept as typed);
//! - `{a|b c}` alternatives (each a sequence), `[x y]` an optional sequence.
//!
//! This module knows no device; the personalities own the patterns.

/// One element of an expanded pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Elem {
    Keyword(&'static str),
    Arg(Arg),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arg {
    Word,
    Num,
    QuotedWord,
    Line,
}

/// A typed token and the column (in characters of the line) it starts at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub column: usize,
}

/// What a line resolved to: which pattern, and the line in the form the device stores
/// it (keywords spelled out, quoted names quoted, free text as typed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub pattern: usize,
    pub words: Vec<String>,
    /// The argument values, in order, without the quotes of `<qword>`.
    pub args: Vec<String>,
    /// A `no` form that left out trailing arguments (`no ip http client source-interface`).
    pub partial: bool,
}

impl Resolved {
    pub fn text(&self) -> String {
        self.words.join(" ")
    }
}

/// Why a line was refused, as the device reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// `% Invalid input detected at '^' marker.`: the caret goes under `column`.
    Invalid { column: usize },
    /// `% Incomplete command.`; `column` is the end of the line (NX-OS puts its caret there).
    Incomplete { column: usize },
    /// `% Ambiguous command:  "…"`; `column` is where the ambiguous token starts.
    Ambiguous { column: usize },
}

/// Splits a line into tokens; a double-quoted string is one token, quotes included.
pub fn tokenize(line: &str) -> Vec<Token> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut quoted = false;
        while i < chars.len() && (quoted || !chars[i].is_whitespace()) {
            if chars[i] == '"' {
                quoted = !quoted;
            }
            i += 1;
        }
        tokens.push(Token {
            text: chars[start..i].iter().collect(),
            column: start,
        });
    }
    tokens
}

/// Expands a pattern into its flat alternatives.
fn expand(pattern: &'static str) -> Vec<Vec<Elem>> {
    let words: Vec<&'static str> = split_pattern(pattern);
    let mut pos = 0;
    let out = expand_seq(&words, &mut pos, &[]);
    debug_assert_eq!(pos, words.len(), "unbalanced pattern {pattern:?}");
    out
}

/// Pattern words, with `{ } [ ] |` as words of their own.
fn split_pattern(pattern: &'static str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in pattern.char_indices() {
        let special = matches!(c, '{' | '}' | '[' | ']' | '|');
        if c.is_whitespace() || special {
            if let Some(s) = start.take() {
                out.push(&pattern[s..i]);
            }
            if special {
                out.push(&pattern[i..i + 1]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(&pattern[s..]);
    }
    out
}

/// Expands words up to (not including) one of `stops`, returning every alternative.
fn expand_seq(words: &[&'static str], pos: &mut usize, stops: &[&str]) -> Vec<Vec<Elem>> {
    let mut seqs: Vec<Vec<Elem>> = vec![Vec::new()];
    while *pos < words.len() && !stops.contains(&words[*pos]) {
        let word = words[*pos];
        *pos += 1;
        let options: Vec<Vec<Elem>> = match word {
            "{" => expand_alternatives(words, pos, "}"),
            "[" => {
                let mut alts = expand_alternatives(words, pos, "]");
                alts.push(Vec::new());
                alts
            }
            _ => vec![vec![element(word)]],
        };
        seqs = seqs
            .iter()
            .flat_map(|seq| {
                options.iter().map(move |opt| {
                    let mut s = seq.clone();
                    s.extend(opt.iter().cloned());
                    s
                })
            })
            .collect();
    }
    seqs
}

fn expand_alternatives(words: &[&'static str], pos: &mut usize, close: &str) -> Vec<Vec<Elem>> {
    let mut alts = Vec::new();
    loop {
        alts.extend(expand_seq(words, pos, &["|", close]));
        let Some(&sep) = words.get(*pos) else { break };
        *pos += 1;
        if sep == close {
            break;
        }
    }
    alts
}

fn element(word: &'static str) -> Elem {
    match word {
        "<word>" => Elem::Arg(Arg::Word),
        "<num>" => Elem::Arg(Arg::Num),
        "<qword>" => Elem::Arg(Arg::QuotedWord),
        "<line>" => Elem::Arg(Arg::Line),
        _ => Elem::Keyword(word),
    }
}

/// One pattern alternative still matching the tokens seen so far.
#[derive(Clone)]
struct Candidate {
    pattern: usize,
    seq: Vec<Elem>,
    words: Vec<String>,
    args: Vec<String>,
    /// A `<line>` took the rest of the line.
    absorbed: bool,
}

/// How a token matched one candidate's next element.
enum Step {
    Keyword { exact: bool, keyword: &'static str },
    Arg,
    Absorb,
}

/// Resolves `line` against `patterns`. `others` are first keywords the real CLI has in
/// this mode but the lab does not implement: they make abbreviations ambiguous as on
/// the device. `allow_partial` accepts a line that stops before trailing arguments
/// (the `no` forms).
pub fn resolve(
    line: &str,
    patterns: &[&'static str],
    others: &[&'static str],
    allow_partial: bool,
) -> Result<Option<Resolved>, ParseError> {
    let tokens = tokenize(line);
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut alive = candidates(patterns);
    let mut done: Vec<Candidate> = Vec::new();
    advance(line, &tokens, others, &mut alive, &mut done)?;
    let complete = alive
        .iter()
        .filter(|c| c.seq.len() == tokens.len())
        .chain(done.iter())
        .min_by_key(|c| c.pattern);
    if let Some(c) = complete {
        return Ok(Some(finish(c.clone(), false)));
    }
    if allow_partial
        && let Some(c) = alive
            .iter()
            .filter(|c| matches!(c.seq.get(tokens.len()), Some(Elem::Arg(_))))
            .min_by_key(|c| c.pattern)
    {
        return Ok(Some(finish(c.clone(), true)));
    }
    Err(ParseError::Incomplete {
        column: line.trim_end().chars().count(),
    })
}

/// Every alternative of every pattern, before any token.
fn candidates(patterns: &[&'static str]) -> Vec<Candidate> {
    patterns
        .iter()
        .enumerate()
        .flat_map(|(index, p)| {
            expand(p).into_iter().map(move |seq| Candidate {
                pattern: index,
                seq,
                words: Vec::new(),
                args: Vec::new(),
                absorbed: false,
            })
        })
        .collect()
}

/// Feeds `tokens` to the candidates: `alive` keeps those waiting for more, `done` those
/// whose `<line>` took the rest of the line.
fn advance(
    line: &str,
    tokens: &[Token],
    others: &[&'static str],
    alive: &mut Vec<Candidate>,
    done: &mut Vec<Candidate>,
) -> Result<(), ParseError> {
    for (i, token) in tokens.iter().enumerate() {
        let rest = &line[byte_offset(line, token.column)..];
        let stepped: Vec<(Candidate, Step)> = alive
            .drain(..)
            .filter_map(|c| step(c, i, token, rest))
            .collect();
        let kept = choose(stepped, token, if i == 0 { others } else { &[] })?;
        if kept.is_empty() {
            return Err(ParseError::Invalid {
                column: token.column,
            });
        }
        for candidate in kept {
            if candidate.absorbed {
                done.push(candidate);
            } else {
                alive.push(candidate);
            }
        }
        if alive.is_empty() {
            break;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- `?` help and Tab

/// What `?` answers for the text typed before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Help {
    /// After a space (or on an empty line): what may come next.
    Next(Vec<Choice>),
    /// Directly after a partial word: the keywords (or argument) it may start.
    Words(Vec<String>),
    /// Nothing the mode knows starts like this; `column`: the first word not known.
    Unrecognized { column: usize },
    /// A word before the last one (at `column`) abbreviates two keywords.
    Ambiguous { column: usize },
}

/// One line of `?` help: a keyword (with the keyword before it, for its description),
/// an argument placeholder, or `<cr>` (the command may end here).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Choice {
    Keyword {
        before: Option<&'static str>,
        keyword: &'static str,
    },
    Arg(&'static str),
    End,
}

impl Choice {
    /// The name in the help's first column.
    pub fn name(&self) -> &'static str {
        match self {
            Choice::Keyword { keyword, .. } => keyword,
            Choice::Arg(label) => label,
            Choice::End => "<cr>",
        }
    }
}

/// The placeholder IOS prints for an argument (`WORD`, `LINE`: the `host ?` and
/// `description ?` help of real transcripts). For a number the device prints its range
/// (`<0-512>`), which the lab's grammar does not know: `<number>` is the lab's own.
fn arg_label(arg: Arg) -> &'static str {
    match arg {
        Arg::Word | Arg::QuotedWord => "WORD",
        Arg::Line => "LINE",
        Arg::Num => "<number>",
    }
}

/// The last keyword of `seq` before position `at`.
fn keyword_before(seq: &[Elem], at: usize) -> Option<&'static str> {
    seq[..at.min(seq.len())].iter().rev().find_map(|e| match e {
        Elem::Keyword(k) => Some(*k),
        Elem::Arg(_) => None,
    })
}

/// `?` help for `typed` (the text before the `?`). `others` are listed among the words a
/// partial first word may start (they have no descriptions in the lab, so the full
/// listing leaves them out).
pub fn help(typed: &str, patterns: &[&'static str], others: &[&'static str]) -> Help {
    let tokens = tokenize(typed);
    let partial = !typed.is_empty() && !typed.ends_with(char::is_whitespace);
    let whole = if partial {
        &tokens[..tokens.len() - 1]
    } else {
        &tokens[..]
    };
    let mut alive = candidates(patterns);
    let mut done = Vec::new();
    match advance(typed, whole, others, &mut alive, &mut done) {
        Ok(()) => {}
        Err(ParseError::Ambiguous { column }) => return Help::Ambiguous { column },
        Err(ParseError::Invalid { column } | ParseError::Incomplete { column }) => {
            return Help::Unrecognized { column };
        }
    }
    if whole.len() < tokens.len() && !done.is_empty() && alive.is_empty() {
        // A `<line>` took the words so far; the partial word is more of it.
        return Help::Words(vec![arg_label(Arg::Line).to_string()]);
    }
    let n = whole.len();
    if partial {
        let word = tokens[n].text.to_ascii_lowercase();
        let mut words: Vec<String> = alive
            .iter()
            .filter_map(|c| match c.seq.get(n) {
                Some(Elem::Keyword(k)) if k.starts_with(&word) => Some(k.to_string()),
                _ => None,
            })
            .chain(
                others
                    .iter()
                    .filter(|o| n == 0 && o.starts_with(&word))
                    .map(|o| o.to_string()),
            )
            .collect();
        if words.is_empty() {
            // An argument takes the word: IOS names the argument.
            let rest = &typed[byte_offset(typed, tokens[n].column)..];
            words = alive
                .iter()
                .filter_map(|c| match c.seq.get(n) {
                    Some(Elem::Arg(a)) => {
                        step(c.clone(), n, &tokens[n], rest).map(|_| arg_label(*a).to_string())
                    }
                    _ => None,
                })
                .collect();
        }
        words.sort();
        words.dedup();
        return if words.is_empty() {
            Help::Unrecognized {
                column: tokens[n].column,
            }
        } else {
            Help::Words(words)
        };
    }
    let mut choices: Vec<Choice> = alive
        .iter()
        .map(|c| match c.seq.get(n) {
            None => Choice::End,
            Some(Elem::Keyword(k)) => Choice::Keyword {
                before: keyword_before(&c.seq, n),
                keyword: k,
            },
            Some(Elem::Arg(a)) => Choice::Arg(arg_label(*a)),
        })
        .chain(done.iter().map(|_| Choice::End))
        .collect();
    if choices.is_empty() {
        return Help::Unrecognized {
            column: typed.chars().count(),
        };
    }
    choices.sort_by(|a, b| {
        (matches!(a, Choice::End), a.name()).cmp(&(matches!(b, Choice::End), b.name()))
    });
    choices.dedup_by(|a, b| a.name() == b.name());
    Help::Next(choices)
}

/// Tab: the rest of the keyword a partial last word abbreviates, when it abbreviates
/// exactly one (IOS then echoes that rest and a space); `None` when the word is
/// ambiguous, unknown, an argument, or when the line ends with a space.
pub fn complete(typed: &str, patterns: &[&'static str], others: &[&'static str]) -> Option<String> {
    let Help::Words(words) = help(typed, patterns, others) else {
        return None;
    };
    let [word] = words.as_slice() else {
        return None;
    };
    let last = tokenize(typed).pop()?;
    let typed_word = last.text.to_ascii_lowercase();
    // An argument placeholder is not a completion.
    if !word.starts_with(&typed_word) || word.chars().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    Some(format!("{} ", &word[typed_word.len()..]))
}

fn finish(c: Candidate, partial: bool) -> Resolved {
    Resolved {
        pattern: c.pattern,
        words: c.words,
        args: c.args,
        partial,
    }
}

fn byte_offset(line: &str, column: usize) -> usize {
    line.char_indices()
        .nth(column)
        .map_or(line.len(), |(i, _)| i)
}

/// Advances one candidate by one token, or drops it.
fn step(mut c: Candidate, i: usize, token: &Token, rest: &str) -> Option<(Candidate, Step)> {
    let elem = c.seq.get(i)?.clone();
    let step = match elem {
        Elem::Keyword(keyword) => {
            let typed = token.text.to_ascii_lowercase();
            if !keyword.starts_with(&typed) {
                return None;
            }
            c.words.push(keyword.to_string());
            Step::Keyword {
                exact: keyword == typed,
                keyword,
            }
        }
        Elem::Arg(Arg::Line) => {
            let text = rest.trim_end().to_string();
            c.words.push(text.clone());
            c.args.push(text);
            c.absorbed = true;
            Step::Absorb
        }
        Elem::Arg(Arg::Num) => {
            if !token.text.chars().all(|ch| ch.is_ascii_digit()) {
                return None;
            }
            c.words.push(token.text.clone());
            c.args.push(token.text.clone());
            Step::Arg
        }
        Elem::Arg(Arg::QuotedWord) => {
            let bare = token.text.trim_matches('"').to_string();
            c.words.push(format!("\"{bare}\""));
            c.args.push(bare);
            Step::Arg
        }
        Elem::Arg(Arg::Word) => {
            c.words.push(token.text.clone());
            c.args.push(token.text.clone());
            Step::Arg
        }
    };
    Some((c, step))
}

/// Keeps the candidates a Cisco parser would follow after one token: an exact keyword
/// wins; one keyword matched by prefix wins over arguments; two different keywords
/// matched by prefix are ambiguous.
fn choose(
    stepped: Vec<(Candidate, Step)>,
    token: &Token,
    others: &[&'static str],
) -> Result<Vec<Candidate>, ParseError> {
    let typed = token.text.to_ascii_lowercase();
    let any_exact = stepped
        .iter()
        .any(|(_, s)| matches!(s, Step::Keyword { exact: true, .. }))
        || others.contains(&typed.as_str());
    if any_exact {
        return Ok(keep(stepped, |s| {
            matches!(s, Step::Keyword { exact: true, .. })
        }));
    }
    let mut keywords: Vec<&str> = stepped
        .iter()
        .filter_map(|(_, s)| match s {
            Step::Keyword { keyword, .. } => Some(*keyword),
            _ => None,
        })
        .chain(others.iter().copied().filter(|o| o.starts_with(&typed)))
        .collect();
    keywords.sort_unstable();
    keywords.dedup();
    match keywords.len() {
        0 => Ok(keep(stepped, |_| true)),
        1 => Ok(keep(stepped, |s| matches!(s, Step::Keyword { .. }))),
        _ => Err(ParseError::Ambiguous {
            column: token.column,
        }),
    }
}

fn keep(stepped: Vec<(Candidate, Step)>, wanted: impl Fn(&Step) -> bool) -> Vec<Candidate> {
    stepped
        .into_iter()
        .filter(|(_, s)| wanted(s))
        .map(|(c, _)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXEC: &[&str] = &[
        "configure terminal",
        "enable",
        "end",
        "show running-config [all]",
        "show running-config callhome",
        "show version",
        "write [memory]",
        "terminal length <num>",
    ];

    fn words(line: &str) -> String {
        resolve(line, EXEC, &["connect", "copy"], false)
            .unwrap()
            .unwrap()
            .text()
    }

    #[test]
    fn unique_prefixes_expand_to_the_full_keywords() {
        assert_eq!(words("conf t"), "configure terminal");
        assert_eq!(words("sh run"), "show running-config");
        assert_eq!(words("SH RUN all"), "show running-config all");
        assert_eq!(words("wr"), "write");
        assert_eq!(words("term len 0"), "terminal length 0");
    }

    #[test]
    fn an_exact_keyword_beats_a_longer_one() {
        assert_eq!(words("end"), "end");
        assert_eq!(words("ena"), "enable");
    }

    #[test]
    fn two_keywords_for_one_prefix_are_ambiguous() {
        assert_eq!(
            resolve("e", EXEC, &[], false),
            Err(ParseError::Ambiguous { column: 0 })
        );
        // `con` is `configure` or the unimplemented `connect` on the device.
        assert_eq!(
            resolve("con t", EXEC, &["connect"], false),
            Err(ParseError::Ambiguous { column: 0 })
        );
    }

    #[test]
    fn the_caret_goes_under_the_first_unknown_token() {
        assert_eq!(
            resolve("show runx", EXEC, &[], false),
            Err(ParseError::Invalid { column: 5 })
        );
        assert_eq!(
            resolve("terminal length x", EXEC, &[], false),
            Err(ParseError::Invalid { column: 16 })
        );
        assert_eq!(
            resolve("show version extra", EXEC, &[], false),
            Err(ParseError::Invalid { column: 13 })
        );
    }

    #[test]
    fn a_line_that_stops_early_is_incomplete() {
        assert_eq!(
            resolve("show", EXEC, &[], false),
            Err(ParseError::Incomplete { column: 4 })
        );
        assert_eq!(
            resolve("terminal length", EXEC, &[], false),
            Err(ParseError::Incomplete { column: 15 })
        );
    }

    #[test]
    fn partial_no_forms_may_leave_out_trailing_arguments_only() {
        let patterns = &["ip http client source-interface <word>"];
        let r = resolve("ip http client source-interface", patterns, &[], true)
            .unwrap()
            .unwrap();
        assert!(r.partial);
        assert_eq!(
            resolve("ip http client", patterns, &[], true),
            Err(ParseError::Incomplete { column: 14 })
        );
    }

    #[test]
    fn quoted_words_are_stored_quoted_and_lines_as_typed() {
        let patterns = &["profile <qword>", "description <line>"];
        let r = resolve("prof CiscoTAC-1", patterns, &[], false)
            .unwrap()
            .unwrap();
        assert_eq!(r.text(), "profile \"CiscoTAC-1\"");
        assert_eq!(r.args, ["CiscoTAC-1"]);
        let r = resolve("desc two  words ", patterns, &[], false)
            .unwrap()
            .unwrap();
        assert_eq!(r.text(), "description two  words");
        let r = resolve("profile \"My Profile\"", patterns, &[], false)
            .unwrap()
            .unwrap();
        assert_eq!(r.args, ["My Profile"]);
    }

    #[test]
    fn alternatives_and_options_expand() {
        let patterns = &["license smart {transport {smart|cslu}|url {smart|cslu} <word>}"];
        assert!(resolve("lic sm tr cslu", patterns, &[], false).is_ok());
        assert!(resolve("lic sm url smart https://x", patterns, &[], false).is_ok());
        assert_eq!(
            resolve("lic sm url https://x", patterns, &[], false),
            Err(ParseError::Invalid { column: 11 })
        );
    }

    fn kw(before: Option<&'static str>, keyword: &'static str) -> Choice {
        Choice::Keyword { before, keyword }
    }

    #[test]
    fn help_after_a_space_lists_what_may_come_next() {
        assert_eq!(
            help("show ", EXEC, &[]),
            Help::Next(vec![
                kw(Some("show"), "running-config"),
                kw(Some("show"), "version"),
            ])
        );
        assert_eq!(
            help("sh run ", EXEC, &[]),
            Help::Next(vec![
                kw(Some("running-config"), "all"),
                kw(Some("running-config"), "callhome"),
                Choice::End,
            ])
        );
        assert_eq!(
            help("terminal length ", EXEC, &[]),
            Help::Next(vec![Choice::Arg("<number>")])
        );
        assert_eq!(
            help("show version ", EXEC, &[]),
            Help::Next(vec![Choice::End])
        );
        // An empty line lists every first keyword, the unimplemented ones left out.
        let Help::Next(all) = help("", EXEC, &["connect"]) else {
            panic!("no list");
        };
        let names: Vec<&str> = all.iter().map(Choice::name).collect();
        assert_eq!(
            names,
            ["configure", "enable", "end", "show", "terminal", "write"]
        );
    }

    #[test]
    fn help_after_a_partial_word_lists_the_keywords_it_starts() {
        assert_eq!(
            help("e", EXEC, &[]),
            Help::Words(vec!["enable".into(), "end".into()])
        );
        assert_eq!(
            help("co", EXEC, &["connect", "copy"]),
            Help::Words(vec!["configure".into(), "connect".into(), "copy".into()])
        );
        assert_eq!(
            help("show r", EXEC, &[]),
            Help::Words(vec!["running-config".into()])
        );
        assert_eq!(
            help("terminal length 2", EXEC, &[]),
            Help::Words(vec!["<number>".into()])
        );
    }

    #[test]
    fn help_for_unknown_or_ambiguous_words() {
        assert_eq!(help("x", EXEC, &[]), Help::Unrecognized { column: 0 });
        assert_eq!(help("show x", EXEC, &[]), Help::Unrecognized { column: 5 });
        assert_eq!(
            help("show bogus ", EXEC, &[]),
            Help::Unrecognized { column: 5 }
        );
        assert_eq!(help("e x", EXEC, &[]), Help::Ambiguous { column: 0 });
    }

    #[test]
    fn tab_completes_one_keyword_only() {
        assert_eq!(complete("sh", EXEC, &[]).as_deref(), Some("ow "));
        assert_eq!(
            complete("show ru", EXEC, &[]).as_deref(),
            Some("nning-config ")
        );
        assert_eq!(complete("ena", EXEC, &[]).as_deref(), Some("ble "));
        // Ambiguous, unknown, an argument, after a space: nothing.
        assert_eq!(complete("e", EXEC, &[]), None);
        assert_eq!(complete("con", EXEC, &["connect"]), None);
        assert_eq!(complete("x", EXEC, &[]), None);
        assert_eq!(complete("terminal length 2", EXEC, &[]), None);
        assert_eq!(complete("show ", EXEC, &[]), None);
    }
}
