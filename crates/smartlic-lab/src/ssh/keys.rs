//! Lab host keys, derived from a per-device seed so a device keeps its key across lab
//! restarts (known_hosts keeps working) and no key file has to be stored.
//!
//! Ed25519 keys come straight from the seed. The `legacy_only` fault needs an RSA key,
//! which is generated from a deterministic random stream (SHA-256 in counter mode over
//! the seed): the same seed gives the same key in every run, as long as the `rsa` crate
//! that russh uses keeps its prime search unchanged. RSA generation is slow (tens of
//! milliseconds optimised, seconds unoptimised), so keys are cached per seed for the life
//! of the process and made only when a legacy device is first connected to.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Mutex, OnceLock};

use russh::keys::ssh_key::private::{Ed25519Keypair, RsaKeypair};
use russh::keys::ssh_key::rand_core::{TryCryptoRng, TryRng};
use russh::keys::ssh_key::sha2::{Digest, Sha256};
use russh::keys::{PrivateKey, PublicKey};

/// Bits of the legacy RSA host key (what IOS `crypto key generate rsa modulus 2048` makes).
pub const RSA_BITS: usize = 2048;

/// Which of a device's two identities to use: the one its seed gives, or the
/// `changed_host_key` fault's other one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    Ed25519,
    Rsa,
}

/// The host key a device presents.
pub fn host_key(seed: &[u8; 32], kind: KeyKind, changed: bool) -> Result<PrivateKey, String> {
    let seed = if changed { changed_seed(seed) } else { *seed };
    match kind {
        KeyKind::Ed25519 => Ok(PrivateKey::from(Ed25519Keypair::from_seed(&seed))),
        KeyKind::Rsa => cached_rsa(&seed),
    }
}

/// The key the device would present, in the form known_hosts and clients compare.
pub fn host_public_key(seed: &[u8; 32], kind: KeyKind, changed: bool) -> Result<PublicKey, String> {
    host_key(seed, kind, changed).map(|key| key.public_key().clone())
}

/// The `changed_host_key` fault's seed: a different, still deterministic, identity.
fn changed_seed(seed: &[u8; 32]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"smartlic-lab changed host key\0");
    hash.update(seed);
    hash.finalize().into()
}

fn cached_rsa(seed: &[u8; 32]) -> Result<PrivateKey, String> {
    static CACHE: OnceLock<Mutex<HashMap<[u8; 32], PrivateKey>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(key) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(seed) {
        return Ok(key.clone());
    }
    // Generated outside the lock: two devices with different seeds must not wait for
    // each other (two first connections to the same device may both generate; same key).
    let key = derive_rsa(seed)?;
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(*seed, key.clone());
    Ok(key)
}

/// An RSA key made from `seed` alone (uncached).
pub fn derive_rsa(seed: &[u8; 32]) -> Result<PrivateKey, String> {
    let mut rng = SeededRng::new(seed);
    RsaKeypair::random(&mut rng, RSA_BITS)
        .map(PrivateKey::from)
        .map_err(|e| format!("cannot generate the RSA host key: {e}"))
}

/// A deterministic byte stream: SHA-256(domain ‖ seed ‖ counter) blocks. Good enough to
/// pick lab key material reproducibly; never used for anything that must stay secret.
struct SeededRng {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl SeededRng {
    fn new(seed: &[u8; 32]) -> SeededRng {
        SeededRng {
            seed: *seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn refill(&mut self) {
        let mut hash = Sha256::new();
        hash.update(b"smartlic-lab rsa host key\0");
        hash.update(self.seed);
        hash.update(self.counter.to_le_bytes());
        self.block = hash.finalize().into();
        self.counter += 1;
        self.used = 0;
    }
}

impl TryRng for SeededRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut bytes = [0; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut bytes = [0; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for byte in dst {
            if self.used == self.block.len() {
                self.refill();
            }
            *byte = self.block[self.used];
            self.used += 1;
        }
        Ok(())
    }
}

impl TryCryptoRng for SeededRng {}

#[cfg(test)]
mod tests {
    use super::*;
    use russh::keys::Algorithm;

    const SEED: [u8; 32] = [7; 32];

    #[test]
    fn same_seed_same_ed25519_key_and_changed_differs() {
        let a = host_public_key(&SEED, KeyKind::Ed25519, false).unwrap();
        let b = host_public_key(&SEED, KeyKind::Ed25519, false).unwrap();
        let changed = host_public_key(&SEED, KeyKind::Ed25519, true).unwrap();
        let other = host_public_key(&[8; 32], KeyKind::Ed25519, false).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, changed);
        assert_ne!(a, other);
        assert_eq!(a.algorithm(), Algorithm::Ed25519);
    }

    #[test]
    fn rsa_key_is_deterministic_2048_bits() {
        let a = derive_rsa(&SEED).unwrap();
        let b = derive_rsa(&SEED).unwrap();
        assert_eq!(a.public_key(), b.public_key());
        assert!(a.algorithm().is_rsa());
        assert_eq!(a.key_data().rsa().unwrap().key_size(), RSA_BITS as u32);
        // The cache hands back the same key.
        assert_eq!(
            host_public_key(&SEED, KeyKind::Rsa, false).unwrap(),
            *a.public_key()
        );
    }

    #[test]
    fn seeded_stream_depends_on_seed() {
        let mut a = SeededRng::new(&SEED);
        let mut b = SeededRng::new(&[9; 32]);
        let (mut x, mut y) = ([0u8; 40], [0u8; 40]);
        a.try_fill_bytes(&mut x).unwrap();
        b.try_fill_bytes(&mut y).unwrap();
        assert_ne!(x, y);
        assert_eq!(
            SeededRng::new(&SEED).try_next_u64().unwrap().to_le_bytes(),
            x[..8]
        );
    }
}
