//! The processing job's work: gather the snapshot, let the agent think (no transaction is
//! open meanwhile), apply the decision in one transaction, then announce it.

use crate::llm_provider::ModelCache;
use closer_agent::profile::DocumentError;
use closer_agent::snapshot::{CtaConfig, KnowledgeEntry, Snapshot, Trigger, Turn};
use closer_agent::{AgentProfile, ConversationState, EngineMode, Outcome};
use closer_llm::ChatModel;
use closer_store::Store;
use closer_store::agent_config::ProfileVersion;
use closer_store::agent_runs::{AgentPatch, AppliedDecision, DecisionRecord, HandoffRecord};
use closer_store::events::RealtimeEvent;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

/// Knowledge entries one think scores at most.
const KNOWLEDGE_CAP: u64 = 2_000;

/// The agent a saved version describes.
pub fn parse_version(v: &ProfileVersion) -> Result<AgentProfile, DocumentError> {
    let docs: BTreeMap<&str, serde_json::Value> = v
        .documents
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    AgentProfile::from_documents(v.mode, &docs)
}

/// The organisation's agent profile: the saved version (if any) and the agent it describes,
/// or the starter profile before the first save.
pub async fn profile(
    store: &Store,
    org_id: Uuid,
) -> Result<(Option<ProfileVersion>, AgentProfile), closer_store::StoreError> {
    let scope = store.org(org_id);
    match scope.agent_profile().await? {
        Some(v) => {
            // A stored version always passed validation; a newer rule it breaks falls back
            // to the starter profile rather than silencing the agent.
            let p = parse_version(&v).unwrap_or_else(|e| {
                tracing::warn!(%org_id, error = %e, "stored agent profile no longer validates");
                AgentProfile::starter("")
            });
            Ok((Some(v), p))
        }
        None => {
            let org = scope.details().await?;
            Ok((None, AgentProfile::starter(&org.name)))
        }
    }
}

/// Amounts the agent reads back are in the currency the documents name, else the
/// organisation's own (Settings → Organisation), never the rupee by accident.
pub async fn with_org_currency(
    store: &Store,
    org_id: Uuid,
    mut profile: AgentProfile,
) -> Result<AgentProfile, closer_store::StoreError> {
    if profile.business_config.currency.trim().is_empty() {
        profile.business_config.currency = store.org(org_id).currency().await?;
    }
    Ok(profile)
}

/// The organisation's calls to action and knowledge, as the agent reads them.
pub async fn ctas_and_knowledge(
    store: &Store,
    org_id: Uuid,
) -> Result<(Vec<CtaConfig>, Vec<KnowledgeEntry>), closer_store::StoreError> {
    let scope = store.org(org_id);
    let (ctas, knowledge) =
        tokio::try_join!(scope.ctas(), scope.knowledge_for_agent(KNOWLEDGE_CAP))?;
    let ctas = ctas
        .into_iter()
        .map(|c| CtaConfig {
            kind: c.kind,
            name: c.name,
            link: c.link,
            phone: c.phone,
            enabled: c.enabled,
            position: c.position,
        })
        .collect();
    let knowledge = knowledge
        .into_iter()
        .map(|k| KnowledgeEntry {
            id: k.id.to_string(),
            kind: k.kind,
            title: k.title,
            content: k.content,
            source_url: k.source_url,
            stale: k.stale,
        })
        .collect();
    Ok((ctas, knowledge))
}

/// What the agent thinks from, the lead messages it answers, and the organisation's model
/// when the profile asks for the LLM engine. `None` for a lead-message job whose messages
/// were all answered already (e.g. a retried job): the rest is then not read at all.
async fn snapshot(
    store: &Store,
    models: &ModelCache,
    org_id: Uuid,
    conversation_id: Uuid,
    trigger: Trigger,
) -> Result<Option<(Snapshot, Vec<Uuid>, Option<Arc<dyn ChatModel>>)>, closer_store::StoreError> {
    let scope = store.org(org_id);
    let input = scope.agent_input(conversation_id).await?;
    let answered: Vec<Uuid> = input
        .history
        .iter()
        .filter(|t| t.unanswered)
        .map(|t| t.id)
        .collect();
    if trigger == Trigger::LeadMessage && answered.is_empty() {
        return Ok(None);
    }
    // The configuration reads do not depend on each other: they are waited for together.
    let profile_and_model = async {
        let (_, profile) = profile(store, org_id).await?;
        let profile = with_org_currency(store, org_id, profile).await?;
        let model = if profile.mode == EngineMode::Llm {
            models.chat_model(store, org_id).await?
        } else {
            None
        };
        Ok::<_, closer_store::StoreError>((profile, model))
    };
    let ((profile, model), (ctas, knowledge)) =
        tokio::try_join!(profile_and_model, ctas_and_knowledge(store, org_id))?;
    let state = memory(input.state, conversation_id);
    let turn = |t: &closer_store::agent_runs::HistoryTurn| Turn {
        id: t.id.to_string(),
        author: t.author,
        text: t.text.clone(),
        at: t.created_at,
        reply_id: t.reply_id.clone(),
    };
    let snapshot = Snapshot {
        now: chrono::Utc::now(),
        trigger,
        mode: input.conversation.mode,
        stage: input.conversation.stage,
        window_open_until: input.conversation.window_open_until,
        taken_over_at: input.taken_over_at,
        lead_status: input.lead_status,
        opted_out: input.opted_out,
        profile_name: input.contact_name.or(input.profile_name),
        state,
        history: input.history.iter().map(turn).collect(),
        new_messages: input
            .history
            .iter()
            .filter(|t| t.unanswered)
            .map(turn)
            .collect(),
        ctas: closer_agent::snapshot::with_document_ctas(&profile, ctas),
        profile,
        knowledge,
        bot_messages_since_lead: input.bot_messages_since_lead,
        bot_messages_last_hour: input.bot_messages_last_hour,
    };
    Ok(Some((snapshot, answered, model)))
}

/// The agent's memory of a conversation, as stored. Memory this version cannot read (a
/// handover reason it does not know, a brief cut short) is said in the log, loudly, and the
/// agent thinks from an empty memory: the conversation's mode and the lead's opt-out live on
/// their rows, so it still stays silent where it must, and a lead is never left unanswered
/// because of it.
pub fn memory(stored: Option<serde_json::Value>, conversation_id: Uuid) -> ConversationState {
    match ConversationState::from_stored(stored) {
        Ok(state) => state,
        Err(error) => {
            tracing::error!(
                %conversation_id,
                %error,
                "the agent's memory of this conversation does not read: thinking without it"
            );
            ConversationState::default()
        }
    }
}

/// The decision and patch in the store's words. `seen_takeover_at`: the latest takeover the
/// agent read, against which the store checks for one that came while it thought.
pub fn records(
    outcome: &Outcome,
    latency_ms: i32,
    seen_takeover_at: Option<chrono::DateTime<chrono::Utc>>,
) -> (DecisionRecord, AgentPatch) {
    let d = &outcome.decision;
    let p = &outcome.patch;
    let record = DecisionRecord {
        trigger: d.trigger,
        engine: d.engine,
        should_send: d.should_send,
        message_type: d.message_type,
        reason_code: d.reason_code,
        cta_type: d.cta_type,
        // A model may answer with characters PostgreSQL cannot store.
        message_text: d
            .message_text
            .as_deref()
            .map(|t| closer_domain::text::storable(t).into_owned()),
        confidence: d.confidence as f64,
        retrieval_used: d.retrieval_used,
        input_tokens: d.input_tokens as i32,
        output_tokens: d.output_tokens as i32,
        cost_usd: d.cost_usd,
        prompt_tokens: d.prompt_tokens as i32,
        guardrails: serde_json::to_value(&d.guardrails).unwrap_or_default(),
        handoff_required: d.handoff_required,
        handoff_priority: d.handoff_priority,
        handoff: d.handoff.as_ref().and_then(|h| {
            Some(HandoffRecord {
                reason: h.escalation_reason,
                brief: serde_json::to_value(h).ok()?,
            })
        }),
        error: d.error.clone(),
        latency_ms,
        buttons: (!d.buttons.is_empty())
            .then(|| serde_json::to_value(&d.buttons).ok())
            .flatten(),
        while_handed_over: d.while_handed_over,
        seen_takeover_at,
    };
    let patch = AgentPatch {
        state: serde_json::to_value(&p.state).unwrap_or_default(),
        stage: p.stage,
        lead_status: p.lead_status,
        intent: p.intent,
        name: p.contact.name.clone(),
        email: p.contact.email.clone(),
        city: p.contact.city.clone(),
        language: p.contact.language.clone(),
        opted_out: p.opted_out,
        opted_in: p.opted_in,
        handoff_priority: p.handoff,
        cta_accepted: p.cta_accepted.as_ref().map(|a| {
            let who = a.name.clone().unwrap_or_else(|| "A lead".into());
            let verb = if a.completed { "completed" } else { "accepted" };
            (
                a.cta,
                format!("{who} {verb}: {}", a.cta.label()),
                json!({ "cta": a.cta, "name": a.name, "at": a.at, "completed": a.completed }),
            )
        }),
        calendar_event: p
            .calendar_event
            .as_ref()
            .map(|c| (c.title.clone(), c.start_at, c.end_at)),
        alert: p.alert.clone(),
        brief: p.brief.as_ref().and_then(|b| serde_json::to_value(b).ok()),
    };
    (record, patch)
}

/// Thinks about a conversation and applies the outcome; `None` when there was nothing to do.
pub async fn run(
    store: &Store,
    models: &ModelCache,
    org_id: Uuid,
    conversation_id: Uuid,
    trigger: Trigger,
) -> Result<Option<AppliedDecision>, closer_store::StoreError> {
    let Some((snapshot, answered, model)) =
        snapshot(store, models, org_id, conversation_id, trigger).await?
    else {
        return Ok(None);
    };
    let window_closed = snapshot
        .window_open_until
        .is_none_or(|until| until <= snapshot.now);
    let started = Instant::now();
    let outcome = closer_agent::think(&snapshot, model.as_deref()).await;
    let latency = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    let (record, patch) = records(&outcome, latency, snapshot.taken_over_at);
    let applied = store
        .org(org_id)
        .apply_decision(conversation_id, &answered, record, patch)
        .await?;
    announce(store, org_id, conversation_id, &applied, &outcome).await;
    // The agent answered the lead — or could not, because the message reached us after its
    // window closed, and the schedule's template step is the only way back to the lead: the
    // next follow-up replaces the pending one (a follow-up's own run plans the next after it
    // records how it went). A hand-over leaves the lead to the person.
    let unanswerable = window_closed && !applied.handed_over && !applied.suppressed;
    if trigger == Trigger::LeadMessage && (applied.message.is_some() || unanswerable) {
        crate::followup_run::plan_next(store, org_id, conversation_id).await?;
    }
    Ok(Some(applied))
}

async fn announce(
    store: &Store,
    org_id: Uuid,
    conversation_id: Uuid,
    applied: &AppliedDecision,
    outcome: &Outcome,
) {
    let mut events = vec![];
    if applied.handed_over {
        events.push(RealtimeEvent::TakeoverStarted { conversation_id });
        events.push(RealtimeEvent::HumanAttentionRequired {
            conversation_id,
            priority: outcome.decision.handoff_priority,
            reason: outcome
                .decision
                .handoff
                .as_ref()
                .map(|h| h.escalation_reason),
        });
    }
    if let Some(turn) = applied.assigned {
        events.push(RealtimeEvent::ConversationAssigned {
            conversation_id,
            user_id: Some(turn.user_id),
            round_robin: true,
        });
    }
    if let Some(action_id) = applied.flagged
        && let Some(a) = &outcome.patch.cta_accepted
    {
        events.push(RealtimeEvent::ConversationsFlagged {
            conversation_id,
            action_id,
            cta: a.cta,
            name: a.name.clone(),
            at: a.at,
        });
    }
    for &(action_id, kind) in &applied.opened {
        events.push(RealtimeEvent::ActionCreated {
            action_id,
            kind,
            conversation_id,
        });
    }
    for &(action_id, status) in &applied.updated {
        events.push(RealtimeEvent::ActionUpdated { action_id, status });
    }
    if let Some((event_id, status, new)) = applied.booked {
        events.push(match new {
            true => RealtimeEvent::CalendarCreated { event_id, status },
            false => RealtimeEvent::CalendarUpdated { event_id, status },
        });
    }
    if let Some(h) = &applied.moved {
        events.push(RealtimeEvent::PipelineMoved {
            lead_id: applied.lead_id,
            from_stage_id: h.from_stage.as_ref().map(|(id, _)| *id),
            to_stage_id: h.to_stage.0,
            actor: h.actor,
        });
    }
    events.extend(
        applied
            .sequence_stopped
            .map(crate::routes::sequences::enrollment_event),
    );
    if let Some(m) = &applied.message {
        events.push(RealtimeEvent::MessageSent {
            conversation_id,
            message_id: m.id,
        });
    }
    events.push(RealtimeEvent::ConversationUpdated {
        conversation_id,
        decision_id: Some(applied.decision_id),
    });
    crate::announce::publish(store, org_id, events).await;
    crate::announce::notified(store, org_id, &applied.notified).await;
    if applied.message.is_some() {
        store.wake_workers().await;
    }
}
