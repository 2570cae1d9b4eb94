//! Spreadsheet round trip of a report form: an .xlsx template (rust_xlsxwriter)
//! whose layout is protected and whose input cells are unlocked and validated,
//! with the report identified in a hidden sheet; and the reading of a filled
//! template (calamine), cell by cell with the sheet reference of each value.
//!
//! This module knows spreadsheets, not reports: the caller gives the rows and
//! the translated labels, and gets back the typed texts with their references.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Workbook, XlsxError};

/// Name of the visible sheet.
pub const SHEET: &str = "BaoCao";
/// Name of the hidden sheet identifying the report.
pub const META_SHEET: &str = "_baocao";
/// Largest file read, in bytes.
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// First row (0-based) of the form's rows.
const FIRST_ROW: u32 = 6;
/// Column of the hidden cell keys.
const KEY_COL: u16 = 0;
/// Column of the values.
const VALUE_COL: u16 = 4;

/// The column of the `j`-th extra (read-only) column.
fn extra_col(j: usize) -> u16 {
    VALUE_COL + 1 + u16::try_from(j).unwrap_or(0)
}

/// What kind of value a row takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number.
    Integer,
    /// A decimal number (or a percentage).
    Decimal,
    /// Free text or yes/no.
    Text,
    /// Computed or a heading: not typed.
    Locked,
}

/// One row of the template.
#[derive(Debug, Clone)]
pub struct Row {
    /// The report's cell key (`LD01`, `LD01/sex:female`); empty for locked rows.
    pub key: String,
    /// Indicator code shown.
    pub code: String,
    /// Label.
    pub label: String,
    /// Unit of measure.
    pub measure: String,
    /// Current value, as the user would type it.
    pub value: Option<String>,
    /// What it takes.
    pub kind: Kind,
    /// The form's other columns (same period last year, year to date, target,
    /// formulas), read-only, right of the value; on a form's heading row, their titles.
    pub extra: Vec<String>,
}

/// Everything the template shows, already translated.
#[derive(Debug, Clone)]
pub struct Template {
    /// Lines at the top (title, unit, period, deadline).
    pub heading: Vec<String>,
    /// Column titles: code, indicator, unit of measure, value.
    pub columns: [String; 4],
    /// The rows.
    pub rows: Vec<Row>,
    /// Identification written to the hidden sheet (report id, regime, period…).
    pub meta: Vec<(String, String)>,
    /// Message shown by Excel when a typed value is not a number.
    pub number_error: String,
}

/// Writes the template.
pub fn write_template(t: &Template) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let input = Format::new().set_unlocked();
    let wrap = Format::new().set_text_wrap();
    {
        let sheet = book.add_worksheet();
        sheet.set_name(SHEET)?;
        for (i, line) in t.heading.iter().enumerate() {
            let row = u32::try_from(i).unwrap_or(0);
            if i == 0 {
                sheet.write_string_with_format(row, 1, line, &bold)?;
            } else {
                sheet.write_string(row, 1, line)?;
            }
        }
        for (c, title) in t.columns.iter().enumerate() {
            let col = u16::try_from(c + 1).unwrap_or(1);
            sheet.write_string_with_format(FIRST_ROW - 1, col, title, &bold)?;
        }
        sheet.set_column_width(1, 10)?;
        sheet.set_column_width(2, 60)?;
        sheet.set_column_width(3, 14)?;
        sheet.set_column_width(4, 18)?;
        let widest = t.rows.iter().map(|r| r.extra.len()).max().unwrap_or(0);
        for j in 0..widest {
            sheet.set_column_width(extra_col(j), 16)?;
        }
        sheet.set_column_hidden(KEY_COL)?;
        let integer = DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(i32::MIN))
            .set_error_message(&t.number_error)?;
        let decimal = DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(f64::MIN))
            .set_error_message(&t.number_error)?;
        for (i, r) in t.rows.iter().enumerate() {
            let row = FIRST_ROW + u32::try_from(i).unwrap_or(0);
            sheet.write_string(row, KEY_COL, &r.key)?;
            sheet.write_string(row, 1, &r.code)?;
            sheet.write_string_with_format(row, 2, &r.label, &wrap)?;
            sheet.write_string(row, 3, &r.measure)?;
            let value = r.value.clone().unwrap_or_default();
            match r.kind {
                Kind::Locked => {
                    sheet.write_string(row, VALUE_COL, &value)?;
                }
                Kind::Integer | Kind::Decimal => {
                    match value.parse::<f64>() {
                        Ok(n) => sheet.write_number_with_format(row, VALUE_COL, n, &input)?,
                        Err(_) => sheet.write_string_with_format(row, VALUE_COL, &value, &input)?,
                    };
                    let rule = if r.kind == Kind::Integer {
                        &integer
                    } else {
                        &decimal
                    };
                    sheet.add_data_validation(row, VALUE_COL, row, VALUE_COL, rule)?;
                }
                Kind::Text => {
                    sheet.write_string_with_format(row, VALUE_COL, &value, &input)?;
                }
            }
            let heading = r.kind == Kind::Locked && r.key.is_empty() && r.measure.is_empty();
            for (j, text) in r.extra.iter().enumerate() {
                let col = extra_col(j);
                match text.parse::<f64>() {
                    Ok(n) if !heading => sheet.write_number(row, col, n)?,
                    _ if heading => sheet.write_string_with_format(row, col, text, &bold)?,
                    _ => sheet.write_string(row, col, text)?,
                };
            }
        }
        sheet.protect();
    }
    {
        let meta = book.add_worksheet();
        meta.set_name(META_SHEET)?;
        for (i, (k, v)) in t.meta.iter().enumerate() {
            let row = u32::try_from(i).unwrap_or(0);
            meta.write_string(row, 0, k)?;
            meta.write_string(row, 1, v)?;
        }
        meta.set_hidden(true);
        meta.protect();
    }
    book.save_to_buffer()
}

/// A value read back, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The report's cell key from the hidden column.
    pub key: String,
    /// Sheet reference, e.g. `BaoCao!E14`.
    pub reference: String,
    /// The value as text (numbers with a decimal point), or `None` when the
    /// cell holds something that is not a value (an Excel error, a date).
    pub text: Option<String>,
}

/// A filled template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The identification of the hidden sheet.
    pub meta: BTreeMap<String, String>,
    /// The values of the rows with a key.
    pub cells: Vec<Cell>,
}

/// Why a file could not be read as a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Larger than [`MAX_BYTES`].
    #[error("file too large")]
    TooLarge,
    /// Not an .xlsx workbook (corrupt, or another format).
    #[error("not an xlsx workbook: {0}")]
    NotXlsx(String),
    /// A workbook without our sheets: not made from a template.
    #[error("not a report template")]
    NotTemplate,
}

fn column_letter(col: u16) -> char {
    char::from(b'A' + u8::try_from(col).unwrap_or(0))
}

/// Reads a filled template.
pub fn read_upload(bytes: &[u8]) -> Result<Upload, ReadError> {
    if bytes.len() > MAX_BYTES {
        return Err(ReadError::TooLarge);
    }
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| ReadError::NotXlsx(e.to_string()))?;
    let meta_range = book
        .worksheet_range(META_SHEET)
        .map_err(|_| ReadError::NotTemplate)?;
    let mut meta = BTreeMap::new();
    for row in meta_range.rows() {
        if let (Some(Data::String(k)), Some(v)) = (row.first(), row.get(1)) {
            meta.insert(k.clone(), v.to_string());
        }
    }
    let range = book
        .worksheet_range(SHEET)
        .map_err(|_| ReadError::NotTemplate)?;
    let mut cells = Vec::new();
    let (start_row, start_col) = range.start().unwrap_or((0, 0));
    for (i, row) in range.rows().enumerate() {
        let absolute = start_row + u32::try_from(i).unwrap_or(0);
        if absolute < FIRST_ROW {
            continue;
        }
        let at = |col: u16| {
            usize::from(col)
                .checked_sub(start_col as usize)
                .and_then(|c| row.get(c))
        };
        let key = match at(KEY_COL) {
            Some(Data::String(k)) if !k.is_empty() => k.clone(),
            _ => continue,
        };
        let text = match at(VALUE_COL) {
            None | Some(Data::Empty) => Some(String::new()),
            Some(Data::String(s)) => Some(s.clone()),
            Some(Data::Int(n)) => Some(n.to_string()),
            Some(Data::Float(f)) => Some(float_text(*f)),
            Some(Data::Bool(b)) => Some(if *b { "yes" } else { "no" }.to_string()),
            Some(_) => None,
        };
        cells.push(Cell {
            key,
            reference: format!("{SHEET}!{}{}", column_letter(VALUE_COL), absolute + 1),
            text,
        });
    }
    Ok(Upload { meta, cells })
}

/// A float as a plain decimal (no exponent), as typed.
/// A number cell as text, with a decimal comma: `12.345` with a point would be
/// read as twelve thousand in Vietnamese notation.
fn float_text(f: f64) -> String {
    let text = if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        let text = format!("{f}");
        if text.contains('e') {
            format!("{f:.6}")
        } else {
            text
        }
    };
    text.replace('.', ",")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn template() -> Template {
        Template {
            heading: vec![
                "Báo cáo lao động".into(),
                "Phường Đông Vĩnh · 2025M03".into(),
            ],
            columns: [
                "Mã".into(),
                "Chỉ tiêu".into(),
                "Đơn vị tính".into(),
                "Kỳ này".into(),
            ],
            rows: vec![
                Row {
                    key: "LD01".into(),
                    code: "LD01".into(),
                    label: "Việc làm".into(),
                    measure: "người".into(),
                    value: Some("1234".into()),
                    kind: Kind::Integer,
                    extra: vec!["1100".into(), "3500.5".into()],
                },
                Row {
                    key: "LD01/sex:female".into(),
                    code: String::new(),
                    label: "Nữ".into(),
                    measure: String::new(),
                    value: None,
                    kind: Kind::Integer,
                    extra: Vec::new(),
                },
                Row {
                    key: String::new(),
                    code: "LD03".into(),
                    label: "Tỷ lệ".into(),
                    measure: "%".into(),
                    value: Some("2,47".into()),
                    kind: Kind::Locked,
                    extra: Vec::new(),
                },
                Row {
                    key: "N1".into(),
                    code: "N1".into(),
                    label: "Ghi chú".into(),
                    measure: String::new(),
                    value: None,
                    kind: Kind::Text,
                    extra: Vec::new(),
                },
            ],
            meta: vec![
                ("report".into(), "42".into()),
                ("period".into(), "2025M03".into()),
            ],
            number_error: "Hãy nhập một số".into(),
        }
    }

    #[test]
    fn the_other_columns_are_written_beside_the_value_and_not_read_back() {
        let bytes = write_template(&template()).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        let range = book.worksheet_range(SHEET).unwrap();
        // F7 and G7 (0-based row 6, columns 5 and 6).
        assert_eq!(range.get_value((6, 5)), Some(&Data::Float(1100.0)));
        assert_eq!(range.get_value((6, 6)), Some(&Data::Float(3500.5)));
        let up = read_upload(&bytes).unwrap();
        assert!(up.cells.iter().all(|c| c.reference.contains("!E")));
    }

    #[test]
    fn a_template_reads_back_with_references() {
        let bytes = write_template(&template()).unwrap();
        let up = read_upload(&bytes).unwrap();
        assert_eq!(up.meta["report"], "42");
        assert_eq!(up.meta["period"], "2025M03");
        assert_eq!(
            up.cells,
            vec![
                Cell {
                    key: "LD01".into(),
                    reference: "BaoCao!E7".into(),
                    text: Some("1234".into())
                },
                Cell {
                    key: "LD01/sex:female".into(),
                    reference: "BaoCao!E8".into(),
                    text: Some(String::new())
                },
                Cell {
                    key: "N1".into(),
                    reference: "BaoCao!E10".into(),
                    text: Some(String::new())
                },
            ]
        );
    }

    #[test]
    fn bad_files_are_refused() {
        assert!(matches!(
            read_upload(b"not a zip at all"),
            Err(ReadError::NotXlsx(_))
        ));
        let mut other = Workbook::new();
        other.add_worksheet().write_string(0, 0, "x").unwrap();
        let bytes = other.save_to_buffer().unwrap();
        assert_eq!(read_upload(&bytes), Err(ReadError::NotTemplate));
        assert_eq!(
            read_upload(&vec![0; MAX_BYTES + 1]),
            Err(ReadError::TooLarge)
        );
        let mut truncated = write_template(&template()).unwrap();
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(
            read_upload(&truncated),
            Err(ReadError::NotXlsx(_))
        ));
    }

    #[test]
    fn floats_read_as_typed() {
        assert_eq!(float_text(1234.0), "1234");
        assert_eq!(float_text(12.5), "12,5");
        assert_eq!(float_text(-0.25), "-0,25");
        assert_eq!(float_text(12.345), "12,345");
    }
}
