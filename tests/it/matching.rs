//! Matching as the programme office meets it, over the demo content: the judged questions of
//! `benches/matching/questions.yaml` keep their floors (and beat the plain search), and the
//! rules hold: unavailable people never come first, the same province before elsewhere,
//! open requests lower an expert, drafts are never suggested.
//! `cargo bench --bench matching` prints the same figures.

use std::collections::HashMap;

use oogst::accounts::NewUser;
use oogst::actor::Role;
use oogst::matching::{self, ExpertSuggestion, Need, Suggestions};
use oogst::profiles::ProfileInput;
use oogst::startup::Storage;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

use crate::common::{Backend, TestEnv};
use crate::matching_set::{self, evaluate, JudgedQuestion};
use crate::storage_test;

/// Just below matching's figures when this test was written (experts 0.867 and 0.978,
/// practices 0.857 and 0.953 over 45 and 43 judged questions), leaving room for the odd tie
/// that breaks the other way; raise them when matching gets better, never lower them to let
/// a change pass.
const EXPERTS_MRR: f64 = 0.85;
const EXPERTS_SUCCESS_AT_3: f64 = 0.95;
const PRACTICES_MRR: f64 = 0.84;
const PRACTICES_SUCCESS_AT_3: f64 = 0.93;

async fn matching_keeps_its_floors_and_its_rules(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let storage = matching_set::demo_storage(&env.config()).await.unwrap();
    let questions = matching_set::questions();
    assert!(questions.len() >= 40, "the evaluation set has {} questions", questions.len());
    let suggestions = matching_set::matching_ranked(&storage, &questions, &HashMap::new()).await.unwrap();

    keeps_its_floors(&storage, &questions, &suggestions);
    for (question, suggested) in questions.iter().zip(&suggestions) {
        unavailable_people_come_last(&question.question, &suggested.experts);
        only_published_practices(&storage, &question.question, suggested).await;
    }
    nothing_to_search_suggests_nothing(&storage).await;
    archived_practices_are_not_suggested_while_still_indexed(&storage).await;
    the_same_province_comes_first_and_busy_or_unavailable_people_later(&storage).await;
    env.finish().await;
}
storage_test!(matching_keeps_its_floors_and_its_rules);

fn keeps_its_floors(storage: &Storage, questions: &[JudgedQuestion], suggestions: &[Suggestions]) {
    let matched = evaluate(questions, &matching_set::slugs(suggestions));
    let plain = evaluate(questions, &matching_set::search_ranked(storage, questions).unwrap());
    let pairs = [
        ("experts mrr@10", matched.experts.mrr, plain.experts.mrr, EXPERTS_MRR),
        ("experts success@3", matched.experts.success_at_3, plain.experts.success_at_3, EXPERTS_SUCCESS_AT_3),
        ("practices mrr@10", matched.practices.mrr, plain.practices.mrr, PRACTICES_MRR),
        ("practices success@3", matched.practices.success_at_3, plain.practices.success_at_3, PRACTICES_SUCCESS_AT_3),
    ];
    for (name, ours, search, floor) in pairs {
        assert!(ours >= floor, "{name} fell to {ours:.3}, below its floor {floor:.3}");
        assert!(ours > search, "{name}: matching {ours:.3} does not beat the plain search {search:.3}");
    }
}

/// Once an unavailable person is suggested, no available one follows.
fn unavailable_people_come_last(question: &str, experts: &[ExpertSuggestion]) {
    let available = |expert: &ExpertSuggestion| expert.reasons.iter().any(|reason| reason == "beschikbaar");
    let first_unavailable = experts.iter().position(|expert| !available(expert)).unwrap_or(experts.len());
    assert!(
        experts[first_unavailable..].iter().all(|expert| !available(expert)),
        "{question}: {:?}",
        experts.iter().map(|expert| (&expert.slug, &expert.reasons)).collect::<Vec<_>>()
    );
}

async fn only_published_practices(storage: &Storage, question: &str, suggested: &Suggestions) {
    assert!(!suggested.practices.is_empty() && !suggested.experts.is_empty(), "{question}: nothing suggested");
    for practice in &suggested.practices {
        let published = oogst::practices::find_published(&storage.db, &practice.slug).await.unwrap();
        assert!(published.is_some(), "{question}: {} is not published", practice.slug);
    }
    assert!(
        suggested.experts.len() <= matching::MAX_SUGGESTIONS && suggested.practices.len() <= matching::MAX_SUGGESTIONS
    );
}

/// Three people who describe the same work in the same words: only their province, their
/// availability and their open requests set them apart.
async fn add_triplets(storage: &Storage) -> HashMap<&'static str, i32> {
    let taxonomy = oogst::taxonomy::Taxonomy::load(&storage.db).await.unwrap();
    let mut ids = HashMap::new();
    for (slug, name, province, available) in [
        ("drieling-noord", "Drieling Noord", "Noord-Holland", true),
        ("drieling-oost", "Drieling Oost", "Gelderland", true),
        ("drieling-thuis", "Drieling Thuis", "Noord-Holland", false),
    ] {
        let transaction = oogst::db::begin_write(&storage.db).await.unwrap();
        let new = NewUser {
            email: format!("{slug}@example.nl"),
            name: name.into(),
            role: Role::Lid,
            organisation_id: None,
            job_title: String::new(),
        };
        let account = oogst::accounts::create(&transaction, &new, true).await.unwrap();
        let input = ProfileInput {
            display_name: name.into(),
            province: Some(province.into()),
            themes: vec!["thuiszitters".into()],
            bio: "Ik begeleid leerlingen met langdurig schoolverzuim in het terugkeerprogramma Zwaluwstaart.".into(),
            available,
            listed: true,
            ..ProfileInput::default()
        };
        let profile = oogst::profiles::save_in(&transaction, &taxonomy, account.id, &input).await.unwrap();
        transaction.commit().await.unwrap();
        ids.insert(slug, profile.id);
    }
    oogst::search_sync::apply_outbox(&storage.db, &storage.search).await.unwrap();
    ids
}

fn position(suggestions: &Suggestions, slug: &str) -> usize {
    suggestions.experts.iter().position(|expert| expert.slug == slug).unwrap_or_else(|| panic!("{slug} missing"))
}

async fn the_same_province_comes_first_and_busy_or_unavailable_people_later(storage: &Storage) {
    let ids = add_triplets(storage).await;
    let need = |province: &str| Need {
        text: "Wie kent het terugkeerprogramma Zwaluwstaart voor langdurig schoolverzuim?".into(),
        themes: vec!["thuiszitters".into()],
        province: Some(province.into()),
        question_id: None,
    };
    let none = HashMap::new();
    let north = matching::suggest(&storage.db, &storage.search, &need("Noord-Holland"), &none).await.unwrap();
    assert_eq!(position(&north, "drieling-noord"), 0, "{:?}", north.experts);
    assert!(position(&north, "drieling-oost") < position(&north, "drieling-thuis"), "unavailable comes last");
    let noord = &north.experts[0];
    assert_eq!(noord.reasons, ["thema thuiszitters en schoolaanwezigheid", "zelfde provincie", "beschikbaar"]);
    let thuis = &north.experts[position(&north, "drieling-thuis")];
    assert!(thuis.score > north.experts[position(&north, "drieling-oost")].score, "ranked last despite its score");
    assert!(thuis.reasons.contains(&"niet beschikbaar".to_string()), "{:?}", thuis.reasons);

    let east = matching::suggest(&storage.db, &storage.search, &need("Gelderland"), &none).await.unwrap();
    assert_eq!(position(&east, "drieling-oost"), 0, "{:?}", east.experts);
    assert!(position(&east, "drieling-noord") < position(&east, "drieling-thuis"));

    let busy = HashMap::from([(ids["drieling-noord"], 3)]);
    let north = matching::suggest(&storage.db, &storage.search, &need("Noord-Holland"), &busy).await.unwrap();
    assert!(position(&north, "drieling-oost") < position(&north, "drieling-noord"), "{:?}", north.experts);
    let noord = &north.experts[position(&north, "drieling-noord")];
    assert!(noord.reasons.contains(&"3 lopende vragen".to_string()), "{:?}", noord.reasons);
}

async fn nothing_to_search_suggests_nothing(storage: &Storage) {
    let need = Need { text: "de het een ?".into(), ..Need::default() };
    let suggestions = matching::suggest(&storage.db, &storage.search, &need, &HashMap::new()).await.unwrap();
    assert!(suggestions.experts.is_empty() && suggestions.practices.is_empty() && suggestions.questions.is_empty());
}

/// The index follows the database a moment later: a practice archived a moment ago is still
/// found, but not suggested.
async fn archived_practices_are_not_suggested_while_still_indexed(storage: &Storage) {
    let need = Need { text: "Monitor aansluiting onderwijs jeugdhulp cijfers".into(), ..Need::default() };
    let before = matching::suggest(&storage.db, &storage.search, &need, &HashMap::new()).await.unwrap();
    assert_eq!(before.practices[0].slug, "monitor-aoj");
    let monitor = entity::practice::Entity::find()
        .filter(entity::practice::Column::Slug.eq("monitor-aoj"))
        .one(&storage.db)
        .await
        .unwrap()
        .unwrap();
    let mut archived = monitor.into_active_model();
    archived.status = Set("gearchiveerd".into());
    archived.update(&storage.db).await.unwrap();
    let after = matching::suggest(&storage.db, &storage.search, &need, &HashMap::new()).await.unwrap();
    assert!(after.practices.iter().all(|practice| practice.slug != "monitor-aoj"), "{:?}", after.practices);
    let pieter = |suggestions: &Suggestions| {
        suggestions.experts.iter().find(|expert| expert.slug == "pieter-hoekstra").map(|expert| expert.reasons.clone())
    };
    assert!(
        pieter(&before).is_some_and(|reasons| reasons.iter().any(|reason| reason.starts_with("contactpersoon van")))
    );
    assert!(pieter(&after).is_none_or(|reasons| !reasons.iter().any(|reason| reason.starts_with("contactpersoon van"))));
}
