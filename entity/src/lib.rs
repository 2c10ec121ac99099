//! sea-orm entities: the tables as the database sees them.
//! Rules about what may be stored live in the `oogst` crate's domain modules.

pub mod advice;
pub mod document;
pub mod organisation;
pub mod practice;
pub mod practice_advice;
pub mod practice_theme;
pub mod search_outbox;
pub mod theme;
