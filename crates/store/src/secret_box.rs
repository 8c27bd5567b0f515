//! Secrets at rest (WhatsApp tokens, app secrets, LLM keys): AES-256-GCM with a random nonce
//! per value, stored as base64(nonce || ciphertext). The same key, through a derived one, also
//! fingerprints the numbers on the suppression list.

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
    fingerprint_key: [u8; KEY_LEN],
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
            fingerprint_key: hmac_sha256(key, b"closer/suppression-list/v1"),
        }
    }

    /// A keyed hash (HMAC-SHA256, hex) of an identity such as an E.164 phone: what the
    /// suppression list keeps instead of the number.
    ///
    /// Keyed with the server's secret key rather than a salt stored in the database: phone
    /// numbers are few (about 10^10 in a country), so a salted hash beside its salt is undone
    /// by trying every number in minutes on a copy of the database. Without the key, which
    /// lives outside the database (`CLOSER_SECRET_KEY` or the data dir's key file), a copy of
    /// the list tells nothing. A derived key, so a fingerprint never doubles as anything
    /// sealed with the key itself.
    pub fn fingerprint(&self, identity: &str) -> String {
        hex::encode(hmac_sha256(&self.fingerprint_key, identity.as_bytes()))
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

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key)
        .expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
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
    fn fingerprints_are_keyed_and_stable() {
        let key = SecretBox::generate_key();
        let a = SecretBox::new(&key);
        let phone = "+919876543210";
        assert_eq!(
            a.fingerprint(phone),
            SecretBox::new(&key).fingerprint(phone)
        );
        assert_eq!(a.fingerprint(phone).len(), 64);
        assert!(!a.fingerprint(phone).contains("9876543210"));
        let other = SecretBox::new(&SecretBox::generate_key());
        assert_ne!(a.fingerprint(phone), other.fingerprint(phone));
        assert_ne!(a.fingerprint(phone), a.fingerprint("+919876543211"));
    }

    #[test]
    fn keys_parse_from_hex_or_base64() {
        let key = SecretBox::generate_key();
        assert_eq!(SecretBox::parse_key(&hex::encode(key)).unwrap(), key);
        assert_eq!(SecretBox::parse_key(&B64.encode(key)).unwrap(), key);
        assert!(SecretBox::parse_key("abcd").is_err());
    }
}
