//! Ctrl-C during a live run, as a careful operator needs it: the first stops new hosts
//! from starting and asks the hosts in progress to stop at their next safe point (never
//! between `configure terminal` and leaving config mode, never while a register command
//! is being typed); the run then prints its recap and is recorded as interrupted. A second
//! Ctrl-C ends the process at once.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Whether the run was asked to stop.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// The exit status of an interrupted run: 128 + SIGINT, as shells report it.
pub const EXIT_CODE: u8 = 130;

/// Listens for Ctrl-C for the rest of the process. Must run inside a tokio runtime.
pub fn listen() {
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        REQUESTED.store(true, Ordering::SeqCst);
        eprintln!(
            "\nInterrupted: no new host starts; hosts in progress stop at their next safe \
             point. Press Ctrl-C again to abort at once."
        );
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nAborted: hosts in progress were left where they were.");
            std::process::exit(i32::from(EXIT_CODE));
        }
    });
}

/// `Some(failure)` when the run was interrupted: the host stops here, before `what`.
pub fn stop_before(what: &str) -> Option<String> {
    requested().then(|| format!("interrupted before {what} (a safe point; nothing was cut short)"))
}
