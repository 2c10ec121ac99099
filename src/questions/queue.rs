//! The office's queue: confirmed questions, newest first, narrowed by status, handler, theme
//! and words in the question, a page at a time.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, Func, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::Serialize;

use entity::{question, question_theme, theme, user};

use super::{days_open, QuestionError, QuestionView, Source, Status, ThemeRef};
use crate::actor::{policy, Actor};
use crate::pagination::{Page, PageRequest};
use crate::vocabulary::Vocabulary;

/// Who handles the questions to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerFilter {
    /// Questions nobody handles yet.
    Nobody,
    Member(i32),
}

/// The queue's filters; each empty one lets everything through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: Option<Status>,
    pub handler: Option<HandlerFilter>,
    /// A theme's slug.
    pub theme: Option<String>,
    /// Words that must occur in the question or its context, in any case.
    pub text: Option<String>,
}

/// A question as a line of the queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub id: i32,
    pub name: String,
    pub organisation: String,
    pub question: String,
    pub status: Status,
    pub status_label: &'static str,
    pub handler: Option<String>,
    pub themes: Vec<ThemeRef>,
    pub days_open: i64,
    pub created_at: chrono::DateTime<Utc>,
}

impl From<QuestionView> for QueueItem {
    fn from(view: QuestionView) -> QueueItem {
        QueueItem {
            id: view.id,
            name: view.name,
            organisation: view.organisation,
            question: view.question,
            status: view.status,
            status_label: view.status_label,
            handler: view.handler,
            themes: view.themes,
            days_open: view.days_open,
            created_at: view.created_at,
        }
    }
}

/// One page of the queue, for the office only.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &QueueFilter,
    page: PageRequest,
) -> Result<Page<QueueItem>, QuestionError> {
    if !policy::can_manage_network(actor) {
        return Err(QuestionError::NotFound);
    }
    let paginator = question::Entity::find()
        .filter(condition(filter))
        .order_by_desc(question::Column::CreatedAt)
        .order_by_desc(question::Column::Id)
        .paginate(db, page.per_page);
    let total = paginator.num_items().await?;
    let rows = paginator.fetch_page(page.index()).await?;
    let items = views(db, rows).await?.into_iter().map(QueueItem::from).collect();
    Ok(Page::new(items, total, page))
}

fn condition(filter: &QueueFilter) -> Condition {
    let mut all = Condition::all().add(question::Column::ConfirmedAt.is_not_null());
    if let Some(status) = filter.status {
        all = all.add(question::Column::Status.eq(status.slug()));
    }
    match filter.handler {
        Some(HandlerFilter::Nobody) => all = all.add(question::Column::HandlerId.is_null()),
        Some(HandlerFilter::Member(id)) => all = all.add(question::Column::HandlerId.eq(id)),
        None => {}
    }
    if let Some(slug) = &filter.theme {
        let with_theme = Query::select()
            .column(question_theme::Column::QuestionId)
            .from(question_theme::Entity)
            .inner_join(
                theme::Entity,
                Expr::col((theme::Entity, theme::Column::Id))
                    .equals((question_theme::Entity, question_theme::Column::ThemeId)),
            )
            .and_where(Expr::col((theme::Entity, theme::Column::Slug)).eq(slug.as_str()))
            .to_owned();
        all = all.add(question::Column::Id.in_subquery(with_theme));
    }
    for word in filter.text.iter().flat_map(|text| text.split_whitespace()) {
        let pattern = LikeExpr::new(format!("%{}%", escape_like(&word.to_lowercase()))).escape('\\');
        let lower = |column: question::Column| Expr::expr(Func::lower(Expr::col(column)));
        all = all.add(
            Condition::any()
                .add(lower(question::Column::Question).like(pattern.clone()))
                .add(lower(question::Column::Context).like(pattern)),
        );
    }
    all
}

/// `text` with LIKE's wildcards taken literally.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The rows as the office sees them: with their themes, handler's name and days open.
pub(super) async fn views(db: &impl ConnectionTrait, rows: Vec<question::Model>) -> Result<Vec<QuestionView>, DbErr> {
    let ids: Vec<i32> = rows.iter().map(|row| row.id).collect();
    let mut themes: HashMap<i32, Vec<ThemeRef>> = HashMap::new();
    for (link, found) in question_theme::Entity::find()
        .filter(question_theme::Column::QuestionId.is_in(ids))
        .find_also_related(theme::Entity)
        .order_by_asc(question_theme::Column::QuestionId)
        .all(db)
        .await?
    {
        if let Some(found) = found {
            themes.entry(link.question_id).or_default().push(ThemeRef { slug: found.slug, name: found.name });
        }
    }
    let handler_ids: Vec<i32> = rows.iter().filter_map(|row| row.handler_id).collect();
    let handlers: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(handler_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|account| (account.id, account.name))
        .collect();
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|row| {
            let status = Status::from_slug(&row.status).unwrap_or(Status::Nieuw);
            let mut own_themes = themes.remove(&row.id).unwrap_or_default();
            own_themes.sort_by(|a, b| a.name.cmp(&b.name));
            QuestionView {
                id: row.id,
                days_open: days_open(&row, now),
                handler: row.handler_id.and_then(|id| handlers.get(&id).cloned()),
                status,
                status_label: status.label(),
                source_label: Source::label_of(&row.source),
                themes: own_themes,
                name: row.name,
                email: row.email,
                organisation: row.organisation,
                role: row.role,
                province: row.province,
                municipality: row.municipality,
                question: row.question,
                context: row.context,
                tried: row.tried,
                needed_by: row.needed_by,
                share_anonymised: row.share_anonymised,
                handler_id: row.handler_id,
                source: row.source,
                created_at: row.created_at,
                closed_at: row.closed_at,
                personal_data_removed_at: row.personal_data_removed_at,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
