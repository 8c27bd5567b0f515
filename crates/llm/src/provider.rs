//! Which provider to call, where, with which model, and what its tokens cost.

use closer_egress::EgressPolicy;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::chat::Usage;

/// The wire protocol a provider speaks; one of the product's enums, defined in `domain`.
pub use closer_domain::agent::LlmProvider as Provider;

/// List prices in US dollars per million tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Prices {
    pub input_usd_per_mtok: f64,
    pub output_usd_per_mtok: f64,
}

impl Prices {
    pub fn cost_usd(&self, usage: &Usage) -> f64 {
        f64::from(usage.input_tokens) / 1e6 * self.input_usd_per_mtok
            + f64::from(usage.output_tokens) / 1e6 * self.output_usd_per_mtok
    }
}

/// Everything needed to call one model. `Debug` never shows the API key.
#[derive(Clone)]
pub struct ProviderConfig {
    pub provider: Provider,
    /// OpenAI: up to and including the version, e.g. "https://api.openai.com/v1".
    /// Anthropic: the host, e.g. "https://api.anthropic.com". A trailing '/' is ignored.
    pub base_url: String,
    pub model: String,
    /// May be empty for OpenAI-compatible local servers that need no key.
    pub api_key: String,
    /// Per HTTP call, not for the whole retried exchange.
    pub timeout: Duration,
    /// Total tries including the first.
    pub max_attempts: u32,
    pub prices: Prices,
    /// Which addresses the client may reach: public ones only unless the operator allowed
    /// a self-hosted model's host.
    pub egress: EgressPolicy,
}

impl ProviderConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

    /// The provider's public endpoint, a 60 s timeout, 3 attempts and unknown (zero) prices.
    pub fn new(provider: Provider, model: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            provider,
            base_url: provider.default_base_url().to_owned(),
            model: model.into(),
            api_key: api_key.into(),
            timeout: Self::DEFAULT_TIMEOUT,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            prices: Prices::default(),
            egress: EgressPolicy::public_only(),
        }
    }
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("api_key", &"[redacted]")
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .field("prices", &self.prices)
            .field("egress", &self.egress)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_text_round_trips_through_str_and_serde() {
        for &p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>(), Ok(p));
            let json = serde_json::to_string(&p).expect("serialize");
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(
                serde_json::from_str::<Provider>(&json).expect("deserialize"),
                p
            );
        }
        assert_eq!(" OpenAI ".parse::<Provider>(), Ok(Provider::OpenAi));
        assert!("open_ai_x".parse::<Provider>().is_err());
    }

    #[test]
    fn cost_is_tokens_over_a_million_times_price() {
        let prices = Prices {
            input_usd_per_mtok: 3.0,
            output_usd_per_mtok: 15.0,
        };
        let usage = Usage {
            input_tokens: 2_000,
            output_tokens: 500,
        };
        // 2000/1e6*3 + 500/1e6*15 = 0.006 + 0.0075
        assert!((prices.cost_usd(&usage) - 0.0135).abs() < 1e-12);
        assert_eq!(Prices::default().cost_usd(&usage), 0.0);
        let million = Usage {
            input_tokens: 1_000_000,
            output_tokens: 1_000_000,
        };
        assert!((prices.cost_usd(&million) - 18.0).abs() < 1e-9);
    }

    #[test]
    fn debug_hides_the_api_key() {
        let config = ProviderConfig::new(Provider::Anthropic, "claude", "sk-ant-secret-123");
        let shown = format!("{config:?}");
        assert!(!shown.contains("sk-ant-secret-123"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert_eq!(config.base_url, "https://api.anthropic.com");
        assert_eq!(config.max_attempts, 3);
    }
}
