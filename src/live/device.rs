//! One device over SSH, in the terms a licensing run needs: read its facts, type config
//! lines, run exec commands. The platform's CLI facts come from its driver
//! (`Platform::cli`); this only sequences them.

use std::path::Path;

use crate::intent::{Connection, Secret};
use crate::platform::Platform;
use crate::ssh::shell::{CommandError, Shell};
use crate::ssh::transcript::Transcript;
use crate::ssh::{self, Credentials, Negotiated, Target, Timeouts, Verdict};

/// An open CLI session on one device, in privileged exec.
pub struct Device {
    pub platform: Platform,
    pub negotiated: Negotiated,
    pub host_key: Verdict,
    connection: ssh::Connection,
    shell: Shell,
    /// Every command typed that is not a `show` (the run store's record of changes).
    sent: Vec<String>,
}

/// What the device is and has, read before anything changes.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// `show version` as printed.
    pub version: String,
    /// `show running-config` as printed.
    pub running: String,
    /// `show license status` as printed.
    pub license_status: String,
}

/// A config line the device refused, and what it said.
#[derive(Debug, thiserror::Error)]
#[error("the device refused `{line}`: {message}")]
pub struct Refused {
    pub line: String,
    pub message: String,
}

/// How a device step failed.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    Ssh(#[from] ssh::SshError),
}

/// The SSH target for an inventory host.
pub fn target(name: &str, c: &Connection, default_known_hosts: Option<&std::path::Path>) -> Target {
    let known_hosts = c
        .known_hosts
        .clone()
        .or_else(|| default_known_hosts.map(Into::into))
        .or_else(ssh::known_hosts::default_file)
        .unwrap_or_else(|| "known_hosts".into());
    Target {
        name: name.to_string(),
        address: c.address.clone(),
        port: c.port,
        user: c.user.clone().unwrap_or_else(|| "admin".to_string()),
        credentials: Credentials {
            password: c.password.clone(),
            private_key_file: c.private_key_file.clone(),
            key_passphrase: c.private_key_passphrase.clone(),
            agent: c.password.is_none() && c.private_key_file.is_none(),
            agent_socket: None,
        },
        host_keys: c.host_key_checking,
        known_hosts,
        legacy_algorithms: c.legacy_algorithms,
        timeouts: Timeouts {
            connect: c.connect_timeout,
            command: c.command_timeout,
        },
    }
}

impl Device {
    /// Connects, opens the shell, turns paging off and enters privileged exec; with
    /// `session_log`, the session is also written to `session_log`/<host>.log.
    pub async fn open_logged(
        target: &Target,
        platform: Platform,
        enable_secret: Option<&Secret>,
        session_log: Option<&Path>,
    ) -> Result<Device, DeviceError> {
        let connection = ssh::connect(target).await?;
        let transcript = session_log.and_then(|dir| transcript(dir, target));
        let shell = connection
            .shell_logged(platform.cli(), enable_secret, transcript)
            .await?;
        Ok(Device {
            platform,
            negotiated: connection.negotiated.clone(),
            host_key: connection.host_key.clone(),
            connection,
            shell,
            sent: Vec::new(),
        })
    }

    /// The commands typed so far that were not `show`s, in order, with every registered
    /// secret masked (`crate::redact`).
    pub fn sent(&self) -> Vec<String> {
        self.sent
            .iter()
            .map(|line| crate::redact::redact(line).into_owned())
            .collect()
    }

    async fn type_line(&mut self, line: &str) -> Result<String, CommandError> {
        if !line.starts_with("show ") {
            self.sent.push(line.to_string());
        }
        self.shell.run(line).await
    }

    /// Reads what a plan needs: version, running config, licensing status.
    pub async fn facts(&mut self) -> Result<Facts, DeviceError> {
        Ok(Facts {
            version: self.exec("show version").await?,
            running: self.exec("show running-config").await?,
            license_status: self.exec("show license status").await?,
        })
    }

    /// One exec-mode command; its output.
    pub async fn exec(&mut self, command: &str) -> Result<String, DeviceError> {
        Ok(self.type_line(command).await?)
    }

    /// An exec command whose question asks for text to paste (a CA certificate).
    pub async fn exec_pasting(&mut self, command: &str, text: &str) -> Result<String, DeviceError> {
        self.sent.push(command.to_string());
        Ok(self.shell.run_with(command, Some(text)).await?)
    }

    /// Types `lines` in configuration mode, stopping at the first refused line (the
    /// session leaves config mode either way).
    pub async fn configure(&mut self, lines: &[String]) -> Result<(), DeviceError> {
        self.configure_entering("configure terminal", lines).await
    }

    /// [`Device::configure`], entering configuration mode with `enter` (IOS-XE
    /// `configure terminal revert timer N`: the safety net, `live::safety`).
    pub async fn configure_entering(
        &mut self,
        enter: &str,
        lines: &[String],
    ) -> Result<(), DeviceError> {
        self.type_line(enter).await?;
        let mut result = Ok(());
        for line in lines {
            match self.type_line(line).await {
                Ok(_) => {}
                Err(CommandError::Device(e)) => {
                    result = Err(Refused {
                        line: line.clone(),
                        message: e.message,
                    }
                    .into());
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.type_line("end").await?;
        result
    }

    pub async fn close(self) {
        self.shell.close().await;
        self.connection.close().await;
    }
}

/// The session's transcript; one that cannot be opened is a warning, not a failed host
/// (the log is for the operator, the device work is what was asked for).
fn transcript(dir: &Path, target: &Target) -> Option<Transcript> {
    match Transcript::open(dir, &target.name, &target.address, target.port) {
        Ok(transcript) => Some(transcript),
        Err(e) => {
            let (host, dir) = (&target.name, dir.display());
            tracing::warn!(host, %dir, error = %e, "cannot open the session log");
            None
        }
    }
}
