//! `baocao`: the reporting information system's one binary.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use baocao_app::i18n::{render, Lang};
use baocao_app::{App, AppError, Settings};
use baocao_domain::Message;
use baocao_store::{Store, StoreOptions};
use baocao_web::WebConfig;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

mod bench;
mod bench_analytics;
mod bench_ledger;
mod bench_pages;
mod commands;
mod config;
mod demo;
mod demo_history;
mod demo_pki;

/// Baocao — reporting information system (Hệ thống thông tin báo cáo).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Configuration file (default: ./baocao.toml when present).
    #[arg(long, global = true, env = "BAOCAO_CONFIG")]
    config: Option<PathBuf>,
    /// Language of messages: vi (default) or en.
    #[arg(long, global = true, env = "BAOCAO_LANG", default_value = "vi")]
    lang: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DbArgs {
    /// Database URL: sqlite://PATH (default sqlite://baocao.db) or postgres://…
    #[arg(long = "database", env = "BAOCAO_DATABASE_URL")]
    database: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "BAOCAO_LISTEN")]
    listen: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serves the web UI and the API.
    Serve(ServeArgs),
    /// Loads the demo (Nghệ An province) into the database if absent, then serves it.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// Give every demo account this password (otherwise random ones are printed once).
        #[arg(long)]
        password: Option<String>,
        /// Folder with the vn-admin CSV files.
        #[arg(long, env = "BAOCAO_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// Do not generate the two years of report history.
        #[arg(long)]
        no_history: bool,
    },
    /// Brings the database schema up to date.
    Migrate(DbArgs),
    /// Administrative units.
    Units {
        #[command(subcommand)]
        command: UnitsCommand,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Measures submissions, acceptances and synthesis for every commune of the
    /// 2008–2025 structure (docs/benchmarks.md). Build with --release.
    Bench {
        /// Database URL (a temporary SQLite file by default; a postgres:// URL
        /// works in a fresh schema).
        #[arg(long)]
        database: Option<String>,
        /// Folder with the vn-admin CSV files.
        #[arg(long, env = "BAOCAO_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// Concurrent clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Only the first N communes.
        #[arg(long)]
        communes: Option<usize>,
    },
    /// Measures the operations centre's engine at national scale: build from
    /// the store, memory per value, five questions, freshness, absorbing a
    /// month, and the peers' figures on the same data (docs/benchmarks.md).
    BenchAnalytics {
        /// Database URL (a temporary SQLite file by default; a postgres:// URL
        /// works in a fresh schema).
        #[arg(long)]
        database: Option<String>,
        /// Folder with the vn-admin CSV files.
        #[arg(long, env = "BAOCAO_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// Indicators.
        #[arg(long, default_value_t = 200)]
        indicators: usize,
        /// Months of history (from 2020M01).
        #[arg(long, default_value_t = 60)]
        months: usize,
        /// Only the first N communes (all 10,035 when absent).
        #[arg(long)]
        communes: Option<usize>,
        /// Write the values as CSV here and run ../shared/peers-bench/run.sh on them.
        #[arg(long)]
        peers: Option<PathBuf>,
        /// Repetitions of each query.
        #[arg(long, default_value_t = 200)]
        reps: usize,
        /// Skip generating: use what a run with --keep left in --database.
        #[arg(long)]
        reuse: bool,
        /// Leave the database (and its extra months) at the end.
        #[arg(long)]
        keep: bool,
    },
    /// Verifies a ledger of ten million entries (`baocao audit verify`'s
    /// code) and prints the time and memory it took (docs/benchmarks.md).
    BenchLedger {
        /// Database URL (a temporary SQLite file by default; a postgres:// URL
        /// works in a fresh schema).
        #[arg(long)]
        database: Option<String>,
        /// Folder with the vn-admin CSV files.
        #[arg(long, env = "BAOCAO_DATA_DIR")]
        data_dir: Option<PathBuf>,
        /// Entries in the ledger.
        #[arg(long, default_value_t = 10_000_000)]
        entries: u64,
        /// Skip generating: verify what a run with --keep left in --database.
        #[arg(long)]
        reuse: bool,
        /// Leave the database at the end.
        #[arg(long)]
        keep: bool,
    },
    /// Loads the pages people open all day (the reports list, a report page
    /// and their JSON) with concurrent clients against a running server, such
    /// as the demo after its history is loaded (docs/benchmarks.md).
    BenchPages {
        /// Address of the running server.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// Account to log in as.
        #[arg(long, default_value = "tinh.tonghop")]
        username: String,
        /// Its password (`baocao demo --password` sets every demo account's).
        #[arg(long, env = "BAOCAO_BENCH_PASSWORD")]
        password: String,
        /// Concurrent clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Seconds of load per page.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// The audit ledger.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Reporting regimes and the indicator catalogue (docs/metadata-format.md).
    Regimes {
        #[command(subcommand)]
        command: RegimesCommand,
    },
    /// Trusted certification authorities: the roots a report's digital
    /// signature must chain to.
    Trust {
        #[command(subcommand)]
        command: TrustCommand,
    },
    /// E-mail notifications (the `[smtp]` section of baocao.toml).
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

#[derive(Debug, Subcommand)]
enum MailCommand {
    /// Sends a test e-mail through the configured SMTP server and says what it answered.
    Test {
        /// The address to send it to.
        #[arg(long)]
        to: String,
    },
    /// Shows the outbox: e-mails waiting, sent, given up, and the latest errors.
    Status {
        #[command(flatten)]
        db: DbArgs,
    },
}
#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recomputes the hash chain of the whole ledger and checks what it proves
    /// about the tables; exits with 1 at the first entry altered, removed or
    /// reordered, or the first difference. With --checkpoint, also proves the
    /// ledger up to that signed checkpoint was not rewritten since.
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// A checkpoint file written by `baocao audit checkpoint`.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
    },
    /// Signs a checkpoint of the ledger (head sequence and hash, time,
    /// instance), keeps it in the database and writes it to a file to publish
    /// or send to the level above.
    Checkpoint {
        #[command(flatten)]
        db: DbArgs,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Writes the consistency proof (RFC 9162) that the ledger at one
    /// checkpoint extends the ledger at an earlier one unchanged.
    Prove {
        #[command(flatten)]
        db: DbArgs,
        /// The earlier checkpoint file.
        #[arg(long)]
        from: PathBuf,
        /// The later checkpoint file.
        #[arg(long)]
        to: PathBuf,
        /// Where to write the proof.
        #[arg(long)]
        out: PathBuf,
    },
    /// Checks a consistency proof with the two checkpoint files alone (no
    /// database): what the level above runs on the files it received.
    Check {
        /// The earlier checkpoint file.
        #[arg(long)]
        from: PathBuf,
        /// The later checkpoint file.
        #[arg(long)]
        to: PathBuf,
        /// The proof file.
        #[arg(long)]
        proof: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum TrustCommand {
    /// Trusts the CA certificates of a PEM file (one or more).
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// The PEM file.
        file: PathBuf,
    },
    /// Lists the trusted CA certificates.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Stops trusting a CA certificate (by its id in `trust list`).
    Remove {
        #[command(flatten)]
        db: DbArgs,
        /// The id.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum RegimesCommand {
    /// Writes the whole catalogue (disaggregations, indicators, regimes, requests) as JSON.
    Export {
        #[command(flatten)]
        db: DbArgs,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Checks a metadata file as a whole and stores it (all or nothing).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// The JSON file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UnitsCommand {
    /// Imports units and reorganisations (idempotent; all or nothing).
    Import {
        #[command(flatten)]
        db: DbArgs,
        /// Import the official set from this folder: units-2008-2025.csv (to 30/06/2025),
        /// units-2025.csv (from 01/07/2025) and merge-2025.csv.
        #[arg(long, conflicts_with_all = ["units", "merge"])]
        vn_admin: Option<PathBuf>,
        /// A units file (level,code,name,division_type,parent_code,lat,lon).
        #[arg(long)]
        units: Option<PathBuf>,
        /// First day the units of --units exist (YYYY-MM-DD).
        #[arg(long, requires = "units")]
        valid_from: Option<String>,
        /// Last day the units of --units exist (YYYY-MM-DD).
        #[arg(long, requires = "units")]
        valid_to: Option<String>,
        /// A merge file (old → new units).
        #[arg(long, requires = "merge_date")]
        merge: Option<PathBuf>,
        /// The day the merge took effect (YYYY-MM-DD).
        #[arg(long)]
        merge_date: Option<String>,
        /// Only this province (GSO code) and the units below it.
        #[arg(long)]
        province: Option<String>,
    },
    /// Loads the boundaries of a level's units from a GeoJSON FeatureCollection
    /// (Polygon or MultiPolygon features, WGS84) for the dashboards' maps,
    /// replacing those loaded before; refused whole when a feature's code
    /// names no unit of the level.
    Boundaries {
        #[command(flatten)]
        db: DbArgs,
        /// The level (`province`, `district`, `commune`).
        #[arg(long)]
        level: String,
        /// The feature property holding the unit's code.
        #[arg(long, default_value = "code")]
        code_property: String,
        /// The GeoJSON file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Creates a user, optionally with a role on a unit.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Password (a random one is generated and printed when absent).
        #[arg(long, env = "BAOCAO_PASSWORD")]
        password: Option<String>,
        /// Home unit id (see the unit browser or /api/v1/units).
        #[arg(long)]
        unit: Option<i64>,
        /// Role to grant on the home unit (system-wide when no unit).
        #[arg(long)]
        role: Option<String>,
    },
    /// Sets a user's password (ends its sessions).
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        username: String,
        /// New password (a random one is generated and printed when absent).
        #[arg(long, env = "BAOCAO_PASSWORD")]
        password: Option<String>,
    },
    /// Lists users and their roles.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// A failure of a command, in the user's language.
struct Failure(String);

impl Failure {
    fn app(lang: Lang, e: &AppError) -> Failure {
        let mut text = render(lang, &e.message());
        if let AppError::Invalid(fields) = e {
            for f in fields {
                text.push_str(&format!("\n  {}: {}", f.field, render(lang, &f.message)));
            }
        }
        if let AppError::ImportRejected(lines) = e {
            for l in lines.iter().take(50) {
                text.push_str(&format!(
                    "\n  {} {}: {}",
                    baocao_app::i18n::t(lang, "import.line"),
                    l.line,
                    render(lang, &l.message)
                ));
            }
            if lines.len() > 50 {
                text.push_str(&format!("\n  … (+{})", lines.len() - 50));
            }
        }
        if let AppError::DocumentRejected(problems) = e {
            for p in problems.iter().take(100) {
                text.push_str(&format!("\n  {}: {}", p.path, render(lang, &p.message)));
            }
            if problems.len() > 100 {
                text.push_str(&format!("\n  … (+{})", problems.len() - 100));
            }
        }
        if let AppError::Internal(detail) = e {
            text.push_str(&format!("\n  {detail}"));
        }
        Failure(text)
    }
}

fn init_logs(format: Option<&str>) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BAOCAO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == Some("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// A catalogue message in the command's language.
fn say(lang: Lang, message: Message) -> String {
    render(lang, &message)
}

fn parse_date(lang: Lang, text: Option<&str>) -> Result<Option<NaiveDate>, Failure> {
    text.map(|t| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| Failure(say(lang, Message::new("request.bad_date").arg("value", t))))
    })
    .transpose()
}

/// How often the mail worker queues and sends.
const MAIL_EVERY_SECONDS: u64 = 30;

struct Runtime {
    file: config::FileConfig,
    lang: Lang,
}

impl Runtime {
    async fn app(&self, db: &DbArgs) -> Result<App, Failure> {
        let url = db
            .database
            .clone()
            .or_else(|| self.file.database_url.clone())
            .unwrap_or_else(|| config::DEFAULT_DATABASE.to_string());
        let mut options = StoreOptions::new(url.clone());
        options.schema = self.file.database_schema.clone();
        let store = Store::connect(&options).await.map_err(|e| {
            Failure(say(
                self.lang,
                Message::new("cli.bad_database")
                    .arg("url", &url)
                    .arg("detail", e),
            ))
        })?;
        store.migrate().await.map_err(|e| {
            Failure(say(
                self.lang,
                Message::new("cli.migration_failed").arg("detail", e),
            ))
        })?;
        let app = App::new(store, self.settings()?);
        // Accounts made before the ledger recorded them are taken over once.
        app.record_baselines()
            .await
            .map_err(|e| Failure::app(self.lang, &e))?;
        Ok(app)
    }

    /// The use cases' settings: the configured checkpoint key, if any.
    fn settings(&self) -> Result<Settings, Failure> {
        let mut settings = Settings::default();
        if let Some(path) = self
            .file
            .audit
            .as_ref()
            .and_then(|a| a.signing_key_file.as_ref())
        {
            let unreadable = |detail: String| {
                Failure(say(
                    self.lang,
                    Message::new("audit.signing_key_unreadable")
                        .arg("path", path.display())
                        .arg("detail", detail),
                ))
            };
            // A key file is a few hundred bytes: anything large is not one.
            let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
            if meta.len() > 16 * 1024 {
                return Err(Failure(say(
                    self.lang,
                    Message::new("audit.bad_signing_key"),
                )));
            }
            let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
            let key = baocao_app::audit::SigningKey::read(&bytes)
                .map_err(|m| Failure(say(self.lang, m)))?;
            settings.signing_key = Some(key);
        }
        Ok(settings)
    }

    /// Signs checkpoints of the ledger on a schedule (`[audit]` in the file).
    fn start_checkpoints(&self, app: &App) {
        let audit = self.file.audit.as_ref();
        let hours = audit
            .and_then(|a| a.checkpoint_every_hours)
            .unwrap_or(config::CHECKPOINT_EVERY_HOURS);
        if hours == 0 {
            return;
        }
        let dir = audit.and_then(|a| a.checkpoint_dir.clone());
        println!(
            "{}",
            say(
                self.lang,
                Message::new("audit.checkpoints_started").arg("hours", hours)
            )
        );
        if let Some(dir) = &dir {
            println!(
                "{}",
                say(
                    self.lang,
                    Message::new("audit.checkpoints_written_to").arg("dir", dir.display())
                )
            );
        }
        app.start_checkpoints(std::time::Duration::from_secs(hours * 3600), dir);
    }

    /// The configured SMTP sender.
    fn mailer(&self) -> Result<baocao_app::mail::Mailer, Failure> {
        let settings = self
            .file
            .smtp
            .as_ref()
            .ok_or_else(|| Failure(say(self.lang, Message::new("mail.not_configured"))))?;
        baocao_app::mail::Mailer::new(settings).map_err(|m| Failure(say(self.lang, m)))
    }

    /// Serves the web UI and the API on the configured address until a
    /// shutdown signal, with the mail worker when SMTP is configured.
    async fn serve(&self, app: App, args: &ServeArgs) -> Result<(), Failure> {
        // Concurrent submissions share commits (crates/app/src/group_commit.rs).
        let app = app.with_group_commit();
        // The operations centre's engine: built in the background, then kept
        // current from the ledger (docs/decisions/0011).
        app.start_analytics();
        let listener = self.listen(args).await?;
        let web = self.web_config()?;
        let closing = app.clone();
        self.start_mail_worker(&app)?;
        self.start_checkpoints(&app);
        let local = listener.local_addr().map_err(|e| Failure(e.to_string()))?;
        println!(
            "{}",
            say(
                self.lang,
                Message::new("cli.serving").arg("url", format!("http://{local}/"))
            )
        );
        tracing::info!(%local, "serving");
        baocao_web::serve(listener, app, web, shutdown_signal())
            .await
            .map_err(|e| Failure(e.to_string()))?;
        closing.close().await;
        tracing::info!("stopped");
        Ok(())
    }

    /// The listening socket: the address of the command line, else of the
    /// configuration file, else the default.
    async fn listen(&self, args: &ServeArgs) -> Result<tokio::net::TcpListener, Failure> {
        let listen = args
            .listen
            .clone()
            .or_else(|| self.file.listen.clone())
            .unwrap_or_else(|| config::DEFAULT_LISTEN.to_string());
        let addr: SocketAddr = listen.parse().map_err(|_| {
            Failure(say(
                self.lang,
                Message::new("cli.bad_listen").arg("value", &listen),
            ))
        })?;
        tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            Failure(say(
                self.lang,
                Message::new("cli.cannot_listen")
                    .arg("value", addr)
                    .arg("detail", e),
            ))
        })
    }

    /// The web configuration: cookies, body size and connection limits from
    /// the configuration file (connections bounded by the open-files limit,
    /// raised first).
    fn web_config(&self) -> Result<WebConfig, Failure> {
        let defaults = WebConfig::default();
        let trusted_proxies =
            config::trusted_proxies(&self.file.trusted_proxies).map_err(|bad| {
                Failure(say(
                    self.lang,
                    Message::new("cli.bad_config").arg("detail", format!("trusted_proxies: {bad}")),
                ))
            })?;
        let files = raise_open_files_limit();
        let connections = baocao_web::ConnectionLimits {
            // Leave room for the database, logs and the listener itself.
            max_connections: self
                .file
                .max_connections
                .unwrap_or(defaults.connections.max_connections)
                .min(files.saturating_sub(256).max(64)),
            max_per_address: self
                .file
                .max_connections_per_address
                .unwrap_or(defaults.connections.max_per_address),
            header_read_timeout: self.file.header_read_timeout_seconds.map_or(
                defaults.connections.header_read_timeout,
                std::time::Duration::from_secs,
            ),
            trusted_proxies,
        };
        tracing::info!(
            max_connections = connections.max_connections,
            per_address = connections.max_per_address,
            open_files = files,
            "connection limits"
        );
        Ok(WebConfig {
            secure_cookies: self.file.secure_cookies.unwrap_or(false),
            max_body_bytes: self.file.max_body_bytes.unwrap_or(defaults.max_body_bytes),
            connections,
            ..defaults
        })
    }

    /// Starts the worker that queues and sends e-mails, when SMTP is configured.
    fn start_mail_worker(&self, app: &App) -> Result<(), Failure> {
        if let Some(settings) = &self.file.smtp {
            let mailer = self.mailer()?;
            println!(
                "{}",
                say(
                    self.lang,
                    Message::new("mail.worker_started")
                        .arg("host", &settings.host)
                        .arg("hour", settings.daily_hour)
                )
            );
            baocao_app::mail::spawn_worker(
                app.clone(),
                mailer,
                std::time::Duration::from_secs(MAIL_EVERY_SECONDS),
            );
        }
        Ok(())
    }
}

/// Raises the soft limit of open files to the hard limit (each connection is
/// one) and returns it.
fn raise_open_files_limit() -> usize {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => usize::try_from(n).unwrap_or(usize::MAX),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the open-files limit");
            1024
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let lang = Lang::parse(&cli.lang).unwrap_or_default();
    let file = config::load(cli.config.as_deref())
        .map_err(|e| Failure(say(lang, Message::new("cli.bad_config").arg("detail", e))))?;
    init_logs(file.log_format.as_deref());
    let rt = Runtime { file, lang };
    match cli.command {
        Command::Serve(args) => {
            let app = rt.app(&args.db).await?;
            rt.serve(app, &args).await
        }
        Command::Demo {
            serve,
            password,
            data_dir,
            no_history,
        } => rt.demo(&serve, password, data_dir, no_history).await,
        Command::Migrate(db) => rt.migrate(&db).await,
        Command::Units { command } => rt.units(command).await,
        command @ (Command::Bench { .. }
        | Command::BenchAnalytics { .. }
        | Command::BenchLedger { .. }
        | Command::BenchPages { .. }) => bench(&rt, command).await,
        Command::Audit {
            command: AuditCommand::Verify { db, checkpoint },
        } => rt.verify_ledger(&db, checkpoint.as_deref()).await,
        Command::Audit {
            command: AuditCommand::Checkpoint { db, out },
        } => rt.checkpoint(&db, &out).await,
        Command::Audit {
            command: AuditCommand::Prove { db, from, to, out },
        } => rt.prove_consistency(&db, &from, &to, &out).await,
        Command::Audit {
            command: AuditCommand::Check { from, to, proof },
        } => rt.check_consistency(&from, &to, &proof),
        Command::Mail {
            command: MailCommand::Test { to },
        } => rt.test_mail(&to).await,
        Command::Mail {
            command: MailCommand::Status { db },
        } => rt.mail_status(&db).await,
        Command::Regimes {
            command: RegimesCommand::Export { db, out },
        } => rt.export_regimes(&db, out).await,
        Command::Regimes {
            command: RegimesCommand::Import { db, file },
        } => rt.import_regimes(&db, &file).await,
        Command::User { command } => user(&rt, command).await,
        Command::Trust { command } => rt.trust(command).await,
    }
}

/// The benchmarks.
async fn bench(rt: &Runtime, command: Command) -> Result<(), Failure> {
    match command {
        Command::Bench {
            database,
            data_dir,
            clients,
            communes,
        } => rt.bench(database, data_dir, clients, communes).await,
        Command::BenchAnalytics {
            database,
            data_dir,
            indicators,
            months,
            communes,
            peers,
            reps,
            reuse,
            keep,
        } => {
            let lang = rt.lang;
            let data_dir = rt.data_dir(data_dir)?;
            bench_analytics::run(bench_analytics::AnalyticsOptions {
                database,
                data_dir,
                indicators: indicators.clamp(1, 999),
                months: months.clamp(1, 70),
                communes,
                peers,
                reps: reps.max(1),
                reuse,
                keep,
            })
            .await
            .map_err(|e| Failure::app(lang, &e))
        }
        Command::BenchLedger {
            database,
            data_dir,
            entries,
            reuse,
            keep,
        } => {
            let lang = rt.lang;
            let data_dir = rt.data_dir(data_dir)?;
            bench_ledger::run(bench_ledger::LedgerOptions {
                database,
                data_dir,
                entries,
                reuse,
                keep,
            })
            .await
            .map_err(|e| Failure::app(lang, &e))
        }
        Command::BenchPages {
            url,
            username,
            password,
            clients,
            seconds,
        } => bench_pages::run(bench_pages::PagesOptions {
            url,
            username,
            password,
            clients: clients.max(1),
            seconds: seconds.max(1),
        })
        .await
        .map_err(|e| Failure::app(rt.lang, &e)),
        _ => Ok(()),
    }
}

/// User administration from the command line.
async fn user(rt: &Runtime, command: UserCommand) -> Result<(), Failure> {
    match command {
        UserCommand::Add {
            db,
            username,
            name,
            password,
            unit,
            role,
        } => {
            let account = commands::NewAccount {
                username,
                name,
                password,
                unit,
                role,
            };
            rt.add_user(&db, account).await
        }
        UserCommand::Passwd {
            db,
            username,
            password,
        } => rt.set_password(&db, &username, password).await,
        UserCommand::List { db } => rt.list_users(&db).await,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("baocao: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("baocao: {message}");
            ExitCode::FAILURE
        }
    }
}
