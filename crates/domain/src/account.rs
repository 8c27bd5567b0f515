//! Validated values for accounts: parse once at the edge, trust everywhere after.

use std::fmt;

/// Why a value was refused; the message is shown to the user next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValidationError(pub String);

fn refuse<T>(msg: &str) -> Result<T, ValidationError> {
    Err(ValidationError(msg.to_owned()))
}

/// A trimmed, lower-cased email address. Lower-casing makes "Ana@X.com" and "ana@x.com" one
/// account, since an email belongs to exactly one account in the whole system.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return refuse("is required");
        }
        if email.len() > 254 || !email_address::EmailAddress::is_valid(&email) {
            return refuse("is not a valid email address");
        }
        // RFC 5321 allows `priya@gmail`, but nothing on the internet receives mail there: it
        // is a typo a lead or an imported sheet makes, and a mail to it would only bounce.
        let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        let tld = domain.rsplit_once('.').map(|(_, t)| t).unwrap_or_default();
        if tld.len() < 2 || tld.chars().all(|c| c.is_ascii_digit()) {
            return refuse("needs a full domain, like name@example.com");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed. Its Debug never prints the secret.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    /// Argon2 hashes any length, but an unbounded input is a cheap denial of service.
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return refuse("must be at least 8 characters");
        }
        if n > Self::MAX_CHARS {
            return refuse("must be at most 256 characters");
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

fn parse_label(raw: &str, max: usize) -> Result<String, ValidationError> {
    let value = raw.trim();
    if value.is_empty() {
        return refuse("is required");
    }
    if value.chars().count() > max {
        return Err(ValidationError(format!("must be at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return refuse("must not contain control characters");
    }
    Ok(value.to_owned())
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        parse_label(raw, 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An organisation's (business's) name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgName(String);

impl OrgName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        parse_label(raw, 120).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            EmailAddress::parse("  Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        assert!(EmailAddress::parse("").is_err());
        assert!(EmailAddress::parse("not-an-email").is_err());
        assert!(EmailAddress::parse("a@").is_err());
        // A domain without its ending is a typo, not an address.
        assert!(EmailAddress::parse("priya@gmail").is_err());
        assert!(EmailAddress::parse("priya@gmail.").is_err());
        assert!(EmailAddress::parse("root@10.0.0.1").is_err());
        assert!(EmailAddress::parse("priya@mail.co.in").is_ok());
    }

    #[test]
    fn passwords_have_bounds_and_hide_in_debug() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough").is_ok());
        assert!(Password::parse(&"x".repeat(257)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("supersecret").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Ana  ").unwrap().as_str(), "Ana");
        assert!(PersonName::parse("   ").is_err());
        assert!(OrgName::parse(&"a".repeat(121)).is_err());
        assert!(OrgName::parse("Acme\u{0}").is_err());
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_accepted_names_are_trimmed(s in ".{0,300}") {
            let _ = EmailAddress::parse(&s);
            let _ = Password::parse(&s);
            if let Ok(name) = PersonName::parse(&s) {
                prop_assert_eq!(name.as_str(), name.as_str().trim());
                prop_assert!(!name.as_str().is_empty());
            }
        }

        #[test]
        fn a_plain_address_is_accepted_and_normalising_is_idempotent(
            s in "[a-zA-Z0-9][a-zA-Z0-9_%+-]{0,19}@[a-zA-Z0-9]{1,20}\\.[a-z]{2,6}"
        ) {
            let once = EmailAddress::parse(&s).unwrap();
            prop_assert_eq!(once.as_str(), s.to_lowercase());
            let twice = EmailAddress::parse(once.as_str()).unwrap();
            prop_assert_eq!(once, twice);
        }
    }
}
