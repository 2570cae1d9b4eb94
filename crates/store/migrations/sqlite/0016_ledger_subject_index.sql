-- A report's page lists its history from the ledger (`ledger::of_subject`):
-- without this index every view scanned the whole ledger (issue 19: 15.7 of
-- 20.2 ms of a report page's SQL on the demo, seconds at 10 M entries).
CREATE INDEX audit_ledger_subject ON audit_ledger (subject, seq);
