//! The whole lab at scale: the back-end and N devices (SSH, CLI, licensing agent) started
//! with `smartlic::lab::run`, as `smartlic lab fleet --count N` does, for 1,000 and 10,000
//! devices. Reports the start time, RSS before and after (idle memory per device), memory
//! per active SSH session, and the sessions per second the lab sustains when 200
//! concurrent clients log in over real SSH (russh) and run real CLI commands in a shell:
//! `terminal length 0`, `enable` where the device starts unprivileged,
//! `show license status`, `show running-config | section call-home`, `exit`.
//!
//! Each size runs in a fresh server process (so one size's freed memory does not flatter
//! the next), and the clients in another process (so the server's RSS is the lab's only);
//! both are this binary in different roles. Clients and lab share the machine's cores.
//!
//! `cargo bench --bench lab_fleet` (a few minutes); `LAB_FLEET_BENCH_SIZES=1000` for one
//! size, `LAB_FLEET_BENCH_CLIENTS=N` for another client count. Every loop is bounded in
//! count and time; only 127.0.0.0/8 is used (ports picked by the system).

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::PublicKeyOrCertificate;
use russh::{ChannelMsg, Disconnect};
use smartlic::lab::fleet::{FLEET_PORT, fleet_inventory};
use smartlic::lab::run::{self, LabOptions};
use smartlic::lab::spec::load_lab_spec;

const ROLE: &str = "LAB_FLEET_BENCH_ROLE";
const SIZES: &str = "LAB_FLEET_BENCH_SIZES";
/// The generated fleet's login (`lab fleet` writes it; test data, not a secret).
const USER: &str = "admin";
const PASSWORD: &str = "admin";
/// Shell sessions held open at once (one per device) to measure memory per session.
const HELD_SESSIONS: usize = 200;
/// Concurrent clients in the throughput loop.
const DEFAULT_CLIENTS: usize = 200;
/// The throughput loop stops after this long (or `MAX_SESSIONS`), whichever first.
const LOOP_TIME: Duration = Duration::from_secs(8);
const MAX_SESSIONS: usize = 20_000;
/// Any single client step (connect, auth, a prompt) that takes longer has failed.
const STEP_LIMIT: Duration = Duration::from_secs(20);
/// A whole size (server process) is killed after this.
const SIZE_LIMIT: Duration = Duration::from_secs(400);
/// What each client session types, after `terminal length 0` (and `enable`).
const COMMANDS: &[&str] = &[
    "show license status",
    "show running-config | section call-home",
];

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("server") => server(std::env::var("LAB_FLEET_BENCH_N").unwrap().parse().unwrap()),
        Ok("client") => client(),
        _ => driver(),
    }
}

// ---------------------------------------------------------------------------------------
// Driver: one lab process per size.

fn driver() {
    let sizes = std::env::var(SIZES).unwrap_or_else(|_| "1000,10000".into());
    println!(
        "lab_fleet: {} CPUs, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );
    for size in sizes
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
    {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(ROLE, "server")
            .env("LAB_FLEET_BENCH_N", size.to_string())
            .spawn()
            .unwrap();
        if !wait_bounded(&mut child, SIZE_LIMIT) {
            println!("devices={size}: did not finish in {SIZE_LIMIT:?}");
        }
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default()
}

fn wait_bounded(child: &mut Child, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

/// Resident memory of this process, in bytes.
fn rss() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .unwrap_or(0)
        * 1024
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

// ---------------------------------------------------------------------------------------
// Server: the whole lab of N devices; measures, drives a client process.

fn server(n: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // `lab fleet`'s inventory without its fixed port (absent: a free port each), so the
    // bench never clashes with a lab someone else runs on the fleet port.
    let text = fleet_inventory(n, &[]).replace(&format!("    ansible_port: {FLEET_PORT}\n"), "");
    let path = dir.path().join("fleet.yml");
    std::fs::write(&path, text).unwrap();
    let parsing = Instant::now();
    let spec = load_lab_spec(&path, None).unwrap();
    let parse_time = parsing.elapsed();
    runtime.block_on(async {
        let before = rss();
        let started = Instant::now();
        let lab = run::start_with(spec.hosts, spec.backend, &LabOptions::default())
            .await
            .unwrap();
        let start_time = started.elapsed();
        // Let every accept task and agent be polled once.
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let idle = rss();
        let file = dir.path().join("addresses.txt");
        let lines: Vec<String> = lab.devices.iter().map(|d| d.address.to_string()).collect();
        std::fs::write(&file, lines.join("\n")).unwrap();

        let (active, rate) = drive_client(&file, idle).await;
        let after = rss();
        println!(
            "devices={n:>6}  inventory parse={:>7.1} ms  lab start={:>7.1} ms  \
             RSS {:.1} → {:.1} MiB idle ({:.1} KiB/device)  active session={} KiB",
            parse_time.as_secs_f64() * 1e3,
            start_time.as_secs_f64() * 1e3,
            mib(before),
            mib(idle),
            idle.saturating_sub(before) as f64 / n as f64 / 1024.0,
            active.map_or("?".into(), |b| format!("{:.1}", b as f64 / 1024.0)),
        );
        println!("                {rate}");
        println!("                RSS after the load: {:.1} MiB", mib(after));
        lab.shutdown().await;
    });
}

/// Runs the client process; returns memory per held session and the throughput line.
async fn drive_client(file: &std::path::Path, idle: usize) -> (Option<usize>, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, "client")
        .env("LAB_FLEET_BENCH_ADDRS", file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut active = None;
    let mut rate = String::from("sessions/s=?");
    // The client's lines arrive on a blocking reader: read them off the runtime.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(4);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    let deadline = tokio::time::Instant::now() + SIZE_LIMIT;
    while let Ok(Some(line)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        if let Some(held) = line.strip_prefix("held ") {
            let held: usize = held.parse().unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(500)).await;
            active = rss().saturating_sub(idle).checked_div(held);
            let _ = writeln!(input, "go");
        } else if let Some(result) = line.strip_prefix("rate ") {
            rate = result.to_string();
        }
    }
    let _ = tokio::task::spawn_blocking(move || wait_bounded(&mut child, STEP_LIMIT)).await;
    (active, rate)
}

// ---------------------------------------------------------------------------------------
// Client: hold sessions, then many clients in a loop of log in, type, log out.

struct AnyKey;

impl client::Handler for AnyKey {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true) // measuring, not testing: the tests check keys
    }
}

async fn login(address: SocketAddr) -> Result<client::Handle<AnyKey>, String> {
    let config = Arc::new(client::Config {
        nodelay: true,
        ..client::Config::default()
    });
    let connect = client::connect(config, address, AnyKey);
    let mut session = tokio::time::timeout(STEP_LIMIT, connect)
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| e.to_string())?;
    let auth = tokio::time::timeout(STEP_LIMIT, session.authenticate_password(USER, PASSWORD))
        .await
        .map_err(|_| "auth timed out".to_string())?
        .map_err(|e| e.to_string())?;
    auth.success()
        .then_some(session)
        .ok_or_else(|| "auth rejected".to_string())
}

/// A device's shell, and its prompt's host name once seen.
struct Shell {
    session: client::Handle<AnyKey>,
    channel: russh::Channel<client::Msg>,
    hostname: String,
    privileged: bool,
}

impl Shell {
    /// Logs in and opens a shell with a PTY, up to the first prompt.
    async fn open(address: SocketAddr) -> Result<Shell, String> {
        let session = login(address).await?;
        let channel = session
            .channel_open_session()
            .await
            .map_err(|e| e.to_string())?;
        channel
            .request_pty(true, "vt100", 200, 24, 0, 0, &[])
            .await
            .map_err(|e| e.to_string())?;
        channel
            .request_shell(true)
            .await
            .map_err(|e| e.to_string())?;
        let mut shell = Shell {
            session,
            channel,
            hostname: String::new(),
            privileged: false,
        };
        let banner = shell.until_prompt().await?;
        let prompt = banner.trim_end().lines().last().unwrap_or("").trim_end();
        shell.privileged = prompt.ends_with('#');
        shell.hostname = prompt.trim_end_matches(['#', '>']).to_string();
        Ok(shell)
    }

    /// Reads until the output ends in a prompt (`#` or `>`, after the host name once it
    /// is known); what was read.
    async fn until_prompt(&mut self) -> Result<String, String> {
        let mut out = Vec::new();
        let deadline = tokio::time::Instant::now() + STEP_LIMIT;
        loop {
            match tokio::time::timeout_at(deadline, self.channel.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => out.extend_from_slice(&data),
                Ok(Some(_)) => continue,
                Ok(None) => return Err("channel closed".into()),
                Err(_) => return Err("no prompt in time".into()),
            }
            let text = String::from_utf8_lossy(&out);
            let end = text.trim_end();
            let last = end.lines().last().unwrap_or("");
            let prompt = (end.ends_with('#') || end.ends_with('>'))
                && (self.hostname.is_empty() || last.starts_with(&self.hostname));
            if prompt {
                return Ok(text.into_owned());
            }
        }
    }

    async fn run(&mut self, command: &str) -> Result<String, String> {
        self.channel
            .data(format!("{command}\r").as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        self.until_prompt().await
    }

    /// The session of the throughput loop: type the commands, log out.
    async fn work(mut self) -> Result<usize, String> {
        let mut commands = 0;
        self.run("terminal length 0").await?;
        commands += 1;
        if !self.privileged {
            self.run("enable").await?;
            commands += 1;
        }
        for command in COMMANDS {
            self.run(command).await?;
            commands += 1;
        }
        let _ = self.channel.data(&b"exit\r"[..]).await;
        let _ = self
            .session
            .disconnect(Disconnect::ByApplication, "", "")
            .await;
        Ok(commands + 1)
    }
}

fn client() {
    let file = std::env::var("LAB_FLEET_BENCH_ADDRS").unwrap();
    let addresses: Vec<SocketAddr> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter_map(|l| l.parse().ok())
        .collect();
    let clients = std::env::var("LAB_FLEET_BENCH_CLIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CLIENTS);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let held = hold_many(&addresses).await;
        println!("held {}", held.len());
        std::io::stdout().flush().unwrap();
        let mut go = String::new();
        let _ = std::io::stdin().read_line(&mut go);
        drop(held);
        let result = throughput(Arc::new(addresses), clients).await;
        println!(
            "rate sessions/s={:.0}, commands/s={:.0} ({} sessions of {} commands in {:.1} s, {clients} concurrent clients, {} failed{}; session p50={:.0} ms p99={:.0} ms)",
            result.ok as f64 / result.secs,
            result.commands as f64 / result.secs,
            result.ok,
            result.commands.checked_div(result.ok).unwrap_or(0),
            result.secs,
            result.failed,
            result
                .first_error
                .as_ref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default(),
            result.percentile(0.50),
            result.percentile(0.99),
        );
    });
}

async fn hold_many(addresses: &[SocketAddr]) -> Vec<Shell> {
    let mut held = Vec::new();
    // In batches, one device each, so the lab sees many active devices at once.
    for batch in (0..HELD_SESSIONS.min(addresses.len()))
        .collect::<Vec<_>>()
        .chunks(20)
    {
        let tasks: Vec<_> = batch
            .iter()
            .map(|&i| tokio::spawn(Shell::open(addresses[i])))
            .collect();
        for task in tasks {
            if let Ok(Ok(shell)) = task.await {
                held.push(shell);
            }
        }
    }
    held
}

struct Throughput {
    ok: usize,
    failed: usize,
    commands: usize,
    secs: f64,
    first_error: Option<String>,
    /// Each successful session's duration, ms, sorted.
    durations: Vec<f64>,
}

impl Throughput {
    fn percentile(&self, p: f64) -> f64 {
        if self.durations.is_empty() {
            return 0.0;
        }
        let i = ((self.durations.len() - 1) as f64 * p).round() as usize;
        self.durations[i]
    }
}

async fn throughput(addresses: Arc<Vec<SocketAddr>>, clients: usize) -> Throughput {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (addresses, next) = (addresses.clone(), next.clone());
            tokio::spawn(async move {
                let mut ok = Vec::new();
                let mut commands = 0;
                let mut failed = 0;
                let mut first_error = None;
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= MAX_SESSIONS || started.elapsed() > LOOP_TIME {
                        break;
                    }
                    // Spread over the fleet, so sessions land on many devices.
                    let address = addresses[(i * 7919) % addresses.len()];
                    let begun = Instant::now();
                    let done = match Shell::open(address).await {
                        Ok(shell) => shell.work().await,
                        Err(e) => Err(e),
                    };
                    match done {
                        Ok(n) => {
                            commands += n;
                            ok.push(begun.elapsed().as_secs_f64() * 1e3);
                        }
                        Err(e) => {
                            failed += 1;
                            first_error.get_or_insert(e);
                        }
                    }
                }
                (ok, commands, failed, first_error)
            })
        })
        .collect();
    let mut result = Throughput {
        ok: 0,
        failed: 0,
        commands: 0,
        secs: 0.0,
        first_error: None,
        durations: Vec::new(),
    };
    for worker in workers {
        if let Ok((ok, commands, failed, error)) = worker.await {
            result.ok += ok.len();
            result.durations.extend(ok);
            result.commands += commands;
            result.failed += failed;
            if result.first_error.is_none() {
                result.first_error = error;
            }
        }
    }
    result.secs = started.elapsed().as_secs_f64();
    result.durations.sort_by(f64::total_cmp);
    result
}
