//! The ways to reach a business or a lead, validated once at the edge: a phone number in
//! E.164 and a web address. Everything after the edge holds these types, never raw text.

use crate::ValidationError;
use std::fmt;

/// A phone number in E.164 (`+919876543210`). Parsed from any common way of writing it —
/// `+91 98765 43210`, `098765 43210` or `9876543210` with India as the default country,
/// `919876543210` as WhatsApp writes a `wa_id` — and always written out the one way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

/// Fewest and most digits of an international number (E.164 allows up to 15).
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

/// Whether `digits` start with a country calling code. The codes are a prefix code: at most
/// one of the first one, two or three digits is one.
fn has_country_code(digits: &str) -> bool {
    (1..=3).any(|n| {
        digits
            .get(..n)
            .and_then(|code| code.parse::<u16>().ok())
            .is_some_and(|code| phonenumber::metadata::DATABASE.by_code(&code).is_some())
    })
}

/// The country of an international number told by its calling code alone: `Some(Some(IN))`
/// for a code only one country uses, `Some(None)` for a code no country owns (800, 882…),
/// `None` when the code is shared (1: US, CA and the Caribbean; 7; 44) and only the full
/// numbering plan tells.
fn sole_country_of_code(digits: &str) -> Option<Option<&'static str>> {
    let regions = (1..=3).find_map(|n| {
        let code = digits.get(..n)?.parse::<u16>().ok()?;
        phonenumber::metadata::DATABASE.region(&code)
    })?;
    match regions.as_slice() {
        ["001"] => Some(None),
        [one] => Some(Some(*one)),
        _ => None,
    }
}

impl Phone {
    /// `default_country` is an ISO 3166 code (`IN`) used when the number has no country code;
    /// without one, a number without `+` is read as already international (as Meta sends it).
    pub fn parse(raw: &str, default_country: Option<&str>) -> Result<Phone, ValidationError> {
        let trimmed = raw.trim();
        let refuse = || {
            ValidationError(
                "is not a phone number: write it with its country code, e.g. +91 98765 43210"
                    .into(),
            )
        };
        let digits = trimmed.chars().filter(char::is_ascii_digit).count();
        let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
        if !(MIN_DIGITS..=MAX_DIGITS + 4).contains(&digits) || !trimmed.chars().all(allowed) {
            return Err(refuse());
        }
        let country = default_country.and_then(|c| c.trim().to_ascii_uppercase().parse().ok());
        // Separators carry nothing (and confuse where the country code ends in `+916-0…`).
        let plus = if trimmed.starts_with('+') { "+" } else { "" };
        let trimmed: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let trimmed = format!("{plus}{trimmed}");
        // 00 is the international prefix most of the world dials instead of +.
        let trimmed = match trimmed.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => trimmed.to_owned(),
        };
        let international = trimmed.starts_with('+');
        let text = if international || country.is_some() {
            trimmed
        } else {
            format!("+{trimmed}")
        };
        let number = phonenumber::parse(if international { None } else { country }, &text)
            .map_err(|_| refuse())?;
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        let n = e164.len() - 1;
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&n) {
            return Err(refuse());
        }
        Ok(Phone(e164))
    }

    /// A WhatsApp id (`wa_id`, digits only) as Meta sends it. Meta's ids are E.164 digits
    /// already: a known country code is all there is to check, without the full parser's
    /// pattern matching (measured: a tenth of a webhook's work).
    pub fn from_wa_id(wa_id: &str) -> Result<Phone, ValidationError> {
        let digits = wa_id.trim();
        let e164_digits = (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if e164_digits && has_country_code(digits) {
            return Ok(Phone(format!("+{digits}")));
        }
        Phone::parse(wa_id, None)
    }

    /// A number as we stored it (`+919876543210`): checked the cheap way `from_wa_id` checks,
    /// the full parser only for what does not look like E.164.
    pub fn from_stored(e164: &str) -> Result<Phone, ValidationError> {
        match e164.trim().strip_prefix('+') {
            Some(digits) => Phone::from_wa_id(digits),
            None => Phone::parse(e164, None),
        }
    }

    /// `+919876543210`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ISO 3166 country the number belongs to (`IN`), when its numbering plan tells.
    pub fn country(&self) -> Option<String> {
        // Most calling codes belong to one country (91 → IN): no need for the full parser's
        // pattern matching, which a 100,000-recipient campaign would pay per number.
        if let Some(one) = sole_country_of_code(self.digits()) {
            return one.map(str::to_owned);
        }
        let number = phonenumber::parse(None, &self.0).ok()?;
        number.country().id().map(|id| id.as_ref().to_owned())
    }

    /// The lead's timezone as their number tells it: the one zone of its country, `None` for a
    /// country spread over several (US, Brazil, Australia...) or a number no plan places.
    pub fn timezone(&self) -> Option<&'static str> {
        timezone_of_country(&self.country()?)
    }

    /// The country calling code and the national number (`("91", "9876543210")`), as people
    /// write the number at home; `("", digits)` when the numbering plan does not tell.
    pub fn parts(&self) -> (String, String) {
        match phonenumber::parse(None, &self.0) {
            Ok(n) => (n.code().value().to_string(), n.national().to_string()),
            Err(_) => (String::new(), self.digits().to_owned()),
        }
    }

    /// `919876543210`: how Meta's `to` and `wa_id` write it.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The country whose numbers people of a business in `timezone` write without a country
/// code (`098765 43210` in Pune means +91): the default for parsing phones until the
/// organisation names its country. Only zones that lie in one country are listed.
pub fn country_of_timezone(timezone: &str) -> Option<&'static str> {
    Some(match timezone {
        "Asia/Kolkata" | "Asia/Calcutta" => "IN",
        "Asia/Karachi" => "PK",
        "Asia/Dhaka" => "BD",
        "Asia/Kathmandu" => "NP",
        "Asia/Colombo" => "LK",
        "Asia/Dubai" => "AE",
        "Asia/Riyadh" => "SA",
        "Asia/Qatar" => "QA",
        "Asia/Singapore" => "SG",
        "Asia/Jakarta" => "ID",
        "Asia/Manila" => "PH",
        "Asia/Bangkok" => "TH",
        "Asia/Kuala_Lumpur" => "MY",
        "Asia/Tokyo" => "JP",
        "Asia/Seoul" => "KR",
        "Asia/Shanghai" => "CN",
        "Asia/Hong_Kong" => "HK",
        "Europe/London" => "GB",
        "Europe/Dublin" => "IE",
        "Europe/Paris" => "FR",
        "Europe/Berlin" => "DE",
        "Europe/Madrid" => "ES",
        "Europe/Rome" => "IT",
        "Europe/Amsterdam" => "NL",
        "Europe/Istanbul" => "TR",
        "Africa/Lagos" => "NG",
        "Africa/Nairobi" => "KE",
        "Africa/Johannesburg" => "ZA",
        "Africa/Cairo" => "EG",
        "America/Sao_Paulo" => "BR",
        "America/Mexico_City" => "MX",
        "America/Bogota" => "CO",
        "America/Argentina/Buenos_Aires" => "AR",
        "America/New_York" | "America/Chicago" | "America/Denver" | "America/Los_Angeles" => "US",
        "Australia/Sydney" | "Australia/Melbourne" => "AU",
        _ => return None,
    })
}

/// The one timezone of a country that has one (`IN` → `Asia/Kolkata`); `None` for a country
/// spread over several zones, where a lead's zone cannot be told from the number alone.
pub fn timezone_of_country(country: &str) -> Option<&'static str> {
    Some(match country {
        "IN" => "Asia/Kolkata",
        "PK" => "Asia/Karachi",
        "BD" => "Asia/Dhaka",
        "NP" => "Asia/Kathmandu",
        "LK" => "Asia/Colombo",
        "AE" => "Asia/Dubai",
        "SA" => "Asia/Riyadh",
        "QA" => "Asia/Qatar",
        "KW" => "Asia/Kuwait",
        "BH" => "Asia/Bahrain",
        "OM" => "Asia/Muscat",
        "SG" => "Asia/Singapore",
        "PH" => "Asia/Manila",
        "TH" => "Asia/Bangkok",
        "VN" => "Asia/Ho_Chi_Minh",
        "MY" => "Asia/Kuala_Lumpur",
        "JP" => "Asia/Tokyo",
        "KR" => "Asia/Seoul",
        "CN" => "Asia/Shanghai",
        "HK" => "Asia/Hong_Kong",
        "TW" => "Asia/Taipei",
        "IL" => "Asia/Jerusalem",
        "GB" => "Europe/London",
        "IE" => "Europe/Dublin",
        "FR" => "Europe/Paris",
        "DE" => "Europe/Berlin",
        "ES" => "Europe/Madrid",
        "IT" => "Europe/Rome",
        "NL" => "Europe/Amsterdam",
        "BE" => "Europe/Brussels",
        "CH" => "Europe/Zurich",
        "AT" => "Europe/Vienna",
        "PL" => "Europe/Warsaw",
        "SE" => "Europe/Stockholm",
        "NO" => "Europe/Oslo",
        "DK" => "Europe/Copenhagen",
        "FI" => "Europe/Helsinki",
        "GR" => "Europe/Athens",
        "TR" => "Europe/Istanbul",
        "UA" => "Europe/Kyiv",
        "NG" => "Africa/Lagos",
        "KE" => "Africa/Nairobi",
        "ZA" => "Africa/Johannesburg",
        "EG" => "Africa/Cairo",
        "GH" => "Africa/Accra",
        "MA" => "Africa/Casablanca",
        "CO" => "America/Bogota",
        "PE" => "America/Lima",
        "VE" => "America/Caracas",
        "NZ" => "Pacific/Auckland",
        _ => return None,
    })
}

/// An http(s) address of a page, as an owner types it (`example.com/pricing` is read as
/// `https://example.com/pricing`). No credentials, no other schemes. Written out as typed
/// (with the scheme added), not re-serialised, so `https://example.com` stays without a slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebAddress {
    url: url::Url,
    text: String,
}

impl WebAddress {
    pub const MAX_LEN: usize = 2_000;

    pub fn parse(raw: &str) -> Result<WebAddress, ValidationError> {
        let refuse = |why: &str| Err(ValidationError(why.to_owned()));
        let text = raw.trim();
        if text.is_empty() {
            return refuse("is required");
        }
        if text.len() > Self::MAX_LEN {
            return refuse("is too long for a web address");
        }
        let with_scheme = if text.contains("://") {
            text.to_owned()
        } else {
            format!("https://{text}")
        };
        let Ok(url) = url::Url::parse(&with_scheme) else {
            return refuse("is not a web address, e.g. https://example.com");
        };
        if !matches!(url.scheme(), "http" | "https") {
            return refuse("must be an http:// or https:// address");
        }
        let Some(host) = url.host_str() else {
            return refuse("is not a web address, e.g. https://example.com");
        };
        // A bare word ("hello") is not a site; a dotted name, an IP or localhost is.
        if !host.contains('.') && !host.contains(':') && host != "localhost" {
            return refuse("is not a web address, e.g. https://example.com");
        }
        if !url.username().is_empty() || url.password().is_some() {
            return refuse("must not contain a user name or password");
        }
        if with_scheme.contains(char::is_whitespace) {
            return refuse("is not a web address, e.g. https://example.com");
        }
        Ok(WebAddress {
            url,
            text: with_scheme,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn url(&self) -> &url::Url {
        &self.url
    }
}

impl fmt::Display for WebAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    /// Meta's ids take the quick path; what it gives is what the full parser gives.
    #[test]
    fn a_wa_id_reads_as_the_full_parser_reads_it() {
        for wa_id in [
            "919876543210",
            "16505551234",
            "447911123456",
            "390612345678",
            "5491123456789",
            "5511912345678",
            "971501234567",
            "8613812345678",
            "61412345678",
            "2348031234567",
            "525512345678",
            "12425551234",
        ] {
            let quick = Phone::from_wa_id(wa_id).unwrap();
            let full = Phone::parse(&format!("+{wa_id}"), None).unwrap();
            assert_eq!(quick, full, "{wa_id}");
        }
        for not_a_phone in [
            "",
            "0919876543210",
            "12345",
            "91987654321012345",
            "abc",
            "999123456789",
        ] {
            assert!(Phone::from_wa_id(not_a_phone).is_err(), "{not_a_phone}");
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_spellings_of_one_number_are_one_phone() {
        let want = "+919876543210";
        for raw in [
            "+91 98765 43210",
            "+91-98765-43210",
            "919876543210",
            "0091 98765 43210",
        ] {
            assert_eq!(Phone::parse(raw, None).unwrap().as_str(), want, "{raw}");
        }
        for raw in [
            "098765 43210",
            "9876543210",
            "+91 98765 43210",
            "919876543210",
        ] {
            assert_eq!(
                Phone::parse(raw, Some("IN")).unwrap().as_str(),
                want,
                "{raw}"
            );
        }
        assert_eq!(
            Phone::parse("+1 555-000 1111", None).unwrap().digits(),
            "15550001111"
        );
        assert_eq!(
            Phone::from_wa_id("16505551234").unwrap().as_str(),
            "+16505551234"
        );
    }

    #[test]
    fn a_pune_business_writes_local_numbers() {
        let country = country_of_timezone("Asia/Kolkata");
        assert_eq!(
            Phone::parse("098765 43210", country).unwrap().as_str(),
            "+919876543210"
        );
        assert_eq!(country_of_timezone("Mars/Olympus"), None);
    }

    #[test]
    fn what_is_not_a_number_is_refused() {
        for raw in [
            "",
            "12ab",
            "12345",
            "call me",
            "+91 98765 43210 ext 5 please",
            "1".repeat(25).as_str(),
        ] {
            assert!(Phone::parse(raw, Some("IN")).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn web_addresses_get_a_scheme_and_refuse_the_rest() {
        assert_eq!(
            WebAddress::parse("example.com/pricing").unwrap().as_str(),
            "https://example.com/pricing"
        );
        assert_eq!(
            WebAddress::parse(" http://shop.example.in ")
                .unwrap()
                .as_str(),
            "http://shop.example.in"
        );
        for bad in [
            "",
            "hello",
            "ftp://x.example",
            "https://user:pw@x.example",
            "javascript:alert(1)",
        ] {
            assert!(WebAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_phone_tells_its_timezone_when_its_country_has_one() {
        let zone = |p: &str| Phone::parse(p, None).unwrap().timezone();
        assert_eq!(zone("+91 98765 43210"), Some("Asia/Kolkata"));
        assert_eq!(zone("+49 1512 3456789"), Some("Europe/Berlin"));
        assert_eq!(zone("+971 50 123 4567"), Some("Asia/Dubai"));
        // Several zones: the number alone cannot tell.
        assert_eq!(zone("+1 415 555 0100"), None);
        assert_eq!(zone("+55 11 91234 5678"), None);
    }

    proptest! {
        /// The calling-code shortcut names the same country as the full numbering plan, for
        /// any number under any code (shared codes such as 1, 7 and 44 fall through to it).
        #[test]
        fn the_country_shortcut_agrees_with_the_numbering_plan(
            code in prop::sample::select(vec![
                1u16, 7, 20, 27, 33, 44, 49, 55, 61, 62, 63, 65, 66, 81, 86, 91, 92, 94, 212, 234,
                254, 262, 290, 358, 599, 800, 880, 882, 971, 977, 998,
            ]),
            national in 1_000_000u64..99_999_999_999,
        ) {
            let e164 = format!("+{code}{national}");
            prop_assume!(e164.len() <= 16);
            let plan = phonenumber::parse(None, &e164)
                .ok()
                .and_then(|n| n.country().id().map(|id| id.as_ref().to_owned()));
            prop_assert_eq!(Phone(e164.clone()).country(), plan, "{}", e164);
        }

        /// Whatever separators an Indian mobile number is written with, it reads the same.
        #[test]
        fn separators_do_not_matter(n in 6_000_000_000u64..9_999_999_999, seps in prop::collection::vec(prop::sample::select(vec![" ", "-", "", "."]), 10)) {
            let digits = n.to_string();
            let mut written = String::from("+91");
            for (d, s) in digits.chars().zip(&seps) {
                written.push_str(s);
                written.push(d);
            }
            let p = Phone::parse(&written, None).unwrap();
            prop_assert_eq!(p.as_str(), format!("+91{digits}"));
            prop_assert_eq!(Phone::parse(p.as_str(), Some("IN")).unwrap(), p.clone());
        }

        /// Every zone a country maps to is a real zone, and a single-zone country's zone
        /// maps back to it: the two tables agree.
        #[test]
        fn country_zones_are_real_and_agree(c in prop::sample::select(vec![
            "IN", "PK", "BD", "NP", "LK", "AE", "SA", "QA", "KW", "BH", "OM", "SG", "PH", "TH",
            "VN", "MY", "JP", "KR", "CN", "HK", "TW", "IL", "GB", "IE", "FR", "DE", "ES", "IT",
            "NL", "BE", "CH", "AT", "PL", "SE", "NO", "DK", "FI", "GR", "TR", "UA", "NG", "KE",
            "ZA", "EG", "GH", "MA", "CO", "PE", "VE", "NZ", "US", "BR", "AU", "RU", "XX"])) {
            match timezone_of_country(c) {
                Some(z) => {
                    prop_assert!(z.parse::<chrono_tz::Tz>().is_ok(), "{} is no zone", z);
                    if let Some(back) = country_of_timezone(z) {
                        prop_assert_eq!(back, c);
                    }
                }
                None => prop_assert!(["US", "BR", "AU", "RU", "XX"].contains(&c)),
            }
        }
    }
}
