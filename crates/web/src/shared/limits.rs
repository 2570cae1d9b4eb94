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

/// Largest signature upload: a signed official PDF, with room for the form.
pub fn signature_upload_limit() -> usize {
    baocao_app::signatures::MAX_SIGNED_FILE_BYTES + 64 * 1024
}

/// Largest trust anchor upload (PEM CA certificates).
pub fn anchor_upload_limit() -> usize {
    baocao_app::signatures::MAX_ANCHOR_BYTES + 16 * 1024
}
