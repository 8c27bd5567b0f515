//! Workers: claim due jobs, run them, record the outcome; and the scheduler, which one
//! replica at a time (the leader) runs for the timed housekeeping of the queue.
//!
//! A worker sleeps until the next job falls due, or until it is woken (a job was queued here,
//! or NOTIFY said so from another replica), and polls every few seconds besides, so a lost
//! wake-up only costs latency.

use crate::announce;
use crate::llm_provider::ModelCache;
use crate::outbound::{self, MessageBody};
use closer_agent::Trigger;
use closer_domain::messaging::DeliveryStatus;
use closer_domain::work::{ActionKind, JobKind, surge_rest, worker_slots};
use closer_store::Store;
use closer_store::actions::NewAction;
use closer_store::jobs::{ClaimedJob, JobPayload, Retry};
use closer_store::replies::SendTask;
use closer_whatsapp::GraphClient;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

/// Longest an idle worker sleeps without looking at the queue.
const POLL: Duration = Duration::from_secs(3);
/// How often a worker held back by a surge looks whether it passed.
const SURGE_RECHECK: Duration = Duration::from_millis(250);
const SCHEDULER_TICK: Duration = Duration::from_secs(5);
const FINISHED_JOBS_KEPT_DAYS: i64 = 7;

#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Where inbound files are kept.
    pub media: crate::media::SharedMediaStore,
    /// Jobs one process runs at once.
    pub concurrency: usize,
    /// How long a claimed job is ours without a heartbeat; after that the scheduler gives it
    /// to another worker.
    pub lease: Duration,
    /// What the website scan, the mail servers and the push services may reach.
    pub egress: closer_egress::EgressPolicy,
    /// Where notification emails link to.
    pub links: crate::notify::Links,
}

/// What a job's run came to, short of success.
#[derive(Debug)]
pub struct JobFailure {
    pub error: String,
    pub retryable: bool,
}

impl JobFailure {
    pub(crate) fn permanent(error: impl Into<String>) -> Self {
        JobFailure {
            error: error.into(),
            retryable: false,
        }
    }
    pub(crate) fn retry(error: impl Into<String>) -> Self {
        JobFailure {
            error: error.into(),
            retryable: true,
        }
    }
}

impl From<closer_store::StoreError> for JobFailure {
    fn from(e: closer_store::StoreError) -> Self {
        // A database hiccup is worth another attempt; a missing row is not.
        match e {
            closer_store::StoreError::NotFound => JobFailure::permanent("the record is gone"),
            other => JobFailure::retry(other.to_string()),
        }
    }
}

#[derive(Clone)]
struct Runner {
    store: Store,
    graph: GraphClient,
    models: Arc<ModelCache>,
    config: WorkerConfig,
    id: String,
    /// Website scans this process is running. One takes up to a minute, so at most
    /// [`SCANS_AT_ONCE`] run at a time: scans never crowd the agent's replies out of the slots.
    scans: Arc<AtomicUsize>,
}

const SCANS_AT_ONCE: usize = 1;

/// Starts the workers and the scheduler; they stop when `shutdown` turns true, letting
/// running jobs finish.
pub fn spawn(
    store: Store,
    graph: GraphClient,
    models: Arc<ModelCache>,
    config: WorkerConfig,
    shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let id = format!(
        "{}-{}",
        std::process::id(),
        &Uuid::now_v7().simple().to_string()[20..]
    );
    let runner = Runner {
        store,
        graph,
        models,
        config,
        id,
        scans: Arc::default(),
    };
    tokio::spawn(async move {
        let scheduler = tokio::spawn(schedule(runner.clone(), shutdown.clone()));
        work(runner, shutdown).await;
        scheduler.abort();
    })
}

async fn work(runner: Runner, mut shutdown: watch::Receiver<bool>) {
    let mut running = JoinSet::new();
    while !*shutdown.borrow() {
        let concurrency = runner.config.concurrency;
        let slots = worker_slots(concurrency, runner.store.ingest_surging());
        let free = slots.saturating_sub(running.len());
        if free == 0 {
            // Every slot is taken: wait for a job to end, or for a surge to pass. (Looking at
            // the queue again at once spun on it while jobs were due.)
            tokio::select! {
                Some(_) = running.join_next(), if !running.is_empty() => {}
                _ = tokio::time::sleep(SURGE_RECHECK), if slots < concurrency => {}
                _ = shutdown.changed() => {}
            }
            continue;
        }
        let mut claimed = 0;
        let lease = chrono::Duration::from_std(runner.config.lease).expect("lease fits");
        let skip = (runner.scans.load(Ordering::SeqCst) >= SCANS_AT_ONCE)
            .then_some(JobKind::KnowledgeScan);
        match runner
            .store
            .claim_due_jobs(&runner.id, free as u64, lease, skip)
            .await
        {
            Ok(jobs) => {
                claimed = jobs.len();
                for job in jobs {
                    let scan = matches!(job.payload, Ok(JobPayload::KnowledgeScan { .. }));
                    if scan {
                        runner.scans.fetch_add(1, Ordering::SeqCst);
                    }
                    let r = runner.clone();
                    running.spawn(async move {
                        let scans = Arc::clone(&r.scans);
                        let (store, started) = (r.store.clone(), std::time::Instant::now());
                        r.run(job).await;
                        if scan {
                            scans.fetch_sub(1, Ordering::SeqCst);
                        }
                        // In a surge the slot rests before its next job: the webhooks get
                        // the cores.
                        if store.ingest_surging() {
                            tokio::time::sleep(surge_rest(started.elapsed())).await;
                        }
                    });
                }
            }
            Err(err) => tracing::warn!(error = %err, "could not claim jobs"),
        }
        if claimed == free {
            // Busy: the top of the loop waits for room.
            continue;
        }
        let wait = match runner.store.next_job_due().await {
            Ok(Some(at)) => (at - chrono::Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
                .min(POLL),
            Ok(None) => POLL,
            Err(_) => POLL,
        };
        if wait.is_zero() && claimed == 0 {
            // Due jobs that cannot be claimed yet (their conversation is busy): don't spin.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = runner.store.jobs_woken() => {}
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = shutdown.changed() => {}
        }
    }
    // Let running jobs finish; a job cut short is reclaimed after its lease.
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        while running.join_next().await.is_some() {}
    })
    .await;
}

/// The leader's duties: put jobs of vanished workers back in the queue, forget old finished
/// jobs. Every replica runs this loop; only the lease holder acts.
async fn schedule(runner: Runner, shutdown: watch::Receiver<bool>) {
    let ttl = chrono::Duration::seconds(15);
    let mut ticks: u64 = 0;
    let mut digests_planned = std::collections::HashSet::new();
    while !*shutdown.borrow() {
        match runner.store.try_lead("scheduler", &runner.id, ttl).await {
            Ok(true) => {
                plan_digests(&runner.store, &mut digests_planned).await;
                match runner.store.reap_expired_leases().await {
                    Ok(0) => {}
                    Ok(n) => {
                        tracing::info!(jobs = n, "reclaimed jobs whose worker vanished");
                        runner.store.wake_workers().await;
                    }
                    Err(err) => tracing::warn!(error = %err, "could not reap leases"),
                }
                if ticks.is_multiple_of(720) {
                    let age = chrono::Duration::days(FINISHED_JOBS_KEPT_DAYS);
                    if let Err(err) = runner.store.purge_finished_jobs(age).await {
                        tracing::warn!(error = %err, "could not purge finished jobs");
                    }
                }
            }
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "leader election failed"),
        }
        ticks += 1;
        tokio::time::sleep(SCHEDULER_TICK).await;
    }
}

/// The daily digests that fell due since the last tick. The database keeps each member's
/// digest to once a day; `planned` only spares the queries for organisations this process
/// planned already today.
async fn plan_digests(
    store: &Store,
    planned: &mut std::collections::HashSet<(Uuid, chrono::NaiveDate)>,
) {
    let now = chrono::Utc::now();
    match store.plan_daily_digests(now, planned).await {
        Ok(new) if !new.is_empty() => {
            planned.extend(new);
            store.wake_workers().await;
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "could not plan the daily digests"),
    }
    let yesterday = now.date_naive() - chrono::Duration::days(2);
    planned.retain(|(_, day)| *day >= yesterday);
}

impl Runner {
    async fn run(self, job: ClaimedJob) {
        let heartbeat = {
            let (store, job, lease) = (self.store.clone(), job.clone(), self.config.lease);
            tokio::spawn(async move {
                let every = lease / 3;
                let lease = chrono::Duration::from_std(lease).expect("lease fits");
                loop {
                    tokio::time::sleep(every).await;
                    if !matches!(store.extend_lease(&job, lease).await, Ok(true)) {
                        break;
                    }
                }
            })
        };
        let outcome = self.execute(&job).await;
        heartbeat.abort();
        let recorded = match &outcome {
            Ok(()) => self.store.complete_job(&job).await.map(|done| {
                if !done {
                    tracing::warn!(job = %job.id, "finished a job whose lease was lost");
                }
                None
            }),
            Err(failure) => self
                .store
                .fail_job(&job, &failure.error, failure.retryable)
                .await
                .map(|retry| {
                    let kind = job
                        .payload
                        .as_ref()
                        .map(|p| p.kind().as_str())
                        .unwrap_or("unreadable");
                    tracing::warn!(job = %job.id, kind, attempt = job.attempt,
                        error = %failure.error, outcome = ?retry, "job failed");
                    if let Retry::Dead = retry {
                        tracing::error!(job = %job.id, kind, "job is dead");
                    }
                    Some(retry)
                }),
        };
        match recorded {
            Ok(Some(Retry::Dead)) => self.job_died(&job, outcome.err()).await,
            Ok(_) => {}
            Err(err) => {
                tracing::error!(job = %job.id, error = %err, "could not record a job's outcome")
            }
        }
    }

    /// What a dead job leaves behind says so: an import out of attempts is `failed` with the
    /// reason, not `running` for ever.
    async fn job_died(&self, job: &ClaimedJob, failure: Option<JobFailure>) {
        if let Ok(JobPayload::MediaFetch { media_id }) = &job.payload {
            let why = failure
                .as_ref()
                .map(|f| f.error.clone())
                .unwrap_or_default();
            crate::media::fetch::gave_up(&self.store, job.org_id, *media_id, &why).await;
        }
        if let Ok(JobPayload::AgentTestRun { run_id }) = &job.payload {
            let why = failure
                .as_ref()
                .map(|f| f.error.clone())
                .unwrap_or_default();
            let scope = self.store.org(job.org_id);
            if let Err(err) = scope.fail_agent_test_run(*run_id, &why).await {
                tracing::error!(job = %job.id, error = %err, "could not mark the test run failed");
            }
        }
        if let Ok(JobPayload::LeadImport { import_id }) = &job.payload {
            let why = failure.map(|f| f.error).unwrap_or_default();
            if let Err(err) = self
                .store
                .org(job.org_id)
                .give_up_import(*import_id, &why)
                .await
            {
                tracing::error!(job = %job.id, error = %err, "could not mark the import failed");
            }
        }
    }

    async fn execute(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        match &job.payload {
            Ok(JobPayload::ProcessConversation) => self.process_conversation(job).await,
            Ok(JobPayload::SendMessage { message_id }) => self.send_message(job, *message_id).await,
            Ok(JobPayload::Followup { .. }) => self.followup(job).await,
            Ok(JobPayload::KnowledgeScan { scan_id }) => self.knowledge_scan(job, *scan_id).await,
            Ok(JobPayload::FollowupDue { followup_id }) => {
                crate::followup_run::execute(&self.store, &self.models, job.org_id, *followup_id)
                    .await
                    .map_err(JobFailure::from)
            }
            Ok(JobPayload::LeadImport { import_id }) => {
                let done = self.store.org(job.org_id).run_import(*import_id).await;
                crate::announce::leads_bulk(&self.store, job.org_id).await;
                done.map_err(JobFailure::from)
            }
            Ok(JobPayload::LeadBulk { bulk_id }) => {
                crate::routes::lead_data::run_bulk_job(&self.store, job.org_id, *bulk_id)
                    .await
                    .map_err(JobFailure::retry)
            }
            Ok(JobPayload::DeliverNotification { delivery_id }) => {
                let c = &self.config;
                let last = job.attempt >= job.max_attempts;
                crate::notify::deliver(
                    &self.store,
                    &c.egress,
                    &c.links,
                    job.org_id,
                    *delivery_id,
                    last,
                )
                .await
            }
            Ok(JobPayload::MediaFetch { media_id }) => {
                let fetcher = crate::media::fetch::Fetcher {
                    store: &self.store,
                    graph: &self.graph,
                    files: &self.config.media,
                    egress: &self.config.egress,
                };
                let last = job.attempt >= job.max_attempts;
                fetcher.run(job.org_id, *media_id, last).await
            }
            Ok(JobPayload::AgentTestRun { run_id }) => {
                crate::agent_tests_run::execute(&self.store, &self.models, job.org_id, *run_id)
                    .await
            }
            Ok(JobPayload::CampaignSend { campaign_id }) => {
                let sender = crate::campaign_run::CampaignSender {
                    store: &self.store,
                    graph: &self.graph,
                    files: &self.config.media,
                };
                sender.run(job.org_id, *campaign_id).await
            }
            Ok(JobPayload::AutomationEvent {
                activity_id,
                rule_id,
            }) => {
                let egress = &self.config.egress;
                crate::automation_run::on_event(
                    &self.store,
                    egress,
                    job.org_id,
                    *activity_id,
                    *rule_id,
                )
                .await
            }
            Ok(JobPayload::AutomationRun { run_id }) => {
                let egress = &self.config.egress;
                crate::automation_run::on_due(&self.store, egress, job.org_id, *run_id).await
            }
            Ok(JobPayload::SequenceStep {
                enrollment_id,
                step,
            }) => crate::sequence_run::execute(&self.store, job.org_id, *enrollment_id, *step)
                .await
                .map_err(JobFailure::from),
            Ok(JobPayload::DailyDigest { digest_id }) => {
                let org = self.store.org(job.org_id);
                let notified = org.send_daily_digest(*digest_id).await?;
                announce::notified(&self.store, job.org_id, &notified).await;
                Ok(())
            }
            Ok(JobPayload::MediaErase { storage_keys }) => {
                for key in storage_keys {
                    self.config.media.delete(key).await.map_err(|e| {
                        JobFailure::retry(format!("the media store kept a file: {e}"))
                    })?;
                }
                Ok(())
            }
            Err(unreadable) => Err(JobFailure::permanent(unreadable.clone())),
        }
    }

    /// The agent thinks about the lead's new messages and acts (one job per conversation at
    /// a time: the claim serialises them).
    async fn process_conversation(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        let conversation_id = job
            .conversation_id
            .ok_or_else(|| JobFailure::permanent("a processing job needs a conversation"))?;
        crate::agent_run::run(
            &self.store,
            &self.models,
            job.org_id,
            conversation_id,
            Trigger::LeadMessage,
        )
        .await?;
        Ok(())
    }

    /// A follow-up check queued by an older version (one per decision). Follow-ups are rows
    /// with their own `followup_due` jobs now, planned and re-checked by `followup_run`: the
    /// old check is finished without a word so it cannot nudge the lead unplanned.
    async fn followup(&self, job: &ClaimedJob) -> Result<(), JobFailure> {
        tracing::debug!(job = %job.id, "legacy follow-up check retired");
        Ok(())
    }

    /// A website scan for the knowledge base. A failed crawl is the scan's outcome (recorded
    /// on it), not the job's; only a store error retries.
    async fn knowledge_scan(&self, job: &ClaimedJob, scan_id: Uuid) -> Result<(), JobFailure> {
        let policy = crate::website_scan::ScanPolicy {
            egress: self.config.egress.clone(),
            ..Default::default()
        };
        crate::website_scan::run(&self.store, job.org_id, scan_id, &policy).await?;
        Ok(())
    }

    /// One outbound message: to the simulator for sandbox conversations, to Meta otherwise.
    /// The provider is called at most once per message: a send an earlier attempt started and
    /// never recorded may have reached the lead, so it is marked failed instead of repeated.
    async fn send_message(&self, job: &ClaimedJob, message_id: Uuid) -> Result<(), JobFailure> {
        let task = self.store.send_task(job.org_id, message_id).await?;
        if task.status != DeliveryStatus::Queued {
            return Ok(());
        }
        if !task.deliverable {
            // The lead asked not to be messaged: nobody should chase them another way.
            return self
                .fail_message(
                    &task,
                    None,
                    "The lead opted out before this message went out; it was not sent.",
                    false,
                )
                .await;
        }
        if task.send_attempt.is_some_and(|a| a != job.attempt) {
            return self
                .fail_message(
                    &task,
                    None,
                    "The send was interrupted and may or may not have reached the lead; \
                     it was not repeated to avoid a duplicate.",
                    true,
                )
                .await;
        }
        let number = self.paced(&task).await?;
        if !self.store.begin_send(&task, job.attempt).await? {
            return Ok(());
        }
        let channel =
            outbound::channel_for(task.channel, &self.store, &self.graph, &self.config.media);
        match channel.deliver(&task, &MessageBody::of(&task)).await {
            Ok(accepted) => {
                if let Some((number, pace)) = &number {
                    self.store
                        .org(task.org_id)
                        .number_recovered(number, *pace)
                        .await?;
                }
                self.store
                    .record_sent(&task, &accepted.provider_message_id)
                    .await?;
                announce::status(&self.store, &task, DeliveryStatus::Sent).await;
                if accepted.delivered
                    && self
                        .store
                        .advance_status(&task, DeliveryStatus::Delivered)
                        .await?
                {
                    announce::status(&self.store, &task, DeliveryStatus::Delivered).await;
                }
                Ok(())
            }
            Err(failure) => {
                // Nothing went out: a later attempt may send it.
                self.store.send_not_made(&task).await?;
                if let Some((number, _)) = &number
                    && closer_domain::campaigns::is_throughput_error(failure.code)
                {
                    // Over the number's throughput: every sender of it slows down.
                    self.store.org(task.org_id).number_throttled(number).await?;
                }
                if failure.retryable && job.attempt < job.max_attempts {
                    return Err(JobFailure::retry(failure.title));
                }
                self.fail_message(&task, failure.code, &failure.title, true)
                    .await?;
                if failure.retryable {
                    // Out of attempts: the job goes dead so an admin sees it.
                    return Err(JobFailure::permanent(failure.title));
                }
                Ok(())
            }
        }
    }

    /// A template to WhatsApp waits for its slot in the number's pace (shared with campaigns
    /// and every other template of the number); the number and its pace as they were, for
    /// the outcome. Other messages (answers inside the window, the simulator) go at once.
    async fn paced(
        &self,
        task: &SendTask,
    ) -> Result<Option<(String, closer_domain::campaigns::NumberPace)>, JobFailure> {
        if task.template.is_none() || task.channel != closer_domain::messaging::Channel::Whatsapp {
            return Ok(None);
        }
        let scope = self.store.org(task.org_id);
        let Some(account) = scope.whatsapp().await? else {
            return Ok(None);
        };
        let number = account.phone_number_id;
        loop {
            let now_ms = chrono::Utc::now().timestamp_millis();
            match scope.take_number_slot(&number).await? {
                closer_store::campaigns::SlotAnswer::Go { at_ms, pace } => {
                    if at_ms > now_ms {
                        tokio::time::sleep(Duration::from_millis((at_ms - now_ms) as u64)).await;
                    }
                    return Ok(Some((number, pace)));
                }
                // Paused after a throughput error (at most a minute) or the pace is full:
                // the job's lease is kept alive meanwhile.
                closer_store::campaigns::SlotAnswer::Wait { until_ms } => {
                    let wait = until_ms.saturating_sub(now_ms).clamp(1, 60_000);
                    tokio::time::sleep(Duration::from_millis(wait as u64)).await;
                }
            }
        }
    }

    /// Marks the message failed; when `needs_person`, a `send_failed` action asks the team to
    /// reach the lead another way (once: only the call that marked it failed opens one).
    async fn fail_message(
        &self,
        task: &SendTask,
        code: Option<i64>,
        title: &str,
        needs_person: bool,
    ) -> Result<(), JobFailure> {
        let marked = self.store.record_send_failed(task, code, title).await?;
        announce::status(&self.store, task, DeliveryStatus::Failed).await;
        if marked && needs_person {
            let action_id = self
                .store
                .org(task.org_id)
                .open_action(NewAction {
                    conversation_id: task.conversation_id,
                    kind: ActionKind::SendFailed,
                    title: format!("A message could not be sent: {title}"),
                    details: serde_json::json!({
                        "message_id": task.message_id,
                        "error_code": code,
                        "error": title,
                    }),
                })
                .await?;
            announce::action_created(
                &self.store,
                task.org_id,
                action_id,
                ActionKind::SendFailed,
                task.conversation_id,
            )
            .await;
        }
        Ok(())
    }
}
