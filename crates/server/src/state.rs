use crate::login_limits::LoginLimits;
use closer_store::Store;
use closer_store::secret_box::SecretBox;
use closer_whatsapp::GraphClient;
use std::sync::Arc;

/// What every request handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub secrets: SecretBox,
    pub login_limits: Arc<LoginLimits>,
    /// Meta's Graph API (or a stand-in, via CLOSER_WHATSAPP_GRAPH_URL).
    pub graph: GraphClient,
    /// Where the dashboard is reached from outside, for links such as invites. When unset the
    /// request's Host header is used.
    pub public_url: Option<String>,
    /// The website scan may reach private addresses (CLOSER_SCAN_ALLOW_PRIVATE; tests only).
    pub scan_allow_private: bool,
    /// The organisations' model clients, shared with the workers.
    pub models: Arc<crate::llm_provider::ModelCache>,
}

impl AppState {
    /// The dashboard's address as the outside world sees it, for links we hand out.
    pub fn public_base(&self, headers: &axum::http::HeaderMap) -> String {
        use axum::http::header;
        if let Some(url) = &self.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1:8080");
        let scheme = headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("http");
        format!("{scheme}://{host}")
    }
}
