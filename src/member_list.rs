//! The programme office's existing member list, read from a CSV file as Excel writes it
//! (`oogst import leden.csv` and the upload at `/beheer/leden/importeren`).
//!
//! The e-mail address is the key: a new address becomes an account (role lid, no password,
//! not verified) with a profile only the programme office sees and that is not in the
//! directory; a known address has its profile updated from the row, while the visibility and
//! directory choices its owner made stay. No invitation is sent: the office sends those
//! when it chooses to. Each row is stored in its own transaction, so one bad row is reported
//! by its line number and the others are imported.

use std::fmt;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set};
use serde::Serialize;

use entity::{organisation, profile, user};

use crate::accounts::{self, AccountError, NewUser};
use crate::actor::{policy, Actor, Role};
use crate::db;
use crate::profiles::{self, ProfileInput, Visibilities};
use crate::taxonomy::Taxonomy;
use crate::validation::EditError;
use crate::vocabulary::Vocabulary;

/// The columns, in the order the programme office's template has them.
const COLUMNS: [&str; 9] =
    ["naam", "e-mail", "organisatie", "functie", "provincie", "expertise", "soort", "bio", "beschikbaar"];

/// Why the file as a whole could not be read; no row has been imported then.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("Het bestand is geen UTF-8-tekst: sla het in Excel op als 'CSV UTF-8 (door komma's gescheiden)'.")]
    NotUtf8,
    #[error("Het bestand is leeg: de eerste regel hoort de kolomnamen te bevatten ({}).", COLUMNS.join(";"))]
    Empty,
    #[error("De kolom(men) {0} ontbreken in de eerste regel; verwacht: {cols}.", cols = COLUMNS.join(";"))]
    MissingColumns(String),
    #[error("Onbekende kolom '{0}' in de eerste regel; verwacht: {cols}.", cols = COLUMNS.join(";"))]
    UnknownColumn(String),
    #[error("De kolom '{0}' staat twee keer in de eerste regel.")]
    DuplicateColumn(String),
    #[error("Regel {line} is geen geldige CSV: {message}")]
    Malformed { line: u64, message: String },
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("Alleen het programmabureau mag een ledenlijst importeren.")]
    Forbidden,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// One data row as written, cells trimmed; `line` is where it starts in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberRow {
    pub line: u64,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub job_title: String,
    pub province: String,
    pub expertise: Vec<String>,
    pub kind: String,
    pub bio: String,
    pub available: String,
}

/// A message about one line of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineMessage {
    pub line: u64,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemberImportReport {
    pub created: usize,
    pub updated: usize,
    /// Rows not imported, with the reason.
    pub failed: Vec<LineMessage>,
    /// Rows imported with a remark, such as an organisation that was not found.
    pub notes: Vec<LineMessage>,
}

impl fmt::Display for MemberImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} leden aangemaakt, {} bijgewerkt, {} regels overgeslagen",
            self.created,
            self.updated,
            self.failed.len()
        )
    }
}

/// `;` or `,`, whichever the header line has more of (Excel's Dutch locale writes `;`).
fn separator(header_line: &str) -> u8 {
    let semicolons = header_line.matches(';').count();
    let commas = header_line.matches(',').count();
    if commas > semicolons {
        b','
    } else {
        b';'
    }
}

/// The rows of the file; an error for the file as a whole (encoding, header) stops here.
pub fn parse(bytes: &[u8]) -> Result<Vec<MemberRow>, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUtf8)?;
    let header_line = text.lines().next().filter(|line| !line.trim().is_empty()).ok_or(FileError::Empty)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(header_line))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let malformed =
        |error: csv::Error| FileError::Malformed { line: line_at(text, error.position()), message: error.to_string() };
    let headers = reader.headers().map_err(malformed)?.clone();
    let positions = column_positions(&headers)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(malformed)?;
        let cell = |column: usize| record.get(positions[column]).unwrap_or("").trim().to_string();
        if record.iter().all(|value| value.trim().is_empty()) {
            continue; // Excel writes empty rows as a line of separators.
        }
        rows.push(MemberRow {
            line: line_at(text, record.position()),
            name: cell(0),
            email: cell(1),
            organisation: cell(2),
            job_title: cell(3),
            province: cell(4),
            expertise: cell(5).split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_string).collect(),
            kind: cell(6),
            bio: cell(7),
            available: cell(8),
        });
    }
    Ok(rows)
}

/// The line a record starts on, counted from its byte offset: with CRLF line ends, which
/// Excel writes, the reader's own line count and offset stop before the `\n`.
fn line_at(text: &str, position: Option<&csv::Position>) -> u64 {
    let bytes = text.as_bytes();
    let mut offset = position.map_or(0, |position| usize::try_from(position.byte()).unwrap_or(usize::MAX));
    while bytes.get(offset).is_some_and(|byte| *byte == b'\r' || *byte == b'\n') {
        offset += 1;
    }
    let before = bytes.get(..offset).unwrap_or(bytes);
    before.iter().filter(|byte| **byte == b'\n').count() as u64 + 1
}

/// For each of `COLUMNS`, its position in the header (names trimmed, any case).
fn column_positions(headers: &csv::StringRecord) -> Result<[usize; 9], FileError> {
    let mut positions = [None; 9];
    for (position, name) in headers.iter().enumerate() {
        let name = name.trim().to_lowercase();
        if name.is_empty() {
            continue;
        }
        let column = COLUMNS.iter().position(|known| *known == name).ok_or(FileError::UnknownColumn(name.clone()))?;
        if positions[column].replace(position).is_some() {
            return Err(FileError::DuplicateColumn(name));
        }
    }
    let missing: Vec<&str> =
        COLUMNS.iter().zip(positions).filter(|(_, position)| position.is_none()).map(|(name, _)| *name).collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns(missing.join(", ")));
    }
    Ok(positions.map(|position| position.unwrap_or_default()))
}

impl MemberRow {
    /// The profile the row describes; expertise split over themes, advices and keywords.
    fn profile_input(&self, taxonomy: &Taxonomy) -> Result<ProfileInput, String> {
        let available = match self.available.to_lowercase().as_str() {
            "" | "nee" => false,
            "ja" => true,
            other => return Err(format!("Vul bij beschikbaar ja of nee in, niet '{other}'.")),
        };
        let mut input = ProfileInput {
            display_name: self.name.clone(),
            job_title: self.job_title.clone(),
            province: Some(self.province.clone()),
            expertise_kind: Some(self.kind.to_lowercase()),
            bio: self.bio.clone(),
            available,
            // Every field for the office only: the person decides once they are in.
            visibility: Visibilities::office_only(),
            ..Default::default()
        };
        for item in &self.expertise {
            let slug = item.to_lowercase();
            if taxonomy.themes.iter().any(|theme| theme.slug == slug) {
                input.themes.push(slug);
            } else if taxonomy.advices.iter().any(|advice| advice.slug == slug) {
                input.advices.push(slug);
            } else {
                input.keywords.push(item.clone());
            }
        }
        input
            .validated(taxonomy)
            .map_err(|errors| errors.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" "))
    }
}

/// An organisation named by its slug or its name, in any case.
fn find_organisation<'a>(organisations: &'a [organisation::Model], name: &str) -> Option<&'a organisation::Model> {
    let name = name.to_lowercase();
    organisations.iter().find(|found| found.slug.to_lowercase() == name || found.name.to_lowercase() == name)
}

enum Outcome {
    Created,
    Updated,
}

/// Imports the file for the programme office; each profile change is in the audit log.
pub async fn import_as_office(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
) -> Result<MemberImportReport, ImportError> {
    if !policy::can_manage_network(actor) {
        return Err(ImportError::Forbidden);
    }
    import(db, bytes, Some(actor)).await
}

/// Imports the file: every row on its own, bad rows reported by line number.
pub async fn import(
    db: &DatabaseConnection,
    bytes: &[u8],
    office: Option<&Actor>,
) -> Result<MemberImportReport, ImportError> {
    let rows = parse(bytes)?;
    let taxonomy = Taxonomy::load(db).await?;
    let organisations = organisation::Entity::find().all(db).await?;
    let mut report = MemberImportReport::default();
    for row in rows {
        let organisation = match row.organisation.as_str() {
            "" => None,
            name => {
                let found = find_organisation(&organisations, name);
                if found.is_none() {
                    report.notes.push(LineMessage {
                        line: row.line,
                        message: format!(
                            "Onbekende organisatie '{name}': het profiel is zonder organisatie opgeslagen."
                        ),
                    });
                }
                found
            }
        };
        match import_row(db, &taxonomy, &row, organisation.map(|found| found.id), office).await {
            Ok(Outcome::Created) => report.created += 1,
            Ok(Outcome::Updated) => report.updated += 1,
            Err(RowError::Invalid(message)) => report.failed.push(LineMessage { line: row.line, message }),
            Err(RowError::Database(error)) => return Err(error.into()),
        }
    }
    Ok(report)
}

enum RowError {
    Invalid(String),
    Database(DbErr),
}

impl From<DbErr> for RowError {
    fn from(error: DbErr) -> Self {
        RowError::Database(error)
    }
}

impl From<AccountError> for RowError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Database(error) => RowError::Database(error),
            AccountError::Invalid(errors) => {
                RowError::Invalid(errors.iter().map(|(_, message)| message).collect::<Vec<_>>().join(" "))
            }
            other => RowError::Invalid(other.to_string()),
        }
    }
}

async fn import_row(
    db: &DatabaseConnection,
    taxonomy: &Taxonomy,
    row: &MemberRow,
    organisation_id: Option<i32>,
    office: Option<&Actor>,
) -> Result<Outcome, RowError> {
    let email = accounts::normalize_email(&row.email)
        .map_err(|_| RowError::Invalid(format!("Ongeldig e-mailadres '{}'.", row.email)))?;
    let mut input = row.profile_input(taxonomy).map_err(RowError::Invalid)?;
    let transaction = db::begin_write(db).await?;
    let (account, outcome) = match accounts::find_by_email(&transaction, &email).await? {
        None => {
            let new = NewUser {
                email,
                name: input.display_name.clone(),
                role: Role::Lid,
                organisation_id,
                job_title: input.job_title.clone(),
            };
            (accounts::create(&transaction, &new, false).await?, Outcome::Created)
        }
        Some(existing) => {
            // A redacteur's organisation decides what they may edit: only the office changes it.
            let keeps_organisation = organisation_id.is_none() || existing.role == Role::Redacteur.slug();
            let mut account: user::ActiveModel = existing.into();
            account.name = Set(input.display_name.clone());
            account.job_title = Set(input.job_title.clone());
            if !keeps_organisation {
                account.organisation_id = Set(organisation_id);
            }
            account.updated_at = Set(Utc::now());
            (account.update(&transaction).await?, Outcome::Updated)
        }
    };
    let current = profile::Entity::find()
        .filter(profile::Column::UserId.eq(account.id))
        .one(&transaction)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("profile of account {}", account.id)))?;
    if let Outcome::Updated = outcome {
        // What the person chose, or filled in beyond the list, stays theirs.
        let own = ProfileInput::from_model(&current);
        input.visibility = own.visibility;
        input.listed = own.listed;
        input.municipalities = own.municipalities;
        input.languages = own.languages;
        input.max_requests_per_month = own.max_requests_per_month;
    }
    profiles::write(&transaction, &current, &input, office).await?;
    transaction.commit().await?;
    Ok(outcome)
}

impl From<ImportError> for EditError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Forbidden => EditError::Forbidden,
            ImportError::Database(error) => EditError::Database(error),
            ImportError::File(error) => {
                let mut errors = crate::validation::FieldErrors::default();
                errors.add("file", error.to_string());
                EditError::Invalid(errors)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "naam;e-mail;organisatie;functie;provincie;expertise;soort;bio;beschikbaar";

    #[test]
    fn semicolons_with_a_bom_as_dutch_excel_writes_them() {
        let file = format!("\u{feff}{HEADER}\r\nAnouk;anouk@voorbeeld.nl;Gemeente X;Adviseur;Gelderland;thuiszitters, OZA;praktijk;;ja\r\n;;;;;;;;\r\n");
        let rows = parse(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].name, "Anouk");
        assert_eq!(rows[0].expertise, ["thuiszitters", "OZA"]);
        assert_eq!(rows[0].available, "ja");
    }

    #[test]
    fn commas_and_quoted_cells_with_separators_and_newlines() {
        let file = "Naam, E-mail ,organisatie,functie,provincie,expertise,soort,bio,beschikbaar\n\
                    \"Wit, Anouk de\",anouk@voorbeeld.nl,,,,\"a, b\",,\"Regel een\nregel twee; met \"\"aanhalingstekens\"\"\",nee\n\
                    Bram,bram@voorbeeld.nl,,,,,,,\n";
        let rows = parse(file.as_bytes()).unwrap();
        assert_eq!(rows[0].name, "Wit, Anouk de");
        assert_eq!(rows[0].expertise, ["a", "b"]);
        assert_eq!(rows[0].bio, "Regel een\nregel twee; met \"aanhalingstekens\"");
        assert_eq!(rows[1].line, 4, "the line number counts the newline inside the quoted cell");
    }

    #[test]
    fn columns_may_come_in_any_order() {
        let file = "beschikbaar;bio;soort;expertise;provincie;functie;organisatie;e-mail;naam\nja;;;;;;;a@b.nl;Anouk\n";
        let rows = parse(file.as_bytes()).unwrap();
        assert_eq!(
            (rows[0].name.as_str(), rows[0].email.as_str(), rows[0].available.as_str()),
            ("Anouk", "a@b.nl", "ja")
        );
    }

    #[test]
    fn a_header_without_the_expected_columns_is_a_clear_error() {
        let missing = parse(b"naam;e-mail;bio\nAnouk;a@b.nl;\n").unwrap_err();
        assert!(
            missing.to_string().contains("organisatie, functie, provincie, expertise, soort, beschikbaar"),
            "{missing}"
        );
        let unknown = parse(format!("{HEADER};telefoon\n").as_bytes()).unwrap_err();
        assert!(matches!(unknown, FileError::UnknownColumn(name) if name == "telefoon"));
        assert!(matches!(parse(b"").unwrap_err(), FileError::Empty));
        assert!(matches!(parse(b"naam;\xff\n").unwrap_err(), FileError::NotUtf8));
    }

    #[test]
    fn expertise_is_split_over_themes_advices_and_keywords_and_the_row_is_checked() {
        let taxonomy = Taxonomy {
            themes: vec![entity::theme::Model {
                id: 1,
                slug: "thuiszitters".into(),
                name: "Thuiszitters".into(),
                description: String::new(),
            }],
            advices: Vec::new(),
        };
        let row = MemberRow {
            name: "Anouk".into(),
            province: "gelderland".into(),
            expertise: vec!["Thuiszitters".into(), "OZA".into()],
            kind: "Praktijk".into(),
            available: "JA".into(),
            ..Default::default()
        };
        let input = row.profile_input(&taxonomy).unwrap();
        assert_eq!(input.themes, ["thuiszitters"]);
        assert_eq!(input.keywords, ["OZA"]);
        assert_eq!(input.province.as_deref(), Some("Gelderland"));
        assert!(input.available && !input.listed);
        assert_eq!(input.visibility, Visibilities::office_only());
        let bad = MemberRow { kind: "astrologie".into(), ..row.clone() };
        assert!(bad.profile_input(&taxonomy).unwrap_err().contains("astrologie"));
        let bad = MemberRow { available: "misschien".into(), ..row };
        assert!(bad.profile_input(&taxonomy).unwrap_err().contains("ja of nee"));
    }
}
