//! Logs for `-v`, `-vv`, `-vvv`: tracing events on stderr (stdout carries the reports),
//! every formatted line passed through [`crate::redact`] before it is written, whatever
//! field or message a secret came in.

use std::io::Write;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the process's logger: warnings only at 0, then info, debug, trace. Only
/// smartlic's own events get more verbose: dependencies stay at warnings, since their
/// debug output (SSH packets as byte arrays) could carry a secret in a form no text
/// redaction recognises.
pub fn init(verbosity: u8, color: bool) {
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(directives(verbosity)))
        .with_writer(Redacting(std::io::stderr))
        .with_ansi(color)
        .finish();
    // Already set (a second call, or a test's own subscriber): keep that one.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

fn directives(verbosity: u8) -> &'static str {
    match verbosity {
        0 => "warn",
        1 => "warn,smartlic=info",
        2 => "warn,smartlic=debug",
        _ => "warn,smartlic=trace",
    }
}

/// Makes writers that redact each event before it reaches `M`'s writer.
pub struct Redacting<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Redacting<M> {
    type Writer = RedactedEvent<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactedEvent {
            text: Vec::new(),
            out: self.0.make_writer(),
        }
    }
}

/// One event: collected whole, so a secret is never cut between two writes, and
/// written redacted when the formatter drops it.
pub struct RedactedEvent<W: Write> {
    text: Vec<u8>,
    out: W,
}

impl<W: Write> Write for RedactedEvent<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for RedactedEvent<W> {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.text);
        // A log line that cannot be written is lost; the run goes on.
        let _ = self.out.write_all(crate::redact::redact(&text).as_bytes());
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Collects what the logger writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged_at(verbosity: u8, log: impl FnOnce()) -> String {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new(directives(verbosity)))
            .with_writer(Redacting(move || sink.clone()))
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn registered_secrets_are_masked_in_messages_and_fields() {
        crate::redact::register("Log-Canary-Secret-8c1e");
        let out = logged_at(3, || {
            tracing::info!(command = "enable Log-Canary-Secret-8c1e", "sent");
            tracing::trace!(output = ?"x\"Log-Canary-Secret-8c1e", "read");
            tracing::debug!("typed Log-Canary-Secret-8c1e");
        });
        assert_eq!(out.lines().count(), 3, "{out}");
        assert!(!out.contains("Log-Canary-Secret-8c1e"), "{out}");
        assert_eq!(out.matches("<redacted>").count(), 3, "{out}");
    }

    #[test]
    fn each_v_adds_a_level_and_zero_is_warnings_only() {
        let log = || {
            tracing::warn!("w-event");
            tracing::info!("i-event");
            tracing::debug!("d-event");
            tracing::trace!("t-event");
        };
        let shown = |verbosity| {
            let out = logged_at(verbosity, log);
            ["w-event", "i-event", "d-event", "t-event"]
                .into_iter()
                .filter(|e| out.contains(e))
                .count()
        };
        assert_eq!([0, 1, 2, 3, 4].map(shown), [1, 2, 3, 4, 4]);
    }
}
