//! A report's downloaded template filled in as a user's spreadsheet program
//! saves it: the same sheets, keys and identification, some values typed.

use baocao_formats::xlsx::{read_upload, write_template, Bounds, Kind, Row, Template};

/// Generous bounds for reading the test templates back.
pub const BOUNDS: Bounds = Bounds {
    rows: 100,
    extra_columns: 10,
};

/// The downloaded template with `values` typed into its cells (and one of
/// its identification entries changed).
///
/// # Panics
/// When `downloaded` is not a template the application made (a broken test).
#[allow(clippy::unwrap_used)]
pub fn fill(
    downloaded: &[u8],
    values: &[(&str, &str)],
    meta_change: Option<(&str, &str)>,
) -> Vec<u8> {
    let up = read_upload(downloaded, BOUNDS).unwrap();
    let mut meta: Vec<(String, String)> = up.meta.into_iter().collect();
    if let Some((k, v)) = meta_change {
        meta.iter_mut().find(|(key, _)| key == k).unwrap().1 = v.to_string();
    }
    let rows = up
        .cells
        .iter()
        .map(|c| Row {
            key: c.key.clone(),
            code: c.key.clone(),
            label: String::new(),
            measure: String::new(),
            value: values
                .iter()
                .find(|(k, _)| *k == c.key)
                .map(|(_, v)| v.to_string())
                .or(c.text.clone()),
            kind: Kind::Text,
            extra: Vec::new(),
        })
        .collect();
    write_template(&Template {
        heading: vec![String::new(); 4],
        columns: [String::new(), String::new(), String::new(), String::new()],
        rows,
        meta,
        number_error: String::new(),
    })
    .unwrap()
}
