//! Opening the database: SQLite in the data dir by default, PostgreSQL when a URL says so.

use crate::migration::Migrator;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::MigratorTrait;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL whose Display and Debug hide the password, so it can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://")
            || url.starts_with("postgresql://")
            || url.starts_with("sqlite:")
        {
            Ok(Self(url.to_owned()))
        } else {
            Err("DATABASE_URL must start with postgres://, postgresql:// or sqlite:".into())
        }
    }

    pub fn sqlite_file(path: &Path) -> Self {
        Self(format!("sqlite://{}?mode=rwc", path.display()))
    }

    pub fn backend(&self) -> Backend {
        if self.0.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn redacted(&self) -> String {
        // scheme://user:password@host → scheme://user:***@host
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return self.0.clone();
        };
        match rest.split_once('@') {
            Some((auth, host)) => match auth.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => self.0.clone(),
            },
            None => self.0.clone(),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

/// The handle every part of the server shares. Cheap to clone (a pool inside).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: DatabaseConnection,
    /// Where write transactions run. On SQLite, one connection of its own: SQLite drops a
    /// connection's page cache whenever another connection wrote since its last transaction,
    /// so writers taking turns on the shared pool each began by reading back every page they
    /// touched (most of an ingest group's time under load). Writers already queue in this
    /// process (`writer`), so one connection costs no concurrency. On PostgreSQL, the pool.
    writes: DatabaseConnection,
    secret_box: Option<crate::secret_box::SecretBox>,
    pub(crate) url: DatabaseUrl,
    pub(crate) bus: std::sync::Arc<crate::events::Bus>,
    pub(crate) numbers: std::sync::Arc<crate::number_cache::NumberCache>,
    /// SQLite's writers of this process, in line (see [`Store::begin_write`]).
    pub(crate) writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Deliveries waiting to be written together (see `Store::ingest_in_group`).
    pub(crate) ingest_queue: crate::ingest::IngestQueue,
    /// When this process last wrote a crowded ingest group (`closer_domain::work::crowded_group`).
    pub(crate) last_crowded_group: std::sync::Arc<std::sync::Mutex<Option<std::time::Instant>>>,
    /// The rank counts' newest row when this process last folded each organisation's.
    pub(crate) fold_marks:
        std::sync::Arc<std::sync::Mutex<std::collections::HashMap<uuid::Uuid, i64>>>,
}

/// A write transaction; on SQLite it also holds this process's turn to write until it ends.
pub struct WriteTxn {
    txn: sea_orm::DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = sea_orm::DatabaseTransaction;
    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

#[async_trait::async_trait]
impl sea_orm::ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
    async fn execute_raw(&self, stmt: sea_orm::Statement) -> Result<sea_orm::ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }
    async fn query_one_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Option<sea_orm::QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }
    async fn query_all_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
}

impl Store {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, DbErr> {
        let mut opts = ConnectOptions::new(url.expose().to_owned());
        opts.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10));
        // `CLOSER_SLOW_SQL_MS=n`: every statement slower than n ms is logged (target
        // `sqlx::query`, warn) with its text — how a slow read is found on a real data set.
        if let Some(ms) = std::env::var("CLOSER_SLOW_SQL_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            opts.sqlx_logging(true)
                .sqlx_logging_level(log::LevelFilter::Trace)
                .sqlx_slow_statements_logging_settings(
                    log::LevelFilter::Warn,
                    Duration::from_millis(ms),
                );
        }
        let (db, writes) = match url.backend() {
            Backend::Sqlite => {
                opts.max_connections(8).map_sqlx_sqlite_opts(sqlite_options);
                let db = Database::connect(opts.clone()).await?;
                // Never idle out: its warm cache is the point.
                opts.max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .map_sqlx_sqlite_opts(sqlite_writer_options);
                (db, Database::connect(opts).await?)
            }
            Backend::Postgres => {
                opts.max_connections(16).min_connections(1);
                let db = Database::connect(opts).await?;
                (db.clone(), db)
            }
        };
        Ok(Self {
            db,
            writes,
            secret_box: None,
            url: url.clone(),
            bus: Default::default(),
            numbers: Default::default(),
            writer: Default::default(),
            ingest_queue: Default::default(),
            last_crowded_group: Default::default(),
            fold_marks: Default::default(),
        })
    }

    /// The key every secret at rest is sealed with.
    pub fn with_secret_box(mut self, secret_box: crate::secret_box::SecretBox) -> Self {
        self.secret_box = Some(secret_box);
        self
    }

    pub(crate) fn secret_box(&self) -> Result<&crate::secret_box::SecretBox, crate::StoreError> {
        self.secret_box
            .as_ref()
            .ok_or(crate::StoreError::NoSecretKey)
    }

    /// Starts a transaction that will write. On SQLite, which has one writer, writers of this
    /// process first queue in FIFO order on an in-process lock and then take the database's
    /// write lock at BEGIN (IMMEDIATE): without the queue they would poll busy_timeout, whose
    /// growing sleeps give some writers waits of a second under load. On PostgreSQL it is a
    /// plain BEGIN.
    pub(crate) async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let turn = match self.backend() {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let mut txn = self.begin_write_in_turn().await?;
        txn._turn = turn;
        Ok(txn)
    }

    /// A write transaction for a caller that already holds this process's turn to write
    /// (SQLite's group commit of deliveries).
    pub(crate) async fn begin_write_in_turn(&self) -> Result<WriteTxn, DbErr> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        let txn = self
            .writes
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await?;
        Ok(WriteTxn { txn, _turn: None })
    }

    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.db, None).await?;
        crate::lead_search::check_lead_search(&self.db)
            .await
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        self.refresh_statistics().await
    }

    /// Brings the planner's statistics of `tables` up to date after a bulk write (PostgreSQL:
    /// `ANALYZE`). A table that grew by many thousands of rows in one go (an import's leads, a
    /// campaign's recipients) otherwise keeps the planner's old picture — an empty table, for a
    /// new one — until autovacuum comes round, if it runs at all: the sender's claim of one
    /// recipient by its id then walked every due recipient (13 sends/s at an 80/s pace on
    /// 100,000). SQLite samples its indexes at start instead (`refresh_statistics`) and plans
    /// these reads by their indexes alone.
    pub async fn analyze_after_bulk_write(&self, tables: &[&str]) -> Result<(), DbErr> {
        if self.backend() == Backend::Postgres && !tables.is_empty() {
            use sea_orm::ConnectionTrait;
            self.db
                .execute_unprepared(&format!("ANALYZE {}", tables.join(", ")))
                .await?;
        }
        Ok(())
    }

    /// Gives SQLite's planner fresh statistics where they are missing or stale (a sample of
    /// each index, so it stays quick on a large database). PostgreSQL's autovacuum does this.
    pub async fn refresh_statistics(&self) -> Result<(), DbErr> {
        if self.backend() == Backend::Sqlite {
            use sea_orm::ConnectionTrait;
            self.db
                .execute_unprepared(&format!(
                    "PRAGMA analysis_limit={ANALYSIS_LIMIT}; PRAGMA optimize=0x10002; \
                     PRAGMA analysis_limit=0;"
                ))
                .await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => Backend::Sqlite,
            _ => Backend::Postgres,
        }
    }

    /// Whether the database answers a trivial query (readiness probe).
    pub async fn ping(&self) -> bool {
        self.db.ping().await.is_ok()
    }

    pub async fn close(self) -> Result<(), DbErr> {
        if self.backend() == Backend::Sqlite {
            self.writes.close().await?;
        }
        self.db.close().await
    }
}

/// How many entries of each index SQLite's statistics sample (`PRAGMA analysis_limit`). The
/// sample is an index's first entries, so every one of them is the same organisation's and the
/// statistics say an organisation has as many rows as the sample: with 400, a business of a
/// million leads looked like 401 of them, and the planner walked its every tagging to find a
/// page's tags (100 ms on each leads page) instead of looking up fifty leads. Ten thousand
/// keeps such choices right at a few milliseconds per index.
const ANALYSIS_LIMIT: u32 = 10_000;

/// Every SQLite connection: WAL lets readers run beside the one writer; busy_timeout makes a
/// writer wait for the lock instead of failing; foreign keys are off in SQLite by default. The
/// planner needs statistics to choose between a list's indexes on a million leads: a connection
/// refreshes them when it closes (and `migrate` on start); 32 MB of page cache each keeps a
/// list's index pages in memory, and the file is memory-mapped so that a connection whose
/// cache another's write emptied reads its pages back without a system call each.
fn sqlite_options(o: SqliteConnectOptions) -> SqliteConnectOptions {
    o.journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .create_if_missing(true)
        .optimize_on_close(true, ANALYSIS_LIMIT)
        .pragma("cache_size", "-32768")
        // A statement that may have to undo part of itself (a multi-row upsert in a
        // transaction) keeps a statement journal; on disk that was a file created and
        // deleted by the one writer for each such statement of every ingest group.
        .pragma("temp_store", "memory")
        .pragma("mmap_size", "268435456")
}

/// The writes connection leaves checkpoints to [`Store::start_checkpointer`]. SQLite's default
/// has the committing connection copy the log back into the database file whenever it passed
/// 1,000 pages, two fsyncs included: on the one writer, where every millisecond is taken from
/// the webhooks (a launch-day surge of new leads writes a thousand pages in a few groups). The
/// limit stays as a backstop should no checkpointer run (a CLI command, a stalled task), so the
/// log cannot grow without bound.
fn sqlite_writer_options(o: SqliteConnectOptions) -> SqliteConnectOptions {
    sqlite_options(o).pragma(
        "wal_autocheckpoint",
        WRITER_AUTOCHECKPOINT_PAGES.to_string(),
    )
}

/// The log size (pages) at which the writer checkpoints itself after all (80 MB).
const WRITER_AUTOCHECKPOINT_PAGES: u32 = 20_000;

/// How often the checkpointer copies the log back: a few hundred milliseconds of writes keep
/// the log at a few megabytes under a surge, and an idle database costs one no-op pragma.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

impl Store {
    /// On SQLite, checkpoints the write-ahead log from a reading connection every
    /// [`CHECKPOINT_EVERY`], beside the writer instead of on it. A passive checkpoint takes no
    /// write lock: the writer keeps committing while pages are copied and synced, and the next
    /// writer restarts the log once it was copied whole. The task ends when the store closes.
    /// PostgreSQL checkpoints by itself: `None`.
    pub fn start_checkpointer(&self) -> Option<tokio::task::JoinHandle<()>> {
        if self.backend() != Backend::Sqlite {
            return None;
        }
        let db = self.db.clone();
        Some(tokio::spawn(async move {
            use sea_orm::ConnectionTrait;
            let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match db
                    .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)")
                    .await
                {
                    Ok(_) => {}
                    Err(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::ConnectionClosed)) => {
                        break;
                    }
                    Err(err) => tracing::warn!(error = %err, "checkpoint failed; will retry"),
                }
            }
        }))
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_print() {
        let url = DatabaseUrl::parse("postgres://closer:s3cret@db:5432/closer").unwrap();
        assert_eq!(url.to_string(), "postgres://closer:***@db:5432/closer");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.backend(), Backend::Postgres);
        assert!(DatabaseUrl::parse("mysql://x").is_err());
    }
}
