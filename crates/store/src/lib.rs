//! Persistence over sqlx, one code path for SQLite and PostgreSQL.
//!
//! Queries are written once with `$1` placeholders, which both databases accept,
//! and run through sqlx's `Any` driver. What truly differs between the dialects
//! lives in one place each: the migrations (`migrations/sqlite`, `migrations/postgres`)
//! and [`Store::connect`] / [`Store::begin_write`] (connection set-up and locking).
//! Every function takes an open connection or transaction, so the `app` layer
//! decides where a transaction starts and ends.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Transaction};

pub mod analytics;
pub mod auth;
pub mod calendar;
pub mod catalogue;
pub mod dashboards;
pub mod ledger;
pub mod mail;
pub mod meta;
pub mod reminders;
pub mod reports;
pub mod signatures;
pub mod units;
pub mod users;

pub use sqlx::Any;

/// A transaction on either backend.
pub type Tx = Transaction<'static, Any>;
/// A connection on either backend.
pub type Conn = AnyConnection;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded, one file, the default.
    Sqlite,
    /// Server deployments.
    Postgres,
}

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is neither `sqlite://…` nor `postgres://…`.
    #[error("unsupported database URL (expected sqlite://PATH or postgres://…): {0}")]
    UnsupportedUrl(String),
    /// A schema name that is not a plain identifier.
    #[error("invalid schema name {0:?}")]
    BadSchema(String),
    /// Migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored data that does not parse back into domain types.
    #[error("corrupt stored data: {0}")]
    Corrupt(String),
    /// Any database error.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether the error is a unique-constraint violation (a duplicate).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// Result of store functions.
pub type StoreResult<T> = Result<T, StoreError>;

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://PATH` (created if missing) or `postgres://…`.
    pub url: String,
    /// PostgreSQL only: the schema to work in (created if missing).
    pub schema: Option<String>,
    /// Pool size.
    pub max_connections: u32,
    /// How long a request waits for a free connection before it fails.
    pub acquire_timeout: Duration,
}

impl StoreOptions {
    /// Options for a URL with default pool size and schema.
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            schema: None,
            max_connections: 8,
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

/// A pool of connections to the system's database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

fn valid_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Store {
    /// Opens a pool. SQLite files are created if missing and run in WAL mode with
    /// `synchronous=FULL`: a commit is on disk before it is acknowledged.
    pub async fn connect(options: &StoreOptions) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let url = options.url.as_str();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        };
        let url = match backend {
            // `mode=rwc` creates the file on first use.
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let connect_options = AnyConnectOptions::from_str(&url)?;
        let schema = options.schema.clone();
        if let Some(s) = &schema {
            if !valid_identifier(s) {
                return Err(StoreError::BadSchema(s.clone()));
            }
        }
        if let (Backend::Postgres, Some(s)) = (backend, &schema) {
            let mut conn = sqlx::AnyConnection::connect_with(&connect_options).await?;
            conn.execute(format!("CREATE SCHEMA IF NOT EXISTS {s}").as_str())
                .await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // Pages read through a memory map and a larger page
                            // cache: a page's reads no longer copy every database
                            // page from the OS (42 % of an inbox's time was pread).
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA cache_size = -8192; PRAGMA mmap_size = 1073741824;",
                            )
                            .await?;
                        }
                        Backend::Postgres => {
                            if let Some(s) = schema {
                                conn.execute(format!("SET search_path TO {s}").as_str())
                                    .await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(connect_options)
            .await?;
        Ok(Store { pool, backend })
    }

    /// Brings the schema up to date. Safe to run at every start.
    pub async fn migrate(&self) -> StoreResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for reads outside a transaction.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A read connection.
    pub async fn conn(&self) -> StoreResult<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of
    /// failing when a read lock cannot be upgraded.
    pub async fn begin_write(&self) -> StoreResult<Tx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Runs one statement without results (savepoints and the like).
pub async fn execute(conn: &mut Conn, sql: &str) -> StoreResult<()> {
    sqlx::query(sql).execute(&mut *conn).await?;
    Ok(())
}

/// Serialises writers of one kind (`key`) until the transaction ends.
/// SQLite's write transaction already excludes every other writer
/// (`BEGIN IMMEDIATE`); PostgreSQL takes a transaction-scoped advisory lock.
pub async fn transaction_lock(conn: &mut Conn, key: i64) -> StoreResult<()> {
    if conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME {
        // Wrapped: the Any driver cannot read a `void` column.
        sqlx::query(
            "SELECT CAST(1 AS BIGINT) AS locked FROM (SELECT pg_advisory_xact_lock($1)) AS l",
        )
        .bind(key)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Commits a transaction: once this returns, the change is durable.
pub async fn commit(tx: Tx) -> StoreResult<()> {
    tx.commit().await?;
    Ok(())
}

/// Builds `($1, $2, …), ($n+1, …)` for a multi-row insert of `rows` rows of
/// `columns` values each — both dialects take the same text.
pub fn values_placeholders(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * columns + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// `$first, $first+1, …` for an `IN (…)` list of `n` values.
pub fn list_placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(values_placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(list_placeholders(3, 2), "$3, $4");
        assert!(valid_identifier("bt_1_ab"));
        assert!(!valid_identifier("x; drop"));
    }
}
