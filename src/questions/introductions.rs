//! Introducing experts to a question. The office picks one to three experts; each gets a
//! request mail with the question (never the asker's name or address) and a link, working
//! without logging in, to accept or decline. Accepting introduces asker and expert to each
//! other by mail; a decline, or no answer within the set days, is told to the office, whose
//! question page then offers the next suggestion. Every step is one transaction with its
//! mails (through the outbox) and its audit entry.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde::Serialize;
use strum::{EnumIter, EnumMessage, IntoStaticStr};

use entity::{profile, question, question_introduction, user};

use super::{checked_text, confirmed, followup, office_members, set_status, QuestionError, Status};
use crate::actor::{policy, Actor};
use crate::audit;
use crate::db;
use crate::link_token;
use crate::mail::{self, Mail, MailSettings};
use crate::templates::dutch_day;
use crate::vocabulary::Vocabulary;

/// How many experts the office asks at once.
pub const MAX_EXPERTS_AT_ONCE: usize = 3;
const MAX_NOTE_CHARS: usize = 2_000;
const MAX_REASON_CHARS: usize = 1_000;

/// Where a request to an expert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, IntoStaticStr, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    #[strum(serialize = "requested", message = "Gevraagd, wacht op antwoord")]
    Requested,
    #[strum(serialize = "accepted", message = "Geaccepteerd, voorgesteld")]
    Accepted,
    #[strum(serialize = "declined", message = "Afgewezen")]
    Declined,
    #[strum(serialize = "expired", message = "Verlopen zonder antwoord")]
    Expired,
}
impl Vocabulary for State {}

/// What introducing needs besides the database.
pub struct Introductions<'a> {
    pub db: &'a DatabaseConnection,
    pub mail: &'a MailSettings,
    /// Days an expert has to answer a request.
    pub answer_days: i64,
    /// Days after an introduction that the asker is asked whether it helped.
    pub followup_days: i64,
}

/// A request as its expert sees it behind the link: the question, without who asked.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub expert_name: String,
    pub organisation: String,
    pub role: String,
    pub place: String,
    pub question: String,
    pub context: String,
    pub tried: String,
    pub needed_by: Option<String>,
    pub note: String,
    pub answer_by: String,
    pub open: bool,
    pub state_label: &'static str,
}

/// A request as the office sees it on the question's page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IntroductionView {
    pub profile_id: i32,
    pub expert_slug: String,
    pub expert_name: String,
    pub state: State,
    pub state_label: &'static str,
    pub requested_at: DateTime<Utc>,
    pub answer_by: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
}

/// One request, with the question and the expert it joins.
struct Found {
    request: question_introduction::Model,
    question: question::Model,
    expert: profile::Model,
    account: user::Model,
}

impl Introductions<'_> {
    /// The office asks the experts (profile slugs) to help with a question, with a note of its
    /// own. Returns how many requests went out.
    pub async fn request(
        &self,
        actor: &Actor,
        question_id: i32,
        slugs: &[String],
        note: &str,
    ) -> Result<usize, QuestionError> {
        if !policy::can_manage_network(actor) {
            return Err(QuestionError::NotFound);
        }
        let note = checked_text("note", "de toelichting", note, MAX_NOTE_CHARS)?;
        let mut slugs = slugs.to_vec();
        slugs.sort_unstable();
        slugs.dedup();
        if slugs.is_empty() {
            return Err(QuestionError::field("experts", "Kies minstens één expert."));
        }
        if slugs.len() > MAX_EXPERTS_AT_ONCE {
            return Err(QuestionError::field("experts", "Kies hoogstens drie experts tegelijk."));
        }
        let transaction = db::begin_write(self.db).await?;
        let question = confirmed(&transaction, question_id).await?;
        if question.closed_at.is_some() || question.personal_data_removed_at.is_some() {
            return Err(QuestionError::field("experts", "Deze vraag is afgesloten; zet de status eerst terug."));
        }
        let experts = experts_in_directory(&transaction, &slugs).await?;
        if experts.len() != slugs.len() {
            return Err(QuestionError::field("experts", "Een gekozen expert staat niet (meer) in de ledenlijst."));
        }
        let ids = experts.iter().map(|(expert, _)| expert.id).collect::<Vec<_>>();
        if let Some(asked) = already_asked(&transaction, question_id, &ids).await? {
            let name =
                experts.iter().find(|(expert, _)| expert.id == asked).map_or("", |(expert, _)| &expert.display_name);
            return Err(QuestionError::field("experts", format!("{name} is al gevraagd voor deze vraag.")));
        }
        let now = Utc::now();
        let answer_by = now + Duration::days(self.answer_days);
        for chosen in &experts {
            let (expert, _) = chosen;
            let token = link_token::new();
            question_introduction::ActiveModel {
                question_id: Set(question_id),
                profile_id: Set(expert.id),
                status: Set(State::Requested.slug().into()),
                token_hash: Set(link_token::digest(&token)),
                note: Set(note.clone()),
                requested_by: Set(Some(actor.user_id)),
                requested_at: Set(now),
                answer_by: Set(answer_by),
                answered_at: Set(None),
                decline_reason: Set(None),
                ..Default::default()
            }
            .insert(&transaction)
            .await?;
            self.mail_request(&transaction, &question, chosen, &note, answer_by, &token).await?;
            let summary = format!("{} gevraagd om te helpen", expert.display_name);
            audit::record(&transaction, actor, "expert gevraagd", "vraag", &question_id.to_string(), summary).await?;
        }
        take_up(&transaction, &question, actor).await?;
        transaction.commit().await?;
        Ok(experts.len())
    }

    async fn mail_request(
        &self,
        db: &impl ConnectionTrait,
        question: &question::Model,
        (expert, account): &(profile::Model, user::Model),
        note: &str,
        answer_by: DateTime<Utc>,
        token: &str,
    ) -> Result<(), QuestionError> {
        let link = self.mail.link(&format!("/vraag/verzoek/{token}"));
        let data = serde_json::json!({
            "request": request_view(question, expert, note, answer_by, State::Requested),
            "accept_link": format!("{link}?antwoord=ja"),
            "decline_link": format!("{link}?antwoord=nee"),
        });
        let subject = "Wilt u helpen met een vraag uit het netwerk?".to_string();
        mail::enqueue(
            db,
            self.mail,
            Mail { to: &account.email, subject, template: "question_request", data, calendar: None },
        )
        .await?;
        Ok(())
    }

    /// The request behind a link, for the page where the expert answers it.
    pub async fn read(&self, token: &str) -> Result<Request, QuestionError> {
        let found = by_token(self.db, token).await?;
        let state = State::from_slug(&found.request.status).unwrap_or(State::Expired);
        let state =
            if state == State::Requested && found.request.answer_by <= Utc::now() { State::Expired } else { state };
        Ok(request_view(&found.question, &found.expert, &found.request.note, found.request.answer_by, state))
    }

    /// The expert accepts: asker and expert get each other's contact, the question counts as
    /// matched, and the follow-up is planned.
    pub async fn accept(&self, token: &str) -> Result<Request, QuestionError> {
        let transaction = db::begin_write(self.db).await?;
        let found = self.claim(&transaction, token, State::Accepted, None).await?;
        let Found { question, expert, account, request } = &found;
        let expert_contact = serde_json::json!({
            "name": expert.display_name,
            "email": account.email,
            "job_title": expert.job_title,
            "profile_link": self.mail.link(&format!("/leden/{}", expert.slug)),
        });
        let asker_organisation = [question.organisation.as_str(), question.role.as_str()]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        let asker_contact = serde_json::json!({
            "name": question.name,
            "email": question.email,
            "organisation": asker_organisation,
        });
        for (to, name, other, for_asker) in [
            (&question.email, &question.name, &expert_contact, true),
            (&account.email, &expert.display_name, &asker_contact, false),
        ] {
            let data = serde_json::json!({
                "name": name, "other": other, "for_asker": for_asker, "question": question.question,
            });
            let subject = format!("Kennismaking: {} en {}", question.name, expert.display_name);
            mail::enqueue(
                &transaction,
                self.mail,
                Mail { to, subject, template: "question_introduction", data, calendar: None },
            )
            .await?;
        }
        if [Status::Nieuw, Status::InBehandeling].iter().any(|status| status.slug() == question.status) {
            set_status(&transaction, question.id, Status::Gekoppeld).await?;
        }
        followup::plan(&transaction, question.id, Utc::now() + Duration::days(self.followup_days)).await?;
        let summary = format!("{} accepteerde en is voorgesteld aan de vrager", expert.display_name);
        audit::record_for(
            &transaction,
            Some(account.id),
            &expert.display_name,
            "expert accepteerde",
            "vraag",
            &question.id.to_string(),
            summary,
        )
        .await?;
        transaction.commit().await?;
        Ok(request_view(question, expert, &request.note, request.answer_by, State::Accepted))
    }

    /// The expert declines (with a reason, if they give one); the office is told.
    pub async fn decline(&self, token: &str, reason: &str) -> Result<Request, QuestionError> {
        let reason = checked_text("reason", "de reden", reason, MAX_REASON_CHARS)?;
        let transaction = db::begin_write(self.db).await?;
        let reason = Some(reason).filter(|reason| !reason.is_empty());
        let found = self.claim(&transaction, token, State::Declined, reason.clone()).await?;
        let Found { question, expert, account, request } = &found;
        let what = match &reason {
            Some(reason) => format!("{} kan niet helpen: {reason}", expert.display_name),
            None => format!("{} kan niet helpen.", expert.display_name),
        };
        self.tell_office(&transaction, question, &what).await?;
        audit::record_for(
            &transaction,
            Some(account.id),
            &expert.display_name,
            "expert wees af",
            "vraag",
            &question.id.to_string(),
            what,
        )
        .await?;
        transaction.commit().await?;
        Ok(request_view(question, expert, &request.note, request.answer_by, State::Declined))
    }

    /// Marks the requests nobody answered in time as expired and tells the office, each in a
    /// transaction of its own. Returns how many expired.
    pub async fn expire_overdue(&self) -> Result<usize, QuestionError> {
        let overdue = question_introduction::Entity::find()
            .filter(question_introduction::Column::Status.eq(State::Requested.slug()))
            .filter(question_introduction::Column::AnswerBy.lte(Utc::now()))
            .all(self.db)
            .await?;
        let mut expired = 0;
        for request in overdue {
            let transaction = db::begin_write(self.db).await?;
            if !claim_row(&transaction, request.id, State::Expired, None).await? {
                continue;
            }
            let (Some(question), Some(expert)) = (
                question::Entity::find_by_id(request.question_id).one(&transaction).await?,
                profile::Entity::find_by_id(request.profile_id).one(&transaction).await?,
            ) else {
                continue;
            };
            let what = format!("{} heeft niet binnen {} dagen gereageerd.", expert.display_name, self.answer_days);
            self.tell_office(&transaction, &question, &what).await?;
            audit::record_for(&transaction, None, "Oogst", "verzoek verlopen", "vraag", &question.id.to_string(), what)
                .await?;
            transaction.commit().await?;
            expired += 1;
        }
        Ok(expired)
    }

    /// Moves an open request on to `state`, or says the link is spent.
    async fn claim(
        &self,
        db: &impl ConnectionTrait,
        token: &str,
        state: State,
        reason: Option<String>,
    ) -> Result<Found, QuestionError> {
        let found = by_token(db, token).await?;
        // Without the asker's contact there is nobody to introduce.
        let asker_gone = found.question.personal_data_removed_at.is_some();
        if asker_gone
            || found.request.answer_by <= Utc::now()
            || !claim_row(db, found.request.id, state, reason).await?
        {
            return Err(QuestionError::RequestClosed);
        }
        Ok(found)
    }

    /// Mails the office member handling the question, or the whole office when nobody does.
    async fn tell_office(
        &self,
        db: &impl ConnectionTrait,
        question: &question::Model,
        what: &str,
    ) -> Result<(), QuestionError> {
        let office = office_members(db).await?;
        let handler = office.iter().filter(|member| Some(member.id) == question.handler_id).collect::<Vec<_>>();
        let recipients = if handler.is_empty() { office.iter().collect() } else { handler };
        for member in recipients {
            let data = serde_json::json!({
                "name": member.name,
                "what": what,
                "question": question.question,
                "link": self.mail.link(&format!("/beheer/vragen/{}?volgende=ja#experts", question.id)),
            });
            let subject = format!("Vraag {}: kies een volgende expert", question.id);
            mail::enqueue(
                db,
                self.mail,
                Mail { to: &member.email, subject, template: "question_request_closed", data, calendar: None },
            )
            .await?;
        }
        Ok(())
    }
}

/// The requests made for a question, oldest first.
pub async fn of_question(db: &impl ConnectionTrait, question_id: i32) -> Result<Vec<IntroductionView>, DbErr> {
    let rows = question_introduction::Entity::find()
        .filter(question_introduction::Column::QuestionId.eq(question_id))
        .order_by_asc(question_introduction::Column::Id)
        .find_also_related(profile::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(request, expert)| {
            let expert = expert?;
            let state = State::from_slug(&request.status)?;
            Some(IntroductionView {
                profile_id: expert.id,
                expert_slug: expert.slug,
                expert_name: expert.display_name,
                state,
                state_label: state.label(),
                requested_at: request.requested_at,
                answer_by: request.answer_by,
                answered_at: request.answered_at,
                decline_reason: request.decline_reason,
            })
        })
        .collect())
}

/// Per expert (profile id), the questions they are busy with: requests waiting for their
/// answer, and accepted ones whose question is not yet answered or closed.
pub async fn open_per_expert(db: &impl ConnectionTrait) -> Result<HashMap<i32, usize>, DbErr> {
    let rows = question_introduction::Entity::find()
        .filter(question_introduction::Column::Status.is_in([State::Requested.slug(), State::Accepted.slug()]))
        .find_also_related(question::Entity)
        .all(db)
        .await?;
    let finished = [Status::Beantwoord.slug(), Status::Afgesloten.slug()];
    let mut open = HashMap::new();
    for (request, question) in rows {
        if question.is_some_and(|question| !finished.contains(&question.status.as_str())) {
            *open.entry(request.profile_id).or_default() += 1;
        }
    }
    Ok(open)
}

fn request_view(
    question: &question::Model,
    expert: &profile::Model,
    note: &str,
    answer_by: DateTime<Utc>,
    state: State,
) -> Request {
    let place = [question.municipality.as_str(), question.province.as_deref().unwrap_or_default()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    Request {
        expert_name: expert.display_name.clone(),
        organisation: question.organisation.clone(),
        role: question.role.clone(),
        place,
        question: question.question.clone(),
        context: question.context.clone(),
        tried: question.tried.clone(),
        needed_by: question.needed_by.map(dutch_day),
        note: note.to_string(),
        answer_by: dutch_day(answer_by.date_naive()),
        open: state == State::Requested,
        state_label: state.label(),
    }
}

async fn by_token(db: &impl ConnectionTrait, token: &str) -> Result<Found, QuestionError> {
    let request = question_introduction::Entity::find()
        .filter(question_introduction::Column::TokenHash.eq(link_token::digest(token)))
        .one(db)
        .await?
        .ok_or(QuestionError::NotFound)?;
    let question = question::Entity::find_by_id(request.question_id).one(db).await?.ok_or(QuestionError::NotFound)?;
    let (expert, account) = profile::Entity::find_by_id(request.profile_id)
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .and_then(|(expert, account)| Some((expert, account?)))
        .ok_or(QuestionError::NotFound)?;
    Ok(Found { request, question, expert, account })
}

/// Moves a request that is still open to `state`; the conditional update is the claim, so of
/// two concurrent answers only one counts.
async fn claim_row(db: &impl ConnectionTrait, id: i32, state: State, reason: Option<String>) -> Result<bool, DbErr> {
    let claimed = question_introduction::Entity::update_many()
        .col_expr(question_introduction::Column::Status, Expr::value(state.slug()))
        .col_expr(question_introduction::Column::AnsweredAt, Expr::value(Some(Utc::now())))
        .col_expr(question_introduction::Column::DeclineReason, Expr::value(reason))
        .filter(question_introduction::Column::Id.eq(id))
        .filter(question_introduction::Column::Status.eq(State::Requested.slug()))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// The profiles (with their accounts) of `slugs` that are in the member directory.
async fn experts_in_directory(
    db: &impl ConnectionTrait,
    slugs: &[String],
) -> Result<Vec<(profile::Model, user::Model)>, DbErr> {
    let rows = profile::Entity::find()
        .filter(profile::Column::Slug.is_in(slugs.iter().cloned()))
        .filter(profile::Column::Listed.eq(true))
        .filter(profile::Column::HiddenByOffice.eq(false))
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(expert, account)| Some((expert, account.filter(|account| account.active)?)))
        .collect())
}

/// The first of `ids` already asked for the question.
async fn already_asked(db: &impl ConnectionTrait, question_id: i32, ids: &[i32]) -> Result<Option<i32>, DbErr> {
    Ok(question_introduction::Entity::find()
        .filter(question_introduction::Column::QuestionId.eq(question_id))
        .filter(question_introduction::Column::ProfileId.is_in(ids.iter().copied()))
        .one(db)
        .await?
        .map(|request| request.profile_id))
}

/// Asking experts takes a new question up: it is in handling, by the one who asked them if
/// nobody handled it yet.
async fn take_up(db: &impl ConnectionTrait, question: &question::Model, actor: &Actor) -> Result<(), DbErr> {
    if question.status == Status::Nieuw.slug() {
        set_status(db, question.id, Status::InBehandeling).await?;
    }
    if question.handler_id.is_none() {
        question::Entity::update_many()
            .col_expr(question::Column::HandlerId, Expr::value(Some(actor.user_id)))
            .filter(question::Column::Id.eq(question.id))
            .exec(db)
            .await?;
    }
    Ok(())
}
