//! The e-mail outbox and the mailer's small state (migration 0006).

use baocao_domain::audit::Action;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Conn, StoreResult};

/// An e-mail waiting to be sent, with its recipient's current address and language.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Identity.
    pub id: i64,
    /// The recipient.
    pub user_id: i64,
    /// Their address now (it may have been cleared since queueing).
    pub email: Option<String>,
    /// Their language.
    pub locale: String,
    /// Catalogue key of the subject.
    pub subject_key: String,
    /// The messages, as JSON (see the app's mail module).
    pub content: String,
    /// Attempts made so far.
    pub attempts: i64,
}

/// Queues an e-mail; `false` when one with the same dedup key exists already.
pub async fn enqueue(
    conn: &mut Conn,
    dedup_key: &str,
    user_id: i64,
    subject_key: &str,
    content: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO email_outbox (dedup_key, user_id, subject_key, content, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(dedup_key)
    .bind(user_id)
    .bind(subject_key)
    .bind(content)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn outgoing_from_row(r: &AnyRow) -> StoreResult<Outgoing> {
    Ok(Outgoing {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        email: r.try_get("email")?,
        locale: r.try_get("locale")?,
        subject_key: r.try_get("subject_key")?,
        content: r.try_get("content")?,
        attempts: r.try_get::<i32, _>("attempts")?.into(),
    })
}

/// Claims up to `limit` e-mails that are due, for `claim_seconds`: another
/// sender (a second node) skips them meanwhile; a sender that dies leaves them
/// to be claimed again when the claim runs out.
pub async fn claim_due(
    conn: &mut Conn,
    now: i64,
    limit: i64,
    claim_seconds: i64,
) -> StoreResult<Vec<Outgoing>> {
    let rows = sqlx::query(
        "SELECT o.id, o.user_id, u.email, u.locale, o.subject_key, o.content, o.attempts \
         FROM email_outbox o JOIN users u ON u.id = o.user_id \
         WHERE o.sent_at IS NULL AND o.given_up_at IS NULL AND o.next_attempt_at <= $1 \
         AND (o.claimed_until IS NULL OR o.claimed_until < $1) ORDER BY o.id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for row in &rows {
        let outgoing = outgoing_from_row(row)?;
        let done = sqlx::query(
            "UPDATE email_outbox SET claimed_until = $1 \
             WHERE id = $2 AND (claimed_until IS NULL OR claimed_until < $3)",
        )
        .bind(now + claim_seconds)
        .bind(outgoing.id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            claimed.push(outgoing);
        }
    }
    Ok(claimed)
}

/// Renews the claim of an e-mail about to be sent, if it is still held (its
/// claim has not run out, so no other sender can have taken it): `false` means
/// it must not be sent now — another sender may be sending it.
pub async fn renew_claim(
    conn: &mut Conn,
    id: i64,
    now: i64,
    claim_seconds: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE email_outbox SET claimed_until = $1 WHERE id = $2 AND sent_at IS NULL \
         AND given_up_at IS NULL AND claimed_until IS NOT NULL AND claimed_until >= $3",
    )
    .bind(now + claim_seconds)
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that the SMTP server took an e-mail.
pub async fn mark_sent(conn: &mut Conn, id: i64, now: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE email_outbox SET sent_at = $1, claimed_until = NULL, attempts = attempts + 1, \
         last_error = NULL WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up with `None`.
pub async fn mark_failed(
    conn: &mut Conn,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE email_outbox SET attempts = attempts + 1, last_error = $1, claimed_until = NULL, \
         next_attempt_at = COALESCE($2, next_attempt_at), \
         given_up_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END WHERE id = $4",
    )
    .bind(error)
    .bind(retry_at)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How the outbox stands: queued, sent, given up, and the latest errors.
#[derive(Debug, Clone, Default)]
pub struct OutboxSummary {
    /// Waiting to be sent (including retries).
    pub queued: i64,
    /// Taken by the SMTP server.
    pub sent: i64,
    /// Abandoned after the last attempt.
    pub given_up: i64,
    /// The latest errors: (dedup key, attempts, error).
    pub recent_errors: Vec<(String, i64, String)>,
}

/// Counts the outbox.
pub async fn summary(conn: &mut Conn) -> StoreResult<OutboxSummary> {
    let row = sqlx::query(
        "SELECT \
         COALESCE(SUM(CASE WHEN sent_at IS NULL AND given_up_at IS NULL THEN 1 ELSE 0 END), 0) AS queued, \
         COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
         COALESCE(SUM(CASE WHEN given_up_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS given_up \
         FROM email_outbox",
    )
    .fetch_one(&mut *conn)
    .await?;
    let errors = sqlx::query(
        "SELECT dedup_key, attempts, last_error FROM email_outbox \
         WHERE last_error IS NOT NULL ORDER BY id DESC LIMIT 10",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(OutboxSummary {
        queued: row.try_get("queued")?,
        sent: row.try_get("sent")?,
        given_up: row.try_get("given_up")?,
        recent_errors: errors
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("dedup_key")?,
                    r.try_get::<i32, _>("attempts")?.into(),
                    r.try_get("last_error")?,
                ))
            })
            .collect::<StoreResult<_>>()?,
    })
}

/// A return or an acceptance, for the e-mail to the reporting unit.
#[derive(Debug, Clone)]
pub struct ReviewEvent {
    /// The event's identity (part of the e-mail's dedup key).
    pub event_id: i64,
    /// The report.
    pub report_id: i64,
    /// `report.return` or `report.accept`.
    pub action: Action,
    /// The reason given, for a return.
    pub reason: Option<String>,
    /// Regime code.
    pub regime: String,
    /// Period.
    pub period: String,
    /// The reporting unit.
    pub unit_id: i64,
    /// When.
    pub at: i64,
}

/// A workflow event's action, parsed.
fn action(r: &AnyRow) -> StoreResult<Action> {
    let text: String = r.try_get("action")?;
    Action::parse(&text).ok_or_else(|| crate::StoreError::Corrupt(format!("event action {text:?}")))
}

/// Returns and acceptances recorded at or after `since`, oldest first.
pub async fn review_events_since(conn: &mut Conn, since: i64) -> StoreResult<Vec<ReviewEvent>> {
    let rows = sqlx::query(
        "SELECT e.id, e.report_id, e.action, e.reason, e.at, r.regime_code, r.period, r.unit_id \
         FROM report_events e JOIN reports r ON r.id = e.report_id \
         WHERE e.at >= $1 AND e.action IN ($2, $3) ORDER BY e.at, e.id",
    )
    .bind(since)
    .bind(Action::ReportReturn.as_str())
    .bind(Action::ReportAccept.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReviewEvent {
                event_id: r.try_get("id")?,
                report_id: r.try_get("report_id")?,
                action: action(r)?,
                reason: r.try_get("reason")?,
                regime: r.try_get("regime_code")?,
                period: r.try_get("period")?,
                unit_id: r.try_get("unit_id")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// Enabled users with an e-mail address holding one of `roles` on exactly `unit`.
pub async fn recipients_on_unit(
    conn: &mut Conn,
    unit: i64,
    roles: &[&str],
) -> StoreResult<Vec<i64>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT u.id FROM users u JOIN role_grants g ON g.user_id = u.id \
         WHERE g.unit_id = $1 AND u.disabled = 0 AND u.email IS NOT NULL AND g.role IN ({}) \
         ORDER BY u.id",
        crate::list_placeholders(2, roles.len())
    );
    let mut q = sqlx::query(&sql).bind(unit);
    for role in roles {
        q = q.bind(*role);
    }
    q.fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok(r.try_get("id")?))
        .collect()
}

/// Enabled users with an e-mail address: (id, username).
pub async fn users_with_email(conn: &mut Conn) -> StoreResult<Vec<(i64, String)>> {
    sqlx::query(
        "SELECT id, username FROM users WHERE disabled = 0 AND email IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("username")?)))
    .collect()
}
