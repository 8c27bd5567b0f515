//! Secrets at rest (WhatsApp tokens, app secrets, LLM keys): AES-256-GCM with a random nonce
//! per value, stored as base64(nonce || ciphertext).

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

const NONCE_LEN: usize = 12;
pub const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SecretBoxError {
    #[error("the secret key must be 32 bytes, given as 64 hex characters or base64")]
    BadKey,
    #[error("the stored secret cannot be decrypted with this key")]
    Undecryptable,
}

#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(***)")
    }
}

impl SecretBox {
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)),
        }
    }

    /// Parses a key written as 64 hex characters or as base64 of 32 bytes.
    pub fn parse_key(text: &str) -> Result<[u8; KEY_LEN], SecretBoxError> {
        let text = text.trim();
        let bytes = hex::decode(text)
            .ok()
            .or_else(|| B64.decode(text).ok())
            .ok_or(SecretBoxError::BadKey)?;
        bytes.try_into().map_err(|_| SecretBoxError::BadKey)
    }

    pub fn generate_key() -> [u8; KEY_LEN] {
        Aes256Gcm::generate_key(&mut OsRng).into()
    }

    pub fn seal(&self, plaintext: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        B64.encode(out)
    }

    pub fn open(&self, sealed: &str) -> Result<String, SecretBoxError> {
        let raw = B64
            .decode(sealed)
            .map_err(|_| SecretBoxError::Undecryptable)?;
        if raw.len() < NONCE_LEN {
            return Err(SecretBoxError::Undecryptable);
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), ciphertext)
            .map_err(|_| SecretBoxError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| SecretBoxError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_with_fresh_nonces() {
        let sb = SecretBox::new(&SecretBox::generate_key());
        let a = sb.seal("EAAG-token");
        let b = sb.seal("EAAG-token");
        assert_ne!(a, b, "each seal uses a new nonce");
        assert_eq!(sb.open(&a).unwrap(), "EAAG-token");
        assert!(!a.contains("EAAG"));
    }

    #[test]
    fn another_key_or_tampering_cannot_open() {
        let sb = SecretBox::new(&SecretBox::generate_key());
        let other = SecretBox::new(&SecretBox::generate_key());
        let sealed = sb.seal("secret");
        assert!(other.open(&sealed).is_err());
        let mut raw = B64.decode(&sealed).unwrap();
        *raw.last_mut().unwrap() ^= 1;
        assert!(sb.open(&B64.encode(raw)).is_err());
        assert!(sb.open("!!").is_err());
    }

    #[test]
    fn keys_parse_from_hex_or_base64() {
        let key = SecretBox::generate_key();
        assert_eq!(SecretBox::parse_key(&hex::encode(key)).unwrap(), key);
        assert_eq!(SecretBox::parse_key(&B64.encode(key)).unwrap(), key);
        assert!(SecretBox::parse_key("abcd").is_err());
    }
}
