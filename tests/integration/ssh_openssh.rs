//! smartlic's own SSH client (`smartlic::ssh`) against a real OpenSSH server: `sshd` started
//! by the test on 127.0.0.1 and a free port, with its own host keys, authorized_keys and
//! config in a temporary folder, killed when the test ends. Key formats (OpenSSH ed25519,
//! PEM RSA, passphrase-protected), the ssh-agent, known_hosts policies (plain, hashed,
//! accept-new, a changed key), a legacy-only server, the `ssh-rsa` signature fallback,
//! refused keys, a server that never speaks SSH, and a shell with a CLI-like prompt.
//!
//! sshd needs root (privilege separation) and `/run/sshd`; the tests (and CI) run as root.
//! As another user they fail unless SMARTLIC_TESTS_WITHOUT_SSHD=1 skips them knowingly. keyboard-interactive needs PAM, which
//! this sshd has not: `ssh_client.rs` tests it against the lab.

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use smartlic::intent::Secret;
use smartlic::platform::Platform;
use smartlic::ssh::shell::CommandError;
use smartlic::ssh::{
    self, Credentials, HostKeyError, HostKeyPolicy, SshError, Target, Timeouts, Verdict,
};

/// How long sshd may take to listen, and ssh-agent to create its socket.
const START_LIMIT: Duration = Duration::from_secs(10);
/// Every connect in these tests ends within this.
const CONNECT_LIMIT: Duration = Duration::from_secs(20);

/// sshd runs only as root here (privilege separation). As another user a test fails,
/// saying so, unless SMARTLIC_TESTS_WITHOUT_SSHD=1 asks to skip these tests knowingly.
fn runs_as_root() -> bool {
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    if !root {
        assert!(
            std::env::var_os("SMARTLIC_TESTS_WITHOUT_SSHD").is_some(),
            "OpenSSH's sshd needs root (privilege separation): run the tests as root \
             (scripts/test, as CI does), or set SMARTLIC_TESTS_WITHOUT_SSHD=1 to skip them"
        );
        eprintln!("skipped (SMARTLIC_TESTS_WITHOUT_SSHD is set): sshd needs root");
    }
    root
}

fn sshd_binary() -> PathBuf {
    let path = PathBuf::from("/usr/sbin/sshd");
    assert!(
        path.exists(),
        "/usr/sbin/sshd is missing: install OpenSSH's server (Debian: apt-get install \
         openssh-server, as scripts/test does)"
    );
    path
}

/// Runs a program to its end (each of these takes well under a second), failing the test
/// with its stderr if it fails.
fn run(program: &str, args: &[&str], env: &[(&str, &Path)]) {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env_remove("SSH_ASKPASS")
        .env_remove("DISPLAY");
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{program}: {e}"));
    let status = wait_bounded(&mut child, START_LIMIT).unwrap_or_else(|| {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{program} {args:?} did not finish within {START_LIMIT:?}")
    });
    if !status.success() {
        let mut stderr = String::new();
        let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
        panic!("{program} {args:?} failed ({status}): {stderr}");
    }
}

fn wait_bounded(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// `ssh-keygen -t KIND -N PASSPHRASE -f DIR/NAME` (plus `extra`), returning the private
/// key's path (the public one is next to it, `.pub`).
fn keygen(dir: &Path, name: &str, kind: &str, passphrase: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let file = path.to_str().unwrap();
    let mut args = vec!["-q", "-t", kind, "-N", passphrase, "-C", name, "-f", file];
    if kind == "rsa" {
        args.extend(["-b", "2048"]);
    }
    args.extend(extra);
    run("ssh-keygen", &args, &[]);
    path
}

fn public_key_text(private: &Path) -> String {
    let mut file = private.as_os_str().to_owned();
    file.push(".pub");
    std::fs::read_to_string(file).unwrap().trim().to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A temporary folder with a user, host keys and authorized_keys for sshd.
struct Fixture {
    dir: tempfile::TempDir,
    user: String,
    host_ed25519: PathBuf,
    host_rsa: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let host_ed25519 = keygen(dir.path(), "host_ed25519", "ed25519", "", &[]);
        let host_rsa = keygen(dir.path(), "host_rsa", "rsa", "", &[]);
        let output = Command::new("id").arg("-un").output().unwrap();
        let user = String::from_utf8(output.stdout).unwrap().trim().to_string();
        std::fs::write(dir.path().join("authorized_keys"), "").unwrap();
        // The ForceCommand of every session: a tiny CLI that prompts `router#`, echoes
        // each line back, refuses `bogus…` as IOS does, and ends on `exit`.
        let cli = dir.path().join("cli.sh");
        std::fs::write(
            &cli,
            "#!/bin/sh\n\
             printf 'router#'\n\
             while IFS= read -r line; do\n\
             \x20 case \"$line\" in\n\
             \x20   exit) exit 0 ;;\n\
             \x20   bogus*) printf '%% Invalid input detected at marker.\\n' ;;\n\
             \x20   '') ;;\n\
             \x20   *) printf 'you said: %s\\n' \"$line\" ;;\n\
             \x20 esac\n\
             \x20 printf 'router#'\n\
             done\n",
        )
        .unwrap();
        std::fs::set_permissions(&cli, std::fs::Permissions::from_mode(0o755)).unwrap();
        Fixture {
            dir,
            user,
            host_ed25519,
            host_rsa,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A new user key (`ssh-keygen` options in `extra`), not yet authorized.
    fn user_key(&self, name: &str, kind: &str, passphrase: &str, extra: &[&str]) -> PathBuf {
        keygen(self.dir.path(), name, kind, passphrase, extra)
    }

    fn authorize(&self, key: &Path) {
        let file = self.path("authorized_keys");
        let mut text = std::fs::read_to_string(&file).unwrap();
        text.push_str(&public_key_text(key));
        text.push('\n');
        std::fs::write(file, text).unwrap();
    }

    /// Starts sshd with `host_keys` and the extra config lines `extra`.
    fn sshd(&self, port: u16, host_keys: &[&Path], extra: &str) -> Sshd {
        Sshd::start(self, port, host_keys, extra)
    }

    /// A known_hosts file (in the fixture) with a line for each of `host_keys` at `sshd`.
    fn known_hosts(&self, name: &str, sshd: &Sshd, host_keys: &[&Path]) -> PathBuf {
        let file = self.path(name);
        let text: String = host_keys
            .iter()
            .map(|k| format!("[127.0.0.1]:{} {}\n", sshd.port, public_key_text(k)))
            .collect();
        std::fs::write(&file, text).unwrap();
        file
    }

    /// A target for `sshd` logging in as the fixture's user with `credentials`, strict
    /// host key checking against `known_hosts`.
    fn target(&self, sshd: &Sshd, credentials: Credentials, known_hosts: PathBuf) -> Target {
        Target {
            name: "openssh".into(),
            address: "127.0.0.1".into(),
            port: sshd.port,
            user: self.user.clone(),
            credentials,
            host_keys: HostKeyPolicy::Strict,
            known_hosts,
            legacy_algorithms: false,
            timeouts: Timeouts {
                connect: Duration::from_secs(15),
                command: Duration::from_secs(5),
            },
        }
    }
}

fn key_credentials(key: &Path) -> Credentials {
    Credentials {
        private_key_file: Some(key.to_path_buf()),
        ..Credentials::default()
    }
}

/// A running sshd, killed (and reaped) on drop.
struct Sshd {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Sshd {
    fn start(fixture: &Fixture, port: u16, host_keys: &[&Path], extra: &str) -> Sshd {
        let sshd = sshd_binary();
        // The privilege-separation chroot, which the system service would create; sshd
        // refuses to start without it.
        std::fs::create_dir_all("/run/sshd").unwrap();
        let dir = fixture.dir.path();
        let mut config = String::from("ListenAddress 127.0.0.1\n");
        for key in host_keys {
            config.push_str(&format!("HostKey {}\n", key.display()));
        }
        config.push_str(&format!(
            "AuthorizedKeysFile {authorized}\n\
             PidFile {pid}\n\
             ForceCommand {cli}\n\
             StrictModes no\n\
             UsePAM no\n\
             PermitRootLogin prohibit-password\n\
             PasswordAuthentication no\n\
             KbdInteractiveAuthentication no\n\
             LogLevel VERBOSE\n\
             {extra}\n",
            authorized = dir.join("authorized_keys").display(),
            pid = dir.join(format!("sshd-{port}.pid")).display(),
            cli = dir.join("cli.sh").display(),
        ));
        let file = dir.join(format!("sshd-{port}.conf"));
        std::fs::write(&file, config).unwrap();
        let log = dir.join(format!("sshd-{port}.log"));
        let child = Command::new(sshd)
            .args(["-D", "-e", "-f"])
            .arg(&file)
            .args(["-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("sshd starts");
        let mut sshd = Sshd { child, port, log };
        sshd.wait_listening();
        sshd
    }

    /// Waits (bounded) for `Server listening on …` in its log.
    fn wait_listening(&mut self) {
        let started = Instant::now();
        loop {
            let log = self.log_text();
            if log.contains("Server listening on") {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("sshd exited ({status}): {log}");
            }
            assert!(
                started.elapsed() < START_LIMIT,
                "sshd did not listen within {START_LIMIT:?}: {log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `ssh-agent -D -a SOCKET`, killed on drop.
struct Agent {
    child: Child,
    socket: PathBuf,
}

impl Agent {
    fn start(dir: &Path) -> Agent {
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent (OpenSSH) is installed");
        let agent = Agent { child, socket };
        let started = Instant::now();
        while !agent.socket.exists() {
            assert!(
                started.elapsed() < START_LIMIT,
                "ssh-agent made no socket within {START_LIMIT:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        agent
    }

    fn add(&self, key: &Path) {
        run(
            "ssh-add",
            &["-q", key.to_str().unwrap()],
            &[("SSH_AUTH_SOCK", &self.socket)],
        );
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// `ssh::connect`, bounded whatever the target's own timeouts say.
fn connect(rt: &tokio::runtime::Runtime, target: &Target) -> Result<ssh::Connection, SshError> {
    rt.block_on(async {
        tokio::time::timeout(CONNECT_LIMIT, ssh::connect(target))
            .await
            .expect("ssh::connect ends within its own deadline")
    })
}

fn expect_ok(result: Result<ssh::Connection, SshError>, sshd: &Sshd) -> ssh::Connection {
    result.unwrap_or_else(|e| panic!("{e}\n--- sshd log:\n{}", sshd.log_text()))
}

fn error_of(result: Result<ssh::Connection, SshError>) -> SshError {
    match result {
        Ok(_) => panic!("the connection must fail"),
        Err(e) => e,
    }
}

#[test]
fn openssh_ed25519_key_logs_in_with_plain_and_hashed_known_hosts() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    let key = f.user_key("id_ed25519", "ed25519", "", &[]);
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
    );
    f.authorize(&key);
    let sshd = f.sshd(free_port(), &[&f.host_ed25519, &f.host_rsa], "");
    let rt = runtime();
    // Both host keys are listed; the session runs with the ed25519 one.
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_ed25519, &f.host_rsa]);
    let t = f.target(&sshd, key_credentials(&key), known.clone());
    let connection = expect_ok(connect(&rt, &t), &sshd);
    assert_eq!(connection.host_key, Verdict::Known);
    assert_eq!(connection.negotiated.host_key, "ssh-ed25519");
    assert!(!connection.negotiated.kex.is_empty());
    rt.block_on(connection.close());

    // The same file hashed by OpenSSH (`HashKnownHosts yes` style `|1|` entries).
    run("ssh-keygen", &["-H", "-f", known.to_str().unwrap()], &[]);
    let text = std::fs::read_to_string(&known).unwrap();
    assert!(text.lines().all(|l| l.starts_with("|1|")), "{text}");
    let connection = expect_ok(connect(&rt, &t), &sshd);
    assert_eq!(connection.host_key, Verdict::Known);
    rt.block_on(connection.close());
}

#[test]
fn openssh_rsa_key_in_pem_format_logs_in() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    let key = f.user_key("id_rsa", "rsa", "", &["-m", "PEM"]);
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
    f.authorize(&key);
    let sshd = f.sshd(free_port(), &[&f.host_ed25519], "");
    let rt = runtime();
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_ed25519]);
    let connection = expect_ok(
        connect(&rt, &f.target(&sshd, key_credentials(&key), known)),
        &sshd,
    );
    rt.block_on(connection.close());
    // A modern server takes an rsa-sha2 signature at once: no SHA-1 retry.
    let log = sshd.log_text();
    assert!(log.contains("Accepted publickey"), "{log}");
    assert!(!log.contains("ssh-rsa"), "{log}");
}

#[test]
fn openssh_passphrase_protected_key_needs_its_passphrase() {
    if !runs_as_root() {
        return;
    }
    const PASSPHRASE: &str = "correct-horse-7Qx";
    let f = Fixture::new();
    let key = f.user_key("id_locked", "ed25519", PASSPHRASE, &[]);
    f.authorize(&key);
    let sshd = f.sshd(free_port(), &[&f.host_ed25519], "");
    let rt = runtime();
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_ed25519]);
    let mut credentials = key_credentials(&key);
    credentials.key_passphrase = Some(Secret::new(PASSPHRASE));
    let t = f.target(&sshd, credentials, known);
    let connection = expect_ok(connect(&rt, &t), &sshd);
    rt.block_on(connection.close());

    // Without it, or with a wrong one: a key error naming the file, never a passphrase.
    for passphrase in [None, Some("wrong-passphrase-9Zy")] {
        let mut t = t.clone();
        t.credentials.key_passphrase = passphrase.map(Secret::new);
        let e = error_of(connect(&rt, &t));
        let SshError::Key { file, .. } = &e else {
            panic!("{passphrase:?}: expected a key error, got {e}");
        };
        assert_eq!(file, &key.display().to_string());
        let text = e.to_string();
        assert!(!text.contains(PASSPHRASE), "{text}");
        assert!(!text.contains("wrong-passphrase"), "{text}");
    }
}

#[test]
fn openssh_agent_keys_log_in() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    // The agent offers a key the server does not know first, then an authorized RSA key.
    let stranger = f.user_key("id_stranger", "ed25519", "", &[]);
    let key = f.user_key("id_agent_rsa", "rsa", "", &[]);
    f.authorize(&key);
    let agent = Agent::start(f.dir.path());
    agent.add(&stranger);
    agent.add(&key);
    let sshd = f.sshd(free_port(), &[&f.host_ed25519], "");
    let rt = runtime();
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_ed25519]);
    let credentials = Credentials {
        agent: true,
        agent_socket: Some(agent.socket.clone()),
        ..Credentials::default()
    };
    let t = f.target(&sshd, credentials, known);
    let connection = expect_ok(connect(&rt, &t), &sshd);
    rt.block_on(connection.close());

    // An agent without the authorized key: the login fails, naming the agent.
    std::fs::create_dir(f.path("other")).unwrap();
    let empty = Agent::start(&f.path("other"));
    empty.add(&stranger);
    let mut t = t.clone();
    t.credentials.agent_socket = Some(empty.socket.clone());
    let e = error_of(connect(&rt, &t));
    assert!(
        matches!(&e, SshError::Auth { tried, .. } if tried == "agent"),
        "{e}"
    );
}

#[test]
fn openssh_accept_new_records_the_key_then_strict_knows_it() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    let key = f.user_key("id_ed25519", "ed25519", "", &[]);
    f.authorize(&key);
    let sshd = f.sshd(free_port(), &[&f.host_ed25519], "");
    let rt = runtime();
    let mut t = f.target(&sshd, key_credentials(&key), f.path("known_hosts"));
    let e = error_of(connect(&rt, &t));
    assert!(
        matches!(e, SshError::HostKey(HostKeyError::Unknown { .. })),
        "strict must refuse an unknown host: {e}"
    );
    t.host_keys = HostKeyPolicy::AcceptNew;
    let connection = expect_ok(connect(&rt, &t), &sshd);
    assert_eq!(connection.host_key, Verdict::Learned);
    rt.block_on(connection.close());
    t.host_keys = HostKeyPolicy::Strict;
    let connection = expect_ok(connect(&rt, &t), &sshd);
    assert_eq!(connection.host_key, Verdict::Known);
    rt.block_on(connection.close());
    // What was recorded is the server's own key, as OpenSSH would write it.
    let recorded = std::fs::read_to_string(&t.known_hosts).unwrap();
    let host_key = public_key_text(&f.host_ed25519);
    let base64 = host_key.split(' ').nth(1).unwrap();
    assert!(
        recorded.starts_with(&format!("[127.0.0.1]:{} ssh-ed25519 {base64}", sshd.port)),
        "{recorded}"
    );
}

#[test]
fn openssh_changed_host_key_fails_and_shows_both_fingerprints() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    let key = f.user_key("id_ed25519", "ed25519", "", &[]);
    f.authorize(&key);
    let port = free_port();
    let sshd = f.sshd(port, &[&f.host_ed25519], "");
    let rt = runtime();
    let mut t = f.target(&sshd, key_credentials(&key), f.path("known_hosts"));
    t.host_keys = HostKeyPolicy::AcceptNew;
    let connection = expect_ok(connect(&rt, &t), &sshd);
    assert_eq!(connection.host_key, Verdict::Learned);
    rt.block_on(connection.close());
    drop(sshd);

    // The "device" is replaced: same address and port, a new host key.
    let new_key = keygen(f.dir.path(), "host_ed25519_new", "ed25519", "", &[]);
    let sshd = f.sshd(port, &[&new_key], "");
    let fingerprint = |k: &Path| {
        let output = Command::new("ssh-keygen")
            .args(["-l", "-E", "sha256", "-f"])
            .arg(k)
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        text.split(' ').nth(1).unwrap().to_string()
    };
    for policy in [HostKeyPolicy::Strict, HostKeyPolicy::AcceptNew] {
        let t = Target {
            host_keys: policy,
            ..t.clone()
        };
        let e = match connect(&rt, &t) {
            Err(SshError::HostKey(e @ HostKeyError::Changed { .. })) => e,
            Err(other) => panic!("{policy:?}: a changed key must fail the host, got {other}"),
            Ok(_) => panic!("{policy:?}: a changed key must fail the host"),
        };
        let text = e.to_string();
        assert!(text.contains("HOST KEY CHANGED"), "{text}");
        assert!(text.contains(&fingerprint(&f.host_ed25519)), "{text}");
        assert!(text.contains(&fingerprint(&new_key)), "{text}");
        assert!(text.contains("known_hosts:1"), "{text}");
    }
    // Nothing was learned over the old line.
    let recorded = std::fs::read_to_string(&t.known_hosts).unwrap();
    assert_eq!(recorded.lines().count(), 1, "{recorded}");
    drop(sshd);
}

#[test]
fn openssh_legacy_only_server_needs_legacy_algorithms() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    let key = f.user_key("id_rsa", "rsa", "", &[]);
    f.authorize(&key);
    let sshd = f.sshd(
        free_port(),
        &[&f.host_rsa],
        "KexAlgorithms diffie-hellman-group14-sha1\n\
         HostKeyAlgorithms ssh-rsa\n\
         Ciphers aes128-cbc\n\
         MACs hmac-sha1\n\
         PubkeyAcceptedAlgorithms ssh-rsa",
    );
    let rt = runtime();
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_rsa]);
    let mut t = f.target(&sshd, key_credentials(&key), known);
    let e = error_of(connect(&rt, &t));
    assert!(
        matches!(e, SshError::Connect { .. }),
        "modern algorithms alone cannot reach a legacy-only server: {e}"
    );
    t.legacy_algorithms = true;
    let connection = expect_ok(connect(&rt, &t), &sshd);
    assert_eq!(connection.host_key, Verdict::Known);
    let n = &connection.negotiated;
    assert_eq!(
        (
            n.kex.as_str(),
            n.host_key.as_str(),
            n.cipher.as_str(),
            n.mac.as_str()
        ),
        (
            "diffie-hellman-group14-sha1",
            "ssh-rsa",
            "aes128-cbc",
            "hmac-sha1"
        ),
        "{n:?}"
    );
    rt.block_on(connection.close());
}

#[test]
fn openssh_group_exchange_with_only_2048_bit_groups_needs_legacy_algorithms() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    let key = f.user_key("id_ed25519", "ed25519", "", &[]);
    f.authorize(&key);
    // Only 2048-bit groups (size field 2047 in the moduli format), as old devices have.
    let moduli: String = std::fs::read_to_string("/etc/ssh/moduli")
        .expect("OpenSSH's /etc/ssh/moduli")
        .lines()
        .filter(|l| l.split_whitespace().nth(4) == Some("2047"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(!moduli.is_empty());
    std::fs::write(f.path("moduli"), moduli).unwrap();
    let sshd = f.sshd(
        free_port(),
        &[&f.host_ed25519],
        &format!(
            "KexAlgorithms diffie-hellman-group-exchange-sha1\nModuliFile {}",
            f.path("moduli").display()
        ),
    );
    let rt = runtime();
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_ed25519]);
    let mut t = f.target(&sshd, key_credentials(&key), known);
    let e = error_of(connect(&rt, &t));
    assert!(matches!(e, SshError::Connect { .. }), "{e}");
    // With legacy algorithms the client asks for 2048..8192 bits (russh's default minimum
    // is 3072) and takes the server's 2048-bit group.
    t.legacy_algorithms = true;
    let connection = expect_ok(connect(&rt, &t), &sshd);
    assert_eq!(
        connection.negotiated.kex,
        "diffie-hellman-group-exchange-sha1"
    );
    rt.block_on(connection.close());
    let log = sshd.log_text();
    assert!(!log.contains("no suitable primes"), "{log}");
}

#[test]
fn openssh_rsa_user_key_falls_back_to_ssh_rsa_signatures() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    let key = f.user_key("id_rsa", "rsa", "", &[]);
    f.authorize(&key);
    // Modern transport, but only SHA-1 `ssh-rsa` signatures are accepted for user keys.
    let sshd = f.sshd(
        free_port(),
        &[&f.host_ed25519],
        "PubkeyAcceptedAlgorithms ssh-rsa",
    );
    let rt = runtime();
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_ed25519]);
    let t = f.target(&sshd, key_credentials(&key), known);
    let connection = expect_ok(connect(&rt, &t), &sshd);
    rt.block_on(connection.close());
    // The server advertised rsa-sha2 and refused it; the SHA-1 retry got in.
    let log = sshd.log_text();
    assert!(log.contains("not in PubkeyAcceptedAlgorithms"), "{log}");
    assert!(log.contains("Accepted publickey"), "{log}");

    // The same key through the agent.
    let agent = Agent::start(f.dir.path());
    agent.add(&key);
    let t = Target {
        credentials: Credentials {
            agent: true,
            agent_socket: Some(agent.socket.clone()),
            ..Credentials::default()
        },
        ..t
    };
    let connection = expect_ok(connect(&rt, &t), &sshd);
    rt.block_on(connection.close());
}

#[test]
fn openssh_refused_key_fails_naming_what_was_tried_and_no_secret() {
    if !runs_as_root() {
        return;
    }
    const PASSPHRASE: &str = "refused-key-pass-4Kd";
    const PASSWORD: &str = "not-a-password-8Wq";
    let f = Fixture::new();
    let authorized = f.user_key("id_authorized", "ed25519", "", &[]);
    f.authorize(&authorized);
    let key = f.user_key("id_other", "ed25519", PASSPHRASE, &[]);
    let sshd = f.sshd(free_port(), &[&f.host_ed25519], "");
    let rt = runtime();
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_ed25519]);
    let mut credentials = key_credentials(&key);
    credentials.key_passphrase = Some(Secret::new(PASSPHRASE));
    let mut t = f.target(&sshd, credentials, known);
    let e = error_of(connect(&rt, &t));
    let SshError::Auth { user, tried } = &e else {
        panic!("a refused key must fail authentication, got {e}");
    };
    assert_eq!(
        (user.as_str(), tried.as_str()),
        (f.user.as_str(), "publickey")
    );
    assert!(!e.to_string().contains(PASSPHRASE), "{e}");

    // With a password too (which this server does not take): every method is named.
    t.credentials.password = Some(Secret::new(PASSWORD));
    let e = error_of(connect(&rt, &t));
    let text = e.to_string();
    assert!(matches!(e, SshError::Auth { .. }), "{text}");
    assert!(
        text.contains("publickey, password, keyboard-interactive"),
        "{text}"
    );
    assert!(
        !text.contains(PASSWORD) && !text.contains(PASSPHRASE),
        "{text}"
    );
}

#[test]
fn ssh_connect_to_a_server_that_never_speaks_times_out_on_time() {
    // A listener that accepts TCP (the kernel completes the handshake) and says nothing.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    let rt = runtime();
    let limit = Duration::from_millis(800);
    let t = Target {
        name: "silent".into(),
        address: address.ip().to_string(),
        port: address.port(),
        user: "admin".into(),
        credentials: Credentials {
            password: Some(Secret::new("unused")),
            ..Credentials::default()
        },
        host_keys: HostKeyPolicy::Off,
        known_hosts: PathBuf::from("/nonexistent/known_hosts"),
        legacy_algorithms: false,
        timeouts: Timeouts {
            connect: limit,
            command: Duration::from_secs(5),
        },
    };
    let started = Instant::now();
    let e = error_of(connect(&rt, &t));
    let waited = started.elapsed();
    let SshError::Timeout { what, after } = &e else {
        panic!("a silent server must time out, got {e}");
    };
    assert_eq!(*after, limit);
    assert!(what.contains(&address.to_string()), "{what}");
    assert!(
        waited >= limit && waited < limit + Duration::from_secs(2),
        "{waited:?}"
    );
    drop(listener);
}

#[test]
fn openssh_shell_finds_the_prompt_and_runs_commands() {
    if !runs_as_root() {
        return;
    }
    let f = Fixture::new();
    let key = f.user_key("id_ed25519", "ed25519", "", &[]);
    f.authorize(&key);
    let sshd = f.sshd(free_port(), &[&f.host_ed25519], "");
    let rt = runtime();
    let known = f.known_hosts("known_hosts", &sshd, &[&f.host_ed25519]);
    let connection = expect_ok(
        connect(&rt, &f.target(&sshd, key_credentials(&key), known)),
        &sshd,
    );
    rt.block_on(async {
        // The IOS-XE driver's setup (`terminal length 0`, `terminal width 0`) runs first.
        let mut shell = connection
            .shell(Platform::IosXe.cli(), None)
            .await
            .expect("the shell reaches its prompt");
        assert_eq!(shell.prompt, "router#");
        let out = shell.run("show clock").await.unwrap();
        assert_eq!(out.trim(), "you said: show clock");
        let Err(CommandError::Device(refused)) = shell.run("bogus command").await else {
            panic!("a refused line must be an error");
        };
        assert_eq!(refused.command, "bogus command");
        assert!(
            refused.message.starts_with("% Invalid input detected"),
            "{refused}"
        );
        assert_eq!(shell.prompt, "router#");
        shell.close().await;
        connection.close().await;
    });
}
