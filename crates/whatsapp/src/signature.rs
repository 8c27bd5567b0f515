//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw body with the app secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the signature header must be `sha256=<64 hex characters>`")]
    Malformed,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks the header against the raw bytes exactly as received: Meta escapes non-ASCII as
/// `\uXXXX`, so hashing a re-serialised body would not match. The comparison is constant-time.
pub fn verify_signature(
    app_secret: &[u8],
    raw_body: &[u8],
    header: Option<&str>,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?.trim();
    let hex_sig = header
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let expected = hex::decode(hex_sig).map_err(|_| SignatureError::Malformed)?;
    if expected.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes keys of any length");
    mac.update(raw_body);
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The header value Meta would send for `raw_body` (for tests and the simulator).
pub fn sign(app_secret: &[u8], raw_body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(app_secret).expect("HMAC takes keys of any length");
    mac.update(raw_body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let sig = sign(b"secret", b"{}");
        assert_eq!(verify_signature(b"secret", b"{}", Some(&sig)), Ok(()));
        assert_eq!(
            verify_signature(b"other", b"{}", Some(&sig)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(b"secret", b"{}", None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(b"secret", b"{}", Some("sha256=zz")),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_signature(b"secret", b"{}", Some("sha256=abcd")),
            Err(SignatureError::Malformed)
        );
    }
}
