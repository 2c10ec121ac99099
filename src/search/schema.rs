//! The index schema and the document the domain hands to the index.

use chrono::{DateTime, Utc};
use tantivy::schema::{
    FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};
use tantivy::{DateTime as TantivyDate, TantivyDocument};

use super::analyzer::DUTCH;

/// Bumped whenever the schema or the analyzer changes: an index of another version is
/// rebuilt from the database at start-up.
pub const SCHEMA_VERSION: u32 = 7;

/// The fast field that sorting by date uses.
pub const SHOWN_DATE: &str = "shown_date";

/// What kinds of item the index holds; the value of the `kind` facet and filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Practice,
    Document,
    News,
    Event,
    /// A member profile, indexed once per viewer level that may see it (see [`Audience`]).
    Person,
    /// A question of the question desk's public archive ("Eerder gesteld").
    Question,
}

impl ItemKind {
    pub const ALL: [ItemKind; 6] =
        [ItemKind::Practice, ItemKind::Document, ItemKind::News, ItemKind::Event, ItemKind::Person, ItemKind::Question];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Practice => "practice",
            ItemKind::Document => "document",
            ItemKind::News => "news",
            ItemKind::Event => "event",
            ItemKind::Person => "person",
            ItemKind::Question => "question",
        }
    }

    pub fn parse(value: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    /// The kinds a search that names no kind does not find (it counts them in the kind
    /// facet): people, whom one looks for on purpose.
    pub const FOUND_ONLY_WHEN_ASKED: &'static [ItemKind] = &[ItemKind::Person];

    /// Public URL path of an item of this kind.
    pub fn path(self, slug: &str) -> String {
        match self {
            ItemKind::Practice => format!("/praktijken/{slug}"),
            ItemKind::Document => format!("/documenten/{slug}"),
            ItemKind::News => format!("/nieuws/{slug}"),
            ItemKind::Event => format!("/agenda/{slug}"),
            ItemKind::Person => format!("/leden/{slug}"),
            ItemKind::Question => format!("/vragen/{slug}"),
        }
    }
}

/// Who is searching, as far as the index needs to know: a document names the levels that
/// may not see it, and every search leaves those out for its level. The domains map their
/// own notion of a viewer onto this.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Audience {
    /// Visitors who are not signed in.
    #[default]
    Public,
    /// Signed-in members of the network.
    Members,
    /// The programme office.
    Office,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Public, Audience::Members, Audience::Office];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Members => "members",
            Audience::Office => "office",
        }
    }
}

/// One searchable item as the domain describes it.
#[derive(Debug, Clone)]
pub struct IndexItem {
    pub kind: ItemKind,
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub organisation: Option<OrganisationRef>,
    pub province: Option<String>,
    pub themes: Vec<String>,
    pub advices: Vec<String>,
    pub age_groups: Vec<String>,
    /// Extra words that should find the item (organisation name, theme names, places).
    pub keywords: String,
    /// From when the item is public: the search leaves out items dated in the future.
    pub date: DateTime<Utc>,
    /// The date a hit shows and sorting by date uses: when it was published, or when an
    /// event takes place.
    pub shown_date: DateTime<Utc>,
    /// The place a hit shows: the province, or where an event takes place.
    pub place: Option<String>,
    /// The levels that may see this document: all of them for a public item, one for each
    /// of the documents of a person (built from what that level may see).
    pub audiences: Vec<Audience>,
    /// The kind of expertise of a person (the `expertise_kind` facet).
    pub expertise_kind: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OrganisationRef {
    pub slug: String,
    pub name: String,
    pub kind: String,
}

/// The facets, in display order: (name in API and URLs, path root in the facet field).
pub const FACETS: [&str; 7] = ["kind", "province", "organisation_kind", "theme", "advice", "age", "expertise_kind"];

/// The path root, in the facet field, of the viewer levels that may NOT see a document
/// (`Audience::as_str`). Most documents have none; searches keep out the documents hidden
/// from their level as they count facets (see `facets`), not by a query clause.
pub const HIDDEN_FROM: &str = "hidden_from";

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    pub slug: Field,
    pub title: Field,
    pub summary: Field,
    pub body: Field,
    /// Title, summary, keywords and body as one field: what text queries are scored on.
    pub text: Field,
    pub organisation_slug: Field,
    pub organisation_name: Field,
    pub province: Field,
    pub themes: Field,
    pub facets: Field,
    pub date: Field,
    pub shown_date: Field,
    pub place: Field,
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let dutch = TextFieldIndexing::default()
            .set_tokenizer(DUTCH)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let stored_text = TextOptions::default().set_indexing_options(dutch.clone()).set_stored();
        let fields = Fields {
            key: builder.add_text_field("key", STRING | STORED),
            kind: builder.add_text_field("kind", STRING | STORED),
            id: builder.add_i64_field("id", NumericOptions::default().set_stored()),
            slug: builder.add_text_field("slug", STORED),
            // The title is indexed on its own too, for the title's extra weight.
            title: builder.add_text_field("title", stored_text),
            summary: builder.add_text_field("summary", STORED),
            body: builder.add_text_field("body", STORED),
            text: builder.add_text_field("text", TextOptions::default().set_indexing_options(dutch)),
            organisation_slug: builder.add_text_field("organisation_slug", STORED),
            organisation_name: builder.add_text_field("organisation_name", STORED),
            province: builder.add_text_field("province", STORED),
            themes: builder.add_text_field("themes", STORED),
            facets: builder.add_facet_field("facets", FacetOptions::default()),
            date: builder.add_date_field("date", FAST | STORED),
            shown_date: builder.add_date_field(SHOWN_DATE, FAST | STORED),
            place: builder.add_text_field("place", STORED),
        };
        (builder.build(), fields)
    }

    pub fn to_document(&self, item: &IndexItem) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.key, item_key(item.kind, item.id));
        doc.add_text(self.kind, item.kind.as_str());
        for audience in Audience::ALL.iter().filter(|audience| !item.audiences.contains(audience)) {
            doc.add_facet(self.facets, facet_path(HIDDEN_FROM, audience.as_str()));
        }
        doc.add_i64(self.id, i64::from(item.id));
        doc.add_text(self.slug, &item.slug);
        doc.add_text(self.title, &item.title);
        doc.add_text(self.summary, &item.summary);
        doc.add_text(self.body, &item.body);
        for text in [&item.title, &item.summary, &item.keywords, &item.body] {
            doc.add_text(self.text, text);
        }
        doc.add_facet(self.facets, facet_path("kind", item.kind.as_str()));
        if let Some(organisation) = &item.organisation {
            doc.add_text(self.organisation_slug, &organisation.slug);
            doc.add_text(self.organisation_name, &organisation.name);
            doc.add_facet(self.facets, facet_path("organisation_kind", &organisation.kind));
        }
        if let Some(province) = &item.province {
            doc.add_text(self.province, province);
            doc.add_facet(self.facets, facet_path("province", province));
        }
        for theme in &item.themes {
            doc.add_text(self.themes, theme);
            doc.add_facet(self.facets, facet_path("theme", theme));
        }
        for advice in &item.advices {
            doc.add_facet(self.facets, facet_path("advice", advice));
        }
        for age in &item.age_groups {
            doc.add_facet(self.facets, facet_path("age", age));
        }
        if let Some(kind) = &item.expertise_kind {
            doc.add_facet(self.facets, facet_path("expertise_kind", kind));
        }
        doc.add_date(self.date, TantivyDate::from_timestamp_secs(item.date.timestamp()));
        doc.add_date(self.shown_date, TantivyDate::from_timestamp_secs(item.shown_date.timestamp()));
        if let Some(place) = &item.place {
            doc.add_text(self.place, place);
        }
        doc
    }
}

/// The unique key of an item in the index: its kind and database id.
pub fn item_key(kind: ItemKind, id: i32) -> String {
    format!("{}:{id}", kind.as_str())
}

/// A facet value as a tantivy facet path; slashes in values are escaped by tantivy.
pub fn facet_path(facet: &str, value: &str) -> tantivy::schema::Facet {
    tantivy::schema::Facet::from_path([facet, value])
}
