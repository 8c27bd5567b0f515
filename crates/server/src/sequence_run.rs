//! A drip sequence's step falling due for one lead (`sequence_step` job): the stop conditions
//! checked again, the step planned by the domain's rules, paced after our last message to the
//! lead, and its message queued through the one send path in the same transaction that moves
//! the enrolment on. Whatever it comes to is recorded on the enrolment; only a store error
//! fails the job (and retries, which finds the enrolment where the failure left it).

use chrono::Utc;
use closer_domain::messaging::ConversationMode;
use closer_domain::sequences::{
    RECIPIENT_GAP_SECONDS, StepAction, StepFacts, StopReason, paced_until, plan_step,
};
use closer_store::sequences::{EnrollmentChange, StepResult};
use closer_store::{Store, StoreError};
use uuid::Uuid;

async fn announce(store: &Store, org_id: Uuid, change: Option<EnrollmentChange>) {
    if let Some(c) = change {
        crate::routes::sequences::announce_enrollments(store, org_id, &[c]).await;
    }
}

/// Stops the enrolment before step `step` (if it is still there) and says so.
async fn stop_before(
    store: &Store,
    org_id: Uuid,
    enrollment_id: Uuid,
    step: i32,
    why: StopReason,
) -> Result<(), StoreError> {
    let done = store
        .org(org_id)
        .stop_at_step(enrollment_id, step, why)
        .await?;
    announce(store, org_id, done).await;
    Ok(())
}

pub async fn execute(
    store: &Store,
    org_id: Uuid,
    enrollment_id: Uuid,
    step: i32,
) -> Result<(), StoreError> {
    let scope = store.org(org_id);
    let Some(ctx) = scope.step_context(enrollment_id).await? else {
        return Ok(());
    };
    let e = &ctx.enrollment;
    if e.status != closer_domain::sequences::EnrollmentStatus::Active || e.step != step {
        // A late or repeated job: the enrolment moved on (or ended) without it.
        return Ok(());
    }
    let Some(this) = ctx.definition.steps.get(step as usize) else {
        // The owner removed steps since: nothing left to send.
        return stop_before(store, org_id, enrollment_id, step, StopReason::Manual).await;
    };
    for c in &ctx.definition.stop_conditions {
        if scope.stop_condition_holds(e.lead_id, c).await? {
            let why = c.outcome.stop_reason();
            return stop_before(store, org_id, enrollment_id, step, why).await;
        }
    }
    let (mode, window_open) = ctx
        .conversation
        .map(|(_, mode, open)| (mode, open))
        .unwrap_or((ConversationMode::Bot, false));
    let action = plan_step(
        this,
        StepFacts {
            opted_out: ctx.opted_out,
            human_owns: !mode.bot_may_reply(),
            window_open,
        },
    );
    if let StepAction::Stop(why) = action {
        return stop_before(store, org_id, enrollment_id, step, why).await;
    }
    if let Some(until) = paced_until(Utc::now(), ctx.last_ours, RECIPIENT_GAP_SECONDS) {
        // Our last message to the lead went moments ago: this one keeps the gap.
        return scope.postpone_step(enrollment_id, step, until).await;
    }
    let conversation_id = match ctx.conversation {
        Some((id, _, _)) => id,
        None => scope.conversation_for_step(e.lead_id).await?,
    };
    let prepared = scope.prepare_step(action, conversation_id).await?;
    let result = scope
        .take_step(enrollment_id, step, conversation_id, prepared)
        .await?;
    match result {
        StepResult::Stale => {}
        StepResult::Sent {
            message_id,
            conversation_id,
            change,
        } => {
            store.wake_workers().await;
            crate::announce::message_sent(store, org_id, conversation_id, message_id, false).await;
            announce(store, org_id, Some(change)).await;
        }
        StepResult::Skipped(why, change) => {
            tracing::info!(enrollment = %enrollment_id, step, reason = %why, "sequence step skipped");
            announce(store, org_id, Some(change)).await;
        }
        StepResult::Stopped(change) => announce(store, org_id, Some(change)).await,
    }
    Ok(())
}
