-- The signed checkpoints of the audit ledger: head sequence, head hash, time,
-- instance. A checkpoint exported and kept elsewhere proves later that the
-- ledger up to it was not rewritten. Keep in step with the other backend's
-- file: only the identity column differs.
CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    document TEXT NOT NULL
);
