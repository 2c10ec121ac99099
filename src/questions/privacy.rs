//! The askers' personal data (AVG): removed a set time after a question is closed, and when
//! the asker's account is deleted. What goes: the asker's name, address, organisation, role
//! and municipality, their own words (question, context, what they tried), the office's
//! replies and notes to experts (written to or about them) and the remark of their
//! follow-up. What stays, for the figures and the archive: status, themes, province, dates,
//! the follow-up score and the anonymised texts the office published.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;

use entity::{question, question_followup, question_introduction, question_reply};

use super::QuestionView;
use crate::db;

/// A request to help with a question, as the expert's download holds it.
#[derive(Debug, Serialize)]
pub struct RequestToHelp {
    pub question_id: i32,
    pub status: String,
    pub requested_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub decline_reason: Option<String>,
}

/// The questions someone asked under their account or address, as the office sees them.
pub async fn asked_by(db: &impl ConnectionTrait, user_id: i32, email: &str) -> Result<Vec<QuestionView>, DbErr> {
    let theirs = Condition::any()
        .add(question::Column::AskerUserId.eq(user_id))
        .add(question::Column::Email.eq(email.to_lowercase()));
    let rows = question::Entity::find().filter(theirs).order_by_asc(question::Column::Id).all(db).await?;
    super::queue::views(db, rows).await
}

/// The requests to help that went to the expert with this profile.
pub async fn requests_to(db: &impl ConnectionTrait, profile_id: i32) -> Result<Vec<RequestToHelp>, DbErr> {
    Ok(question_introduction::Entity::find()
        .filter(question_introduction::Column::ProfileId.eq(profile_id))
        .order_by_asc(question_introduction::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|request| RequestToHelp {
            question_id: request.question_id,
            status: request.status,
            requested_at: request.requested_at,
            answered_at: request.answered_at,
            decline_reason: request.decline_reason,
        })
        .collect())
}

/// What the office's pages show instead of a removed question text.
pub const REMOVED_TEXT: &str = "(De tekst van de vrager is verwijderd na de bewaartermijn.)";

/// Removes the personal data of questions closed longer ago than `keep`. Returns how many.
pub async fn remove_expired(db: &DatabaseConnection, keep: Duration) -> Result<usize, DbErr> {
    let expired = Condition::all()
        .add(question::Column::PersonalDataRemovedAt.is_null())
        .add(question::Column::ClosedAt.lt(Utc::now() - keep));
    let transaction = db::begin_write(db).await?;
    let removed = remove_where(&transaction, expired).await?;
    transaction.commit().await?;
    Ok(removed)
}

/// Removes the personal data of the questions someone asked under their account or address,
/// as part of deleting that account.
pub async fn forget_asker(db: &impl ConnectionTrait, user_id: i32, email: &str) -> Result<usize, DbErr> {
    let theirs = Condition::any()
        .add(question::Column::AskerUserId.eq(user_id))
        .add(question::Column::Email.eq(email.to_lowercase()));
    remove_where(db, Condition::all().add(question::Column::PersonalDataRemovedAt.is_null()).add(theirs)).await
}

async fn remove_where(db: &impl ConnectionTrait, condition: Condition) -> Result<usize, DbErr> {
    let ids: Vec<i32> = question::Entity::find()
        .select_only()
        .column(question::Column::Id)
        .filter(condition)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let empty = || Expr::value("");
    question::Entity::update_many()
        .col_expr(question::Column::Name, empty())
        .col_expr(question::Column::Email, empty())
        .col_expr(question::Column::Organisation, empty())
        .col_expr(question::Column::Role, empty())
        .col_expr(question::Column::Municipality, empty())
        .col_expr(question::Column::Question, Expr::value(REMOVED_TEXT))
        .col_expr(question::Column::Context, empty())
        .col_expr(question::Column::Tried, empty())
        .col_expr(question::Column::AskerUserId, Expr::value(Option::<i32>::None))
        .col_expr(question::Column::PersonalDataRemovedAt, Expr::value(Some(Utc::now())))
        .filter(question::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    question_reply::Entity::delete_many()
        .filter(question_reply::Column::QuestionId.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    question_introduction::Entity::update_many()
        .col_expr(question_introduction::Column::Note, empty())
        .filter(question_introduction::Column::QuestionId.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    question_followup::Entity::update_many()
        .col_expr(question_followup::Column::Remark, Expr::value(Option::<String>::None))
        .filter(question_followup::Column::QuestionId.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(ids.len())
}
