//! Helpers shared by the integration tests: running the binary, golden files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root (tests run with it as the working directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The run store the tests' live runs share (one per test process, outside the
/// repository); a test about the store passes its own `SMARTLIC_STORE`.
pub fn shared_store() -> PathBuf {
    std::env::temp_dir().join(format!("smartlic-tests-{}/state.db", std::process::id()))
}

/// Runs `smartlic` in `dir` with `args`, with colour off and no inherited token.
pub fn smartlic(dir: &Path, args: &[&str]) -> Output {
    smartlic_env(dir, args, &[])
}

/// The token variables the shipped inventories name, set to token-shaped test values:
/// `validate` and `apply` read every token source before anything is done.
pub const TOKENS: [(&str, &str); 2] = [
    ("SMARTLIC_TOKEN", "VGVzdFRva2VuLWZvci12YWxpZGF0ZQ"),
    ("SMARTLIC_SATELLITE_TOKEN", "U2F0ZWxsaXRlLXRlc3QtdG9rZW4"),
];

/// `smartlic` with [`TOKENS`] set.
pub fn smartlic_with_tokens(dir: &Path, args: &[&str]) -> Output {
    smartlic_env(dir, args, &TOKENS)
}

/// As [`smartlic`], with `env` set. Each call has a lab folder of its own
/// (`SMARTLIC_LAB_DIR`, unless `env` names one), so a `--lab` run starts from factory
/// state as these tests expect, whatever another test or the repository's `.smartlic/lab`
/// saved.
pub fn smartlic_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let lab_dir = tempfile::tempdir().expect("a temporary lab folder");
    let mut command = command(dir, args, lab_dir.path());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the smartlic binary runs")
}

/// As [`smartlic`], but killed if it has not ended within `limit` (a test of something
/// that could block, such as a FIFO, must fail rather than hang); `None` if it was killed.
pub fn smartlic_within(dir: &Path, args: &[&str], limit: Duration) -> Option<Output> {
    let lab_dir = tempfile::tempdir().expect("a temporary lab folder");
    let mut child = command(dir, args, lab_dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the smartlic binary runs");
    let start = Instant::now();
    while child
        .try_wait()
        .expect("the child can be waited for")
        .is_none()
    {
        if start.elapsed() > limit {
            child.kill().expect("the child can be killed");
            child.wait().expect("the killed child is reaped");
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(child.wait_with_output().expect("the output is read"))
}

fn command(dir: &Path, args: &[&str], lab_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_smartlic"));
    command
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("SMARTLIC_STORE", shared_store())
        .env("SMARTLIC_LAB_DIR", lab_dir)
        .env_remove("SMARTLIC_TOKEN");
    command
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("smartlic prints UTF-8")
}

/// Compares `actual` with the golden file, or rewrites it when `UPDATE_GOLDEN=1`.
/// Returns a description of the mismatch, so one test can report every failing case.
pub fn check_golden(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).expect("golden file is writable");
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{} differs (UPDATE_GOLDEN=1 rewrites it):\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )
    })
}
