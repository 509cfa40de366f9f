//! The platforms smartlic manages, their software versions as they print them, and what
//! a version implies for licensing. A leaf: the intent and the platform drivers both
//! build on it.
//!
//! IOS-XE writes `16.12.3a`, `17.03.02` or `17.3.2`; NX-OS writes `9.3(3)`, `10.2(1)F` or
//! `9.3(6uu)I9(1uu)`; APIC writes `3.2(1l)` or `5.2(4e)` ([CAT-TS] [NX-TS] [ACI-SL], [GENIEPARSER]). Letters and
//! trailers are release labels: only the three numbers order versions.

use std::fmt;

/// The platforms smartlic manages.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Platform {
    #[serde(rename = "ios-xe")]
    IosXe,
    #[serde(rename = "nx-os")]
    NxOs,
    #[serde(rename = "apic")]
    Apic,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::IosXe, Platform::NxOs, Platform::Apic];

    /// The name used in intents, template folders and reports.
    pub fn name(self) -> &'static str {
        match self {
            Platform::IosXe => "ios-xe",
            Platform::NxOs => "nx-os",
            Platform::Apic => "apic",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which Smart Licensing flavour a device runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LicensingModel {
    /// Classic Smart Licensing: call-home transport, `license smart register idtoken`.
    Classic,
    /// Smart Licensing Using Policy: `license smart transport …`, trust instead of registration.
    Policy,
}

impl LicensingModel {
    pub fn name(self) -> &'static str {
        match self {
            LicensingModel::Classic => "classic",
            LicensingModel::Policy => "policy",
        }
    }
}

impl fmt::Display for LicensingModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `major.minor.patch`, compared numerically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Version {
    /// Parses the leading `A.B.C` (dotted) or `A.B(C…)` (parenthesised) numbers.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let mut numbers = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty());
        let major = numbers.next()?.parse().ok()?;
        let minor = numbers.next()?.parse().ok()?;
        let patch = numbers.next().map_or(Some(0), |p| p.parse().ok())?;
        // The text must start with the major number and use `.`/`(` between the parts.
        let shape_ok = text.starts_with(|c: char| c.is_ascii_digit())
            && text[..text
                .find(|c: char| !c.is_ascii_digit() && c != '.' && c != '(')
                .unwrap_or(text.len())]
                .contains('.');
        shape_ok.then_some(Version(major, minor, patch))
    }
}

/// The first release of each platform that runs Smart Licensing Using Policy
/// ([C9K-MIG] [TN-217046] [NX-UG] [GENIEPARSER]: IOS-XE 17.3.2, NX-OS 10.2(1)F, APIC 5.2(4)).
pub fn first_policy_release(platform: Platform) -> Version {
    match platform {
        Platform::IosXe => Version(17, 3, 2),
        Platform::NxOs => Version(10, 2, 1),
        Platform::Apic => Version(5, 2, 4),
    }
}

/// The licensing model a release runs: Using Policy from [`first_policy_release`] on.
pub fn model_of(platform: Platform, version: Version) -> LicensingModel {
    if version >= first_policy_release(platform) {
        LicensingModel::Policy
    } else {
        LicensingModel::Classic
    }
}

/// The first release with Smart Licensing at all ([CAT-TS] [NX-TS] [ACI-SL]: IOS-XE 16.9.1 on Catalyst
/// switches — routers need 16.10.1; NX-OS 8.0(1) on Nexus 7000, 9.3(3) on 3000/9000;
/// APIC 3.2(1)). The lowest of each family is used, as the model is not known offline.
pub fn first_smart_licensing_release(platform: Platform) -> Version {
    match platform {
        Platform::IosXe => Version(16, 9, 1),
        Platform::NxOs => Version(8, 0, 1),
        Platform::Apic => Version(3, 2, 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_changes_at_the_first_policy_release() {
        use LicensingModel::{Classic, Policy};
        assert_eq!(model_of(Platform::IosXe, Version(17, 3, 1)), Classic);
        assert_eq!(model_of(Platform::IosXe, Version(17, 3, 2)), Policy);
        assert_eq!(model_of(Platform::NxOs, Version(10, 2, 1)), Policy);
        assert_eq!(model_of(Platform::NxOs, Version(9, 3, 8)), Classic);
    }

    #[test]
    fn parses_each_platforms_forms() {
        assert_eq!(Version::parse("16.12.3a"), Some(Version(16, 12, 3)));
        assert_eq!(Version::parse("17.03.02"), Some(Version(17, 3, 2)));
        assert_eq!(Version::parse("17.3.2a"), Some(Version(17, 3, 2)));
        assert_eq!(Version::parse("9.3(3)"), Some(Version(9, 3, 3)));
        assert_eq!(Version::parse("10.2(1)F"), Some(Version(10, 2, 1)));
        assert_eq!(Version::parse("9.3(6uu)I9(1uu)"), Some(Version(9, 3, 6)));
        assert_eq!(Version::parse("3.2(1l)"), Some(Version(3, 2, 1)));
        assert_eq!(Version::parse("17.3"), Some(Version(17, 3, 0)));
        assert_eq!(Version::parse("latest"), None);
        assert_eq!(Version::parse("BLD_POLARIS_DEV_LATEST_20230512"), None);
    }

    #[test]
    fn policy_boundary() {
        let first = first_policy_release(Platform::IosXe);
        assert!(Version::parse("17.3.1a").unwrap() < first);
        assert!(Version::parse("17.3.2a").unwrap() >= first);
        assert!(Version::parse("10.2(1)F").unwrap() >= first_policy_release(Platform::NxOs));
        assert!(Version::parse("10.1(2)").unwrap() < first_policy_release(Platform::NxOs));
    }
}
