//! Settings → Agent, one room per resource: the profile documents, the calls to action, the
//! knowledge base, and the decisions the agent made.

pub mod ctas;
pub mod decisions;
pub mod knowledge;
pub mod profile;
