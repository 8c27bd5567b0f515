//! What can go wrong when asking a model, sorted by what the caller should do about it.

use std::error::Error as _;
use std::time::Duration;

use crate::provider::Provider;

/// Longest provider error text kept in a message; some servers answer errors with whole HTML pages.
const MAX_PROVIDER_MESSAGE_CHARS: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LlmErrorKind {
    /// HTTP 429.
    RateLimited,
    /// HTTP 5xx, including Anthropic's 529 "overloaded".
    Server,
    /// No complete answer within the configured per-call timeout (or HTTP 408).
    Timeout,
    /// The connection could not be made or broke before an answer arrived.
    Unreachable,
    /// HTTP 401/403: wrong, revoked or under-privileged key.
    Auth,
    /// Any other 4xx (and a redirect, which an API endpoint should never answer), or a
    /// configuration the client cannot send at all.
    BadRequest,
    /// HTTP 2xx whose body is not the provider's answer shape.
    MalformedResponse,
    /// The model answered, but not with the JSON object that was asked for.
    MalformedOutput,
}

impl LlmErrorKind {
    pub const ALL: &'static [LlmErrorKind] = &[
        LlmErrorKind::RateLimited,
        LlmErrorKind::Server,
        LlmErrorKind::Timeout,
        LlmErrorKind::Unreachable,
        LlmErrorKind::Auth,
        LlmErrorKind::BadRequest,
        LlmErrorKind::MalformedResponse,
        LlmErrorKind::MalformedOutput,
    ];

    /// Stable snake_case code for logs, metrics and API answers.
    pub fn as_str(self) -> &'static str {
        match self {
            LlmErrorKind::RateLimited => "rate_limited",
            LlmErrorKind::Server => "server",
            LlmErrorKind::Timeout => "timeout",
            LlmErrorKind::Unreachable => "unreachable",
            LlmErrorKind::Auth => "auth",
            LlmErrorKind::BadRequest => "bad_request",
            LlmErrorKind::MalformedResponse => "malformed_response",
            LlmErrorKind::MalformedOutput => "malformed_output",
        }
    }

    /// Whether the same request may succeed if simply sent again later.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            LlmErrorKind::RateLimited
                | LlmErrorKind::Server
                | LlmErrorKind::Timeout
                | LlmErrorKind::Unreachable
        )
    }

    /// The kind for a non-2xx HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            429 => LlmErrorKind::RateLimited,
            401 | 403 => LlmErrorKind::Auth,
            // A server-side request timeout says nothing about the request itself being wrong.
            408 => LlmErrorKind::Timeout,
            500..=599 => LlmErrorKind::Server,
            _ => LlmErrorKind::BadRequest,
        }
    }
}

impl std::fmt::Display for LlmErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed model call. The message names the provider, the HTTP status and the provider's own
/// explanation, and never contains the API key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct LlmError {
    pub kind: LlmErrorKind,
    /// The HTTP status, when the provider answered.
    pub status: Option<u16>,
    pub message: String,
    retry_after: Option<Duration>,
}

impl LlmError {
    pub fn new(kind: LlmErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }

    pub fn is_retryable(&self) -> bool {
        self.kind.is_retryable()
    }

    /// How long the provider asked us to wait before trying again, as sent (uncapped).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// A non-2xx answer. `api_key` is scrubbed from the provider's text because some servers
    /// echo the key they rejected.
    pub(crate) fn from_status(
        provider: Provider,
        status: u16,
        body: &str,
        retry_after: Option<Duration>,
        api_key: &str,
    ) -> Self {
        // Scrub before truncating, so a key cut in half by the cut cannot slip through.
        let mut message = format!("{provider} answered HTTP {status}");
        if let Some(explained) = provider_explanation(&redact(body, api_key)) {
            message.push_str(&explained);
        }
        Self {
            kind: LlmErrorKind::from_status(status),
            status: Some(status),
            message,
            retry_after,
        }
    }

    /// A 2xx answer that is not the provider's shape.
    pub(crate) fn malformed_response(provider: Provider, status: u16, why: &str) -> Self {
        Self {
            kind: LlmErrorKind::MalformedResponse,
            status: Some(status),
            message: format!("{provider} answered HTTP {status} but not with a chat answer: {why}"),
            retry_after: None,
        }
    }

    /// The call never got an HTTP answer.
    pub(crate) fn from_transport(
        provider: Provider,
        err: &reqwest::Error,
        timeout: Duration,
    ) -> Self {
        if err.is_timeout() {
            return Self::new(
                LlmErrorKind::Timeout,
                format!(
                    "{provider} did not answer within {} ms",
                    timeout.as_millis()
                ),
            );
        }
        if let Some(refused) = closer_egress::refusal(err) {
            return Self::new(LlmErrorKind::BadRequest, refused.to_string());
        }
        let place = err
            .url()
            .map(|url| format!(" at {}", url.as_str()))
            .unwrap_or_default();
        // One sentence per kind of failure and never the socket's own words ("connection
        // refused", "reset by peer"): those would tell whoever typed the address which ports
        // are open there. Only what an owner needs to fix their own setup is named.
        let what = if err.is_connect() {
            "could not connect to"
        } else {
            "lost the connection to"
        };
        let hint = transport_hint(err);
        Self::new(
            LlmErrorKind::Unreachable,
            format!("{what} {provider}{place}{hint}"),
        )
    }
}

/// " (the name was not found)" or " (its TLS certificate was not accepted)" when the cause
/// chain says so; nothing otherwise.
fn transport_hint(err: &reqwest::Error) -> &'static str {
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string().to_ascii_lowercase();
        if text.contains("dns") || text.contains("failed to lookup") {
            return " (the name was not found)";
        }
        if text.contains("certificate") {
            return " (its TLS certificate was not accepted)";
        }
        source = cause.source();
    }
    ""
}

/// ": <text>" or " (<type>): <text>" from either provider's error envelope
/// (OpenAI `{"error":{"message","type"}}`, Anthropic `{"type":"error","error":{"type","message"}}`),
/// falling back to what compatible servers tend to send. A body that is not JSON (an HTML page,
/// a banner) is not repeated: whatever else answers at an address is none of our business.
fn provider_explanation(body: &str) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        return None;
    }
    let (kind, text) = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value) if value.is_object() => {
            let error = value.get("error");
            let kind = error
                .and_then(|e| e.get("type"))
                .and_then(|t| t.as_str())
                .map(str::to_owned);
            let text = error
                .and_then(|e| e.get("message"))
                .or(error.filter(|e| e.is_string()))
                .or(value.get("message"))
                .or(value.get("detail"))
                .and_then(|t| t.as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| body.to_owned());
            (kind, text)
        }
        _ => return None,
    };
    let text = truncate(text.trim(), MAX_PROVIDER_MESSAGE_CHARS);
    Some(match kind {
        Some(kind) => format!(" ({kind}): {text}"),
        None => format!(": {text}"),
    })
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Keys shorter than this are not secrets worth mangling a message for.
const MIN_REDACTED_KEY_LEN: usize = 4;

pub(crate) fn redact(text: &str, api_key: &str) -> String {
    if api_key.len() < MIN_REDACTED_KEY_LEN {
        return text.to_owned();
    }
    text.replace(api_key, "[redacted]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(LlmErrorKind::from_status(429), LlmErrorKind::RateLimited);
        assert_eq!(LlmErrorKind::from_status(401), LlmErrorKind::Auth);
        assert_eq!(LlmErrorKind::from_status(403), LlmErrorKind::Auth);
        assert_eq!(LlmErrorKind::from_status(400), LlmErrorKind::BadRequest);
        assert_eq!(LlmErrorKind::from_status(404), LlmErrorKind::BadRequest);
        assert_eq!(LlmErrorKind::from_status(500), LlmErrorKind::Server);
        assert_eq!(LlmErrorKind::from_status(529), LlmErrorKind::Server);
        assert_eq!(LlmErrorKind::from_status(302), LlmErrorKind::BadRequest);
    }

    #[test]
    fn codes_are_snake_case_and_only_transient_kinds_retry() {
        let retryable: Vec<_> = LlmErrorKind::ALL
            .iter()
            .filter(|k| k.is_retryable())
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            retryable,
            ["rate_limited", "server", "timeout", "unreachable"]
        );
        let err = LlmError::new(LlmErrorKind::MalformedOutput, "x");
        assert_eq!(err.code(), "malformed_output");
        assert!(!err.is_retryable());
    }

    #[test]
    fn openai_and_anthropic_envelopes_are_explained() {
        let openai = LlmError::from_status(
            Provider::OpenAi,
            400,
            r#"{"error":{"message":"bad model","type":"invalid_request_error","code":null}}"#,
            None,
            "",
        );
        assert_eq!(
            openai.message,
            "openai answered HTTP 400 (invalid_request_error): bad model"
        );
        let anthropic = LlmError::from_status(
            Provider::Anthropic,
            529,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            None,
            "",
        );
        assert_eq!(
            anthropic.message,
            "anthropic answered HTTP 529 (overloaded_error): Overloaded"
        );
        assert_eq!(anthropic.kind, LlmErrorKind::Server);
        assert_eq!(anthropic.status, Some(529));
    }

    #[test]
    fn odd_bodies_are_kept_short_and_the_key_is_scrubbed() {
        // Whatever answers at an address that is not a model's API is not repeated.
        let plain = LlmError::from_status(Provider::OpenAi, 502, "Bad Gateway\n", None, "");
        assert_eq!(plain.message, "openai answered HTTP 502");
        let banner = LlmError::from_status(Provider::OpenAi, 404, "<html>admin</html>", None, "");
        assert_eq!(banner.message, "openai answered HTTP 404");
        let string_error = LlmError::from_status(
            Provider::OpenAi,
            404,
            r#"{"error":"no such model"}"#,
            None,
            "",
        );
        assert_eq!(
            string_error.message,
            "openai answered HTTP 404: no such model"
        );
        let empty = LlmError::from_status(Provider::OpenAi, 503, "", None, "");
        assert_eq!(empty.message, "openai answered HTTP 503");

        let long = format!("{{\"error\":\"{}\"}}", "x".repeat(5_000));
        let long = LlmError::from_status(Provider::OpenAi, 500, &long, None, "");
        assert!(long.message.chars().count() < 400, "{}", long.message);

        let echoed = LlmError::from_status(
            Provider::OpenAi,
            401,
            r#"{"error":{"message":"Incorrect API key provided: sk-live-0123456789"}}"#,
            None,
            "sk-live-0123456789",
        );
        assert!(!echoed.message.contains("sk-live-0123456789"));
        assert!(
            echoed
                .message
                .contains("Incorrect API key provided: [redacted]")
        );
    }
}
