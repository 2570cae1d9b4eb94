//! Vietnam's administrative-unit files (`shared/data/vn-admin/`).
//!
//! `units-*.csv`: `level,code,name,division_type,parent_code,lat,lon`;
//! `merge-*.csv`: `old_level,old_code,old_name,new_level,new_code,new_name,kind,is_default`.
//! UTF-8, header row, RFC 4180 quoting. A file is read whole; any bad line makes the
//! whole file fail, with every bad line listed.

use std::io::Read;

use baocao_domain::unit::{
    Level, LineError, ReorgKind, ReorgRecord, UnitCode, UnitKind, UnitRecord,
};
use baocao_domain::Message;

const UNIT_HEADER: [&str; 7] = [
    "level",
    "code",
    "name",
    "division_type",
    "parent_code",
    "lat",
    "lon",
];
const MERGE_HEADER: [&str; 8] = [
    "old_level",
    "old_code",
    "old_name",
    "new_level",
    "new_code",
    "new_name",
    "kind",
    "is_default",
];

/// What a vn-admin file holds, told by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A list of units of one structure.
    Units,
    /// An old → new mapping.
    Merge,
}

/// Tells the kind of a file from its first line.
pub fn detect(bytes: &[u8]) -> Option<FileKind> {
    let first = bytes.split(|b| *b == b'\n').next()?;
    let first = String::from_utf8_lossy(first);
    let fields: Vec<&str> = first.trim_end_matches('\r').split(',').collect();
    if fields == UNIT_HEADER {
        Some(FileKind::Units)
    } else if fields == MERGE_HEADER {
        Some(FileKind::Merge)
    } else {
        None
    }
}

fn reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input)
}

fn check_header(rdr: &mut csv::Reader<impl Read>, expected: &[&str]) -> Result<(), Vec<LineError>> {
    let headers = rdr.headers().map_err(|e| vec![csv_error(1, &e)])?;
    let got: Vec<&str> = headers.iter().collect();
    if got != expected {
        return Err(vec![LineError {
            line: 1,
            message: Message::new("import.bad_header").arg("expected", expected.join(",")),
        }]);
    }
    Ok(())
}

/// The line a record starts on. The csv reader's own count lags by one after a
/// CRLF line end (it consumes the LF with the next record), and the row index
/// misses quoted line breaks; the larger of the two is right for both.
fn record_line(index_line: u64, row: &csv::StringRecord) -> u64 {
    row.position()
        .map_or(index_line, |p| p.line().max(index_line))
}

fn csv_error(line: u64, e: &csv::Error) -> LineError {
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => Message::new("import.not_utf8"),
        _ => Message::new("import.malformed_csv").arg("detail", e),
    };
    LineError {
        line: e.position().map_or(line, |p| p.line().max(line)),
        message,
    }
}

fn field_error(line: u64, column: &str, message: Message) -> LineError {
    LineError {
        line,
        message: Message::new("import.bad_field")
            .arg("column", column)
            .arg("detail_key", message.key)
            .arg(
                "value",
                message
                    .args
                    .first()
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            ),
    }
}

fn parse_coordinate(text: &str, min: f64, max: f64) -> Option<Option<f64>> {
    if text.is_empty() {
        return Some(None);
    }
    let v: f64 = text.parse().ok()?;
    (v.is_finite() && (min..=max).contains(&v)).then_some(Some(v))
}

/// Reads every row of a file with `header`, parsing each with `parse`, which
/// reports its problems into the error list. All problems of all lines are kept.
fn read_rows<T>(
    input: impl Read,
    header: &[&str],
    mut parse: impl FnMut(u64, &csv::StringRecord, &mut Vec<LineError>) -> Option<T>,
) -> Result<Vec<T>, Vec<LineError>> {
    let mut rdr = reader(input);
    check_header(&mut rdr, header)?;
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                errors.push(csv_error(line, &e));
                continue;
            }
        };
        let line = record_line(line, &row);
        if row.len() != header.len() {
            errors.push(LineError {
                line,
                message: Message::new("import.field_count")
                    .arg("expected", header.len())
                    .arg("found", row.len()),
            });
            continue;
        }
        let before = errors.len();
        let parsed = parse(line, &row, &mut errors);
        if errors.len() == before {
            records.extend(parsed);
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

/// Reads a units file. Every row becomes an area unit.
pub fn read_units(input: impl Read) -> Result<Vec<UnitRecord>, Vec<LineError>> {
    read_rows(input, &UNIT_HEADER, |line, row, errors| {
        let level = Level::parse(&row[0])
            .map_err(|e| errors.push(field_error(line, "level", e.message())))
            .ok();
        let code = UnitCode::parse(UnitKind::Area, &row[1])
            .map_err(|e| errors.push(field_error(line, "code", e.message())))
            .ok();
        let parent_code = if row[4].is_empty() {
            None
        } else {
            UnitCode::parse(UnitKind::Area, &row[4])
                .map_err(|e| errors.push(field_error(line, "parent_code", e.message())))
                .ok()
        };
        let mut coordinate = |col: usize, name: &str, limit: f64| {
            let value = parse_coordinate(&row[col], -limit, limit);
            if value.is_none() {
                errors.push(field_error(
                    line,
                    name,
                    Message::new("import.bad_number").arg("value", &row[col]),
                ));
            }
            value.flatten()
        };
        let lat = coordinate(5, "lat", 90.0);
        let lon = coordinate(6, "lon", 180.0);
        Some(UnitRecord {
            line,
            kind: UnitKind::Area,
            level: level?,
            code: code?,
            name: row[2].trim().to_string(),
            division_type: row[3].trim().to_string(),
            parent_code,
            lat,
            lon,
        })
    })
}

/// Reads a merge (old → new) mapping file.
pub fn read_merge(input: impl Read) -> Result<Vec<ReorgRecord>, Vec<LineError>> {
    read_rows(input, &MERGE_HEADER, |line, row, errors| {
        let mut level = |col: usize, name: &str| {
            Level::parse(&row[col])
                .map_err(|e| errors.push(field_error(line, name, e.message())))
                .ok()
        };
        let old_level = level(0, "old_level");
        let new_level = level(3, "new_level");
        let mut code = |col: usize, name: &str| {
            UnitCode::parse(UnitKind::Area, &row[col])
                .map_err(|e| errors.push(field_error(line, name, e.message())))
                .ok()
        };
        let old_code = code(1, "old_code");
        let new_code = code(4, "new_code");
        let kind = ReorgKind::parse(&row[6])
            .map_err(|e| errors.push(field_error(line, "kind", e.message())))
            .ok();
        let is_default = match &row[7] {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                errors.push(field_error(
                    line,
                    "is_default",
                    Message::new("import.bad_boolean").arg("value", other),
                ));
                None
            }
        };
        Some(ReorgRecord {
            line,
            old_level: old_level?,
            old_code: old_code?,
            new_level: new_level?,
            new_code: new_code?,
            kind: kind?,
            is_default: is_default?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "level,code,name,division_type,parent_code,lat,lon\r\n\
        province,40,Tỉnh Nghệ An,tỉnh,,18.9,105.2\r\n\
        district,412,Thành phố Vinh,thành phố,40,18.6,105.6\r\n";

    #[test]
    fn reads_a_good_units_file() {
        let records = read_units(GOOD.as_bytes()).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].line, 3);
        assert_eq!(records[1].name, "Thành phố Vinh");
        assert_eq!(records[1].parent_code.as_ref().unwrap().as_str(), "40");
        assert_eq!(records[0].lat, Some(18.9));
        assert_eq!(detect(GOOD.as_bytes()), Some(FileKind::Units));
    }

    #[test]
    fn reports_each_bad_line() {
        let text = "level,code,name,division_type,parent_code,lat,lon\n\
            province,40,Tỉnh Nghệ An,tỉnh,,18.9,105.2\n\
            district,4X2,Vinh,thành phố,40,18.6,105.6\n\
            district,413,Cửa Lò,thị xã,40,north,105.6\n\
            district,414,Too few\n";
        let errors = read_units(text.as_bytes()).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert_eq!(errors[0].message.args[0], ("column", "code".to_string()));
        assert_eq!(errors[1].message.args[0], ("column", "lat".to_string()));
        assert_eq!(errors[2].message.key, "import.field_count");
    }

    #[test]
    fn refuses_a_foreign_header_and_non_utf8() {
        let errors = read_units("a,b,c\n1,2,3\n".as_bytes()).unwrap_err();
        assert_eq!(errors[0].message.key, "import.bad_header");
        let mut bytes = GOOD.as_bytes().to_vec();
        bytes.extend_from_slice(b"province,41,\xff\xfe,x,,1,1\n");
        let errors = read_units(bytes.as_slice()).unwrap_err();
        assert_eq!(errors[0].message.key, "import.not_utf8");
        assert_eq!(errors[0].line, 4);
    }

    #[test]
    fn reads_merge_rows() {
        let text = "old_level,old_code,old_name,new_level,new_code,new_name,kind,is_default\n\
            commune,16681,Xã A,commune,16681,Xã B,split,true\n\
            commune,16682,Xã C,commune,16681,Xã B,whole,maybe\n";
        let errors = read_merge(text.as_bytes()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        let ok = &text[..text.rfind("commune,16682").unwrap()];
        let records = read_merge(ok.as_bytes()).unwrap();
        assert_eq!(records[0].kind, ReorgKind::Split);
        assert!(records[0].is_default);
    }
}
