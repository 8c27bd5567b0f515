//! The agent's think step (SPEC §5): hard rules → extraction → escalation → retrieval and
//! context → an engine (rules, or plan/write/critique with an LLM) → guardrails → a decision
//! and a state patch. No HTTP, no SQL: the caller brings a snapshot and applies the patch.

pub mod context;
pub mod decision;
pub mod escalate;
pub mod eval;
pub mod extract;
pub mod followup;
pub mod guardrails;
pub mod language;
pub mod llm_engine;
pub mod onboarding;
pub mod profile;
pub mod retrieval;
pub mod rules_engine;
pub mod simulator;
pub mod snapshot;
pub mod state;
pub mod testing;
pub mod think;

pub use decision::{Decision, Engine, Outcome, StatePatch};
pub use profile::{AgentProfile, EngineMode};
pub use snapshot::{CtaConfig, KnowledgeEntry, Snapshot, Trigger, Turn};
pub use state::ConversationState;
pub use think::think;
