//! The `closer` server: HTTP API, webhooks, workers and the embedded dashboard.

mod agent_run;
mod announce;
pub mod app;
mod calendar_feed;
mod client_ip;
pub mod config;
mod credentials;
mod error;
mod extract;
mod followup_run;
mod headers;
mod llm_provider;
mod login_limits;
mod media;
pub mod notify;
mod openapi;
mod outbound;
mod routes;
mod secret_key;
pub mod seed_demo;
mod sequence_run;
mod state;
mod validate;
mod web;
mod webhook_costs;
mod website_scan;
pub mod worker;
