//! One migration set for SQLite and PostgreSQL, applied on start.

use sea_orm_migration::prelude::*;

mod m0001_accounts;
mod m0002_channel;
mod m0003_work;
mod m0004_agent;
mod m0005_onboarding;
mod m0006_knowledge_scans;
mod m0007_activity;
mod m0008_account_protection;
mod m0009_templates;
mod m0010_followups;
mod m0011_pricing;
mod m0012_leads;
mod m0013_pipeline;
mod m0014_views_import;
mod m0015_compliance;
mod m0016_lead_search;
mod m0017_org_currency;
mod m0018_team_work;
mod m0019_inbox_order;
mod m0020_calendar;
mod m0021_notifications;
mod m0022_media;
mod m0023_analytics;
mod m0024_campaigns;
mod m0025_automations;
mod m0026_sequences;
mod m0027_team_day;
mod m0028_agent_tests;
mod m0029_action_queue_order;
mod m0031_lead_reads;
mod m0032_analytics_months;
mod m0033_phone_digits_trgm;
mod m0034_insert_triggers_per_statement;
mod m0035_redundant_queue_index;

pub(crate) use m0016_lead_search::{RANK_BUCKET_SHIFT, sqlite_fill as lead_search_sqlite_fill};

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_accounts::Migration),
            Box::new(m0002_channel::Migration),
            Box::new(m0003_work::Migration),
            Box::new(m0004_agent::Migration),
            Box::new(m0005_onboarding::Migration),
            Box::new(m0006_knowledge_scans::Migration),
            Box::new(m0007_activity::Migration),
            Box::new(m0008_account_protection::Migration),
            Box::new(m0009_templates::Migration),
            Box::new(m0010_followups::Migration),
            Box::new(m0011_pricing::Migration),
            Box::new(m0012_leads::Migration),
            Box::new(m0013_pipeline::Migration),
            Box::new(m0014_views_import::Migration),
            Box::new(m0015_compliance::Migration),
            Box::new(m0016_lead_search::Migration),
            Box::new(m0017_org_currency::Migration),
            Box::new(m0018_team_work::Migration),
            Box::new(m0019_inbox_order::Migration),
            Box::new(m0020_calendar::Migration),
            Box::new(m0021_notifications::Migration),
            Box::new(m0022_media::Migration),
            Box::new(m0023_analytics::Migration),
            Box::new(m0024_campaigns::Migration),
            Box::new(m0025_automations::Migration),
            Box::new(m0026_sequences::Migration),
            Box::new(m0027_team_day::Migration),
            Box::new(m0028_agent_tests::Migration),
            Box::new(m0029_action_queue_order::Migration),
            Box::new(m0031_lead_reads::Migration),
            Box::new(m0032_analytics_months::Migration),
            Box::new(m0033_phone_digits_trgm::Migration),
            Box::new(m0034_insert_triggers_per_statement::Migration),
            Box::new(m0035_redundant_queue_index::Migration),
        ]
    }
}
