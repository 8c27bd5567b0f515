//! HTTP integration tests: every test runs against the real server on SQLite and PostgreSQL.

mod harness;

mod accounts;
mod basics;
mod team;
mod whatsapp_settings;
