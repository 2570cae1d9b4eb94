//! Hostile spreadsheets, generated (never committed): a real template with one
//! part replaced by something that would make a naive reader allocate or
//! inflate without end.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// The part holding the report's visible sheet in our templates.
pub const SHEET_PART: &str = "xl/worksheets/sheet1.xml";
/// The shared strings part.
pub const STRINGS_PART: &str = "xl/sharedStrings.xml";

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

/// `archive` with part `name` replaced by (or added as) `content`, deflated;
/// every other part copied as it was.
///
/// # Panics
/// On an archive that is not a zip (a test's own mistake).
#[allow(clippy::expect_used)]
pub fn replace_part(archive: &[u8], name: &str, mut content: impl Read) -> Vec<u8> {
    let mut source = ZipArchive::new(Cursor::new(archive)).expect("a zip archive");
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..source.len() {
        let mut entry = source.by_index(i).expect("an entry");
        let entry_name = entry.name().expect("a name").to_string();
        if entry_name == name {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("readable");
        out.start_file(entry_name, options).expect("start");
        out.write_all(&bytes).expect("write");
    }
    out.start_file(name, options).expect("start");
    std::io::copy(&mut content, &mut out).expect("write");
    out.finish().expect("finish").into_inner()
}

/// A sheet that declares, and holds, a cell at the last row and column Excel
/// has (`XFD1048576`) beside one at `A1`: a reader building a dense grid
/// allocates half a terabyte. A few kilobytes.
pub fn dimension_bomb(template: &[u8]) -> Vec<u8> {
    let sheet = format!(
        r#"{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#
    );
    replace_part(template, SHEET_PART, sheet.as_bytes())
}

/// A sheet with a sensible declared dimension but a cell far outside it.
pub fn far_cell(template: &[u8]) -> Vec<u8> {
    let sheet = format!(
        r#"{SHEET_HEAD}<dimension ref="A1:E10"/><sheetData><row r="900000"><c r="Z900000"><v>1</v></c></row></sheetData></worksheet>"#
    );
    replace_part(template, SHEET_PART, sheet.as_bytes())
}

/// A sheet part that inflates to `inflated` bytes (spaces inside the sheet
/// data: it compresses about a thousand to one).
pub fn inflation_bomb(template: &[u8], inflated: u64) -> Vec<u8> {
    let head = format!("{SHEET_HEAD}<sheetData>");
    let tail = "</sheetData></worksheet>";
    let body = head
        .as_bytes()
        .chain(std::io::repeat(b' ').take(inflated))
        .chain(tail.as_bytes());
    replace_part(template, SHEET_PART, body)
}

/// The same without a template: a workbook whose only sheet inflates to
/// `inflated` bytes (what an attacker who never downloaded one would send).
#[allow(clippy::expect_used)]
pub fn bare_inflation_bomb(inflated: u64) -> Vec<u8> {
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    out.start_file("xl/workbook.xml", options).expect("start");
    out.write_all(br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="BaoCao" sheetId="1"/></sheets></workbook>"#)
        .expect("write");
    let archive = out.finish().expect("finish").into_inner();
    inflation_bomb(&archive, inflated)
}

/// A shared-strings part that declares a trillion strings (a reader that
/// reserves room for them up front aborts).
pub fn strings_bomb(template: &[u8]) -> Vec<u8> {
    let strings = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000000000000" uniqueCount="1000000000000"><si><t>x</t></si></sst>"#;
    replace_part(template, STRINGS_PART, strings.as_bytes())
}

/// A template whose form rows lost their hidden keys (the first column): it
/// carries no value the system can place.
pub fn without_keys(template: &[u8]) -> Vec<u8> {
    let sheet = format!(
        r#"{SHEET_HEAD}<sheetData><row r="7"><c r="B7" t="inlineStr"><is><t>HC01</t></is></c><c r="E7"><v>12</v></c></row></sheetData></worksheet>"#
    );
    replace_part(template, SHEET_PART, sheet.as_bytes())
}
