//! Follow-ups in motion: planning the next one after the agent spoke, and running one when it
//! falls due (every rule checked again; the agent writes it inside the window).

use crate::llm_provider::ModelCache;
use chrono::Utc;
use closer_agent::Trigger;
use closer_agent::followup::{self, FollowupFacts, blocked, plan_followup, recheck, zone};
use closer_domain::cta::CtaState;
use closer_domain::followup::{
    FollowupKind, FollowupSettings, FollowupStatus, FollowupStatusReason,
};
use closer_domain::send_policy::{SendRule, Sender};
use closer_domain::templates::TemplateStatus;
use closer_store::events::RealtimeEvent;
use closer_store::followups::{FollowupInputs, FollowupItem, NewFollowup};
use closer_store::{Store, StoreError};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The planner's view of conversation `conversation_id`, now.
pub fn facts(
    conversation_id: Uuid,
    inputs: &FollowupInputs,
    approved_templates: Vec<Uuid>,
) -> FollowupFacts {
    let state = crate::agent_run::memory(inputs.state.clone(), conversation_id);
    let open_cta = state
        .last_cta
        .and_then(|c| state.cta_states.get(&c))
        .is_some_and(|r| matches!(r.state, CtaState::OfferedOnce | CtaState::OfferedTwice));
    FollowupFacts {
        now: Utc::now(),
        opted_out: inputs.opted_out,
        mode: inputs.mode,
        needs_human: inputs.needs_human,
        stage: inputs.stage,
        window_open_until: inputs.window_open_until,
        last_lead_message_at: inputs.last_lead_message_at,
        sent_in_silence: inputs.sent_in_silence,
        steps_sent_in_silence: inputs.steps_sent_in_silence,
        unanswered: inputs.unanswered,
        response_rate: state.response_rate,
        intent: state.intent,
        open_cta,
        // Contacts carry no timezone yet: the organisation's zone, else UTC.
        tz: zone(None, inputs.org_timezone.as_deref()),
        approved_templates,
    }
}

/// The schedule's templates that may go now (approved), with their names.
async fn approved_steps(
    store: &Store,
    org_id: Uuid,
    settings: &FollowupSettings,
) -> Result<Vec<(Uuid, String)>, StoreError> {
    let scope = store.org(org_id);
    let mut out = vec![];
    for step in &settings.outside_window {
        match scope.template(step.template_id).await {
            Ok(t) if t.status == TemplateStatus::Approved => {
                out.push((t.id, t.content.name.clone()))
            }
            // Deleted since the settings were saved, or not approved (yet): passed over.
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

async fn announce(store: &Store, org_id: Uuid, f: &FollowupItem) {
    crate::announce::publish(
        store,
        org_id,
        vec![
            RealtimeEvent::FollowupUpdated {
                conversation_id: f.conversation_id,
                followup_id: f.id,
                status: f.status,
            },
            RealtimeEvent::conversation_updated(f.conversation_id),
        ],
    )
    .await;
}

async fn announce_cancelled(store: &Store, org_id: Uuid, conversation_id: Uuid, ids: &[Uuid]) {
    let events = ids
        .iter()
        .map(|id| RealtimeEvent::FollowupUpdated {
            conversation_id,
            followup_id: *id,
            status: FollowupStatus::Cancelled,
        })
        .collect::<Vec<_>>();
    if !events.is_empty() {
        crate::announce::publish(store, org_id, events).await;
    }
}

/// Plans the conversation's next follow-up in place of the pending one (or only cancels it,
/// with the rule that forbids any).
pub async fn plan_next(
    store: &Store,
    org_id: Uuid,
    conversation_id: Uuid,
) -> Result<(), StoreError> {
    let scope = store.org(org_id);
    let settings = scope.followup_settings().await?;
    let inputs = scope.followup_inputs(conversation_id).await?;
    let approved = approved_steps(store, org_id, &settings).await?;
    let f = facts(
        conversation_id,
        &inputs,
        approved.iter().map(|a| a.0).collect(),
    );
    let next = plan_followup(&f, &settings).map(|p| NewFollowup {
        kind: p.kind,
        step: p.step as i32,
        due_at: p.due_at,
        reason: p.reason,
        template: p
            .template_id
            .and_then(|id| approved.iter().find(|a| a.0 == id).cloned()),
    });
    let why = blocked(&f, &settings).unwrap_or(FollowupStatusReason::Replaced);
    let (cancelled, created) = scope
        .replace_followup(conversation_id, next, why, None)
        .await?;
    announce_cancelled(store, org_id, conversation_id, &cancelled).await;
    if let Some(created) = created {
        announce(store, org_id, &created).await;
    }
    Ok(())
}

/// Runs a due follow-up. Whatever it comes to is recorded on the row; only a store error
/// fails the job (and retries).
pub async fn execute(
    store: &Store,
    models: &ModelCache,
    org_id: Uuid,
    followup_id: Uuid,
) -> Result<(), StoreError> {
    let scope = store.org(org_id);
    let item = match scope.followup(followup_id).await {
        Ok(item) => item,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e),
    };
    if item.status != FollowupStatus::Pending {
        return Ok(());
    }
    let settings: FollowupSettings = scope.followup_settings().await?;
    let inputs = scope.followup_inputs(item.conversation_id).await?;
    let f = facts(item.conversation_id, &inputs, vec![]);
    let manual = item.reason == closer_domain::followup::FollowupReason::Manual;
    if let Err(why) = recheck(
        &f,
        &settings,
        item.kind,
        item.created_at,
        manual || item.forced,
    ) {
        return skip(store, org_id, &item, why, None).await;
    }
    if !item.forced
        && let Some(until) = followup::quiet_until(f.now, &settings, f.tz)
    {
        // Fell due in the lead's night (the plan changed, or the clock did): wait for morning.
        return scope.postpone_followup(item.id, until).await;
    }
    match item.kind {
        FollowupKind::InWindow => {
            let applied = crate::agent_run::run(
                store,
                models,
                org_id,
                item.conversation_id,
                Trigger::Followup,
            )
            .await?;
            let decision_id = applied.as_ref().map(|a| a.decision_id);
            match applied.as_ref().and_then(|a| a.message.as_ref()) {
                Some(m) => {
                    scope
                        .finish_followup(
                            item.id,
                            FollowupStatus::Sent,
                            None,
                            Some(m.id),
                            decision_id,
                        )
                        .await?;
                    let done = scope.followup(item.id).await?;
                    announce(store, org_id, &done).await;
                    plan_next(store, org_id, item.conversation_id).await
                }
                None => {
                    skip(
                        store,
                        org_id,
                        &item,
                        FollowupStatusReason::AgentSilent,
                        decision_id,
                    )
                    .await
                }
            }
        }
        FollowupKind::Template => send_template(store, org_id, &item).await,
    }
}

/// An outside-window step: its template, if still approved, with the variables mapped from
/// the lead, through the one send policy (opt-out, marketing opt-out, restrictions).
async fn send_template(store: &Store, org_id: Uuid, item: &FollowupItem) -> Result<(), StoreError> {
    let scope = store.org(org_id);
    let Some((template_id, _)) = item.template.clone() else {
        return skip(
            store,
            org_id,
            item,
            FollowupStatusReason::TemplateNotAvailable,
            None,
        )
        .await;
    };
    let template = match scope.template(template_id).await {
        Ok(t) if t.status == TemplateStatus::Approved => t,
        Ok(_) | Err(StoreError::NotFound) => {
            return skip(
                store,
                org_id,
                item,
                FollowupStatusReason::TemplateNotAvailable,
                None,
            )
            .await;
        }
        Err(e) => return Err(e),
    };
    let sent = scope
        .queue_template_send(
            Sender::ScheduledStep,
            None,
            item.conversation_id,
            template.id,
            &BTreeMap::new(),
        )
        .await;
    match sent {
        Ok(reply) => {
            scope
                .finish_followup(
                    item.id,
                    FollowupStatus::Sent,
                    None,
                    Some(reply.message.id),
                    None,
                )
                .await?;
            store.wake_workers().await;
            crate::announce::message_sent(
                store,
                org_id,
                item.conversation_id,
                reply.message.id,
                false,
            )
            .await;
            let done = scope.followup(item.id).await?;
            announce(store, org_id, &done).await;
            plan_next(store, org_id, item.conversation_id).await
        }
        Err(StoreError::SendRefused { refused, .. }) => {
            let why = match refused.rule {
                SendRule::OptedOut => FollowupStatusReason::OptedOut,
                SendRule::MarketingOptedOut => FollowupStatusReason::MarketingOptedOut,
                SendRule::HumanLock => FollowupStatusReason::Handoff,
                _ => FollowupStatusReason::TemplateNotAvailable,
            };
            skip(store, org_id, item, why, None).await
        }
        // Not approved any more, variables the lead's data cannot fill, a restricted account.
        Err(StoreError::Template(e)) => {
            tracing::info!(followup = %item.id, error = %e, "template follow-up not sent");
            skip(
                store,
                org_id,
                item,
                FollowupStatusReason::TemplateNotAvailable,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn skip(
    store: &Store,
    org_id: Uuid,
    item: &FollowupItem,
    why: FollowupStatusReason,
    decision_id: Option<Uuid>,
) -> Result<(), StoreError> {
    let scope = store.org(org_id);
    if scope
        .finish_followup(
            item.id,
            FollowupStatus::Skipped,
            Some(why),
            None,
            decision_id,
        )
        .await?
    {
        tracing::info!(followup = %item.id, reason = %why, "follow-up skipped");
        let done = scope.followup(item.id).await?;
        announce(store, org_id, &done).await;
        // The window closed on an in-window nudge: the template schedule may take over.
        if why == FollowupStatusReason::WindowClosed {
            plan_next(store, org_id, item.conversation_id).await?;
        }
    }
    Ok(())
}
