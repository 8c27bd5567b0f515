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
    /// What the server may reach on an organisation's behalf (CLOSER_EGRESS_ALLOW).
    pub egress: closer_egress::EgressPolicy,
    /// The organisations' model clients, shared with the workers.
    pub models: Arc<crate::llm_provider::ModelCache>,
    /// Proxies whose `X-Forwarded-For` names the client (CLOSER_TRUSTED_PROXIES).
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Where inbound and uploaded files are kept (the data directory's `media`).
    pub media: crate::media::SharedMediaStore,
    /// What webhook senders may cost us before their signature is checked.
    pub webhook_costs: Arc<crate::webhook_costs::WebhookCosts>,
}

impl AppState {
    /// The client a request came from, seen through the trusted proxies.
    pub fn client_ip(
        &self,
        peer: std::net::IpAddr,
        headers: &axum::http::HeaderMap,
    ) -> std::net::IpAddr {
        crate::client_ip::client_ip(peer, headers, &self.trusted_proxies)
    }

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
