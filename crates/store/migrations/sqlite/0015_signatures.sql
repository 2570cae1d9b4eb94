-- Digital signatures (docs/decisions/0015): the CA certificates an
-- administrator trusts, and the verified signatures of report versions with
-- what the verification found. A refused signature is never stored.
CREATE TABLE trust_anchors (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    not_after BIGINT NOT NULL,
    pem TEXT NOT NULL,
    added_by BIGINT REFERENCES users (id),
    added_at BIGINT NOT NULL
);
CREATE TABLE report_signatures (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id),
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    signer TEXT NOT NULL,
    subject TEXT NOT NULL,
    serial TEXT NOT NULL,
    issuer TEXT NOT NULL,
    signed_at BIGINT,
    digest TEXT NOT NULL,
    key TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX report_signatures_report ON report_signatures (report_id, version);
