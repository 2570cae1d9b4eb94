-- E-mail notifications. A user may have an address; the outbox keeps every
-- e-mail to send until the SMTP server took it, so a restart loses none and a
-- dedup key (e.g. daily/2026-11-23/42) keeps a restart or a second node from
-- queueing the same e-mail twice. The content is a list of translatable
-- messages, rendered in the recipient's language when sent. Keep in step with
-- the other backend's file: only the identity column differs.
ALTER TABLE users ADD COLUMN email TEXT;

CREATE TABLE email_outbox (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject_key TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at BIGINT,
    given_up_at BIGINT
);
CREATE INDEX email_outbox_due ON email_outbox (sent_at, given_up_at, next_attempt_at);
