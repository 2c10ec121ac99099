//! The acting person as every domain sees them: a signed-in account's role and organisation,
//! and the rules of who may do what (`policy`). Kept below the domains, so every domain can
//! ask without depending on `accounts`.

pub mod policy;

use serde::Serialize;
use strum::{EnumIter, EnumMessage, EnumString, IntoStaticStr};

use entity::user;

use crate::vocabulary::Vocabulary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr, Serialize)]
pub enum Role {
    /// The programme office: everything.
    #[strum(serialize = "beheerder", message = "Beheerder")]
    Beheerder,
    /// Contact person of an organisation: publishes its practices.
    #[strum(serialize = "redacteur", message = "Contactpersoon/redacteur")]
    Redacteur,
    /// Member (aandeelhouder): sees member-only content.
    #[strum(serialize = "lid", message = "Lid")]
    Lid,
    /// Reviews the applications to the calls the programme office assigns them to; otherwise
    /// a member.
    #[strum(serialize = "beoordelaar", message = "Beoordelaar")]
    Beoordelaar,
}
impl Vocabulary for Role {}

/// A signed-in person as the rules see them.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: i32,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organisation_id: Option<i32>,
    #[serde(skip)]
    pub session_id: String,
}

impl Actor {
    /// The account acting in session `session_id` (empty for work done without a session,
    /// such as a benchmark's or a test's).
    pub fn of(account: user::Model, session_id: String) -> Actor {
        Actor {
            user_id: account.id,
            role: Role::from_slug(&account.role).unwrap_or(Role::Lid),
            name: account.name,
            email: account.email,
            organisation_id: account.organisation_id,
            session_id,
        }
    }
}
