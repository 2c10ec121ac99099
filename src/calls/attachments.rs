//! Files an applicant attaches to their application, when the call allows it. They pass the
//! upload checks of documents (type by content, size, text read in a separate process) but
//! are never published or indexed: only the applicant and those who review the call see them.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use entity::{application, application_attachment, call, document};

use super::applications::{by_link, changeable_by_link, ApplyError};
use super::{phase, Phase};
use crate::db;
use crate::documents::files::{readable_size, FileStore};
use crate::documents::{receive_file, Uploads};
use crate::validation::{EditError, FieldErrors};

/// Attachments an application may have at most.
pub const MAX_ATTACHMENTS: u64 = 5;

/// An attachment as the application page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    pub id: i32,
    pub name: String,
    pub size: String,
}

pub async fn of(db: &impl ConnectionTrait, application_id: i32) -> Result<Vec<application_attachment::Model>, DbErr> {
    application_attachment::Entity::find()
        .filter(application_attachment::Column::ApplicationId.eq(application_id))
        .order_by_asc(application_attachment::Column::Id)
        .all(db)
        .await
}

pub fn views(attachments: &[application_attachment::Model]) -> Vec<AttachmentView> {
    attachments
        .iter()
        .map(|attachment| AttachmentView {
            id: attachment.id,
            name: attachment.file_name.clone(),
            size: readable_size(attachment.file_size.max(0) as u64),
        })
        .collect()
}

fn refused(message: impl Into<String>) -> ApplyError {
    let mut errors = FieldErrors::default();
    errors.add("file", message);
    ApplyError::Invalid(errors)
}

/// Whether `found` may get another attachment now.
async fn check_room(
    db: &impl ConnectionTrait,
    call: &call::Model,
    found: &application::Model,
) -> Result<(), ApplyError> {
    if !call.attachments_allowed {
        return Err(refused("Bij deze oproep kunt u geen bijlagen meesturen."));
    }
    match phase(call, Utc::now()) {
        Phase::Open => {}
        Phase::Upcoming => return Err(ApplyError::NotOpenYet),
        Phase::Closed => return Err(ApplyError::Closed),
    }
    let count = application_attachment::Entity::find()
        .filter(application_attachment::Column::ApplicationId.eq(found.id))
        .count(db)
        .await?;
    if count >= MAX_ATTACHMENTS {
        return Err(refused(format!("Een aanmelding heeft hoogstens {MAX_ATTACHMENTS} bijlagen.")));
    }
    Ok(())
}

/// Attaches a file to the draft behind a private link. The file is checked and stored
/// before the write transaction, which checks the application again.
pub async fn attach(
    db: &DatabaseConnection,
    uploads: &Uploads,
    token: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<application_attachment::Model, ApplyError> {
    let (call, found) = changeable_by_link(db, token).await?;
    check_room(db, &call, &found).await?;
    let (file, _text) = receive_file(uploads, file_name, bytes).await.map_err(|error| match error {
        EditError::Invalid(errors) => ApplyError::Invalid(errors),
        other => ApplyError::Database(DbErr::Custom(other.to_string())),
    })?;
    let transaction = db::begin_write(db).await?;
    let (call, found) = changeable_by_link(&transaction, token).await?;
    check_room(&transaction, &call, &found).await?;
    let saved = application_attachment::ActiveModel {
        application_id: Set(found.id),
        file_hash: Set(file.hash),
        file_name: Set(file.name),
        content_type: Set(file.content_type),
        file_size: Set(file.size),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&transaction)
    .await?;
    transaction.commit().await?;
    Ok(saved)
}

/// Removes an attachment from the draft behind a private link, and its file when nothing
/// else refers to it.
pub async fn detach(db: &DatabaseConnection, store: &FileStore, token: &str, id: i32) -> Result<(), ApplyError> {
    let transaction = db::begin_write(db).await?;
    let (_, found) = changeable_by_link(&transaction, token).await?;
    let attachment = find_of(&transaction, found.id, id).await?.ok_or(ApplyError::LinkInvalid)?;
    application_attachment::Entity::delete_by_id(attachment.id).exec(&transaction).await?;
    transaction.commit().await?;
    forget_unused_files(db, store, &[attachment.file_hash]).await?;
    Ok(())
}

/// An attachment of the application behind a private link, for its download.
pub async fn by_link_and_id(
    db: &impl ConnectionTrait,
    token: &str,
    id: i32,
) -> Result<application_attachment::Model, ApplyError> {
    let (_, found) = by_link(db, token).await?;
    find_of(db, found.id, id).await?.ok_or(ApplyError::LinkInvalid)
}

/// Attachment `id` when it belongs to the application.
pub async fn find_of(
    db: &impl ConnectionTrait,
    application_id: i32,
    id: i32,
) -> Result<Option<application_attachment::Model>, DbErr> {
    application_attachment::Entity::find_by_id(id)
        .filter(application_attachment::Column::ApplicationId.eq(application_id))
        .one(db)
        .await
}

/// Deletes the stored files among `hashes` that no document or attachment refers to any
/// more. Files are stored once by content, so another upload of the same file keeps it.
pub async fn forget_unused_files(db: &impl ConnectionTrait, store: &FileStore, hashes: &[String]) -> Result<(), DbErr> {
    for hash in hashes {
        let documents = document::Entity::find().filter(document::Column::FileHash.eq(hash)).count(db).await?;
        let attachments = application_attachment::Entity::find()
            .filter(application_attachment::Column::FileHash.eq(hash))
            .count(db)
            .await?;
        if documents + attachments == 0 {
            store.remove(hash).map_err(|error| DbErr::Custom(format!("removing a stored file: {error}")))?;
        }
    }
    Ok(())
}
