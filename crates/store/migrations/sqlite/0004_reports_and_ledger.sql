-- Reports and the audit ledger. Keep in step with the other backend's file:
-- only the identity column lines differ.

-- The audit ledger (DESIGN §2): append-only, hash-chained. audit_head holds the
-- last sequence number and hash; updating it first serialises appends on both
-- backends (a row lock on PostgreSQL, the write lock on SQLite).
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_ledger (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- One report per regime, reporting unit and period. The working copy (draft)
-- lives here; every submitted version is frozen in report_versions.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    regime_code TEXT NOT NULL REFERENCES regimes (code),
    regime_version INTEGER NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    period TEXT NOT NULL,
    receiver_id BIGINT NOT NULL REFERENCES org_units (id),
    deadline TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'accepted')),
    draft TEXT NOT NULL,
    version INTEGER NOT NULL,
    correction_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (regime_code, unit_id, period)
);
CREATE INDEX reports_receiver ON reports (receiver_id, regime_code, period);
CREATE INDEX reports_unit ON reports (unit_id);

CREATE TABLE report_versions (
    report_id BIGINT NOT NULL REFERENCES reports (id),
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    reason TEXT,
    submitted_at BIGINT NOT NULL,
    submitted_by BIGINT REFERENCES users (id),
    on_time INTEGER NOT NULL,
    PRIMARY KEY (report_id, version)
);

-- Every workflow step with its reason (returned because…, corrected because…).
CREATE TABLE report_events (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id),
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    reason TEXT,
    at BIGINT NOT NULL,
    by_user BIGINT REFERENCES users (id)
);
CREATE INDEX report_events_report ON report_events (report_id);

-- Every saved draft, so that nothing typed on a weak connection is lost.
CREATE TABLE draft_saves (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id),
    content TEXT NOT NULL,
    saved_at BIGINT NOT NULL,
    saved_by BIGINT REFERENCES users (id)
);
CREATE INDEX draft_saves_report ON draft_saves (report_id);
