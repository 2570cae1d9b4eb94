//! `baocao`: the reporting information system's one binary. It parses the
//! command line ([`cli`]), reads the configuration ([`config`]), sets up the
//! logs and runs the command ([`commands`]); the demo and the benchmarks it
//! runs are in `baocao_tools`.

use std::net::SocketAddr;
use std::process::ExitCode;

use baocao_app::i18n::{render, Lang};
use baocao_app::{App, AppError, Settings};
use baocao_domain::Message;
use baocao_store::{Store, StoreOptions};
use baocao_tools::bench;
use baocao_web::WebConfig;
use chrono::NaiveDate;
use clap::Parser;

mod cli;
mod commands;
mod config;

use cli::{
    AuditCommand, Cli, Command, DbArgs, MailCommand, RegimesCommand, ServeArgs, UserCommand,
};

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
            bench::analytics::run(bench::analytics::AnalyticsOptions {
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
            grow,
        } => {
            let lang = rt.lang;
            let data_dir = rt.data_dir(data_dir)?;
            bench::ledger::run(bench::ledger::LedgerOptions {
                database,
                data_dir,
                entries,
                reuse,
                keep,
                grow,
            })
            .await
            .map_err(|e| Failure::app(lang, &e))
        }
        Command::BenchPages {
            url,
            username,
            leader,
            password,
            clients,
            seconds,
        } => bench::pages::run(bench::pages::PagesOptions {
            url,
            username,
            leader,
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
