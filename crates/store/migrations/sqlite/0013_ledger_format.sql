-- The ledger's hash format per entry (baocao_domain::ledger::FORMAT): entries
-- written before this migration are format 1 (their hash leaves actor_id
-- out); new entries are format 2, whose hash covers every column. Same on
-- both backends.
ALTER TABLE audit_ledger ADD COLUMN format SMALLINT NOT NULL DEFAULT 1;
