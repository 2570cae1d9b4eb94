//! Sessions, API tokens and login throttling.
//!
//! Secrets are never stored: sessions and tokens are kept by the SHA-256 of the
//! value the client holds, so a copy of the database does not let anyone log in.

use baocao_domain::access::UserId;
use sqlx::Row;

use crate::{Conn, StoreResult};

/// A stored session.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Hash of the cookie value.
    pub token_hash: String,
    /// Whose.
    pub user_id: UserId,
    /// The synchronizer token forms must echo.
    pub csrf_token: String,
    /// When it was last used.
    pub last_seen_at: i64,
    /// When it stops working regardless of use.
    pub expires_at: i64,
}

/// Stores a new session.
pub async fn insert_session(conn: &mut Conn, s: &Session, now: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(&s.token_hash)
    .bind(s.user_id.get())
    .bind(&s.csrf_token)
    .bind(now)
    .bind(s.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Stores a new session only if the user still has `password_hash` and is
/// not disabled: a login that verified a password which was changed (or an
/// account disabled) while it was being checked gets no session.
pub async fn insert_session_if_current(
    conn: &mut Conn,
    s: &Session,
    password_hash: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
         SELECT $1, u.id, $3, $4, $4, $5 FROM users u \
         WHERE u.id = $2 AND u.password_hash = $6 AND u.disabled = 0",
    )
    .bind(&s.token_hash)
    .bind(s.user_id.get())
    .bind(&s.csrf_token)
    .bind(now)
    .bind(s.expires_at)
    .bind(password_hash)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A session by the hash of its token.
pub async fn session(conn: &mut Conn, token_hash: &str) -> StoreResult<Option<Session>> {
    let row = sqlx::query(
        "SELECT token_hash, user_id, csrf_token, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(Session {
            token_hash: r.try_get("token_hash")?,
            user_id: UserId::new(r.try_get("user_id")?),
            csrf_token: r.try_get("csrf_token")?,
            last_seen_at: r.try_get("last_seen_at")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// Records use of a session.
pub async fn touch_session(conn: &mut Conn, token_hash: &str, now: i64) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends a session.
pub async fn delete_session(conn: &mut Conn, token_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (password change, disabling).
pub async fn delete_user_sessions(conn: &mut Conn, user_id: UserId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id.get())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Removes sessions that have expired or been idle since `idle_before`.
pub async fn purge_sessions(conn: &mut Conn, now: i64, idle_before: i64) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
        .bind(now)
        .bind(idle_before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// An API token as listed (never with its secret).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    /// Identity.
    pub id: i64,
    /// Whose.
    pub user_id: UserId,
    /// What the owner called it.
    pub name: String,
    /// Created.
    pub created_at: i64,
    /// Last used.
    pub last_used_at: Option<i64>,
    /// Revoked, if so.
    pub revoked_at: Option<i64>,
}

/// Stores a new token.
pub async fn insert_token(
    conn: &mut Conn,
    user_id: UserId,
    name: &str,
    token_hash: &str,
    now: i64,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id.get())
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}
/// The owner of a live (not revoked) token, and whether its recorded last use
/// is a minute old or more (the caller records uses in batches: a write, and a
/// disk sync, on every API call would cap the API at the disk's sync rate).
pub async fn token_owner(
    conn: &mut Conn,
    token_hash: &str,
    now: i64,
) -> StoreResult<Option<(UserId, bool)>> {
    let row = sqlx::query(
        "SELECT user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user_id: i64 = row.try_get("user_id")?;
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    Ok(Some((
        UserId::new(user_id),
        last_used.is_none_or(|at| now - at >= 60),
    )))
}

/// Records when tokens were last used.
pub async fn record_token_uses(conn: &mut Conn, uses: &[(String, i64)]) -> StoreResult<()> {
    for (token_hash, at) in uses {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(at)
            .bind(token_hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A user's tokens, newest first.
pub async fn tokens_of(conn: &mut Conn, user_id: UserId) -> StoreResult<Vec<ApiToken>> {
    let rows = sqlx::query(
        "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiToken {
                id: r.try_get("id")?,
                user_id: UserId::new(r.try_get("user_id")?),
                name: r.try_get("name")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect()
}

/// Revokes a user's token; false if it was not theirs or already revoked.
pub async fn revoke_token(
    conn: &mut Conn,
    user_id: UserId,
    id: i64,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user_id.get())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every live token of a user (a password reset).
pub async fn revoke_user_tokens(conn: &mut Conn, user_id: UserId, now: i64) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id.get())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Counts a login attempt under `key` (an account or an address) in a fixed
/// window of `window` seconds starting at the key's first attempt; returns the
/// count including this one and when the window started. One statement, so
/// concurrent attempts each get their own number and none is lost.
pub async fn count_attempt(
    conn: &mut Conn,
    key: &str,
    now: i64,
    window: i64,
) -> StoreResult<(i64, i64)> {
    let row = sqlx::query(
        "INSERT INTO login_throttle (key, window_start, attempts) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         attempts = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.attempts + 1 END, \
         window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END \
         RETURNING attempts, window_start",
    )
    .bind(key)
    .bind(now)
    .bind(now - window)
    .fetch_one(&mut *conn)
    .await?;
    Ok((row.try_get("attempts")?, row.try_get("window_start")?))
}

/// Takes back one attempt under `key` (one that was not a failure).
pub async fn uncount_attempt(conn: &mut Conn, key: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0",
    )
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets the attempts under `key` (a successful login), and every window
/// that started before `older_than`.
pub async fn clear_attempts(conn: &mut Conn, key: &str, older_than: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM login_throttle WHERE key = $1 OR window_start <= $2")
        .bind(key)
        .bind(older_than)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
