//! The organisation's language model, built from its saved LLM settings. Used by the agent's
//! LLM engine, the settings page's "test connection" and onboarding's document generation.

use closer_llm::{ChatModel, EgressPolicy, LlmClient, LlmError, Prices, ProviderConfig};
use closer_store::Store;
use closer_store::agent_config::LlmSettings;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// A client for these settings and this (opened) key, reaching only what `egress` allows.
pub fn client(
    settings: &LlmSettings,
    api_key: &str,
    egress: &EgressPolicy,
) -> Result<LlmClient, LlmError> {
    let mut config = ProviderConfig::new(settings.provider, settings.model.clone(), api_key);
    config.base_url = settings.base_url.clone();
    config.egress = egress.clone();
    config.timeout = Duration::from_millis(u64::try_from(settings.timeout_ms).unwrap_or(1).max(1));
    config.prices = Prices {
        input_usd_per_mtok: settings.input_usd_per_mtok,
        output_usd_per_mtok: settings.output_usd_per_mtok,
    };
    LlmClient::new(config)
}

/// Clients already built, per organisation, each with the fingerprint of the settings it was
/// built from. Building one sets up a TLS-capable connection pool; a think should not pay for
/// that each time. One cache per process, held by the application state and the workers.
pub struct ModelCache {
    clients: Mutex<HashMap<Uuid, BuiltClient>>,
    egress: EgressPolicy,
}

/// A client and the hashed settings it was built from.
type BuiltClient = ([u8; 32], Arc<LlmClient>);

/// Everything a client is built from, hashed: any change to the settings makes a new one,
/// and the key itself is never kept as a map key.
fn fingerprint(s: &LlmSettings, key: &str) -> [u8; 32] {
    use sha2::Digest;
    let text = format!(
        "{}|{}|{}|{}|{}|{}|",
        s.provider, s.base_url, s.model, s.timeout_ms, s.input_usd_per_mtok, s.output_usd_per_mtok
    );
    let mut hash = sha2::Sha256::new();
    hash.update(text.as_bytes());
    hash.update(key.as_bytes());
    hash.finalize().into()
}

impl ModelCache {
    pub fn new(egress: EgressPolicy) -> ModelCache {
        ModelCache {
            clients: Mutex::default(),
            egress,
        }
    }

    /// What the models may reach.
    pub fn egress(&self) -> &EgressPolicy {
        &self.egress
    }

    /// The organisation's model, or `None` when no provider (or no key) is configured or the
    /// settings cannot make a client — callers then work without a model.
    pub async fn chat_model(
        &self,
        store: &Store,
        org_id: Uuid,
    ) -> Result<Option<Arc<dyn ChatModel>>, closer_store::StoreError> {
        let Some((settings, Some(key))) = store.org(org_id).llm_settings_with_key().await? else {
            return Ok(None);
        };
        let built_from = fingerprint(&settings, &key);
        let cached = self
            .clients
            .lock()
            .expect("LLM client cache")
            .get(&org_id)
            .filter(|(from, _)| *from == built_from)
            .map(|(_, c)| Arc::clone(c));
        if let Some(c) = cached {
            return Ok(Some(c));
        }
        match client(&settings, &key, &self.egress) {
            Ok(c) => {
                let c = Arc::new(c);
                self.clients
                    .lock()
                    .expect("LLM client cache")
                    .insert(org_id, (built_from, Arc::clone(&c)));
                Ok(Some(c))
            }
            Err(e) => {
                tracing::warn!(%org_id, error = %e, "the saved LLM settings cannot make a client");
                Ok(None)
            }
        }
    }
}
