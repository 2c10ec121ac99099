//! "Heeft dit geholpen?": planned when a question is first helped (an expert accepted, or the
//! office answered), mailed to the asker when due with a link per score (1–5), so answering
//! takes two clicks: the score in the mail, then the button on the page (where a remark may be
//! added). The answer shows on the question and in the figures.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;

use entity::{question, question_followup};

use super::{checked_text, QuestionError};
use crate::audit;
use crate::db;
use crate::link_token;
use crate::mail::{self, Mail, MailSettings};

const MAX_REMARK_CHARS: usize = 2_000;

/// Where the follow-up of a question stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Followup {
    pub due_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// 1 (did not help) to 5 (helped a lot), once the asker answered.
    pub score: Option<i32>,
    pub remark: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

impl From<question_followup::Model> for Followup {
    fn from(row: question_followup::Model) -> Followup {
        Followup {
            due_at: row.due_at,
            sent_at: row.sent_at,
            score: row.score,
            remark: row.remark,
            answered_at: row.answered_at,
        }
    }
}

/// The follow-up behind a link, with the question it asks about.
pub struct Asked {
    pub question: String,
    pub followup: Followup,
}

/// Plans the follow-up for `due_at`, unless one is planned already (the first help counts).
pub(super) async fn plan(db: &impl ConnectionTrait, question_id: i32, due_at: DateTime<Utc>) -> Result<(), DbErr> {
    let row = question_followup::ActiveModel {
        question_id: sea_orm::Set(question_id),
        due_at: sea_orm::Set(due_at),
        token_hash: sea_orm::Set(None),
        sent_at: sea_orm::Set(None),
        score: sea_orm::Set(None),
        remark: sea_orm::Set(None),
        answered_at: sea_orm::Set(None),
    };
    question_followup::Entity::insert(row)
        .on_conflict(OnConflict::column(question_followup::Column::QuestionId).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Mails the follow-ups that are due, each in a transaction of its own. Returns how many.
pub async fn send_due(db: &DatabaseConnection, settings: &MailSettings) -> Result<usize, QuestionError> {
    let due = question_followup::Entity::find()
        .filter(question_followup::Column::SentAt.is_null())
        .filter(question_followup::Column::DueAt.lte(Utc::now()))
        .find_also_related(question::Entity)
        .all(db)
        .await?;
    let mut sent = 0;
    for (followup, question) in due {
        let Some(question) = question.filter(|question| !question.email.is_empty()) else { continue };
        let transaction = db::begin_write(db).await?;
        let token = link_token::new();
        let claimed = question_followup::Entity::update_many()
            .col_expr(question_followup::Column::SentAt, Expr::value(Some(Utc::now())))
            .col_expr(question_followup::Column::TokenHash, Expr::value(Some(link_token::digest(&token))))
            .filter(question_followup::Column::QuestionId.eq(followup.question_id))
            .filter(question_followup::Column::SentAt.is_null())
            .exec(&transaction)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let link = settings.link(&format!("/vraag/geholpen/{token}"));
        let scores =
            (1..=5).map(|score| serde_json::json!({ "score": score, "link": format!("{link}?cijfer={score}") }));
        let data = serde_json::json!({
            "name": question.name,
            "question": question.question,
            "scores": scores.collect::<Vec<_>>(),
        });
        let subject = "Heeft dit geholpen?".to_string();
        mail::enqueue(
            &transaction,
            settings,
            Mail { to: &question.email, subject, template: "question_followup", data, calendar: None },
        )
        .await?;
        let key = question.id.to_string();
        audit::record_for(&transaction, None, "Oogst", "vervolgvraag gemaild", "vraag", &key, "Heeft dit geholpen?")
            .await?;
        transaction.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// The follow-up of a question, if one is planned.
pub async fn of_question(db: &impl ConnectionTrait, question_id: i32) -> Result<Option<Followup>, DbErr> {
    Ok(question_followup::Entity::find_by_id(question_id).one(db).await?.map(Followup::from))
}

/// The follow-up a link was mailed for.
pub async fn read(db: &impl ConnectionTrait, token: &str) -> Result<Asked, QuestionError> {
    let (followup, question) = question_followup::Entity::find()
        .filter(question_followup::Column::TokenHash.eq(link_token::digest(token)))
        .find_also_related(question::Entity)
        .one(db)
        .await?
        .and_then(|(followup, question)| Some((followup, question?)))
        .ok_or(QuestionError::NotFound)?;
    Ok(Asked { question: question.question, followup: followup.into() })
}

/// Records the asker's answer: a score of 1 to 5 and a remark. A link answers once.
pub async fn answer(db: &DatabaseConnection, token: &str, score: i32, remark: &str) -> Result<(), QuestionError> {
    if !(1..=5).contains(&score) {
        return Err(QuestionError::field("score", "Kies een cijfer van 1 tot en met 5."));
    }
    let remark = checked_text("remark", "de opmerking", remark, MAX_REMARK_CHARS)?;
    let transaction = db::begin_write(db).await?;
    let followup = question_followup::Entity::find()
        .filter(question_followup::Column::TokenHash.eq(link_token::digest(token)))
        .one(&transaction)
        .await?
        .ok_or(QuestionError::NotFound)?;
    let answered = question_followup::Entity::update_many()
        .col_expr(question_followup::Column::Score, Expr::value(Some(score)))
        .col_expr(question_followup::Column::Remark, Expr::value(Some(remark).filter(|remark| !remark.is_empty())))
        .col_expr(question_followup::Column::AnsweredAt, Expr::value(Some(Utc::now())))
        .filter(question_followup::Column::QuestionId.eq(followup.question_id))
        .filter(question_followup::Column::AnsweredAt.is_null())
        .exec(&transaction)
        .await?;
    if answered.rows_affected != 1 {
        return Err(QuestionError::RequestClosed);
    }
    let summary = format!("De vrager gaf de hulp een {score} van 5");
    let key = followup.question_id.to_string();
    audit::record_for(&transaction, None, "De vrager", "vrager gaf cijfer", "vraag", &key, summary).await?;
    transaction.commit().await?;
    Ok(())
}
