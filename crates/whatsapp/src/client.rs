//! The Graph API client: one HTTP call per method, errors classified, nothing retried here
//! (retries belong to the job that owns the send, so they survive a restart).

use crate::errors::{ErrorClass, GraphError, GraphErrorBody, classify};
use crate::outbound::{LimitError, Outbound, mark_read_json};
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// Meta's production Graph API.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_GRAPH_VERSION: &str = "v24.0";
/// Pages of 100 templates read by one sync: far past the most templates Meta lets an account
/// hold (6,000), so a cursor that never ends cannot keep a sync running.
const MAX_TEMPLATE_PAGES: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("message refused before sending: {0}")]
    Invalid(#[from] LimitError),
    #[error("{error} (HTTP {status})")]
    Graph {
        status: u16,
        error: GraphError,
        class: ErrorClass,
    },
    #[error("could not reach the Graph API: {0}")]
    Transport(String),
    #[error("unexpected answer from the Graph API (HTTP {status}): {body}")]
    Unexpected { status: u16, body: String },
    /// A downloaded file was larger than the most we keep (bytes).
    #[error("the file is larger than {0} bytes")]
    TooLarge(u64),
}

impl SendError {
    pub fn class(&self) -> ErrorClass {
        match self {
            SendError::Invalid(_) => ErrorClass::InvalidRequest,
            SendError::Graph { class, .. } => *class,
            SendError::Transport(_) => ErrorClass::Retryable,
            SendError::Unexpected { status, .. } => classify(0, Some(*status)),
            SendError::TooLarge(_) => ErrorClass::InvalidRequest,
        }
    }

    pub fn is_retryable(&self) -> bool {
        self.class().is_retryable()
    }

    /// The Graph error code, when Meta gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            SendError::Graph { error, .. } => Some(error.code),
            _ => None,
        }
    }
}

/// What the business's number looks like to Meta; fetched when connecting, which also proves
/// the token works for that number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PhoneNumberInfo {
    pub id: String,
    pub display_phone_number: Option<String>,
    pub verified_name: Option<String>,
    pub quality_rating: Option<String>,
    pub messaging_limit_tier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct SendResponse {
    messages: Vec<SentId>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct SentId {
    id: String,
}

#[derive(Clone, Debug)]
pub struct GraphClient {
    http: reqwest::Client,
    base: String,
}

impl GraphClient {
    /// `base_url` without the version (`https://graph.facebook.com`), `version` like `v24.0`.
    pub fn new(base_url: &str, version: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("a reqwest client with default TLS builds");
        GraphClient {
            http,
            base: format!(
                "{}/{}",
                base_url.trim_end_matches('/'),
                version.trim_matches('/')
            ),
        }
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(crate) async fn call(&self, req: reqwest::RequestBuilder) -> Result<Value, SendError> {
        let resp = req
            .send()
            .await
            .map_err(|e| SendError::Transport(e.to_string()))?;
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .map_err(|e| SendError::Transport(e.to_string()))?;
        if (200..300).contains(&status) {
            return serde_json::from_str(&text)
                .map_err(|_| SendError::Unexpected { status, body: text });
        }
        match serde_json::from_str::<GraphErrorBody>(&text) {
            Ok(body) => Err(SendError::Graph {
                status,
                class: classify(body.error.code, Some(status)),
                error: body.error,
            }),
            Err(_) => Err(SendError::Unexpected {
                status,
                body: text.chars().take(500).collect(),
            }),
        }
    }

    /// Sends one message; the answer is Meta's wamid, which means accepted, not delivered.
    pub async fn send(
        &self,
        phone_number_id: &str,
        token: &str,
        msg: &Outbound,
    ) -> Result<String, SendError> {
        msg.validate()?;
        let url = format!("{}/{phone_number_id}/messages", self.base);
        let value = self
            .call(self.http.post(url).bearer_auth(token).json(&msg.to_json()))
            .await?;
        let parsed: SendResponse =
            serde_json::from_value(value.clone()).map_err(|_| SendError::Unexpected {
                status: 200,
                body: value.to_string(),
            })?;
        parsed
            .messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .ok_or(SendError::Unexpected {
                status: 200,
                body: value.to_string(),
            })
    }

    pub async fn mark_read(
        &self,
        phone_number_id: &str,
        token: &str,
        message_id: &str,
        typing: bool,
    ) -> Result<(), SendError> {
        let url = format!("{}/{phone_number_id}/messages", self.base);
        self.call(
            self.http
                .post(url)
                .bearer_auth(token)
                .json(&mark_read_json(message_id, typing)),
        )
        .await
        .map(|_| ())
    }

    pub async fn phone_number(
        &self,
        phone_number_id: &str,
        token: &str,
    ) -> Result<PhoneNumberInfo, SendError> {
        let url = format!(
            "{}/{phone_number_id}?fields=id,display_phone_number,verified_name,quality_rating,messaging_limit_tier",
            self.base
        );
        let value = self.call(self.http.get(url).bearer_auth(token)).await?;
        serde_json::from_value(value.clone()).map_err(|_| SendError::Unexpected {
            status: 200,
            body: value.to_string(),
        })
    }

    /// Submits a template for approval; the body is Meta's template JSON. Answers
    /// `{id, status, category}`.
    pub async fn create_template(
        &self,
        waba_id: &str,
        token: &str,
        template: &Value,
    ) -> Result<Value, SendError> {
        let url = format!("{}/{waba_id}/message_templates", self.base);
        self.call(self.http.post(url).bearer_auth(token).json(template))
            .await
    }

    /// Every template of the account, `{data: [...]}`, following Meta's `after` cursors page by
    /// page (Meta returns at most 100 at a time; an account may hold thousands). The cursor,
    /// not `paging.next`, is followed: the next request goes to the same Graph host as the first.
    pub async fn list_templates(&self, waba_id: &str, token: &str) -> Result<Value, SendError> {
        let url = format!("{}/{waba_id}/message_templates", self.base);
        let mut data = vec![];
        let mut after: Option<String> = None;
        for _ in 0..MAX_TEMPLATE_PAGES {
            let mut query = vec![("limit", "100".to_owned())];
            if let Some(cursor) = &after {
                query.push(("after", cursor.clone()));
            }
            let page = self
                .call(self.http.get(&url).bearer_auth(token).query(&query))
                .await?;
            let items = page["data"].as_array().cloned().unwrap_or_default();
            let more = page["paging"]["next"].is_string() && !items.is_empty();
            data.extend(items);
            after = page["paging"]["cursors"]["after"]
                .as_str()
                .map(str::to_owned)
                .filter(|_| more);
            if after.is_none() {
                break;
            }
        }
        Ok(serde_json::json!({ "data": data }))
    }

    /// Deletes every language of the template `name`.
    pub async fn delete_template(
        &self,
        waba_id: &str,
        token: &str,
        name: &str,
    ) -> Result<(), SendError> {
        let url = format!("{}/{waba_id}/message_templates", self.base);
        self.call(
            self.http
                .delete(url)
                .bearer_auth(token)
                .query(&[("name", name)]),
        )
        .await
        .map(|_| ())
    }

    pub async fn template_status(
        &self,
        template_id: &str,
        token: &str,
    ) -> Result<Value, SendError> {
        let url = format!(
            "{}/{template_id}?fields=id,name,status,category,quality_score",
            self.base
        );
        self.call(self.http.get(url).bearer_auth(token)).await
    }
}
