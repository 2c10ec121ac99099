//! The participant list as CSV that Excel opens correctly: UTF-8 with a byte order mark
//! (without it Excel reads the file as Windows-1252), semicolons (the list separator of
//! Dutch Excel), CRLF line ends. Every cell that a spreadsheet would read as a formula is
//! neutralised (OWASP CSV injection guidance), since names and remarks are typed by visitors.

use std::borrow::Cow;

use chrono_tz::Europe::Amsterdam;

use super::registration::Participant;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// First characters that make Excel, LibreOffice or Google Sheets evaluate a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

pub fn participants_csv(participants: &[Participant]) -> Result<Vec<u8>, csv::Error> {
    let mut writer =
        csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(BOM.to_vec());
    writer.write_record([
        "Naam",
        "E-mail",
        "Organisatie",
        "Functie",
        "Status",
        "Workshops",
        "Opmerkingen",
        "Aangemeld op",
        "Aanwezig",
    ])?;
    for participant in participants {
        let registered = participant.registered_at.with_timezone(&Amsterdam).format("%d-%m-%Y %H:%M").to_string();
        let attended = match participant.attended {
            Some(true) => "ja",
            Some(false) => "nee",
            None => "",
        };
        let cells = [
            participant.name.as_str(),
            &participant.email,
            &participant.organisation,
            &participant.role,
            participant.status_label,
            &participant.workshops.join(", "),
            &participant.remarks,
            &registered,
            attended,
        ];
        writer.write_record(cells.map(inert_cell).iter().map(|cell| cell.as_bytes()))?;
    }
    writer.into_inner().map_err(|error| csv::Error::from(error.into_error()))
}

/// A leading single quote makes the spreadsheet show the cell as text instead of evaluating it.
fn inert_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_reads_it_as_utf8_with_semicolons() {
        let participant = Participant {
            id: 1,
            name: "Anouk de Vries; jr.".into(),
            email: "anouk@example.nl".into(),
            organisation: "Coöperatie Kinderogen".into(),
            role: "Intern begeleider".into(),
            remarks: "Vegetarisch\nrolstoel".into(),
            status: "confirmed".into(),
            status_label: "Aangemeld",
            workshops: vec!["GIRFEC".into(), "Dokwerk".into()],
            registered_at: chrono::DateTime::parse_from_rfc3339("2026-03-01T09:00:00Z").unwrap().into(),
            attended: Some(true),
        };
        let bytes = participants_csv(&[participant]).unwrap();
        assert!(bytes.starts_with(BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("Naam;E-mail;Organisatie;"));
        assert!(text.contains("\"Anouk de Vries; jr.\";anouk@example.nl;Coöperatie Kinderogen;"));
        assert!(text.contains("\"Vegetarisch\nrolstoel\";01-03-2026 10:00;ja\r\n"));
    }

    #[test]
    fn cells_that_a_spreadsheet_would_evaluate_start_with_a_quote() {
        for formula in ["=HYPERLINK(\"https://evil.example\")", "+31 6 1234", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert_cell(formula), format!("'{formula}"));
        }
        for plain in ["Anouk", "06-1234", " =1", "a=b", ""] {
            assert_eq!(inert_cell(plain), plain);
        }
    }
}
