//! Who sees which field of a profile. Every page and API answer about a person is built by
//! [`ProfileView::for_viewer`], so this file is the one place the rule lives.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use strum::{EnumIter, EnumMessage, EnumString, IntoEnumIterator, IntoStaticStr};

use entity::{organisation, profile, user};

use crate::actor::{Actor, Role};
use crate::markdown;
use crate::taxonomy::Taxonomy;
use crate::vocabulary::Vocabulary;

/// Who may see a field, from the widest audience to the narrowest. The API uses the English
/// names; the form shows the Dutch labels.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, EnumIter, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone, also visitors who are not signed in.
    Public,
    /// Signed-in members of the network (leden, redacteuren and the programme office).
    #[default]
    Members,
    /// The programme office only.
    Office,
}

impl Visibility {
    pub fn slug(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Members => "members",
            Visibility::Office => "office",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Visibility> {
        Visibility::iter().find(|level| level.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Visibility::Public => "Iedereen",
            Visibility::Members => "Leden van het netwerk",
            Visibility::Office => "Alleen het programmabureau",
        }
    }
}

/// The fields whose visibility the owner chooses. The display name has none: it is shown to
/// whoever may see the profile at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr)]
pub enum ProfileField {
    #[strum(serialize = "organisation", message = "Organisatie")]
    Organisation,
    #[strum(serialize = "job_title", message = "Functie")]
    JobTitle,
    /// Province and municipalities.
    #[strum(serialize = "region", message = "Werkgebied")]
    Region,
    /// Themes, advices and keywords.
    #[strum(serialize = "expertise", message = "Expertise")]
    Expertise,
    #[strum(serialize = "expertise_kind", message = "Soort expertise")]
    ExpertiseKind,
    #[strum(serialize = "bio", message = "Over mij")]
    Bio,
    #[strum(serialize = "languages", message = "Talen")]
    Languages,
    /// Open to requests as a sparring partner, and how many a month.
    #[strum(serialize = "availability", message = "Beschikbaarheid als sparringpartner")]
    Availability,
}
impl Vocabulary for ProfileField {}

/// The visibility of every field; a field the stored object does not name is `members`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Visibilities {
    pub organisation: Visibility,
    pub job_title: Visibility,
    pub region: Visibility,
    pub expertise: Visibility,
    pub expertise_kind: Visibility,
    pub bio: Visibility,
    pub languages: Visibility,
    pub availability: Visibility,
}

impl Default for Visibilities {
    fn default() -> Visibilities {
        let members = Visibility::Members;
        Visibilities {
            organisation: members,
            job_title: members,
            region: members,
            expertise: members,
            expertise_kind: members,
            bio: members,
            languages: members,
            availability: members,
        }
    }
}

impl Visibilities {
    pub fn get(&self, field: ProfileField) -> Visibility {
        match field {
            ProfileField::Organisation => self.organisation,
            ProfileField::JobTitle => self.job_title,
            ProfileField::Region => self.region,
            ProfileField::Expertise => self.expertise,
            ProfileField::ExpertiseKind => self.expertise_kind,
            ProfileField::Bio => self.bio,
            ProfileField::Languages => self.languages,
            ProfileField::Availability => self.availability,
        }
    }

    pub fn set(&mut self, field: ProfileField, level: Visibility) {
        let slot = match field {
            ProfileField::Organisation => &mut self.organisation,
            ProfileField::JobTitle => &mut self.job_title,
            ProfileField::Region => &mut self.region,
            ProfileField::Expertise => &mut self.expertise,
            ProfileField::ExpertiseKind => &mut self.expertise_kind,
            ProfileField::Bio => &mut self.bio,
            ProfileField::Languages => &mut self.languages,
            ProfileField::Availability => &mut self.availability,
        };
        *slot = level;
    }

    /// Every field for the programme office only, as an imported profile starts.
    pub fn office_only() -> Visibilities {
        let mut visibilities = Visibilities::default();
        for field in ProfileField::iter() {
            visibilities.set(field, Visibility::Office);
        }
        visibilities
    }

    /// Whether only the programme office sees any field (as an imported profile starts).
    pub fn all_office(&self) -> bool {
        *self == Visibilities::office_only()
    }

    /// As stored; unreadable or unknown entries fall back to the default, never to public.
    pub fn from_stored(json: &serde_json::Value) -> Visibilities {
        let mut visibilities = Visibilities::default();
        let Some(object) = json.as_object() else { return visibilities };
        for field in ProfileField::iter() {
            let level = object.get(field.slug()).and_then(|value| value.as_str()).and_then(Visibility::from_slug);
            if let Some(level) = level {
                visibilities.set(field, level);
            }
        }
        visibilities
    }

    pub fn to_stored(self) -> serde_json::Value {
        let object: BTreeMap<&str, &str> =
            ProfileField::iter().map(|field| (field.slug(), self.get(field).slug())).collect();
        serde_json::json!(object)
    }
}

/// How far the person looking reaches: visitors see public fields, signed-in members also
/// members' fields, the programme office everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewerLevel {
    Public,
    Members,
    Office,
}

impl ViewerLevel {
    pub fn of(actor: Option<&Actor>) -> ViewerLevel {
        match actor.map(|actor| actor.role) {
            None => ViewerLevel::Public,
            Some(Role::Lid | Role::Redacteur | Role::Beoordelaar) => ViewerLevel::Members,
            Some(Role::Beheerder) => ViewerLevel::Office,
        }
    }

    pub fn sees(self, field: Visibility) -> bool {
        let reach = match self {
            ViewerLevel::Public => Visibility::Public,
            ViewerLevel::Members => Visibility::Members,
            ViewerLevel::Office => Visibility::Office,
        };
        field <= reach
    }
}

/// Whether the viewer may see the profile at all: the office always, others only when the
/// owner opted in and the office has not hidden it.
pub fn may_see_profile(profile: &profile::Model, level: ViewerLevel) -> bool {
    level == ViewerLevel::Office || (profile.listed && !profile.hidden_by_office)
}

/// A profile with everything stored about it that a view may draw on.
#[derive(Debug, Clone)]
pub struct StoredProfile {
    pub profile: profile::Model,
    pub user: user::Model,
    pub organisation: Option<organisation::Model>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Named {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Region {
    pub province: Option<String>,
    pub municipalities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Expertise {
    pub themes: Vec<Named>,
    pub advices: Vec<Named>,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Availability {
    pub available: bool,
    pub max_requests_per_month: Option<i32>,
}

/// The directory state, for the programme office only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DirectoryState {
    pub listed: bool,
    pub listed_changed_at: Option<DateTime<Utc>>,
    pub hidden_by_office: bool,
}

/// A profile as one viewer may see it: a field the viewer may not see is absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub slug: String,
    pub display_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Named>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expertise: Option<Expertise>,
    /// praktijk, beleid, wetenschap, ervaringsdeskundige or ouder-jongere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expertise_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expertise_kind_label: Option<String>,
    /// Markdown source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// The bio rendered to sanitized HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bio_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<Availability>,
    /// The programme office only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The programme office only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryState>,
}

pub(crate) fn strings(json: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(json.clone()).unwrap_or_default()
}

impl ProfileView {
    /// What `level` may see of the profile. Callers check [`may_see_profile`] first; this
    /// function decides field by field.
    pub fn for_viewer(stored: &StoredProfile, taxonomy: &Taxonomy, level: ViewerLevel) -> ProfileView {
        let profile = &stored.profile;
        let visibilities = Visibilities::from_stored(&profile.visibility);
        let shown = |field: ProfileField| level.sees(visibilities.get(field));
        let office = level == ViewerLevel::Office;
        let expertise_kind = profile.expertise_kind.clone().filter(|_| shown(ProfileField::ExpertiseKind));
        let bio = Some(profile.bio.clone()).filter(|_| shown(ProfileField::Bio));
        ProfileView {
            slug: profile.slug.clone(),
            display_name: profile.display_name.clone(),
            organisation: stored
                .organisation
                .as_ref()
                .filter(|_| shown(ProfileField::Organisation))
                .map(|organisation| Named { slug: organisation.slug.clone(), name: organisation.name.clone() }),
            job_title: Some(profile.job_title.clone()).filter(|_| shown(ProfileField::JobTitle)),
            region: shown(ProfileField::Region).then(|| Region {
                province: profile.province.clone(),
                municipalities: strings(&profile.municipalities),
            }),
            expertise: shown(ProfileField::Expertise).then(|| Expertise {
                themes: strings(&profile.themes)
                    .into_iter()
                    .map(|slug| Named { name: taxonomy.theme_name(&slug), slug })
                    .collect(),
                advices: strings(&profile.advices)
                    .into_iter()
                    .map(|slug| Named { name: taxonomy.advice_name(&slug), slug })
                    .collect(),
                keywords: strings(&profile.keywords),
            }),
            expertise_kind_label: expertise_kind.as_deref().map(ExpertiseKind::label_of),
            expertise_kind,
            bio_html: bio.as_deref().map(markdown::to_safe_html),
            bio,
            languages: shown(ProfileField::Languages).then(|| strings(&profile.languages)),
            availability: shown(ProfileField::Availability).then_some(Availability {
                available: profile.available,
                max_requests_per_month: profile.max_requests_per_month,
            }),
            email: office.then(|| stored.user.email.clone()),
            directory: office.then_some(DirectoryState {
                listed: profile.listed,
                listed_changed_at: profile.listed_changed_at,
                hidden_by_office: profile.hidden_by_office,
            }),
        }
    }
}

/// The kind of expertise someone brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumMessage, EnumString, IntoStaticStr)]
pub enum ExpertiseKind {
    #[strum(serialize = "praktijk", message = "Praktijk")]
    Praktijk,
    #[strum(serialize = "beleid", message = "Beleid")]
    Beleid,
    #[strum(serialize = "wetenschap", message = "Wetenschap")]
    Wetenschap,
    #[strum(serialize = "ervaringsdeskundige", message = "Ervaringsdeskundige")]
    Ervaringsdeskundige,
    #[strum(serialize = "ouder-jongere", message = "Ouder of jongere")]
    OuderJongere,
}
impl Vocabulary for ExpertiseKind {}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    const LEVELS: [ViewerLevel; 3] = [ViewerLevel::Public, ViewerLevel::Members, ViewerLevel::Office];

    pub(in crate::profiles) fn stored(visibilities: Visibilities, listed: bool, hidden: bool) -> StoredProfile {
        let now = Utc::now();
        let list = |items: &[&str]| serde_json::json!(items);
        StoredProfile {
            profile: profile::Model {
                id: 1,
                user_id: 7,
                slug: "anouk-de-wit".into(),
                display_name: "Anouk de Wit".into(),
                job_title: "Leerplichtambtenaar".into(),
                province: Some("Gelderland".into()),
                municipalities: list(&["Zutphen"]),
                themes: list(&["thuiszitters"]),
                advices: list(&[]),
                keywords: list(&["OZA"]),
                expertise_kind: Some("beleid".into()),
                bio: "Ik werk **graag** samen.".into(),
                languages: list(&["Nederlands"]),
                available: true,
                max_requests_per_month: Some(2),
                listed,
                listed_changed_at: Some(now),
                hidden_by_office: hidden,
                visibility: visibilities.to_stored(),
                created_at: now,
                updated_at: now,
            },
            user: user::Model {
                id: 7,
                email: "anouk@example.nl".into(),
                name: "Anouk de Wit".into(),
                organisation_id: Some(3),
                job_title: String::new(),
                role: "lid".into(),
                password_hash: None,
                email_verified: true,
                active: true,
                created_at: now,
                updated_at: now,
            },
            organisation: Some(organisation::Model {
                id: 3,
                slug: "gemeente-zutphen".into(),
                name: "Gemeente Zutphen".into(),
                kind: "gemeente".into(),
                province: Some("Gelderland".into()),
                municipalities: list(&["Zutphen"]),
                website: None,
                description: String::new(),
                network_role: "lid".into(),
                tranche: None,
                network_contact_user_id: None,
                created_at: now,
                updated_at: now,
            }),
        }
    }

    fn field_shown(view: &ProfileView, field: ProfileField) -> bool {
        match field {
            ProfileField::Organisation => view.organisation.is_some(),
            ProfileField::JobTitle => view.job_title.is_some(),
            ProfileField::Region => view.region.is_some(),
            ProfileField::Expertise => view.expertise.is_some(),
            ProfileField::ExpertiseKind => view.expertise_kind.is_some() && view.expertise_kind_label.is_some(),
            ProfileField::Bio => view.bio.is_some() && view.bio_html.is_some(),
            ProfileField::Languages => view.languages.is_some(),
            ProfileField::Availability => view.availability.is_some(),
        }
    }

    #[test]
    fn every_field_is_shown_exactly_to_the_levels_its_visibility_allows() {
        for field in ProfileField::iter() {
            for visibility in Visibility::iter() {
                // Only this field has the visibility under test; the others the narrowest.
                let mut visibilities = Visibilities::default();
                for other in ProfileField::iter() {
                    visibilities.set(other, Visibility::Office);
                }
                visibilities.set(field, visibility);
                let profile = stored(visibilities, true, false);
                for level in LEVELS {
                    let view = ProfileView::for_viewer(&profile, &Taxonomy::default(), level);
                    let expected = match visibility {
                        Visibility::Public => true,
                        Visibility::Members => level != ViewerLevel::Public,
                        Visibility::Office => level == ViewerLevel::Office,
                    };
                    assert_eq!(field_shown(&view, field), expected, "{field:?} at {visibility:?} for {level:?}");
                    for other in ProfileField::iter().filter(|other| *other != field) {
                        assert_eq!(field_shown(&view, other), level == ViewerLevel::Office, "{other:?} for {level:?}");
                    }
                    assert_eq!(view.display_name, "Anouk de Wit");
                }
            }
        }
    }

    #[test]
    fn the_email_address_and_directory_state_are_for_the_office_only() {
        let mut visibilities = Visibilities::default();
        for field in ProfileField::iter() {
            visibilities.set(field, Visibility::Public);
        }
        let profile = stored(visibilities, true, false);
        for level in LEVELS {
            let view = ProfileView::for_viewer(&profile, &Taxonomy::default(), level);
            let office = level == ViewerLevel::Office;
            assert_eq!(view.email.is_some(), office, "{level:?}");
            assert_eq!(view.directory.is_some(), office, "{level:?}");
            let json = serde_json::to_string(&view).unwrap();
            assert_eq!(json.contains("anouk@example.nl"), office, "{level:?}: {json}");
        }
    }

    #[test]
    fn only_listed_profiles_the_office_did_not_hide_are_seen_by_others() {
        for (listed, hidden) in [(true, false), (false, false), (true, true), (false, true)] {
            let profile = stored(Visibilities::default(), listed, hidden).profile;
            assert!(may_see_profile(&profile, ViewerLevel::Office));
            for level in [ViewerLevel::Public, ViewerLevel::Members] {
                assert_eq!(may_see_profile(&profile, level), listed && !hidden, "{listed} {hidden} {level:?}");
            }
        }
    }

    #[test]
    fn stored_visibilities_default_to_members_and_never_widen() {
        let read =
            Visibilities::from_stored(&serde_json::json!({"bio": "public", "region": "everyone", "x": "public"}));
        assert_eq!(read.bio, Visibility::Public);
        assert_eq!(read.region, Visibility::Members);
        assert_eq!(read.job_title, Visibility::Members);
        assert_eq!(Visibilities::from_stored(&serde_json::Value::Null), Visibilities::default());
        let all = Visibilities::from_stored(&Visibilities::default().to_stored());
        assert_eq!(all, Visibilities::default());
        assert!(!all.all_office());
        assert!(Visibilities::office_only().all_office());
    }

    #[test]
    fn viewer_levels_follow_roles() {
        assert_eq!(ViewerLevel::of(None), ViewerLevel::Public);
        let actor = |role| Actor {
            user_id: 1,
            name: "A".into(),
            email: "a@example.nl".into(),
            role,
            organisation_id: None,
            session_id: String::new(),
        };
        assert_eq!(ViewerLevel::of(Some(&actor(Role::Lid))), ViewerLevel::Members);
        assert_eq!(ViewerLevel::of(Some(&actor(Role::Redacteur))), ViewerLevel::Members);
        assert_eq!(ViewerLevel::of(Some(&actor(Role::Beheerder))), ViewerLevel::Office);
    }
}
