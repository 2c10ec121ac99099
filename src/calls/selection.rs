//! The selection board: the submitted applications to a call with their average scores and
//! the spread between reviewers, and for the set the office marks as selected its spread
//! over the provinces, its mix of sizes (inhabitants) and areas, against the places. Exported
//! as CSV for the selection meeting.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use entity::{application, call, review};

use super::applications::{Details, Status};
use super::reviews::{submitted, ReviewError};
use super::{criteria, Criterion};
use crate::actor::{policy, Actor};
use crate::taxonomy::PROVINCES;

/// The mean, if there is anything to average.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// How far reviewers' averages lie apart: their standard deviation (none below two).
pub fn spread(values: &[f64]) -> Option<f64> {
    let average = mean(values).filter(|_| values.len() > 1)?;
    Some((values.iter().map(|value| (value - average).powi(2)).sum::<f64>() / values.len() as f64).sqrt())
}

pub fn one_decimal(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Size classes by inhabitants: upper bounds (exclusive) and labels.
const SIZE_CLASSES: [(u64, &str); 4] = [
    (50_000, "tot 50.000"),
    (100_000, "50.000 tot 100.000"),
    (250_000, "100.000 tot 250.000"),
    (u64::MAX, "250.000 en meer"),
];
/// Area classes in km².
const AREA_CLASSES: [(f64, &str); 4] = [
    (100.0, "tot 100 km²"),
    (300.0, "100 tot 300 km²"),
    (1_000.0, "300 tot 1.000 km²"),
    (f64::INFINITY, "1.000 km² en meer"),
];
const UNKNOWN: &str = "niet opgegeven";

pub fn size_class(inhabitants: Option<u64>) -> &'static str {
    inhabitants.map_or(UNKNOWN, |count| SIZE_CLASSES.iter().find(|(bound, _)| count < *bound).map_or(UNKNOWN, |c| c.1))
}

pub fn area_class(area: Option<f64>) -> &'static str {
    area.map_or(UNKNOWN, |km2| AREA_CLASSES.iter().find(|(bound, _)| km2 < *bound).map_or(UNKNOWN, |c| c.1))
}

/// A submitted application as the board shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: i32,
    pub organisation: String,
    pub contact_name: String,
    pub email: String,
    pub province: String,
    pub municipalities: String,
    pub inhabitants: String,
    pub area_km2: String,
    pub size_class: &'static str,
    pub area_class: &'static str,
    /// Submitted reviews with scores.
    pub reviews: usize,
    /// Reviewers who declared a conflict of interest.
    pub conflicts: usize,
    /// The mean of the reviewers' averages.
    #[serde(serialize_with = "as_dutch_number")]
    pub average: Option<f64>,
    #[serde(serialize_with = "as_dutch_number")]
    pub spread: Option<f64>,
    /// Per criterion of the call, the mean of the reviewers' scores.
    #[serde(serialize_with = "as_dutch_numbers")]
    pub criteria: Vec<Option<f64>>,
    pub selected: bool,
}

/// How many selected and how many applied, of one province or class.
#[derive(Debug, Clone, Serialize)]
pub struct Count {
    pub label: &'static str,
    pub selected: usize,
    pub applied: usize,
}

/// The selected set against the places.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub selected: usize,
    pub places: Option<i32>,
    pub over_places: bool,
    pub provinces: Vec<Count>,
    /// Provinces with at least one selected application.
    pub provinces_covered: usize,
    pub sizes: Vec<Count>,
    pub areas: Vec<Count>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Board {
    pub criteria: Vec<Criterion>,
    pub rows: Vec<Row>,
    pub summary: Summary,
}

fn row(found: &application::Model, reviews: &[&review::Model], criteria: &[Criterion]) -> Row {
    let details: Details = serde_json::from_value(found.details.clone()).unwrap_or_default();
    let scored: Vec<HashMap<String, i32>> = reviews
        .iter()
        .filter(|review| !review.conflict)
        .map(|review| serde_json::from_value(review.scores.clone()).unwrap_or_default())
        .collect();
    let reviewer_averages: Vec<f64> = scored
        .iter()
        .filter_map(|scores| mean(&scores.values().map(|score| f64::from(*score)).collect::<Vec<_>>()))
        .collect();
    let per_criterion = criteria
        .iter()
        .map(|criterion| {
            let given: Vec<f64> =
                scored.iter().filter_map(|scores| scores.get(&criterion.key)).map(|s| f64::from(*s)).collect();
            mean(&given).map(one_decimal)
        })
        .collect();
    Row {
        id: found.id,
        size_class: size_class(details.inhabitants_number()),
        area_class: area_class(details.area_number()),
        organisation: details.organisation,
        contact_name: details.contact_name,
        email: found.email.clone(),
        province: details.province,
        municipalities: details.municipalities,
        inhabitants: details.inhabitants,
        area_km2: details.area_km2,
        reviews: scored.len(),
        conflicts: reviews.len() - scored.len(),
        average: mean(&reviewer_averages).map(one_decimal),
        spread: spread(&reviewer_averages).map(one_decimal),
        criteria: per_criterion,
        selected: found.selected,
    }
}

/// Counts of the selected and of all rows per label, in the order of `labels`.
fn counts(rows: &[Row], labels: &[&'static str], label_of: impl Fn(&Row) -> &str) -> Vec<Count> {
    labels
        .iter()
        .map(|label| {
            let applied: Vec<&Row> = rows.iter().filter(|row| label_of(row) == *label).collect();
            Count { label, selected: applied.iter().filter(|row| row.selected).count(), applied: applied.len() }
        })
        .collect()
}

fn summary(call: &call::Model, rows: &[Row]) -> Summary {
    let selected = rows.iter().filter(|row| row.selected).count();
    let provinces = counts(rows, &PROVINCES, |row| &row.province);
    let with_unknown = |classes: Vec<&'static str>| classes.into_iter().chain([UNKNOWN]).collect::<Vec<_>>();
    Summary {
        selected,
        places: call.places,
        over_places: call.places.is_some_and(|places| selected > places as usize),
        provinces_covered: provinces.iter().filter(|count| count.selected > 0).count(),
        provinces,
        sizes: counts(rows, &with_unknown(SIZE_CLASSES.map(|c| c.1).to_vec()), |row| row.size_class),
        areas: counts(rows, &with_unknown(AREA_CLASSES.map(|c| c.1).to_vec()), |row| row.area_class),
    }
}

/// The board of a call, best average first; the programme office only.
pub async fn board(db: &impl ConnectionTrait, actor: &Actor, call: &call::Model) -> Result<Board, ReviewError> {
    if !policy::can_manage_network(actor) {
        return Err(ReviewError::Forbidden);
    }
    let applications = submitted(db, call).await?;
    let reviews = review::Entity::find()
        .filter(review::Column::ApplicationId.is_in(applications.iter().map(|found| found.id)))
        .filter(review::Column::SubmittedAt.is_not_null())
        .all(db)
        .await?;
    let criteria = criteria(call);
    let mut rows: Vec<Row> = applications
        .iter()
        .map(|found| {
            let own: Vec<&review::Model> = reviews.iter().filter(|review| review.application_id == found.id).collect();
            row(found, &own, &criteria)
        })
        .collect();
    rows.sort_by(|a, b| b.average.partial_cmp(&a.average).unwrap_or(std::cmp::Ordering::Equal).then(a.id.cmp(&b.id)));
    let summary = summary(call, &rows);
    Ok(Board { criteria, rows, summary })
}

/// Marks a submitted application of the call as selected or not; the programme office only.
pub async fn set_selected(
    db: &DatabaseConnection,
    actor: &Actor,
    call: &call::Model,
    id: i32,
    selected: bool,
) -> Result<(), ReviewError> {
    if !policy::can_manage_network(actor) {
        return Err(ReviewError::Forbidden);
    }
    let changed = application::Entity::update_many()
        .col_expr(application::Column::Selected, sea_orm::sea_query::Expr::value(selected))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::CallId.eq(call.id))
        .filter(application::Column::Status.eq(Status::Submitted.slug()))
        .exec(db)
        .await?;
    if changed.rows_affected == 0 {
        return Err(ReviewError::NotFound);
    }
    Ok(())
}

/// A number with a Dutch decimal comma, empty for none.
pub fn dutch_number(value: Option<f64>) -> String {
    value.map(|value| format!("{value:.1}").replace('.', ",")).unwrap_or_default()
}

/// Pages show scores as Dutch readers write them ("3,5"), none as empty.
pub fn as_dutch_number<S: serde::Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&dutch_number(*value))
}

fn as_dutch_numbers<S: serde::Serializer>(values: &[Option<f64>], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(values.iter().map(|value| dutch_number(*value)))
}

/// The board as CSV for the selection meeting.
pub fn board_csv(board: &Board) -> Result<Vec<u8>, csv::Error> {
    let mut header = vec![
        "Organisatie",
        "Provincie",
        "Gemeenten",
        "Inwoners",
        "Oppervlakte (km²)",
        "Grootte",
        "Beoordelingen",
        "Gemiddelde",
        "Spreiding",
    ];
    header.extend(board.criteria.iter().map(|criterion| criterion.title.as_str()));
    header.extend(["Geselecteerd", "Contactpersoon", "E-mail"]);
    let rows = board.rows.iter().map(|row| {
        let mut cells = vec![
            row.organisation.clone(),
            row.province.clone(),
            row.municipalities.clone(),
            row.inhabitants.clone(),
            row.area_km2.clone(),
            row.size_class.to_string(),
            row.reviews.to_string(),
            dutch_number(row.average),
            dutch_number(row.spread),
        ];
        cells.extend(row.criteria.iter().map(|average| dutch_number(*average)));
        cells.extend([
            if row.selected { "ja" } else { "nee" }.to_string(),
            row.contact_name.clone(),
            row.email.clone(),
        ]);
        cells
    });
    crate::spreadsheet::csv(&header, rows)
}

/// Where a province's count goes on the map, from `static/maps/provincies.json`.
#[derive(Deserialize)]
struct MapData {
    provinces: HashMap<String, MapProvince>,
}

#[derive(Deserialize)]
struct MapProvince {
    name: String,
    label: [f64; 2],
}

const MAP_SVG: &str = include_str!("../../static/maps/provincies.svg");
const MAP_DATA: &str = include_str!("../../static/maps/provincies.json");

/// The map of the twelve provinces with the selected and other applicants: each province
/// shaded by whether it has selected applications, other applications or none, with the
/// counts written on it ("2/5": two of five selected). Built from the shipped outline only,
/// so the markup is ours, not typed by anyone.
pub fn province_map(provinces: &[Count]) -> String {
    let data: MapData = serde_json::from_str(MAP_DATA).unwrap_or(MapData { provinces: HashMap::new() });
    let mut svg = MAP_SVG.replace(
        "aria-labelledby=\"provincies-title\"",
        "aria-labelledby=\"provincies-title\" aria-describedby=\"provincies-table\" class=\"province-map\"",
    );
    let mut labels = String::new();
    for (slug, province) in &data.provinces {
        let Some(count) = provinces.iter().find(|count| count.label == province.name) else { continue };
        let class = match (count.selected, count.applied) {
            (0, 0) => "map-none",
            (0, _) => "map-applied",
            _ => "map-selected",
        };
        svg =
            svg.replacen(&format!("id=\"provincie-{slug}\""), &format!("id=\"provincie-{slug}\" class=\"{class}\""), 1);
        if count.applied > 0 {
            let [x, y] = province.label;
            labels.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{y:.1}\" class=\"map-count\" text-anchor=\"middle\">{}/{}</text>\n",
                count.selected, count.applied
            ));
        }
    }
    svg.replacen("</svg>", &format!("<g aria-hidden=\"true\">\n{labels}</g>\n</svg>"), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_and_spread() {
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[3.0, 4.0, 5.0]), Some(4.0));
        assert_eq!(spread(&[4.0]), None);
        assert_eq!(spread(&[2.0, 4.0]), Some(1.0));
        assert_eq!(one_decimal(3.666), 3.7);
        assert_eq!(dutch_number(Some(3.25)), "3,2");
    }

    #[test]
    fn sizes_and_areas_fall_in_classes() {
        assert_eq!(size_class(Some(37_000)), "tot 50.000");
        assert_eq!(size_class(Some(50_000)), "50.000 tot 100.000");
        assert_eq!(size_class(Some(2_000_000)), "250.000 en meer");
        assert_eq!(size_class(None), UNKNOWN);
        assert_eq!(area_class(Some(21.9)), "tot 100 km²");
        assert_eq!(area_class(Some(1_000.0)), "1.000 km² en meer");
    }

    #[test]
    fn the_map_marks_provinces_and_writes_counts() {
        let counts: Vec<Count> = PROVINCES
            .iter()
            .map(|label| match *label {
                "Zuid-Holland" => Count { label, selected: 1, applied: 2 },
                "Limburg" => Count { label, selected: 0, applied: 1 },
                _ => Count { label, selected: 0, applied: 0 },
            })
            .collect();
        let svg = province_map(&counts);
        assert!(svg.contains("id=\"provincie-zuid-holland\" class=\"map-selected\""));
        assert!(svg.contains("id=\"provincie-limburg\" class=\"map-applied\""));
        assert!(svg.contains("id=\"provincie-drenthe\" class=\"map-none\""));
        assert!(svg.contains(">1/2</text>") && svg.contains(">0/1</text>"));
        let shaded = ["map-selected", "map-applied", "map-none"];
        assert_eq!(shaded.iter().map(|class| svg.matches(&format!("class=\"{class}\"")).count()).sum::<usize>(), 12);
        assert_eq!(svg.matches("class=\"map-count\"").count(), 2);
    }
}
