//! Accounts, sign-in and the links mailed to them. Roles and who may do what live in
//! `crate::actor`.

pub mod deletion;
pub mod passwords;
pub mod secret;
pub mod sessions;
pub mod tokens;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};
use serde::Serialize;

use entity::{organisation, user};

use crate::actor::{policy, Actor, Role};
use crate::db;
use crate::mail::{self, Mail, MailError, MailSettings};
use crate::validation::FieldErrors;
use crate::vocabulary::Vocabulary;
use tokens::Purpose;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error("deze link is ongeldig, verlopen of al gebruikt")]
    LinkInvalid,
    #[error("not allowed")]
    Forbidden,
    #[error("no such person")]
    NotFound,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

fn invalid(field: &str, message: impl Into<String>) -> AccountError {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    AccountError::Invalid(errors)
}

/// Lower-cased, trimmed, and a real address.
pub fn normalize_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim().to_lowercase();
    email
        .parse::<lettre::Address>()
        .map(|_| email.clone())
        .map_err(|_| invalid("email", "Vul een geldig e-mailadres in, zoals naam@organisatie.nl."))
}

pub async fn find_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::Email.eq(email.trim().to_lowercase())).one(db).await
}

/// The person to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation_id: Option<i32>,
    pub job_title: String,
}

impl NewUser {
    fn validate(&self) -> Result<String, AccountError> {
        let email = normalize_email(&self.email)?;
        if self.name.trim().is_empty() {
            return Err(invalid("name", "Vul een naam in."));
        }
        if self.role == Role::Redacteur && self.organisation_id.is_none() {
            return Err(invalid("organisation", "Een contactpersoon/redacteur hoort bij een organisatie."));
        }
        Ok(email)
    }
}

/// Creates an account without a password (it is set through a mailed or printed link).
pub async fn create(db: &impl ConnectionTrait, new: &NewUser, verified: bool) -> Result<user::Model, AccountError> {
    let email = new.validate()?;
    if find_by_email(db, &email).await?.is_some() {
        return Err(invalid("email", "Er bestaat al een account met dit e-mailadres."));
    }
    let now = Utc::now();
    let created = user::ActiveModel {
        email: Set(email),
        name: Set(new.name.trim().to_string()),
        organisation_id: Set(new.organisation_id),
        job_title: Set(new.job_title.trim().to_string()),
        role: Set(new.role.slug().to_string()),
        password_hash: Set(None),
        email_verified: Set(verified),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    crate::profiles::create_for(db, &created).await?;
    Ok(created)
}

/// Creates the account and the one-time link to set its password, for `oogst user create`.
pub async fn create_with_link(db: &DatabaseConnection, new: &NewUser) -> Result<(user::Model, String), AccountError> {
    let transaction = db::begin_write(db).await?;
    let created = create(&transaction, new, true).await?;
    let token = tokens::issue(&transaction, created.id, Purpose::Invitation).await?;
    transaction.commit().await?;
    Ok((created, token))
}

pub fn set_password_path(token: &str) -> String {
    format!("/wachtwoord-instellen?token={token}")
}

/// Invites someone by mail: the account, the link and the mail commit together.
pub async fn invite(
    db: &DatabaseConnection,
    settings: &MailSettings,
    inviter: &Actor,
    new: &NewUser,
) -> Result<user::Model, AccountError> {
    if !policy::can_invite(inviter, new.role, new.organisation_id) {
        return Err(AccountError::Forbidden);
    }
    let transaction = db::begin_write(db).await?;
    let created = create(&transaction, new, true).await?;
    send_invitation(&transaction, settings, inviter, &created).await?;
    transaction.commit().await?;
    Ok(created)
}

/// The link to set a password and the mail that carries it, in the caller's transaction.
async fn send_invitation(
    db: &impl ConnectionTrait,
    settings: &MailSettings,
    inviter: &Actor,
    account: &user::Model,
) -> Result<(), AccountError> {
    let token = tokens::issue(db, account.id, Purpose::Invitation).await?;
    let organisation = match account.organisation_id {
        Some(id) => organisation::Entity::find_by_id(id).one(db).await?.map(|found| found.name),
        None => None,
    };
    let role = Role::from_slug(&account.role).unwrap_or(Role::Lid);
    mail::enqueue(
        db,
        settings,
        Mail {
            to: &account.email,
            subject: "Uitnodiging voor Oogst".into(),
            template: "invitation",
            data: serde_json::json!({
                "name": account.name,
                "inviter": inviter.name,
                "role": role.label().to_lowercase(),
                "organisation": organisation,
                "link": settings.link(&set_password_path(&token)),
            }),
            calendar: None,
        },
    )
    .await?;
    Ok(())
}

/// Whether the account still waits for its person: made by the office (an import, or an
/// invitation not yet accepted) and without a password.
pub fn awaits_invitation(account: &user::Model) -> bool {
    account.password_hash.is_none()
}

/// Invites someone who has an account but no password yet (an imported member), or invites
/// them again; the programme office only.
pub async fn invite_existing(
    db: &DatabaseConnection,
    settings: &MailSettings,
    inviter: &Actor,
    user_id: i32,
) -> Result<user::Model, AccountError> {
    if !policy::can_manage_network(inviter) {
        return Err(AccountError::Forbidden);
    }
    let transaction = db::begin_write(db).await?;
    let account = user::Entity::find_by_id(user_id).one(&transaction).await?.ok_or(AccountError::NotFound)?;
    if !awaits_invitation(&account) {
        return Err(invalid("account", "Deze persoon heeft al een wachtwoord en kan gewoon inloggen."));
    }
    send_invitation(&transaction, settings, inviter, &account).await?;
    transaction.commit().await?;
    Ok(account)
}

/// Invites, in one go, everyone without a password who never had an invitation (the
/// imported members the office has not invited yet); the programme office only. Returns how
/// many were invited.
pub async fn invite_all_uninvited(
    db: &DatabaseConnection,
    settings: &MailSettings,
    inviter: &Actor,
) -> Result<usize, AccountError> {
    if !policy::can_manage_network(inviter) {
        return Err(AccountError::Forbidden);
    }
    let transaction = db::begin_write(db).await?;
    let invited = tokens::users_with(&transaction, Purpose::Invitation).await?;
    let waiting: Vec<user::Model> = user::Entity::find()
        .filter(user::Column::PasswordHash.is_null())
        .filter(user::Column::Active.eq(true))
        .all(&transaction)
        .await?
        .into_iter()
        .filter(|account| !invited.contains(&account.id))
        .collect();
    for account in &waiting {
        send_invitation(&transaction, settings, inviter, account).await?;
    }
    transaction.commit().await?;
    Ok(waiting.len())
}

/// Sets the first password through an invitation link (single use).
pub async fn accept_invitation(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
) -> Result<user::Model, AccountError> {
    set_password_with_link(db, token, password, Purpose::Invitation).await
}

/// Sets a new password through a reset link (single use) and ends every session.
pub async fn reset_password(db: &DatabaseConnection, token: &str, password: &str) -> Result<user::Model, AccountError> {
    set_password_with_link(db, token, password, Purpose::PasswordReset).await
}

async fn set_password_with_link(
    db: &DatabaseConnection,
    token: &str,
    password: &str,
    purpose: Purpose,
) -> Result<user::Model, AccountError> {
    let user_id = tokens::peek(db, token, purpose).await?.ok_or(AccountError::LinkInvalid)?;
    let account = user::Entity::find_by_id(user_id).one(db).await?.ok_or(AccountError::LinkInvalid)?;
    passwords::check_policy(password, &[&account.email, &account.name])
        .map_err(|message| invalid("password", message))?;
    // Hash before the transaction: argon2 takes tens of milliseconds.
    let hash = passwords::hash(password);
    let transaction = db::begin_write(db).await?;
    if tokens::consume(&transaction, token, purpose).await? != Some(user_id) {
        return Err(AccountError::LinkInvalid);
    }
    let mut update = account.into_active_model();
    update.password_hash = Set(Some(hash));
    update.email_verified = Set(true);
    update.updated_at = Set(Utc::now());
    let updated = update.update(&transaction).await?;
    if purpose == Purpose::Invitation {
        // The person takes over the profile the office made: see `profiles::open_to_members`.
        crate::profiles::open_to_members(&transaction, user_id).await?;
    }
    sessions::revoke_all(&transaction, user_id).await?;
    transaction.commit().await?;
    Ok(updated)
}

/// Mails a reset link if the address belongs to an active account, and otherwise a mail
/// saying there is no account with that address. The answer is the same either way, and so
/// is the work behind it (a write transaction with a mail), so neither the answer nor its
/// timing tells who has an account.
pub async fn request_password_reset(
    db: &DatabaseConnection,
    settings: &MailSettings,
    email: &str,
) -> Result<(), AccountError> {
    let Ok(email) = normalize_email(email) else { return Ok(()) };
    let transaction = db::begin_write(db).await?;
    let account = find_by_email(&transaction, &email).await?.filter(|account| account.active);
    let mail = match &account {
        Some(account) => {
            let token = tokens::issue(&transaction, account.id, Purpose::PasswordReset).await?;
            Mail {
                to: &account.email,
                subject: "Nieuw wachtwoord voor Oogst".into(),
                template: "password_reset",
                data: serde_json::json!({
                    "name": account.name,
                    "link": settings.link(&format!("/wachtwoord-herstellen?token={token}")),
                }),
                calendar: None,
            }
        }
        None => Mail {
            to: &email,
            subject: "Nieuw wachtwoord voor Oogst aangevraagd".into(),
            template: "password_reset_unknown",
            data: serde_json::json!({ "signup_link": settings.link("/aanmelden") }),
            calendar: None,
        },
    };
    mail::enqueue(&transaction, settings, mail).await?;
    transaction.commit().await?;
    Ok(())
}

/// Self sign-up as lid: the account works once the mailed link confirms the address.
pub async fn sign_up(
    db: &DatabaseConnection,
    settings: &MailSettings,
    name: &str,
    email: &str,
    password: &str,
) -> Result<(), AccountError> {
    let new = NewUser {
        email: email.into(),
        name: name.into(),
        role: Role::Lid,
        organisation_id: None,
        job_title: String::new(),
    };
    let email = new.validate()?;
    passwords::check_policy(password, &[&email, name]).map_err(|message| invalid("password", message))?;
    // Hashed before looking the address up, and a mail either way, so neither the answer nor
    // its timing tells whether the address has an account.
    let hash = passwords::hash(password);
    let transaction = db::begin_write(db).await?;
    let (to, subject, template, data) = match find_by_email(&transaction, &email).await? {
        Some(existing) => (
            existing.email,
            "U hebt al een account bij Oogst",
            "account_exists",
            serde_json::json!({
                "name": existing.name,
                "login_link": settings.link("/inloggen"),
                "reset_link": settings.link("/wachtwoord-vergeten"),
            }),
        ),
        None => {
            let created = create(&transaction, &new, false).await?;
            let mut update = created.clone().into_active_model();
            update.password_hash = Set(Some(hash));
            update.update(&transaction).await?;
            let token = tokens::issue(&transaction, created.id, Purpose::EmailVerification).await?;
            let link = settings.link(&format!("/e-mailadres-bevestigen?token={token}"));
            (
                created.email,
                "Bevestig uw e-mailadres voor Oogst",
                "verify_email",
                serde_json::json!({ "name": created.name, "link": link }),
            )
        }
    };
    mail::enqueue(&transaction, settings, Mail { to: &to, subject: subject.into(), template, data, calendar: None })
        .await?;
    transaction.commit().await?;
    Ok(())
}

pub async fn verify_email(db: &impl ConnectionTrait, token: &str) -> Result<(), AccountError> {
    let user_id = tokens::consume(db, token, Purpose::EmailVerification).await?.ok_or(AccountError::LinkInvalid)?;
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerified, sea_orm::sea_query::Expr::value(true))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The account for an email and password, if they match an active, verified account.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<Option<user::Model>, DbErr> {
    let account = find_by_email(db, email).await?;
    let stored = account.as_ref().and_then(|account| account.password_hash.clone());
    let password = password.to_string();
    let matches = tokio::task::spawn_blocking(move || passwords::verify(&password, stored.as_deref()))
        .await
        .map_err(|error| DbErr::Custom(format!("password check: {error}")))?;
    Ok(account.filter(|account| matches && account.active && account.email_verified))
}

/// The actor for a verified session token, if the session is live and the account active.
pub async fn actor_for(db: &impl ConnectionTrait, token: &sessions::VerifiedToken) -> Result<Option<Actor>, DbErr> {
    if !sessions::is_live(db, token).await? {
        return Ok(None);
    }
    let Some(account) = user::Entity::find_by_id(token.user_id).one(db).await? else { return Ok(None) };
    Ok(account.active.then(|| Actor::of(account, token.session_id.clone())))
}

/// A person as the programme office sees them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: String,
    pub organisation_id: Option<i32>,
    pub job_title: String,
    pub active: bool,
    /// Whether the person has set a password and confirmed their address.
    pub activated: bool,
}

impl From<user::Model> for PersonView {
    fn from(account: user::Model) -> PersonView {
        PersonView {
            activated: account.password_hash.is_some() && account.email_verified,
            id: account.id,
            email: account.email,
            name: account.name,
            role: account.role,
            organisation_id: account.organisation_id,
            job_title: account.job_title,
            active: account.active,
        }
    }
}

/// Everyone, by name: for beheerders.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<PersonView>, AccountError> {
    if !policy::can_manage_network(actor) {
        return Err(AccountError::Forbidden);
    }
    use sea_orm::QueryOrder;
    Ok(user::Entity::find().order_by_asc(user::Column::Name).all(db).await?.into_iter().map(PersonView::from).collect())
}

/// Changes a person's role (and organisation); beheerders only, and never their own role,
/// so the network cannot lose its last beheerder by accident.
pub async fn change_role(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: i32,
    role: Role,
    organisation_id: Option<i32>,
) -> Result<PersonView, AccountError> {
    if !policy::can_change_roles(actor) {
        return Err(AccountError::Forbidden);
    }
    if actor.user_id == user_id {
        return Err(invalid("role", "U kunt uw eigen rol niet wijzigen; vraag een andere beheerder."));
    }
    if role == Role::Redacteur && organisation_id.is_none() {
        return Err(invalid("organisation", "Een contactpersoon/redacteur hoort bij een organisatie."));
    }
    let transaction = db::begin_write(db).await?;
    let account = user::Entity::find_by_id(user_id).one(&transaction).await?.ok_or(AccountError::NotFound)?;
    let before = account.role.clone();
    let mut update = account.into_active_model();
    update.role = Set(role.slug().to_string());
    update.organisation_id = Set(organisation_id);
    update.updated_at = Set(Utc::now());
    let updated = update.update(&transaction).await?;
    // The organisation is part of the person's search documents.
    crate::profiles::record_account_change(&transaction, updated.id).await?;
    crate::audit::record(
        &transaction,
        actor,
        "rol gewijzigd",
        "persoon",
        &updated.email,
        format!("{before} → {}", role.slug()),
    )
    .await?;
    transaction.commit().await?;
    Ok(PersonView::from(updated))
}
