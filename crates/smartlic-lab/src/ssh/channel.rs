//! One SSH session channel of a lab device: a task that pipes bytes between the client
//! and the device's [`Terminal`] (`shell`), or runs one command (`exec`).
//!
//! The task owns the terminal and handles the channel's messages in order, so a slow
//! device (`Output.delay`, `ExecReply.delay`) delays only its own session, never the
//! connection's other channels or russh's event loop; a hung `exec` (`ExecReply.status`
//! `None`) leaves its channel open and silent until the client closes it. Echo, prompts and line editing are the terminal's.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use russh::server::{Handle, Msg};
use russh::{Channel, ChannelMsg, Disconnect};

use crate::terminal::{Console, Output, Terminal};

/// The `drop_after_commands` fault, shared by a connection's channels: how many more
/// commands (shell lines or `exec` requests) the connection may run.
#[derive(Debug)]
pub struct Budget {
    remaining: AtomicUsize,
}

impl Budget {
    pub fn new(limit: Option<usize>) -> Budget {
        Budget {
            remaining: AtomicUsize::new(limit.unwrap_or(usize::MAX)),
        }
    }

    /// Spends one command; false once the budget is spent (the connection must drop).
    fn take(&self) -> bool {
        self.remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    fn unlimited(&self) -> bool {
        self.remaining.load(Ordering::SeqCst) == usize::MAX
    }
}

/// The client's terminal size, from `pty-req` and `window-change`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowSize {
    pub cols: u32,
    pub rows: u32,
}

/// What a channel task needs from its connection.
pub struct ChannelContext {
    pub console: Arc<dyn Console>,
    pub budget: Arc<Budget>,
    pub session: Handle,
}

/// Whether the session goes on after a message.
enum Flow {
    Continue,
    End,
}

struct ChannelTask {
    channel: Channel<Msg>,
    ctx: ChannelContext,
    /// Recorded for the terminal; the `Terminal` seam has no resize input yet, so only
    /// "has a PTY" reaches it (`Terminal::start(pty)`).
    window: Option<WindowSize>,
    terminal: Option<Box<dyn Terminal>>,
    /// The last byte typed was a CR, so a LF right after it ends no new command.
    after_cr: bool,
    /// An `exec` request was served (or hangs): the channel takes no other.
    exec_started: bool,
}

/// Serves `channel` until it ends.
pub async fn run(channel: Channel<Msg>, ctx: ChannelContext) {
    let mut task = ChannelTask {
        channel,
        ctx,
        window: None,
        terminal: None,
        after_cr: false,
        exec_started: false,
    };
    while let Some(msg) = task.channel.wait().await {
        if let Flow::End = task.handle(msg).await {
            break;
        }
    }
}

impl ChannelTask {
    async fn handle(&mut self, msg: ChannelMsg) -> Flow {
        match msg {
            ChannelMsg::RequestPty {
                col_width,
                row_height,
                ..
            }
            | ChannelMsg::WindowChange {
                col_width,
                row_height,
                ..
            } => {
                self.window = Some(WindowSize {
                    cols: col_width,
                    rows: row_height,
                });
                Flow::Continue
            }
            ChannelMsg::RequestShell { .. } => self.shell().await,
            ChannelMsg::Exec { command, .. } => self.exec(&command).await,
            ChannelMsg::Data { data } => self.input(&data).await,
            // The client has no more to type (`ssh host < script`): the session is over,
            // as on a device whose line closed. Earlier output has been sent already.
            ChannelMsg::Eof if self.terminal.is_some() => self.finish().await,
            ChannelMsg::Close => Flow::End,
            _ => Flow::Continue,
        }
    }

    async fn shell(&mut self) -> Flow {
        if self.terminal.is_some() {
            return Flow::Continue;
        }
        let mut terminal = self.ctx.console.open();
        let output = terminal.start(self.window.is_some());
        self.terminal = Some(terminal);
        self.emit(output).await
    }

    /// Runs the command, after the device's latency; a command that hangs gets no answer
    /// and the channel stays open until the client closes it or goes.
    async fn exec(&mut self, command: &[u8]) -> Flow {
        if self.terminal.is_some() || self.exec_started {
            return Flow::Continue;
        }
        self.exec_started = true;
        if !self.ctx.budget.take() {
            return self.drop_connection().await;
        }
        let reply = self
            .ctx
            .console
            .exec_reply(&String::from_utf8_lossy(command));
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        let Some(status) = reply.status else {
            return Flow::Continue;
        };
        let _ = self.channel.data_bytes(reply.bytes).await;
        let _ = self.channel.exit_status(status).await;
        self.close().await
    }

    async fn input(&mut self, data: &[u8]) -> Flow {
        if self.terminal.is_none() {
            return Flow::Continue;
        }
        if self.ctx.budget.unlimited() {
            return self.type_bytes(data).await;
        }
        for (segment, ends_command) in split_commands(data, &mut self.after_cr) {
            // Command N+1 is dropped when it is entered, before the device sees it.
            if ends_command && !self.ctx.budget.take() {
                return self.drop_connection().await;
            }
            if let Flow::End = self.type_bytes(segment).await {
                return Flow::End;
            }
        }
        Flow::Continue
    }

    async fn type_bytes(&mut self, data: &[u8]) -> Flow {
        let Some(terminal) = self.terminal.as_mut() else {
            return Flow::End;
        };
        let output = terminal.input(data);
        self.emit(output).await
    }

    /// Sends what the terminal answered, after its delay; ends the session if it asks.
    async fn emit(&mut self, output: Output) -> Flow {
        if !output.delay.is_zero() {
            tokio::time::sleep(output.delay).await;
        }
        if !output.bytes.is_empty() && self.channel.data_bytes(output.bytes).await.is_err() {
            return Flow::End;
        }
        if output.close {
            return self.finish().await;
        }
        Flow::Continue
    }

    /// The device ended the session normally: exit status 0, then EOF and close.
    async fn finish(&mut self) -> Flow {
        let _ = self.channel.exit_status(0).await;
        self.close().await
    }

    async fn close(&mut self) -> Flow {
        let _ = self.channel.eof().await;
        let _ = self.channel.close().await;
        Flow::End
    }

    /// The `drop_after_commands` fault: the whole connection goes, with no exit status.
    async fn drop_connection(&mut self) -> Flow {
        let _ = self
            .ctx
            .session
            .disconnect(
                Disconnect::ByApplication,
                "connection dropped (lab fault)".into(),
                String::new(),
            )
            .await;
        Flow::End
    }
}

/// Cuts typed bytes after each command end (CR or LF; a LF right after a CR, as in
/// CR LF, ends nothing new). Each piece says whether it ends a command.
fn split_commands<'a>(data: &'a [u8], after_cr: &mut bool) -> Vec<(&'a [u8], bool)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, &byte) in data.iter().enumerate() {
        let ends = byte == b'\r' || (byte == b'\n' && !*after_cr);
        *after_cr = byte == b'\r';
        if ends {
            pieces.push((&data[start..=i], true));
            start = i + 1;
        }
    }
    if start < data.len() {
        pieces.push((&data[start..], false));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_end_at_cr_or_lf_and_crlf_counts_once() {
        let mut after_cr = false;
        let pieces = split_commands(b"show ver\r\nshow clock\nsh", &mut after_cr);
        assert_eq!(
            pieces,
            vec![
                (&b"show ver\r"[..], true),
                (&b"\nshow clock\n"[..], true),
                (&b"sh"[..], false),
            ]
        );
        // A CR at the end of one packet and its LF in the next still count once.
        let mut after_cr = false;
        assert_eq!(split_commands(b"exit\r", &mut after_cr).len(), 1);
        assert_eq!(
            split_commands(b"\n", &mut after_cr),
            vec![(&b"\n"[..], false)]
        );
    }

    #[test]
    fn budget_runs_out_after_the_limit() {
        let budget = Budget::new(Some(2));
        assert!(!budget.unlimited());
        assert!(budget.take());
        assert!(budget.take());
        assert!(!budget.take());
        assert!(!budget.take());
        assert!(Budget::new(None).unlimited());
    }
}
