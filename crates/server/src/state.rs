use crate::login_limits::LoginLimits;
use closer_store::Store;
use closer_store::secret_box::SecretBox;
use std::sync::Arc;

/// What every request handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub secrets: SecretBox,
    pub login_limits: Arc<LoginLimits>,
    /// Where the dashboard is reached from outside, for links such as invites. When unset the
    /// request's Host header is used.
    pub public_url: Option<String>,
}
