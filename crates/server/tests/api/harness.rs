//! Spawns the real server on 127.0.0.1:0 against a fresh database — a temp SQLite file or a
//! new PostgreSQL database on the local server — and talks HTTP to it.

use closer_server::app::{self, Running};
use closer_server::config::{DbArgs, ServeArgs};
use closer_store::DatabaseUrl;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server every PostgreSQL test creates its own database on.
fn postgres_admin_url() -> String {
    std::env::var("CLOSER_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(admin_url: &str, db: &str) -> String {
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{db}")
}

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub database_url: DatabaseUrl,
    pub backend: Backend,
    running: Option<Running>,
    pg_database: Option<String>,
    args: ServeArgs,
    _dir: Option<tempfile::TempDir>,
}

/// A signed-in member of an organisation.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub user_id: String,
    pub org_id: String,
    pub email: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        // Nothing listens on the discard port: any Graph call fails as unreachable.
        Self::spawn_with_graph(backend, "http://127.0.0.1:9").await
    }

    /// The app with Meta's Graph API replaced by the stand-in at `graph_url`.
    pub async fn spawn_with_graph(backend: Backend, graph_url: &str) -> TestApp {
        // Website scans crawl a stand-in site, and models answer from a stand-in, on
        // 127.0.0.1.
        Self::spawn_with(
            backend,
            graph_url,
            vec!["127.0.0.1".into()],
            Default::default(),
        )
        .await
    }

    /// The app with the Graph stand-in and its media kept where `media` says (an S3 bucket).
    pub async fn spawn_with_media(
        backend: Backend,
        graph_url: &str,
        media: closer_server::config::MediaArgs,
    ) -> TestApp {
        Self::spawn_with(backend, graph_url, vec!["127.0.0.1".into()], media).await
    }

    /// The app as a production server runs it: organisations reach public addresses only,
    /// plus the private `hosts` (`host` or `host:port`) named, as in CLOSER_EGRESS_ALLOW.
    pub async fn spawn_with_egress(backend: Backend, hosts: &[&str]) -> TestApp {
        let hosts = hosts.iter().map(|h| h.to_string()).collect();
        Self::spawn_with(backend, "http://127.0.0.1:9", hosts, Default::default()).await
    }

    async fn spawn_with(
        backend: Backend,
        graph_url: &str,
        egress_allow: Vec<String>,
        media: closer_server::config::MediaArgs,
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (database_url, pg_database) = fresh_database(backend, dir.path()).await;
        let args = ServeArgs {
            listen: "127.0.0.1:0".parse().unwrap(),
            db: DbArgs {
                data_dir: dir.path().to_path_buf(),
                database_url: Some(database_url.clone()),
            },
            secret_key: None,
            public_url: None,
            whatsapp_graph_url: graph_url.into(),
            whatsapp_graph_version: "v24.0".into(),
            log_format: "text".into(),
            workers: 4,
            // Short, so tests of a vanished worker need not wait long.
            job_lease_secs: 3,
            egress_allow,
            scan_allow_private: false,
            trusted_proxies: vec![],
            // As in production: the throttle test counts on it.
            signup_burst: 10,
            media,
        };
        let running = app::start(&args).await.expect("server starts");
        TestApp {
            base: format!("http://{}", running.addr),
            http: reqwest::Client::new(),
            database_url,
            backend,
            running: Some(running),
            pg_database,
            args,
            _dir: Some(dir),
        }
    }

    /// Where this server keeps its files (the media store is `<data dir>/media`).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.args.db.data_dir.clone()
    }

    /// A second server on the same database and secret key: another replica.
    pub async fn replica(&self) -> TestApp {
        let args = self.args.clone();
        let running = app::start(&args).await.expect("replica starts");
        TestApp {
            base: format!("http://{}", running.addr),
            http: reqwest::Client::new(),
            database_url: self.database_url.clone(),
            backend: self.backend,
            running: Some(running),
            pg_database: None,
            args,
            _dir: None,
        }
    }

    /// Opens the realtime WebSocket with `token`.
    pub async fn ws(&self, token: &str) -> Ws {
        let url = format!(
            "{}/api/v1/ws?token={token}",
            self.base.replacen("http://", "ws://", 1)
        );
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the WebSocket opens");
        Ws { stream }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::PUT, path, Some(token), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up a new organisation and returns its owner's session.
    pub async fn signup_org(&self, org: &str) -> Session {
        let email = format!("{}@example.com", unique("owner"));
        let r = self
            .post(
                "/api/v1/auth/signup",
                None,
                json!({"org_name": org, "name": "Olivia Owner", "email": email, "password": "correct horse"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        session_of(&r.body, &email)
    }

    /// Invites someone with `role` into the owner's organisation and signs them up.
    pub async fn add_member(&self, by: &Session, role: &str) -> Session {
        let invite = self
            .post("/api/v1/invites", Some(&by.token), json!({"role": role}))
            .await;
        assert_eq!(invite.status, StatusCode::CREATED, "{:?}", invite.body);
        let email = format!("{}@example.com", unique(role));
        let r = self
            .post(
                "/api/v1/auth/signup",
                None,
                json!({"invite_token": invite.body["token"], "name": format!("{role} member"), "email": email, "password": "correct horse"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        session_of(&r.body, &email)
    }

    /// Reads one text column of the first row a query returns.
    pub async fn sql_text(&self, sql: &str) -> Option<String> {
        let conn = Database::connect(self.database_url.expose()).await.unwrap();
        let backend = conn.get_database_backend();
        let row = conn
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .unwrap();
        conn.close().await.ok();
        row.and_then(|r| r.try_get_by_index::<String>(0).ok())
    }

    /// Runs raw SQL on the app's database (to age an invite, for example). `?` placeholders
    /// are numbered for PostgreSQL.
    pub async fn sql(&self, sql: &str, values: Vec<sea_orm::Value>) {
        let conn = Database::connect(self.database_url.expose()).await.unwrap();
        let backend = conn.get_database_backend();
        let mut sql = sql.to_owned();
        if self.backend == Backend::Postgres {
            let mut n = 0;
            while let Some(at) = sql.find('?') {
                n += 1;
                sql.replace_range(at..at + 1, &format!("${n}"));
            }
        }
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .unwrap();
        conn.close().await.ok();
    }

    /// Stops the server and drops its PostgreSQL database.
    pub async fn finish(mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.shutdown.send(());
            let _ = r.task.await;
        }
        if let Some(db) = self.pg_database.take() {
            drop_database(&db).await;
        }
    }
}

pub async fn drop_database(name: &str) {
    if let Ok(conn) = Database::connect(&postgres_admin_url()).await {
        let _ = conn
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        conn.close().await.ok();
    }
}

impl Drop for TestApp {
    /// A failed test still cleans up its database, from a thread of its own because the
    /// test's runtime is being torn down.
    fn drop(&mut self) {
        if let Some(db) = self.pg_database.take() {
            std::thread::spawn(move || {
                tokio::runtime::Runtime::new()
                    .unwrap()
                    .block_on(drop_database(&db))
            })
            .join()
            .ok();
        }
    }
}

pub fn session_of(body: &Value, email: &str) -> Session {
    Session {
        token: body["token"].as_str().expect("token").to_owned(),
        user_id: body["user"]["id"].as_str().expect("user id").to_owned(),
        org_id: body["org"]["id"].as_str().expect("org id").to_owned(),
        email: email.to_owned(),
    }
}

/// Runs an `async fn(Backend)` test once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::harness::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::harness::Backend::Postgres).await
            }
        }
    )*};
}

/// A new empty database: a SQLite file in `dir`, or a new database on the local PostgreSQL
/// (its name returned so it can be dropped).
pub async fn fresh_database(
    backend: Backend,
    dir: &std::path::Path,
) -> (DatabaseUrl, Option<String>) {
    match backend {
        Backend::Sqlite => (DatabaseUrl::sqlite_file(&dir.join("closer.db")), None),
        Backend::Postgres => {
            let admin = postgres_admin_url();
            let name = format!("closer_test_{}", uuid::Uuid::now_v7().simple());
            let conn = Database::connect(&admin)
                .await
                .expect("PostgreSQL must be running for the tests (see README)");
            conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            conn.close().await.ok();
            let url = DatabaseUrl::parse(&with_database(&admin, &name)).unwrap();
            (url, Some(name))
        }
    }
}

/// A dashboard's realtime connection.
pub struct Ws {
    pub stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Ws {
    /// Whether the server closes the socket within `millis` (events before the close are
    /// skipped).
    pub async fn closed_within(&mut self, millis: u64) -> bool {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(millis);
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }

    /// The next event (`{"type", "data"}`), or None when none comes within `secs`.
    pub async fn next(&mut self, secs: u64) -> Option<Value> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let msg = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??
                .ok()?;
            if let Message::Text(text) = msg {
                return serde_json::from_str(&text).ok();
            }
        }
    }

    /// Waits for the first event of `kind` (skipping others), panicking after `secs`.
    pub async fn expect(&mut self, kind: &str, secs: u64) -> Value {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = self
                .next(left.as_secs().max(1))
                .await
                .unwrap_or_else(|| panic!("no {kind} event within {secs} s"));
            if event["type"] == kind {
                return event["data"].clone();
            }
        }
    }
}

/// Polls `check` every 100 ms until it answers Some, panicking with `what` after `secs`.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs} s waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The real `closer` binary as a child process on `url`'s database, with `env` besides (e.g.
/// `CLOSER_SCAN_ALLOW_PRIVATE`). Dropping it kills it with SIGKILL: no graceful shutdown.
pub struct Closer {
    child: std::process::Child,
    pub base: String,
}

impl Closer {
    pub async fn start(
        url: &DatabaseUrl,
        data_dir: &std::path::Path,
        env: &[(&str, &str)],
    ) -> Closer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_closer"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .env("DATABASE_URL", url.expose())
            .env("CLOSER_JOB_LEASE_SECS", "2")
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("closer starts");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        eventually(30, "closer to answer /healthz", || async {
            http.get(format!("{base}/healthz"))
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success())
        })
        .await;
        Closer { child, base }
    }

    /// Signs up the organisation "Crash" and its owner, casey@example.com.
    pub async fn signup_owner(&self, http: &reqwest::Client) -> Session {
        let r = http
            .post(format!("{}/api/v1/auth/signup", self.base))
            .json(
                &json!({"org_name": "Crash", "name": "Casey", "email": "casey@example.com",
                "password": "correct horse"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        session_of(&r.json().await.unwrap(), "casey@example.com")
    }

    /// Kills the process with SIGKILL, as a crash would.
    pub fn kill_9(self) {
        drop(self);
    }
}

impl Drop for Closer {
    fn drop(&mut self) {
        let _ = self.child.kill(); // SIGKILL on Unix
        let _ = self.child.wait();
    }
}
