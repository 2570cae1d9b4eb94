//! A report's values as CSV, for systems and people who prefer text: a header
//! `cell,value` and one line per cell (`LD01/sex:female,600`).

/// The header line.
pub const HEADER: [&str; 2] = ["cell", "value"];

/// Writes `cell,value` lines.
pub fn write(cells: &[(String, String)]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for (cell, value) in cells {
        w.write_record([cell, value])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Why a CSV file was refused (line numbers count the header as 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// Not UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// The first line is not `cell,value`.
    #[error("bad header")]
    BadHeader,
    /// A line that does not have two fields.
    #[error("line {line}: expected 2 fields")]
    BadLine {
        /// Line number.
        line: u64,
    },
    /// A cell given twice (which value is meant cannot be guessed).
    #[error("line {line}: cell given again")]
    Duplicate {
        /// Line number of the second one.
        line: u64,
        /// The cell.
        cell: String,
        /// Line number of the first one.
        first: u64,
    },
}

/// Reads `cell,value` lines: each cell with the line it starts on in the file
/// (a quoted value may span lines). A cell given twice is refused.
pub fn read(bytes: &[u8]) -> Result<Vec<(u64, String, String)>, CsvError> {
    let text = std::str::from_utf8(bytes).map_err(|_| CsvError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        let line = r.position().line();
        match r.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                return Err(CsvError::BadLine { line });
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if first {
            first = false;
            let header: Vec<&str> = record.iter().map(str::trim).collect();
            if header != HEADER {
                return Err(CsvError::BadHeader);
            }
            continue;
        }
        if record.len() != 2 {
            return Err(CsvError::BadLine { line });
        }
        let cell = record[0].trim().to_string();
        if let Some(first) = seen.insert(cell.clone(), line) {
            return Err(CsvError::Duplicate { line, cell, first });
        }
        out.push((line, cell, record[1].trim().to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_the_file_and_duplicates_are_refused() {
        let text = "cell,value\nN,\"two\nlines\"\nLD01,5\n";
        let rows = read(text.as_bytes()).unwrap();
        assert_eq!(rows[0], (2, "N".into(), "two\nlines".into()));
        assert_eq!(rows[1], (4, "LD01".into(), "5".into()));
        assert_eq!(
            read(b"cell,value\nLD01,5\nLD01,6\n"),
            Err(CsvError::Duplicate {
                line: 3,
                cell: "LD01".into(),
                first: 2
            })
        );
    }

    #[test]
    fn round_trip_and_refusals() {
        let bytes = write(&[
            ("LD01".into(), "1234".into()),
            ("N".into(), "a, \"b\"".into()),
        ])
        .unwrap();
        assert_eq!(
            read(&bytes).unwrap(),
            vec![
                (2, "LD01".into(), "1234".into()),
                (3, "N".into(), "a, \"b\"".into())
            ]
        );
        assert_eq!(read(b"code,value\nA,1\n"), Err(CsvError::BadHeader));
        assert_eq!(
            read(b"cell,value\nA,1,2\n"),
            Err(CsvError::BadLine { line: 2 })
        );
        assert_eq!(read(&[0xff, 0xfe]), Err(CsvError::NotUtf8));
        assert_eq!(
            read("\u{feff}cell,value\nA,\"12.345,6\"\n".as_bytes()).unwrap()[0].2,
            "12.345,6"
        );
    }
}
