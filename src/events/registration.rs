//! Registration for events. People without an account confirm by the link in a mail
//! (double opt-in); a member registers with one click. A registration takes a place only
//! through conditional UPDATEs that check the capacity of the event and of each chosen
//! workshop, so no room is ever overbooked, not even by concurrent requests, on SQLite and
//! PostgreSQL alike. When there is no place, the registration joins the waitlist; a
//! cancellation moves the first on the waitlist who fits up, and mails them. Every mail
//! carries a link to cancel without logging in.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set, SqlErr, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use entity::{event, programme_item, registration, registration_choice};

use super::calendar;
use crate::actor::Actor;
use crate::db;
use crate::link_token;
use crate::mail::{self, Mail, MailError, MailSettings};
use crate::validation::{email_is_plausible, FieldErrors};

pub const UNCONFIRMED: &str = "unconfirmed";
pub const CONFIRMED: &str = "confirmed";
pub const WAITLISTED: &str = "waitlisted";
pub const CANCELLED: &str = "cancelled";

#[derive(Debug, thiserror::Error)]
pub enum RegistrationError {
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Registration is not possible now; the message says why, in Dutch.
    #[error("{0}")]
    Closed(String),
    #[error("Deze bijeenkomst bestaat niet.")]
    NotFound,
    #[error("Deze link is ongeldig, verlopen of al gebruikt.")]
    LinkInvalid,
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Changing an event mails the people registered; its failures are the edit's.
impl From<RegistrationError> for crate::validation::EditError {
    fn from(error: RegistrationError) -> crate::validation::EditError {
        use crate::validation::EditError;
        match error {
            RegistrationError::Invalid(errors) => EditError::Invalid(errors),
            RegistrationError::Mail(error) => EditError::Mail(error),
            RegistrationError::Database(error) => EditError::Database(error),
            RegistrationError::NotFound | RegistrationError::LinkInvalid | RegistrationError::Closed(_) => {
                EditError::NotFound("Deze bijeenkomst bestaat niet.")
            }
        }
    }
}

impl RegistrationError {
    fn field(field: &str, message: impl Into<String>) -> RegistrationError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        RegistrationError::Invalid(errors)
    }
}

/// What someone fills in to register.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// Required without a token; with a member's token the account's name is used.
    #[serde(default)]
    pub name: String,
    /// Required without a token; with a member's token the account's address is used.
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub role: String,
    /// Accessibility, diet, …
    #[serde(default)]
    pub remarks: String,
    /// The chosen workshops: one per time slot that has workshops, each once.
    #[serde(default, deserialize_with = "crate::validation::whole_number::list")]
    pub choices: Vec<i32>,
}

/// Whether registration is possible at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYetOpen,
    Open,
    Closed,
    Cancelled,
}

pub fn window_state(event: &event::Model, now: DateTime<Utc>) -> Window {
    if event.cancelled_at.is_some() {
        Window::Cancelled
    } else if event.registration_opens_at.is_some_and(|opens| now < opens) {
        Window::NotYetOpen
    } else if now >= event.registration_closes_at.unwrap_or(event.starts_at) {
        Window::Closed
    } else {
        Window::Open
    }
}

fn ensure_open(event: &event::Model) -> Result<(), RegistrationError> {
    let message = match window_state(event, Utc::now()) {
        Window::Open => return Ok(()),
        Window::NotYetOpen => "De aanmelding voor deze bijeenkomst is nog niet geopend.",
        Window::Closed => "De aanmelding voor deze bijeenkomst is gesloten.",
        Window::Cancelled => "Deze bijeenkomst is afgelast.",
    };
    Err(RegistrationError::Closed(message.into()))
}

/// The outcome of registering or confirming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// A mail with a confirmation link is on its way.
    Unconfirmed,
    Confirmed,
    Waitlisted {
        position: u64,
    },
}

/// Settings registration needs besides the database.
pub struct Registrar<'a> {
    pub db: &'a DatabaseConnection,
    pub mail: &'a MailSettings,
    pub confirm_hours: i64,
}

impl Registrar<'_> {
    /// Registers for the event: a member (`member`) at once, anyone else after the link in
    /// the confirmation mail. Everything (row, choices, mail) is stored in one transaction.
    pub async fn register(
        &self,
        slug: &str,
        mut input: RegistrationInput,
        member: Option<&Actor>,
    ) -> Result<Outcome, RegistrationError> {
        if let Some(actor) = member {
            input.name = actor.name.clone();
            input.email = actor.email.clone();
        }
        input.email = input.email.trim().to_lowercase();
        let transaction = db::begin_write(self.db).await?;
        let mut event = super::find(&transaction, slug).await?.ok_or(RegistrationError::NotFound)?;
        if member.is_some() {
            // A member is placed at once, which takes the event's lock first (see `lock_event`).
            event = lock_event(&transaction, event.id).await?;
        }
        if event.members_only && member.is_none() {
            return Err(RegistrationError::Closed(
                "Alleen leden van het netwerk kunnen zich aanmelden; log eerst in.".into(),
            ));
        }
        ensure_open(&event)?;
        let programme = super::programme(&transaction, event.id).await?;
        validate(&input, &programme)?;
        let now = Utc::now();
        match live_registration(&transaction, event.id, &input.email).await? {
            // A registration whose confirmation link expired unused gives way to a new one.
            Some(stale) if stale.status == UNCONFIRMED && stale.confirm_expires_at.is_some_and(|at| at <= now) => {
                let mut stale = registration::ActiveModel::from(stale);
                stale.status = Set(CANCELLED.into());
                stale.cancelled_at = Set(Some(now));
                stale.update(&transaction).await?;
            }
            // Without an account the answer is the same as for a new registration, and the
            // address's owner hears by mail: the form must not tell who registered.
            Some(existing) if member.is_none() => {
                self.remind(&transaction, &event, existing).await?;
                transaction.commit().await?;
                return Ok(Outcome::Unconfirmed);
            }
            Some(pending) if pending.status == UNCONFIRMED => {
                return Err(RegistrationError::field(
                    "email",
                    "U hebt zich al aangemeld: bevestig uw aanmelding met de link in de mail die we u stuurden.",
                ));
            }
            Some(_) => {
                return Err(RegistrationError::field("email", "Dit e-mailadres is al aangemeld voor deze bijeenkomst."))
            }
            None => {}
        }
        let confirm_token = link_token::new();
        let inserted = registration::ActiveModel {
            event_id: Set(event.id),
            user_id: Set(member.map(|actor| actor.user_id)),
            name: Set(input.name.trim().to_string()),
            email: Set(input.email.clone()),
            organisation: Set(input.organisation.trim().to_string()),
            role: Set(input.role.trim().to_string()),
            remarks: Set(input.remarks.trim().to_string()),
            status: Set(UNCONFIRMED.into()),
            confirm_token_hash: Set(member.is_none().then(|| link_token::digest(&confirm_token))),
            confirm_expires_at: Set(member.is_none().then(|| now + Duration::hours(self.confirm_hours))),
            // Cancel links are signed, not stored (see `cancel_link`).
            cancel_token_hash: Set(String::new()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&transaction)
        .await;
        let row = match inserted {
            Ok(row) => row,
            // Two requests with the same address at once: the unique index decides. Without an
            // account this one is answered as the other, whose mail reaches the address.
            Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                if member.is_none() {
                    return Ok(Outcome::Unconfirmed);
                }
                return Err(RegistrationError::field(
                    "email",
                    "Dit e-mailadres is al aangemeld voor deze bijeenkomst.",
                ));
            }
            Err(error) => return Err(error.into()),
        };
        if !input.choices.is_empty() {
            let choices = input.choices.iter().map(|&item_id| registration_choice::ActiveModel {
                registration_id: Set(row.id),
                item_id: Set(item_id),
            });
            registration_choice::Entity::insert_many(choices).exec_without_returning(&transaction).await?;
        }
        let outcome = if member.is_some() {
            place(&transaction, self.mail, &event, &row).await?
        } else {
            self.ask_confirmation(&transaction, &event, &row, &confirm_token).await?;
            Outcome::Unconfirmed
        };
        transaction.commit().await?;
        Ok(outcome)
    }

    /// The mail with the link that makes a registration count.
    async fn ask_confirmation(
        &self,
        db: &impl ConnectionTrait,
        event: &event::Model,
        row: &registration::Model,
        confirm_token: &str,
    ) -> Result<(), RegistrationError> {
        let intro = format!(
            "Bedankt voor uw aanmelding. Bevestig haar binnen {} uur met de knop hieronder; pas daarna telt zij mee.",
            self.confirm_hours
        );
        let button = serde_json::json!({
            "button_label": "Aanmelding bevestigen",
            "button_link": self.mail.link(&format!("/aanmelding/bevestigen/{confirm_token}")),
        });
        let subject = format!("Bevestig uw aanmelding: {}", event.title);
        mail_registered(db, self.mail, event, row, EventMail { subject, intro: &intro, extra: button, calendar: None })
            .await
    }

    /// Someone registered an address that already is: a pending registration gets a new
    /// confirmation mail (the earlier link stops working), a placed one a mail saying so.
    async fn remind(
        &self,
        db: &impl ConnectionTrait,
        event: &event::Model,
        row: registration::Model,
    ) -> Result<(), RegistrationError> {
        if row.status == UNCONFIRMED {
            let confirm_token = link_token::new();
            let mut pending = registration::ActiveModel::from(row);
            pending.confirm_token_hash = Set(Some(link_token::digest(&confirm_token)));
            pending.confirm_expires_at = Set(Some(Utc::now() + Duration::hours(self.confirm_hours)));
            let row = pending.update(db).await?;
            return self.ask_confirmation(db, event, &row, &confirm_token).await;
        }
        let status = if row.status == WAITLISTED { "staat op de wachtlijst" } else { "bent aangemeld" };
        let intro = format!(
            "Iemand meldde dit e-mailadres opnieuw aan voor deze bijeenkomst. U {status}; u hoeft niets te doen. \
             Was u dit niet? Dan kunt u dit bericht negeren."
        );
        let subject = format!("U bent al aangemeld: {}", event.title);
        mail_registered(db, self.mail, event, &row, EventMail { subject, intro: &intro, ..EventMail::plain() }).await
    }

    /// Uses a confirmation link: the registration takes a place, or joins the waitlist.
    /// A link works once; a second use (or a late one) is refused.
    pub async fn confirm(&self, token: &str) -> Result<(event::Model, Outcome), RegistrationError> {
        let transaction = db::begin_write(self.db).await?;
        let found = registration::Entity::find()
            .filter(registration::Column::ConfirmTokenHash.eq(link_token::digest(token)))
            .filter(registration::Column::Status.eq(UNCONFIRMED))
            .filter(registration::Column::ConfirmExpiresAt.gt(Utc::now()))
            .one(&transaction)
            .await?
            .ok_or(RegistrationError::LinkInvalid)?;
        let event = lock_event(&transaction, found.event_id).await?;
        // Clearing the token is the claim: of two concurrent uses only one changes the row.
        let claimed = registration::Entity::update_many()
            .col_expr(registration::Column::ConfirmTokenHash, Expr::value(Option::<String>::None))
            .filter(registration::Column::Id.eq(found.id))
            .filter(registration::Column::ConfirmTokenHash.is_not_null())
            .exec(&transaction)
            .await?;
        if claimed.rows_affected != 1 {
            return Err(RegistrationError::LinkInvalid);
        }
        if event.cancelled_at.is_some() {
            return Err(RegistrationError::Closed("Deze bijeenkomst is afgelast.".into()));
        }
        let outcome = place(&transaction, self.mail, &event, &found).await?;
        transaction.commit().await?;
        Ok((event, outcome))
    }

    /// Cancels by the link in a mail; a confirmed place goes to the waitlist.
    pub async fn cancel(&self, token: &str) -> Result<event::Model, RegistrationError> {
        let transaction = db::begin_write(self.db).await?;
        let found = by_cancel_token(&transaction, self.mail, token).await?;
        let event = lock_event(&transaction, found.event_id).await?;
        cancel_registration(&transaction, self.mail, &event, found).await?;
        transaction.commit().await?;
        Ok(event)
    }

    /// The registration a cancel link belongs to, to show what will be cancelled.
    pub async fn peek_cancel(&self, token: &str) -> Result<(event::Model, registration::Model), RegistrationError> {
        let found = by_cancel_token(self.db, self.mail, token).await?;
        let event = event::Entity::find_by_id(found.event_id).one(self.db).await?.ok_or(RegistrationError::NotFound)?;
        Ok((event, found))
    }
}

fn validate(input: &RegistrationInput, programme: &[programme_item::Model]) -> Result<(), RegistrationError> {
    let mut errors = FieldErrors::default();
    if input.name.trim().is_empty() {
        errors.add("name", "Vul uw naam in.");
    }
    if !email_is_plausible(&input.email) || input.email.parse::<lettre::Address>().is_err() {
        errors.add("email", format!("'{}' is geen geldig e-mailadres.", input.email));
    }
    if input.name.chars().count() > 200 || input.organisation.chars().count() > 200 || input.role.chars().count() > 200
    {
        errors.add("name", "Naam, organisatie en functie mogen elk hooguit 200 tekens lang zijn.");
    }
    if input.remarks.chars().count() > 2000 {
        errors.add("remarks", "De opmerkingen mogen hooguit 2000 tekens lang zijn.");
    }
    for slot in super::slots(programme).into_iter().filter(|slot| slot.choose) {
        let chosen: Vec<&super::ProgrammeView> =
            slot.items.iter().filter(|item| item.workshop && input.choices.contains(&item.id)).collect();
        match chosen.as_slice() {
            [] => errors.add("choices", format!("Kies een workshop voor {}.", slot.time)),
            [item] if item.places_left == Some(0) => {
                if slot.items.iter().any(|other| other.workshop && other.places_left.is_some_and(|left| left > 0)) {
                    errors.add("choices", format!("De workshop '{}' is vol; kies een andere.", item.title));
                }
            }
            [_] => {}
            _ => errors.add("choices", format!("Kies één workshop voor {}.", slot.time)),
        }
    }
    let workshops: Vec<i32> = programme.iter().filter(|item| item.kind == "workshop").map(|item| item.id).collect();
    if input.choices.iter().any(|choice| !workshops.contains(choice)) {
        errors.add("choices", "Deze workshop hoort niet bij deze bijeenkomst.");
    }
    // A choice is stored once per registration (a unique key); a repeat would fail there.
    if input.choices.iter().enumerate().any(|(index, choice)| input.choices[..index].contains(choice)) {
        errors.add("choices", "U hebt dezelfde workshop meer dan eens gekozen; kies elke workshop één keer.");
    }
    errors.into_result().map_err(RegistrationError::Invalid)
}

async fn live_registration(
    db: &impl ConnectionTrait,
    event_id: i32,
    email: &str,
) -> Result<Option<registration::Model>, DbErr> {
    registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Email.eq(email))
        .filter(registration::Column::Status.ne(CANCELLED))
        .one(db)
        .await
}

pub async fn has_live_registrations(db: &impl ConnectionTrait, event_id: i32) -> Result<bool, DbErr> {
    Ok(registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.ne(CANCELLED))
        .count(db)
        .await?
        > 0)
}

async fn choices_of(db: &impl ConnectionTrait, registration_id: i32) -> Result<Vec<i32>, DbErr> {
    Ok(registration_choice::Entity::find()
        .filter(registration_choice::Column::RegistrationId.eq(registration_id))
        .all(db)
        .await?
        .into_iter()
        .map(|choice| choice.item_id)
        .collect())
}

/// Takes one place at the event and in each chosen workshop, all or nothing. Each UPDATE
/// only changes the row while there is room, and the database serialises writers to a row,
/// so concurrent registrations can never push a count past its capacity.
async fn take_places(db: &impl TransactionTrait, event_id: i32, items: &[i32]) -> Result<bool, DbErr> {
    let attempt = db::begin_write(db).await?;
    let event = event::Entity::update_many()
        .col_expr(event::Column::Confirmed, Expr::col(event::Column::Confirmed).add(1))
        .filter(event::Column::Id.eq(event_id))
        .filter(Expr::col(event::Column::Confirmed).lt(Expr::col(event::Column::Capacity)))
        .filter(event::Column::CancelledAt.is_null())
        .exec(&attempt)
        .await?;
    if event.rows_affected != 1 {
        attempt.rollback().await?;
        return Ok(false);
    }
    for &item in items {
        let taken = programme_item::Entity::update_many()
            .col_expr(programme_item::Column::Confirmed, Expr::col(programme_item::Column::Confirmed).add(1))
            .filter(programme_item::Column::Id.eq(item))
            .filter(
                Expr::col(programme_item::Column::Capacity)
                    .is_null()
                    .or(Expr::col(programme_item::Column::Confirmed).lt(Expr::col(programme_item::Column::Capacity))),
            )
            .exec(&attempt)
            .await?;
        if taken.rows_affected != 1 {
            attempt.rollback().await?;
            return Ok(false);
        }
    }
    attempt.commit().await?;
    Ok(true)
}

/// Holds the event's row until the transaction ends (PostgreSQL locks a row it updates;
/// SQLite has one writer anyway) and reads it afresh. Every transaction that changes an event
/// and its registrations takes this lock before touching a registration, so they queue up in
/// one order and cannot deadlock, and what they read of the event (its places, its waitlist)
/// stays true until they commit.
pub(super) async fn lock_event(db: &impl ConnectionTrait, event_id: i32) -> Result<event::Model, RegistrationError> {
    event::Entity::update_many()
        .col_expr(event::Column::Confirmed, Expr::col(event::Column::Confirmed).into())
        .filter(event::Column::Id.eq(event_id))
        .exec(db)
        .await?;
    event::Entity::find_by_id(event_id).one(db).await?.ok_or(RegistrationError::NotFound)
}

async fn release_places(db: &impl ConnectionTrait, event_id: i32, items: &[i32]) -> Result<(), DbErr> {
    event::Entity::update_many()
        .col_expr(event::Column::Confirmed, Expr::col(event::Column::Confirmed).sub(1))
        .filter(event::Column::Id.eq(event_id))
        .filter(event::Column::Confirmed.gt(0))
        .exec(db)
        .await?;
    if !items.is_empty() {
        programme_item::Entity::update_many()
            .col_expr(programme_item::Column::Confirmed, Expr::col(programme_item::Column::Confirmed).sub(1))
            .filter(programme_item::Column::Id.is_in(items.iter().copied()))
            .filter(programme_item::Column::Confirmed.gt(0))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Why a registration is being placed, which decides the mail.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placed {
    Registered,
    Promoted,
}

/// Gives the registration a place, or puts it on the waitlist, and mails the outcome. The
/// caller holds the event's lock.
async fn place<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    mail: &MailSettings,
    event: &event::Model,
    row: &registration::Model,
) -> Result<Outcome, RegistrationError> {
    let items = choices_of(db, row.id).await?;
    if take_places(db, event.id, &items).await? {
        confirm_placed(db, mail, event, row, &items, Placed::Registered).await?;
        return Ok(Outcome::Confirmed);
    }
    let mut update = registration::ActiveModel::from(row.clone());
    update.status = Set(WAITLISTED.into());
    // The caller holds the event's lock, so people join the waitlist one at a time: the
    // time taken now orders the list, and the position counted then sees everyone ahead.
    update.waitlisted_at = Set(Some(Utc::now()));
    let row = update.update(db).await?;
    let position = waitlist_position(db, &row).await?;
    let intro = format!(
        "De bijeenkomst (of uw workshop) is vol. U staat op de wachtlijst, op plaats {position}. Komt er een \
         plaats vrij, dan krijgt u vanzelf bericht."
    );
    let subject = format!("U staat op de wachtlijst: {}", event.title);
    mail_registered(db, mail, event, &row, EventMail { subject, intro: &intro, ..EventMail::plain() }).await?;
    Ok(Outcome::Waitlisted { position })
}

/// Marks a registration that got its places (`items`) confirmed and sends the invitation.
async fn confirm_placed(
    db: &impl ConnectionTrait,
    mail: &MailSettings,
    event: &event::Model,
    row: &registration::Model,
    items: &[i32],
    why: Placed,
) -> Result<(), RegistrationError> {
    let mut update = registration::ActiveModel::from(row.clone());
    update.status = Set(CONFIRMED.into());
    update.confirmed_at = Set(Some(Utc::now()));
    let row = update.update(db).await?;
    let (subject, intro) = match why {
        Placed::Registered => (
            format!("U bent aangemeld: {}", event.title),
            "Uw aanmelding is bevestigd. De uitnodiging voor uw agenda zit in de bijlage.",
        ),
        Placed::Promoted => (
            format!("Er is een plaats voor u vrijgekomen: {}", event.title),
            "Er is een plaats vrijgekomen en die is voor u: u staat niet meer op de wachtlijst maar bent \
             aangemeld. De uitnodiging voor uw agenda zit in de bijlage.",
        ),
    };
    let programme = super::programme(db, event.id).await?;
    let chosen: Vec<&str> =
        programme.iter().filter(|item| items.contains(&item.id)).map(|item| item.title.as_str()).collect();
    let event_link = mail.link(&format!("/agenda/{}", event.slug));
    let invitation = EventMail {
        subject,
        intro,
        extra: serde_json::json!({ "workshops": chosen }),
        calendar: Some(calendar::invitation(event, mail, &event_link)),
    };
    mail_registered(db, mail, event, &row, invitation).await
}

async fn waitlist_position(db: &impl ConnectionTrait, row: &registration::Model) -> Result<u64, DbErr> {
    let Some(since) = row.waitlisted_at else { return Ok(0) };
    let ahead = registration::Entity::find()
        .filter(registration::Column::EventId.eq(row.event_id))
        .filter(registration::Column::Status.eq(WAITLISTED))
        .filter(
            registration::Column::WaitlistedAt
                .lt(since)
                .or(registration::Column::WaitlistedAt.eq(since).and(registration::Column::Id.lt(row.id))),
        )
        .count(db)
        .await?;
    Ok(ahead + 1)
}

async fn cancel_registration<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    mail: &MailSettings,
    event: &event::Model,
    row: registration::Model,
) -> Result<(), RegistrationError> {
    let cancelled = registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::value(CANCELLED))
        .col_expr(registration::Column::CancelledAt, Expr::value(Utc::now()))
        .col_expr(registration::Column::ConfirmTokenHash, Expr::value(Option::<String>::None))
        .filter(registration::Column::Id.eq(row.id))
        .filter(registration::Column::Status.eq(row.status.clone()))
        .exec(db)
        .await?;
    if cancelled.rows_affected != 1 {
        return Err(RegistrationError::LinkInvalid);
    }
    if row.status == CONFIRMED {
        release_places(db, event.id, &choices_of(db, row.id).await?).await?;
        fill_from_waitlist(db, mail, event.id).await?;
    }
    Ok(())
}

/// Moves people up from the waitlist, first come first served, as long as there is room:
/// someone whose workshop is still full is skipped for the next in line.
pub async fn fill_from_waitlist<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    mail: &MailSettings,
    event_id: i32,
) -> Result<(), RegistrationError> {
    let waiting = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.eq(WAITLISTED))
        .order_by_asc(registration::Column::WaitlistedAt)
        .order_by_asc(registration::Column::Id)
        .all(db)
        .await?;
    // Callers hold the event's lock (see `lock_event`), so the places read here stay true.
    let event = event::Entity::find_by_id(event_id).one(db).await?.ok_or(RegistrationError::NotFound)?;
    let mut free = if event.cancelled_at.is_some() { 0 } else { (event.capacity - event.confirmed).max(0) };
    for row in waiting {
        if free == 0 {
            break;
        }
        let items = choices_of(db, row.id).await?;
        // Someone whose workshop is still full keeps their place in line.
        if take_places(db, event.id, &items).await? {
            free -= 1;
            confirm_placed(db, mail, &event, &row, &items, Placed::Promoted).await?;
        }
    }
    Ok(())
}

/// What changed about an event, for the notice to everyone registered.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Moved,
    Cancelled,
}

/// Tells everyone with a live registration that the event moved or was called off; each
/// mail has the cancel link (and, for a move, the updated invitation).
pub async fn notify_change(
    db: &impl ConnectionTrait,
    mail: &MailSettings,
    event: &event::Model,
    change: Change,
) -> Result<(), RegistrationError> {
    if change == Change::Moved {
        // A reminder sent for the old time says nothing about the new one.
        registration::Entity::update_many()
            .col_expr(registration::Column::RemindedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(registration::Column::EventId.eq(event.id))
            .exec(db)
            .await?;
    }
    let rows = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Status.is_in([CONFIRMED, WAITLISTED]))
        .all(db)
        .await?;
    let (subject, intro) = match change {
        Change::Moved => (
            format!("Gewijzigd: {}", event.title),
            "De tijd of plaats van deze bijeenkomst is gewijzigd. Hieronder staan de nieuwe gegevens.",
        ),
        Change::Cancelled => (format!("Afgelast: {}", event.title), "Deze bijeenkomst gaat helaas niet door."),
    };
    for row in rows {
        let confirmed = row.status == CONFIRMED;
        let event_link = mail.link(&format!("/agenda/{}", event.slug));
        let calendar = match change {
            Change::Moved if confirmed => Some(calendar::invitation(event, mail, &event_link)),
            Change::Cancelled => Some(calendar::cancellation(event, mail, &event_link)),
            Change::Moved => None,
        };
        let notice = EventMail { subject: subject.clone(), intro, calendar, ..EventMail::plain() };
        mail_registered(db, mail, event, &row, notice).await?;
    }
    Ok(())
}

/// Sends a message from the organiser to everyone confirmed, each with their cancel link.
pub async fn mail_participants(
    db: &DatabaseConnection,
    mail: &MailSettings,
    event: &event::Model,
    subject: &str,
    message: &str,
) -> Result<usize, RegistrationError> {
    let transaction = db::begin_write(db).await?;
    let rows = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event.id))
        .filter(registration::Column::Status.eq(CONFIRMED))
        .all(&transaction)
        .await?;
    let count = rows.len();
    for row in rows {
        let from_organisers = EventMail {
            subject: format!("{}: {subject}", event.title),
            intro: "Een bericht van de organisatie van deze bijeenkomst:",
            extra: serde_json::json!({ "message": message }),
            calendar: None,
        };
        mail_registered(&transaction, mail, event, &row, from_organisers).await?;
    }
    transaction.commit().await?;
    Ok(count)
}

/// Sends the reminders that are due: to everyone confirmed for an event that starts within
/// `before`, once (the row is marked in the same transaction as the mail).
pub async fn send_reminders(
    db: &DatabaseConnection,
    mail: &MailSettings,
    before: Duration,
) -> Result<usize, RegistrationError> {
    let now = Utc::now();
    let events = event::Entity::find()
        .filter(event::Column::StartsAt.gt(now))
        .filter(event::Column::StartsAt.lte(now + before))
        .filter(event::Column::CancelledAt.is_null())
        .all(db)
        .await?;
    let mut sent = 0;
    for event in events {
        let transaction = db::begin_write(db).await?;
        let due = registration::Entity::find()
            .filter(registration::Column::EventId.eq(event.id))
            .filter(registration::Column::Status.eq(CONFIRMED))
            .filter(registration::Column::RemindedAt.is_null())
            .all(&transaction)
            .await?;
        for row in due {
            let marked = registration::Entity::update_many()
                .col_expr(registration::Column::RemindedAt, Expr::value(now))
                .filter(registration::Column::Id.eq(row.id))
                .filter(registration::Column::RemindedAt.is_null())
                .exec(&transaction)
                .await?;
            if marked.rows_affected != 1 {
                continue;
            }
            let reminder = EventMail {
                subject: format!("Herinnering: {}", event.title),
                intro: "Een herinnering: u bent aangemeld voor deze bijeenkomst. We zien u graag!",
                ..EventMail::plain()
            };
            mail_registered(&transaction, mail, &event, &row, reminder).await?;
            sent += 1;
        }
        transaction.commit().await?;
    }
    Ok(sent)
}

/// Deletes the registrations of events that ended more than `after` ago.
pub async fn purge(db: &DatabaseConnection, after: Duration) -> Result<u64, DbErr> {
    let ended = Query::select()
        .column(event::Column::Id)
        .from(event::Entity)
        .and_where(event::Column::EndsAt.lt(Utc::now() - after))
        .to_owned();
    let deleted =
        registration::Entity::delete_many().filter(registration::Column::EventId.in_subquery(ended)).exec(db).await?;
    Ok(deleted.rows_affected)
}

/// Erases the registrations a person made under their account or with their address, when
/// the account is deleted. A place held at an event still to come goes to the waitlist, as a
/// cancellation would; for an event that is over, its count of places taken keeps the number
/// without the person. The caller's transaction holds the write lock.
pub async fn erase_person<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    mail: &MailSettings,
    user_id: i32,
    email: &str,
) -> Result<(), RegistrationError> {
    let theirs = Condition::any()
        .add(registration::Column::UserId.eq(user_id))
        .add(registration::Column::Email.eq(email.to_lowercase()));
    let found = registration::Entity::find().filter(theirs).order_by_asc(registration::Column::Id).all(db).await?;
    for row in found {
        let event = lock_event(db, row.event_id).await?;
        let items = choices_of(db, row.id).await?;
        // Its choices go with it (ON DELETE CASCADE).
        registration::Entity::delete_by_id(row.id).exec(db).await?;
        if row.status == CONFIRMED && event.ends_at > Utc::now() {
            release_places(db, event.id, &items).await?;
            fill_from_waitlist(db, mail, event.id).await?;
        }
    }
    Ok(())
}

/// Marks who attended: the ids in `present` attended, the other confirmed ones did not.
pub async fn set_attendance(db: &DatabaseConnection, event_id: i32, present: &[i32]) -> Result<(), DbErr> {
    let transaction = db::begin_write(db).await?;
    for attended in [true, false] {
        let mut update = registration::Entity::update_many()
            .col_expr(registration::Column::Attended, Expr::value(attended))
            .filter(registration::Column::EventId.eq(event_id))
            .filter(registration::Column::Status.eq(CONFIRMED));
        update = if attended {
            update.filter(registration::Column::Id.is_in(present.iter().copied()))
        } else {
            update.filter(registration::Column::Id.is_not_in(present.iter().copied()))
        };
        update.exec(&transaction).await?;
    }
    transaction.commit().await
}

/// A registration as the organiser sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub role: String,
    pub remarks: String,
    pub status: String,
    pub status_label: &'static str,
    pub workshops: Vec<String>,
    pub registered_at: DateTime<Utc>,
    pub attended: Option<bool>,
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        CONFIRMED => "Aangemeld",
        WAITLISTED => "Wachtlijst",
        UNCONFIRMED => "Nog niet bevestigd",
        _ => "Afgemeld",
    }
}

/// Everyone registered (not cancelled), confirmed first, then the waitlist in order.
pub async fn participants(db: &impl ConnectionTrait, event_id: i32) -> Result<Vec<Participant>, DbErr> {
    let programme = super::programme(db, event_id).await?;
    let rows = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.ne(CANCELLED))
        .order_by_asc(registration::Column::WaitlistedAt)
        .order_by_asc(registration::Column::Id)
        .all(db)
        .await?;
    let choices = registration_choice::Entity::find()
        .filter(registration_choice::Column::RegistrationId.is_in(rows.iter().map(|row| row.id)))
        .all(db)
        .await?;
    let mut participants: Vec<Participant> = rows
        .into_iter()
        .map(|row| {
            let workshops = choices
                .iter()
                .filter(|choice| choice.registration_id == row.id)
                .filter_map(|choice| programme.iter().find(|item| item.id == choice.item_id))
                .map(|item| item.title.clone())
                .collect();
            Participant {
                id: row.id,
                status_label: status_label(&row.status),
                name: row.name,
                email: row.email,
                organisation: row.organisation,
                role: row.role,
                remarks: row.remarks,
                status: row.status,
                workshops,
                registered_at: row.created_at,
                attended: row.attended,
            }
        })
        .collect();
    let rank = |status: &str| match status {
        CONFIRMED => 0,
        WAITLISTED => 1,
        _ => 2,
    };
    participants.sort_by_key(|participant| rank(&participant.status));
    Ok(participants)
}

/// The link in every mail about a registration that cancels it without logging in.
fn cancel_link(mail: &MailSettings, row: &registration::Model) -> String {
    let signature = hex::encode(cancel_signature(mail, row).finalize().into_bytes());
    mail.link(&format!("/aanmelding/annuleren/{}-{signature}", row.id))
}

/// The signature in a registration's cancel link: of its id, event and address, so every
/// mail carries the same link, nothing about it is stored, and each link a person
/// received works for as long as the registration exists.
fn cancel_signature(mail: &MailSettings, row: &registration::Model) -> Hmac<Sha256> {
    let mut signature = mail.link_signer.clone();
    signature.update(format!("cancel-registration\n{}\n{}\n{}", row.id, row.event_id, row.email).as_bytes());
    signature
}

/// The live registration a cancel link's token (`{id}-{signature}`) belongs to.
async fn by_cancel_token(
    db: &impl ConnectionTrait,
    mail: &MailSettings,
    token: &str,
) -> Result<registration::Model, RegistrationError> {
    let live = registration::Entity::find().filter(registration::Column::Status.ne(CANCELLED));
    let found = match token.split_once('-') {
        Some((id, signature)) => {
            let (Ok(id), Ok(signature)) = (id.parse::<i32>(), hex::decode(signature)) else {
                return Err(RegistrationError::LinkInvalid);
            };
            let row = live.filter(registration::Column::Id.eq(id)).one(db).await?;
            row.filter(|row| cancel_signature(mail, row).verify_slice(&signature).is_ok())
        }
        // A link mailed before cancel links were signed: a random token whose hash was
        // stored. Registrations are purged a while after their event, and these with them.
        None => live.filter(registration::Column::CancelTokenHash.eq(link_token::digest(token))).one(db).await?,
    };
    found.ok_or(RegistrationError::LinkInvalid)
}

/// A mail to someone registered, beyond what every such mail has (their name, the event, the
/// lasting cancel link): its subject, first paragraph, what else it shows and an invitation.
struct EventMail<'a> {
    subject: String,
    intro: &'a str,
    /// More for the template: a button, the chosen workshops, the organisers' message.
    extra: serde_json::Value,
    calendar: Option<String>,
}

impl EventMail<'_> {
    /// Only a subject and a first paragraph (to be filled in).
    fn plain() -> Self {
        EventMail { subject: String::new(), intro: "", extra: serde_json::Value::Null, calendar: None }
    }
}

/// Writes a mail about the event to a registered person into the outbox.
async fn mail_registered(
    db: &impl ConnectionTrait,
    mail: &MailSettings,
    event: &event::Model,
    row: &registration::Model,
    message: EventMail<'_>,
) -> Result<(), RegistrationError> {
    let mut data = serde_json::json!({
        "name": row.name, "event": event_data(event), "intro": message.intro, "cancel_link": cancel_link(mail, row),
    });
    if let (Some(data), serde_json::Value::Object(extra)) = (data.as_object_mut(), message.extra) {
        data.extend(extra);
    }
    let to = &row.email;
    mail::enqueue(db, mail, Mail { to, subject: message.subject, template: "event", data, calendar: message.calendar })
        .await?;
    Ok(())
}

/// What mail templates show of an event.
fn event_data(event: &event::Model) -> serde_json::Value {
    serde_json::json!({
        "title": event.title,
        "when": super::when(event.starts_at, event.ends_at),
        "location": event.location,
        "address": event.address,
        "online_url": event.online_url,
        "slug": event.slug,
    })
}
