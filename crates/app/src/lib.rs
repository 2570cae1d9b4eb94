//! Use cases shared by the HTTP server and the command line.
//!
//! One method of [`App`] per action; each one checks who may do it, opens at most one
//! write transaction and returns domain values or an [`AppError`]. Neither HTTP nor
//! SQL appears in the signatures: the web layer maps errors to statuses, the store
//! hides the database.

use std::time::{SystemTime, UNIX_EPOCH};

use baocao_domain::catalogue::Problem;
use baocao_domain::unit::LineError;
use baocao_domain::Message;
use baocao_store::{Store, StoreError};

pub mod account;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod catalogue;
pub mod forms;
pub mod group_commit;
pub mod history;
pub mod i18n;
pub mod instance;
pub mod ledger;
pub mod limits;
pub mod mail;
pub mod notifications;
pub mod periods;
pub mod reports;
pub mod signatures;
pub mod spreadsheets;
pub mod units;
pub mod users;

pub use baocao_store as store;

/// Settings of the use cases.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A session stops working this long after login, in seconds.
    pub session_lifetime: i64,
    /// A session stops working after this long without use, in seconds.
    pub session_idle: i64,
    /// Failed logins for one account within the window before it is locked.
    pub max_failures_per_account: i64,
    /// Failed logins from one address within the window before it is locked.
    pub max_failures_per_address: i64,
    /// The throttling window, in seconds.
    pub failure_window: i64,
    /// The key that signs the ledger's checkpoints, when configured (else
    /// one made at first use and kept in the database).
    pub signing_key: Option<audit::SigningKey>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            session_lifetime: 12 * 3600,
            session_idle: 2 * 3600,
            max_failures_per_account: 5,
            max_failures_per_address: 50,
            failure_window: 15 * 60,
            signing_key: None,
        }
    }
}

/// The application: a store and settings.
#[derive(Debug, Clone)]
pub struct App {
    /// The database (reached only through the use cases).
    store: Store,
    /// Settings.
    pub settings: Settings,
    /// The group-commit writer for submissions, when started.
    committer: Option<group_commit::GroupCommitter>,
    /// The catalogue as last read, with the revision it was read at.
    catalogue_cache: catalogue::CatalogueCache,
    /// API token uses waiting to be recorded.
    token_uses: auth::TokenUses,
    /// Turns for CPU-heavy work (reading uploads).
    heavy: limits::HeavyWork,
    /// The aggregate engine of the operations centre, once started.
    analytics: analytics::Analytics,
}

impl App {
    /// An application over a migrated store.
    pub fn new(store: Store, settings: Settings) -> App {
        App {
            store,
            settings,
            committer: None,
            catalogue_cache: catalogue::CatalogueCache::default(),
            token_uses: auth::TokenUses::default(),
            heavy: limits::HeavyWork::default(),
            analytics: analytics::Analytics::default(),
        }
    }

    /// The same application with another pool for heavy work (tests, benchmarks).
    pub fn with_heavy_work(mut self, heavy: limits::HeavyWork) -> App {
        self.heavy = heavy;
        self
    }

    /// The group-commit writer, when started.
    pub fn group_commit(&self) -> Option<&group_commit::GroupCommitter> {
        self.committer.as_ref()
    }

    /// Closes the database pool, waiting for connections in use (at shutdown).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Which database this application runs on.
    pub fn backend(&self) -> baocao_store::Backend {
        self.store.backend()
    }

    /// Group-commit figures: commits made and the workflow steps they carried.
    pub fn group_commit_stats(&self) -> Option<(u64, u64)> {
        self.committer.as_ref().map(|c| c.stats())
    }

    /// The same application with submissions going through group commit
    /// (starts the writer task on the current Tokio runtime).
    pub fn with_group_commit(mut self) -> App {
        self.committer = Some(group_commit::GroupCommitter::start(
            self.store.clone(),
            self.catalogue_cache.clone(),
        ));
        self
    }
}

/// Seconds since the Unix epoch, the timestamps of the store.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Today in Vietnam (UTC+7): the day deadlines and periods are counted in.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&baocao_domain::report::VIETNAM)
        .date_naive()
}

/// A problem with one input field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The field's name in the request.
    pub field: &'static str,
    /// What is wrong.
    pub message: Message,
}

/// Why a use case did not happen. Nothing was stored in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// The session has expired.
    #[error("session expired")]
    SessionExpired,
    /// Wrong user name or password.
    #[error("bad credentials")]
    BadCredentials,
    /// Too many failed logins.
    #[error("too many failed logins")]
    Throttled {
        /// Seconds until a new attempt is considered.
        retry_after: i64,
    },
    /// The server has no turn free for this work now: try again shortly.
    #[error("busy")]
    Busy {
        /// Seconds to wait before trying again.
        retry_after: u64,
    },
    /// Authenticated but not allowed.
    #[error("forbidden")]
    Forbidden,
    /// No such thing (or not visible to the user).
    #[error("not found")]
    NotFound,
    /// Input refused, field by field.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// An import file refused, line by line.
    #[error("import refused: {} problem(s)", .0.len())]
    ImportRejected(Vec<LineError>),
    /// A metadata document refused, problem by problem (with JSON paths).
    #[error("document refused: {} problem(s)", .0.len())]
    DocumentRejected(Vec<Problem>),
    /// Conflicts with what is stored.
    #[error("conflict: {0}")]
    Conflict(Message),
    /// A failure of ours; details are logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::SessionExpired => "session_expired",
            AppError::BadCredentials => "bad_credentials",
            AppError::Throttled { .. } => "throttled",
            AppError::Busy { .. } => "busy",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::ImportRejected(_) => "import_rejected",
            AppError::DocumentRejected(_) => "document_rejected",
            AppError::Conflict(_) => "conflict",
            AppError::Internal(_) => "internal",
        }
    }

    /// The main message for the user.
    pub fn message(&self) -> Message {
        match self {
            AppError::Unauthenticated => Message::new("error.unauthenticated"),
            AppError::SessionExpired => Message::new("error.session_expired"),
            AppError::BadCredentials => Message::new("error.bad_credentials"),
            AppError::Throttled { retry_after } => {
                Message::new("error.throttled").arg("minutes", (retry_after + 59) / 60)
            }
            AppError::Busy { retry_after } => {
                Message::new("error.busy").arg("seconds", retry_after)
            }
            AppError::Forbidden => Message::new("error.forbidden"),
            AppError::NotFound => Message::new("error.not_found"),
            AppError::Invalid(_) => Message::new("error.invalid"),
            AppError::ImportRejected(lines) => {
                Message::new("error.import_rejected").arg("count", lines.len())
            }
            AppError::DocumentRejected(problems) => {
                Message::new("error.document_rejected").arg("count", problems.len())
            }
            AppError::Conflict(m) => m.clone(),
            AppError::Internal(_) => Message::new("error.internal"),
        }
    }

    /// A refusal of one field.
    pub fn field(field: &'static str, message: Message) -> AppError {
        AppError::Invalid(vec![FieldError { field, message }])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Result of use cases.
pub type AppResult<T> = Result<T, AppError>;
