-- The version of each report accepted last, kept on the report row: what
-- synthesis, history and the analytics engine read (a report reopened for
-- correction keeps counting with it until a newer version is accepted).
-- Filled from the recorded acceptances.
ALTER TABLE reports ADD COLUMN accepted_version BIGINT;
UPDATE reports SET accepted_version = (
    SELECT e.version FROM report_events e
    WHERE e.report_id = reports.id AND e.action = 'report.accept'
    ORDER BY e.id DESC LIMIT 1
);
CREATE INDEX reports_accepted ON reports (accepted_version) WHERE accepted_version IS NOT NULL;
