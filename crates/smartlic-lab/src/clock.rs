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

/// Seconds in a day.
const DAY_SECS: i64 = 86_400;

/// Year, month (1–12) and day of month (UTC) of a Unix time (Howard Hinnant's
/// `civil_from_days`). The lab's own: it shares no date code with the client it judges.
pub fn civil_date(epoch_secs: i64) -> (i64, u32, u32) {
    let z = epoch_secs.div_euclid(DAY_SECS) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(951_782_400), (2000, 2, 29));
        assert_eq!(civil_date(1_526_135_268), (2018, 5, 12));
        assert_eq!(civil_date(-DAY_SECS), (1969, 12, 31));
    }

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
