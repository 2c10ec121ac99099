//! The question desk in figures, for the office (`/beheer/vragen/cijfers`): questions per
//! month and theme, how soon a first expert was introduced, the shares matched and answered,
//! how much the help helped, and the experts asked most.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Months, Utc};
use chrono_tz::Europe::Amsterdam;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;

use entity::{profile, question, question_followup, question_introduction, question_reply, question_theme, theme};

use super::introductions::State;
use super::{QuestionError, Status};
use crate::actor::{policy, Actor};
use crate::templates::dutch_month;
use crate::vocabulary::Vocabulary;

/// Months the per-month table covers, this one included.
const MONTHS_SHOWN: u32 = 12;
/// Experts the "busiest" list names.
const BUSIEST_SHOWN: usize = 5;

/// What the figures need to know of one question.
#[derive(Debug, Clone)]
pub struct QuestionFacts {
    pub created_at: DateTime<Utc>,
    pub status: String,
    pub themes: Vec<String>,
    /// When the first expert accepted.
    pub first_introduction: Option<DateTime<Utc>>,
    pub replied: bool,
    pub score: Option<i32>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExpertLoad {
    pub slug: String,
    pub name: String,
    pub requests: usize,
    pub accepted: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Figures {
    pub total: usize,
    pub per_month: Vec<Count>,
    pub per_theme: Vec<Count>,
    /// Days, with a decimal comma.
    pub median_days_to_introduction: Option<String>,
    /// Percentages, rounded.
    pub matched_percent: Option<u32>,
    pub answered_percent: Option<u32>,
    pub average_score: Option<String>,
    pub scores: usize,
    pub busiest: Vec<ExpertLoad>,
}

/// The figures over every confirmed question, for the office.
pub async fn load(db: &impl ConnectionTrait, actor: &Actor, now: DateTime<Utc>) -> Result<Figures, QuestionError> {
    if !policy::can_manage_network(actor) {
        return Err(QuestionError::NotFound);
    }
    let (facts, busiest) = (question_facts(db).await?, expert_loads(db).await?);
    Ok(compute(&facts, busiest, now))
}

/// The figures of `facts`, as of `now`.
pub fn compute(facts: &[QuestionFacts], mut busiest: Vec<ExpertLoad>, now: DateTime<Utc>) -> Figures {
    let total = facts.len();
    let share = |count: usize| (total > 0).then(|| (100.0 * count as f64 / total as f64).round() as u32);
    let matched = facts.iter().filter(|fact| fact.first_introduction.is_some()).count();
    let answered = facts.iter().filter(|fact| fact.replied || fact.status == Status::Beantwoord.slug()).count();
    let mut days: Vec<f64> = facts
        .iter()
        .filter_map(|fact| Some((fact.first_introduction? - fact.created_at).num_minutes() as f64 / (24.0 * 60.0)))
        .collect();
    days.sort_by(f64::total_cmp);
    let scores: Vec<i32> = facts.iter().filter_map(|fact| fact.score).collect();
    busiest.sort_by(|a, b| b.requests.cmp(&a.requests).then(b.accepted.cmp(&a.accepted)).then(a.name.cmp(&b.name)));
    busiest.truncate(BUSIEST_SHOWN);
    Figures {
        total,
        per_month: per_month(facts, now),
        per_theme: per_theme(facts),
        median_days_to_introduction: median(&days).map(decimal),
        matched_percent: share(matched),
        answered_percent: share(answered),
        average_score: (!scores.is_empty()).then(|| decimal(scores.iter().sum::<i32>() as f64 / scores.len() as f64)),
        scores: scores.len(),
        busiest,
    }
}

/// "4,5": one decimal, as written in Dutch.
fn decimal(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

fn median(sorted: &[f64]) -> Option<f64> {
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        length if length % 2 == 1 => Some(sorted[middle]),
        _ => Some((sorted[middle - 1] + sorted[middle]) / 2.0),
    }
}

/// Questions per month in the Netherlands, the last `MONTHS_SHOWN` months, oldest first.
fn per_month(facts: &[QuestionFacts], now: DateTime<Utc>) -> Vec<Count> {
    let month_of = |time: DateTime<Utc>| {
        let local = time.with_timezone(&Amsterdam);
        (local.year(), local.month0())
    };
    let mut counts: HashMap<(i32, u32), usize> = HashMap::new();
    for fact in facts {
        *counts.entry(month_of(fact.created_at)).or_default() += 1;
    }
    (0..MONTHS_SHOWN)
        .rev()
        .filter_map(|back| now.checked_sub_months(Months::new(back)))
        .map(|time| {
            let (year, month0) = month_of(time);
            Count { label: dutch_month(year, month0), count: counts.get(&(year, month0)).copied().unwrap_or(0) }
        })
        .collect()
}

/// Questions per theme, most first.
fn per_theme(facts: &[QuestionFacts]) -> Vec<Count> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for theme in facts.iter().flat_map(|fact| &fact.themes) {
        *counts.entry(theme).or_default() += 1;
    }
    let mut themes: Vec<Count> =
        counts.into_iter().map(|(label, count)| Count { label: label.to_string(), count }).collect();
    themes.sort_by_key(|theme| std::cmp::Reverse(theme.count));
    themes
}

async fn question_facts(db: &impl ConnectionTrait) -> Result<Vec<QuestionFacts>, DbErr> {
    let questions = question::Entity::find().filter(question::Column::ConfirmedAt.is_not_null()).all(db).await?;
    let mut themes: HashMap<i32, Vec<String>> = HashMap::new();
    for (link, theme) in question_theme::Entity::find().find_also_related(theme::Entity).all(db).await? {
        if let Some(theme) = theme {
            themes.entry(link.question_id).or_default().push(theme.name);
        }
    }
    let mut introduced: HashMap<i32, DateTime<Utc>> = HashMap::new();
    let accepted = question_introduction::Entity::find()
        .filter(question_introduction::Column::Status.eq(State::Accepted.slug()))
        .all(db)
        .await?;
    for request in accepted {
        let at = request.answered_at.unwrap_or(request.requested_at);
        introduced.entry(request.question_id).and_modify(|first| *first = (*first).min(at)).or_insert(at);
    }
    let replied: std::collections::HashSet<i32> =
        question_reply::Entity::find().all(db).await?.into_iter().map(|reply| reply.question_id).collect();
    let scores: HashMap<i32, i32> = question_followup::Entity::find()
        .filter(question_followup::Column::Score.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|followup| Some((followup.question_id, followup.score?)))
        .collect();
    Ok(questions
        .into_iter()
        .map(|row| QuestionFacts {
            created_at: row.created_at,
            themes: themes.remove(&row.id).unwrap_or_default(),
            first_introduction: introduced.get(&row.id).copied(),
            replied: replied.contains(&row.id),
            score: scores.get(&row.id).copied(),
            status: row.status,
        })
        .collect())
}

/// Per expert ever asked: how many requests they had and how many they accepted.
async fn expert_loads(db: &impl ConnectionTrait) -> Result<Vec<ExpertLoad>, DbErr> {
    let mut loads: HashMap<i32, ExpertLoad> = HashMap::new();
    for (request, expert) in question_introduction::Entity::find().find_also_related(profile::Entity).all(db).await? {
        let Some(expert) = expert else { continue };
        let load = loads.entry(expert.id).or_insert_with(|| ExpertLoad {
            slug: expert.slug,
            name: expert.display_name,
            requests: 0,
            accepted: 0,
        });
        load.requests += 1;
        load.accepted += usize::from(request.status == State::Accepted.slug());
    }
    Ok(loads.into_values().collect())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn asked(day: u32, introduced_after_hours: Option<i64>, status: Status, score: Option<i32>) -> QuestionFacts {
        let created_at = Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap();
        QuestionFacts {
            created_at,
            status: status.slug().into(),
            themes: vec!["Thuiszitters".into()],
            first_introduction: introduced_after_hours.map(|hours| created_at + chrono::Duration::hours(hours)),
            replied: false,
            score,
        }
    }

    #[test]
    fn figures_count_shares_medians_and_months() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap();
        let facts = [
            asked(2, Some(24), Status::Gekoppeld, Some(4)),
            asked(3, Some(72), Status::Beantwoord, Some(5)),
            asked(4, None, Status::Nieuw, None),
            asked(5, Some(48), Status::Afgesloten, None),
        ];
        let figures = compute(&facts, Vec::new(), now);
        assert_eq!(figures.total, 4);
        assert_eq!(figures.median_days_to_introduction.as_deref(), Some("2,0"));
        assert_eq!((figures.matched_percent, figures.answered_percent), (Some(75), Some(25)));
        assert_eq!((figures.average_score.as_deref(), figures.scores), (Some("4,5"), 2));
        assert_eq!(figures.per_month.len(), 12);
        assert_eq!(figures.per_month[10], Count { label: "november 2026".into(), count: 4 });
        assert_eq!(figures.per_month[11], Count { label: "december 2026".into(), count: 0 });
        assert_eq!(figures.per_theme, [Count { label: "Thuiszitters".into(), count: 4 }]);
    }

    #[test]
    fn no_questions_give_no_shares() {
        let figures = compute(&[], Vec::new(), Utc::now());
        assert_eq!(
            (figures.matched_percent, figures.median_days_to_introduction, figures.average_score),
            (None, None, None)
        );
    }
}
