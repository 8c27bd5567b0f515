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

/// The CTAs the agent may offer: those configured in Settings → CTAs, then those the
/// documents name (`cta_sequencing`, `primary_ctas`) that have no row there yet, with their
/// link from `contact_links`. The seeds' documents name their CTAs only there; without this
/// the agent would offer nothing and say "let me check" to a lead asking to book. A CTA with
/// a row is as the row says (a disabled one stays off); one with nowhere to lead (no link of
/// its own nor a website) is left out: the starter profile names a call before the owner set
/// anything up, and offering it would promise what nobody arranged.
pub fn with_document_ctas(
    profile: &AgentProfile,
    mut configured: Vec<CtaConfig>,
) -> Vec<CtaConfig> {
    let seq = &profile.sales_rules.cta_sequencing;
    let named = seq
        .first
        .into_iter()
        .chain(seq.fallback)
        .chain(profile.business_config.primary_ctas.iter().copied());
    let links = &profile.business_config.contact_links;
    let mut position = configured.iter().map(|c| c.position).max().unwrap_or(0);
    for kind in named {
        if configured.iter().any(|c| c.kind == kind) {
            continue;
        }
        let link = links
            .get(crate::profile::contact_link_key(kind))
            .or_else(|| links.get("website_url"))
            .filter(|l| !l.trim().is_empty())
            .cloned();
        if link.is_none() {
            continue;
        }
        position += 1;
        configured.push(CtaConfig {
            kind,
            name: kind.label().to_owned(),
            link,
            phone: None,
            enabled: true,
            position,
        });
    }
    configured
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
    /// When a team member last took the conversation over (the inbox's Take over, or a reply
    /// that took it): a lead the agent handed over before then has a person, who answers.
    pub taken_over_at: Option<DateTime<Utc>>,
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

    /// Whether the bot already sent `text` (an answer quoted word for word) in this
    /// conversation.
    pub fn bot_has_said(&self, text: &str) -> bool {
        (self.history.iter()).any(|t| t.author == Author::Bot && t.text.contains(text))
    }

    pub fn enabled_cta(&self, kind: CtaType) -> Option<&CtaConfig> {
        self.ctas.iter().find(|c| c.kind == kind && c.enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn row(kind: CtaType, enabled: bool) -> CtaConfig {
        CtaConfig {
            kind,
            name: kind.label().into(),
            link: Some("https://x.example/row".into()),
            phone: None,
            enabled,
            position: 1,
        }
    }

    #[test]
    fn the_documents_ctas_complete_the_configured_ones() {
        let mut p = AgentProfile::starter("Pune Success Academy");
        p.business_config.primary_ctas =
            vec![CtaType::BookCall, CtaType::Payment, CtaType::FillForm];
        p.sales_rules.cta_sequencing.first = Some(CtaType::BookCall);
        p.sales_rules.cta_sequencing.fallback = Some(CtaType::Payment);
        // Nowhere to lead: nothing is offered (the starter profile before any setup).
        assert!(with_document_ctas(&p, vec![]).is_empty());
        p.business_config.contact_links = BTreeMap::from([
            (
                "payment_url".to_owned(),
                "https://pune.example/pay".to_owned(),
            ),
            (
                "booking_url".to_owned(),
                "https://pune.example/book".to_owned(),
            ),
        ]);
        let all = with_document_ctas(&p, vec![]);
        let kinds: Vec<_> = all.iter().map(|c| c.kind).collect();
        // The form has neither its own link nor a website to fall back on.
        assert_eq!(kinds, [CtaType::BookCall, CtaType::Payment]);
        assert_eq!(all[1].link.as_deref(), Some("https://pune.example/pay"));
        assert!(all.iter().all(|c| c.enabled));

        // A row in Settings → CTAs wins, even switched off.
        let all = with_document_ctas(&p, vec![row(CtaType::Payment, false)]);
        let payment: Vec<_> = all.iter().filter(|c| c.kind == CtaType::Payment).collect();
        assert_eq!(payment.len(), 1);
        assert!(!payment[0].enabled);
    }
}
