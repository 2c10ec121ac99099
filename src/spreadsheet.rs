//! CSV that Excel opens correctly: UTF-8 with a byte order mark (without it Excel reads the
//! file as Windows-1252), semicolons (the list separator of Dutch Excel), CRLF line ends.
//! Every cell that a spreadsheet would read as a formula is neutralised (OWASP CSV injection
//! guidance), since what goes into exports is typed by visitors.

use std::borrow::Cow;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// First characters that make Excel, LibreOffice or Google Sheets evaluate a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV file of a header and rows, every cell inert.
pub fn csv<R, C>(header: &[&str], rows: R) -> Result<Vec<u8>, csv::Error>
where
    R: IntoIterator<Item = Vec<C>>,
    C: AsRef<str>,
{
    let mut writer =
        csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(BOM.to_vec());
    writer.write_record(header)?;
    for row in rows {
        writer.write_record(row.iter().map(|cell| inert_cell(cell.as_ref()).into_owned()))?;
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
        let bytes = csv(&["Naam", "Opmerkingen"], [vec!["Anouk de Vries; jr.", "Vegetarisch\nrolstoel"]]).unwrap();
        assert!(bytes.starts_with(BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "Naam;Opmerkingen\r\n\"Anouk de Vries; jr.\";\"Vegetarisch\nrolstoel\"\r\n");
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
