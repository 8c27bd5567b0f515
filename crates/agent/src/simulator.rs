//! A conversation held in memory: the lead writes, the agent thinks, the outcome is applied the
//! way the store applies it (memory, stage, status, opt-out, handover, the reply). Scripted
//! conversation tests and the decision benchmark drive the think step through it, with no
//! database in the way.

use crate::decision::Outcome;
use crate::profile::AgentProfile;
use crate::snapshot::{CtaConfig, KnowledgeEntry, Snapshot, Trigger, Turn};
use crate::state::ConversationState;
use crate::think::think;
use chrono::{DateTime, Duration, Utc};
use closer_domain::conversation_rules::{self, ConversationFacts, DecisionOutcome};
use closer_domain::messaging::{Author, ConversationMode, ServiceWindow};
use closer_domain::sales::{ConversationStage, LeadStatus};
use closer_llm::ChatModel;

/// Recent messages the snapshot carries, as the store's does.
const HISTORY_KEPT: usize = 30;

#[derive(Debug, Clone)]
pub struct Conversation {
    pub profile: AgentProfile,
    pub ctas: Vec<CtaConfig>,
    pub knowledge: Vec<KnowledgeEntry>,
    pub now: DateTime<Utc>,
    pub mode: ConversationMode,
    pub stage: ConversationStage,
    pub lead_status: LeadStatus,
    pub opted_out: bool,
    pub profile_name: Option<String>,
    pub state: ConversationState,
    pub history: Vec<Turn>,
    pub window_open_until: Option<DateTime<Utc>>,
    /// When a team member last took the conversation over.
    pub taken_over_at: Option<DateTime<Utc>>,
    /// Every outcome so far, oldest first.
    pub outcomes: Vec<Outcome>,
    next_id: u64,
}

impl Conversation {
    pub fn new(profile: AgentProfile, now: DateTime<Utc>) -> Self {
        Conversation {
            profile,
            ctas: vec![],
            knowledge: vec![],
            now,
            mode: ConversationMode::Bot,
            stage: ConversationStage::InitialContact,
            lead_status: LeadStatus::New,
            opted_out: false,
            profile_name: None,
            state: ConversationState::default(),
            history: vec![],
            window_open_until: None,
            taken_over_at: None,
            outcomes: vec![],
            next_id: 0,
        }
    }

    pub fn with_ctas(mut self, ctas: Vec<CtaConfig>) -> Self {
        self.ctas = ctas;
        self
    }

    pub fn with_knowledge(mut self, knowledge: Vec<KnowledgeEntry>) -> Self {
        self.knowledge = knowledge;
        self
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("m{}", self.next_id)
    }

    /// A team member takes the conversation over (the inbox's Take over), writing nothing.
    pub fn take_over(&mut self) {
        self.mode = ConversationMode::Human;
        self.taken_over_at = Some(self.now);
    }

    /// The team hands the conversation back to the bot: the takeover ends.
    pub fn hand_back(&mut self) {
        self.mode = ConversationMode::Bot;
    }

    /// The lead writes `text` (a minute after the last event); the agent answers.
    pub async fn lead_says(&mut self, text: &str, model: Option<&dyn ChatModel>) -> &Outcome {
        self.lead(text, None, model).await
    }

    /// The lead taps the reply button `id` titled `title`.
    pub async fn lead_taps(
        &mut self,
        id: &str,
        title: &str,
        model: Option<&dyn ChatModel>,
    ) -> &Outcome {
        self.lead(title, Some(id.to_owned()), model).await
    }

    async fn lead(
        &mut self,
        text: &str,
        reply_id: Option<String>,
        model: Option<&dyn ChatModel>,
    ) -> &Outcome {
        self.now += Duration::minutes(1);
        let turn = Turn {
            id: self.id(),
            author: Author::Lead,
            text: text.to_owned(),
            at: self.now,
            reply_id,
        };
        self.history.push(turn.clone());
        let arrived = conversation_rules::lead_message(&self.facts(), self.now);
        if arrived.reopens {
            self.mode = ConversationMode::Bot;
        }
        self.window_open_until = arrived
            .window
            .open_until
            .and_then(|s| DateTime::from_timestamp(s, 0));
        let snapshot = self.snapshot(Trigger::LeadMessage, vec![turn]);
        let outcome = think(&snapshot, model).await;
        self.apply(outcome)
    }

    /// A scheduled follow-up check, `after` the last event.
    pub async fn followup(&mut self, after: Duration, model: Option<&dyn ChatModel>) -> &Outcome {
        self.now += after;
        let snapshot = self.snapshot(Trigger::Followup, vec![]);
        let outcome = think(&snapshot, model).await;
        self.apply(outcome)
    }

    /// The snapshot the store would gather now.
    pub fn snapshot(&self, trigger: Trigger, new_messages: Vec<Turn>) -> Snapshot {
        let since_lead = self
            .history
            .iter()
            .rev()
            .take_while(|t| t.author != Author::Lead)
            .filter(|t| t.author == Author::Bot)
            .count();
        let last_hour = self
            .history
            .iter()
            .filter(|t| t.author == Author::Bot && self.now - t.at < Duration::hours(1))
            .count();
        let from = self.history.len().saturating_sub(HISTORY_KEPT);
        Snapshot {
            now: self.now,
            trigger,
            mode: self.mode,
            stage: self.stage,
            window_open_until: self.window_open_until,
            taken_over_at: self.taken_over_at,
            lead_status: self.lead_status,
            opted_out: self.opted_out,
            profile_name: self.profile_name.clone(),
            state: self.state.clone(),
            history: self.history[from..].to_vec(),
            new_messages,
            profile: self.profile.clone(),
            ctas: crate::snapshot::with_document_ctas(&self.profile, self.ctas.clone()),
            knowledge: self.knowledge.clone(),
            bot_messages_since_lead: u32::try_from(since_lead).unwrap_or(u32::MAX),
            bot_messages_last_hour: u32::try_from(last_hour).unwrap_or(u32::MAX),
        }
    }

    fn facts(&self) -> ConversationFacts {
        ConversationFacts {
            mode: self.mode,
            stage: self.stage,
            lead_status: self.lead_status,
            opted_out: self.opted_out,
            window: ServiceWindow {
                open_until: self.window_open_until.map(|u| u.timestamp()),
            },
            last_message_at: self.history.last().map(|t| t.at),
        }
    }

    fn apply(&mut self, outcome: Outcome) -> &Outcome {
        let p = &outcome.patch;
        self.state = p.state.clone();
        // The store's rules, applied to the conversation held here.
        let facts = self.facts();
        let decided = DecisionOutcome {
            stage: p.stage,
            lead_status: p.lead_status,
            opted_out: p.opted_out,
            opted_in: p.opted_in,
            handoff: p.handoff,
        };
        let after = facts
            .clone()
            .with(&conversation_rules::decision(&facts, &decided, false));
        self.mode = after.mode;
        self.stage = after.stage;
        self.lead_status = after.lead_status;
        self.opted_out = after.opted_out;
        if let Some(name) = &p.contact.name {
            self.profile_name = Some(name.clone());
        }
        if let (true, Some(text)) = (
            outcome.decision.should_send,
            outcome.decision.message_text.clone(),
        ) {
            let turn = Turn {
                id: self.id(),
                author: Author::Bot,
                text,
                at: self.now,
                reply_id: None,
            };
            self.history.push(turn);
        }
        self.outcomes.push(outcome);
        self.outcomes.last().expect("just pushed")
    }

    /// The agent's replies so far, oldest first.
    pub fn replies(&self) -> Vec<&str> {
        self.history
            .iter()
            .filter(|t| t.author == Author::Bot)
            .map(|t| t.text.as_str())
            .collect()
    }
}
