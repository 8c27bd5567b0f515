//! The `closer` server: HTTP API, webhooks, workers and the embedded dashboard.

mod agent_run;
mod announce;
pub mod app;
pub mod config;
mod credentials;
mod error;
mod extract;
mod login_limits;
mod openapi;
mod routes;
mod secret_key;
mod state;
mod validate;
mod web;
pub mod worker;
