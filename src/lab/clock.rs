//! Lab time: starts at a chosen instant and may run faster than real time, so 30-day
//! renewals and 1-year certificate expiry can be watched in seconds (`--time-scale`).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A clock shared by every device and the back-end. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LabClock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Lab time at `started`, in seconds since the Unix epoch.
    epoch_at_start: f64,
    started: Instant,
    /// Lab seconds per real second.
    scale: f64,
}

impl LabClock {
    /// A clock that starts now (real time) and runs `scale` times faster.
    pub fn new(scale: f64) -> LabClock {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        LabClock::starting_at(now, scale)
    }

    /// A clock that reads `epoch_secs` now and runs `scale` times faster.
    pub fn starting_at(epoch_secs: f64, scale: f64) -> LabClock {
        LabClock {
            inner: Arc::new(Inner {
                epoch_at_start: epoch_secs,
                started: Instant::now(),
                scale: scale.max(0.0),
            }),
        }
    }

    /// Lab time now, in seconds since the Unix epoch.
    pub fn now(&self) -> f64 {
        self.inner.epoch_at_start + self.inner.started.elapsed().as_secs_f64() * self.inner.scale
    }

    pub fn scale(&self) -> f64 {
        self.inner.scale
    }

    /// How long to sleep in real time for `lab` of lab time to pass.
    pub fn real_duration(&self, lab: Duration) -> Duration {
        if self.inner.scale <= 0.0 {
            return Duration::MAX;
        }
        lab.div_f64(self.inner.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_time_runs_faster() {
        let clock = LabClock::starting_at(1_000.0, 86_400.0);
        assert!(clock.now() >= 1_000.0);
        assert_eq!(
            clock.real_duration(Duration::from_secs(86_400)),
            Duration::from_secs(1)
        );
    }
}
