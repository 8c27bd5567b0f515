//! HTTP integration tests: every test runs against the real server on SQLite and PostgreSQL.

mod harness;

mod accounts;
mod agent;
mod basics;
mod compliance;
mod conversations;
mod durability;
mod egress;
mod followups;
mod fuzz;
mod graph;
mod knowledge_scan;
mod lead_import;
mod lead_search;
mod leads;
mod llm_settings;
mod media;
mod onboarding;
mod pipeline;
mod pricing;
mod realtime;
mod roles;
mod security;
mod sending;
mod team;
mod team_work;
mod templates;
mod views;
mod vocabulary;
mod webhooks;
mod whatsapp_settings;
