//! The whatsapp crate against every fixture and a local stand-in for the Graph API.

mod client;
mod protocol;
