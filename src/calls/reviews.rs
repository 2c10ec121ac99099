//! Reviewing the submitted applications to a call. The programme office assigns reviewers
//! (beoordelaars, or beheerders) to a call; each scores every application per criterion of
//! the call with a remark. Nobody reviews an application from their own organisation or
//! region, and a reviewer may declare a conflict of interest. A reviewer sees the others'
//! scores only once their own review is submitted.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, TryIntoModel,
};
use serde::Serialize;

use entity::{application, call, call_reviewer, organisation, review, user};

use super::applications::{Details, Status};
use super::{criteria, find, Criterion};
use crate::actor::{policy, Actor, Role};
use crate::db;
use crate::validation::{has_forbidden_chars, FieldErrors, FORBIDDEN_CHARS_MESSAGE};
use crate::vocabulary::Vocabulary;

const MAX_REMARK_CHARS: usize = 4_000;

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// Also what someone who does not review the call hears: the same as for nothing there.
    #[error("Deze oproep of aanmelding bestaat niet.")]
    NotFound,
    #[error("U kunt deze aanmelding niet beoordelen: {0}.")]
    Conflict(&'static str),
    #[error("Uw beoordeling is ingediend en verandert niet meer.")]
    Final,
    #[error("Alleen het programmabureau wijst beoordelaars aan.")]
    Forbidden,
    #[error("{0}")]
    Invalid(FieldErrors),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Why a reviewer may not review an application.
pub const OWN_ORGANISATION: &str = "zij komt van uw eigen organisatie";
pub const OWN_REGION: &str = "zij komt uit een gemeente van uw regio";
pub const DECLARED: &str = "u heeft een belang gemeld";

/// The words of a place or organisation name that identify it: lower case, without
/// "gemeente", "regio" and the like, so "Gemeente Gorinchem" and "gorinchem" are one place.
fn place_words(name: &str) -> Vec<String> {
    const GENERIC: [&str; 6] = ["gemeente", "regio", "de", "het", "van", "en"];
    name.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|word| !word.is_empty() && !GENERIC.contains(word))
        .map(str::to_string)
        .collect()
}

/// The places an application names: its organisation and each municipality in its list.
fn places_of(details: &Details) -> Vec<Vec<String>> {
    std::iter::once(details.organisation.as_str())
        .chain(details.municipalities.split([',', ';', '/', '\n']).flat_map(|part| part.split(" en ")))
        .map(place_words)
        .filter(|words| !words.is_empty())
        .collect()
}

/// Whether the reviewer's organisation is the applicant, or one of its municipalities is
/// among the application's.
pub fn conflict_of(reviewer_organisation: Option<&organisation::Model>, details: &Details) -> Option<&'static str> {
    let organisation = reviewer_organisation?;
    let own = place_words(&organisation.name);
    if !own.is_empty() && place_words(&details.organisation) == own {
        return Some(OWN_ORGANISATION);
    }
    let municipalities: Vec<String> = serde_json::from_value(organisation.municipalities.clone()).unwrap_or_default();
    let region: Vec<Vec<String>> = municipalities.iter().map(|name| place_words(name)).chain([own]).collect();
    places_of(details).iter().any(|place| region.contains(place)).then_some(OWN_REGION)
}

/// Whether the actor reviews the call: beheerders any, beoordelaars those assigned to them.
async fn reviews_call(db: &impl ConnectionTrait, actor: &Actor, call: &call::Model) -> Result<bool, DbErr> {
    Ok(match actor.role {
        Role::Beheerder => true,
        Role::Beoordelaar => call_reviewer::Entity::find_by_id((call.id, actor.user_id)).one(db).await?.is_some(),
        _ => false,
    })
}

/// The call behind `slug` when the actor reviews it; otherwise as if there were none.
pub async fn call_to_review(db: &impl ConnectionTrait, actor: &Actor, slug: &str) -> Result<call::Model, ReviewError> {
    let call = find(db, slug).await?.ok_or(ReviewError::NotFound)?;
    if !policy::can_review(actor) || !reviews_call(db, actor, &call).await? {
        return Err(ReviewError::NotFound);
    }
    Ok(call)
}

/// The calls the actor reviews, the latest first.
pub async fn calls_for(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<call::Model>, DbErr> {
    let mut calls = Vec::new();
    for call in super::all(db).await? {
        if policy::can_review(actor) && reviews_call(db, actor, &call).await? {
            calls.push(call);
        }
    }
    Ok(calls)
}

/// The accounts that may be assigned to review: beoordelaars and beheerders.
pub async fn candidates(db: &impl ConnectionTrait) -> Result<Vec<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Role.is_in([Role::Beoordelaar.slug(), Role::Beheerder.slug()]))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await
}

/// The reviewers assigned to a call.
pub async fn reviewers(db: &impl ConnectionTrait, call: &call::Model) -> Result<Vec<user::Model>, DbErr> {
    let assigned: Vec<i32> = call_reviewer::Entity::find()
        .filter(call_reviewer::Column::CallId.eq(call.id))
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.user_id)
        .collect();
    user::Entity::find().filter(user::Column::Id.is_in(assigned)).order_by_asc(user::Column::Name).all(db).await
}

/// Assigns a beoordelaar or beheerder to review a call (again: nothing changes).
pub async fn assign(
    db: &DatabaseConnection,
    actor: &Actor,
    call: &call::Model,
    user_id: i32,
) -> Result<(), ReviewError> {
    if !policy::can_manage_network(actor) {
        return Err(ReviewError::Forbidden);
    }
    let transaction = db::begin_write(db).await?;
    let account = user::Entity::find_by_id(user_id).one(&transaction).await?;
    let reviewer_roles = [Role::Beoordelaar.slug(), Role::Beheerder.slug()];
    if !account.is_some_and(|account| reviewer_roles.contains(&account.role.as_str())) {
        let mut errors = FieldErrors::default();
        errors.add("reviewer", "Kies een beoordelaar of beheerder.");
        return Err(ReviewError::Invalid(errors));
    }
    if call_reviewer::Entity::find_by_id((call.id, user_id)).one(&transaction).await?.is_none() {
        call_reviewer::ActiveModel { call_id: Set(call.id), user_id: Set(user_id), created_at: Set(Utc::now()) }
            .insert(&transaction)
            .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// Takes a reviewer off a call; the reviews they gave stay.
pub async fn unassign(
    db: &DatabaseConnection,
    actor: &Actor,
    call: &call::Model,
    user_id: i32,
) -> Result<(), ReviewError> {
    if !policy::can_manage_network(actor) {
        return Err(ReviewError::Forbidden);
    }
    call_reviewer::Entity::delete_by_id((call.id, user_id)).exec(db).await?;
    Ok(())
}

/// Where the actor's review of an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewState {
    Open,
    Draft,
    Submitted,
    /// Own organisation or region, or a declared conflict of interest.
    Conflict,
}

/// A submitted application as a reviewer's list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub id: i32,
    pub organisation: String,
    pub province: String,
    pub state: ReviewState,
}

/// The submitted applications to a call, oldest first.
pub async fn submitted(db: &impl ConnectionTrait, call: &call::Model) -> Result<Vec<application::Model>, DbErr> {
    application::Entity::find()
        .filter(application::Column::CallId.eq(call.id))
        .filter(application::Column::Status.eq(Status::Submitted.slug()))
        .order_by_asc(application::Column::SubmittedAt)
        .order_by_asc(application::Column::Id)
        .all(db)
        .await
}

async fn organisation_of(db: &impl ConnectionTrait, actor: &Actor) -> Result<Option<organisation::Model>, DbErr> {
    match actor.organisation_id {
        Some(id) => organisation::Entity::find_by_id(id).one(db).await,
        None => Ok(None),
    }
}

fn details_of(found: &application::Model) -> Details {
    serde_json::from_value(found.details.clone()).unwrap_or_default()
}

fn state_of(own: Option<&review::Model>, conflict: Option<&'static str>) -> ReviewState {
    match (conflict, own) {
        (Some(_), _) => ReviewState::Conflict,
        (None, None) => ReviewState::Open,
        (None, Some(review)) if review.conflict => ReviewState::Conflict,
        (None, Some(review)) if review.submitted_at.is_some() => ReviewState::Submitted,
        (None, Some(_)) => ReviewState::Draft,
    }
}

/// The applications of a call the actor reviews, with where their own review stands.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor, call: &call::Model) -> Result<Vec<Listed>, DbErr> {
    let organisation = organisation_of(db, actor).await?;
    let applications = submitted(db, call).await?;
    let own: HashMap<i32, review::Model> = review::Entity::find()
        .filter(review::Column::ReviewerId.eq(actor.user_id))
        .filter(review::Column::ApplicationId.is_in(applications.iter().map(|found| found.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|review| (review.application_id, review))
        .collect();
    Ok(applications
        .iter()
        .map(|found| {
            let details = details_of(found);
            let conflict = conflict_of(organisation.as_ref(), &details);
            Listed {
                id: found.id,
                state: state_of(own.get(&found.id), conflict),
                organisation: details.organisation,
                province: details.province,
            }
        })
        .collect())
}

/// A submitted application of the call that the actor may review, with their own review.
pub async fn application_to_review(
    db: &impl ConnectionTrait,
    actor: &Actor,
    call: &call::Model,
    id: i32,
) -> Result<(application::Model, Option<review::Model>), ReviewError> {
    let found = application::Entity::find_by_id(id)
        .filter(application::Column::CallId.eq(call.id))
        .filter(application::Column::Status.eq(Status::Submitted.slug()))
        .one(db)
        .await?
        .ok_or(ReviewError::NotFound)?;
    if let Some(reason) = conflict_of(organisation_of(db, actor).await?.as_ref(), &details_of(&found)) {
        return Err(ReviewError::Conflict(reason));
    }
    let own = own_review(db, actor, id).await?;
    if own.as_ref().is_some_and(|review| review.conflict) {
        return Err(ReviewError::Conflict(DECLARED));
    }
    Ok((found, own))
}

async fn own_review(
    db: &impl ConnectionTrait,
    actor: &Actor,
    application_id: i32,
) -> Result<Option<review::Model>, DbErr> {
    review::Entity::find()
        .filter(review::Column::ApplicationId.eq(application_id))
        .filter(review::Column::ReviewerId.eq(actor.user_id))
        .one(db)
        .await
}

/// A review as the form sends it: `score_{key}` and `remark_{key}` per criterion.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub scores: BTreeMap<String, String>,
    pub remarks: BTreeMap<String, String>,
    /// Submit it (every criterion scored), or keep it as a draft.
    pub submit: bool,
}

/// A review once every rule holds: scores and remarks of the call's criteria only.
struct ValidReview {
    scores: BTreeMap<String, i32>,
    remarks: BTreeMap<String, String>,
}

impl ReviewInput {
    fn validate(&self, criteria: &[Criterion], scale_max: i32) -> Result<ValidReview, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut valid = ValidReview { scores: BTreeMap::new(), remarks: BTreeMap::new() };
        for criterion in criteria {
            let key = &criterion.key;
            match self.scores.get(key).map(|score| score.trim()).unwrap_or_default() {
                "" if self.submit => errors.add(&format!("score_{key}"), "Geef een score voordat u indient."),
                "" => {}
                text => match text.parse::<i32>() {
                    Ok(score) if (1..=scale_max).contains(&score) => {
                        valid.scores.insert(key.clone(), score);
                    }
                    _ => errors.add(&format!("score_{key}"), format!("Een score loopt van 1 tot {scale_max}.")),
                },
            }
            let remark = self.remarks.get(key).map(|remark| remark.trim()).unwrap_or_default();
            if remark.chars().count() > MAX_REMARK_CHARS {
                errors
                    .add(&format!("remark_{key}"), format!("De toelichting is langer dan {MAX_REMARK_CHARS} tekens."));
            } else if has_forbidden_chars(remark) {
                errors.add(&format!("remark_{key}"), FORBIDDEN_CHARS_MESSAGE);
            } else if !remark.is_empty() {
                valid.remarks.insert(key.clone(), remark.to_string());
            }
        }
        errors.into_result().map(|()| valid)
    }
}

/// Saves the actor's review of an application, as a draft or submitted. A submitted
/// review no longer changes.
pub async fn save(
    db: &DatabaseConnection,
    actor: &Actor,
    slug: &str,
    id: i32,
    input: &ReviewInput,
) -> Result<review::Model, ReviewError> {
    let transaction = db::begin_write(db).await?;
    let call = call_to_review(&transaction, actor, slug).await?;
    let (_, own) = application_to_review(&transaction, actor, &call, id).await?;
    if own.as_ref().is_some_and(|review| review.submitted_at.is_some()) {
        return Err(ReviewError::Final);
    }
    let valid = input.validate(&criteria(&call), call.scale_max).map_err(ReviewError::Invalid)?;
    let now = Utc::now();
    let mut model = starting(own, actor, id, now);
    model.scores = Set(serde_json::to_value(&valid.scores).unwrap_or_default());
    model.remarks = Set(serde_json::to_value(&valid.remarks).unwrap_or_default());
    model.submitted_at = Set(input.submit.then_some(now));
    let saved = model.save(&transaction).await?.try_into_model()?;
    transaction.commit().await?;
    Ok(saved)
}

/// The actor's review to change: the stored one, or a new one.
fn starting(
    own: Option<review::Model>,
    actor: &Actor,
    application_id: i32,
    now: chrono::DateTime<Utc>,
) -> review::ActiveModel {
    let mut model = match own {
        Some(review) => review.into(),
        None => review::ActiveModel {
            application_id: Set(application_id),
            reviewer_id: Set(actor.user_id),
            scores: Set(serde_json::json!({})),
            remarks: Set(serde_json::json!({})),
            conflict: Set(false),
            created_at: Set(now),
            ..Default::default()
        },
    };
    model.updated_at = Set(now);
    model
}

/// The actor declares a conflict of interest: they give no scores for this application, and
/// do not see the others'. Not after their review is submitted.
pub async fn declare_conflict(db: &DatabaseConnection, actor: &Actor, slug: &str, id: i32) -> Result<(), ReviewError> {
    let transaction = db::begin_write(db).await?;
    let call = call_to_review(&transaction, actor, slug).await?;
    let (_, own) = application_to_review(&transaction, actor, &call, id).await?;
    if own.as_ref().is_some_and(|review| review.submitted_at.is_some()) {
        return Err(ReviewError::Final);
    }
    let now = Utc::now();
    let mut model = starting(own, actor, id, now);
    model.conflict = Set(true);
    model.scores = Set(serde_json::json!({}));
    model.remarks = Set(serde_json::json!({}));
    model.submitted_at = Set(Some(now));
    model.save(&transaction).await?;
    transaction.commit().await?;
    Ok(())
}

/// One criterion of a review, as pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredCriterion {
    pub key: String,
    pub title: String,
    pub help: String,
    pub score: Option<i32>,
    pub remark: String,
}

/// A review as pages show it: per criterion, in the call's order.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewView {
    pub reviewer: String,
    pub submitted: bool,
    pub criteria: Vec<ScoredCriterion>,
    /// The mean of its scores.
    #[serde(serialize_with = "super::selection::as_dutch_number")]
    pub average: Option<f64>,
}

pub fn review_view(criteria: &[Criterion], review: Option<&review::Model>, reviewer: String) -> ReviewView {
    let scores: BTreeMap<String, i32> =
        review.and_then(|review| serde_json::from_value(review.scores.clone()).ok()).unwrap_or_default();
    let remarks: BTreeMap<String, String> =
        review.and_then(|review| serde_json::from_value(review.remarks.clone()).ok()).unwrap_or_default();
    let criteria: Vec<ScoredCriterion> = criteria
        .iter()
        .map(|criterion| ScoredCriterion {
            key: criterion.key.clone(),
            title: criterion.title.clone(),
            help: criterion.help.clone(),
            score: scores.get(&criterion.key).copied(),
            remark: remarks.get(&criterion.key).cloned().unwrap_or_default(),
        })
        .collect();
    let given: Vec<f64> = criteria.iter().filter_map(|criterion| criterion.score.map(f64::from)).collect();
    ReviewView {
        reviewer,
        submitted: review.is_some_and(|review| review.submitted_at.is_some()),
        average: super::selection::mean(&given),
        criteria,
    }
}

/// The other reviewers' submitted reviews of an application, when the actor's own is
/// submitted; none before.
pub async fn others(
    db: &impl ConnectionTrait,
    actor: &Actor,
    call: &call::Model,
    own: Option<&review::Model>,
    application_id: i32,
) -> Result<Option<Vec<ReviewView>>, DbErr> {
    if own.is_none_or(|review| review.submitted_at.is_none()) {
        return Ok(None);
    }
    let reviews = review::Entity::find()
        .filter(review::Column::ApplicationId.eq(application_id))
        .filter(review::Column::ReviewerId.ne(actor.user_id))
        .filter(review::Column::SubmittedAt.is_not_null())
        .filter(review::Column::Conflict.eq(false))
        .order_by_asc(review::Column::SubmittedAt)
        .all(db)
        .await?;
    let names: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(reviews.iter().map(|review| review.reviewer_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|account| (account.id, account.name))
        .collect();
    let criteria = criteria(call);
    Ok(Some(
        reviews
            .iter()
            .map(|review| {
                review_view(&criteria, Some(review), names.get(&review.reviewer_id).cloned().unwrap_or_default())
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn organisation(name: &str, municipalities: &[&str]) -> organisation::Model {
        organisation::Model {
            id: 1,
            slug: "org".into(),
            name: name.into(),
            kind: "gemeente".into(),
            province: None,
            municipalities: serde_json::json!(municipalities),
            website: None,
            description: String::new(),
            network_role: "inspiratieregio".into(),
            tranche: None,
            network_contact_user_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn details(organisation: &str, municipalities: &str) -> Details {
        Details { organisation: organisation.into(), municipalities: municipalities.into(), ..Details::default() }
    }

    #[test]
    fn reviewers_do_not_review_their_own_organisation_or_region() {
        let gorinchem = organisation("Gemeente Gorinchem", &["Gorinchem", "Molenlanden"]);
        assert_eq!(conflict_of(Some(&gorinchem), &details("gorinchem", "")), Some(OWN_ORGANISATION));
        let region = details("Regio Alblasserwaard", "Molenlanden, Vijfheerenlanden en Gorinchem");
        assert_eq!(conflict_of(Some(&gorinchem), &region), Some(OWN_REGION));
        assert_eq!(conflict_of(Some(&gorinchem), &details("Gemeente Tilburg", "Tilburg; Goirle")), None);
        assert_eq!(conflict_of(None, &details("Gemeente Gorinchem", "")), None);
        let landelijk = organisation("NJi", &[]);
        assert_eq!(conflict_of(Some(&landelijk), &details("Gemeente Gorinchem", "Gorinchem")), None);
    }

    #[test]
    fn a_submitted_review_scores_every_criterion_on_the_scale() {
        let criteria = super::super::CallKind::Aandeelhouder.default_criteria();
        let mut input = ReviewInput { submit: true, ..ReviewInput::default() };
        input.scores.insert("bijdrage".into(), "4".into());
        input.scores.insert("onbekend".into(), "9".into());
        let errors = input.validate(&criteria, 5).err().unwrap();
        assert!(errors.first("score_passend").is_some());
        input.scores.insert("passend".into(), "6".into());
        assert!(input.validate(&criteria, 5).err().unwrap().first("score_passend").unwrap().contains("1 tot 5"));
        input.scores.insert("passend".into(), "5".into());
        input.remarks.insert("passend".into(), " Sterk. ".into());
        let valid = input.validate(&criteria, 5).unwrap();
        assert_eq!(valid.scores.len(), 2);
        assert_eq!(valid.remarks["passend"], "Sterk.");
        let draft = ReviewInput { submit: false, ..ReviewInput::default() };
        assert!(draft.validate(&criteria, 5).unwrap().scores.is_empty());
    }
}
