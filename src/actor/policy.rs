//! Who may do what. Every route asks here; nothing else decides.

use super::{Actor, Role};

/// The programme office runs the network: organisations, people, themes, the mail queue.
pub fn can_manage_network(actor: &Actor) -> bool {
    actor.role == Role::Beheerder
}

/// Create, edit, publish and archive the practices of an organisation.
pub fn can_edit_practices_of(actor: &Actor, organisation_id: i32) -> bool {
    match actor.role {
        Role::Beheerder => true,
        Role::Redacteur => actor.organisation_id == Some(organisation_id),
        Role::Lid | Role::Beoordelaar => false,
    }
}

/// Whether the actor edits practices at all (for menus and "new practice").
pub fn can_edit_some_practices(actor: &Actor) -> bool {
    matches!(actor.role, Role::Beheerder | Role::Redacteur)
}

/// Beheerders invite anyone; a redacteur invites colleagues of their own organisation as
/// redacteur or lid, never as beheerder or beoordelaar.
pub fn can_invite(actor: &Actor, role: Role, organisation_id: Option<i32>) -> bool {
    match actor.role {
        Role::Beheerder => true,
        Role::Redacteur => {
            matches!(role, Role::Redacteur | Role::Lid)
                && organisation_id.is_some()
                && organisation_id == actor.organisation_id
        }
        Role::Lid | Role::Beoordelaar => false,
    }
}

/// Reviewing applications to calls: beheerders review any call, beoordelaars the calls they
/// are assigned to (which `calls::reviews` checks).
pub fn can_review(actor: &Actor) -> bool {
    matches!(actor.role, Role::Beheerder | Role::Beoordelaar)
}

/// Roles are changed by beheerders only.
pub fn can_change_roles(actor: &Actor) -> bool {
    actor.role == Role::Beheerder
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, organisation_id: Option<i32>) -> Actor {
        Actor {
            user_id: 1,
            name: "Test".into(),
            email: "test@example.nl".into(),
            role,
            organisation_id,
            session_id: String::new(),
        }
    }

    #[test]
    fn redacteuren_edit_their_own_organisation_only() {
        assert!(can_edit_practices_of(&actor(Role::Redacteur, Some(1)), 1));
        assert!(!can_edit_practices_of(&actor(Role::Redacteur, Some(1)), 2));
        assert!(!can_edit_practices_of(&actor(Role::Lid, Some(1)), 1));
        assert!(can_edit_practices_of(&actor(Role::Beheerder, None), 2));
    }

    #[test]
    fn invitations() {
        let redacteur = actor(Role::Redacteur, Some(1));
        assert!(can_invite(&redacteur, Role::Redacteur, Some(1)));
        assert!(can_invite(&redacteur, Role::Lid, Some(1)));
        assert!(!can_invite(&redacteur, Role::Beheerder, Some(1)));
        assert!(!can_invite(&redacteur, Role::Beoordelaar, Some(1)));
        assert!(!can_invite(&redacteur, Role::Lid, Some(2)));
        assert!(!can_invite(&actor(Role::Lid, Some(1)), Role::Lid, Some(1)));
        assert!(!can_change_roles(&redacteur));
    }
}
