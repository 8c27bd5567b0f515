//! Meta's WhatsApp Business Cloud API, as a protocol: what webhooks carry, how they are
//! signed, and what its error codes mean. Knows nothing about Closer's database.

pub mod errors;
pub mod signature;
pub mod webhook;

pub use errors::{ErrorClass, GraphError, classify};
pub use signature::{SignatureError, verify_signature};
pub use webhook::{Change, Webhook, parse_webhook};
