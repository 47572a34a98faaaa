//! CSV files that Excel in Belgium opens right: UTF-8 with a byte order mark (else Excel reads
//! the file as Windows-1252 and breaks every accent) and a semicolon between fields (Excel's
//! list separator in a Belgian locale, where the comma is the decimal sign). `?scheiding=komma`
//! gives commas and decimal points instead, for other tools.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The field separator, and with it the decimal sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    Semicolon,
    Comma,
}

impl Separator {
    /// `?scheiding=komma` asks for commas; anything else gets semicolons.
    pub fn from_query(value: &str) -> Self {
        match value.trim() {
            "komma" | "comma" | "," => Self::Comma,
            _ => Self::Semicolon,
        }
    }

    fn byte(self) -> u8 {
        match self {
            Self::Semicolon => b';',
            Self::Comma => b',',
        }
    }

    /// Minutes as hours with two decimals: `1,50` (or `1.50` beside commas).
    pub fn hours(self, minutes: i64) -> String {
        let sign = if minutes < 0 { "-" } else { "" };
        let hundredths = (minutes.unsigned_abs() * 100 + 30) / 60;
        let point = match self {
            Self::Semicolon => ',',
            Self::Comma => '.',
        };
        format!("{sign}{}{point}{:02}", hundredths / 100, hundredths % 100)
    }
}

/// Free text for a cell. A cell that starts with `=`, `+`, `-`, `@` or a control character
/// would be run as a formula by a spreadsheet; a leading apostrophe keeps it text.
pub fn text(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{value}"),
        _ => value.to_string(),
    }
}

/// The bytes of the file: BOM, header line, rows. The csv crate quotes a field that holds the
/// separator, a quote or a line break, and doubles the quotes inside it.
pub fn to_bytes(
    separator: Separator,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, AppError> {
    let mut buffer = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(separator.byte())
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut buffer);
        writer
            .write_record(header)
            .map_err(|_| AppError::Internal("cannot write a CSV header"))?;
        for row in rows {
            writer
                .write_record(row)
                .map_err(|_| AppError::Internal("cannot write a CSV row"))?;
        }
        writer
            .flush()
            .map_err(|_| AppError::Internal("cannot finish a CSV file"))?;
    }
    Ok(buffer)
}

/// The file as a download named `filename` (ASCII letters, digits, dashes, dots only).
pub fn response(
    filename: &str,
    separator: Separator,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, AppError> {
    let body = to_bytes(separator, header, rows)?;
    let safe: String = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_bom_and_quoting() {
        let bytes = to_bytes(
            Separator::Semicolon,
            &["Naam", "Uren"],
            &[
                vec!["Jan; \"Janneke\" Peeters".into(), "1,50".into()],
                vec!["Öztürk".into(), "2,00".into()],
            ],
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\u{FEFF}Naam;Uren\r\n\"Jan; \"\"Janneke\"\" Peeters\";1,50\r\nÖztürk;2,00\r\n"
        );
    }

    #[test]
    fn commas_quote_decimal_commas_but_use_points() {
        let text = String::from_utf8(
            to_bytes(
                Separator::Comma,
                &["a", "b"],
                &[vec!["x,y".into(), Separator::Comma.hours(90)]],
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(text, "\u{FEFF}a,b\r\n\"x,y\",1.50\r\n");
    }

    #[test]
    fn hours_have_two_decimals() {
        assert_eq!(Separator::Semicolon.hours(90), "1,50");
        assert_eq!(Separator::Semicolon.hours(100), "1,67");
        assert_eq!(Separator::Semicolon.hours(0), "0,00");
        assert_eq!(Separator::Comma.hours(2400), "40.00");
        assert_eq!(Separator::Semicolon.hours(-30), "-0,50");
    }

    #[test]
    fn formulas_stay_text() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("@SUM"), "'@SUM");
        assert_eq!(text("Jan"), "Jan");
        assert_eq!(Separator::from_query("komma"), Separator::Comma);
        assert_eq!(Separator::from_query(""), Separator::Semicolon);
    }
}
