//! Ansible Vault: decrypting `$ANSIBLE_VAULT;1.1;AES256` (and 1.2 with a vault id)
//! values, whole files and inline `!vault |` strings alike.
//!
//! The format, as ansible-core's `parsing/vault` writes it: a header line, then hex text
//! (wrapped at 80 columns) that decodes to three hex lines — salt, HMAC, ciphertext.
//! PBKDF2-HMAC-SHA256 (10,000 rounds, 80 bytes) of the password and salt gives the
//! AES-256 key, the HMAC-SHA256 key and the CTR counter's start; the HMAC covers the
//! ciphertext; the plaintext carries PKCS#7 padding.

use aes::Aes256;
use ctr::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::redact::Secret;

const HEADER: &str = "$ANSIBLE_VAULT;";

/// The run's vault password, set once before anything is read (`--vault-password-file`,
/// `--ask-vault-pass`), as Ansible loads its vault secrets once per run.
static PASSWORD: std::sync::OnceLock<Secret> = std::sync::OnceLock::new();

/// Sets the run's vault password (the first call wins).
pub fn unlock(password: Secret) {
    let _ = PASSWORD.set(password);
}

/// Decrypts `text` with the run's vault password.
pub fn open(text: &str) -> Result<Secret, VaultError> {
    let password = PASSWORD.get().ok_or(VaultError::Locked)?;
    decrypt(text, password)
}
const ROUNDS: u32 = 10_000;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("not an Ansible Vault value (no `$ANSIBLE_VAULT;1.x;AES256` header)")]
    NotVault,
    #[error("vault format {0} is not supported (1.1 and 1.2 with AES256 are)")]
    Unsupported(String),
    #[error("the vault text is damaged: {0}")]
    Damaged(&'static str),
    #[error("the vault password does not open it (HMAC mismatch)")]
    WrongPassword,
    #[error("the decrypted value is not UTF-8 text")]
    NotText,
    #[error("encrypted with ansible-vault: give --vault-password-file FILE or --ask-vault-pass")]
    Locked,
}

/// True when `text` starts like a vault (file or inline value).
pub fn is_vault(text: &str) -> bool {
    text.trim_start().starts_with(HEADER)
}

/// Decrypts a vault text with `password`; the plaintext stays a [`Secret`].
pub fn decrypt(text: &str, password: &Secret) -> Result<Secret, VaultError> {
    let mut lines = text.trim().lines();
    let header = lines.next().ok_or(VaultError::NotVault)?.trim();
    check_header(header)?;
    let body: String = lines.map(str::trim).collect();
    let inner = String::from_utf8(hex(&body)?).map_err(|_| VaultError::Damaged("inner text"))?;
    let mut parts = inner.split('\n');
    let (Some(salt), Some(mac), Some(ciphertext)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(VaultError::Damaged("expected salt, HMAC and ciphertext"));
    };
    let (salt, mac, mut data) = (hex(salt)?, hex(mac)?, hex(ciphertext)?);
    let mut keys = [0u8; 80];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.expose().as_bytes(), &salt, ROUNDS, &mut keys);
    let (cipher_key, rest) = keys.split_at(32);
    let (mac_key, iv) = rest.split_at(32);
    let mut check =
        <Hmac<Sha256> as KeyInit>::new_from_slice(mac_key).expect("HMAC takes any key length");
    check.update(&data);
    check
        .verify_slice(&mac)
        .map_err(|_| VaultError::WrongPassword)?;
    let mut cipher = ctr::Ctr128BE::<Aes256>::new_from_slices(cipher_key, iv)
        .expect("32-byte key and 16-byte counter");
    cipher.apply_keystream(&mut data);
    let plain = unpad(data)?;
    String::from_utf8(plain)
        .map(Secret::new)
        .map_err(|_| VaultError::NotText)
}

/// `$ANSIBLE_VAULT;1.1;AES256` or `$ANSIBLE_VAULT;1.2;AES256;<vault id>`.
fn check_header(header: &str) -> Result<(), VaultError> {
    let fields: Vec<&str> = header.split(';').collect();
    match fields.as_slice() {
        ["$ANSIBLE_VAULT", "1.1", "AES256"] | ["$ANSIBLE_VAULT", "1.2", "AES256", _] => Ok(()),
        ["$ANSIBLE_VAULT", version, cipher, ..] => {
            Err(VaultError::Unsupported(format!("{version} {cipher}")))
        }
        _ => Err(VaultError::NotVault),
    }
}

fn hex(text: &str) -> Result<Vec<u8>, VaultError> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return Err(VaultError::Damaged("odd-length hex"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(text.get(i..i + 2).unwrap_or("?"), 16)
                .map_err(|_| VaultError::Damaged("not hex"))
        })
        .collect()
}

/// Removes PKCS#7 padding (AES block size 16).
fn unpad(mut data: Vec<u8>) -> Result<Vec<u8>, VaultError> {
    let pad = *data.last().ok_or(VaultError::Damaged("empty ciphertext"))? as usize;
    if pad == 0 || pad > 16 || pad > data.len() || !data.ends_with(&vec![pad as u8; pad]) {
        return Err(VaultError::Damaged("padding"));
    }
    data.truncate(data.len() - pad);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "NjQ0ZmE5YzYtYjQ3Ni00YzNhLTk4ZDgtMWRmMDk5NTQ3ZWZj";

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../../tests/fixtures/vault/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).unwrap()
    }

    fn password() -> Secret {
        Secret::new(fixture("password.txt").trim_end())
    }

    /// The `!vault |` block of an `encrypt_string` output, unindented.
    fn inline(name: &str) -> String {
        fixture(name)
            .lines()
            .skip(1)
            .map(|l| format!("{}\n", l.trim()))
            .collect()
    }

    #[test]
    fn files_encrypted_by_ansible_vault_decrypt() {
        let token = decrypt(&fixture("token.vault"), &password()).unwrap();
        assert_eq!(token.expose(), TOKEN);
        let vars = decrypt(&fixture("vars.yml"), &password()).unwrap();
        assert!(
            vars.expose()
                .starts_with("ansible_password: Vaulted-Pass-1\n")
        );
    }

    #[test]
    fn inline_strings_decrypt_in_formats_1_1_and_1_2() {
        for name in ["inline.yml", "inline-1.2.yml"] {
            let value = decrypt(&inline(name), &password()).unwrap();
            assert_eq!(value.expose(), TOKEN, "{name}");
        }
    }

    #[test]
    fn a_wrong_password_or_damaged_text_is_refused() {
        let wrong = Secret::new("not-it");
        assert_eq!(
            decrypt(&fixture("token.vault"), &wrong),
            Err(VaultError::WrongPassword)
        );
        assert_eq!(
            decrypt("plain text", &password()),
            Err(VaultError::NotVault)
        );
        assert!(matches!(
            decrypt("$ANSIBLE_VAULT;1.0;AES\nabcd", &password()),
            Err(VaultError::Unsupported(_))
        ));
        let mut cut = fixture("token.vault");
        cut.truncate(cut.len() - 20);
        assert!(decrypt(&cut, &password()).is_err());
        assert!(is_vault(&fixture("vars.yml")) && !is_vault("a: 1"));
    }
}
