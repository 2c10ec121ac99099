//! Handlebars templates, embedded in the binary so it runs from any folder.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike};
use chrono_tz::Europe::Amsterdam;
use handlebars::{handlebars_helper, Handlebars};
use rust_embed::RustEmbed;
use serde::Serialize;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

static TEMPLATES: LazyLock<Handlebars<'static>> = LazyLock::new(|| registry(true));
/// The same templates without HTML escaping, for the plain-text part of mails.
static TEXT_TEMPLATES: LazyLock<Handlebars<'static>> = LazyLock::new(|| registry(false));

fn registry(escape_html: bool) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    if !escape_html {
        registry.register_escape_fn(handlebars::no_escape);
    }
    registry
        .register_embed_templates_with_extension::<TemplateFiles>(".hbs")
        .expect("embedded templates compile (checked by tests)");
    registry.register_helper("dutch_date", Box::new(date_helper));
    registry.register_helper("iso_day", Box::new(iso_day_helper));
    registry
}

#[derive(Debug, thiserror::Error)]
#[error("template {name}: {source}")]
pub struct RenderError {
    name: String,
    source: handlebars::RenderError,
}

pub fn render(name: &str, data: &impl Serialize) -> Result<String, RenderError> {
    TEMPLATES.render(name, data).map_err(|source| RenderError { name: name.to_string(), source })
}

pub fn render_text(name: &str, data: &impl Serialize) -> Result<String, RenderError> {
    TEXT_TEMPLATES.render(name, data).map_err(|source| RenderError { name: name.to_string(), source })
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "12 maart 2026" for an RFC 3339 time: the day it is in the Netherlands (an event at
/// half past midnight is on that day, not the one before as in UTC).
pub fn dutch_date(rfc3339: &str) -> String {
    match DateTime::parse_from_rfc3339(rfc3339) {
        Ok(date) => {
            let date = date.with_timezone(&Amsterdam);
            format!("{} {} {}", date.day(), MONTHS[date.month0() as usize], date.year())
        }
        Err(_) => rfc3339.to_string(),
    }
}

/// "maart 2026".
pub fn dutch_month(year: i32, month0: u32) -> String {
    format!("{} {year}", MONTHS[month0 as usize % 12])
}

const WEEKDAYS: [&str; 7] = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"];

/// "dinsdag 10 maart 2026".
pub fn dutch_day(date: chrono::NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        WEEKDAYS[date.weekday().num_days_from_monday() as usize],
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

/// "2026-03-12": the day `dutch_date` names, for a `<time datetime>` beside it. (A stored
/// time can have nanoseconds, which that attribute does not allow.)
pub fn iso_day(rfc3339: &str) -> String {
    match DateTime::parse_from_rfc3339(rfc3339) {
        Ok(date) => date.with_timezone(&Amsterdam).format("%Y-%m-%d").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

handlebars_helper!(date_helper: |value: str| dutch_date(value));
handlebars_helper!(iso_day_helper: |value: str| iso_day(value));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        assert!(TEMPLATES.get_templates().len() >= 8);
    }

    #[test]
    fn dates_in_dutch() {
        assert_eq!(dutch_date("2026-03-12T09:00:00Z"), "12 maart 2026");
        assert_eq!(dutch_date("2026-03-11T23:30:00Z"), "12 maart 2026", "half past midnight in Dutch time");
        assert_eq!(dutch_date("2026-03-12T00:00:00Z"), "12 maart 2026", "a date stored as UTC midnight");
        assert_eq!(dutch_date("geen datum"), "geen datum");
        assert_eq!(dutch_day(chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()), "dinsdag 10 maart 2026");
    }

    #[test]
    fn machine_readable_day_is_the_dutch_day_without_fractions() {
        assert_eq!(iso_day("2026-12-01T00:59:09.969713113Z"), "2026-12-01");
        assert_eq!(iso_day("2026-03-11T23:30:00Z"), "2026-03-12", "half past midnight in Dutch time");
    }
}
