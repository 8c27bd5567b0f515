//! How a product enum's text is read: the canonical spelling, or the seeds' UPPER_SNAKE
//! spelling of the same word (`BOOK_CALL` for `book_call`), in any case and with surrounding
//! spaces or hyphens for underscores, because owners paste the customer's documents and
//! models answer in the documented vocabulary.

use crate::ValidationError;

/// How every product enum is described in the OpenAPI document.
pub const SCHEMA_NOTE: &str = "One of the listed values, which is how it is always written \
    out. Input also accepts the seeds' UPPER_SNAKE spelling of the same value (`BOOK_CALL` for \
    `book_call`).";

/// The variant whose canonical text `raw` spells, if any.
pub fn parse_spelling<T: Copy>(all: &[T], text: fn(T) -> &'static str, raw: &str) -> Option<T> {
    let raw = raw.trim();
    if let Some(v) = all.iter().copied().find(|v| text(*v) == raw) {
        return Some(v);
    }
    let folded: String = raw
        .chars()
        .map(|c| {
            if c == '-' || c == ' ' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    all.iter().copied().find(|v| {
        let canonical = text(*v);
        canonical == folded || canonical.replace('-', "_") == folded
    })
}

/// The error for a value that is none of an enum's words; it lists the accepted ones.
pub fn unknown<'a>(
    enum_name: &str,
    raw: &str,
    accepted: impl Iterator<Item = &'a str>,
) -> ValidationError {
    let shown: String = raw.chars().take(40).collect();
    let list: Vec<&str> = accepted.collect();
    ValidationError(format!(
        "`{shown}` is not a known {} (one of: {})",
        human_name(enum_name),
        list.join(", ")
    ))
}

/// `CtaType` → "CTA type", `LeadStatus` → "lead status".
fn human_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out.replace("cta", "CTA").replace("llm", "LLM")
}

#[cfg(test)]
mod tests {
    use crate::sales::{CtaType, ReasonCode};
    use proptest::prelude::*;

    #[test]
    fn the_seeds_spelling_reads_as_the_canonical_one() {
        assert_eq!("BOOK_CALL".parse::<CtaType>().unwrap(), CtaType::BookCall);
        assert_eq!("book_call".parse::<CtaType>().unwrap(), CtaType::BookCall);
        assert_eq!(" Book-Call ".parse::<CtaType>().unwrap(), CtaType::BookCall);
        assert_eq!(
            "CTA_PUSH".parse::<ReasonCode>().unwrap(),
            ReasonCode::CtaPush
        );
        let e = "BOOK_A_CALL".parse::<CtaType>().unwrap_err();
        assert!(e.0.contains("CTA type"), "{e}");
        assert!(e.0.contains("book_call"), "{e}");
    }

    #[test]
    fn json_reads_either_spelling_and_writes_the_canonical_one() {
        let v: Vec<CtaType> = serde_json::from_str(r#"["APP_DOWNLOAD","book_call"]"#).unwrap();
        assert_eq!(v, vec![CtaType::AppDownload, CtaType::BookCall]);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"["app_download","book_call"]"#
        );
        assert!(serde_json::from_str::<CtaType>(r#""fax""#).is_err());
    }

    proptest! {
        /// Any casing of any canonical word reads back as that word, and nothing else does.
        #[test]
        fn any_casing_reads_back(i in 0usize..8, mask in any::<u64>()) {
            let v = CtaType::ALL[i];
            let cased: String = v.as_str().chars().enumerate()
                .map(|(k, c)| if mask >> (k % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c })
                .collect();
            prop_assert_eq!(cased.parse::<CtaType>().unwrap(), v);
        }

        #[test]
        fn unknown_words_are_errors(raw in "[a-z_]{0,12}") {
            let known = CtaType::ALL.iter().any(|v| v.as_str() == raw);
            prop_assert_eq!(raw.parse::<CtaType>().is_ok(), known);
        }
    }
}
