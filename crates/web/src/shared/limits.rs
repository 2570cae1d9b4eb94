//! Body limits of the routes that take files, the same for the API and the
//! pages: a little above what the readers accept, so that the reader's own,
//! translated refusal is what the user sees rather than a bare 413.

/// Largest spreadsheet upload (a filled report template).
pub fn spreadsheet_upload_limit() -> usize {
    baocao_app::spreadsheets::MAX_UPLOAD_BYTES + 64 * 1024
}

/// Largest attachment upload.
pub fn attachment_upload_limit() -> usize {
    baocao_domain::attachment::MAX_BYTES + 64 * 1024
}
