//! Command line and environment.

use clap::{Args, Parser, Subcommand};
use closer_store::DatabaseUrl;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "closer",
    version,
    about = "Closer: the WhatsApp AI sales agent and CRM"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP API, webhooks, workers and the dashboard.
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Exit 0 when the server at --listen answers /healthz (for containers and scripts).
    Healthcheck(HealthcheckArgs),
    /// Print the OpenAPI document and exit.
    Openapi,
    /// Create a demo organisation holding a year of a busy business (leads, tags, notes,
    /// pipeline, conversations, messages), print its owner's sign-in and exit.
    SeedDemo(SeedDemoArgs),
    /// Analytics rollups: `closer rollups rebuild` recomputes them from scratch.
    #[command(subcommand)]
    Rollups(RollupsCommand),
}

#[derive(Subcommand, Debug)]
pub enum RollupsCommand {
    /// Recompute every organisation's analytics rollups from the tables and print the time
    /// it took.
    Rebuild(DbArgs),
}

#[derive(Args, Debug, Clone)]
pub struct SeedDemoArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Leads to create.
    #[arg(long, default_value_t = 1_000_000)]
    pub leads: u64,
    /// Messages to spread over their conversations (about this many).
    #[arg(long, default_value_t = 5_000_000)]
    pub messages: u64,
    /// Days of history, ending now.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    #[arg(long, default_value = "Shiksha Academy (demo)")]
    pub org_name: String,
    /// The owner's email (default: a new demo-….@example.com).
    #[arg(long)]
    pub email: Option<String>,
    /// The owner's password (default: a random one, printed).
    #[arg(long, env = "CLOSER_DEMO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// The same seed makes the same data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Action-center items (handovers, accepted CTAs, bookings with their calendar events,
    /// failed sends) spread over the days, on the seeded conversations.
    #[arg(long, default_value_t = 0)]
    pub actions: u64,
    /// Leads written per transaction.
    #[arg(long, default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch: u64,
}

#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Where Closer keeps its SQLite database and generated secret key.
    #[arg(long, env = "CLOSER_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// PostgreSQL URL (postgres://user:pass@host/db). When absent, SQLite in the data dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<DatabaseUrl>,
}

impl DbArgs {
    pub fn database_url(&self) -> DatabaseUrl {
        self.database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::sqlite_file(&self.data_dir.join("closer.db")))
    }
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CLOSER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// 32-byte key for secrets at rest (64 hex chars or base64). When absent, one is generated
    /// into <data-dir>/secret.key on first start.
    #[arg(long, env = "CLOSER_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Public base URL of the dashboard, used in links such as invites (e.g.
    /// https://closer.example.com). Defaults to the request's Host.
    #[arg(long, env = "CLOSER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Base URL of Meta's Graph API; point it at a stand-in for tests.
    #[arg(long, env = "CLOSER_WHATSAPP_GRAPH_URL", default_value = closer_whatsapp::DEFAULT_GRAPH_URL)]
    pub whatsapp_graph_url: String,
    /// Graph API version used for every call.
    #[arg(long, env = "CLOSER_WHATSAPP_GRAPH_VERSION", default_value = closer_whatsapp::DEFAULT_GRAPH_VERSION)]
    pub whatsapp_graph_version: String,
    /// Log format: `text` or `json`.
    #[arg(long, env = "CLOSER_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
    /// Background jobs this process runs at once (agent runs, sends); 0 serves HTTP only.
    #[arg(long, env = "CLOSER_WORKERS", default_value_t = 4)]
    pub workers: usize,
    /// Seconds a worker holds a job without a heartbeat before another may take it over.
    #[arg(long, env = "CLOSER_JOB_LEASE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(2..=3600))]
    pub job_lease_secs: u64,
    /// Private hosts the server may reach on an organisation's behalf (its model, the website
    /// scan), comma-separated `host` or `host:port`: e.g. `localhost:11434` for Ollama on this
    /// machine. Empty (the default) allows public addresses only; `*` allows every address
    /// (tests and local stand-ins only: it lets any owner probe your network).
    #[arg(long, env = "CLOSER_EGRESS_ALLOW", value_delimiter = ',')]
    pub egress_allow: Vec<String>,
    /// Reverse proxies in front of the server (comma-separated IPs, e.g. `127.0.0.1` for nginx
    /// on this machine): requests from them are attributed to the client they name in
    /// `X-Forwarded-For`, so per-client limits apply per client. Empty: the peer address.
    #[arg(long, env = "CLOSER_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Sign-ups (new organisations and invite acceptances) one client address may make at
    /// once; after them, one a minute. Raise it for test suites that create many accounts
    /// from one address.
    #[arg(long, env = "CLOSER_SIGNUP_BURST", default_value_t = crate::login_limits::SIGNUP_BURST)]
    pub signup_burst: u32,
    /// The earlier name of `CLOSER_EGRESS_ALLOW=*`.
    #[arg(long, env = "CLOSER_SCAN_ALLOW_PRIVATE")]
    pub scan_allow_private: bool,
    #[command(flatten)]
    pub media: MediaArgs,
}

/// Where media files (what leads send, what people upload) are kept: `<data dir>/media` unless
/// an S3-compatible bucket is named. With several replicas, use a bucket (or one shared
/// directory).
#[derive(Args, Debug, Clone, Default)]
pub struct MediaArgs {
    /// Keep media in this S3-compatible bucket (AWS S3, MinIO, Cloudflare R2…) instead of
    /// <data-dir>/media. The bucket must exist.
    #[arg(long, env = "CLOSER_MEDIA_S3_BUCKET")]
    pub media_s3_bucket: Option<String>,
    /// The S3 API's base URL, e.g. http://minio.internal:9000 or
    /// https://<account>.r2.cloudflarestorage.com. Absent: AWS S3 in the region.
    #[arg(long, env = "CLOSER_MEDIA_S3_ENDPOINT")]
    pub media_s3_endpoint: Option<String>,
    /// The bucket's region (`auto` for R2; any value for MinIO).
    #[arg(long, env = "CLOSER_MEDIA_S3_REGION", default_value = "us-east-1")]
    pub media_s3_region: String,
    /// Access key id. With the secret; both absent: the instance's own AWS credentials.
    #[arg(long, env = "CLOSER_MEDIA_S3_ACCESS_KEY_ID", hide_env_values = true)]
    pub media_s3_access_key_id: Option<String>,
    /// Secret access key.
    #[arg(
        long,
        env = "CLOSER_MEDIA_S3_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub media_s3_secret_access_key: Option<String>,
    /// Address the bucket as `<endpoint>/<bucket>` (MinIO and most self-hosted servers)
    /// rather than `<bucket>.<endpoint host>` (`false`; AWS and R2 take either).
    #[arg(long, env = "CLOSER_MEDIA_S3_PATH_STYLE", default_value_t = true, action = clap::ArgAction::Set)]
    pub media_s3_path_style: bool,
}

impl ServeArgs {
    /// What the server may reach on an organisation's behalf.
    pub fn egress(&self) -> anyhow::Result<closer_egress::EgressPolicy> {
        let any = self.scan_allow_private.then_some("*");
        let hosts = self.egress_allow.iter().map(String::as_str).chain(any);
        closer_egress::EgressPolicy::allowing(hosts)
            .map_err(|e| anyhow::anyhow!("CLOSER_EGRESS_ALLOW: {e}"))
    }
}

#[derive(Args, Debug, Clone)]
pub struct HealthcheckArgs {
    /// Address of the server to check.
    #[arg(long, env = "CLOSER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}
