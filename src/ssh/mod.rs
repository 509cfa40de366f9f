//! smartlic's SSH client (russh): connect with the host key verified, authenticate the
//! ways Cisco devices accept, and drive the CLI in a PTY shell ([`shell`]).
//!
//! Every step has a deadline: a device that stops answering fails that host, never the run.
//! Secrets (passwords, key passphrases) are [`Secret`]s and never reach an error message.

pub mod known_hosts;
pub mod shell;
pub mod transcript;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use russh::client::{self, AuthResult, KeyboardInteractiveAuthResponse as KbdReply};
use russh::keys::{PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{Preferred, cipher, kex, mac};
use tracing::{debug, info};

use crate::intent::Secret;
use crate::platform::cli::CliProfile;
pub use known_hosts::{HostKeyCheck, HostKeyError, HostKeyPolicy, Verdict};

/// Where and how to log in to one host.
#[derive(Clone, Debug)]
pub struct Target {
    /// The inventory name, for messages.
    pub name: String,
    pub address: String,
    pub port: u16,
    pub user: String,
    pub credentials: Credentials,
    pub host_keys: HostKeyPolicy,
    pub known_hosts: PathBuf,
    /// Also offer the legacy algorithms old Cisco releases need (opt-in per host/group).
    pub legacy_algorithms: bool,
    pub timeouts: Timeouts,
}

/// What to authenticate with, tried in OpenSSH's order: keys, then password, then
/// keyboard-interactive with the password.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    pub password: Option<Secret>,
    pub private_key_file: Option<PathBuf>,
    pub key_passphrase: Option<Secret>,
    /// Ask the ssh-agent for its keys: the one at `agent_socket`, else `$SSH_AUTH_SOCK`.
    pub agent: bool,
    /// The agent's socket, when it is not the process's `$SSH_AUTH_SOCK` (which a program
    /// running many hosts at once, or a test, cannot safely change).
    pub agent_socket: Option<PathBuf>,
}

/// Deadlines that hold whatever the device does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect, key exchange and authentication.
    pub connect: Duration,
    /// One command, from sending it to its prompt.
    pub command: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(15),
            command: Duration::from_secs(30),
        }
    }
}

/// The algorithms the session runs with (for the report).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Negotiated {
    pub kex: String,
    pub host_key: String,
    pub cipher: String,
    pub mac: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("cannot connect to {address}: {message}")]
    Connect { address: String, message: String },
    #[error("{what} timed out after {after:?}")]
    Timeout { what: String, after: Duration },
    #[error(transparent)]
    HostKey(#[from] HostKeyError),
    #[error("authentication as {user} failed (tried {tried})")]
    Auth { user: String, tried: String },
    #[error("private key {file}: {message}")]
    Key { file: String, message: String },
    #[error("SSH: {0}")]
    Protocol(String),
}

/// An authenticated SSH connection.
pub struct Connection {
    handle: client::Handle<Handler>,
    pub negotiated: Negotiated,
    pub host_key: Verdict,
    timeouts: Timeouts,
}

impl Connection {
    /// Opens the interactive CLI shell (PTY), waits for the first prompt, turns paging off
    /// and reaches privileged exec (with `enable_secret` if the device asks for one).
    pub async fn shell(
        &self,
        cli: &'static CliProfile,
        enable_secret: Option<&Secret>,
    ) -> Result<shell::Shell, shell::CommandError> {
        self.shell_logged(cli, enable_secret, None).await
    }

    /// [`Connection::shell`], with every chunk typed and read also written, redacted, to
    /// `transcript` (`--session-log`).
    pub async fn shell_logged(
        &self,
        cli: &'static CliProfile,
        enable_secret: Option<&Secret>,
        transcript: Option<transcript::Transcript>,
    ) -> Result<shell::Shell, shell::CommandError> {
        let timeout = self.timeouts.command;
        let mut shell = shell::Shell::open(&self.handle, cli, timeout, transcript).await?;
        shell.enable(enable_secret).await?;
        Ok(shell)
    }

    pub async fn close(self) {
        let _ = self
            .handle
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
    }
}

/// Connects, verifies the host key and authenticates, all within `timeouts.connect`.
pub async fn connect(target: &Target) -> Result<Connection, SshError> {
    register_secrets(&target.credentials);
    let (address, port) = (target.address.as_str(), target.port);
    info!(host = %target.name, address, port, user = %target.user, "connecting");
    let started = Instant::now();
    let limit = target.timeouts.connect;
    let result = match tokio::time::timeout(limit, connect_unbounded(target)).await {
        Ok(result) => result,
        Err(_) => Err(SshError::Timeout {
            what: format!("connecting to {address}:{port}"),
            after: limit,
        }),
    };
    let millis = started.elapsed().as_millis() as u64;
    match &result {
        Ok(_) => info!(host = %target.name, millis, "connected"),
        Err(e) => info!(host = %target.name, millis, error = %e, "connection failed"),
    }
    result
}

/// From here on the login secrets are masked in logs and transcripts.
fn register_secrets(credentials: &Credentials) {
    for secret in [&credentials.password, &credentials.key_passphrase]
        .into_iter()
        .flatten()
    {
        crate::redact::register(secret.expose());
    }
}

async fn connect_unbounded(target: &Target) -> Result<Connection, SshError> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let handler = Handler {
        check: HostKeyCheck {
            host: target.address.clone(),
            port: target.port,
            file: target.known_hosts.clone(),
            policy: target.host_keys,
        },
        seen: Arc::clone(&seen),
        span: tracing::Span::current(),
    };
    let config = Arc::new(client_config(target.legacy_algorithms));
    let address = (target.address.as_str(), target.port);
    let connected = client::connect(config, address, handler).await;
    let (verdict, negotiated) = {
        let mut seen = seen.lock().expect("handler never panics holding it");
        (seen.verdict.take(), seen.negotiated.take())
    };
    if let Some(Verdict::Rejected(e)) = verdict {
        return Err(e.into());
    }
    let mut handle = connected.map_err(|e| SshError::Connect {
        address: format!("{}:{}", target.address, target.port),
        message: e.to_string(),
    })?;
    authenticate(&mut handle, &target.user, &target.credentials).await?;
    Ok(Connection {
        handle,
        negotiated: negotiated.unwrap_or_default(),
        host_key: verdict.unwrap_or(Verdict::Unchecked),
        timeouts: target.timeouts,
    })
}

/// Modern algorithms first; the legacy ones (docs/real-devices.md "SSH") appended only when asked for.
fn client_config(legacy: bool) -> client::Config {
    let mut config = client::Config {
        inactivity_timeout: Some(Duration::from_secs(300)),
        ..client::Config::default()
    };
    if legacy {
        let base = Preferred::default();
        let mut kex = base.kex.to_vec();
        kex.extend([
            kex::ECDH_SHA2_NISTP256,
            kex::ECDH_SHA2_NISTP384,
            kex::ECDH_SHA2_NISTP521,
            kex::DH_G14_SHA1,
            kex::DH_GEX_SHA1,
            kex::DH_G1_SHA1,
        ]);
        let mut key = base.key.to_vec();
        key.push(russh::keys::Algorithm::Rsa { hash: None });
        let mut cipher = base.cipher.to_vec();
        cipher.extend([
            cipher::AES_128_CBC,
            cipher::AES_192_CBC,
            cipher::AES_256_CBC,
        ]);
        let mut mac = base.mac.to_vec();
        mac.extend([mac::HMAC_SHA1, mac::HMAC_SHA1_ETM]);
        config.preferred = Preferred {
            kex: kex.into(),
            key: key.into(),
            cipher: cipher.into(),
            mac: mac.into(),
            ..base
        };
        // Old devices answer group exchange with 2048-bit groups; russh's default minimum
        // (3072) would abort the key exchange (docs/real-devices.md "SSH").
        config.gex = client::GexParams::new(2048, 2048, 8192).expect("valid group sizes");
    }
    config
}

#[derive(Default)]
struct Seen {
    verdict: Option<Verdict>,
    negotiated: Option<Negotiated>,
}

struct Handler {
    check: HostKeyCheck,
    seen: Arc<Mutex<Seen>>,
    /// The caller's span (the host): russh calls the handler from its own task.
    span: tracing::Span,
}

impl client::Handler for Handler {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let _span = self.span.enter();
        let verdict = match key {
            PublicKeyOrCertificate::PublicKey { key, .. } => self.check.check(key),
            // Host certificates need a CA policy smartlic does not have yet: refuse.
            _ => Verdict::Rejected(HostKeyError::File {
                file: self.check.file.display().to_string(),
                message: "the host offered a certificate; only plain host keys are supported"
                    .into(),
            }),
        };
        let accept = !matches!(verdict, Verdict::Rejected(_));
        let (address, policy) = (&self.check.host, self.check.policy);
        match &verdict {
            Verdict::Rejected(e) => info!(%address, error = %e, "host key rejected"),
            v => info!(%address, verdict = ?v, ?policy, "host key accepted"),
        }
        if let PublicKeyOrCertificate::PublicKey { key, .. } = key {
            let fingerprint = key.fingerprint(russh::keys::HashAlg::Sha256);
            debug!(algorithm = %key.algorithm(), %fingerprint, "host key offered");
        }
        self.seen.lock().expect("no panic while held").verdict = Some(verdict);
        Ok(accept)
    }

    async fn kex_done(
        &mut self,
        _shared_secret: Option<&[u8]>,
        names: &russh::Names,
        _session: &mut client::Session,
    ) -> Result<(), Self::Error> {
        let _span = self.span.enter();
        let negotiated = Negotiated {
            kex: names.kex.as_ref().to_string(),
            host_key: names.key.to_string(),
            cipher: names.cipher.as_ref().to_string(),
            mac: names.client_mac.as_ref().to_string(),
        };
        debug!(
            kex = %negotiated.kex,
            host_key = %negotiated.host_key,
            cipher = %negotiated.cipher,
            mac = %negotiated.mac,
            "key exchange done"
        );
        let mut seen = self.seen.lock().expect("no panic while held");
        if seen.negotiated.is_none() {
            seen.negotiated = Some(negotiated);
        }
        Ok(())
    }
}

/// Tries each method the credentials allow until one succeeds.
async fn authenticate(
    handle: &mut client::Handle<Handler>,
    user: &str,
    credentials: &Credentials,
) -> Result<(), SshError> {
    let mut tried = Vec::new();
    if let Some(file) = &credentials.private_key_file {
        tried.push(trying("publickey", user));
        if public_key(handle, user, file, credentials.key_passphrase.as_ref()).await? {
            authenticated("publickey", user);
            return Ok(());
        }
    }
    if credentials.agent {
        tried.push(trying("agent", user));
        if agent(handle, user, credentials.agent_socket.as_deref()).await? {
            authenticated("agent", user);
            return Ok(());
        }
    }
    if let Some(password) = &credentials.password {
        tried.push(trying("password", user));
        let result = handle
            .authenticate_password(user, password.expose())
            .await
            .map_err(protocol)?;
        if result.success() {
            authenticated("password", user);
            return Ok(());
        }
        tried.push(trying("keyboard-interactive", user));
        if keyboard_interactive(handle, user, password).await? {
            authenticated("keyboard-interactive", user);
            return Ok(());
        }
    }
    info!(user, tried = %tried.join(", "), "authentication failed");
    Err(SshError::Auth {
        user: user.to_string(),
        tried: if tried.is_empty() {
            "nothing: no password, key or agent configured".into()
        } else {
            tried.join(", ")
        },
    })
}

fn trying(method: &'static str, user: &str) -> &'static str {
    debug!(method, user, "trying authentication");
    method
}

fn authenticated(method: &str, user: &str) {
    info!(method, user, "authenticated");
}

async fn public_key(
    handle: &mut client::Handle<Handler>,
    user: &str,
    file: &std::path::Path,
    passphrase: Option<&Secret>,
) -> Result<bool, SshError> {
    let key_error = |message: String| SshError::Key {
        file: file.display().to_string(),
        message,
    };
    let text =
        crate::files::read(file, crate::files::SSH_KEY).map_err(|e| key_error(e.to_string()))?;
    let key = russh::keys::decode_secret_key(&text, passphrase.map(|p| p.expose()))
        .map_err(|e| key_error(e.to_string()))?;
    let hash = handle.best_supported_rsa_hash().await.map_err(protocol)?;
    let key = Arc::new(key);
    let first = handle
        .authenticate_publickey(
            user,
            PrivateKeyWithHashAlg::new(key.clone(), hash.flatten()),
        )
        .await
        .map_err(protocol)?;
    if first.success() {
        return Ok(true);
    }
    // A server limited to `ssh-rsa` may advertise rsa-sha2 and then refuse it: retry with
    // SHA-1 signatures (docs/real-devices.md "SSH").
    if key.algorithm().is_rsa() && hash.flatten().is_some() {
        let retry = handle
            .authenticate_publickey(user, PrivateKeyWithHashAlg::new(key, None))
            .await
            .map_err(protocol)?;
        return Ok(retry.success());
    }
    Ok(false)
}

async fn agent(
    handle: &mut client::Handle<Handler>,
    user: &str,
    socket: Option<&std::path::Path>,
) -> Result<bool, SshError> {
    use russh::keys::agent::client::AgentClient;
    let connected = match socket {
        Some(socket) => AgentClient::connect_uds(socket).await,
        None => AgentClient::connect_env().await,
    };
    let Ok(mut agent) = connected else {
        return Ok(false);
    };
    let identities = agent.request_identities().await.unwrap_or_default();
    let hash = handle.best_supported_rsa_hash().await.map_err(protocol)?;
    for identity in identities {
        let key = identity.public_key().into_owned();
        let mut hashes = vec![None];
        if key.algorithm().is_rsa() && hash.flatten().is_some() {
            // As for key files: rsa-sha2 first, then SHA-1 `ssh-rsa` for a server that
            // advertises rsa-sha2 but accepts only `ssh-rsa` (seen with OpenSSH's
            // `PubkeyAcceptedAlgorithms ssh-rsa`).
            hashes.insert(0, hash.flatten());
        }
        for hash in hashes {
            if let Ok(AuthResult::Success) = handle
                .authenticate_publickey_with(user, key.clone(), hash, &mut agent)
                .await
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// keyboard-interactive as TACACS/RADIUS-backed devices run it: every prompt gets the
/// password, and an info request with no prompts gets an empty answer (russh #512).
async fn keyboard_interactive(
    handle: &mut client::Handle<Handler>,
    user: &str,
    password: &Secret,
) -> Result<bool, SshError> {
    let mut reply = handle
        .authenticate_keyboard_interactive_start(user, None)
        .await
        .map_err(protocol)?;
    for _ in 0..8 {
        match reply {
            KbdReply::Success => return Ok(true),
            KbdReply::Failure { .. } => return Ok(false),
            KbdReply::InfoRequest { prompts, .. } => {
                let answers = prompts
                    .iter()
                    .map(|_| password.expose().to_string())
                    .collect();
                reply = handle
                    .authenticate_keyboard_interactive_respond(answers)
                    .await
                    .map_err(protocol)?;
            }
        }
    }
    Ok(false)
}

fn protocol(e: russh::Error) -> SshError {
    SshError::Protocol(e.to_string())
}
