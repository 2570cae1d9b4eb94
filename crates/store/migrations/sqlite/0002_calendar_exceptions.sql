-- Administrator-entered corrections of the computed working-day calendar
-- (extra days off, make-up working days), one per date. Same on both backends.
CREATE TABLE calendar_exceptions (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('day_off', 'working_day')),
    reason TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
