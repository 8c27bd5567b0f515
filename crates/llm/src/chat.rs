//! The provider-neutral conversation: what the agent asks and what comes back.

use std::borrow::Cow;
use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

use crate::error::LlmError;
use crate::provider::Prices;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    User,
    Assistant,
}

impl ChatRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatRole::User => "user",
            ChatRole::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
}

impl ChatMessage {
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: ChatRole::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: ChatRole::Assistant,
            content: content.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// Sent as the system message (OpenAI) or the top-level `system` field (Anthropic);
    /// left out when empty.
    pub system: String,
    pub messages: Vec<ChatMessage>,
    pub max_tokens: u32,
    pub temperature: f32,
    /// Ask for a single JSON object. OpenAI gets `response_format: json_object`; Anthropic has
    /// no such flag, so the prompt must ask for it. Either way the client strips ``` fences
    /// from the answer; parse it with [`crate::extract_json`].
    pub json: bool,
}

/// Appended to the system prompt when JSON is asked for but the prompt never says so: OpenAI
/// rejects `json_object` mode without the word "JSON" in the messages, and Anthropic has no
/// flag at all, so the instruction has to be in the text.
const JSON_INSTRUCTION: &str = "Answer with a single JSON object and nothing else.";

impl ChatRequest {
    /// The system prompt as sent: the caller's, plus [`JSON_INSTRUCTION`] when needed.
    pub(crate) fn system_prompt(&self) -> Cow<'_, str> {
        if !self.json || self.mentions_json() {
            return Cow::Borrowed(&self.system);
        }
        if self.system.trim().is_empty() {
            Cow::Borrowed(JSON_INSTRUCTION)
        } else {
            Cow::Owned(format!("{}\n\n{JSON_INSTRUCTION}", self.system.trim_end()))
        }
    }

    fn mentions_json(&self) -> bool {
        let says_json = |text: &str| text.to_ascii_lowercase().contains("json");
        says_json(&self.system) || self.messages.iter().any(|m| says_json(&m.content))
    }
}

/// Tokens billed for one call, or summed over several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u32,
    pub output_tokens: u32,
}

impl Add for Usage {
    type Output = Usage;

    fn add(self, other: Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens.saturating_add(other.input_tokens),
            output_tokens: self.output_tokens.saturating_add(other.output_tokens),
        }
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Usage {
    fn sum<I: Iterator<Item = Usage>>(iter: I) -> Usage {
        iter.fold(Usage::default(), Add::add)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatResponse {
    pub text: String,
    pub usage: Usage,
    /// The model the provider says answered, which can be more specific than the one asked
    /// for (e.g. a dated snapshot); the configured model when the provider does not say.
    pub model: String,
    /// How many tries it took, 1 when the first one succeeded.
    pub attempts: u32,
}

/// A chat model the agent can ask. Implemented by [`crate::LlmClient`]; tests implement it
/// with canned answers.
#[async_trait::async_trait]
pub trait ChatModel: Send + Sync {
    async fn chat(&self, request: &ChatRequest) -> Result<ChatResponse, LlmError>;

    fn prices(&self) -> Prices;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_sums_across_calls() {
        let a = Usage {
            input_tokens: 10,
            output_tokens: 2,
        };
        let b = Usage {
            input_tokens: 5,
            output_tokens: 7,
        };
        let mut total = Usage::default();
        total += a;
        total += b;
        assert_eq!(total, a + b);
        assert_eq!(
            total,
            Usage {
                input_tokens: 15,
                output_tokens: 9
            }
        );
        assert_eq!([a, b].into_iter().sum::<Usage>(), total);
        let huge = Usage {
            input_tokens: u32::MAX,
            output_tokens: 0,
        };
        assert_eq!((huge + a).input_tokens, u32::MAX);
    }

    fn request(system: &str, user: &str, json: bool) -> ChatRequest {
        ChatRequest {
            system: system.to_owned(),
            messages: vec![ChatMessage::user(user)],
            max_tokens: 100,
            temperature: 0.0,
            json,
        }
    }

    #[test]
    fn json_instruction_is_added_only_when_the_prompt_lacks_it() {
        assert_eq!(
            request("Be brief.", "hi", false).system_prompt(),
            "Be brief."
        );
        assert_eq!(
            request("Be brief.", "hi", true).system_prompt(),
            format!("Be brief.\n\n{JSON_INSTRUCTION}")
        );
        assert_eq!(request("", "hi", true).system_prompt(), JSON_INSTRUCTION);
        assert_eq!(
            request("Reply in Json.", "hi", true).system_prompt(),
            "Reply in Json."
        );
        assert_eq!(
            request("Be brief.", "give me JSON", true).system_prompt(),
            "Be brief."
        );
    }

    #[test]
    fn roles_serialize_as_the_providers_spell_them() {
        let json = serde_json::to_string(&ChatMessage::assistant("hi")).expect("serialize");
        assert_eq!(json, r#"{"role":"assistant","content":"hi"}"#);
        assert_eq!(ChatRole::User.as_str(), "user");
    }
}
