//! sea-orm entities. Private to the crate: the rest of the program reaches the tables only
//! through the org-scoped repositories, so an unscoped query cannot be written by accident.

pub mod audit_log;
pub mod contact;
pub mod conversation;
pub mod invite;
pub mod job;
pub mod message;
pub mod org;
pub mod session;
pub mod user;
pub mod whatsapp_account;
