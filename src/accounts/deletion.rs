//! Deleting an account (AVG article 17), by its owner or by the programme office on request.
//! The account, its profile, sessions, links, event registrations, the personal data of the
//! questions it asked and mail go; what the
//! person made for the network (practices, documents, news, versions) stays with the
//! organisation, and the traces of who made it (audit log, versions, news, pages) carry a
//! pseudonym instead of the name. Everything happens in one transaction.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, ModelTrait, PaginatorTrait,
    QueryFilter,
};

use entity::{mail_outbox, profile, user};

use super::{invalid, passwords, AccountError};
use crate::actor::{policy, Actor, Role};
use crate::events::registration::RegistrationError;
use crate::mail::MailSettings;
use crate::vocabulary::Vocabulary;
use crate::{audit, db, events, news, organisations, practices, questions, site_pages};

/// A name for a deleted person that points to nobody: random, and stored nowhere with the
/// account (which is gone), so the log cannot be linked back to the person.
fn pseudonym() -> String {
    format!("Verwijderd account #{}", hex::encode(rand::random::<[u8; 4]>()))
}

/// Deletes the signed-in person's own account, after they typed their password.
pub async fn delete_own(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    password: &str,
) -> Result<String, AccountError> {
    let account = user::Entity::find_by_id(actor.user_id).one(db).await?.ok_or(AccountError::NotFound)?;
    let stored = account.password_hash.clone();
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || passwords::verify(&password, stored.as_deref()))
        .await
        .map_err(|error| DbErr::Custom(format!("password check: {error}")))?;
    if !matches {
        return Err(invalid("password", "Dit is niet uw wachtwoord. Typ uw wachtwoord om te bevestigen."));
    }
    delete(db, mail, actor, account.id).await
}

/// Deletes someone's account on their request; the programme office only.
pub async fn delete_as_office(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    user_id: i32,
) -> Result<String, AccountError> {
    if !policy::can_manage_network(actor) {
        return Err(AccountError::Forbidden);
    }
    delete(db, mail, actor, user_id).await
}

/// Deletes the account and returns the pseudonym its traces now carry.
async fn delete(
    db: &DatabaseConnection,
    mail: &MailSettings,
    actor: &Actor,
    user_id: i32,
) -> Result<String, AccountError> {
    let transaction = db::begin_write(db).await?;
    let account = user::Entity::find_by_id(user_id).one(&transaction).await?.ok_or(AccountError::NotFound)?;
    if account.role == Role::Beheerder.slug() && other_beheerders(&transaction, user_id).await? == 0 {
        return Err(invalid(
            "account",
            "Dit is het laatste account van een beheerder; het netwerk heeft er altijd een nodig. \
             Maak eerst iemand anders beheerder.",
        ));
    }
    let profile = profile::Entity::find().filter(profile::Column::UserId.eq(user_id)).one(&transaction).await?;
    let pseudonym = pseudonym();
    // Recorded before the log is pseudonymised, so an entry the person made names the
    // pseudonym too.
    audit::record(&transaction, actor, "verwijderd", "persoon", &pseudonym, "Account en profiel verwijderd").await?;
    let slug = profile.as_ref().map(|found| found.slug.clone()).unwrap_or_default();
    let display_name = profile.as_ref().map(|found| found.display_name.clone()).unwrap_or_default();
    audit::pseudonymise(
        &transaction,
        user_id,
        &[("persoon", &account.email), ("profiel", &slug)],
        &[&account.email, &account.name, &display_name],
        &pseudonym,
    )
    .await?;
    practices::editing::forget_person(&transaction, user_id, &account.email, &pseudonym).await?;
    news::forget_author(&transaction, user_id, &pseudonym).await?;
    site_pages::forget_editor(&transaction, &account.name, &pseudonym).await?;
    organisations::forget_network_contact(&transaction, user_id).await?;
    questions::privacy::forget_asker(&transaction, user_id, &account.email).await?;
    events::registration::erase_person(&transaction, mail, user_id, &account.email).await.map_err(
        |error| match error {
            RegistrationError::Mail(error) => AccountError::Mail(error),
            RegistrationError::Database(error) => AccountError::Database(error),
            other => AccountError::Database(DbErr::Custom(format!("erasing registrations: {other}"))),
        },
    )?;
    // After the registrations: cancelling one may have mailed the person. Messages the
    // person sent through the relay and still waiting carry their address as Reply-To.
    mail_outbox::Entity::delete_many()
        .filter(
            Condition::any()
                .add(mail_outbox::Column::ToAddress.eq(account.email.clone()))
                .add(mail_outbox::Column::ReplyTo.eq(account.email.clone()))
                .add(mail_outbox::Column::ReplyTo.contains(format!("<{}>", account.email))),
        )
        .exec(&transaction)
        .await?;
    // Every search document about the person goes when the outbox is applied.
    crate::profiles::record_account_change(&transaction, user_id).await?;
    // The profile, sessions and one-time links go with the account (ON DELETE CASCADE);
    // deleted here explicitly so nothing depends on the database enforcing it.
    if let Some(found) = profile {
        found.delete(&transaction).await?;
    }
    super::sessions::delete_all(&transaction, user_id).await?;
    super::tokens::delete_all(&transaction, user_id).await?;
    account.delete(&transaction).await?;
    transaction.commit().await?;
    Ok(pseudonym)
}

async fn other_beheerders(db: &impl ConnectionTrait, user_id: i32) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::Role.eq(Role::Beheerder.slug()))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Id.ne(user_id))
        .count(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_name_nobody_and_differ() {
        let first = pseudonym();
        assert!(first.starts_with("Verwijderd account #"));
        assert_eq!(first.len(), "Verwijderd account #".len() + 8);
        assert_ne!(first, pseudonym());
    }
}
