//! Line discipline, as a Cisco device runs it over a PTY: typed characters are echoed,
//! backspace/DEL erase (`BS SP BS`), CR, LF and CRLF each end one line, Ctrl-C and
//! Ctrl-Z are events of their own, and cursor-key escape sequences are swallowed.
//! Without a PTY nothing is echoed.

/// What the bytes typed so far amount to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Line(String),
    /// Ctrl-C.
    Interrupt,
    /// Ctrl-Z.
    Suspend,
}

#[derive(Debug, Default)]
pub struct LineEditor {
    buffer: String,
    pub echo: bool,
    /// The last byte was CR: a following LF belongs to the same line end.
    after_cr: bool,
    /// Inside an escape sequence (`ESC [ … final`).
    escape: Escape,
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
        if self.skip_escape(byte) {
            return None;
        }
        match byte {
            b'\n' if after_cr => None,
            b'\r' | b'\n' => {
                self.after_cr = byte == b'\r';
                if self.echo {
                    out.extend_from_slice(b"\r\n");
                }
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
            // Tab completion, `?` help on other keys and the rest are not simulated.
            _ => None,
        }
    }

    fn skip_escape(&mut self, byte: u8) -> bool {
        match (&self.escape, byte) {
            (Escape::None, 0x1b) => self.escape = Escape::Started,
            (Escape::None, _) => return false,
            (Escape::Started, b'[' | b'O') => self.escape = Escape::Csi,
            (Escape::Started, _) => self.escape = Escape::None,
            (Escape::Csi, 0x40..=0x7e) => self.escape = Escape::None,
            (Escape::Csi, _) => {}
        }
        true
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
}
