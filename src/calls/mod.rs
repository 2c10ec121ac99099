//! Open calls (oproepen) to join the network. The network grows in tranches: a call asks
//! municipalities and regions to apply as inspiratieregio before a deadline, with one main
//! question and seven elements; anyone may join as aandeelhouder all year. The programme
//! office opens calls and may edit their questions; `applications` answer them.

pub mod applications;
pub mod attachments;
pub mod reviews;
pub mod selection;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};

use entity::call;

use crate::actor::{policy, Actor};
use crate::dutch_time::{checked_time, countdown, local_input, moment};
use crate::markdown;
use crate::validation::{
    free_slug, has_forbidden_chars, slug_is_valid, EditError, FieldErrors, FORBIDDEN_CHARS_MESSAGE,
};

const MAX_TITLE_CHARS: usize = 200;
const MAX_INTRODUCTION_CHARS: usize = 20_000;
const MAX_QUESTIONS: usize = 20;
const MAX_QUESTION_CHARS: usize = 300;
const MAX_HELP_CHARS: usize = 1_000;
/// "At most three A4 pages" of about 500 words each.
const THREE_A4_WORDS: i32 = 1_500;
const WORD_LIMITS: std::ops::RangeInclusive<i32> = 50..=20_000;
const SCALES: std::ops::RangeInclusive<i32> = 2..=10;
const DEFAULT_SCALE: i32 = 5;

/// Who a call asks to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CallKind {
    /// Municipalities and regions, selected by a delegation before a deadline.
    Inspiratieregio,
    /// Anyone else who wants to take part; the route stays open all year.
    Aandeelhouder,
}

impl CallKind {
    pub fn slug(self) -> &'static str {
        match self {
            CallKind::Inspiratieregio => "inspiratieregio",
            CallKind::Aandeelhouder => "aandeelhouder",
        }
    }

    pub fn parse(text: &str) -> Option<CallKind> {
        [CallKind::Inspiratieregio, CallKind::Aandeelhouder].into_iter().find(|kind| kind.slug() == text)
    }

    /// The questions of a new call of this kind, which the office may edit.
    pub fn default_questions(self) -> Vec<Question> {
        let questions: &[(&str, &str, &str)] = match self {
            CallKind::Inspiratieregio => &[
                (
                    "hoofdvraag",
                    "Wat wilt u leren, wat heeft u nodig en wat brengt u in?",
                    "De hoofdvraag van uw aanmelding.",
                ),
                ("partijen", "Welke partijen doen mee?", "Onderwijs, kinderopvang, jeugdhulp, gemeente en anderen."),
                ("ouders", "Hoe zijn ouders betrokken?", ""),
                ("samenwerking", "Hoe werkt u nu samen met de gemeente?", ""),
                ("vraagstuk", "Wat is het vraagstuk en wat zijn de meetbare doelen?", ""),
                ("commitment", "Hoe blijkt het commitment van alle partijen?", ""),
                ("risico", "Welke valkuilen en risico's ziet u?", ""),
                ("ondersteuning", "Welke ondersteuning heeft u nodig?", ""),
            ],
            CallKind::Aandeelhouder => &[
                ("initiatief", "Welk initiatief brengt u in?", ""),
                ("bijdrage", "Hoe wilt u bijdragen aan het netwerk?", ""),
                ("behoefte", "Wat heeft u nodig?", ""),
            ],
        };
        items(questions)
    }

    /// What reviewers score for a new call of this kind, which the office may edit.
    pub fn default_criteria(self) -> Vec<Criterion> {
        let criteria: &[(&str, &str, &str)] = match self {
            CallKind::Inspiratieregio => &[
                ("leervraag", "Leervraag en inbreng", "Is duidelijk wat de regio wil leren, nodig heeft en inbrengt?"),
                (
                    "partijen",
                    "Partijen en ouders",
                    "Doen onderwijs, kinderopvang, jeugdhulp en gemeente mee? Zijn ouders betrokken?",
                ),
                ("doelen", "Vraagstuk en meetbare doelen", ""),
                ("commitment", "Commitment van alle partijen", ""),
                ("realisme", "Zicht op valkuilen, risico's en benodigde steun", ""),
            ],
            CallKind::Aandeelhouder => &[
                ("bijdrage", "Bijdrage aan het netwerk", ""),
                (
                    "passend",
                    "Past bij het netwerk",
                    "Werkt het initiatief op de naad van onderwijs, opvang en jeugdhulp?",
                ),
            ],
        };
        items(criteria)
    }

    /// Words for the whole application of a new call: three A4 pages for inspiratieregio's,
    /// no limit for aandeelhouders.
    pub fn default_word_limit(self) -> Option<i32> {
        (self == CallKind::Inspiratieregio).then_some(THREE_A4_WORDS)
    }
}

fn items(items: &[(&str, &str, &str)]) -> Vec<Question> {
    items
        .iter()
        .map(|(key, title, help)| Question { key: key.to_string(), title: title.to_string(), help: help.to_string() })
        .collect()
}

/// A question of a call; `key` names the answer in an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Question {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub help: String,
}

/// What reviewers score an application on; `key` names the score in a review. The same
/// shape as a question: a key, a title and an optional help text.
pub type Criterion = Question;

/// A call as the office writes it: times in Dutch local time (`YYYY-MM-DDTHH:MM`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CallInput {
    pub kind: CallKind,
    pub title: String,
    #[serde(default)]
    pub introduction: String,
    pub opens_at: String,
    /// Required for an inspiratieregio call; empty for a call open all year.
    #[serde(default)]
    pub closes_at: String,
    pub places: Option<i32>,
    /// `YYYY-MM-DD`: the day everyone hears the outcome.
    #[serde(default)]
    pub decision_on: String,
    /// Empty: the kind's default questions.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Words for the whole application; empty: three A4 pages for an inspiratieregio call,
    /// no limit otherwise.
    pub word_limit: Option<i32>,
    #[serde(default)]
    pub attachments_allowed: bool,
    /// Empty: the kind's default criteria.
    #[serde(default)]
    pub criteria: Vec<Criterion>,
    /// Scores run from 1 to this; empty: 5.
    pub scale_max: Option<i32>,
    /// The tranche an accepted inspiratieregio joins.
    pub tranche: Option<i32>,
}

/// A call's input once every rule holds.
struct ValidCall {
    kind: CallKind,
    title: String,
    introduction: String,
    opens_at: DateTime<Utc>,
    closes_at: Option<DateTime<Utc>>,
    places: Option<i32>,
    decision_on: Option<NaiveDate>,
    questions: Vec<Question>,
    word_limit: Option<i32>,
    attachments_allowed: bool,
    criteria: Vec<Criterion>,
    scale_max: i32,
    tranche: Option<i32>,
}

impl CallInput {
    fn validate(self) -> Result<ValidCall, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = self.title.trim().to_string();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            errors.add("title", format!("Geef de oproep een titel van hoogstens {MAX_TITLE_CHARS} tekens."));
        }
        if self.introduction.chars().count() > MAX_INTRODUCTION_CHARS {
            errors.add("introduction", format!("De inleiding is langer dan {MAX_INTRODUCTION_CHARS} tekens."));
        }
        for (field, text) in [("title", &title), ("introduction", &self.introduction)] {
            if has_forbidden_chars(text) {
                errors.add(field, FORBIDDEN_CHARS_MESSAGE);
            }
        }
        let hint = "Geef de tijd op als JJJJ-MM-DDTUU:MM (Nederlandse tijd).";
        let opens_at = checked_time(&mut errors, "opens_at", &self.opens_at, hint);
        let closes_at = match self.closes_at.trim() {
            "" if self.kind == CallKind::Inspiratieregio => {
                errors.add("closes_at", "Een oproep voor inspiratieregio's heeft een deadline.");
                None
            }
            "" => None,
            text => checked_time(&mut errors, "closes_at", text, hint),
        };
        if let (Some(opens), Some(closes)) = (opens_at, closes_at) {
            if closes <= opens {
                errors.add("closes_at", "De deadline ligt na de opening.");
            }
        }
        if self.places.is_some_and(|places| places < 1) {
            errors.add("places", "Het aantal plaatsen is minstens 1.");
        }
        let decision_on = match self.decision_on.trim() {
            "" => None,
            text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    errors.add("decision_on", "Geef de datum op als JJJJ-MM-DD.");
                    None
                }
            },
        };
        if let (Some(decision), Some(closes)) = (decision_on, closes_at) {
            if decision < closes.date_naive() {
                errors.add("decision_on", "De uitslag volgt na de deadline.");
            }
        }
        let questions = if self.questions.is_empty() { self.kind.default_questions() } else { self.questions };
        check_items(&mut errors, "questions", "Vraag", &questions);
        let criteria = if self.criteria.is_empty() { self.kind.default_criteria() } else { self.criteria };
        check_items(&mut errors, "criteria", "Criterium", &criteria);
        let scale_max = self.scale_max.unwrap_or(DEFAULT_SCALE);
        if !SCALES.contains(&scale_max) {
            errors.add("scale_max", format!("De schaal loopt tot {} à {}.", SCALES.start(), SCALES.end()));
        }
        if self.tranche.is_some_and(|tranche| tranche < 1) {
            errors.add("tranche", "De tranche is een nummer vanaf 1.");
        }
        let word_limit = self.word_limit.or(self.kind.default_word_limit());
        if word_limit.is_some_and(|limit| !WORD_LIMITS.contains(&limit)) {
            errors.add(
                "word_limit",
                format!("Het aantal woorden ligt tussen {} en {}.", WORD_LIMITS.start(), WORD_LIMITS.end()),
            );
        }
        errors.into_result()?;
        Ok(ValidCall {
            kind: self.kind,
            title,
            introduction: self.introduction.trim().to_string(),
            opens_at: opens_at.unwrap_or_default(),
            closes_at,
            places: self.places,
            decision_on,
            questions,
            word_limit,
            attachments_allowed: self.attachments_allowed,
            criteria,
            scale_max,
            tranche: self.tranche,
        })
    }
}

/// Checks a call's questions or criteria (`field`), naming each by `noun` and number.
fn check_items(errors: &mut FieldErrors, field: &str, noun: &str, items: &[Question]) {
    if items.len() > MAX_QUESTIONS {
        errors.add(field, format!("Een oproep heeft hoogstens {MAX_QUESTIONS} items in deze lijst."));
    }
    if items.is_empty() {
        errors.add(field, "Deze lijst heeft minstens één regel.");
    }
    let mut keys = std::collections::HashSet::new();
    for (number, item) in items.iter().enumerate().map(|(index, item)| (index + 1, item)) {
        if !slug_is_valid(&item.key) || !keys.insert(item.key.as_str()) {
            errors
                .add(field, format!("{noun} {number}: de sleutel is uniek, in kleine letters, cijfers en streepjes."));
        }
        let title = item.title.trim();
        if title.is_empty() || title.chars().count() > MAX_QUESTION_CHARS {
            errors.add(field, format!("{noun} {number}: de tekst is 1 tot {MAX_QUESTION_CHARS} tekens lang."));
        }
        if item.help.chars().count() > MAX_HELP_CHARS {
            errors.add(field, format!("{noun} {number}: de toelichting is langer dan {MAX_HELP_CHARS} tekens."));
        }
        if has_forbidden_chars(&item.title) || has_forbidden_chars(&item.help) {
            errors.add(field, format!("{noun} {number}: {FORBIDDEN_CHARS_MESSAGE}"));
        }
    }
}

/// Where a call stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Not open yet.
    Upcoming,
    /// Applications are taken: from the opening up to, not including, the deadline's minute.
    Open,
    /// The deadline has passed.
    Closed,
}

pub fn phase(call: &call::Model, now: DateTime<Utc>) -> Phase {
    if now < call.opens_at {
        Phase::Upcoming
    } else if call.closes_at.is_some_and(|closes| now >= closes) {
        Phase::Closed
    } else {
        Phase::Open
    }
}

/// The questions stored with a call.
pub fn questions(call: &call::Model) -> Vec<Question> {
    serde_json::from_value(call.questions.clone()).unwrap_or_default()
}

/// The criteria stored with a call; a call stored before calls had criteria has its kind's.
pub fn criteria(call: &call::Model) -> Vec<Criterion> {
    let stored: Vec<Criterion> = serde_json::from_value(call.criteria.clone()).unwrap_or_default();
    if stored.is_empty() {
        CallKind::parse(&call.kind).unwrap_or(CallKind::Aandeelhouder).default_criteria()
    } else {
        stored
    }
}

/// A stored call as its form shows it again.
pub fn input_of(call: &call::Model) -> CallInput {
    CallInput {
        kind: CallKind::parse(&call.kind).unwrap_or(CallKind::Aandeelhouder),
        title: call.title.clone(),
        introduction: call.introduction.clone(),
        opens_at: local_input(call.opens_at),
        closes_at: call.closes_at.map(local_input).unwrap_or_default(),
        places: call.places,
        decision_on: call.decision_on.map(|date| date.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        questions: questions(call),
        word_limit: call.word_limit,
        attachments_allowed: call.attachments_allowed,
        criteria: criteria(call),
        scale_max: Some(call.scale_max),
        tranche: call.tranche,
    }
}

/// Questions or criteria as the office's form writes them: one a line, `key | text | help`.
pub fn items_to_lines(questions: &[Question]) -> String {
    let line = |question: &Question| match question.help.as_str() {
        "" => format!("{} | {}", question.key, question.title),
        help => format!("{} | {} | {help}", question.key, question.title),
    };
    questions.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// Questions or criteria from the office's form; an unreadable line is named by its number.
pub fn items_from_lines(text: &str) -> Result<Vec<Question>, String> {
    let lines = text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty());
    lines
        .map(|(index, line)| {
            let mut parts = line.splitn(3, '|').map(str::trim);
            match (parts.next(), parts.next(), parts.next()) {
                (Some(key), Some(title), help) if !key.is_empty() && !title.is_empty() => Ok(Question {
                    key: key.to_string(),
                    title: title.to_string(),
                    help: help.unwrap_or_default().to_string(),
                }),
                _ => {
                    Err(format!("Regel {}: schrijf sleutel | tekst | toelichting (de toelichting mag weg).", index + 1))
                }
            }
        })
        .collect()
}

/// A call as its public page shows it, at a moment.
#[derive(Debug, Clone, Serialize)]
pub struct CallView {
    pub slug: String,
    pub kind: CallKind,
    pub kind_label: &'static str,
    pub title: String,
    /// Sanitized HTML.
    pub introduction_html: String,
    pub phase: Phase,
    pub opens: String,
    pub opens_at: DateTime<Utc>,
    pub closes: Option<String>,
    pub closes_at: Option<DateTime<Utc>>,
    /// Until the deadline while open, until the opening before.
    pub countdown: Option<String>,
    pub decision: Option<String>,
    pub places: Option<i32>,
    pub questions: Vec<Question>,
    pub word_limit: Option<i32>,
    pub attachments_allowed: bool,
}

pub fn view(call: &call::Model, now: DateTime<Utc>) -> CallView {
    let kind = CallKind::parse(&call.kind).unwrap_or(CallKind::Aandeelhouder);
    let phase = phase(call, now);
    let countdown = match phase {
        Phase::Upcoming => countdown(now, call.opens_at),
        Phase::Open => call.closes_at.and_then(|closes| countdown(now, closes)),
        Phase::Closed => None,
    };
    CallView {
        slug: call.slug.clone(),
        kind,
        kind_label: match kind {
            CallKind::Inspiratieregio => "Aanmelden als inspiratieregio",
            CallKind::Aandeelhouder => "Aansluiten als aandeelhouder",
        },
        title: call.title.clone(),
        introduction_html: markdown::to_safe_html(&call.introduction),
        phase,
        opens: moment(call.opens_at),
        opens_at: call.opens_at,
        closes: call.closes_at.map(moment),
        closes_at: call.closes_at,
        countdown,
        decision: call.decision_on.map(crate::templates::dutch_day),
        places: call.places,
        questions: questions(call),
        word_limit: call.word_limit,
        attachments_allowed: call.attachments_allowed,
    }
}

/// Opens a call; only the programme office may.
pub async fn create(db: &impl ConnectionTrait, actor: &Actor, input: CallInput) -> Result<call::Model, EditError> {
    if !policy::can_manage_network(actor) {
        return Err(EditError::Forbidden);
    }
    let valid = input.validate().map_err(EditError::Invalid)?;
    let slug = free_slug::<call::Entity>(db, call::Column::Slug, &valid.title, "oproep").await?;
    let now = Utc::now();
    let mut model = call::ActiveModel {
        slug: Set(slug),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(now),
        ..Default::default()
    };
    fill(&mut model, valid, now);
    Ok(model.insert(db).await?)
}

/// Changes a call; its address stays.
pub async fn update(
    db: &impl ConnectionTrait,
    actor: &Actor,
    slug: &str,
    input: CallInput,
) -> Result<call::Model, EditError> {
    if !policy::can_manage_network(actor) {
        return Err(EditError::Forbidden);
    }
    let found = find(db, slug).await?.ok_or(EditError::NotFound("Deze oproep bestaat niet."))?;
    let valid = input.validate().map_err(EditError::Invalid)?;
    let mut model: call::ActiveModel = found.into();
    fill(&mut model, valid, Utc::now());
    Ok(model.update(db).await?)
}

fn fill(model: &mut call::ActiveModel, valid: ValidCall, now: DateTime<Utc>) {
    model.kind = Set(valid.kind.slug().to_string());
    model.title = Set(valid.title);
    model.introduction = Set(valid.introduction);
    model.opens_at = Set(valid.opens_at);
    model.closes_at = Set(valid.closes_at);
    model.places = Set(valid.places);
    model.decision_on = Set(valid.decision_on);
    model.questions = Set(serde_json::to_value(&valid.questions).unwrap_or_default());
    model.word_limit = Set(valid.word_limit);
    model.attachments_allowed = Set(valid.attachments_allowed);
    model.criteria = Set(serde_json::to_value(&valid.criteria).unwrap_or_default());
    model.scale_max = Set(valid.scale_max);
    model.tranche = Set(valid.tranche);
    model.updated_at = Set(now);
}

pub async fn find(db: &impl ConnectionTrait, slug: &str) -> Result<Option<call::Model>, DbErr> {
    call::Entity::find().filter(call::Column::Slug.eq(slug)).one(db).await
}

/// Every call, the latest opening first, for the programme office.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<call::Model>, DbErr> {
    call::Entity::find().order_by_desc(call::Column::OpensAt).order_by_desc(call::Column::Id).all(db).await
}

/// The calls the public page shows: open ones, the soonest deadline first and those open all
/// year after them, then upcoming ones.
pub async fn current(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<call::Model>, DbErr> {
    let mut calls: Vec<call::Model> =
        all(db).await?.into_iter().filter(|call| phase(call, now) != Phase::Closed).collect();
    calls.sort_by_key(|call| {
        (phase(call, now) != Phase::Open, call.closes_at.is_none(), call.closes_at, call.opens_at, call.id)
    });
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: CallKind) -> CallInput {
        CallInput {
            kind,
            title: "Inspiratieregio's tranche 3".into(),
            introduction: String::new(),
            opens_at: "2027-03-01T09:00".into(),
            closes_at: "2027-03-29T12:00".into(),
            places: Some(10),
            decision_on: "2027-04-15".into(),
            questions: Vec::new(),
            word_limit: None,
            attachments_allowed: true,
            criteria: Vec::new(),
            scale_max: None,
            tranche: Some(3),
        }
    }

    fn model(valid: ValidCall) -> call::Model {
        call::Model {
            id: 1,
            slug: "oproep".into(),
            kind: valid.kind.slug().into(),
            title: valid.title,
            introduction: valid.introduction,
            opens_at: valid.opens_at,
            closes_at: valid.closes_at,
            places: valid.places,
            decision_on: valid.decision_on,
            questions: serde_json::to_value(&valid.questions).unwrap(),
            word_limit: valid.word_limit,
            attachments_allowed: valid.attachments_allowed,
            created_by: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            criteria: serde_json::to_value(&valid.criteria).unwrap(),
            scale_max: valid.scale_max,
            tranche: valid.tranche,
        }
    }

    #[test]
    fn a_new_call_asks_the_main_question_and_seven_elements_in_three_pages() {
        let valid = input(CallKind::Inspiratieregio).validate().unwrap();
        assert_eq!(valid.questions.len(), 8);
        assert_eq!(valid.questions[0].key, "hoofdvraag");
        assert_eq!(valid.word_limit, Some(THREE_A4_WORDS));
        let shareholder = CallInput { closes_at: String::new(), ..input(CallKind::Aandeelhouder) };
        let valid = shareholder.validate().unwrap();
        assert_eq!((valid.closes_at, valid.word_limit), (None, None));
    }

    #[test]
    fn the_deadline_is_dutch_time_to_the_minute_summer_time_included() {
        // 29 March 2027 is summer time: 12:00 in Gorinchem is 10:00 UTC.
        let call = model(input(CallKind::Inspiratieregio).validate().unwrap());
        let deadline = DateTime::parse_from_rfc3339("2027-03-29T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(call.closes_at, Some(deadline));
        assert_eq!(phase(&call, deadline - chrono::Duration::seconds(1)), Phase::Open);
        assert_eq!(phase(&call, deadline), Phase::Closed);
        assert_eq!(phase(&call, call.opens_at - chrono::Duration::seconds(1)), Phase::Upcoming);

        // On the day summer time starts (28 March 2027) noon is already summer time; in the
        // autumn hour that occurs twice (31 October 2027) the first one is the deadline.
        let utc = |text: &str| DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc);
        for (local, expected) in
            [("2027-03-28T12:00", "2027-03-28T10:00:00Z"), ("2027-10-31T02:30", "2027-10-31T00:30:00Z")]
        {
            let valid =
                CallInput { closes_at: local.into(), decision_on: String::new(), ..input(CallKind::Inspiratieregio) };
            assert_eq!(valid.validate().unwrap().closes_at, Some(utc(expected)), "{local}");
        }
    }

    #[test]
    fn bad_calls_are_explained_per_field() {
        let bad = CallInput {
            title: " ".into(),
            closes_at: "2027-02-01T09:00".into(),
            places: Some(0),
            decision_on: "15-04-2027".into(),
            word_limit: Some(5),
            questions: vec![
                Question { key: "vraag".into(), title: "Wat?".into(), help: String::new() },
                Question { key: "vraag".into(), title: String::new(), help: String::new() },
            ],
            ..input(CallKind::Inspiratieregio)
        };
        let errors = bad.validate().err().unwrap();
        for field in ["title", "closes_at", "places", "decision_on", "word_limit", "questions"] {
            assert!(errors.first(field).is_some(), "{field}");
        }
        let without_deadline = CallInput { closes_at: String::new(), ..input(CallKind::Inspiratieregio) };
        assert!(without_deadline.validate().err().unwrap().first("closes_at").is_some());
        let gap = CallInput { closes_at: "2027-03-28T02:30".into(), ..input(CallKind::Inspiratieregio) };
        assert!(gap.validate().err().unwrap().first("closes_at").unwrap().contains("zomertijd"));
    }

    #[test]
    fn questions_are_written_one_a_line() {
        let questions = CallKind::Inspiratieregio.default_questions();
        assert_eq!(items_from_lines(&items_to_lines(&questions)).unwrap(), questions);
        let read = items_from_lines("doel | Wat is uw doel?\n\nrisico | Welke risico's? | Kort graag").unwrap();
        assert_eq!((read[0].help.as_str(), read[1].help.as_str()), ("", "Kort graag"));
        assert!(items_from_lines("doel\n").unwrap_err().starts_with("Regel 1"));
    }

    #[test]
    fn a_stored_call_fills_its_form_again() {
        let call = model(input(CallKind::Inspiratieregio).validate().unwrap());
        let again = input_of(&call);
        assert_eq!((again.opens_at.as_str(), again.closes_at.as_str()), ("2027-03-01T09:00", "2027-03-29T12:00"));
        assert_eq!(again.decision_on, "2027-04-15");
        assert_eq!(again.questions, CallKind::Inspiratieregio.default_questions());
    }
}
