//! One driver per platform: each is the single home of that platform's facts
//! (config dialect, commands, show formats). Config text itself lives in
//! `templates/<platform>/`.

pub mod apic;
pub mod ios_xe;
pub mod nx_os;

use std::fmt;

/// The platforms smartlic manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
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
