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

/// How a device answers an SSH `exec` request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecReply {
    pub bytes: Vec<u8>,
    /// The exit status; `None`: the device never answers (the `hang_on` fault) and the
    /// channel stays open, silent, until the client gives up.
    pub status: Option<u32>,
    /// Wait this long before answering (the slow-device fault, as in a shell).
    pub delay: Duration,
}

/// Opens sessions on one device; the SSH server holds one per device.
pub trait Console: Send + Sync {
    fn open(&self) -> Box<dyn Terminal>;
    /// Runs one command at once and returns its output and exit status; a command that
    /// would hang gives no output and status 255 (a synchronous call cannot hang).
    fn exec(&self, command: &str) -> (Vec<u8>, u32);
    /// An SSH `exec` request as the device serves it, faults included: the SSH server
    /// waits `delay`, then sends the output and exit status, or nothing at all when
    /// `status` is `None`. By default [`Console::exec`]'s answer, at once.
    fn exec_reply(&self, command: &str) -> ExecReply {
        let (bytes, status) = self.exec(command);
        ExecReply {
            bytes,
            status: Some(status),
            delay: Duration::ZERO,
        }
    }
}
