//! Collects every field error of a request, so one 422 names them all.

use crate::error::ApiError;
use closer_domain::ValidationError;
use serde_json::{Map, Value};

#[derive(Default)]
pub struct Validator {
    fields: Map<String, Value>,
}

impl Validator {
    pub fn check<T>(&mut self, field: &str, result: Result<T, ValidationError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.fields.insert(field.to_owned(), Value::String(e.0));
                None
            }
        }
    }

    pub fn fail(&mut self, field: &str, message: &str) {
        self.fields
            .insert(field.to_owned(), Value::String(message.to_owned()));
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.fields.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.fields))
        }
    }
}

/// Blank optional text means "not set".
pub fn optional(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}
