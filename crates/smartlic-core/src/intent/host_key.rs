//! How the intent asks host keys to be checked; `ssh::known_hosts` does the checking.

/// What to do with a host key (Ansible's `host_key_checking`, OpenSSH's
/// `StrictHostKeyChecking`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKeyPolicy {
    /// Only keys already in the file are accepted (the default).
    #[default]
    Strict,
    /// An unknown host's key is trusted on first use and recorded; a changed key still fails.
    AcceptNew,
    /// No verification (explicit, and warned about).
    Off,
}

impl HostKeyPolicy {
    pub fn parse(text: &str) -> Option<HostKeyPolicy> {
        match text {
            "strict" | "yes" => Some(HostKeyPolicy::Strict),
            "accept-new" => Some(HostKeyPolicy::AcceptNew),
            "off" | "no" => Some(HostKeyPolicy::Off),
            _ => None,
        }
    }
}
