//! Open calls to join the network, stored on SQLite and PostgreSQL: the programme office
//! opens and edits them, nobody else may, and the public list holds open and upcoming ones.

use chrono::{Duration, Utc};
use oogst::actor::{Actor, Role};
use oogst::calls::{self, CallInput, CallKind, Phase, Question};
use oogst::dutch_time::local_input;
use oogst::validation::EditError;

use crate::common::{Backend, TestEnv};
use crate::storage_test;

fn actor(role: Role) -> Actor {
    Actor {
        user_id: 1,
        name: "Programmabureau".into(),
        email: "bureau@oogst.test".into(),
        role,
        organisation_id: None,
        session_id: String::new(),
    }
}

fn call(kind: CallKind, title: &str, opens_in: Duration, closes_in: Option<Duration>) -> CallInput {
    let now = Utc::now();
    CallInput {
        kind,
        title: title.into(),
        introduction: "Meld u aan als inspiratieregio.".into(),
        opens_at: local_input(now + opens_in),
        closes_at: closes_in.map(|closes| local_input(now + closes)).unwrap_or_default(),
        places: Some(10),
        decision_on: String::new(),
        questions: Vec::new(),
        word_limit: None,
        attachments_allowed: true,
    }
}

async fn the_office_opens_and_edits_calls(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let db = oogst::startup::connect(&env.config()).await.unwrap();
    let office = oogst::accounts::create(
        &db,
        &oogst::accounts::NewUser {
            email: "bureau@oogst.test".into(),
            name: "Programmabureau".into(),
            role: Role::Beheerder,
            organisation_id: None,
            job_title: String::new(),
        },
        true,
    )
    .await
    .unwrap();
    let office = Actor { user_id: office.id, ..actor(Role::Beheerder) };
    let day = Duration::days(1);
    let open = call(CallKind::Inspiratieregio, "Tranche 3", -day, Some(day * 14));
    let member = calls::create(&db, &actor(Role::Lid), open.clone()).await;
    assert!(matches!(member, Err(EditError::Forbidden)), "{member:?}");

    let tranche = calls::create(&db, &office, open.clone()).await.unwrap();
    assert_eq!(tranche.slug, "tranche-3");
    assert_eq!(calls::questions(&tranche).len(), 8);
    let again = calls::create(&db, &office, open).await.unwrap();
    assert_eq!(again.slug, "tranche-3-2");
    let all_year =
        calls::create(&db, &office, call(CallKind::Aandeelhouder, "Aandeelhouder worden", -day, None)).await.unwrap();
    let closed =
        calls::create(&db, &office, call(CallKind::Inspiratieregio, "Tranche 2", -day * 60, Some(-day))).await.unwrap();
    let upcoming = calls::create(&db, &office, call(CallKind::Inspiratieregio, "Tranche 4", day * 30, Some(day * 60)))
        .await
        .unwrap();
    assert_eq!(calls::phase(&closed, Utc::now()), Phase::Closed);

    let current: Vec<String> =
        calls::current(&db, Utc::now()).await.unwrap().into_iter().map(|call| call.slug).collect();
    assert_eq!(current, [tranche.slug.as_str(), "tranche-3-2", all_year.slug.as_str(), upcoming.slug.as_str()]);

    let mut edited = calls::input_of(&tranche);
    edited.questions =
        vec![Question { key: "leervraag".into(), title: "Wat wilt u leren?".into(), help: "Kort.".into() }];
    edited.word_limit = Some(900);
    let updated = calls::update(&db, &office, &tranche.slug, edited).await.unwrap();
    assert_eq!((updated.slug.as_str(), updated.word_limit), ("tranche-3", Some(900)));
    assert_eq!(calls::questions(&updated)[0].title, "Wat wilt u leren?");
    let stored = calls::find(&db, "tranche-3").await.unwrap().unwrap();
    assert_eq!(stored, updated);

    let mut bad = calls::input_of(&stored);
    bad.title = "Tranche\u{7}".into();
    let refused = calls::update(&db, &office, "tranche-3", bad).await;
    assert!(matches!(refused, Err(EditError::Invalid(_))), "{refused:?}");
    assert_eq!(calls::find(&db, "tranche-3").await.unwrap().unwrap(), stored);
    env.finish().await;
}
storage_test!(the_office_opens_and_edits_calls);
