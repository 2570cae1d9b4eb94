//! A table of figures as a file: .xlsx (rust_xlsxwriter) and CSV, with the
//! same cells in both. Numbers are written from their canonical decimal text:
//! CSV keeps the text, the spreadsheet the nearest double — the same one a
//! reader parsing the CSV gets.
//!
//! This module knows files, not figures: the caller gives the translated
//! headings and the cells.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Name of the sheet.
pub const SHEET: &str = "SoLieu";

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableCell {
    /// A label.
    Text(String),
    /// A number, as canonical decimal text (`12345.6`).
    Number(String),
    /// Nothing (a missing figure).
    Empty,
}

/// A table to write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FigureTable {
    /// Lines above the table in the spreadsheet (title, source, as-of).
    pub notes: Vec<String>,
    /// Column headings.
    pub header: Vec<String>,
    /// The rows, each as wide as the header.
    pub rows: Vec<Vec<TableCell>>,
}

/// The table as an .xlsx workbook: the notes, a blank line, the headings in
/// bold, then the rows (numbers as numbers).
pub fn write_xlsx(t: &FigureTable) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET)?;
    let bold = Format::new().set_bold();
    let mut row = 0u32;
    for note in &t.notes {
        sheet.write_string(row, 0, note)?;
        row += 1;
    }
    if !t.notes.is_empty() {
        row += 1;
    }
    for (c, title) in t.header.iter().enumerate() {
        sheet.write_string_with_format(row, col(c), title, &bold)?;
    }
    sheet.set_column_width(0, 40)?;
    for c in 1..t.header.len() {
        sheet.set_column_width(col(c), 16)?;
    }
    for cells in &t.rows {
        row += 1;
        for (c, cell) in cells.iter().enumerate() {
            match cell {
                TableCell::Text(text) => {
                    sheet.write_string(row, col(c), text)?;
                }
                TableCell::Number(text) => match text.parse::<f64>() {
                    Ok(n) => {
                        sheet.write_number(row, col(c), n)?;
                    }
                    Err(_) => {
                        sheet.write_string(row, col(c), text)?;
                    }
                },
                TableCell::Empty => {}
            }
        }
    }
    book.save_to_buffer()
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// The table as CSV (UTF-8): the headings, then the rows; the notes are left
/// out so that the file reads as a plain table.
pub fn write_csv(t: &FigureTable) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&t.header)?;
    for cells in &t.rows {
        w.write_record(cells.iter().map(|c| match c {
            TableCell::Text(s) | TableCell::Number(s) => s.as_str(),
            TableCell::Empty => "",
        }))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn the_spreadsheet_holds_the_csv_figures() {
        let t = FigureTable {
            notes: vec!["Tỉnh Nghệ An".into()],
            header: vec!["Đơn vị".into(), "2025M01".into()],
            rows: vec![
                vec![
                    TableCell::Text("Xã A".into()),
                    TableCell::Number("12345.67".into()),
                ],
                vec![TableCell::Text("Xã B".into()), TableCell::Empty],
            ],
        };
        let csv = String::from_utf8(write_csv(&t).unwrap_or_default()).unwrap_or_default();
        assert_eq!(csv, "Đơn vị,2025M01\nXã A,12345.67\nXã B,\n");
        let bytes = write_xlsx(&t).unwrap_or_default();
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
            .unwrap_or_else(|e| panic!("{e}"));
        let range = book
            .worksheet_range(SHEET)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(range.get_value((3, 1)), Some(&Data::Float(12345.67)));
        assert_eq!(
            range.get_value((2, 0)),
            Some(&Data::String("Đơn vị".into()))
        );
    }
}
