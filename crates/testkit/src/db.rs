//! Throw-away databases for tests, on both backends.
//!
//! SQLite: a fresh file in the temp directory. PostgreSQL: a fresh schema in the
//! database named by `BAOCAO_TEST_POSTGRES` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`), so tests run in parallel without
//! seeing each other. Use [`both_backends!`](crate::both_backends) to run one test
//! body on each.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Connection, Executor};

use baocao_store::{Backend, Store, StoreOptions};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "BAOCAO_TEST_POSTGRES";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000_000
    )
}

/// A migrated, empty store that is removed by [`TestDb::teardown`].
#[derive(Debug)]
pub struct TestDb {
    /// The store to test against.
    pub store: Store,
    /// Options that open the same database again (e.g. for a server under test).
    pub options: StoreOptions,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(std::path::PathBuf),
    Schema { url: String, schema: String },
}

impl TestDb {
    /// A fresh database on the given backend.
    ///
    /// # Panics
    /// When the database cannot be created, or for PostgreSQL when
    /// `BAOCAO_TEST_POSTGRES` is not set: a test that silently skipped its
    /// PostgreSQL half would prove nothing.
    #[allow(clippy::expect_used)]
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("baocao-test-{}.db", unique_suffix()));
                let options = StoreOptions::new(format!("sqlite://{}", path.display()));
                let store = Store::connect(&options).await.expect("open sqlite test db");
                store.migrate().await.expect("migrate sqlite test db");
                TestDb {
                    store,
                    options,
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => {
                let url = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| {
                    panic!(
                        "{POSTGRES_ENV} is not set: the PostgreSQL half of the store tests needs it \
                         (e.g. {POSTGRES_ENV}=postgres://postgres@127.0.0.1:5432/test, see README)"
                    )
                });
                let schema = format!("bt_{}", unique_suffix());
                let mut options = StoreOptions::new(url.clone());
                options.schema = Some(schema.clone());
                options.max_connections = 4;
                let store = Store::connect(&options)
                    .await
                    .expect("open postgres test db");
                store.migrate().await.expect("migrate postgres test db");
                TestDb {
                    store,
                    options,
                    cleanup: Cleanup::Schema { url, schema },
                }
            }
        }
    }

    /// Runs `sql` on the database with its own command-line client
    /// (`sqlite3`, `psql`), behind the application's back: what someone
    /// with write access to the database could do.
    ///
    /// # Panics
    /// When the client is missing or the statement fails.
    #[allow(clippy::expect_used)]
    pub fn behind_the_back(&self, sql: &str) {
        let output = match &self.cleanup {
            Cleanup::File(path) => std::process::Command::new("sqlite3")
                .arg(path)
                .arg(sql)
                .output()
                .expect("the sqlite3 command line (apt-get install sqlite3)"),
            Cleanup::Schema { url, schema } => std::process::Command::new("psql")
                .args([url.as_str(), "-v", "ON_ERROR_STOP=1", "-q", "-c"])
                .arg(format!("SET search_path TO {schema}; {sql}"))
                .output()
                .expect("the psql command line (apt-get install postgresql-client)"),
        };
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Closes the store and removes the database.
    pub async fn teardown(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Schema { url, schema } => {
                sqlx::any::install_default_drivers();
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&url).await {
                    let _ = conn
                        .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                        .await;
                }
            }
        }
    }
}

/// Emits a test module with a `sqlite` and a `postgres` variant of one body.
///
/// ```ignore
/// baocao_testkit::both_backends!(async fn finds_units(store) {
///     assert!(baocao_store::units::roots(&mut *store.conn().await.unwrap(), None).await.unwrap().is_empty());
/// });
/// ```
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* async fn $name:ident($store:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($store: $crate::Store) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::new($crate::Backend::Sqlite).await;
                body(db.store.clone()).await;
                db.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = $crate::TestDb::new($crate::Backend::Postgres).await;
                body(db.store.clone()).await;
                db.teardown().await;
            }
        }
    };
}
