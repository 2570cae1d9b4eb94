-- The Merkle tree's frontier at each checkpoint (baocao_domain::merkle): the
-- roots of its complete subtrees, as JSON, so the next checkpoint continues
-- from it instead of reading the whole ledger. Same on both backends.
ALTER TABLE audit_checkpoints ADD COLUMN frontier TEXT;
