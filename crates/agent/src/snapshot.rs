//! The state snapshot the think step reads: everything it may know, gathered by the caller
//! from the store, so thinking itself needs no database.

use crate::profile::AgentProfile;
use crate::state::ConversationState;
use chrono::{DateTime, Utc};
use closer_domain::messaging::{Author, ConversationMode};
use closer_domain::sales::{ConversationStage, CtaType, LeadStatus};

pub use closer_domain::agent::Trigger;

#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub id: String,
    pub author: Author,
    pub text: String,
    pub at: DateTime<Utc>,
    /// The id of the reply button the lead tapped, when this is a tap.
    pub reply_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CtaConfig {
    pub kind: CtaType,
    pub name: String,
    pub link: Option<String>,
    pub phone: Option<String>,
    pub enabled: bool,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KnowledgeEntry {
    pub id: String,
    /// `faq` (title is the question) or `web` (a chunk of a page).
    pub kind: closer_domain::work::KnowledgeKind,
    pub title: String,
    pub content: String,
    pub source_url: Option<String>,
    /// The page changed since this was read: avoid hard numbers from it.
    pub stale: bool,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub now: DateTime<Utc>,
    pub trigger: Trigger,
    pub mode: ConversationMode,
    pub stage: ConversationStage,
    pub window_open_until: Option<DateTime<Utc>>,
    pub lead_status: LeadStatus,
    pub opted_out: bool,
    /// The name WhatsApp gave us (the profile name), before the lead tells us theirs.
    pub profile_name: Option<String>,
    pub state: ConversationState,
    /// Recent messages, oldest first, including the new ones.
    pub history: Vec<Turn>,
    /// The lead's messages this decision answers (a burst arrives as several).
    pub new_messages: Vec<Turn>,
    pub profile: AgentProfile,
    pub ctas: Vec<CtaConfig>,
    pub knowledge: Vec<KnowledgeEntry>,
    /// Bot messages since the lead last wrote, and in the last hour.
    pub bot_messages_since_lead: u32,
    pub bot_messages_last_hour: u32,
}

impl Snapshot {
    /// The new messages as one text (a burst is answered once).
    pub fn new_text(&self) -> String {
        self.new_messages
            .iter()
            .map(|t| t.text.trim())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn last_new_message_id(&self) -> Option<&str> {
        self.new_messages.last().map(|t| t.id.as_str())
    }

    pub fn bot_has_spoken(&self) -> bool {
        self.history
            .iter()
            .any(|t| matches!(t.author, Author::Bot | Author::Human))
    }

    pub fn enabled_cta(&self, kind: CtaType) -> Option<&CtaConfig> {
        self.ctas.iter().find(|c| c.kind == kind && c.enabled)
    }
}
