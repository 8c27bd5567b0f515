//! The Anthropic messages wire format.

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::chat::{ChatRequest, Usage};
use crate::client::{Answer, secret_header};
use crate::error::LlmError;

const API_VERSION: &str = "2023-06-01";

/// Accepts the host ("https://api.anthropic.com") as documented, and also a base that already
/// ends in "/v1", which people copy from OpenAI-style settings.
pub(crate) fn url(base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    if base.ends_with("/v1") {
        format!("{base}/messages")
    } else {
        format!("{base}/v1/messages")
    }
}

pub(crate) fn headers(api_key: &str) -> Result<HeaderMap, LlmError> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        HeaderName::from_static("anthropic-version"),
        HeaderValue::from_static(API_VERSION),
    );
    headers.insert(
        HeaderName::from_static("x-api-key"),
        secret_header(api_key)?,
    );
    Ok(headers)
}

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    system: &'a str,
    messages: Vec<Message<'a>>,
    max_tokens: u32,
    temperature: f32,
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

pub(crate) fn body(model: &str, request: &ChatRequest) -> Result<Vec<u8>, serde_json::Error> {
    let system = request.system_prompt();
    serde_json::to_vec(&Body {
        model,
        system: &system,
        messages: request
            .messages
            .iter()
            .map(|m| Message {
                role: m.role.as_str(),
                content: &m.content,
            })
            .collect(),
        max_tokens: request.max_tokens,
        // Anthropic's range is 0..=1 where OpenAI's is 0..=2; clamping keeps one request valid
        // for both instead of a 400 after switching providers.
        temperature: request.temperature.clamp(0.0, 1.0),
    })
}

#[derive(Deserialize)]
struct MessageAnswer {
    model: Option<String>,
    content: Vec<Block>,
    usage: Option<MessageUsage>,
}

#[derive(Deserialize)]
struct Block {
    #[serde(rename = "type")]
    kind: String,
    text: Option<String>,
}

#[derive(Deserialize)]
struct MessageUsage {
    input_tokens: Option<u32>,
    output_tokens: Option<u32>,
    // Prompt caching bills these separately from `input_tokens`; counting them as input keeps
    // the cost from being under-reported (cache reads are cheaper, so this errs high).
    cache_creation_input_tokens: Option<u32>,
    cache_read_input_tokens: Option<u32>,
}

pub(crate) fn parse(body: &str) -> Result<Answer, String> {
    let answer: MessageAnswer = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let text = answer
        .content
        .into_iter()
        .filter(|block| block.kind == "text")
        .filter_map(|block| block.text)
        .collect::<String>();
    let usage = answer
        .usage
        .map(|u| Usage {
            input_tokens: u
                .input_tokens
                .unwrap_or(0)
                .saturating_add(u.cache_creation_input_tokens.unwrap_or(0))
                .saturating_add(u.cache_read_input_tokens.unwrap_or(0)),
            output_tokens: u.output_tokens.unwrap_or(0),
        })
        .unwrap_or_default();
    Ok(Answer {
        text,
        usage,
        model: answer.model,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::chat::ChatMessage;

    #[test]
    fn url_adds_the_version_once() {
        assert_eq!(
            url("https://api.anthropic.com"),
            "https://api.anthropic.com/v1/messages"
        );
        assert_eq!(
            url("https://api.anthropic.com/"),
            "https://api.anthropic.com/v1/messages"
        );
        assert_eq!(
            url("https://proxy.example/v1/"),
            "https://proxy.example/v1/messages"
        );
    }

    #[test]
    fn body_has_a_top_level_system_and_a_clamped_temperature() {
        let request = ChatRequest {
            system: "You sell shoes.".to_owned(),
            messages: vec![ChatMessage::user("hi")],
            max_tokens: 50,
            temperature: 1.5,
            json: false,
        };
        let sent: Value =
            serde_json::from_slice(&body("claude-x", &request).expect("body")).expect("json");
        assert_eq!(
            sent,
            json!({
                "model": "claude-x",
                "system": "You sell shoes.",
                "messages": [{"role": "user", "content": "hi"}],
                "max_tokens": 50,
                "temperature": 1.0,
            })
        );
    }

    #[test]
    fn only_text_blocks_count_and_cache_tokens_are_input() {
        let answer = parse(
            r#"{"model":"claude-x","content":[
                {"type":"thinking","thinking":"hmm"},
                {"type":"text","text":"Hello"},
                {"type":"text","text":" there"}],
              "usage":{"input_tokens":10,"output_tokens":3,"cache_read_input_tokens":5,"cache_creation_input_tokens":null}}"#,
        )
        .expect("answer");
        assert_eq!(answer.text, "Hello there");
        assert_eq!(
            answer.usage,
            Usage {
                input_tokens: 15,
                output_tokens: 3
            }
        );
        assert!(parse(r#"{"choices":[]}"#).is_err());
    }
}
