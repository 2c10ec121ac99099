//! The office answers a question itself: a mail to the asker from the question's page, with
//! the practices (and their documents) it chose. The reply is kept on the question, the
//! practices are linked to it (they show with the question in the archive), the question
//! counts as answered and its follow-up is planned.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde::Serialize;

use entity::{question_practice, question_reply};

use super::{checked_text, confirmed, followup, set_status, QuestionError, Status};
use crate::actor::{policy, Actor};
use crate::audit;
use crate::db;
use crate::documents::{self, AttachedTo};
use crate::mail::{self, Mail, MailSettings};
use crate::practices;

/// The most practices one reply sends.
pub const MAX_PRACTICES: usize = 5;
const MAX_BODY_CHARS: usize = 10_000;

/// A reply as the question's page shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplyView {
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// What replying needs besides the database.
pub struct Replies<'a> {
    pub db: &'a DatabaseConnection,
    pub mail: &'a MailSettings,
    /// Days after the first help that the asker is asked whether it helped.
    pub followup_days: i64,
}

impl Replies<'_> {
    /// Mails the office's answer, with the published practices `practice_slugs`, to the asker.
    pub async fn reply(
        &self,
        actor: &Actor,
        question_id: i32,
        body: &str,
        practice_slugs: &[String],
    ) -> Result<(), QuestionError> {
        if !policy::can_manage_network(actor) {
            return Err(QuestionError::NotFound);
        }
        let body = checked_text("body", "het antwoord", body, MAX_BODY_CHARS)?;
        if body.is_empty() {
            return Err(QuestionError::field("body", "Schrijf het antwoord aan de vrager."));
        }
        let mut slugs = practice_slugs.to_vec();
        slugs.sort_unstable();
        slugs.dedup();
        if slugs.len() > MAX_PRACTICES {
            return Err(QuestionError::field("practices", "Stuur hoogstens vijf praktijken tegelijk mee."));
        }
        let transaction = db::begin_write(self.db).await?;
        let question = confirmed(&transaction, question_id).await?;
        if question.personal_data_removed_at.is_some() {
            return Err(QuestionError::field(
                "body",
                "De gegevens van de vrager zijn verwijderd; mailen kan niet meer.",
            ));
        }
        let mut sent = Vec::new();
        for slug in &slugs {
            let practice = practices::find_published(&transaction, slug).await?.ok_or_else(|| {
                QuestionError::field("practices", "Een gekozen praktijk is niet (meer) gepubliceerd.")
            })?;
            let files = documents::attached_to(&transaction, None, AttachedTo::Practice(practice.id)).await?;
            link_practice(&transaction, question_id, practice.id).await?;
            sent.push(serde_json::json!({
                "title": practice.title,
                "summary": practice.summary,
                "link": self.mail.link(&practice.url),
                "documents": files.iter().map(|file| serde_json::json!({
                    "title": file.title, "link": self.mail.link(&file.url),
                })).collect::<Vec<_>>(),
            }));
        }
        question_reply::ActiveModel {
            question_id: Set(question_id),
            author_id: Set(Some(actor.user_id)),
            author_name: Set(actor.name.clone()),
            body: Set(body.clone()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
        let data = serde_json::json!({
            "name": question.name, "question": question.question, "body": body,
            "author": actor.name, "practices": sent,
        });
        let subject = "Antwoord op uw vraag aan het programmabureau".to_string();
        mail::enqueue(
            &transaction,
            self.mail,
            Mail { to: &question.email, subject, template: "question_reply", data, calendar: None },
        )
        .await?;
        if question.closed_at.is_none() {
            set_status(&transaction, question_id, Status::Beantwoord).await?;
        }
        followup::plan(&transaction, question_id, Utc::now() + Duration::days(self.followup_days)).await?;
        let summary = format!("Antwoord gemaild, met {} praktijk(en)", slugs.len());
        audit::record(&transaction, actor, "beantwoord", "vraag", &question_id.to_string(), summary).await?;
        transaction.commit().await?;
        Ok(())
    }
}

async fn link_practice(db: &impl ConnectionTrait, question_id: i32, practice_id: i32) -> Result<(), DbErr> {
    let link = question_practice::ActiveModel { question_id: Set(question_id), practice_id: Set(practice_id) };
    question_practice::Entity::insert(link)
        .on_conflict(
            OnConflict::columns([question_practice::Column::QuestionId, question_practice::Column::PracticeId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The office's replies to a question, oldest first.
pub async fn of_question(db: &impl ConnectionTrait, question_id: i32) -> Result<Vec<ReplyView>, DbErr> {
    Ok(question_reply::Entity::find()
        .filter(question_reply::Column::QuestionId.eq(question_id))
        .order_by_asc(question_reply::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|reply| ReplyView { author_name: reply.author_name, body: reply.body, created_at: reply.created_at })
        .collect())
}
