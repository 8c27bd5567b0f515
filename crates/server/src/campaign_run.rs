//! A campaign on its way: the `campaign_send` job sends its due recipients one by one for up
//! to [`SLICE`], each in a slot of the shared pace, each claimed (and committed) before the
//! Graph call that carries its id as `biz_opaque_callback_data`. Meta's answers are routed by
//! `closer_domain::campaigns::route_error`. Then it queues its own next run and ends, so a
//! restart, a crash or another replica picks the campaign up where it stopped; the job key
//! (the campaign) lets one replica at a time send it.

use crate::media::SharedMediaStore;
use crate::outbound::{self, MessageBody};
use crate::worker::JobFailure;
use chrono::Utc;
use closer_domain::campaigns::{
    CampaignStatus, ErrorRoute, PausedReason, RecipientCounts, route_error,
};
use closer_domain::messaging::NumberStatus;
use closer_domain::templates::TemplateStatus;
use closer_store::campaigns::{CampaignRecord, Claim, ClaimedSend, SendOutcome, SlotAnswer};
use closer_store::events::RealtimeEvent;
use closer_store::{OrgScope, Store};
use closer_whatsapp::GraphClient;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long one job sends before it hands over to its next run.
const SLICE: Duration = Duration::from_secs(20);
/// Recipients read per look at the queue.
const BATCH: u64 = 50;
/// Waits longer than this end the job (its next run is queued for then) rather than hold a
/// worker.
const LONGEST_WAIT: Duration = Duration::from_secs(2);

pub struct CampaignSender<'a> {
    pub store: &'a Store,
    pub graph: &'a GraphClient,
    pub files: &'a SharedMediaStore,
}

/// `campaign:updated` with the campaign as it is now.
pub async fn announce_updated(store: &Store, org_id: Uuid, campaign_id: Uuid) {
    if let Ok(c) = store.org(org_id).campaign(campaign_id).await {
        let event = RealtimeEvent::CampaignUpdated {
            campaign: c.as_ref(),
        };
        crate::announce::publish(store, org_id, vec![event]).await;
    }
}

/// `campaign:progress`: its counts and send rate.
pub async fn announce_progress(store: &Store, org_id: Uuid, campaign_id: Uuid) {
    let scope = store.org(org_id);
    let (Ok(c), Ok(counts), Ok(rate)) = (
        scope.campaign(campaign_id).await,
        scope.recipient_counts(campaign_id).await,
        scope.sends_per_second(campaign_id).await,
    ) else {
        return;
    };
    let event = progress(&c, counts, rate);
    crate::announce::publish(store, org_id, vec![event]).await;
}

fn progress(c: &CampaignRecord, counts: RecipientCounts, rate: f64) -> RealtimeEvent {
    RealtimeEvent::CampaignProgress {
        campaign_id: c.id,
        status: c.status,
        counts,
        sends_per_second: rate,
    }
}

/// Why the slice stopped.
enum Stop {
    /// Nothing more to do now (the next run is queued if there is more later).
    Done,
    /// The campaign is no longer running.
    NotRunning,
}

impl CampaignSender<'_> {
    pub async fn run(&self, org_id: Uuid, campaign_id: Uuid) -> Result<(), JobFailure> {
        let scope = self.store.org(org_id);
        let c = match scope.campaign(campaign_id).await {
            Ok(c) => c,
            Err(closer_store::StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        match c.status {
            CampaignStatus::Scheduled => {
                if scope.campaign_due(campaign_id).await? {
                    announce_updated(self.store, org_id, campaign_id).await;
                }
            }
            CampaignStatus::Running => {}
            _ => return Ok(()),
        }
        let started = Instant::now();
        let outcome = self.slice(&scope, campaign_id, started).await;
        announce_progress(self.store, org_id, campaign_id).await;
        match outcome? {
            Stop::NotRunning => Ok(()),
            Stop::Done => {
                if scope.complete_if_done(campaign_id).await? {
                    announce_updated(self.store, org_id, campaign_id).await;
                } else if let Some(next) = scope.next_send_due(campaign_id).await? {
                    scope.schedule_sender(campaign_id, next).await?;
                }
                Ok(())
            }
        }
    }

    /// Sends for up to [`SLICE`].
    async fn slice(
        &self,
        scope: &OrgScope<'_>,
        campaign_id: Uuid,
        started: Instant,
    ) -> Result<Stop, JobFailure> {
        let mut announced = Instant::now();
        while started.elapsed() < SLICE {
            let c = scope.campaign(campaign_id).await?;
            if c.status != CampaignStatus::Running {
                return Ok(Stop::NotRunning);
            }
            scope.expire_lapsed_claims(campaign_id).await?;
            let Some(number) = self.ready(scope, &c).await? else {
                return Ok(Stop::NotRunning);
            };
            let due = scope.due_recipients(campaign_id, BATCH).await?;
            if due.is_empty() {
                match scope.next_send_due(campaign_id).await? {
                    Some(at) if at - Utc::now() < chrono::Duration::seconds(2) => {
                        sleep_until(at).await;
                        continue;
                    }
                    _ => return Ok(Stop::Done),
                }
            }
            let template = scope.template(c.template_id.unwrap_or_default()).await?;
            for recipient_id in due {
                if started.elapsed() >= SLICE {
                    break;
                }
                let Some(pace) = self.wait_for_slot(scope, &c, &number).await? else {
                    return Ok(Stop::Done);
                };
                // A pause takes effect before the next send (within the 2 s API.md allows).
                if scope.campaign(campaign_id).await?.status != CampaignStatus::Running {
                    return Ok(Stop::NotRunning);
                }
                match scope.claim_send(&c, &template, recipient_id).await? {
                    Claim::Send(s) => {
                        let outcome = self.send(scope, &c, &s, &number, pace).await?;
                        if let SendOutcome::Paused(_) = outcome {
                            announce_updated(self.store, scope.org_id(), c.id).await;
                            return Ok(Stop::NotRunning);
                        }
                    }
                    Claim::OverLimit(until) => {
                        // The rest waits for budget too; the next run is queued for then.
                        let waiting = scope.wait_for_budget(c.id, until).await?;
                        tracing::info!(campaign = %c.id, waiting, %until,
                            "messaging limit full: recipients wait for budget");
                        return Ok(Stop::Done);
                    }
                    Claim::Requeued(_) | Claim::Skipped(_) | Claim::Lost => {}
                }
                if announced.elapsed() >= Duration::from_secs(1) {
                    announce_progress(self.store, scope.org_id(), c.id).await;
                    announced = Instant::now();
                }
            }
        }
        Ok(Stop::Done)
    }

    /// The number this campaign sends from, once the template and the connection allow it;
    /// otherwise the campaign pauses with the reason and `None`.
    async fn ready(
        &self,
        scope: &OrgScope<'_>,
        c: &CampaignRecord,
    ) -> Result<Option<String>, JobFailure> {
        let template = match c.template_id {
            Some(id) => scope.template(id).await.ok(),
            None => None,
        };
        let paused = match template.as_ref().map(|t| t.status) {
            Some(TemplateStatus::Approved) => None,
            Some(TemplateStatus::Disabled) => Some(PausedReason::TemplateDisabled),
            _ => Some(PausedReason::TemplatePaused),
        };
        let account = scope.whatsapp().await?;
        let number = account
            .filter(|a| a.status == NumberStatus::Connected)
            .map(|a| a.phone_number_id);
        let paused = paused.or(number
            .is_none()
            .then_some(PausedReason::WhatsappDisconnected));
        if let Some(why) = paused {
            if scope.pause_campaign_for(c.id, why).await? {
                announce_updated(self.store, scope.org_id(), c.id).await;
            }
            return Ok(None);
        }
        Ok(number)
    }

    /// Waits for the next slot of the campaign's and the number's pace. `None`: the wait is
    /// long (the number is paused after a throughput error): the next run is queued for then.
    async fn wait_for_slot(
        &self,
        scope: &OrgScope<'_>,
        c: &CampaignRecord,
        number: &str,
    ) -> Result<Option<closer_domain::campaigns::NumberPace>, JobFailure> {
        loop {
            let answer = scope
                .take_send_slot(c.id, c.pacing.rate_per_second, number)
                .await?;
            let now_ms = Utc::now().timestamp_millis();
            match answer {
                SlotAnswer::Go { at_ms, pace } => {
                    if at_ms > now_ms {
                        tokio::time::sleep(Duration::from_millis((at_ms - now_ms) as u64)).await;
                    }
                    return Ok(Some(pace));
                }
                SlotAnswer::Wait { until_ms } => {
                    let wait = Duration::from_millis(until_ms.saturating_sub(now_ms).max(1) as u64);
                    if wait > LONGEST_WAIT {
                        let at = chrono::DateTime::from_timestamp_millis(until_ms)
                            .unwrap_or_else(Utc::now);
                        scope.schedule_sender(c.id, at).await?;
                        return Ok(None);
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One send through the one channel, and its outcome recorded.
    async fn send(
        &self,
        scope: &OrgScope<'_>,
        c: &CampaignRecord,
        s: &ClaimedSend,
        number: &str,
        pace: closer_domain::campaigns::NumberPace,
    ) -> Result<SendOutcome, JobFailure> {
        let channel = outbound::channel_for(s.task.channel, self.store, self.graph, self.files);
        let body = MessageBody::of(&s.task);
        match channel.deliver(&s.task, &body).await {
            Ok(accepted) => {
                scope
                    .record_campaign_sent(c, s, &accepted.provider_message_id)
                    .await?;
                scope.number_recovered(number, pace).await?;
                crate::announce::message_sent(
                    self.store,
                    scope.org_id(),
                    s.conversation_id,
                    s.task.message_id,
                    false,
                )
                .await;
                Ok(SendOutcome::Sent)
            }
            Err(failure) => {
                let route = route_error(failure.code, s.attempts, s.cap_retries, c.retry);
                if route == ErrorRoute::NumberThrottled {
                    scope.number_throttled(number).await?;
                }
                tracing::info!(campaign = %c.id, recipient = %s.recipient_id,
                    code = ?failure.code, route = ?route, "campaign send refused");
                Ok(scope
                    .record_campaign_refused(c, s, route, failure.code, &failure.title)
                    .await?)
            }
        }
    }
}

async fn sleep_until(at: chrono::DateTime<Utc>) {
    if let Ok(wait) = (at - Utc::now()).to_std() {
        tokio::time::sleep(wait).await;
    }
}
