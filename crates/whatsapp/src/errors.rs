//! Graph API errors and what to do about each: Meta says to branch on `error.code`, not on
//! the HTTP status.

use serde::Deserialize;

/// `{"error": {...}}` as the Graph API answers a failed call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GraphErrorBody {
    pub error: GraphError,
}

#[derive(Debug, Clone, PartialEq, Deserialize, thiserror::Error)]
#[error("Graph API error {code}: {message}")]
pub struct GraphError {
    pub code: i64,
    #[serde(default)]
    pub message: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub error_subcode: Option<i64>,
    pub error_data: Option<crate::webhook::ErrorData>,
    pub fbtrace_id: Option<String>,
}

/// What the sender should do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Transient on Meta's side: retry with backoff.
    Retryable,
    /// The number or app is over its throughput or call limits: back off, then retry.
    Throttled,
    /// Too many messages to this one recipient: back off for that recipient only.
    RecipientRateLimited,
    /// Over 24 h since the lead last wrote: only an approved template may go.
    NeedsTemplate,
    /// The recipient hit the marketing-message limit: not again for 24 h.
    MarketingLimited,
    /// The access token is expired or invalid: mark the account in error and alert an admin.
    Auth,
    /// The template is paused or disabled: edit it, wait, or create another.
    TemplateUnavailable,
    /// The request itself is wrong (parameters, template variables): fix it, do not retry.
    InvalidRequest,
    /// Will never succeed for this recipient or account (undeliverable, opted out, policy).
    Permanent,
}

impl ErrorClass {
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorClass::Retryable | ErrorClass::Throttled | ErrorClass::RecipientRateLimited
        )
    }
}

/// Classifies a Graph error code; `http_status` decides only for codes not in Meta's table.
pub fn classify(code: i64, http_status: Option<u16>) -> ErrorClass {
    use ErrorClass::*;
    match code {
        131047 => NeedsTemplate,
        131026 | 131050 | 131048 | 368 => Permanent,
        131049 => MarketingLimited,
        130429 | 4 | 80007 => Throttled,
        131056 => RecipientRateLimited,
        131057 | 131000 | 131016 | 1 | 2 => Retryable,
        131051 | 100 | 131009 | 132000 | 132001 | 132005 | 132007 | 132012 => InvalidRequest,
        132015 | 132016 => TemplateUnavailable,
        190 => Auth,
        _ => match http_status {
            Some(429) => Throttled,
            Some(401) => Auth,
            Some(s) if s >= 500 => Retryable,
            _ => Permanent,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_table_of_whatsapp_md() {
        assert_eq!(classify(131047, Some(400)), ErrorClass::NeedsTemplate);
        assert_eq!(classify(130429, Some(400)), ErrorClass::Throttled);
        assert!(classify(131056, None).is_retryable());
        assert!(!classify(131026, None).is_retryable());
        assert_eq!(classify(190, Some(401)), ErrorClass::Auth);
        assert_eq!(classify(132016, None), ErrorClass::TemplateUnavailable);
        assert_eq!(classify(999_999, Some(503)), ErrorClass::Retryable);
        assert_eq!(classify(999_999, Some(400)), ErrorClass::Permanent);
    }
}
