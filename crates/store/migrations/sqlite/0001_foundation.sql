-- Foundation: levels, org units, reorganisations, users, grants, sessions, tokens.
-- Keep in step with ../postgres/0001_foundation.sql: same tables, same columns.
-- Timestamps are Unix seconds (BIGINT); dates are ISO 'YYYY-MM-DD' text.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE levels (
    code TEXT PRIMARY KEY,
    rank BIGINT NOT NULL,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);
INSERT INTO levels (code, rank, name_vi, name_en) VALUES
    ('central', 0, 'Trung ương', 'Central'),
    ('province', 1, 'Cấp tỉnh', 'Province'),
    ('district', 2, 'Cấp huyện', 'District'),
    ('commune', 3, 'Cấp xã', 'Commune');

CREATE TABLE org_units (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('area', 'agency')),
    level TEXT NOT NULL REFERENCES levels (code),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    division_type TEXT NOT NULL DEFAULT '',
    parent_id BIGINT REFERENCES org_units (id),
    valid_from TEXT,
    valid_to TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX org_units_identity ON org_units (kind, level, code, COALESCE(valid_from, ''));
CREATE INDEX org_units_parent ON org_units (parent_id);
CREATE INDEX org_units_code ON org_units (code);
CREATE INDEX org_units_folded ON org_units (name_folded);

CREATE TABLE reorg_events (
    id INTEGER PRIMARY KEY,
    effective_date TEXT NOT NULL,
    old_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    new_unit_id BIGINT NOT NULL REFERENCES org_units (id),
    kind TEXT NOT NULL CHECK (kind IN ('whole', 'split')),
    is_default BIGINT NOT NULL,
    UNIQUE (old_unit_id, new_unit_id, effective_date)
);
CREATE INDEX reorg_events_new ON reorg_events (new_unit_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    unit_id BIGINT REFERENCES org_units (id),
    locale TEXT NOT NULL DEFAULT 'vi',
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    unit_id BIGINT REFERENCES org_units (id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX role_grants_unique ON role_grants (user_id, role, COALESCE(unit_id, 0));

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_address ON login_failures (address, at);
