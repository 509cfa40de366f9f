//! The lab's SSH server at scale (issue 3, "Tests and measurements"): serve 1,000 and
//! 10,000 devices and report start time, idle memory per device, memory per active
//! session and sessions per second. Goals: 10,000 devices from one process, under
//! 50 KiB idle memory per device.
//!
//! Each size runs in a fresh server process (so one size's freed memory does not flatter
//! the next), and the SSH clients run in another process (so the server's RSS counts the
//! server only). The processes are this same binary in different roles. Clients and
//! server share the machine's cores, so sessions per second is what the lab sustains with
//! its clients on the same box, as in CI.
//!
//! `cargo bench --bench lab_ssh` (about a minute); `LAB_SSH_BENCH_SIZES=1000` for one
//! size. Every loop is bounded in count and time; only 127.0.0.0/8 is used.

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use russh::client;
use russh::keys::PublicKeyOrCertificate;
use russh::{ChannelMsg, Disconnect};
use smartlic::lab::fleet::fleet_address;
use smartlic::lab::secret::Secret;
use smartlic::lab::ssh::{self, Endpoint, SshFaults};
use smartlic::lab::terminal::{Console, Output, Terminal};

const ROLE: &str = "LAB_SSH_BENCH_ROLE";
const SIZES: &str = "LAB_SSH_BENCH_SIZES";
const USER: &str = "admin";
const PASSWORD: &str = "admin";
/// Shell sessions held open at once to measure memory per active session.
const HELD_SESSIONS: usize = 200;
/// The throughput loop stops at this many sessions or after this long, whichever first.
const MAX_SESSIONS: usize = 3_000;
const MAX_LOOP_TIME: Duration = Duration::from_secs(20);
const CLIENT_WORKERS: usize = 8;
/// Any single client step (connect, auth, a reply) that takes longer has failed.
const STEP_LIMIT: Duration = Duration::from_secs(10);
/// A whole size (server process) is killed after this.
const SIZE_LIMIT: Duration = Duration::from_secs(300);

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("server") => server(std::env::var("LAB_SSH_BENCH_N").unwrap().parse().unwrap()),
        Ok("client") => client(),
        _ => driver(),
    }
}

// ---------------------------------------------------------------------------------------
// Driver: one server process per size.

fn driver() {
    let sizes = std::env::var(SIZES).unwrap_or_else(|_| "1000,10000".into());
    println!(
        "lab_ssh: {} CPUs, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );
    for size in sizes
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
    {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(ROLE, "server")
            .env("LAB_SSH_BENCH_N", size.to_string())
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

// ---------------------------------------------------------------------------------------
// Server: serve N devices, measure, drive a client process.

/// A device that answers like a small IOS box: banner, prompt, a `show version`-sized
/// reply to anything.
struct BenchConsole;
struct BenchTerminal;

const REPLY: &str = "Cisco IOS XE Software, Version 17.09.04a\r\n";

impl Console for BenchConsole {
    fn open(&self) -> Box<dyn Terminal> {
        Box::new(BenchTerminal)
    }
    fn exec(&self, _command: &str) -> (Vec<u8>, u32) {
        (REPLY.repeat(20).into_bytes(), 0)
    }
}

impl Terminal for BenchTerminal {
    fn start(&mut self, _pty: bool) -> Output {
        Output::text("\r\nlab#")
    }
    fn input(&mut self, data: &[u8]) -> Output {
        Output {
            bytes: data.to_vec(),
            ..Output::default()
        }
    }
}

fn endpoints(n: usize) -> Vec<Endpoint> {
    let console: Arc<dyn Console> = Arc::new(BenchConsole);
    (0..n)
        .map(|i| {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
            Endpoint {
                name: format!("dev{i}"),
                listen: format!("{}:0", fleet_address(i)).parse().unwrap(),
                host_key_seed: seed,
                users: vec![(USER.to_string(), Secret::new(PASSWORD))],
                faults: SshFaults::default(),
                console: Arc::clone(&console),
                handshake: Duration::ZERO,
            }
        })
        .collect()
}

fn server(n: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let list = endpoints(n);
        let before = rss();
        let started = Instant::now();
        let served = ssh::serve(list).await.unwrap();
        let start_time = started.elapsed();
        // Let every accept task be polled once (registered with the reactor).
        tokio::time::sleep(Duration::from_millis(500)).await;
        let idle = rss();
        let addresses: Vec<SocketAddr> = served.addresses().map(|(_, a)| a).collect();
        let file = std::env::temp_dir().join(format!("lab_ssh_bench_{}.txt", std::process::id()));
        let text: Vec<String> = addresses.iter().map(|a| a.to_string()).collect();
        std::fs::write(&file, text.join("\n")).unwrap();

        let (active, rate) = drive_client(&file, idle).await;
        let _ = std::fs::remove_file(&file);
        println!(
            "devices={n:>6}  start={:>7.1} ms  idle/device={:>6.2} KiB (RSS {:.1} → {:.1} MiB)  \
             active session={} KiB  {rate}",
            start_time.as_secs_f64() * 1e3,
            (idle.saturating_sub(before)) as f64 / n as f64 / 1024.0,
            before as f64 / 1048576.0,
            idle as f64 / 1048576.0,
            active.map_or("?".into(), |b| format!("{:.1}", b as f64 / 1024.0)),
        );
        let (accepted, _) = served.connections();
        println!("                connections accepted by the server: {accepted}");
        served.shutdown().await;
    });
}

/// Runs the client process; returns memory per held session and the throughput line.
async fn drive_client(file: &std::path::Path, idle: usize) -> (Option<usize>, String) {
    let file = file.to_path_buf();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, "client")
        .env("LAB_SSH_BENCH_ADDRS", &file)
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
// Client: hold sessions, then loop connect+auth+exec+close.

struct AnyKey;

impl client::Handler for AnyKey {
    type Error = russh::Error;
    async fn check_server_key(&mut self, _: &PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true) // measuring, not testing: the tests check keys
    }
}

async fn login(address: SocketAddr) -> Result<client::Handle<AnyKey>, String> {
    // As OpenSSH does for interactive sessions; with Nagle each round trip waits ~40 ms.
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

/// A shell with a PTY, up to its first prompt.
async fn hold(
    address: SocketAddr,
) -> Result<(client::Handle<AnyKey>, russh::Channel<client::Msg>), String> {
    let session = login(address).await?;
    let mut channel = session
        .channel_open_session()
        .await
        .map_err(|e| e.to_string())?;
    channel
        .request_pty(true, "vt100", 80, 24, 0, 0, &[])
        .await
        .map_err(|e| e.to_string())?;
    channel
        .request_shell(true)
        .await
        .map_err(|e| e.to_string())?;
    loop {
        match tokio::time::timeout(STEP_LIMIT, channel.wait()).await {
            Ok(Some(ChannelMsg::Data { data })) if data.ends_with(b"#") => break,
            Ok(Some(_)) => {}
            _ => return Err("no prompt".into()),
        }
    }
    Ok((session, channel))
}

/// One connect + auth + exec + close.
async fn one_session(address: SocketAddr) -> Result<(), String> {
    let session = login(address).await?;
    let mut channel = session
        .channel_open_session()
        .await
        .map_err(|e| e.to_string())?;
    channel
        .exec(true, "show version")
        .await
        .map_err(|e| e.to_string())?;
    let mut status = None;
    while let Ok(Some(msg)) = tokio::time::timeout(STEP_LIMIT, channel.wait()).await {
        match msg {
            ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
            ChannelMsg::Close => break,
            _ => {}
        }
    }
    let _ = session.disconnect(Disconnect::ByApplication, "", "").await;
    (status == Some(0))
        .then_some(())
        .ok_or_else(|| "no exit status".into())
}

fn client() {
    let file = std::env::var("LAB_SSH_BENCH_ADDRS").unwrap();
    let addresses: Vec<SocketAddr> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter_map(|l| l.parse().ok())
        .collect();
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
        let (ok, failed, secs) = throughput(Arc::new(addresses)).await;
        println!(
            "rate sessions/s={:.0} ({ok} sessions in {secs:.1} s, {CLIENT_WORKERS} clients, {failed} failed)",
            ok as f64 / secs
        );
    });
}

async fn hold_many(
    addresses: &[SocketAddr],
) -> Vec<(client::Handle<AnyKey>, russh::Channel<client::Msg>)> {
    let mut held = Vec::new();
    // In batches, one device each, so the server sees many active devices at once.
    for batch in (0..HELD_SESSIONS.min(addresses.len()))
        .collect::<Vec<_>>()
        .chunks(20)
    {
        let tasks: Vec<_> = batch
            .iter()
            .map(|&i| tokio::spawn(hold(addresses[i])))
            .collect();
        for task in tasks {
            if let Ok(Ok(session)) = task.await {
                held.push(session);
            }
        }
    }
    held
}

async fn throughput(addresses: Arc<Vec<SocketAddr>>) -> (usize, usize, f64) {
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENT_WORKERS)
        .map(|_| {
            let (addresses, next) = (addresses.clone(), next.clone());
            let (ok, failed) = (ok.clone(), failed.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= MAX_SESSIONS || started.elapsed() > MAX_LOOP_TIME {
                        break;
                    }
                    let counter = match one_session(addresses[i % addresses.len()]).await {
                        Ok(()) => &ok,
                        Err(_) => &failed,
                    };
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let secs = started.elapsed().as_secs_f64();
    (
        ok.load(Ordering::SeqCst),
        failed.load(Ordering::SeqCst),
        secs,
    )
}
