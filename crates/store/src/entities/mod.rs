//! sea-orm entities. Private to the crate: the rest of the program reaches the tables only
//! through the org-scoped repositories, so an unscoped query cannot be written by accident.

pub mod action;
pub mod activity;
pub mod agent_profile;
pub mod audit_log;
pub mod calendar_event;
pub mod contact;
pub mod conversation;
pub mod conversation_state;
pub mod cta;
pub mod custom_field;
pub mod decision;
pub mod followup;
pub mod followup_setting;
pub mod invite;
pub mod job;
pub mod knowledge_doc;
pub mod knowledge_scan;
pub mod lead;
pub mod lead_note;
pub mod lead_tag;
pub mod llm_setting;
pub mod message;
pub mod onboarding;
pub mod org;
pub mod org_country;
pub mod rate_card;
pub mod recovery_code;
pub mod session;
pub mod tag;
pub mod template;
pub mod user;
pub mod whatsapp_account;
