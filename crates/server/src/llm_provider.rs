//! The organisation's language model, built from its saved LLM settings. Used by the agent's
//! LLM engine, the settings page's "test connection" and onboarding's document generation.

use closer_llm::{ChatModel, LlmClient, LlmError, Prices, ProviderConfig};
use closer_store::Store;
use closer_store::agent_config::LlmSettings;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// A client for these settings and this (opened) key.
pub fn client(settings: &LlmSettings, api_key: &str) -> Result<LlmClient, LlmError> {
    let mut config = ProviderConfig::new(settings.provider, settings.model.clone(), api_key);
    config.base_url = settings.base_url.clone();
    config.timeout = Duration::from_millis(u64::try_from(settings.timeout_ms).unwrap_or(1).max(1));
    config.prices = Prices {
        input_usd_per_mtok: settings.input_usd_per_mtok,
        output_usd_per_mtok: settings.output_usd_per_mtok,
    };
    LlmClient::new(config)
}

/// Clients already built, per organisation, with the settings they were built from. Building
/// one sets up a TLS-capable connection pool; a think should not pay for that each time.
static CLIENTS: LazyLock<Mutex<HashMap<Uuid, BuiltClient>>> = LazyLock::new(Mutex::default);

/// A client and the fingerprint of the settings it was built from.
type BuiltClient = (String, Arc<LlmClient>);

/// Everything a client is built from: any change to the settings makes a new one.
fn fingerprint(s: &LlmSettings, key: &str) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}|{key}",
        s.provider, s.base_url, s.model, s.timeout_ms, s.input_usd_per_mtok, s.output_usd_per_mtok
    )
}

/// The organisation's model, or `None` when no provider (or no key) is configured or the
/// settings cannot make a client — callers then work without a model.
pub async fn chat_model(
    store: &Store,
    org_id: Uuid,
) -> Result<Option<Arc<dyn ChatModel>>, closer_store::StoreError> {
    let Some((settings, Some(key))) = store.org(org_id).llm_settings_with_key().await? else {
        return Ok(None);
    };
    let built_from = fingerprint(&settings, &key);
    let cached = CLIENTS
        .lock()
        .expect("LLM client cache")
        .get(&org_id)
        .filter(|(from, _)| *from == built_from)
        .map(|(_, c)| Arc::clone(c));
    if let Some(c) = cached {
        return Ok(Some(c));
    }
    match client(&settings, &key) {
        Ok(c) => {
            let c = Arc::new(c);
            CLIENTS
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
