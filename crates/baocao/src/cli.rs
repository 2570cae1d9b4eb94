//! The command line: every command, its flags and their help, as clap
//! parses them. What each command does is in [`commands`](crate::commands)
//! and the dispatch in [`run`](crate::run).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Baocao — reporting information system (Hệ thống thông tin báo cáo).
#[derive(Debug, Parser)]
#[command(version, about)]
pub(crate) struct Cli {
    /// Configuration file (default: ./baocao.toml when present).
    #[arg(long, global = true, env = "BAOCAO_CONFIG")]
    pub(crate) config: Option<PathBuf>,
    /// Language of messages: vi (default) or en.
    #[arg(long, global = true, env = "BAOCAO_LANG", default_value = "vi")]
    pub(crate) lang: String,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    /// Database URL: sqlite://PATH (default sqlite://baocao.db) or postgres://…
    #[arg(long = "database", env = "BAOCAO_DATABASE_URL")]
    pub(crate) database: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "BAOCAO_LISTEN")]
    pub(crate) listen: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
        /// Grow the ledger of the existing --database (the demo's, say) to
        /// --entries, saving its accepted reports' drafts again unchanged.
        #[arg(long)]
        grow: bool,
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
        /// Account whose dashboard, wall screen and pivot are loaded.
        #[arg(long, default_value = "tinh.lanhdao")]
        leader: String,
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
pub(crate) enum MailCommand {
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
pub(crate) enum AuditCommand {
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
pub(crate) enum RegimesCommand {
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
pub(crate) enum UnitsCommand {
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
pub(crate) enum UserCommand {
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
