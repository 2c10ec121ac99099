//! The participant list as CSV for Excel (see `spreadsheet`).

use chrono_tz::Europe::Amsterdam;

use super::registration::Participant;
use crate::spreadsheet;

pub fn participants_csv(participants: &[Participant]) -> Result<Vec<u8>, csv::Error> {
    let header =
        ["Naam", "E-mail", "Organisatie", "Functie", "Status", "Workshops", "Opmerkingen", "Aangemeld op", "Aanwezig"];
    let rows = participants.iter().map(|participant| {
        let registered = participant.registered_at.with_timezone(&Amsterdam).format("%d-%m-%Y %H:%M").to_string();
        let attended = match participant.attended {
            Some(true) => "ja",
            Some(false) => "nee",
            None => "",
        };
        vec![
            participant.name.clone(),
            participant.email.clone(),
            participant.organisation.clone(),
            participant.role.clone(),
            participant.status_label.to_string(),
            participant.workshops.join(", "),
            participant.remarks.clone(),
            registered,
            attended.to_string(),
        ]
    });
    spreadsheet::csv(&header, rows)
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
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.starts_with("Naam;E-mail;Organisatie;"));
        assert!(text.contains("\"Anouk de Vries; jr.\";anouk@example.nl;Coöperatie Kinderogen;"));
        assert!(text.contains("\"Vegetarisch\nrolstoel\";01-03-2026 10:00;ja\r\n"));
    }
}
