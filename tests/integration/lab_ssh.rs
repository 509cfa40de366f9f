//! The lab's SSH server, driven by clients that are not smartlic's own: OpenSSH's `ssh`
//! (as an engineer or Ansible would use it) and, where OpenSSH cannot show it (legacy
//! algorithm sets, the empty keyboard-interactive round, known_hosts checks), a small
//! russh client. A fake console stands in for the device CLI.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::PublicKeyOrCertificate;
use russh::{ChannelMsg, Preferred, cipher, kex, mac};
use smartlic::lab::secret::Secret;
use smartlic::lab::ssh::{self, Endpoint, Served, SshError, SshFaults};
use smartlic::lab::terminal::{Console, Output, Terminal};

const USER: &str = "admin";
const PASSWORD: &str = "lab-pass";
const VERSION_LINE: &str = "Cisco IOS XE Software, Version 17.09.04a";
/// Every client call in these tests ends within this (a hung server fails the test).
const CLIENT_LIMIT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------
// A fake device: echoes with a PTY, knows `show version`, `slow` and `exit`.

struct FakeConsole;

struct FakeTerminal {
    pty: bool,
    line: Vec<u8>,
}

fn answer(command: &str) -> Option<String> {
    match command.trim() {
        "show version" => Some(format!("{VERSION_LINE}\r\n")),
        "" => Some(String::new()),
        _ => None,
    }
}

impl Console for FakeConsole {
    fn open(&self) -> Box<dyn Terminal> {
        Box::new(FakeTerminal {
            pty: false,
            line: Vec::new(),
        })
    }

    fn exec(&self, command: &str) -> (Vec<u8>, u32) {
        match answer(command) {
            Some(text) => (text.into_bytes(), 0),
            None => (b"% Invalid input detected at '^' marker.\r\n".to_vec(), 1),
        }
    }
}

impl Terminal for FakeTerminal {
    fn start(&mut self, pty: bool) -> Output {
        self.pty = pty;
        Output::text("\r\nLAB BANNER\r\n\r\nlab1#")
    }

    fn input(&mut self, data: &[u8]) -> Output {
        let mut out = Output::default();
        for &byte in data {
            if self.pty && byte != b'\n' {
                out.bytes.push(byte);
            }
            if byte != b'\r' && byte != b'\n' {
                self.line.push(byte);
                continue;
            }
            let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
            if byte == b'\n' && line.is_empty() {
                continue; // the LF of a CR LF
            }
            out.bytes.extend_from_slice(b"\r\n");
            match line.trim() {
                "exit" => {
                    out.close = true;
                    return out;
                }
                "slow" => out.delay = Duration::from_millis(300),
                command => {
                    let text = answer(command).unwrap_or_else(|| "% Invalid input\r\n".into());
                    out.bytes.extend_from_slice(text.as_bytes());
                }
            }
            out.bytes.extend_from_slice(b"lab1#");
        }
        out
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.

fn endpoint(name: &str, seed: u8, faults: SshFaults) -> Endpoint {
    Endpoint {
        name: name.to_string(),
        listen: "127.0.0.1:0".parse().unwrap(),
        host_key_seed: [seed; 32],
        users: vec![(USER.to_string(), Secret::new(PASSWORD))],
        faults,
        console: Arc::new(FakeConsole),
        handshake: std::time::Duration::ZERO,
    }
}

async fn serve_one(name: &str, seed: u8, faults: SshFaults) -> (Served, SocketAddr) {
    let served = ssh::serve(vec![endpoint(name, seed, faults)])
        .await
        .unwrap();
    let address = served.address(name).unwrap();
    (served, address)
}

/// A scratch directory with a known_hosts file (one line per `entries`) and an askpass
/// script that logs its prompt and answers `password`.
struct Client {
    dir: tempfile::TempDir,
}

impl Client {
    fn new(password: &str, entries: &[String]) -> Client {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("known_hosts"), entries.join("\n") + "\n").unwrap();
        let script = dir.path().join("askpass");
        let log = dir.path().join("prompts");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\nprintf '%s\\n' '{password}'\n",
                log.display()
            ),
        )
        .unwrap();
        std::process::Command::new("chmod")
            .arg("700")
            .arg(&script)
            .status()
            .unwrap();
        Client { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn prompts(&self) -> String {
        std::fs::read_to_string(self.path("prompts")).unwrap_or_default()
    }

    /// `ssh` with no user config, strict host key checking against our known_hosts,
    /// and the password from the askpass script. Never interactive, yet not `BatchMode`:
    /// OpenSSH's batch mode turns password and keyboard-interactive auth off altogether
    /// (checked with 9.2), so a forced askpass and one prompt stand in for it.
    /// `args` are options, then the remote command if any (it follows the destination).
    fn ssh(&self, address: SocketAddr, auth: &str, args: &[&str]) -> Command {
        let split = args
            .iter()
            .position(|a| !a.starts_with('-') && !a.contains('='));
        let (options, remote) = args.split_at(split.unwrap_or(args.len()));
        let mut command = Command::new("ssh");
        command
            .env("SSH_ASKPASS", self.path("askpass"))
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env_remove("SSH_AUTH_SOCK")
            .args(["-F", "/dev/null", "-p", &address.port().to_string()])
            .arg("-o")
            .arg(format!(
                "UserKnownHostsFile={}",
                self.path("known_hosts").display()
            ))
            .args([
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "BatchMode=no",
                "-o",
                "PubkeyAuthentication=no",
                "-o",
                "NumberOfPasswordPrompts=1",
                "-o",
                "ConnectTimeout=10",
                "-o",
            ])
            .arg(format!("PreferredAuthentications={auth}"))
            .args(options)
            .arg(format!("{USER}@{}", address.ip()))
            .args(remote);
        command
    }
}

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `command` with `stdin` on a blocking thread, killed after [`CLIENT_LIMIT`].
async fn run(mut command: Command, stdin: &'static [u8]) -> Run {
    tokio::task::spawn_blocking(move || {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("OpenSSH `ssh` is installed (CI installs openssh-client)");
        let mut input = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            // Typed line by line, as a person (or expect) would.
            for line in stdin.split_inclusive(|&b| b == b'\n') {
                std::thread::sleep(Duration::from_millis(150));
                if input.write_all(line).is_err() {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        });
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        let deadline = Instant::now() + CLIENT_LIMIT;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status.code();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        let _ = err.read_to_string(&mut stderr);
        let _ = writer.join();
        Run {
            status,
            stdout: reader.join().unwrap(),
            stderr,
        }
    })
    .await
    .unwrap()
}

fn known_host(address: SocketAddr, seed: u8, faults: &SshFaults) -> String {
    let key = ssh::host_public_key(&[seed; 32], faults).unwrap();
    ssh::known_hosts_line(address, &key).unwrap()
}

fn assert_ok(run: &Run) {
    assert_eq!(
        run.status,
        Some(0),
        "ssh failed\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------
// OpenSSH.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_exec_with_password_and_strict_known_hosts() {
    let (served, address) = serve_one("lab1", 1, SshFaults::default()).await;
    let client = Client::new(PASSWORD, &[known_host(address, 1, &SshFaults::default())]);
    let run_ = run(
        client.ssh(address, "password", &["-v", "show version"]),
        b"",
    )
    .await;
    assert_ok(&run_);
    assert_eq!(run_.stdout, format!("{VERSION_LINE}\r\n"));
    assert!(
        run_.stderr.contains("remote software version Cisco-1.25"),
        "{}",
        run_.stderr
    );
    // A command the device does not know: its output and exit status 1 come through.
    let bad = run(client.ssh(address, "password", &["show nonsense"]), b"").await;
    assert_eq!(bad.status, Some(1));
    assert!(bad.stdout.contains("% Invalid input detected"));
    assert!(served.shutdown().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_keyboard_interactive_asks_password() {
    let (_served, address) = serve_one("lab1", 2, SshFaults::default()).await;
    let client = Client::new(PASSWORD, &[known_host(address, 2, &SshFaults::default())]);
    let run_ = run(
        client.ssh(address, "keyboard-interactive", &["show version"]),
        b"",
    )
    .await;
    assert_ok(&run_);
    assert!(run_.stdout.contains(VERSION_LINE));
    // OpenSSH shows the device's prompt after its own `(user@host) `.
    let prompts = client.prompts();
    assert_eq!(prompts.lines().count(), 1, "{prompts}");
    assert!(prompts.ends_with(") Password: \n"), "{prompts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_sees_only_keyboard_interactive_under_that_fault() {
    let faults = SshFaults {
        keyboard_interactive_only: true,
        ..SshFaults::default()
    };
    let (_served, address) = serve_one("tacacs", 7, faults.clone()).await;
    let client = Client::new(PASSWORD, &[known_host(address, 7, &faults)]);
    // `password` is not offered (OpenSSH does not even ask for it) ...
    let refused = run(
        client.ssh(address, "password", &["-v", "show version"]),
        b"",
    )
    .await;
    assert_eq!(refused.status, Some(255));
    assert!(
        refused
            .stderr
            .contains("Authentications that can continue: keyboard-interactive\n")
            || refused
                .stderr
                .contains("Authentications that can continue: keyboard-interactive\r\n"),
        "{}",
        refused.stderr
    );
    assert_eq!(client.prompts(), "");
    // ... keyboard-interactive is, with the right password.
    let run_ = run(
        client.ssh(address, "keyboard-interactive", &["show version"]),
        b"",
    )
    .await;
    assert_ok(&run_);
    assert!(run_.stdout.contains(VERSION_LINE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_interactive_session_with_pty() {
    let (_served, address) = serve_one("lab1", 3, SshFaults::default()).await;
    let client = Client::new(PASSWORD, &[known_host(address, 3, &SshFaults::default())]);
    let run_ = run(
        client.ssh(address, "password", &["-tt"]),
        b"show version\nslow\nexit\n",
    )
    .await;
    assert_ok(&run_);
    let out = &run_.stdout;
    assert!(out.starts_with("\r\nLAB BANNER\r\n\r\nlab1#"), "{out:?}");
    // Echoed by the device (PTY), answered, and a prompt after each command.
    assert!(
        out.contains(&format!(
            "lab1#show version\r\n{VERSION_LINE}\r\nlab1#slow\r\nlab1#exit"
        )),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_wrong_password_and_reject_auth_fault_are_refused() {
    let (_served, address) = serve_one("lab1", 4, SshFaults::default()).await;
    let wrong = Client::new("not-it", &[known_host(address, 4, &SshFaults::default())]);
    let run_ = run(wrong.ssh(address, "password", &["show version"]), b"").await;
    assert_eq!(run_.status, Some(255));
    assert!(run_.stderr.contains("Permission denied"), "{}", run_.stderr);

    let faults = SshFaults {
        reject_auth: true,
        ..SshFaults::default()
    };
    let (_served, address) = serve_one("lab2", 5, faults.clone()).await;
    let right = Client::new(PASSWORD, &[known_host(address, 5, &faults)]);
    for auth in ["password", "keyboard-interactive"] {
        let run_ = run(right.ssh(address, auth, &["show version"]), b"").await;
        assert_eq!(run_.status, Some(255), "{auth}");
        assert!(run_.stderr.contains("Permission denied"), "{}", run_.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_sees_legacy_only_algorithms() {
    let faults = SshFaults {
        legacy_only: true,
        ..SshFaults::default()
    };
    let (_served, address) = serve_one("old", 6, faults.clone()).await;
    let line = known_host(address, 6, &faults);
    assert!(line.contains(" ssh-rsa "), "{line}");
    let client = Client::new(PASSWORD, &[line]);
    let modern = run(client.ssh(address, "password", &["show version"]), b"").await;
    assert_eq!(modern.status, Some(255));
    assert!(
        modern
            .stderr
            .contains("no matching key exchange method found"),
        "{}",
        modern.stderr
    );
    let legacy_options = [
        "-o",
        "KexAlgorithms=+diffie-hellman-group14-sha1",
        "-o",
        "HostKeyAlgorithms=+ssh-rsa",
        "-o",
        "Ciphers=+aes128-cbc",
        "-o",
        "MACs=+hmac-sha1",
        "show version",
    ];
    let legacy = run(client.ssh(address, "password", &legacy_options), b"").await;
    assert_ok(&legacy);
    assert!(legacy.stdout.contains(VERSION_LINE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_detects_changed_host_key() {
    let faults = SshFaults {
        changed_host_key: true,
        ..SshFaults::default()
    };
    let (_served, address) = serve_one("lab1", 7, faults).await;
    // known_hosts holds the key the seed gives; the device now presents another.
    let client = Client::new(PASSWORD, &[known_host(address, 7, &SshFaults::default())]);
    let run_ = run(client.ssh(address, "password", &["show version"]), b"").await;
    assert_eq!(run_.status, Some(255));
    assert!(
        run_.stderr
            .contains("REMOTE HOST IDENTIFICATION HAS CHANGED"),
        "{}",
        run_.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_key_survives_a_restart() {
    // Known by an alias, since port 0 gives the restarted device another port.
    let key = ssh::host_public_key(&[8; 32], &SshFaults::default()).unwrap();
    let line = format!("lab1 {}", key.to_openssh().unwrap());
    let client = Client::new(PASSWORD, &[line]);
    for _ in 0..2 {
        let (served, address) = serve_one("lab1", 8, SshFaults::default()).await;
        let run_ = run(
            client.ssh(
                address,
                "password",
                &["-o", "HostKeyAlias=lab1", "show version"],
            ),
            b"",
        )
        .await;
        assert_ok(&run_);
        assert!(served.shutdown().await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_after_commands_cuts_the_connection() {
    let faults = SshFaults {
        drop_after_commands: Some(1),
        ..SshFaults::default()
    };
    let (_served, address) = serve_one("flaky", 9, faults.clone()).await;
    let client = Client::new(PASSWORD, &[known_host(address, 9, &faults)]);
    let run_ = run(
        client.ssh(address, "password", &["-tt"]),
        b"show version\nshow version\nexit\n",
    )
    .await;
    assert_eq!(run_.status, Some(255), "{}", run_.stderr);
    assert_eq!(
        run_.stdout.matches(VERSION_LINE).count(),
        1,
        "{}",
        run_.stdout
    );
    // An exec is one command: the first is served, there is no second on a connection.
    let exec = run(client.ssh(address, "password", &["show version"]), b"").await;
    assert_ok(&exec);
}

// ---------------------------------------------------------------------------------------
// Without a client.

#[tokio::test]
async fn non_loopback_addresses_are_refused() {
    for address in ["0.0.0.0:0", "192.0.2.1:22", "[::1]:0"] {
        let mut bad = endpoint("core1", 10, SshFaults::default());
        bad.listen = address.parse().unwrap();
        let good = endpoint("lab1", 11, SshFaults::default());
        let error = ssh::serve(vec![good, bad]).await.err().expect("refused");
        assert!(matches!(error, SshError::NotLoopback { .. }));
        let message = error.to_string();
        assert!(
            message.contains("core1") && message.contains(address),
            "{message}"
        );
    }
}

#[tokio::test]
async fn server_announces_cisco_identification() {
    use tokio::io::AsyncReadExt;
    let (_served, address) = serve_one("lab1", 12, SshFaults::default()).await;
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut first = vec![0; 20];
    tokio::time::timeout(CLIENT_LIMIT, stream.read_exact(&mut first))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, b"SSH-2.0-Cisco-1.25\r\n");
}

// ---------------------------------------------------------------------------------------
// A russh client.

/// Accepts the server key after checking it against a known_hosts file, as smartlic's
/// engine would; records a mismatch instead of failing the handshake silently.
struct KnownHosts {
    path: PathBuf,
    port: u16,
    seen: Arc<std::sync::Mutex<Option<Result<bool, String>>>>,
}

impl client::Handler for KnownHosts {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let PublicKeyOrCertificate::PublicKey { key, .. } = key else {
            return Ok(false);
        };
        let verdict = russh::keys::check_known_hosts_path("127.0.0.1", self.port, key, &self.path)
            .map_err(|e| e.to_string());
        let ok = matches!(verdict, Ok(true));
        *self.seen.lock().unwrap() = Some(verdict);
        Ok(ok)
    }
}

fn legacy_client_config() -> client::Config {
    client::Config {
        preferred: Preferred {
            kex: vec![kex::DH_G14_SHA1].into(),
            key: vec![russh::keys::Algorithm::Rsa { hash: None }].into(),
            cipher: vec![cipher::AES_128_CBC].into(),
            mac: vec![mac::HMAC_SHA1].into(),
            ..Preferred::default()
        },
        ..client::Config::default()
    }
}

async fn russh_connect(
    address: SocketAddr,
    config: client::Config,
    known_hosts: &Path,
) -> (
    Result<client::Handle<KnownHosts>, russh::Error>,
    Option<Result<bool, String>>,
) {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let handler = KnownHosts {
        path: known_hosts.to_path_buf(),
        port: address.port(),
        seen: Arc::clone(&seen),
    };
    let handle = tokio::time::timeout(
        CLIENT_LIMIT,
        client::connect(Arc::new(config), address, handler),
    )
    .await
    .expect("connect in time");
    let verdict = seen.lock().unwrap().take();
    (handle, verdict)
}

/// keyboard-interactive the way a TACACS-backed device runs it: `Password: `, then an
/// info request with no prompts that must be answered with an empty list.
async fn keyboard_interactive(session: &mut client::Handle<KnownHosts>, password: &str) -> bool {
    use client::KeyboardInteractiveAuthResponse as R;
    let mut reply = session
        .authenticate_keyboard_interactive_start(USER, None)
        .await
        .unwrap();
    let mut rounds = Vec::new();
    for _ in 0..4 {
        match reply {
            R::Success => {
                assert_eq!(rounds, [vec!["Password: ".to_string()], vec![]]);
                return true;
            }
            R::Failure { .. } => return false,
            R::InfoRequest { prompts, .. } => {
                let answers = prompts.iter().map(|_| password.to_string()).collect();
                rounds.push(prompts.into_iter().map(|p| p.prompt).collect::<Vec<_>>());
                reply = session
                    .authenticate_keyboard_interactive_respond(answers)
                    .await
                    .unwrap();
            }
        }
    }
    panic!("keyboard-interactive did not finish: {rounds:?}");
}

async fn exec(session: &client::Handle<KnownHosts>, command: &str) -> (String, Option<u32>) {
    let mut channel = session.channel_open_session().await.unwrap();
    channel.exec(true, command).await.unwrap();
    let mut out = Vec::new();
    let mut status = None;
    while let Ok(Some(msg)) = tokio::time::timeout(CLIENT_LIMIT, channel.wait()).await {
        match msg {
            ChannelMsg::Data { data } => out.extend_from_slice(&data),
            ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
            ChannelMsg::Close => break,
            _ => {}
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn russh_legacy_client_with_keyboard_interactive_empty_round() {
    let faults = SshFaults {
        legacy_only: true,
        ..SshFaults::default()
    };
    let (_served, address) = serve_one("old", 13, faults.clone()).await;
    let client_files = Client::new(PASSWORD, &[known_host(address, 13, &faults)]);
    let (session, verdict) = russh_connect(
        address,
        legacy_client_config(),
        &client_files.path("known_hosts"),
    )
    .await;
    assert_eq!(verdict, Some(Ok(true)));
    let mut session = session.unwrap();
    assert!(keyboard_interactive(&mut session, PASSWORD).await);
    assert_eq!(
        exec(&session, "show version").await,
        (format!("{VERSION_LINE}\r\n"), Some(0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn russh_client_detects_changed_key_and_rejected_login() {
    let (served, address) = serve_one("lab1", 14, SshFaults::default()).await;
    let files = Client::new(PASSWORD, &[known_host(address, 14, &SshFaults::default())]);
    let known_hosts = files.path("known_hosts");

    let (session, verdict) = russh_connect(address, client::Config::default(), &known_hosts).await;
    assert_eq!(verdict, Some(Ok(true)));
    let mut session = session.unwrap();
    assert!(!keyboard_interactive(&mut session, "wrong").await);
    let auth = session.authenticate_password(USER, "wrong").await.unwrap();
    assert!(!auth.success());

    // Run-time faults: new connections see them.
    let changed = SshFaults {
        changed_host_key: true,
        ..SshFaults::default()
    };
    assert!(served.set_faults("lab1", changed));
    let (session, verdict) = russh_connect(address, client::Config::default(), &known_hosts).await;
    assert!(session.is_err());
    let message = verdict.unwrap().unwrap_err();
    assert!(message.contains("line 1"), "{message}");

    let rejecting = SshFaults {
        reject_auth: true,
        ..SshFaults::default()
    };
    assert!(served.set_faults("lab1", rejecting));
    let (session, _) = russh_connect(address, client::Config::default(), &known_hosts).await;
    let mut session = session.unwrap();
    let auth = session.authenticate_password(USER, PASSWORD).await.unwrap();
    assert!(!auth.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_sessions_on_one_device_and_shutdown() {
    let (served, address) = serve_one("lab1", 15, SshFaults::default()).await;
    let files = Client::new(PASSWORD, &[known_host(address, 15, &SshFaults::default())]);
    let known_hosts = files.path("known_hosts");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let known_hosts = known_hosts.clone();
        tasks.push(tokio::spawn(async move {
            let (session, _) =
                russh_connect(address, client::Config::default(), &known_hosts).await;
            let mut session = session.unwrap();
            assert!(
                session
                    .authenticate_password(USER, PASSWORD)
                    .await
                    .unwrap()
                    .success()
            );
            // Several channels on one connection, concurrently.
            let (a, b) = tokio::join!(exec(&session, "show version"), exec(&session, "bad"));
            ([a.1, b.1], session)
        }));
    }
    let mut sessions = Vec::new();
    for task in tasks {
        let (statuses, session) = task.await.unwrap();
        assert_eq!(statuses, [Some(0), Some(1)]);
        sessions.push(session);
    }
    let (accepted, active) = served.connections();
    assert_eq!((accepted, active), (16, 16));
    // Shutdown disconnects the open sessions and frees the port.
    assert!(served.shutdown().await);
    for session in &sessions {
        let closed = tokio::time::timeout(CLIENT_LIMIT, async {
            while !session.is_closed() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(closed.is_ok());
    }
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

/// Reads a shell channel until `want` appears; returns everything read.
async fn read_until(channel: &mut russh::Channel<client::Msg>, want: &str) -> String {
    let mut text = String::new();
    while !text.contains(want) {
        match tokio::time::timeout(CLIENT_LIMIT, channel.wait()).await {
            Ok(Some(ChannelMsg::Data { data })) => text.push_str(&String::from_utf8_lossy(&data)),
            Ok(Some(_)) => {}
            _ => panic!("no {want:?} in {text:?}"),
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn russh_shell_honours_delay_and_close() {
    let (_served, address) = serve_one("lab1", 16, SshFaults::default()).await;
    let files = Client::new(PASSWORD, &[known_host(address, 16, &SshFaults::default())]);
    let (session, _) = russh_connect(
        address,
        client::Config::default(),
        &files.path("known_hosts"),
    )
    .await;
    let mut session = session.unwrap();
    assert!(
        session
            .authenticate_password(USER, PASSWORD)
            .await
            .unwrap()
            .success()
    );
    let mut channel = session.channel_open_session().await.unwrap();
    channel
        .request_pty(true, "vt100", 132, 50, 0, 0, &[])
        .await
        .unwrap();
    channel.request_shell(true).await.unwrap();
    read_until(&mut channel, "lab1#").await;

    // The device asks for 300 ms before answering (the slow-device fault's mechanism).
    let asked = Instant::now();
    channel.data(&b"slow\r"[..]).await.unwrap();
    let echoed = read_until(&mut channel, "lab1#").await;
    assert!(asked.elapsed() >= Duration::from_millis(300), "{echoed:?}");

    // `exit`: the terminal closes the session: exit status 0, EOF, close.
    channel.data(&b"exit\r"[..]).await.unwrap();
    let mut seen = Vec::new();
    while let Ok(Some(msg)) = tokio::time::timeout(CLIENT_LIMIT, channel.wait()).await {
        match msg {
            ChannelMsg::ExitStatus { exit_status } => seen.push(format!("exit {exit_status}")),
            ChannelMsg::Eof => seen.push("eof".into()),
            ChannelMsg::Close => {
                seen.push("close".into());
                break;
            }
            _ => {}
        }
    }
    assert_eq!(seen, ["exit 0", "eof", "close"]);
}
