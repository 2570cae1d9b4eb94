-- Files attached to a report (pdf, docx, xlsx). A file added to a draft has no
-- version; submitting freezes it with the version submitted. Keep in step with
-- the other backend's file: only the identity and binary column types differ.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id),
    version INTEGER,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX attachments_report ON attachments (report_id);
