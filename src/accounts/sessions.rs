//! Sessions: a row per login, and a JWT (HS256, pinned) naming it. The token is checked
//! for signature, `exp`, `iss` and `aud`; the row makes logout real.

use chrono::{Duration, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};

use entity::session;

/// The audience every Oogst token is issued for.
pub const AUDIENCE: &str = "oogst";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    jti: String,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
}

/// Signs and checks session tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    lifetime: Duration,
}

/// A token that checked out: whose session it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub user_id: i32,
    pub session_id: String,
}

/// A session just started: the token to hand out and when it ends.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub expires_in: Duration,
}

impl TokenKeys {
    pub fn new(secret: &[u8], issuer: String, lifetime: Duration) -> Result<TokenKeys, jsonwebtoken::errors::Error> {
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            issuer,
            lifetime,
        })
    }

    fn validation(&self) -> Validation {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        // A token that is not valid yet was not issued by us (we never set `nbf` ahead).
        validation.validate_nbf = true;
        validation
    }

    /// Checks signature, algorithm, expiry, issuer and audience (not yet revocation).
    pub fn verify(&self, token: &str) -> Option<VerifiedToken> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation()).ok()?;
        Some(VerifiedToken { user_id: data.claims.sub.parse().ok()?, session_id: data.claims.jti })
    }

    /// Starts a session for the user.
    pub async fn start(&self, db: &impl ConnectionTrait, user_id: i32) -> Result<NewSession, DbErr> {
        let now = Utc::now();
        let id = uuid::Uuid::new_v4().to_string();
        session::ActiveModel {
            id: Set(id.clone()),
            user_id: Set(user_id),
            created_at: Set(now),
            expires_at: Set(now + self.lifetime),
            revoked_at: Set(None),
        }
        .insert(db)
        .await?;
        let claims = Claims {
            sub: user_id.to_string(),
            jti: id,
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: (now + self.lifetime).timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|error| DbErr::Custom(format!("signing a session token: {error}")))?;
        Ok(NewSession { token, expires_in: self.lifetime })
    }
}

/// Whether the token names a session of its own subject that is neither revoked nor
/// expired. Binding the row to the subject means a token re-signed for another user
/// (with a leaked key) cannot borrow a live session.
pub async fn is_live(db: &impl ConnectionTrait, token: &VerifiedToken) -> Result<bool, DbErr> {
    let found = session::Entity::find_by_id(token.session_id.clone()).one(db).await?;
    Ok(found.is_some_and(|session| {
        session.user_id == token.user_id && session.revoked_at.is_none() && session.expires_at > Utc::now()
    }))
}

pub async fn revoke(db: &impl ConnectionTrait, session_id: &str) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user (after a password reset).
pub async fn revoke_all(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Removes every session of a user (when the account is deleted): a token of theirs then
/// names no session and is refused.
pub async fn delete_all(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"0123456789abcdef0123456789abcdef", "http://oogst.test".into(), Duration::hours(1)).unwrap()
    }

    fn sign(claims: &Claims, algorithm: Algorithm, secret: &[u8]) -> String {
        encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(secret).unwrap()).unwrap()
    }

    fn claims(exp: i64, aud: &str) -> Claims {
        Claims {
            sub: "7".into(),
            jti: "s".into(),
            iss: "http://oogst.test".into(),
            aud: aud.into(),
            iat: Utc::now().timestamp(),
            exp,
        }
    }

    #[test]
    fn valid_tokens_pass_and_tampered_ones_do_not() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let later = (Utc::now() + Duration::hours(1)).timestamp();
        let good = sign(&claims(later, AUDIENCE), Algorithm::HS256, secret);
        assert_eq!(keys().verify(&good), Some(VerifiedToken { user_id: 7, session_id: "s".into() }));

        let expired = sign(&claims((Utc::now() - Duration::hours(1)).timestamp(), AUDIENCE), Algorithm::HS256, secret);
        assert_eq!(keys().verify(&expired), None);
        let foreign = sign(&claims(later, "iemand-anders"), Algorithm::HS256, secret);
        assert_eq!(keys().verify(&foreign), None);
        let wrong_key = sign(&claims(later, AUDIENCE), Algorithm::HS256, b"another secret of 32 characters!");
        assert_eq!(keys().verify(&wrong_key), None);
        let other_algorithm = sign(&claims(later, AUDIENCE), Algorithm::HS512, secret);
        assert_eq!(keys().verify(&other_algorithm), None);
        // alg "none": header and claims, no signature.
        let mut parts = good.split('.');
        let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#), {
            parts.next();
            parts.next().unwrap()
        });
        assert_eq!(keys().verify(&none), None);
    }

    #[test]
    fn tokens_valid_only_later_are_refused() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let later = (Utc::now() + Duration::hours(1)).timestamp();
        let mut claims = serde_json::to_value(claims(later, AUDIENCE)).unwrap();
        claims["nbf"] = (Utc::now() + Duration::minutes(30)).timestamp().into();
        let token =
            encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret).unwrap()).unwrap();
        assert_eq!(keys().verify(&token), None);
    }
}
