-- Every change of a report row counts in `revision`: a draft save that read
-- revision N and finds another one is refused (someone else saved in between)
-- instead of overwriting it.
ALTER TABLE reports ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
