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

    /// Every (field, message), by field.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .flat_map(|(field, messages)| messages.iter().map(move |message| (field.as_str(), message.as_str())))
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

/// Whether `email` looks like an address: one `@`, a dot in the domain, no spaces.
pub fn email_is_plausible(email: &str) -> bool {
    let mut parts = email.split('@');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None) if !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
    )
}

/// Slugs appear in URLs: lower-case letters, digits and single hyphens.
pub fn slug_is_valid(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 120
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// Characters no text of ours may hold: control characters other than tab, line feed and
/// carriage return (NUL breaks PostgreSQL, the rest break XML feeds and calendars), and the
/// non-characters U+FFFE and U+FFFF.
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

pub fn has_forbidden_chars(text: &str) -> bool {
    text.chars().any(is_forbidden_char)
}

/// The text with each forbidden character replaced by a space.
pub fn without_forbidden_chars(text: &str) -> String {
    text.chars().map(|c| if is_forbidden_char(c) { ' ' } else { c }).collect()
}

/// The message for text with such characters, for forms and the API alike.
pub const FORBIDDEN_CHARS_MESSAGE: &str =
    "De invoer bevat een onzichtbaar stuurteken (zoals een NUL-teken). Haal het weg en probeer het opnieuw.";

/// A link people may follow: an absolute http or https URL with a host, so `javascript:`,
/// `data:` and the like never become a link on a page.
pub fn is_web_url(text: &str) -> bool {
    url::Url::parse(text.trim()).is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// The message for a URL that [`is_web_url`] refuses.
pub const WEB_URL_MESSAGE: &str = "Vul een volledig webadres in dat met http:// of https:// begint.";

/// `next` if it is a plain path on this site ("/agenda?periode=voorbij"): it starts with one
/// slash and holds no backslash, whitespace or control character, which browsers drop or
/// bend into a link to another site ("/\t/evil.example" becomes "//evil.example").
pub fn local_path(next: &str) -> Option<&str> {
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control());
    plain.then_some(next)
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
    fn only_plain_local_paths_are_redirect_targets() {
        assert_eq!(local_path("/agenda?periode=voorbij"), Some("/agenda?periode=voorbij"));
        for outside in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/\n/x",
            "/\r",
            "/\u{b}x",
            "/ x",
            "evil",
            "",
        ] {
            assert_eq!(local_path(outside), None, "{outside:?}");
        }
    }

    #[test]
    fn only_web_urls_are_links() {
        assert!(is_web_url("https://www.example.nl/dokwerk"));
        assert!(is_web_url(" http://example.nl "));
        for other in
            ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "https://", "www.example.nl", ""]
        {
            assert!(!is_web_url(other), "{other}");
        }
    }

    #[test]
    fn control_characters_are_forbidden_but_line_breaks_are_not() {
        assert!(!has_forbidden_chars("Regel één\nregel twee\tmet tab\r\n"));
        for bad in ["a\0b", "a\u{7}", "a\u{1b}[31m", "a\u{7f}", "a\u{85}", "a\u{ffff}"] {
            assert!(has_forbidden_chars(bad), "{bad:?}");
        }
        assert_eq!(without_forbidden_chars("pagina 1\u{c}pagina\0 2\n"), "pagina 1 pagina  2\n");
    }

    #[test]
    fn messages_are_grouped_per_field() {
        let mut errors = FieldErrors::default();
        errors.add("title", "Vul een titel in.");
        errors.add("title", "Te lang.");
        assert_eq!(errors.to_string(), "title: Vul een titel in.; title: Te lang.");
    }
}

/// Whole numbers in JSON input as JSON Schema (and so OpenAPI 3.1) counts them: `20` and
/// `20.0` alike. Used with `#[serde(deserialize_with)]` on integer input fields.
pub mod whole_number {
    use serde::de::{self, Deserializer, Visitor};
    use serde::Deserialize;

    struct WholeNumber(i32);

    impl<'de> Deserialize<'de> for WholeNumber {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WholeNumber, D::Error> {
            deserializer.deserialize_i64(WholeNumberVisitor)
        }
    }

    struct WholeNumberVisitor;

    impl Visitor<'_> for WholeNumberVisitor {
        type Value = WholeNumber;

        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a whole number")
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<WholeNumber, E> {
            i32::try_from(value).map(WholeNumber).map_err(|_| E::custom(format!("{value} is too large")))
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<WholeNumber, E> {
            i32::try_from(value).map(WholeNumber).map_err(|_| E::custom(format!("{value} is too large")))
        }

        fn visit_f64<E: de::Error>(self, value: f64) -> Result<WholeNumber, E> {
            if value.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&value) {
                Ok(WholeNumber(value as i32))
            } else {
                Err(E::custom(format!("{value} is not a whole number")))
            }
        }
    }

    pub fn one<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i32, D::Error> {
        WholeNumber::deserialize(deserializer).map(|number| number.0)
    }

    pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i32>, D::Error> {
        Option::<WholeNumber>::deserialize(deserializer).map(|number| number.map(|number| number.0))
    }

    pub fn list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<i32>, D::Error> {
        Vec::<WholeNumber>::deserialize(deserializer)
            .map(|numbers| numbers.into_iter().map(|number| number.0).collect())
    }

    #[cfg(test)]
    mod tests {
        #[derive(serde::Deserialize)]
        struct Input {
            #[serde(deserialize_with = "super::one")]
            one: i32,
            #[serde(default, deserialize_with = "super::optional")]
            optional: Option<i32>,
            #[serde(default, deserialize_with = "super::list")]
            list: Vec<i32>,
        }

        #[test]
        fn integral_floats_count_as_whole_numbers() {
            let input: Input = serde_json::from_str(r#"{"one": 20.0, "optional": -3, "list": [1, 2.0]}"#).unwrap();
            assert_eq!((input.one, input.optional, input.list), (20, Some(-3), vec![1, 2]));
            let input: Input = serde_json::from_str(r#"{"one": 1}"#).unwrap();
            assert_eq!((input.optional, input.list), (None, vec![]));
            for wrong in [r#"{"one": 1.5}"#, r#"{"one": 3000000000}"#, r#"{"one": "1"}"#, r#"{"one": 1e300}"#] {
                assert!(serde_json::from_str::<Input>(wrong).is_err(), "{wrong}");
            }
            let form: Input = serde_urlencoded::from_str("one=20&optional=4").unwrap();
            assert_eq!((form.one, form.optional), (20, Some(4)));
        }
    }
}
