//! `--session-log DIR`: a host's CLI session as a terminal shows it, in
//! DIR/<inventory_hostname>.log — what the device printed (its echo of each typed line
//! included) and what smartlic typed that the device did not echo (the enable secret,
//! which appears as `<redacted>`). Every character goes through one
//! [`StreamRedactor`], in order, so a secret is masked even when the device's echo of it
//! arrives in several reads.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::platform::timefmt;
use crate::redact::StreamRedactor;

/// The transcript of one session, owned by its [`super::shell::Shell`].
pub struct Transcript {
    file: File,
    path: PathBuf,
    redactor: StreamRedactor<'static>,
    /// Typed text the device has not echoed (yet).
    unechoed: String,
    /// The first bytes of a UTF-8 character whose rest is in the next read.
    partial: Vec<u8>,
    /// A write failed: warned once, nothing more is written.
    failed: bool,
}

impl Transcript {
    /// Opens DIR/<host>.log for appending (DIR created, the file readable by its owner
    /// only) and writes the session's header line.
    pub fn open(dir: &Path, host: &str, address: &str, port: u16) -> io::Result<Transcript> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(crate::files::host_file_name(host, ".log"));
        let file = owner_only(&path)?;
        let mut transcript = Transcript {
            file,
            path,
            redactor: StreamRedactor::new(),
            unechoed: String::new(),
            partial: Vec::new(),
            failed: false,
        };
        let now = timefmt::iso8601(timefmt::now());
        transcript.write_out(&format!(
            "=== smartlic session: {host} ({address}:{port}) at {now} ===\n"
        ));
        Ok(transcript)
    }

    /// smartlic typed `text`; it is written when the device echoes it, or, if the device
    /// prints something else instead, where it was typed.
    pub fn sent(&mut self, text: &str) {
        self.unechoed.push_str(&text.replace('\r', ""));
    }

    /// The device printed `bytes`.
    pub fn received(&mut self, bytes: &[u8]) {
        let text = self.decode(bytes);
        let echoed = common_prefix_len(&self.unechoed, &text);
        if echoed < text.len() && echoed < self.unechoed.len() {
            // The rest of what was typed was not echoed (a secret at a password prompt):
            // show it before what the device printed after it.
            let typed = std::mem::take(&mut self.unechoed);
            self.write(&text[..echoed]);
            self.write(typed[echoed..].trim_end_matches('\n'));
            self.write(&text[echoed..]);
        } else {
            self.unechoed.drain(..echoed);
            self.write(&text);
        }
    }

    /// Device bytes as text: a character cut between two reads is kept for the next;
    /// carriage returns dropped (a file shows `\r\n` as one line end).
    fn decode(&mut self, bytes: &[u8]) -> String {
        self.partial.extend_from_slice(bytes);
        let whole = match std::str::from_utf8(&self.partial) {
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            _ => self.partial.len(),
        };
        let rest = self.partial.split_off(whole);
        let text = String::from_utf8_lossy(&self.partial).replace('\r', "");
        self.partial = rest;
        text
    }

    fn write(&mut self, text: &str) {
        let shown = self.redactor.push(text);
        self.write_out(&shown);
    }

    fn write_out(&mut self, text: &str) {
        if self.failed || text.is_empty() {
            return;
        }
        if let Err(e) = self.file.write_all(text.as_bytes()) {
            tracing::warn!(path = %self.path.display(), error = %e, "session log: cannot write; no more of this session is logged");
            self.failed = true;
        }
    }
}

impl Drop for Transcript {
    /// The end of the session (closed, failed or cut off by a deadline): what was typed
    /// and never echoed, and what the redactor held back.
    fn drop(&mut self) {
        let typed = std::mem::take(&mut self.unechoed);
        let partial = String::from_utf8_lossy(&std::mem::take(&mut self.partial)).into_owned();
        self.write(&format!("{partial}{typed}"));
        let rest = self.redactor.finish();
        self.write_out(&rest);
        self.write_out("\n");
    }
}

/// Creates or opens `path` for appending, mode 0600 on unix.
fn owner_only(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        // An existing file keeps its mode on open: tighten it too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// The length in bytes of the longest common start of `a` and `b`.
fn common_prefix_len(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(c, _)| c.len_utf8())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript_of(steps: &[(bool, &str)]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let mut transcript = Transcript::open(dir.path(), "sw1", "127.0.0.1", 22).unwrap();
        for (typed, text) in steps {
            match typed {
                true => transcript.sent(text),
                false => transcript.received(text.as_bytes()),
            }
        }
        drop(transcript);
        std::fs::read_to_string(dir.path().join("sw1.log")).unwrap()
    }

    #[test]
    fn an_echoed_line_appears_once_and_an_unechoed_one_where_it_was_typed() {
        let log = transcript_of(&[
            (false, "sw1>"),
            (true, "enable\n"),
            (false, "ena"),
            (false, "ble\r\nPassword: "),
            (true, "not-echoed\n"),
            (false, "\r\nsw1#"),
        ]);
        let body = log.split_once('\n').unwrap().1;
        assert_eq!(body, "sw1>enable\nPassword: not-echoed\nsw1#\n");
        assert!(
            log.starts_with("=== smartlic session: sw1 (127.0.0.1:22) at "),
            "{log}"
        );
    }

    #[test]
    fn a_character_split_between_reads_is_kept_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut transcript = Transcript::open(dir.path(), "a/b", "127.0.0.1", 22).unwrap();
        let bytes = "café".as_bytes();
        transcript.received(&bytes[..4]);
        transcript.received(&bytes[4..]);
        drop(transcript);
        // The name's separator does not leave DIR.
        let log = std::fs::read_to_string(dir.path().join("a_b.log")).unwrap();
        assert!(log.ends_with("café\n"), "{log}");
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        drop(Transcript::open(&dir.path().join("logs"), "sw1", "127.0.0.1", 22).unwrap());
        let mode = std::fs::metadata(dir.path().join("logs/sw1.log"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
