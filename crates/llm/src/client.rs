//! The real chat model: one HTTP client per configured provider, with retries.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::backoff::Backoff;
use crate::chat::{ChatMessage, ChatModel, ChatRequest, ChatResponse, Usage};
use crate::error::{LlmError, LlmErrorKind, redact};
use crate::json_output::strip_fences;
use crate::provider::{Prices, Provider, ProviderConfig};
use crate::{anthropic, openai};

/// Calls one model of one provider. Cheap to share behind an `Arc`; reqwest pools connections.
pub struct LlmClient {
    http: reqwest::Client,
    provider: Provider,
    url: String,
    model: String,
    /// Kept only to scrub it from error texts; the client sends it from its default headers.
    api_key: String,
    timeout: Duration,
    max_attempts: u32,
    prices: Prices,
    backoff: Backoff,
}

/// The outcome of [`LlmClient::test_connection`], for the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCheck {
    pub model: String,
    pub latency_ms: u64,
}

/// One provider answer, before the retry loop says how many tries it took.
pub(crate) struct Answer {
    pub text: String,
    pub usage: Usage,
    pub model: Option<String>,
}

/// A header carrying the API key, marked sensitive so it never shows in `Debug` output.
pub(crate) fn secret_header(value: &str) -> Result<HeaderValue, LlmError> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        LlmError::new(
            LlmErrorKind::BadRequest,
            "the API key contains characters that cannot be sent in an HTTP header",
        )
    })?;
    header.set_sensitive(true);
    Ok(header)
}

impl LlmClient {
    pub fn new(config: ProviderConfig) -> Result<Self, LlmError> {
        let invalid = |why: &str| LlmError::new(LlmErrorKind::BadRequest, why);
        let base_url = config.base_url.trim();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(invalid("the base URL must start with http:// or https://"));
        }
        if config.model.trim().is_empty() {
            return Err(invalid("no model is configured"));
        }
        if config.timeout.is_zero() {
            return Err(invalid("the timeout must be longer than zero"));
        }
        let (url, headers) = match config.provider {
            Provider::OpenAi => (openai::url(base_url), openai::headers(&config.api_key)?),
            Provider::Anthropic => (
                anthropic::url(base_url),
                anthropic::headers(&config.api_key)?,
            ),
        };
        let target =
            reqwest::Url::parse(&url).map_err(|_| invalid("the base URL is not a valid URL"))?;
        config
            .egress
            .check_url(&target)
            .map_err(|refused| invalid(&refused.to_string()))?;
        let http = config
            .egress
            .client_builder()
            .timeout(config.timeout)
            .default_headers(headers)
            // An API endpoint never legitimately redirects, and following one could hand the
            // key (x-api-key is not on reqwest's strip-on-redirect list) to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                LlmError::new(
                    LlmErrorKind::BadRequest,
                    format!("could not set up the HTTP client: {e}"),
                )
            })?;
        Ok(Self {
            http,
            provider: config.provider,
            url,
            model: config.model,
            api_key: config.api_key,
            timeout: config.timeout,
            // Zero would mean never asking; treat it as "no retries".
            max_attempts: config.max_attempts.max(1),
            prices: config.prices,
            backoff: Backoff::default(),
        })
    }

    /// Replaces the retry backoff (default: 250 ms doubling up to 8 s). A provider's
    /// `Retry-After` still takes precedence, capped at 10 s.
    pub fn with_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff = Backoff { base, cap };
        self
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// One tiny real call, without retries: the settings page wants to know whether these
    /// credentials work right now, and a retried success would hide a flaky setup.
    pub async fn test_connection(&self) -> Result<ConnectionCheck, LlmError> {
        let request = ChatRequest {
            system: String::new(),
            messages: vec![ChatMessage::user("Reply with the word OK")],
            max_tokens: 5,
            temperature: 0.0,
            json: false,
        };
        let body = self.encode(&request)?;
        let started = Instant::now();
        let answer = self.send_once(&body, false).await?;
        Ok(ConnectionCheck {
            model: answer.model.unwrap_or_else(|| self.model.clone()),
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    fn encode(&self, request: &ChatRequest) -> Result<Vec<u8>, LlmError> {
        match self.provider {
            Provider::OpenAi => openai::body(&self.model, request),
            Provider::Anthropic => anthropic::body(&self.model, request),
        }
        .map_err(|e| {
            LlmError::new(
                LlmErrorKind::BadRequest,
                format!("could not encode the request: {e}"),
            )
        })
    }

    async fn send_once(&self, body: &[u8], json: bool) -> Result<Answer, LlmError> {
        let transport =
            |e: reqwest::Error| LlmError::from_transport(self.provider, &e, self.timeout);
        let response = self
            .http
            .post(&self.url)
            .body(body.to_vec())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        // Reading the body is part of the call: a stall here is a timeout like any other.
        let text = response.text().await.map_err(transport)?;
        if !(200..300).contains(&status) {
            return Err(LlmError::from_status(
                self.provider,
                status,
                &text,
                retry_after,
                &self.api_key,
            ));
        }
        let mut answer = match self.provider {
            Provider::OpenAi => openai::parse(&text),
            Provider::Anthropic => anthropic::parse(&text),
        }
        .map_err(|why| {
            LlmError::malformed_response(self.provider, status, &redact(&why, &self.api_key))
        })?;
        if json {
            answer.text = strip_fences(&answer.text).to_owned();
        }
        Ok(answer)
    }
}

/// The provider's requested wait: OpenAI-style `retry-after-ms` first, then the standard
/// `Retry-After` in seconds. The HTTP-date form is ignored in favour of our own backoff.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
    };
    if let Some(ms) = number("retry-after-ms") {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    number("retry-after").and_then(|s| Duration::try_from_secs_f64(s).ok())
}

#[async_trait::async_trait]
impl ChatModel for LlmClient {
    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let body = self.encode(request)?;
        let mut attempt = 1;
        loop {
            match self.send_once(&body, request.json).await {
                Ok(answer) => {
                    return Ok(ChatResponse {
                        text: answer.text,
                        usage: answer.usage,
                        model: answer.model.unwrap_or_else(|| self.model.clone()),
                        attempts: attempt,
                    });
                }
                Err(err) if err.is_retryable() && attempt < self.max_attempts => {
                    let delay = self.backoff.delay(attempt, err.retry_after());
                    // The error text is the provider's (key already scrubbed), never the prompt.
                    tracing::warn!(
                        provider = %self.provider,
                        model = %self.model,
                        attempt,
                        max_attempts = self.max_attempts,
                        code = err.code(),
                        status = err.status,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        error = %err,
                        "chat call failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                Err(mut err) => {
                    if attempt > 1 {
                        err.message = format!("{} (after {attempt} attempts)", err.message);
                    }
                    return Err(err);
                }
            }
        }
    }

    fn prices(&self) -> Prices {
        self.prices
    }
}

impl fmt::Debug for LlmClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmClient")
            .field("provider", &self.provider)
            .field("url", &self.url)
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("prices", &self.prices)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderName;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn retry_after_reads_seconds_or_milliseconds() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "2")])),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", " 0.5 ")])),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "150"), ("retry-after", "9")])),
            Some(Duration::from_millis(150))
        );
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            None
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "1e300")])), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn bad_configuration_is_refused_up_front_without_echoing_the_key() {
        let mut config = ProviderConfig::new(Provider::OpenAi, "gpt-x", "sk-abc\nlinebreak");
        let err = LlmClient::new(config.clone()).expect_err("newline in key");
        assert_eq!(err.kind, LlmErrorKind::BadRequest);
        assert!(!err.message.contains("sk-abc"), "{}", err.message);

        config.api_key = "sk-abc".to_owned();
        config.base_url = "api.openai.com/v1".to_owned();
        assert!(LlmClient::new(config.clone()).is_err());

        config.base_url = "https://api.openai.com/v1".to_owned();
        config.model = " ".to_owned();
        assert!(LlmClient::new(config.clone()).is_err());

        config.model = "gpt-x".to_owned();
        config.max_attempts = 0;
        let client = LlmClient::new(config).expect("valid");
        assert_eq!(client.max_attempts, 1);
        assert!(!format!("{client:?}").contains("sk-abc"));
    }
}
