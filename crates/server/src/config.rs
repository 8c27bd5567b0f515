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
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Exit 0 when the server at --listen answers /healthz (for containers and scripts).
    Healthcheck(HealthcheckArgs),
    /// Print the OpenAPI document and exit.
    Openapi,
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
    /// Lets the knowledge base's website scan fetch private and loopback addresses. Off in
    /// production (it would let an organisation probe our network); on only for tests and
    /// local stand-in sites.
    #[arg(long, env = "CLOSER_SCAN_ALLOW_PRIVATE")]
    pub scan_allow_private: bool,
}

#[derive(Args, Debug, Clone)]
pub struct HealthcheckArgs {
    /// Address of the server to check.
    #[arg(long, env = "CLOSER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}
