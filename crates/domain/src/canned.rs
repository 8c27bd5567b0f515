//! Canned replies: a member's saved answers, picked in the composer by a `/shortcut`, with
//! `{{name}}`-style variables filled from the lead when inserted.

use std::collections::BTreeMap;

/// The longest shortcut, and the longest reply text (WhatsApp's limit for a text body).
pub const SHORTCUT_MAX: usize = 30;
pub const TEXT_MAX: usize = 4096;

/// A shortcut is what follows `/` in the composer: 1–30 of `a-z 0-9 _ -`.
pub fn valid_shortcut(shortcut: &str) -> bool {
    (1..=SHORTCUT_MAX).contains(&shortcut.len())
        && shortcut
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Fills `{{name}}`, `{{ phone }}` and the like from `values` (keys lower case). A variable
/// with no value is left as written so the member sees what is missing before sending.
pub fn fill_variables(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else {
            break;
        };
        let key = rest[open + 2..open + 2 + close].trim().to_ascii_lowercase();
        out.push_str(&rest[..open]);
        match values.get(&key).filter(|v| !v.trim().is_empty()) {
            Some(value) => out.push_str(value),
            None => out.push_str(&rest[open..open + close + 4]),
        }
        rest = &rest[open + close + 4..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("name".to_owned(), "Priya".to_owned()),
            ("first_name".to_owned(), "Priya".to_owned()),
            ("phone".to_owned(), "+919812345678".to_owned()),
            ("email".to_owned(), String::new()),
        ])
    }

    #[test]
    fn variables_are_filled_from_the_lead() {
        assert_eq!(
            fill_variables("Hi {{name}}, we'll call {{ Phone }}.", &lead()),
            "Hi Priya, we'll call +919812345678."
        );
    }

    #[test]
    fn a_missing_or_empty_variable_stays_as_written() {
        assert_eq!(
            fill_variables("Mail {{email}} or {{city}}", &lead()),
            "Mail {{email}} or {{city}}"
        );
        assert_eq!(fill_variables("a {{name", &lead()), "a {{name");
        assert_eq!(fill_variables("₹2,999 {{name}}!", &lead()), "₹2,999 Priya!");
        assert_eq!(fill_variables("", &lead()), "");
    }

    #[test]
    fn shortcuts_are_short_lower_case_words() {
        for ok in ["price", "a", "fees_2026", "demo-slot", &"x".repeat(30)] {
            assert!(valid_shortcut(ok), "{ok}");
        }
        for bad in [
            "",
            "Price",
            "with space",
            "/price",
            "émoji",
            &"x".repeat(31),
        ] {
            assert!(!valid_shortcut(bad), "{bad}");
        }
    }
}
