//! Meta's WhatsApp Business Cloud API, as a protocol: what webhooks carry, how they are
//! signed, how messages are sent, and what its error codes mean. Knows nothing about
//! Closer's database.

pub mod client;
pub mod errors;
pub mod media;
pub mod outbound;
pub mod signature;
pub mod templates;
pub mod webhook;

pub use client::{
    DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION, GraphClient, PhoneNumberInfo, SendError,
};
pub use errors::{ErrorClass, GraphError, classify};
pub use outbound::{Body, Outbound};
pub use signature::{SignatureError, verify_signature};
pub use webhook::{Change, Webhook, parse_webhook};
