//! The automation engine: an event job finds the organisation's enabled rules for its event,
//! evaluates each rule's conditions against the lead and the event, and records a run —
//! executed now, scheduled for its delay, or skipped (the loop guard, the per-conversation
//! cap). A scheduled run's job executes it once at `due_at`, unless the conversation moved on.
//!
//! Actions go through the product's own doors: sends through the one send path and its
//! policy (opt-outs, the 24 h window, the human lock), webhooks through the egress guard. What
//! an action changes is logged as the automation's, so it fires no rule.

use crate::worker::JobFailure;
use closer_domain::automation::{
    Action, ActionResult, Assignee, AutomationActionType as T, CancelOn, ConditionResult, Facts,
    RunReason, RunStatus, evaluate, parse_rule, within_cap,
};
use closer_domain::lead_filter::FieldDef;
use closer_domain::send_policy::{SendRule, Sender};
use closer_store::automations::{AutomationRecord, NewRun, Trigger};
use closer_store::{OrgScope, Store, StoreError};
use serde_json::json;
use std::time::Duration;
use uuid::Uuid;

/// What the actions of one run act on.
pub struct Target<'a> {
    pub store: &'a Store,
    pub egress: Option<&'a closer_egress::EgressPolicy>,
    pub org_id: Uuid,
    pub rule: &'a AutomationRecord,
    pub run_id: Option<Uuid>,
    pub lead_id: Uuid,
    pub conversation_id: Uuid,
    /// Only say what would happen: no writes, no sends.
    pub dry_run: bool,
}

async fn field_defs(scope: &OrgScope<'_>) -> Result<Vec<FieldDef>, StoreError> {
    Ok(scope
        .custom_fields()
        .await?
        .into_iter()
        .map(|d| FieldDef {
            key: d.key,
            kind: d.kind,
            options: d.options,
        })
        .collect())
}

/// Evaluates a stored rule's conditions against `facts`.
pub async fn check_conditions(
    scope: &OrgScope<'_>,
    rule: &AutomationRecord,
    facts: &Facts,
) -> Result<(bool, Vec<ConditionResult>), StoreError> {
    let defs = field_defs(scope).await?;
    match parse_rule(&rule.document(), &defs) {
        Ok(r) => Ok(evaluate(
            &r.conditions,
            &r.conditions_raw,
            facts,
            chrono::Utc::now(),
        )),
        // A custom field the conditions name was deleted since: the rule cannot match.
        Err(_) => Ok((false, vec![])),
    }
}

/// An `automation_event` job: the event's rules, each evaluated and run, scheduled or skipped.
pub async fn on_event(
    store: &Store,
    egress: &closer_egress::EgressPolicy,
    org_id: Uuid,
    activity_id: Uuid,
    rule_id: Option<Uuid>,
) -> Result<(), JobFailure> {
    let scope = store.org(org_id);
    let trigger = match scope.automation_trigger(activity_id).await {
        Ok(t) => t,
        // The lead was deleted (and its log with it) before the job ran.
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let rules = scope.enabled_automations(trigger.event, rule_id).await?;
    if rules.is_empty() {
        return Ok(());
    }
    let Some(conversation_id) = trigger.conversation_id else {
        for rule in &rules {
            let run = base_run(rule, &trigger, None, RunStatus::Skipped);
            let reason = Some(RunReason::NoConversation);
            scope.record_run(NewRun { reason, ..run }).await?;
        }
        return Ok(());
    };
    if trigger.caused_by_rule {
        for rule in &rules {
            let run = base_run(rule, &trigger, Some(conversation_id), RunStatus::Skipped);
            let reason = Some(RunReason::CausedByRule);
            scope.record_run(NewRun { reason, ..run }).await?;
        }
        return Ok(());
    }
    if rule_id.is_some() && !still_unanswered(&scope, conversation_id, &trigger).await? {
        return Ok(());
    }
    let (lead_id, facts) = scope
        .automation_facts(conversation_id, &trigger.payload, None)
        .await?;
    for rule in &rules {
        fire(
            store,
            egress,
            org_id,
            rule,
            &trigger,
            conversation_id,
            lead_id,
            &facts,
        )
        .await?;
    }
    Ok(())
}

/// A `no_reply_for` timer still stands: the lead has not written since our message, and no
/// later message of ours started a newer timer.
async fn still_unanswered(
    scope: &OrgScope<'_>,
    conversation_id: Uuid,
    trigger: &Trigger,
) -> Result<bool, StoreError> {
    use closer_domain::messaging::Direction;
    let lead = scope
        .wrote_since(conversation_id, trigger.at, Direction::Inbound)
        .await?;
    let us = scope
        .wrote_since(conversation_id, trigger.at, Direction::Outbound)
        .await?;
    Ok(!lead && !us)
}

fn base_run(
    rule: &AutomationRecord,
    trigger: &Trigger,
    conversation_id: Option<Uuid>,
    status: RunStatus,
) -> NewRun {
    NewRun {
        rule_id: rule.id,
        event: trigger.event,
        trigger_id: trigger.id,
        conversation_id,
        lead_id: trigger.lead_id,
        status,
        reason: None,
        conditions: vec![],
        event_at: trigger.at,
        due_at: None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn fire(
    store: &Store,
    egress: &closer_egress::EgressPolicy,
    org_id: Uuid,
    rule: &AutomationRecord,
    trigger: &Trigger,
    conversation_id: Uuid,
    lead_id: Uuid,
    facts: &Facts,
) -> Result<(), JobFailure> {
    let scope = store.org(org_id);
    let (matched, conditions) = check_conditions(&scope, rule, facts).await?;
    let mut run = base_run(rule, trigger, Some(conversation_id), RunStatus::NoMatch);
    run.lead_id = Some(lead_id);
    run.conditions = conditions;
    if !matched {
        scope.record_run(run).await?;
        return Ok(());
    }
    if rule.delay_seconds > 0 {
        run.status = RunStatus::Scheduled;
        run.due_at =
            Some(chrono::Utc::now() + chrono::Duration::seconds(i64::from(rule.delay_seconds)));
        scope.record_run(run).await?;
        store.wake_workers().await;
        return Ok(());
    }
    let cap = scope.automation_cap().await?;
    if !within_cap(scope.runs_executed_last_hour(conversation_id).await?, cap) {
        run.status = RunStatus::Skipped;
        run.reason = Some(RunReason::RateCapped);
        scope.record_run(run).await?;
        return Ok(());
    }
    run.status = RunStatus::Executed;
    // Recorded before acting: a retried job finds the run and does not act twice.
    let Some(run_id) = scope.record_run(run).await? else {
        return Ok(());
    };
    let target = Target {
        store,
        egress: Some(egress),
        org_id,
        rule,
        run_id: Some(run_id),
        lead_id,
        conversation_id,
        dry_run: false,
    };
    let results = execute(&target).await;
    finish(&scope, run_id, &results).await
}

async fn finish(
    scope: &OrgScope<'_>,
    run_id: Uuid,
    results: &[ActionResult],
) -> Result<(), JobFailure> {
    use closer_domain::automation::ActionOutcome;
    let all_failed =
        !results.is_empty() && results.iter().all(|r| r.status == ActionOutcome::Failed);
    let status = if all_failed {
        RunStatus::Failed
    } else {
        RunStatus::Executed
    };
    scope.finish_run(run_id, status, None, results).await?;
    Ok(())
}

/// An `automation_run` job: a delayed run falls due.
pub async fn on_due(
    store: &Store,
    egress: &closer_egress::EgressPolicy,
    org_id: Uuid,
    run_id: Uuid,
) -> Result<(), JobFailure> {
    let scope = store.org(org_id);
    let run = match scope.automation_run(run_id).await {
        Ok(r) => r,
        // Its lead was deleted or erased, and its runs with it.
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if run.status != RunStatus::Scheduled {
        return Ok(());
    }
    let (Some(conversation_id), Some(lead_id)) = (run.conversation_id, run.lead_id) else {
        return Ok(());
    };
    let rule = match scope.automation(run.rule_id).await {
        Ok(r) if r.enabled => Some(r),
        Ok(_) | Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let verdict = match &rule {
        None => Some((RunStatus::Cancelled, RunReason::RuleDisabled)),
        Some(rule) => {
            let except = scope
                .automation_trigger(run.trigger_id)
                .await
                .ok()
                .and_then(|t| t.payload.get("message_id").cloned())
                .and_then(|v| serde_json::from_value::<Uuid>(v).ok());
            let moved = rule.cancel_on == CancelOn::MovedOn
                && scope
                    .moved_on_since(conversation_id, lead_id, run.event_at, except)
                    .await?;
            let cap = scope.automation_cap().await?;
            if moved {
                Some((RunStatus::Cancelled, RunReason::MovedOn))
            } else if !within_cap(scope.runs_executed_last_hour(conversation_id).await?, cap) {
                Some((RunStatus::Skipped, RunReason::RateCapped))
            } else {
                None
            }
        }
    };
    // Taken once: another attempt (or replica) finds it taken and does nothing.
    if scope.claim_scheduled_run(run_id).await?.is_none() {
        return Ok(());
    }
    if let Some((status, reason)) = verdict {
        scope.finish_run(run_id, status, Some(reason), &[]).await?;
        return Ok(());
    }
    let rule = rule.expect("a rule when no verdict");
    let target = Target {
        store,
        egress: Some(egress),
        org_id,
        rule: &rule,
        run_id: Some(run_id),
        lead_id,
        conversation_id,
        dry_run: false,
    };
    let results = execute(&target).await;
    finish(&scope, run_id, &results).await
}

/// Each action in order, with what it did (or, in a dry run, would do).
pub async fn execute(t: &Target<'_>) -> Vec<ActionResult> {
    let defs = field_defs(&t.store.org(t.org_id)).await.unwrap_or_default();
    let actions = match parse_rule(&t.rule.document(), &defs) {
        Ok(r) => r.actions,
        Err(_) => return vec![],
    };
    let mut out = vec![];
    for action in &actions {
        let kind = action.kind();
        let result = match act(t, action).await {
            Ok(r) => r,
            Err(e) => ActionResult::failed(kind, e.to_string()),
        };
        out.push(result);
    }
    out
}

fn would(t: &Target<'_>, what: String) -> String {
    if t.dry_run {
        format!("would {what}")
    } else {
        what
    }
}

/// The send policy's refusal in the run log's words.
fn refusal_detail(rule: SendRule) -> String {
    match rule {
        SendRule::HumanLock => "human_owns_conversation".into(),
        other => other.as_str().into(),
    }
}

fn done_or_skipped(
    t: &Target<'_>,
    kind: T,
    outcome: closer_store::automations::Done,
) -> ActionResult {
    match outcome {
        Ok(what) => ActionResult::done(kind, would(t, what)),
        Err(why) => ActionResult::skipped(kind, why),
    }
}

async fn act(t: &Target<'_>, action: &Action) -> Result<ActionResult, StoreError> {
    let scope = t.store.org(t.org_id);
    let kind = action.kind();
    Ok(match action {
        Action::SendText { text } => send_text(t, text).await?,
        Action::SendTemplate {
            template_id,
            variables,
        } => send_template(t, *template_id, variables).await?,
        _ if t.dry_run => preview(t, action).await?,
        Action::AddTag { tag } => done_or_skipped(
            t,
            kind,
            scope
                .automation_add_tag(t.lead_id, t.conversation_id, tag)
                .await?,
        ),
        Action::RemoveTag { tag } => {
            done_or_skipped(t, kind, scope.automation_remove_tag(t.lead_id, tag).await?)
        }
        Action::SetStage { stage } => done_or_skipped(
            t,
            kind,
            scope
                .automation_set_stage(t.lead_id, *stage, t.rule.id)
                .await?,
        ),
        Action::SetField { key, value } => done_or_skipped(
            t,
            kind,
            scope
                .automation_set_field(t.lead_id, t.conversation_id, key, value.clone())
                .await?,
        ),
        Action::Assign { to } => {
            let user = match to {
                Assignee::User(id) => Some(*id),
                Assignee::RoundRobin => None,
            };
            let r = done_or_skipped(
                t,
                kind,
                scope.automation_assign(t.conversation_id, user).await?,
            );
            crate::announce::conversation_changed(t.store, t.org_id, [], t.conversation_id).await;
            r
        }
        Action::AddNote { text } => done_or_skipped(
            t,
            kind,
            scope
                .automation_add_note(t.lead_id, &t.rule.name, text)
                .await?,
        ),
        Action::PauseBot => {
            let r = done_or_skipped(
                t,
                kind,
                scope
                    .automation_pause_bot(t.lead_id, t.conversation_id)
                    .await?,
            );
            crate::announce::conversation_changed(t.store, t.org_id, [], t.conversation_id).await;
            r
        }
        Action::StartSequence { sequence_id } => start_sequence(t, *sequence_id).await,
        Action::StopSequence => stop_sequence(t).await,
        Action::Webhook { url } => webhook(t, url).await,
    })
}

/// What a CRM action would do, without doing it (the dry run).
async fn preview(t: &Target<'_>, action: &Action) -> Result<ActionResult, StoreError> {
    let kind = action.kind();
    Ok(match action {
        Action::AddTag { tag } => ActionResult::done(kind, format!("would tag {tag}")),
        Action::RemoveTag { tag } => ActionResult::done(kind, format!("would untag {tag}")),
        Action::SetStage { stage } => ActionResult::done(kind, format!("would move to {stage}")),
        Action::SetField { key, value } => {
            ActionResult::done(kind, format!("would set {key} = {value}"))
        }
        Action::Assign { to } => match to {
            Assignee::User(id) => ActionResult::done(kind, format!("would assign to {id}")),
            Assignee::RoundRobin => ActionResult::done(
                kind,
                "would assign to the member with the fewest open conversations",
            ),
        },
        Action::AddNote { .. } => ActionResult::done(kind, "would add a note"),
        Action::PauseBot => ActionResult::done(kind, "would pause the bot"),
        Action::StartSequence { sequence_id } => start_sequence(t, *sequence_id).await,
        Action::StopSequence => stop_sequence(t).await,
        Action::Webhook { url } => ActionResult::done(kind, format!("would POST to {url}")),
        Action::SendText { .. } | Action::SendTemplate { .. } => {
            unreachable!("sends preview themselves")
        }
    })
}

async fn send_text(t: &Target<'_>, text: &str) -> Result<ActionResult, StoreError> {
    let scope = t.store.org(t.org_id);
    match scope
        .automation_send_text(t.conversation_id, text, t.dry_run)
        .await?
    {
        Err(refused) => Ok(ActionResult::skipped(
            T::SendText,
            refusal_detail(refused.rule),
        )),
        Ok(None) => Ok(ActionResult::done(T::SendText, "would send the text")),
        Ok(Some(message_id)) => {
            t.store.wake_workers().await;
            crate::announce::message_sent(t.store, t.org_id, t.conversation_id, message_id, false)
                .await;
            Ok(ActionResult::done(
                T::SendText,
                format!("queued message {message_id}"),
            ))
        }
    }
}

async fn send_template(
    t: &Target<'_>,
    template_id: Uuid,
    variables: &std::collections::BTreeMap<String, String>,
) -> Result<ActionResult, StoreError> {
    let scope = t.store.org(t.org_id);
    if t.dry_run {
        let template = match scope.template(template_id).await {
            Ok(tpl) => tpl,
            Err(StoreError::NotFound) => {
                return Ok(ActionResult::skipped(T::SendTemplate, "template_not_found"));
            }
            Err(e) => return Err(e),
        };
        let conv = scope.conversation(t.conversation_id).await?;
        let lead = scope.lead(t.lead_id).await?;
        let detail = if lead.opted_out {
            Some("opted_out".to_owned())
        } else if !conv.mode.bot_may_reply() {
            Some("human_owns_conversation".to_owned())
        } else if template.status != closer_domain::templates::TemplateStatus::Approved {
            Some(format!("template_{}", template.status))
        } else {
            None
        };
        return Ok(match detail {
            Some(d) => ActionResult::skipped(T::SendTemplate, d),
            None => ActionResult::done(
                T::SendTemplate,
                format!("would send template {}", template.content.name),
            ),
        });
    }
    let sent = scope
        .queue_template_send(
            Sender::Automation,
            None,
            t.conversation_id,
            template_id,
            variables,
        )
        .await;
    Ok(match sent {
        Ok(reply) => {
            t.store.wake_workers().await;
            crate::announce::message_sent(
                t.store,
                t.org_id,
                t.conversation_id,
                reply.message.id,
                false,
            )
            .await;
            ActionResult::done(
                T::SendTemplate,
                format!("queued message {}", reply.message.id),
            )
        }
        Err(StoreError::SendRefused { refused, .. }) => {
            ActionResult::skipped(T::SendTemplate, refusal_detail(refused.rule))
        }
        Err(StoreError::NotFound) => ActionResult::skipped(T::SendTemplate, "template_not_found"),
        Err(StoreError::Template(e)) => ActionResult::failed(T::SendTemplate, e.to_string()),
        Err(e) => return Err(e),
    })
}

/// Enrols the lead in a drip sequence (a new enrolment stops the one before: `replaced`).
async fn start_sequence(t: &Target<'_>, sequence_id: Uuid) -> ActionResult {
    let kind = T::StartSequence;
    if t.dry_run {
        return ActionResult::done(
            kind,
            format!("would enrol the lead in sequence {sequence_id}"),
        );
    }
    let scope = t.store.org(t.org_id);
    match scope.automation_enroll(sequence_id, t.lead_id).await {
        Ok(out) => {
            let changes: Vec<_> = out.replaced.iter().chain(&out.enrolled).cloned().collect();
            crate::routes::sequences::announce_enrollments(t.store, t.org_id, &changes).await;
            match out.skipped.first() {
                Some(s) => ActionResult::skipped(kind, s.reason.as_str()),
                None => ActionResult::done(kind, format!("enrolled in sequence {sequence_id}")),
            }
        }
        Err(StoreError::NotFound) => ActionResult::failed(kind, "the sequence is gone"),
        Err(e) => ActionResult::failed(kind, e.to_string()),
    }
}

/// Stops the lead's active drip sequence, if any.
async fn stop_sequence(t: &Target<'_>) -> ActionResult {
    let kind = T::StopSequence;
    if t.dry_run {
        return ActionResult::done(kind, "would stop the lead's sequence");
    }
    match t
        .store
        .org(t.org_id)
        .automation_stop_sequence(t.lead_id)
        .await
    {
        Ok(Some(change)) => {
            crate::routes::sequences::announce_enrollments(t.store, t.org_id, &[change]).await;
            ActionResult::done(kind, "stopped")
        }
        Ok(None) => ActionResult::skipped(kind, "no active sequence"),
        Err(e) => ActionResult::failed(kind, e.to_string()),
    }
}

const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// POSTs the run as JSON to the rule's URL, through the egress guard (no private addresses
/// unless the operator allowed them).
async fn webhook(t: &Target<'_>, url: &str) -> ActionResult {
    let Some(egress) = t.egress else {
        return ActionResult::skipped(T::Webhook, "no egress");
    };
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return ActionResult::failed(T::Webhook, "not a URL");
    };
    if let Err(refused) = egress.check_url(&parsed) {
        return ActionResult::failed(T::Webhook, refused.to_string());
    }
    let client = match egress.client_builder().timeout(WEBHOOK_TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => return ActionResult::failed(T::Webhook, e.to_string()),
    };
    let body = json!({
        "event": "automation.run",
        "rule": { "id": t.rule.id, "name": t.rule.name, "event": t.rule.event },
        "run_id": t.run_id,
        "lead_id": t.lead_id,
        "conversation_id": t.conversation_id,
        "at": chrono::Utc::now(),
    });
    match client.post(parsed).json(&body).send().await {
        Ok(r) if r.status().is_success() => {
            ActionResult::done(T::Webhook, format!("HTTP {}", r.status().as_u16()))
        }
        Ok(r) => ActionResult::failed(T::Webhook, format!("HTTP {}", r.status().as_u16())),
        Err(e) => {
            let why = closer_egress::refusal(&e)
                .map(|r| r.to_string())
                .unwrap_or_else(|| "the request failed".into());
            ActionResult::failed(T::Webhook, why)
        }
    }
}

/// The dry run: which conditions would match now and what each action would do.
pub async fn dry_run(
    store: &Store,
    org_id: Uuid,
    rule: &AutomationRecord,
    conversation_id: Uuid,
    message_text: Option<String>,
) -> Result<(bool, Vec<ConditionResult>, Vec<ActionResult>), StoreError> {
    let scope = store.org(org_id);
    let (lead_id, facts) = scope
        .automation_facts(conversation_id, &json!({}), message_text)
        .await?;
    let (matched, conditions) = check_conditions(&scope, rule, &facts).await?;
    let target = Target {
        store,
        egress: None,
        org_id,
        rule,
        run_id: None,
        lead_id,
        conversation_id,
        dry_run: true,
    };
    let actions = execute(&target).await;
    Ok((matched, conditions, actions))
}
