//! The table of bad inputs: one folder per case under tests/fixtures/bad/, each with its
//! input files and a `case.yml`:
//!
//! ```yaml
//! args: [validate, -i, hosts.yml, play.yml]   # the command line (default: this one)
//! exit: 3                                     # 3 invalid input, 4 usage
//! at: host_vars/sw1.yml:2                     # the file:line the error names, if a file
//! field: smart_licensing.vrf                  # the field it names
//! message: is not a VRF name                  # a fragment of the message
//! ```
//!
//! Each case runs the binary in its folder under a bound on time (30 s) and memory
//! (2 GiB of address space), and must print the field, the place and the message on
//! stderr, exit with its code, and never print a secret: every secret planted in the
//! cases contains `CANARY`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::root;

const TIME_LIMIT: Duration = Duration::from_secs(30);
const MEMORY_LIMIT_KIB: u64 = 2 * 1024 * 1024;

struct Case {
    args: Vec<String>,
    exit: i32,
    at: Option<String>,
    field: Option<String>,
    message: Option<String>,
}

fn read_case(dir: &Path) -> Case {
    let node = smartlic::yaml::load_file(&dir.join("case.yml"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let text = |key: &str| node.get(key).and_then(|n| n.scalar()).map(str::to_string);
    let args = match node.get("args").and_then(|n| n.items()) {
        Some(items) => items
            .iter()
            .map(|n| n.scalar().expect("args are strings").to_string())
            .collect(),
        None => ["validate", "-i", "hosts.yml", "play.yml"]
            .map(String::from)
            .to_vec(),
    };
    let exit = node
        .get("exit")
        .and_then(|n| n.as_int())
        .unwrap_or_else(|| panic!("{}: case.yml has no exit", dir.display()));
    Case {
        args,
        exit: exit as i32,
        at: text("at"),
        field: text("field"),
        message: text("message"),
    }
}

/// Runs smartlic in `dir` under the time and memory bounds; `None` if it ran out of time.
fn run_bounded(dir: &Path, args: &[String]) -> Option<(Option<i32>, String, String)> {
    let out_dir = tempfile::tempdir().unwrap();
    let (stdout, stderr) = (out_dir.path().join("out"), out_dir.path().join("err"));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_smartlic"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SMARTLIC_STORE", out_dir.path().join("state.db"))
        .env("SMARTLIC_LAB_DIR", out_dir.path())
        .env_remove("SMARTLIC_TOKEN")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("sh runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    Some((status.code(), read(&stdout), read(&stderr)))
}

fn check(dir: &Path) -> Vec<String> {
    let case = read_case(dir);
    let name = dir.file_name().unwrap().to_string_lossy();
    let Some((code, stdout, stderr)) = run_bounded(dir, &case.args) else {
        return vec![format!("{name}: still running after {TIME_LIMIT:?}")];
    };
    let mut failures = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            failures.push(format!("{name}: {what}\n--- stderr\n{stderr}"));
        }
    };
    expect(
        code == Some(case.exit),
        format!("exit {code:?}, expected {}", case.exit),
    );
    for (what, wanted) in [
        ("place", &case.at),
        ("field", &case.field),
        ("message", &case.message),
    ] {
        if let Some(wanted) = wanted {
            expect(
                stderr.contains(wanted.as_str()),
                format!("no {what} `{wanted}`"),
            );
        }
    }
    expect(
        !stdout.contains("CANARY") && !stderr.contains("CANARY"),
        "a secret was printed".to_string(),
    );
    failures
}

#[test]
fn every_bad_input_is_refused_with_its_place_and_field() {
    let cases = root().join("tests/fixtures/bad");
    let mut dirs: Vec<_> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 150, "only {} bad-input cases", dirs.len());
    let failures: Vec<String> = dirs.iter().flat_map(|d| check(d)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n\n")
    );
}
