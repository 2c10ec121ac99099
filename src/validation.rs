//! Field-level validation messages, in Dutch, keyed by field name so forms can show each
//! message beside its field and the API can return them all at once.

use std::collections::BTreeMap;
use std::fmt;

/// Field name → messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldErrors(BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_default().push(message.into());
    }

    /// The first message for a field.
    pub fn first(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(|messages| messages.first()).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<String> = self
            .0
            .iter()
            .flat_map(|(field, messages)| messages.iter().map(move |message| format!("{field}: {message}")))
            .collect();
        f.write_str(&messages.join("; "))
    }
}

/// Why creating or editing something did not happen; shared by the domain modules.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// Input that breaks the rules, per field.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// Not there, or not visible to this person; the message says what, in Dutch.
    #[error("{0}")]
    NotFound(&'static str),
    #[error("not allowed")]
    Forbidden,
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    /// The mail the change causes could not be written to the outbox.
    #[error(transparent)]
    Mail(#[from] crate::mail::MailError),
}

impl EditError {
    /// One field's message.
    pub fn field(field: &str, message: impl Into<String>) -> EditError {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        EditError::Invalid(errors)
    }
}

/// Slugs appear in URLs: lower-case letters, digits and single hyphens.
/// Whether `email` looks like an address: one `@`, a dot in the domain, no spaces.
pub fn email_is_plausible(email: &str) -> bool {
    let mut parts = email.split('@');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None) if !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
    )
}

pub fn slug_is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 120
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// A slug made from `title` that no row of `E` has in `column` yet: "dokwerk", else
/// "dokwerk-2", "dokwerk-3", …; `fallback` when the title has no letters or digits.
pub async fn free_slug<E>(
    db: &impl sea_orm::ConnectionTrait,
    column: E::Column,
    title: &str,
    fallback: &str,
) -> Result<String, sea_orm::DbErr>
where
    E: sea_orm::EntityTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter};
    let base: String = slug::slugify(title).chars().take(80).collect::<String>().trim_end_matches('-').to_string();
    let base = if base.is_empty() { fallback.to_string() } else { base };
    let mut candidate = base.clone();
    let mut number = 2;
    while E::find().filter(column.eq(candidate.as_str())).one(db).await?.is_some() {
        candidate = format!("{base}-{number}");
        number += 1;
    }
    Ok(candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(slug_is_valid("t-baken-lochem"));
        assert!(!slug_is_valid("T-Baken"));
        assert!(!slug_is_valid("a--b"));
        assert!(!slug_is_valid(""));
        assert!(!slug_is_valid("../etc"));
    }

    #[test]
    fn messages_are_grouped_per_field() {
        let mut errors = FieldErrors::default();
        errors.add("title", "Vul een titel in.");
        errors.add("title", "Te lang.");
        assert_eq!(errors.to_string(), "title: Vul een titel in.; title: Te lang.");
    }
}
