//! Closer's pure business rules. Nothing here does I/O or needs async, so every rule can be
//! unit- and property-tested in isolation and reused by the agent, the store and the server.

pub mod account;
pub mod messaging;
pub mod role;

pub use account::{EmailAddress, OrgName, Password, PersonName, ValidationError};
pub use role::Role;
