//! Settings → Agent, one room per resource: the profile documents, the calls to action, the
//! knowledge base, the decisions the agent made, and the tests an owner runs before a lead
//! hears it.

pub mod ctas;
pub mod decisions;
pub mod knowledge;
pub mod profile;
pub mod tests;
