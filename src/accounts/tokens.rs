//! Single-use links: invitations (7 days), password resets (1 hour), email verification.
//! A link is used by one conditional UPDATE, so two concurrent uses cannot both succeed.

use std::collections::BTreeSet;

use crate::link_token;
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use entity::one_time_token;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    PasswordReset,
    EmailVerification,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailVerification => "email_verification",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            Purpose::Invitation => Duration::days(7),
            Purpose::PasswordReset => Duration::hours(1),
            Purpose::EmailVerification => Duration::days(2),
        }
    }
}

/// Creates a link token for the user; the plain token goes into the mail, only its hash
/// into the database.
pub async fn issue(db: &impl ConnectionTrait, user_id: i32, purpose: Purpose) -> Result<String, DbErr> {
    let token = link_token::new();
    let now = Utc::now();
    one_time_token::ActiveModel {
        token_hash: Set(link_token::digest(&token)),
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_string()),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The user a still valid token belongs to, without using it (to show the right form).
pub async fn peek(db: &impl ConnectionTrait, token: &str, purpose: Purpose) -> Result<Option<i32>, DbErr> {
    Ok(valid(token, purpose).one(db).await?.map(|found| found.user_id))
}

fn valid(token: &str, purpose: Purpose) -> sea_orm::Select<one_time_token::Entity> {
    one_time_token::Entity::find()
        .filter(one_time_token::Column::TokenHash.eq(link_token::digest(token)))
        .filter(one_time_token::Column::Purpose.eq(purpose.as_str()))
        .filter(one_time_token::Column::UsedAt.is_null())
        .filter(one_time_token::Column::ExpiresAt.gt(Utc::now()))
}

/// Uses the token: returns its user if this call was the one that used it.
pub async fn consume(db: &impl ConnectionTrait, token: &str, purpose: Purpose) -> Result<Option<i32>, DbErr> {
    let Some(found) = valid(token, purpose).one(db).await? else { return Ok(None) };
    let used = one_time_token::Entity::update_many()
        .col_expr(one_time_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(one_time_token::Column::Id.eq(found.id))
        .filter(one_time_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok((used.rows_affected == 1).then_some(found.user_id))
}

/// Removes every link of a user, used or not (when the account is deleted).
pub async fn delete_all(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    one_time_token::Entity::delete_many().filter(one_time_token::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(())
}

/// The users that ever got a link for `purpose`, used or not.
pub async fn users_with(db: &impl ConnectionTrait, purpose: Purpose) -> Result<BTreeSet<i32>, DbErr> {
    let found =
        one_time_token::Entity::find().filter(one_time_token::Column::Purpose.eq(purpose.as_str())).all(db).await?;
    Ok(found.into_iter().map(|token| token.user_id).collect())
}
