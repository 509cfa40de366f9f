//! The russh server configuration of a lab device: its identification string, auth
//! methods (both, or the `keyboard_interactive_only` fault's one), algorithm sets
//! (modern, or the `legacy_only` fault's) and host key.
//!
//! A russh `Config` holds the host key, so it cannot be shared between devices; each
//! device builds its own on first connection and shares it between its sessions (see
//! `Device::config` in the parent module), which keeps idle devices small.

use std::borrow::Cow;
use std::time::Duration;

use russh::keys::{Algorithm, PrivateKey};
use russh::server::Config;
use russh::{MethodKind, MethodSet, Preferred, SshId, cipher, compression, kex, mac};

use super::keys::KeyKind;

/// What Cisco IOS and IOS-XE announce (`SSH-2.0-Cisco-1.25`); clients log it, and some
/// tools pick their quirks by it.
pub const SERVER_ID: &str = "SSH-2.0-Cisco-1.25";

/// The prompt of keyboard-interactive authentication, as IOS prints it.
pub const PASSWORD_PROMPT: &str = "Password: ";

/// How long an idle session lives: IOS's default `exec-timeout` is 10 minutes.
const IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// A failed login answers after this long. Real devices wait a moment too; short enough
/// that tests of the rejection fault stay fast.
const REJECTION_TIME: Duration = Duration::from_millis(200);

/// What old IOS releases offer and nothing else (docs/real-devices.md "Algorithms"). No `ext-info-s` and no strict-kex marker either: those releases predate them.
const LEGACY_KEX: &[kex::Name] = &[kex::DH_G14_SHA1];
const LEGACY_KEYS: &[Algorithm] = &[Algorithm::Rsa { hash: None }];
const LEGACY_CIPHERS: &[cipher::Name] = &[
    cipher::AES_128_CBC,
    cipher::AES_192_CBC,
    cipher::AES_256_CBC,
];
const LEGACY_MACS: &[mac::Name] = &[mac::HMAC_SHA1];
const NO_COMPRESSION: &[compression::Name] = &[compression::NONE];

/// The parts of the SSH faults that change the transport (and so the `Config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    pub legacy_only: bool,
    pub changed_host_key: bool,
    /// The `keyboard_interactive_only` fault: `password` is not among the methods.
    pub keyboard_interactive_only: bool,
}

impl Profile {
    pub fn key_kind(self) -> KeyKind {
        if self.legacy_only {
            KeyKind::Rsa
        } else {
            KeyKind::Ed25519
        }
    }
}

/// The server configuration for `profile`, presenting `host_key`.
pub fn config(profile: Profile, host_key: PrivateKey) -> Config {
    Config {
        server_id: SshId::Standard(Cow::Borrowed(SERVER_ID)),
        methods: if profile.keyboard_interactive_only {
            MethodSet::from(&[MethodKind::KeyboardInteractive][..])
        } else {
            MethodSet::from(&[MethodKind::KeyboardInteractive, MethodKind::Password][..])
        },
        auth_rejection_time: REJECTION_TIME,
        // OpenSSH opens with a "none" attempt to learn the methods: answer it at once.
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key],
        preferred: if profile.legacy_only {
            legacy_preferred()
        } else {
            Preferred::default()
        },
        inactivity_timeout: Some(IDLE_TIMEOUT),
        // A CLI is keystroke by keystroke: don't hold echoes back for Nagle. (Also set
        // on each accepted socket: russh reads this only in its own accept loop.)
        nodelay: true,
        ..Config::default()
    }
}

fn legacy_preferred() -> Preferred {
    Preferred {
        kex: Cow::Borrowed(LEGACY_KEX),
        key: Cow::Borrowed(LEGACY_KEYS),
        host_key_certificates: Cow::Borrowed(&[]),
        cipher: Cow::Borrowed(LEGACY_CIPHERS),
        mac: Cow::Borrowed(LEGACY_MACS),
        compression: Cow::Borrowed(NO_COMPRESSION),
    }
}
