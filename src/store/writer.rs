//! Recording a run while it runs: hosts finish on the async runtime, SQLite is
//! synchronous, so one thread owns the connection and commits what the hosts send it —
//! everything queued at that moment in one transaction, so 10,000 hosts finishing
//! together cost a few commits, not 10,000.

use std::sync::{Mutex, mpsc};
use std::thread::JoinHandle;

use super::{RunInfo, Store, StoreError};
use crate::live::HostRun;

/// The writing thread hands the store back with the first error it met, if any.
type Committer = JoinHandle<(Store, Option<StoreError>)>;

/// A run being recorded; shared by the hosts' tasks, finished once by the run.
pub struct Writer {
    run_id: i64,
    /// `None` once finished.
    hosts: Mutex<Option<mpsc::Sender<HostRun>>>,
    thread: Mutex<Option<Committer>>,
}

impl Writer {
    /// Records the run's start, then takes hosts as they finish.
    pub fn start(store: Store, info: &RunInfo) -> Result<Writer, StoreError> {
        let run_id = store.begin_run(info)?;
        let (hosts, finished) = mpsc::channel::<HostRun>();
        let thread = std::thread::spawn(move || commit_as_they_come(store, run_id, finished));
        Ok(Writer {
            run_id,
            hosts: Mutex::new(Some(hosts)),
            thread: Mutex::new(Some(thread)),
        })
    }

    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// Queues a finished host; it is committed moments later.
    pub fn record(&self, run: &HostRun) {
        if let Some(hosts) = &*self.hosts.lock().expect("no panic while held") {
            // The thread only stops when this sender is dropped, in `finish`.
            let _ = hosts.send(run.clone());
        }
    }

    /// Waits for every queued host to be committed and records the run's exit code.
    pub fn finish(&self, exit_code: u8) -> Result<(), StoreError> {
        drop(self.hosts.lock().expect("no panic while held").take());
        let Some(thread) = self.thread.lock().expect("no panic while held").take() else {
            return Ok(());
        };
        let (store, failure) = thread.join().expect("the store thread does not panic");
        match failure {
            Some(e) => Err(e),
            None => store.finish_run(self.run_id, exit_code),
        }
    }
}

/// Commits batches until the sender is dropped; keeps the first error (and goes on
/// trying: a full disk may free up) for `finish` to report.
fn commit_as_they_come(
    mut store: Store,
    run_id: i64,
    finished: mpsc::Receiver<HostRun>,
) -> (Store, Option<StoreError>) {
    let mut failure = None;
    while let Ok(first) = finished.recv() {
        let mut batch = vec![first];
        batch.extend(finished.try_iter());
        if let Err(e) = store.record_hosts(run_id, &batch) {
            failure.get_or_insert(e);
        }
    }
    (store, failure)
}
