//! People in the one search index. A profile is indexed as one document per viewer level
//! that may see it, each built from [`ProfileView::for_viewer`] for that level alone: a word
//! in a field a level may not see is not in that level's document, so it can neither find
//! the person nor show up in a snippet or a facet. The e-mail address is never indexed.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use entity::{organisation, profile, user};

use super::visibility::{may_see_profile, ProfileView, StoredProfile, ViewerLevel};
use crate::markdown;
use crate::search::{Audience, IndexItem, ItemKind, OrganisationRef};
use crate::taxonomy::Taxonomy;

impl From<ViewerLevel> for Audience {
    fn from(level: ViewerLevel) -> Audience {
        match level {
            ViewerLevel::Public => Audience::Public,
            ViewerLevel::Members => Audience::Members,
            ViewerLevel::Office => Audience::Office,
        }
    }
}

/// The search documents of the profiles `ids` (a missing id has none).
pub async fn index_items(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<IndexItem>, DbErr> {
    let profiles = profile::Entity::find().filter(profile::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    to_index_items(db, profiles).await
}

/// The search documents of the profiles with ids above `after`, in id order, and the last
/// id read; for rebuilding the index in batches.
pub async fn index_items_after(
    db: &impl ConnectionTrait,
    after: i32,
    limit: u64,
) -> Result<(Vec<IndexItem>, Option<i32>), DbErr> {
    let profiles = profile::Entity::find()
        .filter(profile::Column::Id.gt(after))
        .order_by_asc(profile::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let last = profiles.last().map(|found| found.id);
    Ok((to_index_items(db, profiles).await?, last))
}

/// The profiles with their accounts and organisations, loaded in three queries.
pub(super) async fn with_accounts(
    db: &impl ConnectionTrait,
    profiles: Vec<profile::Model>,
) -> Result<Vec<StoredProfile>, DbErr> {
    let users: HashMap<i32, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(profiles.iter().map(|profile| profile.user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|account| (account.id, account))
        .collect();
    let organisations: HashMap<i32, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(users.values().filter_map(|account| account.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|found| (found.id, found))
        .collect();
    Ok(profiles
        .into_iter()
        .filter_map(|profile| {
            let user = users.get(&profile.user_id)?.clone();
            let organisation = user.organisation_id.and_then(|id| organisations.get(&id)).cloned();
            Some(StoredProfile { profile, user, organisation })
        })
        .collect())
}

async fn to_index_items(db: &impl ConnectionTrait, profiles: Vec<profile::Model>) -> Result<Vec<IndexItem>, DbErr> {
    if profiles.is_empty() {
        return Ok(Vec::new());
    }
    let taxonomy = Taxonomy::load(db).await?;
    let stored = with_accounts(db, profiles).await?;
    Ok(stored.iter().flat_map(|stored| person_documents(stored, &taxonomy)).collect())
}

/// One document per level that may see the profile, each holding what that level may see.
pub fn person_documents(stored: &StoredProfile, taxonomy: &Taxonomy) -> Vec<IndexItem> {
    [ViewerLevel::Public, ViewerLevel::Members, ViewerLevel::Office]
        .into_iter()
        .filter(|&level| may_see_profile(&stored.profile, level))
        .map(|level| person_document(stored, &ProfileView::for_viewer(stored, taxonomy, level), level))
        .collect()
}

/// The document of one level, from that level's view only (and the organisation's kind
/// when the view shows the organisation).
fn person_document(stored: &StoredProfile, view: &ProfileView, level: ViewerLevel) -> IndexItem {
    let organisation = view.organisation.as_ref().zip(stored.organisation.as_ref()).map(|(shown, stored)| {
        OrganisationRef { slug: shown.slug.clone(), name: shown.name.clone(), kind: stored.kind.clone() }
    });
    let province = view.region.as_ref().and_then(|region| region.province.clone());
    let expertise = view.expertise.as_ref();
    let summary = [view.job_title.clone(), view.organisation.as_ref().map(|organisation| organisation.name.clone())]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    IndexItem {
        kind: ItemKind::Person,
        id: stored.profile.id,
        slug: view.slug.clone(),
        title: view.display_name.clone(),
        summary,
        body: visible_text(view),
        organisation,
        place: province.clone(),
        province,
        themes: expertise
            .map(|expertise| expertise.themes.iter().map(|theme| theme.slug.clone()).collect())
            .unwrap_or_default(),
        advices: expertise
            .map(|expertise| expertise.advices.iter().map(|advice| advice.slug.clone()).collect())
            .unwrap_or_default(),
        age_groups: Vec::new(),
        keywords: String::new(),
        // Neither date is shown (hits of people show none); sorting by date puts the newest
        // members first, and an edit does not move anyone up.
        date: stored.profile.created_at,
        shown_date: stored.profile.created_at,
        audiences: vec![level.into()],
        expertise_kind: view.expertise_kind.clone(),
    }
}

/// Every text of the view a search may match and a snippet may show, as plain sentences.
fn visible_text(view: &ProfileView) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(view.expertise_kind_label.clone());
    if let Some(region) = &view.region {
        parts.extend(region.province.clone());
        parts.extend(region.municipalities.iter().cloned());
    }
    if let Some(expertise) = &view.expertise {
        parts.extend(expertise.themes.iter().map(|theme| theme.name.clone()));
        parts.extend(expertise.advices.iter().map(|advice| advice.name.clone()));
        parts.extend(expertise.keywords.iter().cloned());
    }
    parts.extend(view.languages.iter().flatten().cloned());
    if view.availability.as_ref().is_some_and(|availability| availability.available) {
        parts.push("Beschikbaar als sparringpartner".to_string());
    }
    parts.extend(view.bio.as_deref().map(markdown::to_plain_text));
    parts.retain(|part| !part.trim().is_empty());
    parts.join(". ")
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::super::visibility::tests::stored;
    use super::super::visibility::{ProfileField, Visibilities, Visibility};
    use super::*;

    /// Everything a document holds that a search can match, show or count.
    fn everything(item: &IndexItem) -> String {
        let organisation =
            item.organisation.as_ref().map(|found| format!("{} {} {}", found.slug, found.name, found.kind));
        format!(
            "{} {} {} {} {:?} {:?} {:?} {:?} {:?} {:?}",
            item.title,
            item.summary,
            item.body,
            item.keywords,
            organisation,
            item.province,
            item.place,
            item.themes,
            item.advices,
            item.expertise_kind
        )
    }

    /// A word of the fixture profile that only the given field holds.
    fn word_of(field: ProfileField) -> &'static str {
        match field {
            ProfileField::Organisation => "Zutphen",
            ProfileField::JobTitle => "Leerplichtambtenaar",
            ProfileField::Region => "Lochem",
            ProfileField::Expertise => "OZA",
            ProfileField::ExpertiseKind => "beleid",
            ProfileField::Bio => "samen",
            ProfileField::Languages => "Nederlands",
            ProfileField::Availability => "sparringpartner",
        }
    }

    #[test]
    fn each_level_gets_a_document_with_only_what_it_may_see() {
        for field in ProfileField::iter() {
            for visibility in Visibility::iter() {
                let mut visibilities = Visibilities::default();
                for other in ProfileField::iter() {
                    visibilities.set(other, Visibility::Office);
                }
                visibilities.set(field, visibility);
                let mut profile = stored(visibilities, true, false);
                // A municipality of its own, so Zutphen stands only in the organisation.
                profile.profile.municipalities = serde_json::json!(["Lochem"]);
                let documents = person_documents(&profile, &Taxonomy::default());
                let audiences: Vec<Vec<Audience>> = documents.iter().map(|item| item.audiences.clone()).collect();
                assert_eq!(audiences, [[Audience::Public], [Audience::Members], [Audience::Office]]);
                for (item, level) in
                    documents.iter().zip([ViewerLevel::Public, ViewerLevel::Members, ViewerLevel::Office])
                {
                    let text = everything(item).to_lowercase();
                    for other in ProfileField::iter() {
                        let shown = level.sees(if other == field { visibility } else { Visibility::Office });
                        let word = word_of(other).to_lowercase();
                        assert_eq!(
                            text.contains(&word),
                            shown,
                            "{other:?} ({field:?} at {visibility:?}) for {level:?}: {text}"
                        );
                    }
                    assert!(!text.contains("anouk@example.nl"), "never the address: {text}");
                    assert_eq!((item.kind, item.id, item.title.as_str()), (ItemKind::Person, 1, "Anouk de Wit"));
                }
            }
        }
    }

    #[test]
    fn profiles_others_may_not_see_have_the_office_document_only() {
        for (listed, hidden) in [(false, false), (true, true)] {
            let documents = person_documents(&stored(Visibilities::default(), listed, hidden), &Taxonomy::default());
            let audiences: Vec<Vec<Audience>> = documents.iter().map(|item| item.audiences.clone()).collect();
            assert_eq!(audiences, [[Audience::Office]], "listed {listed}, hidden {hidden}");
        }
    }
}
