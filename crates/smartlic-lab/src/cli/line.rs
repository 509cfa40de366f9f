//! Line discipline, as a Cisco device runs it over a PTY: typed characters are echoed,
//! backspace/DEL erase (`BS SP BS`), CR, LF and CRLF each end one line, Ctrl-C and
//! Ctrl-Z are events of their own. Without a PTY nothing is echoed.
//!
//! The editing keys of the Cisco CLI guides' "Using the Command-Line Interface" chapters
//! (IOS-XE and NX-OS): `?` asks for help and Tab for completion (both events the session
//! answers, the typed line is kept); Ctrl-P / Up arrow recall the previous command of
//! the history, Ctrl-N / Down arrow the next; Ctrl-U erases the line, Ctrl-W the word
//! before the cursor. Erasing is written as `BS SP BS` per character, as for backspace
//! (the guides name the keys, not the bytes the device sends; not byte-verified).
//! Other cursor keys (left/right) are swallowed: the cursor is always at the end.

/// What the bytes typed so far amount to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Line(String),
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-Z.
    Suspend,
    /// `?`: help for the text typed so far (which stays in the editor).
    Help(String),
    /// Tab: completion of the text typed so far (which stays in the editor).
    Complete(String),
}

/// Which history a command belongs to: IOS keeps one for exec and one for
/// configuration modes ("Up Arrow recalls your last command (within the current
/// hierarchy level only)", a public IOS lab transcript).
pub const EXEC_HISTORY: usize = 0;
pub const CONFIG_HISTORY: usize = 1;

#[derive(Debug, Default)]
pub struct LineEditor {
    buffer: String,
    pub echo: bool,
    /// The last byte was CR: a following LF belongs to the same line end.
    after_cr: bool,
    /// Inside an escape sequence (`ESC [ … final`).
    escape: Escape,
    /// `?` and Tab are keys of their own (not while answering a question such as
    /// `Password:`, where they are characters).
    pub keys: bool,
    /// Past commands, oldest first, per history (`EXEC_HISTORY`, `CONFIG_HISTORY`).
    histories: [Vec<String>; 2],
    /// The history Ctrl-P / Ctrl-N walk.
    pub slot: usize,
    /// Most commands kept per history (`0`: none).
    pub history_size: usize,
    /// Position in the history while recalling (`None`: not recalling).
    recall: Option<usize>,
}

#[derive(Debug, Default, PartialEq, Eq)]
enum Escape {
    #[default]
    None,
    Started,
    Csi,
}

impl LineEditor {
    /// Feeds one byte; appends the echo to `out`; returns an event when a line ends.
    pub fn feed(&mut self, byte: u8, out: &mut Vec<u8>) -> Option<Event> {
        let after_cr = std::mem::take(&mut self.after_cr);
        match self.skip_escape(byte) {
            Some(b'A') if self.keys => return self.recall_previous(out),
            Some(b'B') if self.keys => return self.recall_next(out),
            Some(_) => return None,
            None => {}
        }
        match byte {
            b'?' if self.keys => {
                if self.echo {
                    out.extend_from_slice(b"?\r\n");
                }
                Some(Event::Help(self.buffer.clone()))
            }
            b'\t' if self.keys => Some(Event::Complete(self.buffer.clone())),
            // History keys only at a command prompt, not while answering a question.
            0x10 if self.keys => self.recall_previous(out),
            0x0e if self.keys => self.recall_next(out),
            0x15 => {
                let n = self.buffer.chars().count();
                self.erase(n, out);
                None
            }
            0x17 => {
                let kept = self.buffer.trim_end().len();
                let word = self.buffer[..kept].rfind(' ').map_or(0, |i| i + 1);
                let n = self.buffer[word..].chars().count();
                self.erase(n, out);
                None
            }
            b'\n' if after_cr => None,
            b'\r' | b'\n' => {
                self.after_cr = byte == b'\r';
                if self.echo {
                    out.extend_from_slice(b"\r\n");
                }
                self.recall = None;
                Some(Event::Line(std::mem::take(&mut self.buffer)))
            }
            0x03 => {
                self.buffer.clear();
                Some(Event::Interrupt)
            }
            0x1a => {
                self.buffer.clear();
                Some(Event::Suspend)
            }
            0x08 | 0x7f => {
                if self.buffer.pop().is_some() && self.echo {
                    out.extend_from_slice(b"\x08 \x08");
                }
                None
            }
            0x20..=0x7e => {
                self.buffer.push(byte as char);
                if self.echo {
                    out.push(byte);
                }
                None
            }
            // Other control keys (Ctrl-A/E/B/F cursor moves …) are not simulated.
            _ => None,
        }
    }

    /// The text typed so far.
    pub fn buffer(&self) -> &str {
        &self.buffer
    }

    /// Types `text` as if keyed in (a Tab completion), echoing it.
    pub fn insert(&mut self, text: &str, out: &mut Vec<u8>) {
        self.buffer.push_str(text);
        if self.echo {
            out.extend_from_slice(text.as_bytes());
        }
    }

    /// Keeps a command in the current history (the oldest goes when it is full).
    pub fn remember(&mut self, line: &str) {
        let size = self.history_size;
        let history = &mut self.histories[self.slot];
        if line.trim().is_empty() || size == 0 {
            return;
        }
        history.push(line.to_string());
        if history.len() > size {
            history.remove(0);
        }
    }

    /// The current history, oldest first.
    pub fn history(&self) -> &[String] {
        &self.histories[self.slot]
    }

    /// Erases the last `n` characters of the line, on screen too.
    fn erase(&mut self, n: usize, out: &mut Vec<u8>) {
        for _ in 0..n {
            if self.buffer.pop().is_some() && self.echo {
                out.extend_from_slice(b"\x08 \x08");
            }
        }
    }

    /// Replaces the shown line with `text`.
    fn replace(&mut self, text: &str, out: &mut Vec<u8>) {
        let n = self.buffer.chars().count();
        self.erase(n, out);
        self.insert(text, out);
    }

    fn recall_previous(&mut self, out: &mut Vec<u8>) -> Option<Event> {
        let len = self.histories[self.slot].len();
        let at = match self.recall {
            Some(0) => return None,
            Some(i) => i - 1,
            None if len == 0 => return None,
            None => len - 1,
        };
        self.recall = Some(at);
        let text = self.histories[self.slot][at].clone();
        self.replace(&text, out);
        None
    }

    fn recall_next(&mut self, out: &mut Vec<u8>) -> Option<Event> {
        let i = self.recall?;
        let next = i + 1;
        if next < self.histories[self.slot].len() {
            self.recall = Some(next);
            let text = self.histories[self.slot][next].clone();
            self.replace(&text, out);
        } else {
            // Past the newest command: back to an empty line.
            self.recall = None;
            self.replace("", out);
        }
        None
    }

    /// Consumes the bytes of an escape sequence; `Some(final byte)` when one ends
    /// (`A` up, `B` down, `C` right, `D` left), `Some(0)` inside one.
    fn skip_escape(&mut self, byte: u8) -> Option<u8> {
        match (&self.escape, byte) {
            (Escape::None, 0x1b) => self.escape = Escape::Started,
            (Escape::None, _) => return None,
            (Escape::Started, b'[' | b'O') => self.escape = Escape::Csi,
            (Escape::Started, _) => self.escape = Escape::None,
            (Escape::Csi, 0x40..=0x7e) => {
                self.escape = Escape::None;
                return Some(byte);
            }
            (Escape::Csi, _) => {}
        }
        Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(editor: &mut LineEditor, bytes: &[u8]) -> (Vec<Event>, String) {
        let mut out = Vec::new();
        let events = bytes
            .iter()
            .filter_map(|b| editor.feed(*b, &mut out))
            .collect();
        (events, String::from_utf8(out).unwrap())
    }

    #[test]
    fn echoes_and_ends_lines_on_cr_lf_and_crlf() {
        let mut e = LineEditor {
            echo: true,
            ..Default::default()
        };
        let (events, echo) = feed(&mut e, b"ab\r\ncd\ref\n");
        assert_eq!(
            events,
            [
                Event::Line("ab".into()),
                Event::Line("cd".into()),
                Event::Line("ef".into())
            ]
        );
        assert_eq!(echo, "ab\r\ncd\r\nef\r\n");
    }

    #[test]
    fn crlf_split_across_reads_is_one_line_end() {
        let mut e = LineEditor::default();
        assert_eq!(feed(&mut e, b"x\r").0, [Event::Line("x".into())]);
        assert!(feed(&mut e, b"\n").0.is_empty());
    }

    #[test]
    fn backspace_and_del_erase_and_escape_sequences_vanish() {
        let mut e = LineEditor {
            echo: true,
            ..Default::default()
        };
        let (events, echo) = feed(&mut e, b"shx\x08\x7fh\x1b[A run\r");
        assert_eq!(events, [Event::Line("sh run".into())]);
        assert_eq!(echo, "shx\x08 \x08\x08 \x08h run\r\n");
    }

    #[test]
    fn without_echo_nothing_is_written() {
        let mut e = LineEditor::default();
        assert_eq!(feed(&mut e, b"secret\r").1, "");
    }

    #[test]
    fn control_keys_are_events() {
        let mut e = LineEditor::default();
        assert_eq!(feed(&mut e, b"ab\x03").0, [Event::Interrupt]);
        assert_eq!(feed(&mut e, b"\x1a").0, [Event::Suspend]);
    }

    fn interactive() -> LineEditor {
        LineEditor {
            echo: true,
            keys: true,
            history_size: 3,
            ..Default::default()
        }
    }

    #[test]
    fn question_mark_and_tab_are_events_that_keep_the_line() {
        let mut e = interactive();
        let (events, echo) = feed(&mut e, b"sh?");
        assert_eq!(events, [Event::Help("sh".into())]);
        assert_eq!(echo, "sh?\r\n");
        assert_eq!(e.buffer(), "sh");
        let (events, echo) = feed(&mut e, b"\t");
        assert_eq!(events, [Event::Complete("sh".into())]);
        assert_eq!(echo, "");
        // Answering a question (`keys` off), `?` is a character and Ctrl-P recalls
        // nothing.
        e.keys = false;
        e.remember("show clock");
        assert_eq!(feed(&mut e, b"?\x10\r").0, [Event::Line("sh?".into())]);
    }

    #[test]
    fn ctrl_u_erases_the_line_and_ctrl_w_a_word() {
        let mut e = interactive();
        let (_, echo) = feed(&mut e, b"ab cd \x17");
        assert_eq!(echo, "ab cd \x08 \x08\x08 \x08\x08 \x08");
        assert_eq!(e.buffer(), "ab ");
        let (events, echo) = feed(&mut e, b"\x15x\r");
        assert_eq!(events, [Event::Line("x".into())]);
        assert_eq!(echo, "\x08 \x08\x08 \x08\x08 \x08x\r\n");
    }

    #[test]
    fn ctrl_p_and_up_recall_older_commands_ctrl_n_and_down_newer() {
        let mut e = interactive();
        for c in ["one", "two", "three", "four"] {
            e.remember(c);
        }
        // Three kept: `one` is gone.
        assert_eq!(e.history(), ["two", "three", "four"]);
        let (_, echo) = feed(&mut e, b"x\x10");
        assert_eq!(e.buffer(), "four");
        assert_eq!(echo, "x\x08 \x08four");
        feed(&mut e, b"\x1b[A\x10\x10");
        assert_eq!(e.buffer(), "two");
        feed(&mut e, b"\x0e");
        assert_eq!(e.buffer(), "three");
        feed(&mut e, b"\x1bOB\x0e");
        assert_eq!(e.buffer(), "");
        // The histories are apart: config mode has none yet.
        e.slot = CONFIG_HISTORY;
        feed(&mut e, b"\x10");
        assert_eq!(e.buffer(), "");
    }
}
