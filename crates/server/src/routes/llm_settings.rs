//! Settings → LLM provider: which model the agent writes with, the key it uses (sealed at rest
//! and never shown again), and "test connection", one tiny real call to the provider.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Manager, Member, parse_json, require_json, unreadable_body};
use crate::llm_provider;
use crate::state::AppState;
use crate::validate::Validator;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Uri};
use chrono::{DateTime, Utc};
use closer_domain::work::ErrorCode;
use closer_llm::{LlmError, Provider, ProviderConfig};
use closer_store::agent_config::{LlmSettings, LlmSettingsInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const MIN_TIMEOUT_MS: i64 = 1_000;
const MAX_TIMEOUT_MS: i64 = 120_000;
const MAX_MODEL_CHARS: usize = 200;
const MAX_BASE_URL_CHARS: usize = 500;
const MAX_KEY_CHARS: usize = 500;
/// The test call gives up before the server's 30 s request limit would cut the request off,
/// so a slow provider is reported as a timeout instead of the page seeing a bare 408.
const TEST_TIMEOUT_MS: i32 = 25_000;

/// The settings as shown. The key is write-only: only whether one is saved.
#[derive(Serialize, ToSchema)]
pub struct LlmSettingsView {
    /// False until the first save; the other fields are then the defaults a new form starts
    /// from (OpenAI-compatible at OpenAI's endpoint, no model, no key).
    pub configured: bool,
    /// `openai` means any OpenAI-compatible chat completions server at `base_url`.
    pub provider: Provider,
    pub base_url: String,
    pub model: String,
    pub has_api_key: bool,
    /// Per call to the provider.
    pub timeout_ms: i32,
    /// US dollars per million input tokens, for cost tracking.
    pub input_usd_per_mtok: f64,
    /// US dollars per million output tokens, for cost tracking.
    pub output_usd_per_mtok: f64,
    /// Null until the first save.
    pub updated_at: Option<DateTime<Utc>>,
    /// Each provider's public endpoint, for a form that switches provider.
    pub default_base_urls: DefaultBaseUrls,
}

#[derive(Serialize, ToSchema)]
pub struct DefaultBaseUrls {
    pub openai: String,
    pub anthropic: String,
}

/// Settings to save or to test. Every field is optional: an absent one keeps the saved value
/// (or the default, before the first save).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct LlmSettingsRequest {
    /// Read as text so that one 422 names every bad field, this one included.
    #[schema(value_type = Option<Provider>)]
    pub provider: Option<String>,
    /// An http(s) URL; blank means the provider's public endpoint. When only the provider
    /// changes and the saved URL is the other provider's default, the URL follows the switch.
    pub base_url: Option<String>,
    /// 1 to 200 characters.
    pub model: Option<String>,
    /// Write-only. Absent keeps the saved key; `""` removes it.
    pub api_key: Option<String>,
    /// 1000 to 120000.
    pub timeout_ms: Option<i64>,
    /// At least 0.
    pub input_usd_per_mtok: Option<f64>,
    /// At least 0.
    pub output_usd_per_mtok: Option<f64>,
}

impl LlmSettingsRequest {
    fn is_empty(&self) -> bool {
        self.provider.is_none()
            && self.base_url.is_none()
            && self.model.is_none()
            && self.api_key.is_none()
            && self.timeout_ms.is_none()
            && self.input_usd_per_mtok.is_none()
            && self.output_usd_per_mtok.is_none()
    }
}

/// The outcome of a connection test. A provider that refuses is still a 200: the test ran.
#[derive(Serialize, ToSchema)]
pub struct ConnectionTest {
    pub ok: bool,
    /// When ok: the model that answered, as the provider names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// When ok: how long the call took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// When not ok: `auth`, `unreachable`, `timeout`, `rate_limited`, `server`,
    /// `bad_request` or `malformed_response`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// When not ok: what went wrong, for people. Never contains the key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ConnectionTest {
    fn failed(err: &LlmError) -> Self {
        ConnectionTest {
            ok: false,
            model: None,
            latency_ms: None,
            code: Some(err.code().to_owned()),
            message: Some(err.message.clone()),
        }
    }
}

/// The values a request is merged over: the saved settings, or the defaults.
struct Current {
    provider: Provider,
    base_url: String,
    model: String,
    timeout_ms: i64,
    input_usd_per_mtok: f64,
    output_usd_per_mtok: f64,
    /// A key is saved, for `base_url`'s server only.
    has_api_key: bool,
}

impl Current {
    fn defaults() -> Self {
        Current {
            provider: Provider::OpenAi,
            base_url: Provider::OpenAi.default_base_url().into(),
            model: String::new(),
            timeout_ms: i64::try_from(ProviderConfig::DEFAULT_TIMEOUT.as_millis())
                .unwrap_or(MAX_TIMEOUT_MS),
            input_usd_per_mtok: 0.0,
            output_usd_per_mtok: 0.0,
            has_api_key: false,
        }
    }

    fn saved(s: &LlmSettings) -> Self {
        Current {
            provider: s.provider,
            base_url: s.base_url.clone(),
            model: s.model.clone(),
            timeout_ms: i64::from(s.timeout_ms),
            input_usd_per_mtok: s.input_usd_per_mtok,
            output_usd_per_mtok: s.output_usd_per_mtok,
            has_api_key: s.has_api_key,
        }
    }
}

fn view(saved: Option<LlmSettings>) -> LlmSettingsView {
    let default_base_urls = DefaultBaseUrls {
        openai: Provider::OpenAi.default_base_url().into(),
        anthropic: Provider::Anthropic.default_base_url().into(),
    };
    match saved {
        Some(s) => LlmSettingsView {
            configured: true,
            provider: s.provider,
            base_url: s.base_url,
            model: s.model,
            has_api_key: s.has_api_key,
            timeout_ms: s.timeout_ms,
            input_usd_per_mtok: s.input_usd_per_mtok,
            output_usd_per_mtok: s.output_usd_per_mtok,
            updated_at: Some(s.updated_at),
            default_base_urls,
        },
        None => {
            let d = Current::defaults();
            LlmSettingsView {
                configured: false,
                provider: d.provider,
                base_url: d.base_url,
                model: d.model,
                has_api_key: false,
                timeout_ms: i32::try_from(d.timeout_ms).unwrap_or(i32::MAX),
                input_usd_per_mtok: d.input_usd_per_mtok,
                output_usd_per_mtok: d.output_usd_per_mtok,
                updated_at: None,
                default_base_urls,
            }
        }
    }
}

fn is_a_default_base_url(url: &str) -> bool {
    let url = url.trim().trim_end_matches('/');
    Provider::ALL.iter().any(|p| p.default_base_url() == url)
}

fn has_control_chars(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Scheme, host and port: where a key goes.
pub(crate) fn origin(url: &str) -> Option<String> {
    let uri = url.parse::<Uri>().ok()?;
    Some(format!(
        "{}://{}",
        uri.scheme_str()?.to_ascii_lowercase(),
        uri.authority()?.as_str().to_ascii_lowercase()
    ))
}

/// Why `url` cannot be a provider's base URL, if it cannot.
pub(crate) fn base_url_problem(url: &str) -> Option<String> {
    if url.chars().count() > MAX_BASE_URL_CHARS {
        return Some(format!("must be at most {MAX_BASE_URL_CHARS} characters"));
    }
    let well_formed = url.parse::<Uri>().ok().filter(|uri| {
        matches!(uri.scheme_str(), Some("http" | "https"))
            && uri.host().is_some_and(|host| !host.is_empty())
    });
    match well_formed {
        None => Some("must be an http:// or https:// URL, e.g. https://api.openai.com/v1".into()),
        // The client appends the API's path, which would land inside a query or fragment.
        Some(uri) if uri.query().is_some() || url.contains('#') => {
            Some("must not have a query string or fragment".into())
        }
        Some(_) => None,
    }
}

/// How long saving waits for the base URL's host to resolve.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// 422 on `base_url` when it points into a private network the operator has not allowed
/// (`CLOSER_EGRESS_ALLOW`): the key would be sent there, and the answers would map it. A name
/// that does not resolve right now is saved all the same; the connection test will say so.
pub(crate) async fn reachable(
    egress: &closer_egress::EgressPolicy,
    base_url: &str,
) -> ApiResult<()> {
    let Ok(url) = reqwest::Url::parse(base_url) else {
        return Ok(());
    };
    match tokio::time::timeout(LOOKUP_TIMEOUT, egress.check_resolved(&url)).await {
        Ok(Err(refused @ closer_egress::Refused::NotPublic(_))) => Err(ApiError::field(
            "base_url",
            format!(
                "{refused}; a model on your own network must be allowed by the server's operator (CLOSER_EGRESS_ALLOW)"
            ),
        )),
        _ => Ok(()),
    }
}

/// `req` over `current`, validated; every field problem is named in one 422.
fn merge(current: Current, req: LlmSettingsRequest) -> ApiResult<LlmSettingsInput> {
    let mut v = Validator::default();

    let provider_changed = req.provider.is_some();
    let provider = match req.provider.as_deref().map(str::parse::<Provider>) {
        None => Some(current.provider),
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => {
            v.fail("provider", &e.0);
            None
        }
    };
    let default_url = |p: Option<Provider>| p.map(|p| p.default_base_url().to_owned());

    let base_url = match req.base_url.as_deref().map(str::trim) {
        Some("") => default_url(provider).unwrap_or_default(),
        Some(url) => url.to_owned(),
        None if provider_changed && is_a_default_base_url(&current.base_url) => {
            default_url(provider).unwrap_or_else(|| current.base_url.clone())
        }
        None => current.base_url.clone(),
    };
    if let Some(problem) = base_url_problem(&base_url) {
        v.fail("base_url", &problem);
    }

    let model = req
        .model
        .map(|m| m.trim().to_owned())
        .unwrap_or(current.model);
    if model.is_empty() {
        v.fail("model", "is required");
    } else if model.chars().count() > MAX_MODEL_CHARS {
        v.fail(
            "model",
            &format!("must be at most {MAX_MODEL_CHARS} characters"),
        );
    } else if has_control_chars(&model) {
        v.fail("model", "must not contain control characters");
    }

    let timeout_ms = req.timeout_ms.unwrap_or(current.timeout_ms);
    if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&timeout_ms) {
        v.fail(
            "timeout_ms",
            &format!("must be between {MIN_TIMEOUT_MS} and {MAX_TIMEOUT_MS}"),
        );
    }

    let mut price = |field: &str, value: Option<f64>, saved: f64| {
        let value = value.unwrap_or(saved);
        if !value.is_finite() || value < 0.0 {
            v.fail(field, "must be a number of at least 0");
        }
        value
    };
    let input_usd_per_mtok = price(
        "input_usd_per_mtok",
        req.input_usd_per_mtok,
        current.input_usd_per_mtok,
    );
    let output_usd_per_mtok = price(
        "output_usd_per_mtok",
        req.output_usd_per_mtok,
        current.output_usd_per_mtok,
    );

    // Pasted keys often carry a stray space or newline at either end.
    let api_key = req.api_key.map(|k| k.trim().to_owned());
    if let Some(key) = &api_key {
        if key.chars().count() > MAX_KEY_CHARS {
            v.fail(
                "api_key",
                &format!("must be at most {MAX_KEY_CHARS} characters"),
            );
        } else if !key.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
            // It travels in an HTTP header, which carries printable ASCII only.
            v.fail(
                "api_key",
                "must contain only printable ASCII characters, without control characters",
            );
        }
    }

    // The saved key is write-only: pointing the settings at another server must not send it
    // there. A new server needs the key typed again.
    if current.has_api_key
        && api_key.is_none()
        && origin(&base_url).is_some()
        && origin(&base_url) != origin(&current.base_url)
    {
        v.fail(
            "api_key",
            "must be entered again for a different server: the saved key only goes to the server it was saved for",
        );
    }

    v.finish()?;
    Ok(LlmSettingsInput {
        provider: provider.unwrap_or(current.provider),
        base_url,
        model,
        api_key,
        timeout_ms: i32::try_from(timeout_ms).unwrap_or(i32::MAX),
        input_usd_per_mtok,
        output_usd_per_mtok,
    })
}

/// The organisation's LLM provider (any member). Before the first save: `configured: false`
/// with the defaults.
#[utoipa::path(get, path = "/settings/llm", tag = "llm", security(("bearer" = [])),
    responses((status = 200, body = LlmSettingsView)))]
pub async fn get_llm_settings(
    State(state): State<AppState>,
    member: Member,
) -> ApiResult<Json<LlmSettingsView>> {
    let saved = state.store.org(member.org_id()).llm_settings().await?;
    Ok(Json(view(saved)))
}

/// Saves the LLM provider (owner or admin). Absent fields keep their saved values; an absent
/// `api_key` keeps the saved key and `""` removes it. Audited.
#[utoipa::path(put, path = "/settings/llm", tag = "llm", request_body = LlmSettingsRequest,
    security(("bearer" = [])),
    responses((status = 200, body = LlmSettingsView), (status = 403, body = ErrorBody),
        (status = 422, description = "validation_failed, naming the fields", body = ErrorBody)))]
pub async fn update_llm_settings(
    State(state): State<AppState>,
    Manager(member): Manager,
    ApiJson(req): ApiJson<LlmSettingsRequest>,
) -> ApiResult<Json<LlmSettingsView>> {
    let scope = state.store.org(member.org_id());
    let current = scope
        .llm_settings()
        .await?
        .map_or_else(Current::defaults, |s| Current::saved(&s));
    let input = merge(current, req)?;
    reachable(&state.egress, &input.base_url).await?;
    let saved = scope
        .save_llm_settings(&member.0.user.as_actor(), input)
        .await?;
    Ok(Json(view(Some(saved))))
}

/// Optional JSON: an empty body means "the saved settings as they are".
fn optional_body(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Option<LlmSettingsRequest>> {
    let bytes = body.map_err(unreadable_body)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    require_json(headers)?;
    // `null` reads as "no settings" too.
    parse_json(&bytes)
}

fn not_configured() -> ApiError {
    ApiError::Unprocessable {
        code: ErrorCode::LlmNotConfigured,
        message: "No LLM provider is configured yet: save one, or send the settings to test."
            .into(),
        details: None,
    }
}

/// Tries the provider with one tiny call (owner or admin: it spends tokens and sends the
/// saved key to the URL tested). Without a body it tests the saved settings; with one, those
/// settings merged over the saved ones, so a form can be tested before it is saved (an absent
/// `api_key` means the saved key). Nothing is saved.
#[utoipa::path(post, path = "/settings/llm/test", tag = "llm",
    request_body(content = Option<LlmSettingsRequest>, description = "Optional: settings to test instead of the saved ones"),
    security(("bearer" = [])),
    responses((status = 200, description = "The test ran; `ok` says whether the provider answered", body = ConnectionTest),
        (status = 403, body = ErrorBody),
        (status = 422, description = "validation_failed, or llm_not_configured when there is nothing to test", body = ErrorBody)))]
pub async fn test_llm_connection(
    State(state): State<AppState>,
    Manager(member): Manager,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<ConnectionTest>> {
    let request = optional_body(&headers, body)?.filter(|r| !r.is_empty());
    let saved = state
        .store
        .org(member.org_id())
        .llm_settings_with_key()
        .await?;
    let (mut settings, key) = match (saved, request) {
        (None, None) => return Err(not_configured()),
        (Some((settings, key)), None) => (settings, key.unwrap_or_default()),
        (saved, Some(req)) => {
            let (current, saved_key) = match saved {
                Some((s, key)) => (Current::saved(&s), key),
                None => (Current::defaults(), None),
            };
            let input = merge(current, req)?;
            reachable(&state.egress, &input.base_url).await?;
            let key = input.api_key.clone().or(saved_key).unwrap_or_default();
            let settings = LlmSettings {
                provider: input.provider,
                base_url: input.base_url,
                model: input.model,
                has_api_key: !key.is_empty(),
                timeout_ms: input.timeout_ms,
                input_usd_per_mtok: input.input_usd_per_mtok,
                output_usd_per_mtok: input.output_usd_per_mtok,
                updated_at: Utc::now(),
            };
            (settings, key)
        }
    };
    settings.timeout_ms = settings.timeout_ms.min(TEST_TIMEOUT_MS);
    let outcome = match llm_provider::client(&settings, &key, &state.egress) {
        Ok(client) => client.test_connection().await,
        Err(e) => Err(e),
    };
    Ok(Json(match outcome {
        Ok(check) => ConnectionTest {
            ok: true,
            model: Some(check.model),
            latency_ms: Some(check.latency_ms),
            code: None,
            message: None,
        },
        Err(e) => {
            tracing::info!(org_id = %member.org_id(), code = e.code(), "LLM connection test failed");
            ConnectionTest::failed(&e)
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Validation(f) => f.keys().cloned().collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn base_urls_must_be_plain_http_urls() {
        for ok in [
            "https://api.openai.com/v1",
            "http://localhost:11434/v1",
            "http://127.0.0.1:8080",
            "https://openrouter.ai/api/v1/",
        ] {
            assert_eq!(base_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "api.openai.com/v1",
            "ftp://example.com",
            "https://",
            "not a url",
            "https://example.com/v1?key=1",
            "https://example.com/v1#frag",
        ] {
            assert!(base_url_problem(bad).is_some(), "{bad}");
        }
        assert!(base_url_problem(&format!("https://e.com/{}", "a".repeat(600))).is_some());
    }

    #[test]
    fn a_saved_key_never_follows_the_settings_to_another_server() {
        let saved = || Current {
            base_url: "https://api.openai.com/v1".into(),
            model: "gpt-x".into(),
            has_api_key: true,
            ..Current::defaults()
        };
        let to = |url: &str, key: Option<&str>| LlmSettingsRequest {
            base_url: Some(url.into()),
            api_key: key.map(str::to_owned),
            ..LlmSettingsRequest::default()
        };
        let err = merge(saved(), to("https://attacker.example/v1", None)).expect_err("key kept");
        assert_eq!(fields(err), ["api_key"]);
        // Another port is another server too.
        assert!(merge(saved(), to("https://api.openai.com:8443/v1", None)).is_err());
        // The same server under another path keeps the key; a new key may go anywhere.
        assert!(merge(saved(), to("https://API.openai.com/v2", None)).is_ok());
        assert!(merge(saved(), to("https://proxy.example/v1", Some("sk-new"))).is_ok());
        // Switching provider moves the default URL to the other company: type the key again.
        let switch = LlmSettingsRequest {
            provider: Some("ANTHROPIC".into()),
            ..LlmSettingsRequest::default()
        };
        assert!(merge(saved(), switch).is_err());
    }

    #[test]
    fn switching_provider_moves_a_default_url_but_keeps_a_custom_one() {
        let to_anthropic = || LlmSettingsRequest {
            provider: Some("ANTHROPIC".into()),
            model: Some("claude".into()),
            ..Default::default()
        };
        let merged = merge(Current::defaults(), to_anthropic()).unwrap();
        assert_eq!(merged.base_url, "https://api.anthropic.com");
        assert_eq!(merged.api_key, None);

        let custom = Current {
            base_url: "http://proxy.local/v1".into(),
            ..Current::defaults()
        };
        assert_eq!(
            merge(custom, to_anthropic()).unwrap().base_url,
            "http://proxy.local/v1"
        );

        let blank = LlmSettingsRequest {
            base_url: Some("  ".into()),
            model: Some("m".into()),
            ..Default::default()
        };
        assert_eq!(
            merge(Current::defaults(), blank).unwrap().base_url,
            "https://api.openai.com/v1"
        );
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = LlmSettingsRequest {
            provider: Some("gemini".into()),
            base_url: Some("nope".into()),
            model: Some(" ".into()),
            api_key: Some("sk-\u{7}bell".into()),
            timeout_ms: Some(999),
            input_usd_per_mtok: Some(-1.0),
            output_usd_per_mtok: Some(f64::NAN),
        };
        let mut named = fields(merge(Current::defaults(), bad).unwrap_err());
        named.sort();
        assert_eq!(
            named,
            [
                "api_key",
                "base_url",
                "input_usd_per_mtok",
                "model",
                "output_usd_per_mtok",
                "provider",
                "timeout_ms"
            ]
        );
    }

    #[test]
    fn keys_are_trimmed_and_blank_removes() {
        let with_key = |k: &str| LlmSettingsRequest {
            model: Some("m".into()),
            api_key: Some(k.into()),
            ..Default::default()
        };
        let merged = merge(Current::defaults(), with_key(" sk-1 \n")).unwrap();
        assert_eq!(merged.api_key.as_deref(), Some("sk-1"));
        let merged = merge(Current::defaults(), with_key("")).unwrap();
        assert_eq!(merged.api_key.as_deref(), Some(""));
        assert!(merge(Current::defaults(), with_key(&"k".repeat(501))).is_err());
    }
}
