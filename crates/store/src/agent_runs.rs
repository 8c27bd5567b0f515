//! The agent's side of a conversation: the snapshot it thinks from, and applying what it
//! decided — decision, memory, contact and conversation changes, the bot's reply and its send
//! job, the next follow-up, action-center items and bookings — in one transaction.

use crate::activity::{self, NewActivity};
use crate::entities::{action, contact, conversation, conversation_state, decision, message};
use crate::error::{Result, StoreError};
use crate::inbox::MessageItem;
use crate::inbox::facts_of;
use crate::notifications::{NewNotice, notify};
use crate::page::{self, Order, Page, PageRequest};
use crate::replies::OutboundBody;
use crate::team::OrgScope;
use crate::{new_id, now};
use chrono::{DateTime, Duration, Utc};
use closer_domain::activity::{ActivityActor, ActivityKind};
use closer_domain::agent::{DecisionEngine, HandoverReason, Trigger};
use closer_domain::conversation_rules::{
    self, AgentReply, ConversationFacts, DecisionEffect, DecisionOutcome,
};
use closer_domain::messaging::{Author, ConversationMode, DeliveryStatus, Direction, MessageType};
use closer_domain::notify::NotificationKind;
use closer_domain::sales::{
    ConversationStage, CtaType, EscalationPriority, Intent, LeadStatus, ReasonCode,
};
use closer_domain::work::{ActionKind, ActionStatus};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Messages of history the agent reads.
pub const HISTORY: u64 = 30;

#[derive(Debug, Clone)]
pub struct HistoryTurn {
    pub id: Uuid,
    pub author: Author,
    pub direction: Direction,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// A lead message the agent has not answered yet.
    pub unanswered: bool,
    /// The id of the reply button a lead's tap carries.
    pub reply_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AgentInput {
    pub conversation: conversation::Model,
    pub contact_name: Option<String>,
    pub profile_name: Option<String>,
    pub lead_status: LeadStatus,
    pub opted_out: bool,
    pub state: Option<Value>,
    /// Oldest first.
    pub history: Vec<HistoryTurn>,
    pub bot_messages_since_lead: u32,
    pub bot_messages_last_hour: u32,
    /// When a member last took the conversation over (the inbox's Take over, or a reply that
    /// took it), read while a person has it: the agent says nothing in a conversation a person
    /// took after its handover, even before they write.
    pub taken_over_at: Option<DateTime<Utc>>,
}

/// The decision row as the agent produced it.
#[derive(Debug, Clone)]
pub struct DecisionRecord {
    pub trigger: Trigger,
    pub engine: DecisionEngine,
    pub should_send: bool,
    pub message_type: MessageType,
    pub reason_code: ReasonCode,
    pub cta_type: Option<CtaType>,
    pub message_text: Option<String>,
    pub confidence: f64,
    pub retrieval_used: bool,
    pub input_tokens: i32,
    pub output_tokens: i32,
    pub cost_usd: f64,
    pub prompt_tokens: i32,
    pub guardrails: Value,
    pub handoff_required: bool,
    pub handoff_priority: Option<EscalationPriority>,
    pub handoff: Option<HandoffRecord>,
    pub error: Option<String>,
    pub latency_ms: i32,
    /// Reply buttons under the message (`[{id, title}]`), when it is interactive.
    pub buttons: Option<Value>,
    /// A note to a lead waiting for the person the agent handed over to: it goes while the
    /// conversation is still waiting (`conversation_rules::agent_reply_goes`).
    pub while_handed_over: bool,
    /// The latest takeover of the conversation when the agent read it (`AgentInput`).
    pub seen_takeover_at: Option<DateTime<Utc>>,
}

/// The handover a decision makes: why, typed (the team's item is titled by it), and the
/// brief shown first to the person, stored as the agent wrote it.
#[derive(Debug, Clone)]
pub struct HandoffRecord {
    pub reason: HandoverReason,
    pub brief: Value,
}

#[derive(Debug, Clone, Default)]
pub struct AgentPatch {
    pub state: Value,
    pub stage: Option<ConversationStage>,
    pub lead_status: Option<LeadStatus>,
    pub intent: Option<Intent>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub city: Option<String>,
    pub language: Option<String>,
    pub opted_out: bool,
    /// The lead opted back in (START after STOP).
    pub opted_in: bool,
    /// Hand over to a human with this priority.
    pub handoff_priority: Option<EscalationPriority>,
    /// The CTA the lead took up: (type, title, details).
    pub cta_accepted: Option<(CtaType, String, Value)>,
    pub calendar_event: Option<(String, DateTime<Utc>, DateTime<Utc>)>,
    pub alert: Option<String>,
    /// The brief of the handover still open, brought up to date by the agent (the lead moved
    /// the call's time): the team's item shows it.
    pub brief: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct AppliedDecision {
    pub decision_id: Uuid,
    pub message: Option<MessageItem>,
    pub handed_over: bool,
    /// The action-center item a CTA acceptance (or booking) opened.
    pub flagged: Option<Uuid>,
    /// Every action-center item this decision opened.
    pub opened: Vec<(Uuid, ActionKind)>,
    /// Items it changed (an accepted CTA that became a booking), with their status.
    pub updated: Vec<(Uuid, ActionStatus)>,
    /// The calendar event it booked or gave a time: (id, status, newly booked).
    pub booked: Option<(Uuid, closer_domain::calendar::EventStatus, bool)>,
    /// A human took over while the agent thought: the reply was not queued.
    pub suppressed: bool,
    /// The conversation's lead.
    pub lead_id: Uuid,
    /// The lead's card followed the conversation to another stage.
    pub moved: Option<crate::pipeline::HistoryRecord>,
    /// The members told about it (a handover, a booking, an accepted CTA).
    pub notified: Vec<crate::notifications::Notified>,
    /// The member the round-robin gave the handed-over conversation to.
    pub assigned: Option<crate::assignment::TurnTaken>,
    /// The lead's drip sequence, stopped by a STOP or a handover.
    pub sequence_stopped: Option<crate::sequences::EnrollmentChange>,
}

#[derive(Debug, Clone)]
pub struct DecisionItem {
    pub row: decision::Model,
    /// The reply's delivery status, when one was queued.
    pub send_status: Option<DeliveryStatus>,
}

/// What the agent reads of a message: its text; a voice note's transcript, as if the lead had
/// typed it (with the caption, if any, after it); else the kind in brackets.
fn turn_text(m: &message::Model) -> String {
    let transcript = m
        .media
        .as_ref()
        .and_then(|v| v.get("transcript"))
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty());
    match (&m.text, transcript, m.kind.as_str()) {
        (Some(t), Some(heard), _) if !t.trim().is_empty() => format!("{heard}\n{t}"),
        (_, Some(heard), _) => heard.to_owned(),
        (Some(t), None, _) if !t.trim().is_empty() => t.clone(),
        (_, None, kind) => format!("[{kind}]"),
    }
}

/// What a decision changed about the lead, for the activity log.
fn decision_activity(
    conv: &conversation::Model,
    before: &ConversationFacts,
    effect: &DecisionEffect,
    patch: &AgentPatch,
    decision_id: Uuid,
    stop: Option<&crate::compliance::OptOutBy>,
) -> Vec<NewActivity> {
    let event = |kind, payload: Value| {
        NewActivity::on(
            conv.contact_id,
            conv.id,
            kind,
            ActivityActor::Agent,
            payload,
        )
    };
    let mut log = vec![];
    if let Some(stage) = effect.stage {
        log.push(event(
            ActivityKind::StageChanged,
            json!({ "from": before.stage, "to": stage, "decision_id": decision_id }),
        ));
    }
    if let Some(status) = effect.lead_status {
        log.push(event(
            ActivityKind::LeadStatusChanged,
            json!({ "from": before.lead_status, "to": status, "decision_id": decision_id }),
        ));
    }
    if let Some((cta, title, _)) = &patch.cta_accepted {
        log.push(event(
            ActivityKind::CtaAccepted,
            json!({ "cta": cta, "title": title, "decision_id": decision_id }),
        ));
    }
    if let Some(priority) = effect.hand_over {
        log.push(event(
            ActivityKind::HandoffRequested,
            json!({ "priority": priority, "decision_id": decision_id }),
        ));
    }
    if effect.opts_in {
        log.push(NewActivity {
            actor: ActivityActor::Lead,
            ..event(ActivityKind::OptedIn, json!({ "decision_id": decision_id }))
        });
    }
    if effect.opts_out {
        log.push(NewActivity {
            actor: ActivityActor::Lead,
            ..event(
                ActivityKind::OptedOut,
                json!({
                    "decision_id": decision_id,
                    "source": stop.map(|s| s.source),
                    "message_id": stop.and_then(|s| s.message_id),
                }),
            )
        });
    }
    log
}

impl OrgScope<'_> {
    /// Everything the agent needs to think about a conversation.
    pub async fn agent_input(&self, conversation_id: Uuid) -> Result<AgentInput> {
        let db = &self.store.db;
        let conv = self.conversation_row(db, conversation_id).await?;
        let lead = contact::Entity::find()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.eq(conv.contact_id))
            .one(db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut rows = message::Entity::find()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::DeletedAt.is_null())
            // The team's private notes are not turns of the conversation: the agent never
            // reads them as something the lead or anyone in the chat said.
            .filter(message::Column::Author.ne(Author::Note))
            .order_by_desc(message::Column::Id)
            .limit(HISTORY)
            .all(db)
            .await?;
        rows.reverse();
        let lead_dir = Direction::Inbound;
        let last_lead = rows.iter().rposition(|m| m.direction == lead_dir);
        let bot = Author::Bot;
        let bot_messages_since_lead = rows
            .iter()
            .skip(last_lead.map_or(0, |i| i + 1))
            .filter(|m| m.author == bot)
            .count() as u32;
        let bot_messages_last_hour = message::Entity::find()
            .filter(message::Column::OrgId.eq(self.org_id))
            .filter(message::Column::ConversationId.eq(conversation_id))
            .filter(message::Column::Author.eq(bot))
            .filter(message::Column::CreatedAt.gt(now() - Duration::hours(1)))
            .count(db)
            .await? as u32;
        let history = rows
            .iter()
            .map(|m| HistoryTurn {
                id: m.id,
                author: m.author,
                direction: m.direction,
                text: turn_text(m),
                created_at: m.created_at,
                unanswered: m.direction == lead_dir && m.ready_at.is_none(),
                reply_id: m
                    .media
                    .as_ref()
                    .and_then(|v| v.get("reply_id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
            .collect();
        let state = self.conversation_state(conversation_id).await?;
        // Only a person's conversation has a takeover that matters; the bot's skips the read.
        let taken_over_at = if conv.mode == ConversationMode::Human {
            latest_takeover(db, self.org_id, conv.contact_id, conversation_id).await?
        } else {
            None
        };
        Ok(AgentInput {
            conversation: conv,
            contact_name: lead.name,
            profile_name: lead.profile_name,
            lead_status: lead.lead_status,
            opted_out: lead.opted_out,
            state,
            history,
            bot_messages_since_lead,
            bot_messages_last_hour,
            taken_over_at,
        })
    }

    /// The agent's memory of a conversation, when it has thought about it.
    pub async fn conversation_state(&self, conversation_id: Uuid) -> Result<Option<Value>> {
        Ok(conversation_state::Entity::find()
            .filter(conversation_state::Column::OrgId.eq(self.org_id))
            .filter(conversation_state::Column::ConversationId.eq(conversation_id))
            .one(&self.store.db)
            .await?
            .and_then(|s| s.state))
    }

    /// Applies one decision. `answered` are the lead messages it answered (marked ready).
    pub async fn apply_decision(
        &self,
        conversation_id: Uuid,
        answered: &[Uuid],
        mut record: DecisionRecord,
        patch: AgentPatch,
    ) -> Result<AppliedDecision> {
        let txn = self.store.begin_write().await?;
        let conv = self.conversation_row(&*txn, conversation_id).await?;
        let at = now();
        // A waiting note was decided on the takeover the agent saw; a person may have taken
        // the conversation over since (a race the mode alone cannot tell: it stays human).
        let taken_over_meanwhile = record.should_send
            && record.while_handed_over
            && conversation_rules::taken_over_meanwhile(
                record.seen_takeover_at,
                latest_takeover(&*txn, self.org_id, conv.contact_id, conversation_id).await?,
            );
        // A decision that opts the lead out sends nothing but the confirmation of it.
        let reply = if patch.opted_out {
            AgentReply::OptOutConfirmation
        } else if record.while_handed_over {
            AgentReply::WaitingNote
        } else {
            AgentReply::Answer
        };
        let suppressed = record.should_send
            && !conversation_rules::agent_reply_goes(
                conv.mode,
                reply,
                conv.last_message_author,
                taken_over_meanwhile,
            );
        if suppressed {
            record.should_send = false;
            record.error = Some(if taken_over_meanwhile {
                "not sent: a person took the conversation over while the agent was thinking".into()
            } else {
                format!(
                    "not sent: the conversation became {} while the agent was thinking",
                    conv.mode
                )
            });
        }
        let message = match (&record.message_text, record.should_send) {
            (Some(text), true) => {
                let body = match &record.buttons {
                    Some(buttons) => OutboundBody::Buttons(buttons.clone()),
                    None => OutboundBody::Text,
                };
                Some(
                    self.queue_outbound(&txn, &conv, Author::Bot, None, text, body)
                        .await?,
                )
            }
            _ => None,
        };
        let decision_id = new_id();
        let figures = crate::rollups::DecisionFigures {
            engine: record.engine,
            reason_code: record.reason_code,
            handoff_required: record.handoff_required,
            retrieval_used: record.retrieval_used,
            guardrails: record.guardrails.clone(),
            input_tokens: record.input_tokens.into(),
            output_tokens: record.output_tokens.into(),
            cost_usd: record.cost_usd,
            sentiment: crate::rollups::latest_sentiment(&patch.state),
        };
        crate::rollups::note_decision(&*txn, self.org_id, conversation_id, &figures, at).await?;
        decision::Entity::insert(decision::ActiveModel {
            id: Set(decision_id),
            org_id: Set(self.org_id),
            conversation_id: Set(conversation_id),
            trigger: Set(record.trigger),
            engine: Set(record.engine),
            should_send: Set(record.should_send),
            message_type: Set(record.message_type),
            reason_code: Set(record.reason_code),
            cta_type: Set(record.cta_type),
            message_text: Set(record.message_text),
            confidence: Set(record.confidence),
            retrieval_used: Set(record.retrieval_used),
            input_tokens: Set(record.input_tokens),
            output_tokens: Set(record.output_tokens),
            cost_usd: Set(record.cost_usd),
            prompt_tokens: Set(record.prompt_tokens),
            guardrails: Set(Some(record.guardrails)),
            handoff_required: Set(record.handoff_required),
            handoff_priority: Set(record.handoff_priority),
            handoff: Set(record.handoff.as_ref().map(|h| h.brief.clone())),
            state_after: Set(Some(patch.state.clone())),
            message_id: Set(message.as_ref().map(|m| m.id)),
            error: Set(record.error),
            latency_ms: Set(record.latency_ms),
            created_at: Set(at),
        })
        .exec_without_returning(&*txn)
        .await?;

        conversation_state::Entity::insert(conversation_state::ActiveModel {
            org_id: Set(self.org_id),
            conversation_id: Set(conversation_id),
            state: Set(Some(patch.state.clone())),
            updated_at: Set(at),
        })
        .on_conflict(
            OnConflict::columns([
                conversation_state::Column::OrgId,
                conversation_state::Column::ConversationId,
            ])
            .update_columns([
                conversation_state::Column::State,
                conversation_state::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(&*txn)
        .await?;

        let mut contact_update = contact::Entity::update_many()
            .filter(contact::Column::OrgId.eq(self.org_id))
            .filter(contact::Column::Id.eq(conv.contact_id))
            .col_expr(contact::Column::UpdatedAt, Expr::value(at));
        // What a person typed on the lead stays: the agent fills only the other fields.
        let person = crate::leads::person_fields_of(&*txn, self.org_id, conv.contact_id).await?;
        for (field, col, value) in [
            ("name", contact::Column::Name, &patch.name),
            ("email", contact::Column::Email, &patch.email),
            ("city", contact::Column::City, &patch.city),
            ("language", contact::Column::Language, &patch.language),
        ] {
            if let Some(v) = value
                .as_ref()
                .filter(|_| !person.iter().any(|p| p == field))
            {
                contact_update = contact_update.col_expr(col, Expr::value(v.clone()));
            }
        }
        let lead = self.contact_row(&*txn, conv.contact_id).await?;
        let facts = ConversationFacts {
            lead_status: lead.lead_status,
            opted_out: lead.opted_out,
            ..facts_of(&conv)
        };
        let outcome = DecisionOutcome {
            stage: patch.stage,
            lead_status: patch.lead_status,
            opted_out: patch.opted_out,
            opted_in: patch.opted_in,
            handoff: patch.handoff_priority,
        };
        let effect = conversation_rules::decision(&facts, &outcome, suppressed);
        if let Some(status) = effect.lead_status {
            contact_update =
                contact_update.col_expr(contact::Column::LeadStatus, Expr::value(status));
        }
        if effect.opts_out {
            contact_update = contact_update
                .col_expr(contact::Column::OptedOut, Expr::value(true))
                .col_expr(contact::Column::OptedOutAt, Expr::value(at));
        }
        if effect.opts_in {
            contact_update = contact_update
                .col_expr(contact::Column::OptedOut, Expr::value(false))
                .col_expr(
                    contact::Column::OptedOutAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                );
        }
        contact_update.exec(&*txn).await?;
        // STOP puts the person on the opt-out list, START takes them off it.
        let stop = match effect.opts_out || effect.opts_in {
            true => {
                let said = answered.last().copied();
                crate::compliance::follow_agent(
                    &*txn,
                    self.store,
                    self.org_id,
                    &lead,
                    effect.opts_out,
                    said,
                    at,
                )
                .await?
            }
            false => None,
        };
        // A STOP or a handover ends the lead's drip sequence now, not when its next step
        // falls due and finds the lead opted out or a person on the conversation.
        let sequence_stop = match (effect.opts_out, effect.hand_over.is_some()) {
            (true, _) => Some(closer_domain::sequences::StopReason::OptedOut),
            (false, true) => Some(closer_domain::sequences::StopReason::Handoff),
            (false, false) => None,
        };
        let sequence_stopped = match sequence_stop {
            Some(why) => {
                crate::sequences::stop_active(&*txn, self.org_id, conv.contact_id, why).await?
            }
            None => None,
        };
        let mut moved = None;
        if let Some(stage) = effect.stage {
            // The lead follows its conversation on the pipeline board, in this transaction.
            moved = crate::pipeline::follow_conversation(
                &*txn,
                self.org_id,
                conv.contact_id,
                stage,
                crate::pipeline::MoveBy {
                    actor: closer_domain::pipeline::MoveActor::Ai,
                    actor_id: Some(decision_id),
                    reason: Some(record.reason_code.as_str().to_owned()),
                    evidence_message_id: answered.last().copied(),
                },
            )
            .await?;
        }
        let log = decision_activity(&conv, &facts, &effect, &patch, decision_id, stop.as_ref());

        let handed_over = effect.hand_over.is_some();
        let mut conv_update = conversation::Entity::update_many()
            .filter(conversation::Column::OrgId.eq(self.org_id))
            .filter(conversation::Column::Id.eq(conversation_id))
            .col_expr(conversation::Column::UpdatedAt, Expr::value(at));
        if let Some(stage) = effect.stage {
            conv_update = conv_update.col_expr(conversation::Column::Stage, Expr::value(stage));
        }
        if let Some(intent) = patch.intent {
            conv_update = conv_update.col_expr(conversation::Column::Intent, Expr::value(intent));
        }
        if let Some(priority) = effect.hand_over {
            conv_update = conv_update
                .col_expr(
                    conversation::Column::Mode,
                    Expr::value(conversation_rules::mode_after_handover(conv.mode)),
                )
                .col_expr(conversation::Column::NeedsHuman, Expr::value(true))
                .col_expr(conversation::Column::Priority, Expr::value(priority));
        }
        conv_update.exec(&*txn).await?;
        // A handover with nobody on the conversation goes to whoever's turn it is.
        let assigned = match effect.hand_over {
            Some(_) => crate::assignment::assign_in_turn(&*txn, self.org_id, &conv).await?,
            None => None,
        };

        if !answered.is_empty() {
            message::Entity::update_many()
                .filter(message::Column::OrgId.eq(self.org_id))
                .filter(message::Column::Id.is_in(answered.to_vec()))
                .filter(message::Column::ReadyAt.is_null())
                .col_expr(message::Column::ReadyAt, Expr::value(at))
                .exec(&*txn)
                .await?;
        }

        let open_action = |kind: ActionKind,
                           cta: Option<CtaType>,
                           priority: Option<EscalationPriority>,
                           title: String,
                           details: Value| {
            let priority = priority.unwrap_or(kind.priority());
            action::ActiveModel::from(action::Model {
                id: new_id(),
                org_id: self.org_id,
                conversation_id,
                kind,
                cta_type: cta,
                priority,
                urgency: priority.rank().into(),
                title,
                details: Some(details),
                status: ActionStatus::Open,
                due_at: None,
                claimed_by: None,
                claimed_at: None,
                resolved_by: None,
                outcome: None,
                snoozed_until: None,
                created_at: at,
                resolved_at: None,
            })
        };
        let mut flagged = None;
        let mut booked_now = false;
        let mut actions = vec![];
        let mut updated = vec![];
        let booking =
            patch
                .cta_accepted
                .as_ref()
                .map(|(cta, _, details)| crate::calendar::DecisionBooking {
                    cta: *cta,
                    name: details
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    slot: patch.calendar_event.clone(),
                    action_id: None,
                });
        if let Some((cta, title, details)) = patch.cta_accepted {
            let booked = patch.calendar_event.as_ref().map(|(_, start, _)| *start);
            // One item per CTA taken up: an acceptance repeated adds nothing, and the time
            // the lead then gives turns it into the booking (due at its start) it became.
            let earlier = action::Entity::find()
                .filter(action::Column::OrgId.eq(self.org_id))
                .filter(action::Column::ConversationId.eq(conversation_id))
                .filter(action::Column::CtaType.eq(cta))
                .filter(action::Column::Kind.is_in([ActionKind::CtaAccepted, ActionKind::Booking]))
                .filter(action::Column::Status.ne(ActionStatus::Resolved))
                .order_by_desc(action::Column::Id)
                .one(&*txn)
                .await?;
            match (earlier, booked) {
                (Some(a), Some(start)) => {
                    let priority = ActionKind::Booking.priority().max_rank(a.priority);
                    let mut change = action::ActiveModel::from(a.clone());
                    change.kind = Set(ActionKind::Booking);
                    change.due_at = Set(Some(start));
                    change.title = Set(title);
                    change.details = Set(Some(details));
                    change.priority = Set(priority);
                    change.urgency = Set(priority.rank().into());
                    change.update(&*txn).await?;
                    booked_now = true;
                    flagged = Some(a.id);
                    updated.push((a.id, a.status));
                }
                (Some(a), None) => flagged = Some(a.id),
                (None, booked) => {
                    let kind = match booked {
                        Some(_) => ActionKind::Booking,
                        None => ActionKind::CtaAccepted,
                    };
                    let mut a = open_action(kind, Some(cta), None, title, details);
                    a.due_at = Set(booked);
                    flagged = Some(*a.id.as_ref());
                    actions.push(a);
                }
            }
        }
        if handed_over && let Some(handoff) = &record.handoff {
            actions.push(open_action(
                ActionKind::HumanAttention,
                None,
                patch.handoff_priority,
                format!(
                    "Needs a human: {}",
                    handoff.reason.as_str().replace('_', " ")
                ),
                handoff.brief.clone(),
            ));
        }
        // The team works from the item: after the handover, a brief the lead's new words
        // changed (the call moved to 6pm) replaces the one it was opened with.
        if !handed_over && let Some(brief) = patch.brief {
            let open = action::Entity::find()
                .filter(action::Column::OrgId.eq(self.org_id))
                .filter(action::Column::ConversationId.eq(conversation_id))
                .filter(action::Column::Kind.eq(ActionKind::HumanAttention))
                .filter(action::Column::Status.ne(ActionStatus::Resolved))
                .order_by_desc(action::Column::Id)
                .one(&*txn)
                .await?;
            if let Some(a) = open {
                let mut change = action::ActiveModel::from(a.clone());
                change.details = Set(Some(brief));
                change.update(&*txn).await?;
                updated.push((a.id, a.status));
            }
        }
        if let Some(alert) = patch.alert {
            actions.push(open_action(
                ActionKind::AgentAlert,
                None,
                Some(EscalationPriority::High),
                "The agent failed over to its safe reply".into(),
                json!({ "error": alert, "decision_id": decision_id }),
            ));
        }
        let opened: Vec<(Uuid, ActionKind)> = actions
            .iter()
            .map(|a| (*a.id.as_ref(), *a.kind.as_ref()))
            .collect();
        let mut news: Vec<(NotificationKind, String)> = actions
            .iter()
            .filter_map(|a| {
                let kind = match a.kind.as_ref() {
                    ActionKind::HumanAttention => NotificationKind::Handoff,
                    ActionKind::Booking => NotificationKind::Booking,
                    ActionKind::CtaAccepted => NotificationKind::CtaAccepted,
                    ActionKind::AgentAlert | ActionKind::SendFailed => return None,
                };
                Some((kind, a.title.as_ref().clone()))
            })
            .collect();
        if booked_now && let Some((title, _, _)) = &patch.calendar_event {
            news.push((NotificationKind::Booking, title.clone()));
        }
        if !actions.is_empty() {
            action::Entity::insert_many(actions)
                .exec_without_returning(&*txn)
                .await?;
        }
        // The booking the CTA made (with its time, or to be agreed) follows its action.
        let booked = match booking {
            Some(b) => {
                let b = crate::calendar::DecisionBooking {
                    action_id: flagged,
                    ..b
                };
                crate::calendar::book_from_decision(&*txn, self.org_id, &conv, b, at).await?
            }
            None => None,
        };
        activity::append(&*txn, self.org_id, log).await?;
        let mut notified = vec![];
        if !news.is_empty() {
            let audience = crate::notifications::conversation_audience(
                &*txn,
                self.org_id,
                assigned.map(|a| a.user_id).or(conv.assigned_user_id),
            )
            .await?;
            let who = lead
                .name
                .clone()
                .or(lead.phone.clone())
                .unwrap_or_else(|| "A lead".into());
            for (kind, title) in news {
                let notice = NewNotice {
                    kind,
                    title,
                    body: who.clone(),
                    link: Some(format!("/inbox/{conversation_id}")),
                    conversation_id: Some(conversation_id),
                };
                notified.extend(
                    notify(&*txn, self.store, self.org_id, &notice, audience.clone()).await?,
                );
            }
        }
        txn.commit().await?;
        self.fill_custom_fields(conv.contact_id, &patch.state)
            .await?;
        Ok(AppliedDecision {
            decision_id,
            message,
            handed_over,
            flagged,
            opened,
            updated,
            booked,
            suppressed,
            lead_id: conv.contact_id,
            moved,
            notified,
            assigned,
            sequence_stopped,
        })
    }

    /// Slots the agent learnt that match one of the organisation's custom fields (`course`,
    /// `board`) fill it on the lead, unless a person set it; name, email, city and language
    /// were written with the decision. Nothing is read or written without custom fields.
    async fn fill_custom_fields(&self, lead_id: Uuid, state: &Value) -> Result<()> {
        const WRITTEN_WITH_THE_DECISION: [&str; 4] = ["name", "email", "city", "language"];
        let Some(slots) = state.get("slots").and_then(Value::as_object) else {
            return Ok(());
        };
        let values: BTreeMap<String, String> = slots
            .iter()
            .filter(|(k, _)| !WRITTEN_WITH_THE_DECISION.contains(&k.as_str()))
            .filter_map(|(k, s)| Some((k.clone(), s.get("value")?.as_str()?.to_owned())))
            .collect();
        if values.is_empty() || !self.has_custom_fields().await? {
            return Ok(());
        }
        self.fill_lead_from_slots(lead_id, &values).await?;
        Ok(())
    }

    /// A conversation's decisions, newest first, with the delivery status of each reply.
    pub async fn decisions(
        &self,
        conversation_id: Uuid,
        page: PageRequest,
    ) -> Result<Page<DecisionItem>> {
        self.conversation_row(&self.store.db, conversation_id)
            .await?;
        let query = decision::Entity::find()
            .filter(decision::Column::OrgId.eq(self.org_id))
            .filter(decision::Column::ConversationId.eq(conversation_id));
        let rows = page::fetch(
            &self.store.db,
            query,
            decision::Column::Id,
            Order::NewestFirst,
            page,
            |r| r,
            |r| r.id,
        )
        .await?;
        let ids: Vec<Uuid> = rows.items.iter().filter_map(|r| r.message_id).collect();
        let statuses: HashMap<Uuid, DeliveryStatus> = if ids.is_empty() {
            HashMap::new()
        } else {
            message::Entity::find()
                .filter(message::Column::OrgId.eq(self.org_id))
                .filter(message::Column::Id.is_in(ids))
                .all(&self.store.db)
                .await?
                .into_iter()
                .map(|m| (m.id, m.status))
                .collect()
        };
        Ok(rows.map(|row| DecisionItem {
            send_status: row.message_id.and_then(|id| statuses.get(&id).cloned()),
            row,
        }))
    }
}

/// When a person last took the conversation over, from the lead's timeline (newest first, the
/// `activities_contact` index).
async fn latest_takeover(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    contact_id: Uuid,
    conversation_id: Uuid,
) -> Result<Option<DateTime<Utc>>> {
    use crate::entities::activity as row;
    Ok(row::Entity::find()
        .filter(row::Column::OrgId.eq(org_id))
        .filter(row::Column::ContactId.eq(contact_id))
        .filter(row::Column::ConversationId.eq(conversation_id))
        .filter(row::Column::Kind.eq(ActivityKind::TakeoverStarted))
        .order_by_desc(row::Column::Id)
        .select_only()
        .column(row::Column::At)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?)
}
