//! The OpenAI chat completions wire format, also spoken by most OpenAI-compatible servers.

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use crate::chat::{ChatRequest, Usage};
use crate::client::{Answer, secret_header};
use crate::error::LlmError;

pub(crate) fn url(base_url: &str) -> String {
    format!("{}/chat/completions", base_url.trim_end_matches('/'))
}

pub(crate) fn headers(api_key: &str) -> Result<HeaderMap, LlmError> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Local compatible servers often need no key; an empty bearer token would be rejected.
    if !api_key.is_empty() {
        headers.insert(AUTHORIZATION, secret_header(&format!("Bearer {api_key}"))?);
    }
    Ok(headers)
}

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    messages: Vec<Message<'a>>,
    max_tokens: u32,
    temperature: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    response_format: Option<ResponseFormat>,
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct ResponseFormat {
    #[serde(rename = "type")]
    kind: &'static str,
}

pub(crate) fn body(model: &str, request: &ChatRequest) -> Result<Vec<u8>, serde_json::Error> {
    let system = request.system_prompt();
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if !system.is_empty() {
        messages.push(Message {
            role: "system",
            content: &system,
        });
    }
    messages.extend(request.messages.iter().map(|m| Message {
        role: m.role.as_str(),
        content: &m.content,
    }));
    serde_json::to_vec(&Body {
        model,
        messages,
        max_tokens: request.max_tokens,
        temperature: request.temperature,
        response_format: request.json.then_some(ResponseFormat {
            kind: "json_object",
        }),
    })
}

#[derive(Deserialize)]
struct Completion {
    model: Option<String>,
    choices: Vec<Choice>,
    // Some compatible servers leave usage out; the answer is still good.
    usage: Option<CompletionUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct CompletionUsage {
    prompt_tokens: Option<u32>,
    completion_tokens: Option<u32>,
}

pub(crate) fn parse(body: &str) -> Result<Answer, String> {
    let completion: Completion = serde_json::from_str(body).map_err(|e| e.to_string())?;
    let choice = completion
        .choices
        .into_iter()
        .next()
        .ok_or("`choices` is empty")?;
    let text = match (choice.message.content, choice.message.refusal) {
        (Some(text), _) => text,
        (None, Some(refusal)) => return Err(format!("the model refused: {refusal}")),
        (None, None) => return Err("`choices[0].message.content` is missing".to_owned()),
    };
    let usage = completion
        .usage
        .map(|u| Usage {
            input_tokens: u.prompt_tokens.unwrap_or(0),
            output_tokens: u.completion_tokens.unwrap_or(0),
        })
        .unwrap_or_default();
    Ok(Answer {
        text,
        usage,
        model: completion.model,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::chat::ChatMessage;

    #[test]
    fn url_appends_to_the_versioned_base() {
        assert_eq!(
            url("https://api.openai.com/v1/"),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(
            url("http://localhost:11434/v1"),
            "http://localhost:11434/v1/chat/completions"
        );
    }

    #[test]
    fn body_leads_with_the_system_message_and_skips_an_empty_one() {
        let mut request = ChatRequest {
            system: "You sell shoes.".to_owned(),
            messages: vec![ChatMessage::user("hi"), ChatMessage::assistant("hello")],
            max_tokens: 50,
            temperature: 0.5,
            json: false,
        };
        let sent: Value =
            serde_json::from_slice(&body("gpt-x", &request).expect("body")).expect("json");
        assert_eq!(
            sent,
            json!({
                "model": "gpt-x",
                "messages": [
                    {"role": "system", "content": "You sell shoes."},
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "hello"},
                ],
                "max_tokens": 50,
                "temperature": 0.5,
            })
        );
        request.system.clear();
        let sent: Value =
            serde_json::from_slice(&body("gpt-x", &request).expect("body")).expect("json");
        assert_eq!(sent["messages"][0]["role"], "user");
    }

    #[test]
    fn missing_usage_is_zero_and_null_content_is_malformed() {
        let answer = parse(r#"{"choices":[{"message":{"role":"assistant","content":"hey"}}]}"#)
            .expect("answer");
        assert_eq!(answer.text, "hey");
        assert_eq!(answer.usage, Usage::default());
        assert_eq!(answer.model, None);

        let refused = parse(r#"{"choices":[{"message":{"content":null,"refusal":"no"}}]}"#);
        assert_eq!(refused.err().as_deref(), Some("the model refused: no"));
        assert!(parse(r#"{"choices":[]}"#).is_err());
        assert!(parse(r#"{"id":"x"}"#).is_err());
    }
}
