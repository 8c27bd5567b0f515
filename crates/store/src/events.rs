//! The event bus: what changed, told to every dashboard of the organisation on every replica.
//!
//! On SQLite (one process) events go straight to an in-process broadcast. On PostgreSQL they
//! go out with `NOTIFY` and come back through each replica's `LISTEN` connection, so a client
//! connected to replica A hears what a worker did on replica B. Payloads carry ids, not
//! records: a client fetches what it shows, and after a gap it refetches everything (`resync`).

use crate::{Backend, Store};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

const EVENTS_CHANNEL: &str = "closer_events";
const JOBS_CHANNEL: &str = "closer_jobs";
const REVOCATIONS_CHANNEL: &str = "closer_revocations";
/// Events a slow client may fall behind by before it is told to resync.
const BUFFER: usize = 1024;
/// Bytes of events per NOTIFY, under PostgreSQL's 8,000-byte payload limit.
const NOTIFY_BUDGET: usize = 7_000;

pub use closer_domain::realtime::RealtimeEvent;

/// One event for one organisation's dashboards. `org_id` nil means every organisation (only
/// `resync` uses it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub org_id: Uuid,
    pub event: RealtimeEvent,
}

impl Event {
    pub fn new(org_id: Uuid, event: RealtimeEvent) -> Self {
        Event { org_id, event }
    }

    pub fn resync() -> Self {
        Event::new(Uuid::nil(), RealtimeEvent::Resync {})
    }

    /// Whether a client of `org_id` should hear this.
    pub fn is_for(&self, org_id: Uuid) -> bool {
        self.org_id == org_id || self.org_id.is_nil()
    }
}

/// A server-internal signal, never sent to a browser: sessions ended, so every replica closes
/// the sockets they opened at once rather than at their next periodic re-check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Revocation {
    /// One session ended (sign-out, revoked from the sessions list).
    Session { org_id: Uuid, session_id: Uuid },
    /// Every session of a member ended (deactivated, removed).
    User { org_id: Uuid, user_id: Uuid },
}

impl Revocation {
    /// Whether a socket opened by this session of this member must close.
    pub fn ends(&self, org_id: Uuid, user_id: Uuid, session_id: Uuid) -> bool {
        match *self {
            Revocation::Session {
                org_id: o,
                session_id: s,
            } => o == org_id && s == session_id,
            Revocation::User {
                org_id: o,
                user_id: u,
            } => o == org_id && u == user_id,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Bus {
    events: broadcast::Sender<Event>,
    revocations: broadcast::Sender<Revocation>,
    jobs: Notify,
    /// On PostgreSQL, events on their way to NOTIFY (see [`Store::publish_all`]).
    outbox: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<Event>>,
}

impl Default for Bus {
    fn default() -> Self {
        Bus {
            events: broadcast::channel(BUFFER).0,
            revocations: broadcast::channel(BUFFER).0,
            jobs: Notify::new(),
            outbox: std::sync::OnceLock::new(),
        }
    }
}

/// Events one NOTIFY carries at most, whatever their size.
const NOTIFY_MAX_EVENTS: usize = 256;

impl Store {
    /// Hears every event published from now on (filter with [`Event::is_for`]).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.bus.events.subscribe()
    }

    /// Tells every dashboard of the organisation, on every replica. Call after the change
    /// committed. A lost event is not fatal: clients resync on reconnect.
    pub async fn publish(&self, event: Event) {
        self.publish_all(vec![event]).await
    }

    /// Publishes several events. On PostgreSQL they join the outbox: one task sends whatever
    /// has gathered as one NOTIFY per 8,000-byte payload, so a thousand webhooks a second
    /// cost a handful of NOTIFY transactions instead of a thousand, and the webhook does not
    /// wait for them. Order is kept.
    pub async fn publish_all(&self, events: Vec<Event>) {
        if self.backend() != Backend::Postgres {
            for event in events {
                let _ = self.bus.events.send(event);
            }
            return;
        }
        let outbox = self.bus.outbox.get_or_init(|| {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            tokio::spawn(run_outbox(
                self.db.clone(),
                std::sync::Arc::downgrade(&self.bus),
                rx,
            ));
            tx
        });
        for event in events {
            let _ = outbox.send(event);
        }
    }

    /// Hears every revocation from now on, from every replica.
    pub fn subscribe_revocations(&self) -> broadcast::Receiver<Revocation> {
        self.bus.revocations.subscribe()
    }

    /// Tells every replica that sessions ended. Call after the revocation committed. Sent at
    /// once (not through the events' outbox): a signed-out member must stop hearing the
    /// organisation now. Lost, it is caught by the sockets' periodic re-check.
    pub async fn publish_revocation(&self, revocation: Revocation) {
        if self.backend() == Backend::Postgres {
            let payload = serde_json::to_string(&revocation).unwrap_or_default();
            match notify(&self.db, REVOCATIONS_CHANNEL, &payload).await {
                // Our own LISTEN hears it too.
                Ok(()) => return,
                Err(err) => tracing::warn!(error = %err, "NOTIFY of a revocation failed"),
            }
        }
        let _ = self.bus.revocations.send(revocation);
    }

    /// Wakes this process's idle workers only: enough when the job is not due yet, since
    /// every worker looks at the queue again within a few seconds.
    pub fn wake_local_workers(&self) {
        self.bus.jobs.notify_waiters();
    }

    /// Wakes idle workers (here, and on PostgreSQL on every replica): a job became due.
    pub async fn wake_workers(&self) {
        self.bus.jobs.notify_waiters();
        if self.backend() == Backend::Postgres
            && let Err(err) = notify(&self.db, JOBS_CHANNEL, "").await
        {
            tracing::warn!(error = %err, "NOTIFY for workers failed; they poll");
        }
    }

    /// Resolves when [`Store::wake_workers`] is called anywhere.
    pub async fn jobs_woken(&self) {
        self.bus.jobs.notified().await
    }

    /// On PostgreSQL, listens for other replicas' events and wake-ups until the process ends.
    /// Returns once the first LISTEN is in place, so a replica never serves clients it could
    /// not tell about events. A dropped connection is reopened, and every client is told to
    /// resync for the gap.
    pub async fn start_listener(
        &self,
    ) -> Result<Option<tokio::task::JoinHandle<()>>, sea_orm::sqlx::Error> {
        if self.backend() != Backend::Postgres {
            return Ok(None);
        }
        let url = self.url.expose().to_owned();
        let bus = self.bus.clone();
        let mut listener = Some(listen(&url).await?);
        Ok(Some(tokio::spawn(async move {
            loop {
                let current = match listener.take() {
                    Some(l) => l,
                    None => match listen(&url).await {
                        Ok(l) => {
                            // Anything published while we were away is unknown to our clients.
                            let _ = bus.events.send(Event::resync());
                            bus.jobs.notify_waiters();
                            l
                        }
                        Err(err) => {
                            tracing::warn!(error = %err, "cannot reopen the event listener");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            continue;
                        }
                    },
                };
                if let Err(err) = pump(current, &bus).await {
                    tracing::warn!(error = %err, "event listener lost its connection; reopening");
                }
            }
        })))
    }
}

/// Sends the outbox's events until the bus is gone. It holds the bus only weakly, so the
/// store going away ends it.
async fn run_outbox(
    db: sea_orm::DatabaseConnection,
    bus: std::sync::Weak<Bus>,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Event>,
) {
    while let Some(first) = rx.recv().await {
        let mut events = vec![first];
        while events.len() < NOTIFY_MAX_EVENTS {
            match rx.try_recv() {
                Ok(e) => events.push(e),
                Err(_) => break,
            }
        }
        notify_events(&db, &bus, &events).await;
    }
}

/// NOTIFYs `events` in as few payloads as fit under PostgreSQL's 8,000-byte limit.
async fn notify_events(
    db: &sea_orm::DatabaseConnection,
    bus: &std::sync::Weak<Bus>,
    events: &[Event],
) {
    let mut batch: Vec<String> = vec![];
    let mut size = 0;
    for event in events {
        let Ok(json) = serde_json::to_string(event) else {
            tracing::error!(kind = event.event.name(), "event does not serialise");
            continue;
        };
        if size + json.len() > NOTIFY_BUDGET && !batch.is_empty() {
            notify_batch(db, bus, &batch).await;
            batch.clear();
            size = 0;
        }
        size += json.len() + 1;
        batch.push(json);
    }
    if !batch.is_empty() {
        notify_batch(db, bus, &batch).await;
    }
}

async fn notify_batch(
    db: &sea_orm::DatabaseConnection,
    bus: &std::sync::Weak<Bus>,
    events: &[String],
) {
    let payload = format!("[{}]", events.join(","));
    if let Err(err) = notify(db, EVENTS_CHANNEL, &payload).await {
        tracing::warn!(error = %err, "NOTIFY failed; delivering locally only");
        let Some(bus) = bus.upgrade() else { return };
        for json in events {
            if let Ok(event) = serde_json::from_str::<Event>(json) {
                let _ = bus.events.send(event);
            }
        }
    }
}

async fn notify(
    db: &sea_orm::DatabaseConnection,
    channel: &str,
    payload: &str,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, Statement};
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT pg_notify($1, $2)",
        [channel.into(), payload.into()],
    ))
    .await
    .map(|_| ())
}

async fn listen(url: &str) -> Result<sea_orm::sqlx::postgres::PgListener, sea_orm::sqlx::Error> {
    let mut listener = sea_orm::sqlx::postgres::PgListener::connect(url).await?;
    listener
        .listen_all([EVENTS_CHANNEL, JOBS_CHANNEL, REVOCATIONS_CHANNEL])
        .await?;
    Ok(listener)
}

async fn pump(
    mut listener: sea_orm::sqlx::postgres::PgListener,
    bus: &Bus,
) -> Result<(), sea_orm::sqlx::Error> {
    loop {
        // try_recv answers None when the connection dropped; recv would reconnect silently
        // and hide the gap.
        let Some(n) = listener.try_recv().await? else {
            return Ok(());
        };
        if n.channel() == JOBS_CHANNEL {
            bus.jobs.notify_waiters();
            continue;
        }
        if n.channel() == REVOCATIONS_CHANNEL {
            match serde_json::from_str::<Revocation>(n.payload()) {
                Ok(r) => {
                    let _ = bus.revocations.send(r);
                }
                Err(err) => tracing::warn!(error = %err, "ignoring a malformed revocation"),
            }
            continue;
        }
        match serde_json::from_str::<Vec<Event>>(n.payload()) {
            Ok(events) => {
                for event in events {
                    let _ = bus.events.send(event);
                }
            }
            Err(err) => tracing::warn!(error = %err, "ignoring a malformed event batch"),
        }
    }
}
