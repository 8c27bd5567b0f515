//! Chat model providers behind one trait.
//!
//! The agent's planner, writer and critic talk to a [`ChatModel`]; [`LlmClient`] is the real one,
//! speaking either the OpenAI-compatible chat completions API or Anthropic's messages API, with
//! retries, a per-call timeout, token usage and cost. Nothing here knows about the database or
//! the HTTP server, so the agent can be tested against a fake `ChatModel`.

mod anthropic;
mod backoff;
mod chat;
mod client;
mod error;
#[cfg(feature = "fake")]
pub mod fake;
mod json_output;
mod openai;
mod provider;

pub use chat::{ChatMessage, ChatModel, ChatRequest, ChatResponse, ChatRole, Usage};
pub use client::{ConnectionCheck, LlmClient};
pub use closer_egress::EgressPolicy;
pub use error::{LlmError, LlmErrorKind};
pub use json_output::{JSON_ATTEMPTS, ask_json, extract_json};
pub use provider::{Prices, Provider, ProviderConfig};
