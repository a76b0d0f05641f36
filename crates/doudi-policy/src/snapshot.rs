//! What the rules know about a household: the snapshot types live in `doudi_core::facts`, so
//! that the store can read them straight from the database; they are the policy engine's input.

pub use doudi_core::facts::*;
