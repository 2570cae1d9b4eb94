-- The metadata catalogue (docs/decisions/0006-catalogue-as-documents.md): each
-- object is stored as its JSON document (the exchange format of
-- docs/metadata-format.md) with the columns it is looked up by. Same on both backends.

CREATE TABLE disaggregations (
    code TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);

-- Every version of every indicator; the highest version is the current one.
-- A version is never changed: a revision adds the next version.
CREATE TABLE indicator_versions (
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE regimes (
    code TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);

-- Version n of a regime applies from its from_period on.
CREATE TABLE regime_versions (
    regime_code TEXT NOT NULL REFERENCES regimes (code),
    version INTEGER NOT NULL,
    from_period TEXT NOT NULL,
    doc TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (regime_code, version)
);

CREATE TABLE report_requests (
    code TEXT PRIMARY KEY,
    regime_code TEXT NOT NULL REFERENCES regimes (code),
    doc TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX report_requests_regime ON report_requests (regime_code);
