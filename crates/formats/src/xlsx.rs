//! Spreadsheet round trip of a report form: an .xlsx template (rust_xlsxwriter)
//! whose layout is protected and whose input cells are unlocked and validated,
//! with the report identified in a hidden sheet; and the reading of a filled
//! template (calamine), cell by cell with the sheet reference of each value.
//!
//! This module knows spreadsheets, not reports: the caller gives the rows and
//! the translated labels, and gets back the typed texts with their references.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Xlsx};
use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, Workbook, Worksheet, XlsxError};

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
    write_form_sheet(book.add_worksheet(), t)?;
    write_meta_sheet(book.add_worksheet(), t)?;
    book.save_to_buffer()
}

/// The formats of the visible sheet.
struct Formats {
    /// Title and column headings.
    bold: Format,
    /// Cells to type in (the sheet is protected).
    input: Format,
    /// Long labels.
    wrap: Format,
}

/// The visible sheet: heading lines, column titles, and one row per template
/// row, protected except for the input cells.
fn write_form_sheet(sheet: &mut Worksheet, t: &Template) -> Result<(), XlsxError> {
    let formats = Formats {
        bold: Format::new().set_bold(),
        input: Format::new().set_unlocked(),
        wrap: Format::new().set_text_wrap(),
    };
    sheet.set_name(SHEET)?;
    for (i, line) in t.heading.iter().enumerate() {
        let row = u32::try_from(i).unwrap_or(0);
        if i == 0 {
            sheet.write_string_with_format(row, 1, line, &formats.bold)?;
        } else {
            sheet.write_string(row, 1, line)?;
        }
    }
    for (c, title) in t.columns.iter().enumerate() {
        let col = u16::try_from(c + 1).unwrap_or(1);
        sheet.write_string_with_format(FIRST_ROW - 1, col, title, &formats.bold)?;
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
        sheet.write_string_with_format(row, 2, &r.label, &formats.wrap)?;
        sheet.write_string(row, 3, &r.measure)?;
        let rule = if r.kind == Kind::Integer {
            &integer
        } else {
            &decimal
        };
        write_value(sheet, row, r, &formats.input, rule)?;
        write_extra(sheet, row, r, &formats.bold)?;
    }
    sheet.protect();
    Ok(())
}

/// The value cell of row `r`: unlocked unless the row is locked, numbers as
/// numbers and validated with `rule`.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    r: &Row,
    input: &Format,
    rule: &DataValidation,
) -> Result<(), XlsxError> {
    let value = r.value.clone().unwrap_or_default();
    match r.kind {
        Kind::Locked => {
            sheet.write_string(row, VALUE_COL, &value)?;
        }
        Kind::Integer | Kind::Decimal => {
            match value.parse::<f64>() {
                Ok(n) => sheet.write_number_with_format(row, VALUE_COL, n, input)?,
                Err(_) => sheet.write_string_with_format(row, VALUE_COL, &value, input)?,
            };
            sheet.add_data_validation(row, VALUE_COL, row, VALUE_COL, rule)?;
        }
        Kind::Text => {
            sheet.write_string_with_format(row, VALUE_COL, &value, input)?;
        }
    }
    Ok(())
}

/// The read-only columns right of the value: numbers as numbers, or in bold
/// on a form's heading row (their titles).
fn write_extra(sheet: &mut Worksheet, row: u32, r: &Row, bold: &Format) -> Result<(), XlsxError> {
    let heading = r.kind == Kind::Locked && r.key.is_empty() && r.measure.is_empty();
    for (j, text) in r.extra.iter().enumerate() {
        let col = extra_col(j);
        match text.parse::<f64>() {
            Ok(n) if !heading => sheet.write_number(row, col, n)?,
            _ if heading => sheet.write_string_with_format(row, col, text, bold)?,
            _ => sheet.write_string(row, col, text)?,
        };
    }
    Ok(())
}

/// The hidden sheet identifying the report, one key and value a row.
fn write_meta_sheet(meta: &mut Worksheet, t: &Template) -> Result<(), XlsxError> {
    meta.set_name(META_SHEET)?;
    for (i, (k, v)) in t.meta.iter().enumerate() {
        let row = u32::try_from(i).unwrap_or(0);
        meta.write_string(row, 0, k)?;
        meta.write_string(row, 1, v)?;
    }
    meta.set_hidden(true);
    meta.protect();
    Ok(())
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
    /// Inflates past [`MAX_ENTRY_INFLATED`] / [`MAX_TOTAL_INFLATED`], or holds
    /// more parts or shared strings than any template: a zip bomb, or not ours.
    #[error("file inflates too much")]
    Inflated,
    /// Not an .xlsx workbook (corrupt, or another format).
    #[error("not an xlsx workbook: {0}")]
    NotXlsx(String),
    /// A workbook without our sheets: not made from a template.
    #[error("not a report template")]
    NotTemplate,
    /// A sheet declares or holds cells outside the template's rows and columns.
    #[error("cell {reference} lies outside the form")]
    OutsideForm {
        /// The first cell found outside, e.g. `BaoCao!XFD1048576`.
        reference: String,
    },
}

/// Largest inflated size of one part of the archive: a template of thousands
/// of rows is a few hundred kilobytes of sheet XML.
pub const MAX_ENTRY_INFLATED: u64 = 8 * 1024 * 1024;
/// Largest inflated size of the whole archive.
pub const MAX_TOTAL_INFLATED: u64 = 24 * 1024 * 1024;
/// Most parts in the archive (a template has about ten; Excel adds a few).
pub const MAX_ENTRIES: usize = 200;
/// Most shared strings (one per label and text value, so a few thousand).
pub const MAX_SHARED_STRINGS: u64 = 100_000;

/// The rows and columns a filled template may use: the template's own, so
/// that nothing a hostile sheet declares is ever allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Rows of the template's form (below the heading).
    pub rows: u32,
    /// Columns right of the value column (the form's other columns).
    pub extra_columns: u32,
}

impl Bounds {
    /// Rows (1-based) a cell may sit on: the heading, the form, and a margin for a
    /// note typed below it.
    fn last_row(self) -> u32 {
        FIRST_ROW.saturating_add(self.rows).saturating_add(MARGIN)
    }

    /// Columns (0-based) a cell may sit in.
    fn last_col(self) -> u32 {
        u32::from(VALUE_COL)
            .saturating_add(self.extra_columns)
            .saturating_add(MARGIN)
    }
}

/// Rows and columns a user may add around the form (a note, a signature).
const MARGIN: u32 = 20;

fn column_name(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = u8::try_from((n - 1) % 26).unwrap_or(0);
        out.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

fn reference(sheet: &str, (row, col): (u32, u32)) -> String {
    format!("{sheet}!{}{}", column_name(col), u64::from(row) + 1)
}

/// Inflates every part once, counting, before anything else reads it: a part or
/// an archive that inflates past the caps is refused after at most that much
/// work, whatever its headers claim. A shared-strings part declaring more
/// strings than any template is refused too (the reader would reserve room for
/// them up front).
fn check_archive(bytes: &[u8]) -> Result<(), ReadError> {
    use std::io::Read;
    let not_xlsx = |e: zip::result::ZipError| ReadError::NotXlsx(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(not_xlsx)?;
    if zip.len() > MAX_ENTRIES {
        return Err(ReadError::Inflated);
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(not_xlsx)?;
        if entry.size() > MAX_ENTRY_INFLATED {
            return Err(ReadError::Inflated);
        }
        let is_xml = entry
            .name()
            .map(|n| n.to_ascii_lowercase().ends_with(".xml"))
            .unwrap_or(false);
        let mut counter = Counting::default();
        {
            let counted = entry.take(MAX_ENTRY_INFLATED + 1).tee(&mut counter);
            let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(counted));
            if is_xml && declared_strings(&mut reader)? > MAX_SHARED_STRINGS {
                return Err(ReadError::Inflated);
            }
            std::io::copy(reader.get_mut(), &mut std::io::sink())
                .map_err(|e| ReadError::NotXlsx(e.to_string()))?;
        }
        if counter.0 > MAX_ENTRY_INFLATED {
            return Err(ReadError::Inflated);
        }
        total += counter.0;
        if total > MAX_TOTAL_INFLATED {
            return Err(ReadError::Inflated);
        }
    }
    Ok(())
}

/// The `uniqueCount` of a shared-strings part (0 for any other part): only the
/// first element is looked at.
fn declared_strings<R: std::io::BufRead>(
    reader: &mut quick_xml::Reader<R>,
) -> Result<u64, ReadError> {
    use quick_xml::events::Event;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                if e.local_name().as_ref() != "sst" {
                    return Ok(0);
                }
                let count = e
                    .try_get_attribute("uniqueCount")
                    .ok()
                    .flatten()
                    .and_then(|a| a.value.trim().parse::<u64>().ok())
                    .unwrap_or(0);
                return Ok(count);
            }
            Ok(Event::Eof) => return Ok(0),
            Ok(_) => {}
            // Malformed XML is the workbook reader's to report.
            Err(_) => return Ok(0),
        }
    }
}

/// Counts the bytes that pass through.
#[derive(Default)]
struct Counting(u64);

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A reader that copies what it reads into a writer.
struct Tee<R, W> {
    inner: R,
    copy: W,
}

trait TeeExt: std::io::Read + Sized {
    fn tee<W: std::io::Write>(self, copy: W) -> Tee<Self, W> {
        Tee { inner: self, copy }
    }
}

impl<R: std::io::Read> TeeExt for R {}

impl<R: std::io::Read, W: std::io::Write> std::io::Read for Tee<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// The cells of a sheet, streamed (never as a dense range), refused at the
/// first one outside `bounds` — declared or actual.
fn sheet_cells<RS: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<RS>,
    sheet: &str,
    bounds: Bounds,
    mut each: impl FnMut((u32, u32), DataRef<'_>),
) -> Result<(), ReadError> {
    let mut reader = book
        .worksheet_cells_reader(sheet)
        .map_err(|_| ReadError::NotTemplate)?;
    let outside = |(row, col): (u32, u32)| row >= bounds.last_row() || col > bounds.last_col();
    let declared = reader.dimensions();
    if outside(declared.end) {
        return Err(ReadError::OutsideForm {
            reference: reference(sheet, declared.end),
        });
    }
    while let Some(cell) = reader
        .next_cell()
        .map_err(|e| ReadError::NotXlsx(e.to_string()))?
    {
        let at = cell.get_position();
        if outside(at) {
            return Err(ReadError::OutsideForm {
                reference: reference(sheet, at),
            });
        }
        each(at, cell.get_value().clone());
    }
    Ok(())
}

/// Reads a filled template whose form has the given bounds. The archive is
/// checked for inflation first; the sheets are streamed cell by cell.
pub fn read_upload(bytes: &[u8], bounds: Bounds) -> Result<Upload, ReadError> {
    if bytes.len() > MAX_BYTES {
        return Err(ReadError::TooLarge);
    }
    check_archive(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| ReadError::NotXlsx(e.to_string()))?;
    let mut meta_cells: BTreeMap<u32, (Option<String>, Option<String>)> = BTreeMap::new();
    let meta_bounds = Bounds {
        rows: 0,
        extra_columns: 0,
    };
    sheet_cells(&mut book, META_SHEET, meta_bounds, |(row, col), value| {
        let entry = meta_cells.entry(row).or_default();
        let text = data_text(&value);
        match col {
            0 => entry.0 = text,
            1 => entry.1 = text,
            _ => {}
        }
    })?;
    let meta = meta_cells
        .into_values()
        .filter_map(|(k, v)| Some((k.filter(|k| !k.is_empty())?, v.unwrap_or_default())))
        .collect();
    let mut rows: BTreeMap<u32, (Option<String>, Option<Option<String>>)> = BTreeMap::new();
    sheet_cells(&mut book, SHEET, bounds, |(row, col), value| {
        if row < FIRST_ROW {
            return;
        }
        let entry = rows.entry(row).or_default();
        if col == u32::from(KEY_COL) {
            entry.0 = data_text(&value);
        } else if col == u32::from(VALUE_COL) {
            entry.1 = Some(data_text(&value));
        }
    })?;
    let cells = rows
        .into_iter()
        .filter_map(|(row, (key, value))| {
            let key = key.filter(|k| !k.is_empty())?;
            Some(Cell {
                key,
                reference: reference(SHEET, (row, u32::from(VALUE_COL))),
                text: value.unwrap_or(Some(String::new())),
            })
        })
        .collect();
    Ok(Upload { meta, cells })
}

/// A cell's value as text: empty for an empty cell, `None` for something that
/// is not a value (an Excel error, a date).
fn data_text(value: &DataRef<'_>) -> Option<String> {
    match value {
        DataRef::Empty => Some(String::new()),
        DataRef::String(s) => Some(s.clone()),
        DataRef::SharedString(s) => Some((*s).to_string()),
        DataRef::Int(n) => Some(n.to_string()),
        DataRef::Float(f) => Some(float_text(*f)),
        DataRef::Bool(b) => Some(if *b { "yes" } else { "no" }.to_string()),
        _ => None,
    }
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
    use super::*;
    use calamine::{Data, Reader};

    const BOUNDS: Bounds = Bounds {
        rows: 4,
        extra_columns: 2,
    };

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
        let up = read_upload(&bytes, BOUNDS).unwrap();
        assert!(up.cells.iter().all(|c| c.reference.contains("!E")));
    }

    #[test]
    fn a_template_reads_back_with_references() {
        let bytes = write_template(&template()).unwrap();
        let up = read_upload(&bytes, BOUNDS).unwrap();
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
            read_upload(b"not a zip at all", BOUNDS),
            Err(ReadError::NotXlsx(_))
        ));
        let mut other = Workbook::new();
        other.add_worksheet().write_string(0, 0, "x").unwrap();
        let bytes = other.save_to_buffer().unwrap();
        assert_eq!(read_upload(&bytes, BOUNDS), Err(ReadError::NotTemplate));
        assert_eq!(
            read_upload(&vec![0; MAX_BYTES + 1], BOUNDS),
            Err(ReadError::TooLarge)
        );
        let mut truncated = write_template(&template()).unwrap();
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(
            read_upload(&truncated, BOUNDS),
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
