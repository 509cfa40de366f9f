//! What a simulated device runs: its platform, its release, and the Smart Licensing flavour
//! that release speaks.
//!
//! The lab keeps this table itself, from Cisco's documents (docs/sources.md), so that a
//! wrong rule in smartlic's own release table cannot make a lab test pass:
//!
//! - Smart Licensing Using Policy starts with IOS-XE 17.3.2 (`[C9K-MIG]`, `[TN-217046]`)
//!   and NX-OS 10.2(1)F (`[NX-UG]`); earlier releases run classic Smart Licensing. The
//!   lab's APIC runs classic Smart Licensing on every release (`[ACI-SL]`; the Using Policy
//!   modes of 5.2(4) and later, `[ACI-SLP]`, are not simulated).
//! - IOS-XE prints releases as `16.12.5`, `17.3.4a` or `17.03.04`; NX-OS as `9.3(8)` or
//!   `10.2(5)F`; APIC as `4.2(7f)` (`[GENIEPARSER]` show version samples). Only the three
//!   numbers order releases.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The device families the lab simulates, named as inventories name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

    pub fn name(self) -> &'static str {
        match self {
            Platform::IosXe => "ios-xe",
            Platform::NxOs => "nx-os",
            Platform::Apic => "apic",
        }
    }

    /// The platform an inventory means by `platform:` or Ansible's `ansible_network_os`.
    pub fn from_inventory(name: &str) -> Option<Platform> {
        match name {
            "ios-xe" | "ios" | "cisco.ios.ios" => Some(Platform::IosXe),
            "nx-os" | "nxos" | "cisco.nxos.nxos" => Some(Platform::NxOs),
            "apic" => Some(Platform::Apic),
            _ => None,
        }
    }

    /// The release a device of this platform runs when the inventory names none.
    pub fn default_release(self) -> &'static str {
        match self {
            Platform::IosXe => "17.3.4",
            Platform::NxOs => "9.3(8)",
            Platform::Apic => "4.2(7f)",
        }
    }

    /// The first release that runs Smart Licensing Using Policy, if the lab simulates one.
    fn first_policy_release(self) -> Option<Release> {
        match self {
            Platform::IosXe => Some(Release(17, 3, 2)),
            Platform::NxOs => Some(Release(10, 2, 1)),
            Platform::Apic => None,
        }
    }

    /// The licensing flavour `release` runs on this platform.
    pub fn licensing_model(self, release: Release) -> LicensingModel {
        match self.first_policy_release() {
            Some(first) if release >= first => LicensingModel::Policy,
            _ => LicensingModel::Classic,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which Smart Licensing flavour a device runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LicensingModel {
    /// Classic Smart Licensing: call-home transport, registration with an ID token.
    Classic,
    /// Smart Licensing Using Policy: `license smart transport …`, usage reports, trust codes.
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

/// A release's three numbers (`17.3.4a` → 17, 3, 4; `10.2(5)F` → 10, 2, 5), in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Release(pub u32, pub u32, pub u32);

impl Release {
    /// Reads `A.B.C…` or `A.B(C…)…`: a major and a minor number joined by `.`, then an
    /// optional third number after `.` or `(`; anything after the numbers is a label.
    pub fn parse(text: &str) -> Option<Release> {
        let text = text.trim();
        let (major, rest) = leading_number(text)?;
        let (minor, rest) = leading_number(rest.strip_prefix('.')?)?;
        let patch = match rest.strip_prefix(['.', '(']) {
            Some(rest) => leading_number(rest)?.0,
            None => 0,
        };
        Some(Release(major, minor, patch))
    }
}

/// The decimal number `text` starts with, and what follows it.
fn leading_number(text: &str) -> Option<(u32, &str)> {
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let number = text[..digits].parse().ok()?;
    Some((number, &text[digits..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_platform_s_release_spelling() {
        assert_eq!(Release::parse("16.12.5"), Some(Release(16, 12, 5)));
        assert_eq!(Release::parse("17.3.4a"), Some(Release(17, 3, 4)));
        assert_eq!(Release::parse("17.03.04"), Some(Release(17, 3, 4)));
        assert_eq!(Release::parse("9.3(8)"), Some(Release(9, 3, 8)));
        assert_eq!(Release::parse("10.2(5)F"), Some(Release(10, 2, 5)));
        assert_eq!(Release::parse("9.3(6uu)I9(1uu)"), Some(Release(9, 3, 6)));
        assert_eq!(Release::parse("4.2(7f)"), Some(Release(4, 2, 7)));
        assert_eq!(Release::parse("17.10"), Some(Release(17, 10, 0)));
        for bad in ["", "17", "v17.3.4", "17-3-4", ".3.4", "17.x"] {
            assert_eq!(Release::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn using_policy_starts_with_the_documented_releases() {
        let model = |p: Platform, r: &str| p.licensing_model(Release::parse(r).unwrap());
        assert_eq!(model(Platform::IosXe, "17.3.1a"), LicensingModel::Classic);
        assert_eq!(model(Platform::IosXe, "17.3.2"), LicensingModel::Policy);
        assert_eq!(model(Platform::IosXe, "16.12.5"), LicensingModel::Classic);
        assert_eq!(model(Platform::NxOs, "10.1(2)"), LicensingModel::Classic);
        assert_eq!(model(Platform::NxOs, "10.2(1)F"), LicensingModel::Policy);
        assert_eq!(model(Platform::NxOs, "9.3(8)"), LicensingModel::Classic);
        assert_eq!(model(Platform::Apic, "6.0(2h)"), LicensingModel::Classic);
    }

    #[test]
    fn names_platforms_as_inventories_do() {
        for p in Platform::ALL {
            assert_eq!(Platform::from_inventory(p.name()), Some(p));
        }
        assert_eq!(
            Platform::from_inventory("cisco.nxos.nxos"),
            Some(Platform::NxOs)
        );
        assert_eq!(Platform::from_inventory("ios"), Some(Platform::IosXe));
        assert_eq!(Platform::from_inventory("junos"), None);
    }
}
