//! Reading a device's licensing status and waiting between reads: shared by the host's
//! registration (`host.rs`) and renewals (`renew.rs`).

use std::time::{Duration, Instant};

use super::device::Device;
use crate::platform::status::{LicensingStatus, parse_license_status};

/// `show license status`, parsed.
pub(super) async fn read_status(device: &mut Device) -> Result<LicensingStatus, String> {
    let text = device
        .exec("show license status")
        .await
        .map_err(|e| e.to_string())?;
    parse_license_status(device.platform, &text).map_err(|e| e.to_string())
}

/// How long to wait between status polls: 2 s doubling to 30 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs((2u64 << attempt.min(4)).min(30))
}

/// The wait before poll `attempt`: the backoff, cut short so the last poll falls on the
/// deadline itself (a wait gives the device the whole `expect.timeout`).
pub fn poll_wait(attempt: u32, deadline: Instant) -> Duration {
    backoff(attempt).min(deadline.saturating_duration_since(Instant::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The polls of a wait, as `register` and `renew` make them, in a simulated clock:
    /// the last one is at the deadline, however the backoff falls.
    #[test]
    fn a_wait_polls_until_its_deadline() {
        for timeout in [5, 7, 20, 60, 61, 600] {
            let deadline = Duration::from_secs(timeout);
            let (mut now, mut polls) = (Duration::ZERO, 0);
            while now < deadline {
                now += backoff(polls).min(deadline - now);
                polls += 1;
            }
            assert_eq!(now, deadline, "timeout {timeout}");
            assert!(
                polls <= 4 + (timeout as u32) / 30,
                "timeout {timeout}: {polls} polls"
            );
        }
        // The real function cuts the wait at the deadline.
        let soon = Instant::now() + Duration::from_millis(300);
        assert!(poll_wait(4, soon) <= Duration::from_millis(300));
        assert_eq!(
            poll_wait(0, Instant::now() + Duration::from_secs(60)),
            backoff(0)
        );
    }
}
