//! What an asker fills in, checked once: the form and `POST /api/v1/questions` both arrive as
//! a [`QuestionInput`] and become a [`NewQuestion`] only when every rule holds.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::taxonomy;
use crate::validation::{email_is_plausible, has_forbidden_chars, FieldErrors, FORBIDDEN_CHARS_MESSAGE};

/// A question must say enough for the office to act on it.
pub const MIN_QUESTION_CHARS: usize = 20;
pub const MAX_QUESTION_CHARS: usize = 5_000;
const MAX_LINE_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 5_000;

/// A question as the asker sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    /// Required without a token; a signed-in member's own name is used when empty.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: String,
    /// Required; the confirmation mail goes here when asked without an account.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub email: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub organisation: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub role: String,
    /// One of the twelve provinces, or empty.
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub municipality: String,
    #[schema(min_length = 20, max_length = 5000)]
    pub question: String,
    /// The situation the question arises in.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub context: String,
    /// What the asker tried already.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub tried: String,
    /// By when the asker needs help (YYYY-MM-DD), today or later.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub needed_by: Option<String>,
    /// Whether the question may join the public archive, anonymised, once answered.
    #[serde(default)]
    pub share_anonymised: bool,
}

/// A question that passed every rule: trimmed, province spelled as in the taxonomy, the date
/// parsed. Only [`NewQuestion::parse`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuestion(QuestionInput, Option<NaiveDate>);

impl NewQuestion {
    /// The input checked against `today`, or a Dutch message per field.
    pub fn parse(input: &QuestionInput, today: NaiveDate) -> Result<NewQuestion, FieldErrors> {
        let mut errors = FieldErrors::default();
        let trimmed = QuestionInput {
            name: input.name.trim().to_string(),
            email: input.email.trim().to_lowercase(),
            organisation: input.organisation.trim().to_string(),
            role: input.role.trim().to_string(),
            province: String::new(),
            municipality: input.municipality.trim().to_string(),
            question: input.question.trim().to_string(),
            context: input.context.trim().to_string(),
            tried: input.tried.trim().to_string(),
            needed_by: None,
            share_anonymised: input.share_anonymised,
        };
        if trimmed.name.is_empty() {
            errors.add("name", "Vul uw naam in.");
        }
        if !email_is_plausible(&trimmed.email) || trimmed.email.parse::<lettre::Address>().is_err() {
            errors.add("email", format!("'{}' is geen geldig e-mailadres.", trimmed.email));
        }
        for (field, text, label) in [
            ("name", &trimmed.name, "Uw naam"),
            ("email", &trimmed.email, "Het e-mailadres"),
            ("organisation", &trimmed.organisation, "De organisatie"),
            ("role", &trimmed.role, "De functie"),
            ("municipality", &trimmed.municipality, "De gemeente"),
        ] {
            check_length(&mut errors, field, text, label, MAX_LINE_CHARS);
            if text.contains(['\r', '\n']) {
                errors.add(field, format!("{label} moet op één regel passen."));
            }
        }
        let length = trimmed.question.chars().count();
        if length < MIN_QUESTION_CHARS {
            errors.add(
                "question",
                format!("Beschrijf uw vraag in minstens {MIN_QUESTION_CHARS} tekens, zodat we u goed kunnen helpen."),
            );
        }
        check_length(&mut errors, "question", &trimmed.question, "Uw vraag", MAX_QUESTION_CHARS);
        check_length(&mut errors, "context", &trimmed.context, "De situatie", MAX_TEXT_CHARS);
        check_length(&mut errors, "tried", &trimmed.tried, "Wat u al probeerde", MAX_TEXT_CHARS);
        for (field, text) in [
            ("name", &input.name),
            ("email", &input.email),
            ("organisation", &input.organisation),
            ("role", &input.role),
            ("province", &input.province),
            ("municipality", &input.municipality),
            ("question", &input.question),
            ("context", &input.context),
            ("tried", &input.tried),
        ] {
            if has_forbidden_chars(text) {
                errors.add(field, FORBIDDEN_CHARS_MESSAGE);
            }
        }
        let province = parse_province(&input.province, &mut errors);
        let needed_by = parse_needed_by(input.needed_by.as_deref(), today, &mut errors);
        errors.into_result()?;
        Ok(NewQuestion(QuestionInput { province, ..trimmed }, needed_by))
    }

    pub fn fields(&self) -> &QuestionInput {
        &self.0
    }

    pub fn needed_by(&self) -> Option<NaiveDate> {
        self.1
    }
}

fn check_length(errors: &mut FieldErrors, field: &str, text: &str, label: &str, max: usize) {
    let length = text.chars().count();
    if length > max {
        errors.add(field, format!("{label} mag hooguit {max} tekens lang zijn (nu {length})."));
    }
}

/// The province as spelled in the taxonomy; empty stays empty.
fn parse_province(text: &str, errors: &mut FieldErrors) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    match taxonomy::province(text) {
        Some(province) => province.to_string(),
        None => {
            errors.add("province", format!("Kies een provincie uit de lijst: {}.", taxonomy::PROVINCES.join(", ")));
            String::new()
        }
    }
}

fn parse_needed_by(text: Option<&str>, today: NaiveDate, errors: &mut FieldErrors) -> Option<NaiveDate> {
    let text = text.map(str::trim).filter(|text| !text.is_empty())?;
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if date < today => {
            errors.add("needed_by", "Deze datum is al voorbij; kies vandaag of een latere datum.");
            None
        }
        Ok(date) => Some(date),
        Err(_) => {
            errors.add("needed_by", "Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2027-03-01.");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 14).expect("a date")
    }

    fn valid() -> QuestionInput {
        QuestionInput {
            name: " Anouk de Vries ".into(),
            email: "Anouk@Example.nl".into(),
            province: "zuid-holland".into(),
            question: "Hoe krijgen we thuiszitters weer naar school?".into(),
            needed_by: Some("2027-01-31".into()),
            ..QuestionInput::default()
        }
    }

    #[test]
    fn a_valid_question_is_trimmed_and_spelled_as_the_taxonomy() {
        let parsed = NewQuestion::parse(&valid(), today()).expect("valid");
        assert_eq!(parsed.fields().name, "Anouk de Vries");
        assert_eq!(parsed.fields().email, "anouk@example.nl");
        assert_eq!(parsed.fields().province, "Zuid-Holland");
        assert_eq!(parsed.needed_by(), NaiveDate::from_ymd_opt(2027, 1, 31));
    }

    #[test]
    fn every_broken_rule_is_named_at_its_field() {
        let input = QuestionInput {
            name: String::new(),
            email: "geen-adres".into(),
            province: "Vlaanderen".into(),
            question: "Te kort".into(),
            context: "a\u{0}b".into(),
            needed_by: Some("2026-12-13".into()),
            ..QuestionInput::default()
        };
        let errors = NewQuestion::parse(&input, today()).expect_err("invalid");
        for field in ["name", "email", "province", "question", "context", "needed_by"] {
            assert!(errors.first(field).is_some(), "{field}: {errors}");
        }
    }

    #[test]
    fn dates_are_checked() {
        let mut input = valid();
        input.needed_by = Some("31-01-2027".into());
        assert!(NewQuestion::parse(&input, today()).is_err());
        input.needed_by = Some("2026-12-14".into());
        assert!(NewQuestion::parse(&input, today()).is_ok());
        input.needed_by = Some(String::new());
        assert_eq!(NewQuestion::parse(&input, today()).expect("valid").needed_by(), None);
    }
}
