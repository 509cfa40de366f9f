//! Live `plan` and `apply` against the lab fleet, side by side: 100, 1,000 and 10,000
//! devices, at `--forks` 50 (the default) and 200. Reports, per run, the wall time, hosts
//! per second and smartlic's peak memory (RSS), with the outcome counts from the run's own
//! JSON recap, the lab's CPU time and the machine's load.
//!
//! Three processes, so that smartlic's figures are its own:
//! - the lab: `smartlic lab serve -i INV --known-hosts F` on `smartlic lab fleet`'s
//!   inventory (every device on its own 127.x.y.z address, one fixed port), a fresh lab for
//!   each (size, forks) pair, since an apply registers every device;
//! - smartlic: the real binary, `smartlic plan|apply -i INV PLAYBOOK --known-hosts F
//!   --forks K --format json`, under `/usr/bin/time` for its peak RSS (`wait4`'s maxrss);
//!   the intent's `token: {env: SMARTLIC_TOKEN}` comes from the child's environment,
//!   minted with `smartlic lab token create` (never printed, never on a command line);
//! - this driver, which only waits, reads `/proc` and prints the table.
//!
//! The intent is what a fleet owner would write per platform: direct transport to CSSM,
//! the lab's name server 198.51.100.53, register and verify (ACI: configure and register).
//! Plan reads each device (`show version`, `show running-config`, `show license status`)
//! and diffs; apply also types the lines, saves, registers, polls `show license status`
//! until registered (first poll after 2 s) and verifies.
//!
//! `cargo bench --bench live_fleet` (release; about 11 minutes on 2 cores, plus the build).
//! `LIVE_FLEET_SIZES=100,1000` limits the sizes, `LIVE_FLEET_FORKS=50` the forks values,
//! `LIVE_FLEET_MODES=plan` the verbs. Loopback only; every child has a time limit.
//!
//! Two series: the lab as fast as it can answer (`--latency instant`) and with the
//! realistic latency profile (`--latency realistic`: SSH set-up, per-command and NX-OS
//! `write memory` delays from public measurements, docs/lab.md "Latency profiles"), each
//! on its own fresh lab. `LIVE_FLEET_LATENCY=instant` (or `realistic`) runs one of them.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use smartlic::lab::fleet::{FLEET_PORT, fleet_inventory};

/// The port every bench device listens on (not `lab fleet`'s 2222, so the bench never
/// clashes with a fleet someone is serving by hand).
const BENCH_PORT: u16 = 2422;
/// A lab that has not printed its admin address after this has failed.
const LAB_START_LIMIT: Duration = Duration::from_secs(60);
/// One smartlic run is killed after this.
const RUN_LIMIT: Duration = Duration::from_secs(900);

/// The intent every device gets, and the per-platform differences.
const GROUP_VARS_ALL: &str = "\
smart_licensing:
  licensing_model: auto
  transport: direct
  token: {env: SMARTLIC_TOKEN}
  contact_email: sch-smart-licensing@cisco.com
  dns:
    servers: [198.51.100.53]     # the lab's name server
  expect: {timeout: 2m}
# The lab's default virtual account holds 1,000 of each license: enough for 1,000 devices,
# not 10,000 (the rest would register but stay out of compliance, and time out).
lab_backend:
  accounts:
    - name: Example Account
      virtual_accounts:
        - name: Default
          default_count: 1000000
";
const GROUP_VARS_APIC: &str = "\
smart_licensing:
  dns: null                      # APIC resolves through the fabric's own DNS policy
";
const PLAYBOOK: &str = "\
- name: Catalyst, straight to CSSM
  hosts: lab_ios_xe_classic:lab_ios_xe_policy
  steps: [configure, register, verify]
- name: Nexus, straight to CSSM
  hosts: lab_nx_os_classic:lab_nx_os_policy
  steps: [configure, register, verify]
- name: ACI fabric
  hosts: lab_apic_classic
  steps: [configure, register]
";

fn main() {
    let sizes = list("LIVE_FLEET_SIZES", "100,1000,10000");
    let forks = list("LIVE_FLEET_FORKS", "50,200");
    let modes: Vec<String> = std::env::var("LIVE_FLEET_MODES")
        .unwrap_or_else(|_| "plan,apply".into())
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| m == "plan" || m == "apply")
        .collect();
    let latencies: Vec<String> = std::env::var("LIVE_FLEET_LATENCY")
        .unwrap_or_else(|_| "instant,realistic".into())
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| m == "instant" || m == "realistic")
        .collect();
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_smartlic"));
    println!(
        "live_fleet: {} CPUs, {}; smartlic = {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        binary.display()
    );
    println!(
        "{:<9} {:>6} {:>5} {:<5} {:>9} {:>8} {:>10} {:>9} {:>8} {:>16}  outcomes",
        "latency",
        "hosts",
        "forks",
        "verb",
        "wall s",
        "hosts/s",
        "peak MiB",
        "cpu s",
        "lab cpu",
        "load (1m) b → a"
    );
    let started = Instant::now();
    for &n in &sizes {
        let dir = tempfile::tempdir().unwrap();
        write_estate(dir.path(), n);
        for (&k, latency) in forks
            .iter()
            .flat_map(|k| latencies.iter().map(move |l| (k, l)))
        {
            // A fresh lab: the apply before registered every device.
            let lab = match Lab::start(&binary, dir.path(), latency) {
                Ok(lab) => lab,
                Err(e) => {
                    println!("{latency:<9} {n:>6} {k:>5} lab did not start: {e}");
                    continue;
                }
            };
            for mode in &modes {
                let token = mint_token(&binary, &lab.admin);
                let load_before = loadavg();
                let lab_cpu = cpu_seconds(lab.child.id());
                let run = run_smartlic(&binary, dir.path(), mode, k, &token);
                let lab_cpu = cpu_seconds(lab.child.id()) - lab_cpu;
                match run {
                    Ok(r) => println!(
                        "{latency:<9} {n:>6} {k:>5} {mode:<5} {:>9.2} {:>8.0} {:>10.1} {:>9.1} {:>8.1} {:>7.2} → {:>5.2}  {}",
                        r.wall.as_secs_f64(),
                        n as f64 / r.wall.as_secs_f64(),
                        r.peak_kib as f64 / 1024.0,
                        r.cpu,
                        lab_cpu,
                        load_before,
                        loadavg(),
                        r.recap,
                    ),
                    Err(e) => println!("{latency:<9} {n:>6} {k:>5} {mode:<5} failed: {e}"),
                }
            }
            lab.stop();
        }
    }
    println!("total {:.0} s", started.elapsed().as_secs_f64());
}

fn list(var: &str, default: &str) -> Vec<usize> {
    std::env::var(var)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().replace('_', "").parse().ok())
        .collect()
}

/// `lab fleet`'s inventory on the bench port, group_vars and the playbook.
fn write_estate(dir: &Path, n: usize) {
    let inventory = fleet_inventory(n, &[]).replace(
        &format!("ansible_port: {FLEET_PORT}"),
        &format!("ansible_port: {BENCH_PORT}"),
    );
    std::fs::write(dir.join("hosts.yml"), inventory).unwrap();
    std::fs::create_dir_all(dir.join("group_vars")).unwrap();
    std::fs::write(dir.join("group_vars/all.yml"), GROUP_VARS_ALL).unwrap();
    std::fs::write(dir.join("group_vars/lab_apic_classic.yml"), GROUP_VARS_APIC).unwrap();
    std::fs::write(dir.join("play.yml"), PLAYBOOK).unwrap();
}

/// The lab in a child process.
struct Lab {
    child: Child,
    admin: String,
}

impl Lab {
    fn start(binary: &Path, dir: &Path, latency: &str) -> Result<Lab, String> {
        let mut child = Command::new(binary)
            .args([
                "lab",
                "serve",
                "--color",
                "never",
                "--latency",
                latency,
                "-i",
            ])
            .arg(dir.join("hosts.yml"))
            .arg("--known-hosts")
            .arg(dir.join("known_hosts"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("lab.err")).unwrap())
            .spawn()
            .map_err(|e| e.to_string())?;
        // `back-end admin: 127.0.0.1:PORT` comes after the devices are up and the
        // known_hosts file is written; the rest of the output is drained in a thread.
        let (tx, rx) = std::sync::mpsc::channel();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        std::thread::spawn(move || {
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(admin) = line.strip_prefix("back-end admin: ") {
                    let _ = tx.send(admin.trim().to_string());
                }
            }
        });
        match rx.recv_timeout(LAB_START_LIMIT) {
            Ok(admin) => Ok(Lab { child, admin }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let mut err = String::new();
                let _ = std::fs::File::open(dir.join("lab.err"))
                    .and_then(|mut f| f.read_to_string(&mut err));
                Err(err.lines().last().unwrap_or("no admin address").to_string())
            }
        }
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CSSM token with unlimited uses, as `smartlic lab token create` prints it.
fn mint_token(binary: &Path, admin: &str) -> String {
    let out = Command::new(binary)
        .args(["lab", "token", "create", "--admin", admin])
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "lab token create failed");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Run {
    wall: Duration,
    peak_kib: u64,
    /// smartlic's user + system CPU seconds.
    cpu: f64,
    recap: String,
}

/// One `smartlic plan|apply` in a child process: wall time, peak RSS, the recap.
fn run_smartlic(
    binary: &Path,
    dir: &Path,
    mode: &str,
    forks: usize,
    token: &str,
) -> Result<Run, String> {
    let (out, err, usage) = (
        dir.join("run.json"),
        dir.join("run.err"),
        dir.join("run.time"),
    );
    let started = Instant::now();
    // /usr/bin/time reports wait4's maxrss: the true peak, even one reached just before
    // exit (while the JSON is written); `timeout` bounds the run.
    let mut child = Command::new("/usr/bin/time")
        .arg("-o")
        .arg(&usage)
        .args(["-f", "%M %U %S", "timeout", "-s", "KILL"])
        .arg(RUN_LIMIT.as_secs().to_string())
        .arg(binary)
        .args([mode, "--color", "never", "--format", "json", "-i"])
        .arg(dir.join("hosts.yml"))
        .arg(dir.join("play.yml"))
        .arg("--known-hosts")
        .arg(dir.join("known_hosts"))
        .args(["--forks", &forks.to_string()])
        .args((mode == "apply").then_some("--auto-approve"))
        .env("SMARTLIC_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .map_err(|e| format!("/usr/bin/time: {e}"))?;
    let status = child.wait().map_err(|e| e.to_string())?;
    let wall = started.elapsed();
    // 0, 1 (some host failed) and 2 (changes) are runs; anything else is not.
    if !matches!(status.code(), Some(0..=2)) {
        let text = std::fs::read_to_string(&err).unwrap_or_default();
        return Err(format!(
            "{status}: {}",
            text.lines().last().unwrap_or_default()
        ));
    }
    let usage = std::fs::read_to_string(&usage).unwrap_or_default();
    let fields: Vec<&str> = usage
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let number = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    #[derive(serde::Deserialize)]
    struct Doc {
        recap: serde_json::Value,
    }
    let recap = std::fs::File::open(&out)
        .ok()
        .and_then(|f| serde_json::from_reader::<_, Doc>(BufReader::new(f)).ok())
        .map(|d| {
            ["ok", "changed", "failed", "unreachable"]
                .iter()
                .filter_map(|k| {
                    let v = d.recap.get(k)?.as_u64()?;
                    (v > 0).then(|| format!("{k}={v}"))
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "no recap".into());
    Ok(Run {
        wall,
        peak_kib: number(0).unwrap_or(0.0) as u64,
        cpu: number(1).unwrap_or(0.0) + number(2).unwrap_or(0.0),
        recap,
    })
}

/// User + system CPU seconds of a process so far (`/proc/PID/stat`, 100 ticks/s).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line: 11 and 12 counted from the state.
    (ticks(11) + ticks(12)) / 100.0
}

fn loadavg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
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
