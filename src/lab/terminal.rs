//! The seam between the lab's SSH server and a simulated device's CLI.
//!
//! The SSH layer is a dumb pipe: it hands every byte the client sends to a [`Terminal`]
//! and writes back what the terminal returns. Line editing, echo, prompts, paging and
//! interactive questions are the CLI's business, as on a real device.

use std::time::Duration;

/// What a terminal answers to input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub bytes: Vec<u8>,
    /// The device ends the session (`exit` at the top, `reload`, a dropped connection fault).
    pub close: bool,
    /// Wait this long before sending `bytes` (the slow-device fault).
    pub delay: Duration,
}

impl Output {
    pub fn text(text: impl AsRef<str>) -> Output {
        Output {
            bytes: text.as_ref().as_bytes().to_vec(),
            ..Output::default()
        }
    }
}

/// One interactive session on a device.
pub trait Terminal: Send {
    /// The session opened: the banner and the first prompt. `pty` says whether the client
    /// asked for a pseudo-terminal (a device echoes typed characters only with one).
    fn start(&mut self, pty: bool) -> Output;
    /// Bytes the client typed or pasted.
    fn input(&mut self, data: &[u8]) -> Output;
}

/// Opens sessions on one device; the SSH server holds one per device.
pub trait Console: Send + Sync {
    fn open(&self) -> Box<dyn Terminal>;
    /// An SSH `exec` request: run one command, return its output and exit status.
    fn exec(&self, command: &str) -> (Vec<u8>, u32);
}
