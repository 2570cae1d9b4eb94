-- Reminders a receiving unit sent to the units that had not sent a report:
-- one a unit, regime, period and day (a second click the same day reminds
-- nobody twice). The in-app notification is read from here; the e-mails go
-- through the outbox; the ledger records who reminded whom. Keep in step with
-- the other backend's file: only the identity column differs.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    regime_code TEXT NOT NULL,
    period TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units (id),
    receiver_id BIGINT NOT NULL REFERENCES org_units (id),
    day TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user BIGINT REFERENCES users (id),
    UNIQUE (regime_code, period, unit_id, day)
);
CREATE INDEX reminders_unit ON reminders (unit_id, at);
