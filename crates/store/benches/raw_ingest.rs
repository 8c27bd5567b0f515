//! The physical limit for webhook ingest: the same transaction the server runs for one new
//! lead message — contact, conversation, message, window and preview, follow-ups cancelled,
//! processing job debounced — as hand-written SQL on a bare connection pool, with no HTTP,
//! JSON, signature or ORM in the way. `scripts/bench-webhook.sh` runs it after the HTTP load
//! so the ratio between the two is visible.
//!
//! Usage: cargo bench -p closer-store --bench raw_ingest -- <database-url> <seconds>
//! (the database must be empty; SQLite as `sqlite:///path/raw.db?mode=rwc`).

use chrono::Utc;
use closer_domain::{EmailAddress, OrgName, PersonName};
use closer_store::{Backend, DatabaseUrl, NewAccount, Store};
use sea_orm::sqlx;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn main() {
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    let (Some(url), secs) = (args.get(1), args.get(2)) else {
        eprintln!("usage: raw_ingest <database-url> [seconds]");
        return;
    };
    let secs: u64 = secs.and_then(|s| s.parse().ok()).unwrap_or(8);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(url, secs));
}

async fn run(url: &str, secs: u64) {
    let url = DatabaseUrl::parse(url).expect("a database URL");
    let store = Store::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let (org, _) = store
        .create_org_with_owner(
            &OrgName::parse("Raw").unwrap(),
            &NewAccount {
                name: PersonName::parse("Raw").unwrap(),
                email: EmailAddress::parse(&format!("raw{}@example.com", Uuid::now_v7().simple()))
                    .unwrap(),
                password_hash: "x".into(),
            },
        )
        .await
        .expect("an organisation");
    let backend = store.backend();
    store.close().await.ok();
    for senders in [16usize, 64] {
        let pool = match backend {
            Backend::Sqlite => Pool::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(
                        url.expose()
                            .parse::<sqlx::sqlite::SqliteConnectOptions>()
                            .unwrap()
                            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                            .busy_timeout(Duration::from_secs(10))
                            .foreign_keys(true),
                    )
                    .await
                    .unwrap(),
            ),
            Backend::Postgres => Pool::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(16)
                    .connect(url.expose())
                    .await
                    .unwrap(),
            ),
        };
        let pool = Arc::new(pool);
        let counter = Arc::new(AtomicU64::new(0));
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut tasks = vec![];
        for t in 0..senders {
            let (pool, counter) = (pool.clone(), counter.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = vec![];
                while Instant::now() < deadline {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    let phone = format!("{}", 15550000000u64 + (i % 500));
                    let started = Instant::now();
                    pool.ingest_one(org.id, &phone, &format!("wamid.raw{senders}.{t}.{i}"))
                        .await;
                    latencies.push(started.elapsed());
                }
                latencies
            }));
        }
        let mut all = vec![];
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort();
        let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
        println!(
            "raw SQL, {senders} senders: {:.0} tx/s, p50 {:.1} ms, p99 {:.1} ms ({} transactions)",
            all.len() as f64 / secs as f64,
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            all.len()
        );
    }
}

enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// The statements of one stored lead message, with `?` placeholders numbered for PostgreSQL.
const STATEMENTS: [&str; 7] = [
    "INSERT INTO contacts (id, org_id, phone, name, profile_name, lead_status, score, lead_source, \
     opted_out, first_seen_at, last_seen_at, created_at, updated_at) \
     VALUES (?, ?, ?, 'Lead', 'Lead', 'new', 0, 'organic_inbound', FALSE, ?, ?, ?, ?) \
     ON CONFLICT DO NOTHING",
    "SELECT id FROM contacts WHERE org_id = ? AND phone = ?",
    "INSERT INTO conversations (id, org_id, contact_id, channel, mode, stage, needs_human, \
     unread_count, created_at, updated_at) VALUES (?, ?, ?, 'whatsapp', 'bot', 'new', FALSE, 0, ?, ?) \
     ON CONFLICT DO NOTHING",
    "SELECT id FROM conversations WHERE org_id = ? AND contact_id = ? AND channel = 'whatsapp'",
    "INSERT INTO messages (id, org_id, conversation_id, direction, author, kind, text, \
     provider_message_id, status, created_at, updated_at) \
     VALUES (?, ?, ?, 'in', 'lead', 'text', 'Hello', ?, 'delivered', ?, ?) ON CONFLICT DO NOTHING",
    "UPDATE conversations SET unread_count = unread_count + 1, window_open_until = ?, \
     last_message_at = ?, last_message_text = 'Hello', last_message_direction = 'in', \
     last_message_author = 'lead', updated_at = ? WHERE org_id = ? AND id = ?",
    "UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE org_id = ? AND conversation_id = ? \
     AND kind = 'followup' AND status = 'pending'",
];
const POSTPONE: &str = "UPDATE jobs SET run_at = ?, updated_at = ? WHERE org_id = ? AND conversation_id = ? \
     AND kind = 'process_conversation' AND status = 'pending'";
const ENQUEUE: &str = "INSERT INTO jobs (id, org_id, kind, conversation_id, status, run_at, attempts, \
     max_attempts, created_at, updated_at) VALUES (?, ?, 'process_conversation', ?, 'pending', ?, 0, 8, ?, ?)";

fn numbered(sql: &str) -> sqlx::AssertSqlSafe<String> {
    let mut n = 0;
    let text = sql
        .chars()
        .map(|c| {
            if c == '?' {
                n += 1;
                format!("${n}")
            } else {
                c.to_string()
            }
        })
        .collect();
    // Our own constant statements, only renumbered.
    sqlx::AssertSqlSafe(text)
}

macro_rules! one_message {
    ($conn:expr, $sql:expr, $org:expr, $phone:expr, $wamid:expr) => {{
        let now = Utc::now();
        let window = now + chrono::Duration::hours(24);
        let s = $sql;
        sqlx::query(s(STATEMENTS[0]))
            .bind(Uuid::now_v7())
            .bind($org)
            .bind($phone)
            .bind(now)
            .bind(now)
            .bind(now)
            .bind(now)
            .execute(&mut *$conn)
            .await
            .unwrap();
        let contact: Uuid = sqlx::query_scalar(s(STATEMENTS[1]))
            .bind($org)
            .bind($phone)
            .fetch_one(&mut *$conn)
            .await
            .unwrap();
        sqlx::query(s(STATEMENTS[2]))
            .bind(Uuid::now_v7())
            .bind($org)
            .bind(contact)
            .bind(now)
            .bind(now)
            .execute(&mut *$conn)
            .await
            .unwrap();
        let conv: Uuid = sqlx::query_scalar(s(STATEMENTS[3]))
            .bind($org)
            .bind(contact)
            .fetch_one(&mut *$conn)
            .await
            .unwrap();
        sqlx::query(s(STATEMENTS[4]))
            .bind(Uuid::now_v7())
            .bind($org)
            .bind(conv)
            .bind($wamid)
            .bind(now)
            .bind(now)
            .execute(&mut *$conn)
            .await
            .unwrap();
        sqlx::query(s(STATEMENTS[5]))
            .bind(window)
            .bind(now)
            .bind(now)
            .bind($org)
            .bind(conv)
            .execute(&mut *$conn)
            .await
            .unwrap();
        sqlx::query(s(STATEMENTS[6]))
            .bind(now)
            .bind($org)
            .bind(conv)
            .execute(&mut *$conn)
            .await
            .unwrap();
        let postponed = sqlx::query(s(POSTPONE))
            .bind(now)
            .bind(now)
            .bind($org)
            .bind(conv)
            .execute(&mut *$conn)
            .await
            .unwrap();
        if postponed.rows_affected() == 0 {
            sqlx::query(s(ENQUEUE))
                .bind(Uuid::now_v7())
                .bind($org)
                .bind(conv)
                .bind(now)
                .bind(now)
                .bind(now)
                .execute(&mut *$conn)
                .await
                .unwrap();
        }
    }};
}

impl Pool {
    async fn ingest_one(&self, org: Uuid, phone: &str, wamid: &str) {
        match self {
            Pool::Sqlite(pool) => {
                let mut conn = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
                one_message!(
                    conn,
                    |q: &str| sqlx::AssertSqlSafe(q.to_owned()),
                    org,
                    phone,
                    wamid
                );
                conn.commit().await.unwrap();
            }
            Pool::Postgres(pool) => {
                let mut conn = pool.begin().await.unwrap();
                one_message!(conn, numbered, org, phone, wamid);
                conn.commit().await.unwrap();
            }
        }
    }
}
