//! Recipients refusing relayed messages: from one sender, or (no sender) from everyone. Set
//! with a signed link from a relayed mail, which works without logging in, or on `/profiel`,
//! where refusals are undone too.

use chrono::Utc;
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use sha2::Sha256;

use entity::contact_block;

use super::{name_of, ContactError};
use crate::db;
use crate::mail::MailSettings;

/// What a refusal link stands for: `recipient` no longer wants messages from `sender`, or
/// from anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusalLink {
    pub recipient: i32,
    pub sender: Option<i32>,
}

/// The two links in a relayed mail's footer.
pub(super) struct Links {
    pub sender: String,
    pub everyone: String,
}

pub(super) fn links(settings: &MailSettings, recipient: i32, sender: i32) -> Links {
    Links {
        sender: link(settings, RefusalLink { recipient, sender: Some(sender) }),
        everyone: link(settings, RefusalLink { recipient, sender: None }),
    }
}

/// `/berichten/weigeren/{recipient}-{sender or "iedereen"}-{signature}`: nothing about it is
/// stored, and it works for as long as the secret stays.
fn link(settings: &MailSettings, refusal: RefusalLink) -> String {
    let signature = hex::encode(signature(settings, refusal).finalize().into_bytes());
    settings.link(&format!("/berichten/weigeren/{}-{}-{signature}", refusal.recipient, sender_part(refusal.sender)))
}

fn sender_part(sender: Option<i32>) -> String {
    sender.map_or_else(|| "iedereen".to_string(), |id| id.to_string())
}

fn signature(settings: &MailSettings, refusal: RefusalLink) -> Hmac<Sha256> {
    let mut signature = settings.link_signer.clone();
    signature.update(format!("refuse-messages\n{}\n{}", refusal.recipient, sender_part(refusal.sender)).as_bytes());
    signature
}

/// The refusal a link's token stands for, if we signed it.
pub fn read_link(settings: &MailSettings, token: &str) -> Result<RefusalLink, ContactError> {
    let mut parts = token.splitn(3, '-');
    let (Some(recipient), Some(sender), Some(given)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ContactError::LinkInvalid);
    };
    let recipient = recipient.parse().map_err(|_| ContactError::LinkInvalid)?;
    let sender = match sender {
        "iedereen" => None,
        id => Some(id.parse().map_err(|_| ContactError::LinkInvalid)?),
    };
    let refusal = RefusalLink { recipient, sender };
    let given = hex::decode(given).map_err(|_| ContactError::LinkInvalid)?;
    signature(settings, refusal).verify_slice(&given).map_err(|_| ContactError::LinkInvalid)?;
    Ok(refusal)
}

/// A refusal as its owner sees it on `/profiel`.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    /// None: refuses everyone.
    pub sender_id: Option<i32>,
    pub sender_name: Option<String>,
}

/// Whether `recipient` refuses messages from `sender`.
pub(super) async fn refuses(db: &impl ConnectionTrait, recipient: i32, sender: i32) -> Result<bool, DbErr> {
    let found = contact_block::Entity::find()
        .filter(contact_block::Column::RecipientUserId.eq(recipient))
        .filter(
            Condition::any()
                .add(contact_block::Column::SenderUserId.is_null())
                .add(contact_block::Column::SenderUserId.eq(sender)),
        )
        .one(db)
        .await?;
    Ok(found.is_some())
}

fn matching(refusal: RefusalLink) -> Condition {
    let sender = match refusal.sender {
        Some(id) => contact_block::Column::SenderUserId.eq(id),
        None => contact_block::Column::SenderUserId.is_null(),
    };
    Condition::all().add(contact_block::Column::RecipientUserId.eq(refusal.recipient)).add(sender)
}

/// Records the refusal; refusing twice changes nothing.
pub async fn refuse(db: &DatabaseConnection, refusal: RefusalLink) -> Result<(), DbErr> {
    let transaction = db::begin_write(db).await?;
    // Checked under the write lock: the unique index does not hold for "everyone" (NULL).
    let exists = contact_block::Entity::find().filter(matching(refusal)).one(&transaction).await?.is_some();
    if !exists {
        contact_block::ActiveModel {
            recipient_user_id: Set(refusal.recipient),
            sender_user_id: Set(refusal.sender),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&transaction)
        .await?;
    }
    transaction.commit().await
}

/// Undoes the refusal.
pub async fn allow(db: &DatabaseConnection, refusal: RefusalLink) -> Result<(), DbErr> {
    let transaction = db::begin_write(db).await?;
    contact_block::Entity::delete_many().filter(matching(refusal)).exec(&transaction).await?;
    transaction.commit().await
}

/// The account's refusals, "everyone" first, then by when they were made.
pub async fn refusals_of(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Refusal>, DbErr> {
    let found = contact_block::Entity::find()
        .filter(contact_block::Column::RecipientUserId.eq(user_id))
        .order_by_asc(contact_block::Column::Id)
        .all(db)
        .await?;
    let mut refusals = Vec::with_capacity(found.len());
    for block in found {
        let sender_name = match block.sender_user_id {
            Some(id) => Some(name_of(db, Some(id)).await?),
            None => None,
        };
        refusals.push(Refusal { sender_id: block.sender_user_id, sender_name });
    }
    refusals.sort_by_key(|refusal| refusal.sender_id.is_some());
    Ok(refusals)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> MailSettings {
        let config = crate::config::Config::for_data_dir(std::path::Path::new("/tmp"));
        MailSettings::from_config(&config, b"a secret of some length for tests").unwrap()
    }

    #[test]
    fn links_are_signed_and_read_back() {
        let settings = settings();
        let links = links(&settings, 7, 9);
        for (url, expected) in [
            (&links.sender, RefusalLink { recipient: 7, sender: Some(9) }),
            (&links.everyone, RefusalLink { recipient: 7, sender: None }),
        ] {
            let token = url.rsplit('/').next().unwrap();
            assert_eq!(read_link(&settings, token).unwrap(), expected);
        }
        let token = links.sender.rsplit('/').next().unwrap();
        let forged = token.replacen("7-", "8-", 1);
        assert!(read_link(&settings, &forged).is_err());
        assert!(read_link(&settings, "7-iedereen-zz").is_err());
        assert!(read_link(&settings, "nonsense").is_err());
    }
}
