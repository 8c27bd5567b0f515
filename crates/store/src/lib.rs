//! Closer's persistence: one set of sea-orm entities and migrations for SQLite (the embedded
//! default) and PostgreSQL (production), behind repositories that take the caller's
//! organisation on every call.

mod accounts;
pub mod actions;
pub mod activity;
pub mod agent_config;
pub mod agent_runs;
pub mod agent_tests;
pub mod analytics;
pub mod assignment;
mod audit;
pub mod automations;
pub mod calendar;
pub mod campaigns;
pub mod canned_replies;
pub mod compliance;
mod database;
pub mod digest;
pub mod email_settings;
mod entities;
mod erasure;
mod error;
pub mod events;
pub mod followups;
pub mod inbox;
pub mod ingest;
pub mod jobs;
pub mod knowledge_scans;
pub mod lead_bulk;
pub mod lead_filter;
pub mod lead_import;
pub mod lead_search;
mod lead_totals;
pub mod leads;
pub mod media;
mod migration;
pub mod notifications;
mod number_cache;
pub mod onboarding;
pub mod opt_outs;
pub mod page;
pub mod password_resets;
pub mod pipeline;
pub mod pricing;
pub mod replies;
mod rollups;
mod rollups_rebuild;
pub mod saved_views;
pub mod secret_box;
pub mod seed_demo;
pub mod sequences;
mod sessions;
pub mod stored;
mod team;
pub mod team_work;
pub mod templates;
mod two_factor;
mod whatsapp_accounts;

pub use accounts::{
    AuthSession, InvitePreview, NewAccount, Org, OrgProfile, SessionInfo, SessionOrigin,
    TwoFactorStatus, User,
};
pub use audit::{Actor, AuditEntry};
pub use database::{Backend, DatabaseUrl, Store};
pub use erasure::Erased;
pub use error::StoreError;
pub use page::{Page, PageRequest};
pub use rollups_rebuild::RebuildSummary;
pub use team::{Invite, OrgScope, UserPatch};
pub use two_factor::{SecondFactor, TotpSetup};
pub use whatsapp_accounts::{
    NumberHealth, NumberRestriction, NumberRoutes, WhatsappAccount, WhatsappCredentials,
    WhatsappSecrets,
};

/// Ids are UUIDv7: unique without coordination and ordered by creation, which makes them
/// usable as pagination cursors.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// "Now" comes from Rust, never from SQL, so both databases store the same thing.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// SHA-256 in hex: how bearer and invite tokens are stored.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}
