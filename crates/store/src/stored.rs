//! The JSON documents the store keeps in columns (settings, a campaign's audience, a rate
//! card), read back. A document this version cannot read is an error that names it, never a
//! default: a default could switch on what the owner switched off (follow-ups, a campaign's
//! pacing), price messages at the wrong rate, or hide a restriction Meta put on a number. A
//! column left empty is a document never written, and reads as the document's default.

use crate::error::{Result, StoreError};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// `v`, the stored `what`, as `T`.
pub fn document<T: DeserializeOwned>(what: &str, v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| unreadable(what, e))
}

/// A nullable column's document: none when nothing was stored.
pub(crate) fn optional<T: DeserializeOwned>(what: &str, v: Option<Value>) -> Result<Option<T>> {
    v.map(|v| document(what, v)).transpose()
}

/// A nullable column's document, or its default when nothing was stored.
pub(crate) fn or_default<T: DeserializeOwned + Default>(what: &str, v: Option<Value>) -> Result<T> {
    Ok(optional(what, v)?.unwrap_or_default())
}

/// The error for a stored `what` this version cannot read, with why.
pub(crate) fn unreadable(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!(
        "this version cannot read the stored {what}: {e}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, Default, Debug, PartialEq)]
    struct Settings {
        enabled: bool,
    }

    #[test]
    fn nothing_stored_is_the_default_and_an_unreadable_document_an_error_naming_it() {
        assert_eq!(
            or_default::<Settings>("follow-up settings", None).unwrap(),
            Settings::default()
        );
        let read = or_default::<Settings>("follow-up settings", Some(json!({"enabled": true})));
        assert_eq!(read.unwrap(), Settings { enabled: true });
        let err = or_default::<Settings>("follow-up settings", Some(json!({"enabled": "maybe"})))
            .unwrap_err()
            .to_string();
        assert!(err.contains("follow-up settings"), "{err}");
    }
}
