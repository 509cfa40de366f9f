//! How long a lab device takes, per platform (issue 13): the one home of the lab's
//! timing figures.
//!
//! [`Latency::Instant`] (the default everywhere, tests included) answers as fast as the
//! lab can: today's behaviour. [`Latency::Realistic`] adds the delays below, each taken
//! from a public measurement or report and cited next to its figure (docs/lab.md
//! "Latency profiles" and docs/sources.md `[CLIBENCH]`, `[ANSIBLE-49667]`). Where no public
//! figure was found the delay is zero, and the comment says so: nothing here is a guess.
//!
//! The delays are added on top of the lab's own work (its key exchange, its CLI), which
//! already costs real CPU time; what they model is the network between smartlic and
//! the device and the device's own slowness where it is known.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::release::Platform;

/// Which delays a lab device adds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Latency {
    /// No added delay (the default; also in every test unless it asks otherwise).
    #[default]
    Instant,
    /// The cited figures of [`LatencyProfile::realistic`].
    Realistic,
}

impl Latency {
    /// The profile of a device of `platform`.
    pub fn profile(self, platform: Platform) -> LatencyProfile {
        match self {
            Latency::Instant => LatencyProfile::INSTANT,
            Latency::Realistic => LatencyProfile::realistic(platform),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Latency::Instant => "instant",
            Latency::Realistic => "realistic",
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Latency {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "instant" => Ok(Latency::Instant),
            "realistic" => Ok(Latency::Realistic),
            other => Err(format!(
                "unknown latency profile `{other}` (instant or realistic)"
            )),
        }
    }
}

/// The delays of one device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatencyProfile {
    /// Before the device sends its SSH identification on a new connection: the whole SSH
    /// session set-up (TCP, key exchange, login, channel, PTY) in one lump.
    pub handshake: Duration,
    /// Before every reply to a command (shell line or `exec` request), on top of the
    /// device's `faults.latency_ms`.
    pub per_command: Duration,
    /// Added to the reply of `write memory` / `copy running-config startup-config`.
    pub write_memory: Duration,
    /// Before each call of the device's licensing agent to the back-end (registration,
    /// renewal, report).
    pub registration_round_trip: Duration,
}

/// SSH session set-up at 30 ms RTT, PTY shell: clibench's `pty-fresh` minus `pty-reuse`
/// medians (542.0 ms − 310.4 ms, five commands each, 20 iterations), results file
/// `results/v0.5.0/netem-regional-n20-5cmd.json` of lykinsbd/clibench @ 91b9964f, the
/// measurements of Brett Lykins' "CLI Over HTTPS Part 2: Proving It" (network-notes.com,
/// 2026), whose published comparisons all use this `regional` profile (30 ms RTT, a US
/// backbone path, from Verizon's published latency figures). `[CLIBENCH]`
const REGIONAL_SSH_HANDSHAKE: Duration = Duration::from_micros(231_600);

/// One command in an open PTY shell at 30 ms RTT: the same file's `pty-reuse` median
/// (310.4 ms) over its five commands. `[CLIBENCH]`
const REGIONAL_SSH_PER_COMMAND: Duration = Duration::from_micros(62_100);

/// NX-OS `copy running-config startup-config`: "On the NX-OS platform where save
/// operations take more than 10 seconds … predominantly … Nexus 7K but have seen it on
/// the Nexus 9K as well" (ansible/ansible issue 49667, 2018). A reported lower bound on
/// the slow devices, the only public figure found for a Nexus 9000; the typical
/// duration was not found. `[ANSIBLE-49667]`
const NXOS_WRITE_MEMORY: Duration = Duration::from_secs(10);

impl LatencyProfile {
    /// No delay at all.
    pub const INSTANT: LatencyProfile = LatencyProfile {
        handshake: Duration::ZERO,
        per_command: Duration::ZERO,
        write_memory: Duration::ZERO,
        registration_round_trip: Duration::ZERO,
    };

    /// The cited figures for a device of `platform`.
    ///
    /// - SSH set-up and per command: the same on every platform; clibench emulates an
    ///   IOS-XE device and no per-platform measurement was found.
    /// - `write memory`: NX-OS as [`NXOS_WRITE_MEMORY`]; IOS-XE (Catalyst 9300) zero, as
    ///   no public duration was found (the public reports are of other platforms: an ISR
    ///   that also archives its config by FTP, about 15 s, netmiko issue 2058; a wireless
    ///   controller with a long config, about 25 s, netmiko issue 2843); APIC has no
    ///   `write memory` (the controller commits its own configuration).
    /// - Registration round trip: zero everywhere; no public figure for the time CSSM
    ///   takes to answer a registration was found.
    pub fn realistic(platform: Platform) -> LatencyProfile {
        let write_memory = match platform {
            Platform::NxOs => NXOS_WRITE_MEMORY,
            Platform::IosXe | Platform::Apic => Duration::ZERO,
        };
        LatencyProfile {
            handshake: REGIONAL_SSH_HANDSHAKE,
            per_command: REGIONAL_SSH_PER_COMMAND,
            write_memory,
            registration_round_trip: Duration::ZERO,
        }
    }

    pub fn is_instant(&self) -> bool {
        *self == LatencyProfile::INSTANT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instant_is_the_default_and_adds_nothing() {
        assert_eq!(Latency::default(), Latency::Instant);
        for platform in [Platform::IosXe, Platform::NxOs, Platform::Apic] {
            assert!(Latency::default().profile(platform).is_instant());
            assert!(!Latency::Realistic.profile(platform).is_instant());
        }
    }

    #[test]
    fn realistic_carries_the_cited_figures() {
        let xe = Latency::Realistic.profile(Platform::IosXe);
        assert_eq!(xe.handshake, Duration::from_micros(231_600));
        assert_eq!(xe.per_command, Duration::from_micros(62_100));
        assert_eq!(xe.write_memory, Duration::ZERO);
        assert_eq!(xe.registration_round_trip, Duration::ZERO);
        let nx = Latency::Realistic.profile(Platform::NxOs);
        assert_eq!(nx.write_memory, Duration::from_secs(10));
        assert_eq!(nx.handshake, xe.handshake);
    }

    #[test]
    fn names_parse_and_print() {
        for latency in [Latency::Instant, Latency::Realistic] {
            assert_eq!(latency.to_string().parse::<Latency>(), Ok(latency));
        }
        let error = "fast".parse::<Latency>().unwrap_err();
        assert!(error.contains("instant or realistic"), "{error}");
    }
}
