//! HTTP integration tests: every test runs against the real server on SQLite and PostgreSQL.

mod harness;

mod accounts;
mod basics;
mod team;
mod webhooks;
mod whatsapp_settings;
