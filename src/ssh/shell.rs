//! The CLI in a PTY shell: find the prompt, turn paging off, run a command and collect its
//! output up to the next prompt, answer the interactive questions a platform asks, and
//! recognise the platform's error lines. What a platform prints lives in its driver
//! ([`CliProfile`] values in `crates/smartlic-core/src/platform/`, the type in `platform::cli`); this module only applies it.

use std::time::{Duration, Instant};

use russh::ChannelMsg;
use russh::client;
use tracing::{debug, trace};

use super::SshError;
use super::transcript::Transcript;
use crate::intent::Secret;
use crate::platform::cli::{Answer, CliProfile, Enable};
use crate::redact::StreamRedactor;

/// A command the device refused, with what it said.
#[derive(Debug, thiserror::Error)]
#[error("`{command}` was refused: {message}")]
pub struct DeviceError {
    pub command: String,
    pub message: String,
    pub output: String,
}

/// Why a command did not complete.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error(transparent)]
    Ssh(#[from] SshError),
}

/// An open PTY shell on one device.
pub struct Shell {
    channel: russh::Channel<client::Msg>,
    cli: &'static CliProfile,
    timeout: Duration,
    /// The last prompt seen (`cat1(config)#`), so callers can tell the mode.
    pub prompt: String,
    /// Everything the device printed before the first prompt (banner, MOTD).
    pub banner: String,
    /// `--session-log`: sees every chunk typed and read.
    transcript: Option<Transcript>,
    /// The device's output for trace logs, redacted as a stream (a secret echoed in two
    /// reads would otherwise be in two log lines, each too short to be recognised).
    traced: StreamRedactor<'static>,
}

impl Shell {
    pub(super) async fn open(
        handle: &client::Handle<super::Handler>,
        cli: &'static CliProfile,
        timeout: Duration,
        transcript: Option<Transcript>,
    ) -> Result<Shell, SshError> {
        let channel = handle
            .channel_open_session()
            .await
            .map_err(super::protocol)?;
        // A PTY, or NX-OS prints no prompt (docs/real-devices.md "SSH"); wide, so lines do not wrap.
        channel
            .request_pty(true, "vt100", 511, 0, 0, 0, &[])
            .await
            .map_err(super::protocol)?;
        channel.request_shell(true).await.map_err(super::protocol)?;
        let mut shell = Shell {
            channel,
            cli,
            timeout,
            prompt: String::new(),
            banner: String::new(),
            transcript,
            traced: StreamRedactor::new(),
        };
        shell.banner = shell.read_to_prompt("login", None).await?;
        debug!(prompt = %shell.prompt, "shell open");
        for command in cli.setup {
            shell.run(command).await.map_err(|e| match e {
                CommandError::Ssh(e) => e,
                CommandError::Device(e) => SshError::Protocol(e.to_string()),
            })?;
        }
        Ok(shell)
    }

    /// Moves from user exec to privileged exec (`enable`, with the secret if asked).
    pub async fn enable(&mut self, secret: Option<&Secret>) -> Result<(), CommandError> {
        let Some(enable) = &self.cli.enable else {
            return Ok(());
        };
        if !self.prompt.ends_with('>') {
            return Ok(());
        }
        debug!(command = enable.command, "sending");
        self.send(&format!("{}\n", enable.command)).await?;
        let answered = self
            .read_to_prompt_or(enable.command, enable.secret_prompt)
            .await?;
        let failure = match answered {
            Some(output) if output.contains(enable.no_secret_set) => format!(
                "the device answered `{}`: it has no enable secret, so this login cannot reach privileged exec; configure `enable secret` on the device or log in as a privilege-15 user",
                enable.no_secret_set
            ),
            Some(_) => "enable failed: the device stayed in user exec".to_string(),
            None => match secret {
                None => {
                    // Nothing to answer with: empty answers let the device give up.
                    self.send("\n").await?;
                    self.give_up_asking(enable).await?;
                    "the device asks for an enable secret and the inventory gives none (set ansible_become_password)".to_string()
                }
                Some(secret) => {
                    // Sent once (never echoed, never logged). Asked again, it was wrong.
                    crate::redact::register(secret.expose());
                    debug!("sending the enable secret");
                    self.send(&format!("{}\n", secret.expose())).await?;
                    self.give_up_asking(enable).await?;
                    "enable failed: the enable secret (ansible_become_password) was refused"
                        .to_string()
                }
            },
        };
        if self.prompt.ends_with('>') {
            return Err(DeviceError {
                command: enable.command.to_string(),
                message: failure,
                output: String::new(),
            }
            .into());
        }
        Ok(())
    }

    /// Reads `enable`'s answer, sending empty lines while it asks again (IOS asks three
    /// times), until a prompt comes back.
    async fn give_up_asking(&mut self, enable: &Enable) -> Result<(), SshError> {
        for _ in 0..3 {
            let asked_again = self
                .read_to_prompt_or(enable.command, enable.secret_prompt)
                .await?
                .is_none();
            if !asked_again {
                return Ok(());
            }
            self.send("\n").await?;
        }
        Ok(())
    }

    /// Reads to the prompt (Some(output)) or until the output ends with `question` (None).
    async fn read_to_prompt_or(
        &mut self,
        what: &str,
        question: &str,
    ) -> Result<Option<String>, SshError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut text = String::new();
        loop {
            let last = last_line(&text);
            if self.cli.is_prompt(last) {
                self.prompt = last.trim().to_string();
                return Ok(Some(text[..text.len() - last.len()].to_string()));
            }
            if text.trim_end().ends_with(question) {
                return Ok(None);
            }
            self.receive(&mut text, deadline, what).await?;
        }
    }

    /// Runs one command; its output without the echo and the next prompt.
    pub async fn run(&mut self, command: &str) -> Result<String, CommandError> {
        self.run_with(command, None).await
    }

    /// Runs a command whose question asks for text to paste (`Answer::Paste`).
    pub async fn run_with(
        &mut self,
        command: &str,
        paste: Option<&str>,
    ) -> Result<String, CommandError> {
        debug!(command, "sending");
        let started = Instant::now();
        self.send(&format!("{command}\n")).await?;
        let output = self.read_to_prompt(command, paste).await?;
        let output = strip_echo(&output, command);
        let millis = started.elapsed().as_millis() as u64;
        let refused = self.cli.error_in(&output);
        debug!(command, millis, bytes = output.len(), refused, "answered");
        if let Some(message) = refused {
            return Err(DeviceError {
                command: command.to_string(),
                message: message.to_string(),
                output,
            }
            .into());
        }
        Ok(output)
    }

    pub async fn close(mut self) {
        let rest = self.traced.finish();
        if !rest.is_empty() {
            trace!(output = ?rest, "device output");
        }
        let _ = self.channel.close().await;
    }

    async fn send(&mut self, text: &str) -> Result<(), SshError> {
        if let Some(transcript) = &mut self.transcript {
            transcript.sent(text);
        }
        self.channel
            .data(text.as_bytes())
            .await
            .map_err(super::protocol)
    }

    /// Trace logs show the device's raw output, read by read, redacted as one stream.
    fn trace_output(&mut self, text: &str) {
        if tracing::enabled!(tracing::Level::TRACE) {
            let shown = self.traced.push(text);
            if !shown.is_empty() {
                trace!(output = ?shown, "device output");
            }
        }
    }

    /// Reads until the last line is a prompt, paging and answering questions on the way.
    async fn read_to_prompt(
        &mut self,
        what: &str,
        paste: Option<&str>,
    ) -> Result<String, SshError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mut text = String::new();
        // Questions are looked for only in what arrived since the last answer.
        let mut answered = 0;
        loop {
            let last = last_line(&text);
            if self.cli.is_prompt(last) {
                self.prompt = last.trim().to_string();
                let end = text.len() - last.len();
                text.truncate(end);
                return Ok(text);
            }
            if last.contains(self.cli.more) {
                let end = text.len() - last.len();
                text.truncate(end);
                self.send(" ").await?;
            } else if let Some(question) = self.cli.question(&text[answered.min(text.len())..]) {
                debug!(question = question.pattern, answer = ?question.answer, "answering");
                let reply = match (question.answer, paste) {
                    (Answer::Default, _) => "\n".to_string(),
                    (Answer::Yes, _) => "yes\n".to_string(),
                    (Answer::Paste, Some(data)) => format!("{}\n\n", data.trim_end()),
                    (Answer::Paste, None) => "quit\n".to_string(),
                };
                text.push('\n');
                answered = text.len();
                self.send(&reply).await?;
            }
            self.receive(&mut text, deadline, what).await?;
        }
    }

    /// Waits for the next data from the device and appends it, until `deadline`.
    async fn receive(
        &mut self,
        text: &mut String,
        deadline: tokio::time::Instant,
        what: &str,
    ) -> Result<(), SshError> {
        loop {
            match tokio::time::timeout_at(deadline, self.channel.wait()).await {
                Err(_) => {
                    return Err(SshError::Timeout {
                        what: format!("`{what}` (no prompt; last output: {:?})", tail(text, 80)),
                        after: self.timeout,
                    });
                }
                Ok(None) | Ok(Some(ChannelMsg::Close | ChannelMsg::Eof)) => {
                    return Err(SshError::Protocol(format!(
                        "the device closed the session during `{what}`"
                    )));
                }
                Ok(Some(ChannelMsg::Data { data })) => {
                    if let Some(transcript) = &mut self.transcript {
                        transcript.received(&data);
                    }
                    self.trace_output(&String::from_utf8_lossy(&data));
                    push_text(text, &data);
                    return Ok(());
                }
                Ok(Some(_)) => {}
            }
        }
    }
}

/// Appends device bytes as text: CR dropped, backspaces applied, escape sequences removed.
fn push_text(text: &mut String, data: &[u8]) {
    let chunk = String::from_utf8_lossy(data);
    let mut chars = chunk.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {}
            '\u{8}' => {
                text.pop();
            }
            '\u{1b}' => {
                // CSI: ESC [ params final-byte
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
            }
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => text.push(c),
        }
    }
}

fn last_line(text: &str) -> &str {
    text.rsplit('\n').next().unwrap_or("")
}

/// The output without the echoed command line.
fn strip_echo(output: &str, command: &str) -> String {
    match output.split_once('\n') {
        Some((first, rest)) if first.trim_end().ends_with(command.trim()) => rest.to_string(),
        _ => output.to_string(),
    }
}

fn tail(text: &str, max: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars[chars.len().saturating_sub(max)..].iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_text_loses_cr_backspaces_and_escapes() {
        let mut text = String::new();
        push_text(&mut text, b"ab\x08c\r\n\x1b[2Kok\x07\n");
        assert_eq!(text, "ac\nok\n");
    }

    #[test]
    fn the_echo_is_stripped_only_when_it_is_the_command() {
        assert_eq!(strip_echo("show clock\n12:00\n", "show clock"), "12:00\n");
        assert_eq!(strip_echo("12:00\n", "show clock"), "12:00\n");
    }
}
