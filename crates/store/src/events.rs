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

#[derive(Debug)]
pub(crate) struct Bus {
    events: broadcast::Sender<Event>,
    jobs: Notify,
}

impl Default for Bus {
    fn default() -> Self {
        Bus {
            events: broadcast::channel(BUFFER).0,
            jobs: Notify::new(),
        }
    }
}

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

    /// Publishes several events with as few round trips as possible: on PostgreSQL one
    /// NOTIFY per batch that fits its 8,000-byte payload limit.
    pub async fn publish_all(&self, events: Vec<Event>) {
        if self.backend() != Backend::Postgres {
            for event in events {
                let _ = self.bus.events.send(event);
            }
            return;
        }
        let mut batch: Vec<String> = vec![];
        let mut size = 0;
        for event in &events {
            let Ok(json) = serde_json::to_string(event) else {
                tracing::error!(kind = event.event.name(), "event does not serialise");
                continue;
            };
            if size + json.len() > NOTIFY_BUDGET && !batch.is_empty() {
                self.notify_batch(&batch).await;
                batch.clear();
                size = 0;
            }
            size += json.len() + 1;
            batch.push(json);
        }
        if !batch.is_empty() {
            self.notify_batch(&batch).await;
        }
    }

    async fn notify_batch(&self, events: &[String]) {
        let payload = format!("[{}]", events.join(","));
        if let Err(err) = self.notify(EVENTS_CHANNEL, &payload).await {
            tracing::warn!(error = %err, "NOTIFY failed; delivering locally only");
            for json in events {
                if let Ok(event) = serde_json::from_str::<Event>(json) {
                    let _ = self.bus.events.send(event);
                }
            }
        }
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
            && let Err(err) = self.notify(JOBS_CHANNEL, "").await
        {
            tracing::warn!(error = %err, "NOTIFY for workers failed; they poll");
        }
    }

    /// Resolves when [`Store::wake_workers`] is called anywhere.
    pub async fn jobs_woken(&self) {
        self.bus.jobs.notified().await
    }

    async fn notify(&self, channel: &str, payload: &str) -> Result<(), sea_orm::DbErr> {
        use sea_orm::{ConnectionTrait, Statement};
        self.db
            .execute_raw(Statement::from_sql_and_values(
                self.db.get_database_backend(),
                "SELECT pg_notify($1, $2)",
                [channel.into(), payload.into()],
            ))
            .await
            .map(|_| ())
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

async fn listen(url: &str) -> Result<sea_orm::sqlx::postgres::PgListener, sea_orm::sqlx::Error> {
    let mut listener = sea_orm::sqlx::postgres::PgListener::connect(url).await?;
    listener.listen_all([EVENTS_CHANNEL, JOBS_CHANNEL]).await?;
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
