//! Users and their role grants.

use baocao_domain::access::{Role, UserId};
use baocao_domain::unit::UnitId;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{Conn, StoreError, StoreResult};

/// A user as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Identity.
    pub id: UserId,
    /// Login name, lower case.
    pub username: String,
    /// Name shown on screens.
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// The unit the user works at.
    pub unit: Option<UnitId>,
    /// Preferred language (`vi`, `en`).
    pub locale: String,
    /// A disabled user cannot log in, and its sessions and tokens stop working.
    pub disabled: bool,
    /// Where e-mail notifications go, if anywhere.
    pub email: Option<String>,
}

/// A stored grant: role on a unit subtree (or everywhere).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredGrant {
    /// Identity.
    pub id: i64,
    /// Whose.
    pub user_id: UserId,
    /// Which role.
    pub role: Role,
    /// Where: `None` is the whole system.
    pub unit: Option<UnitId>,
}

const USER_COLUMNS: &str =
    "id, username, display_name, password_hash, unit_id, locale, disabled, email";

fn user_from_row(r: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: UserId::new(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        unit: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId::new),
        locale: r.try_get("locale")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        email: r.try_get("email")?,
    })
}

/// Fields of a new user.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login name, lower case.
    pub username: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Home unit.
    pub unit: Option<UnitId>,
    /// Language.
    pub locale: &'a str,
}

/// Inserts a user; a taken username is a unique violation.
pub async fn insert(conn: &mut Conn, user: &NewUser<'_>, now: i64) -> StoreResult<UserId> {
    let row = sqlx::query(
        "INSERT INTO users (username, display_name, password_hash, unit_id, locale, disabled, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $6) RETURNING id",
    )
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.unit.map(|u| u.get()))
    .bind(user.locale)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(UserId::new(row.try_get("id")?))
}

/// A user by id.
pub async fn get(conn: &mut Conn, id: UserId) -> StoreResult<Option<User>> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// A user by login name.
pub async fn by_username(conn: &mut Conn, username: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// All users, by login name.
pub async fn list(conn: &mut Conn) -> StoreResult<Vec<User>> {
    let rows = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    ))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(user_from_row).collect()
}

/// Replaces a user's password hash.
pub async fn set_password(conn: &mut Conn, id: UserId, hash: &str, now: i64) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Enables or disables a user.
pub async fn set_disabled(
    conn: &mut Conn,
    id: UserId,
    disabled: bool,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(now)
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets or clears a user's e-mail address.
pub async fn set_email(
    conn: &mut Conn,
    id: UserId,
    email: Option<&str>,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now)
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Sets a user's language.
pub async fn set_locale(conn: &mut Conn, id: UserId, locale: &str, now: i64) -> StoreResult<()> {
    sqlx::query("UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3")
        .bind(locale)
        .bind(now)
        .bind(id.get())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn grant_from_row(r: &AnyRow) -> StoreResult<StoredGrant> {
    Ok(StoredGrant {
        id: r.try_get("id")?,
        user_id: UserId::new(r.try_get("user_id")?),
        role: Role::parse(r.try_get("role")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        unit: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId::new),
    })
}

/// Grants a role; granting the same role on the same unit twice is a unique violation.
pub async fn grant(
    conn: &mut Conn,
    user_id: UserId,
    role: Role,
    unit: Option<UnitId>,
    now: i64,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO role_grants (user_id, role, unit_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id.get())
    .bind(role.as_str())
    .bind(unit.map(|u| u.get()))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("id")?)
}

/// Removes a grant of a user; false if there was none.
pub async fn revoke_grant(conn: &mut Conn, user_id: UserId, grant_id: i64) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM role_grants WHERE id = $1 AND user_id = $2")
        .bind(grant_id)
        .bind(user_id.get())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A user's grants.
pub async fn grants_of(conn: &mut Conn, user_id: UserId) -> StoreResult<Vec<StoredGrant>> {
    let rows = sqlx::query(
        "SELECT id, user_id, role, unit_id FROM role_grants WHERE user_id = $1 ORDER BY role, unit_id",
    )
    .bind(user_id.get())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(grant_from_row).collect()
}

/// Every grant, for listing users with their roles.
pub async fn all_grants(conn: &mut Conn) -> StoreResult<Vec<StoredGrant>> {
    let rows =
        sqlx::query("SELECT id, user_id, role, unit_id FROM role_grants ORDER BY user_id, role")
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(grant_from_row).collect()
}
