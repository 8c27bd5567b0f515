//! Text the databases can store. PostgreSQL refuses the NUL character in text (SQLite takes
//! it), so one NUL in a lead's message used to fail the whole webhook delivery on PostgreSQL
//! only. Every text that enters — webhook bodies, API bodies and queries, uploaded files — is
//! cleaned at the edge, the same way for both databases.

use serde_json::Value;
use std::borrow::Cow;

/// `text` without NUL characters.
pub fn storable(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', ""))
    } else {
        Cow::Borrowed(text)
    }
}

/// Removes NUL characters from every string (keys included) of a JSON document, in place.
pub fn make_storable(doc: &mut Value) {
    match doc {
        Value::String(s) => {
            if let Cow::Owned(clean) = storable(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_storable),
        Value::Object(map) => {
            if map.keys().any(|k| k.contains('\0')) {
                let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                for (k, v) in entries {
                    map.insert(storable(&k).into_owned(), v);
                }
            }
            map.values_mut().for_each(make_storable);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn nul_goes_everywhere_else_stays() {
        let mut doc = json!({"a\u{0}b": ["x\u{0}y", 1, {"t": "नमस्ते\u{0}"}], "n": null});
        make_storable(&mut doc);
        assert_eq!(doc, json!({"ab": ["xy", 1, {"t": "नमस्ते"}], "n": null}));
        assert!(matches!(storable("clean"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn storable_text_has_no_nul_and_keeps_the_rest(s in "\\PC*") {
            let with_nul = format!("{s}\u{0}{s}");
            let clean = storable(&with_nul);
            prop_assert!(!clean.contains('\0'));
            prop_assert_eq!(clean.into_owned(), format!("{}{}", storable(&s), storable(&s)));
        }
    }
}
