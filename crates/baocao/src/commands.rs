//! The commands other than `serve`, one method of [`Runtime`] each: what
//! [`run`](super::run) calls once the command line is parsed.

use std::path::{Path, PathBuf};

use baocao_app::audit::Verdict;
use baocao_app::auth::{random_secret, system_principal};
use baocao_app::i18n::{render, Lang};
use baocao_app::units::{read_merge_file, read_units_file, StructureFile};
use baocao_app::users::UserInput;
use baocao_app::AppError;
use baocao_domain::access::Role;
use baocao_domain::unit::{UnitId, Validity};
use baocao_domain::Message;
use baocao_tools::{bench, demo};

use super::cli::{DbArgs, ServeArgs, TrustCommand, UnitsCommand};
use super::{config, parse_date, say, Failure, Runtime};

/// What `baocao user add` creates.
pub(super) struct NewAccount {
    /// Login name.
    pub(super) username: String,
    /// Display name.
    pub(super) name: String,
    /// Password; a random one is generated and printed when absent.
    pub(super) password: Option<String>,
    /// Home unit id.
    pub(super) unit: Option<i64>,
    /// Role to grant on the home unit (system-wide when no unit).
    pub(super) role: Option<String>,
}

/// The demo accounts created now, or that the demo was there already.
fn print_demo_accounts(lang: Lang, accounts: &[demo::DemoAccount]) {
    if accounts.is_empty() {
        println!("{}", say(lang, Message::new("cli.demo_loaded")));
    } else {
        println!("{}", say(lang, Message::new("cli.demo_accounts")));
        for a in accounts {
            println!(
                "  {:<18} {:<22} {:<18} {}",
                a.username,
                a.password,
                a.role.as_str(),
                a.unit
            );
        }
    }
}

/// A password the command generated, shown once.
fn print_generated_password(lang: Lang, password: &str) {
    println!(
        "{}",
        say(lang, Message::new("cli.password").arg("password", password))
    );
}

impl Runtime {
    /// `baocao demo`: loads the demo if absent (and its history in the
    /// background unless `no_history`), then serves it.
    pub(super) async fn demo(
        &self,
        serve: &ServeArgs,
        password: Option<String>,
        data_dir: Option<PathBuf>,
        no_history: bool,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let fail = |e: AppError| Failure::app(lang, &e);
        let app = self.app(&serve.db).await?;
        let dir = self.data_dir(data_dir)?;
        if let Some(p) = &password {
            baocao_app::auth::check_password(p).map_err(fail)?;
        }
        let accounts = demo::load(&app, &dir, password.as_deref())
            .await
            .map_err(fail)?;
        print_demo_accounts(lang, &accounts);
        let pki = demo::pki::folder(serve.db.database.as_deref());
        if let Some(dir) = demo::pki::ensure(&app, &pki).await.map_err(fail)? {
            let said = Message::new("cli.demo_pki").arg("dir", dir.display());
            println!("{}", say(lang, said));
        }
        if !no_history {
            println!("{}", say(lang, Message::new("cli.demo_history")));
            demo::spawn_history(&app);
        }
        self.serve(app, serve).await
    }

    /// `baocao migrate`: brings the schema up to date (opening the database does).
    pub(super) async fn migrate(&self, db: &DbArgs) -> Result<(), Failure> {
        self.app(db).await?;
        println!("{}", say(self.lang, Message::new("cli.db_up_to_date")));
        Ok(())
    }

    /// `baocao units import`: the official vn-admin set, or a units file
    /// and/or a merge file.
    async fn import_units(&self, command: UnitsCommand) -> Result<(), Failure> {
        let UnitsCommand::Import {
            db,
            vn_admin,
            units,
            valid_from,
            valid_to,
            merge,
            merge_date,
            province,
        } = command
        else {
            return Ok(());
        };
        let lang = self.lang;
        let fail = |e: AppError| Failure::app(lang, &e);
        let app = self.app(&db).await?;
        let started = std::time::Instant::now();
        let summary = if let Some(dir) = vn_admin {
            demo::import_vn_admin(&app, &dir, province.as_deref())
                .await
                .map_err(fail)?
        } else {
            let mut structures = Vec::new();
            if let Some(path) = units {
                let mut records = read_units_file(&path).map_err(fail)?;
                if let Some(code) = &province {
                    records = baocao_app::units::only_province(records, code);
                }
                let validity = Validity::new(
                    parse_date(lang, valid_from.as_deref())?,
                    parse_date(lang, valid_to.as_deref())?,
                )
                .map_err(|e| Failure(render(lang, &e.message())))?;
                structures.push(StructureFile { records, validity });
            }
            let merge_records = match &merge {
                Some(path) => Some(read_merge_file(path).map_err(fail)?),
                None => None,
            };
            let date = parse_date(lang, merge_date.as_deref())?;
            let merge_arg = merge_records.as_deref().zip(date);
            if structures.is_empty() && merge_arg.is_none() {
                return Err(Failure(say(lang, Message::new("cli.nothing_to_import"))));
            }
            app.import_units(&system_principal(), &structures, merge_arg)
                .await
                .map_err(fail)?
        };
        let done = Message::new("cli.imported")
            .arg("seconds", format!("{:.2}", started.elapsed().as_secs_f64()))
            .arg("inserted", summary.inserted)
            .arg("updated", summary.updated)
            .arg("unchanged", summary.unchanged)
            .arg("events_inserted", summary.events_inserted)
            .arg("events_updated", summary.events_updated)
            .arg("events_unchanged", summary.events_unchanged);
        println!("{}", say(lang, done));
        Ok(())
    }

    /// `baocao units …`.
    pub(super) async fn units(&self, command: UnitsCommand) -> Result<(), Failure> {
        match command {
            UnitsCommand::Boundaries {
                db,
                level,
                code_property,
                file,
            } => {
                self.load_boundaries(&db, &level, &code_property, &file)
                    .await
            }
            import => self.import_units(import).await,
        }
    }

    /// `baocao units boundaries`: loads a level's boundaries from GeoJSON.
    async fn load_boundaries(
        &self,
        db: &DbArgs,
        level: &str,
        code_property: &str,
        file: &Path,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let bytes = std::fs::read(file).map_err(|e| {
            Failure(say(
                lang,
                Message::new("import.cannot_read")
                    .arg("path", file.display())
                    .arg("detail", e),
            ))
        })?;
        let app = self.app(db).await?;
        let started = std::time::Instant::now();
        let loaded = app
            .load_boundaries(&system_principal(), level, code_property, bytes)
            .await
            .map_err(|e| Failure::app(lang, &e))?;
        let done = Message::new("cli.boundaries_loaded")
            .arg("units", loaded.units)
            .arg("features", loaded.features)
            .arg("level", level)
            .arg("seconds", format!("{:.2}", started.elapsed().as_secs_f64()));
        println!("{}", say(lang, done));
        Ok(())
    }

    /// `baocao bench`: see [`bench::run`].
    pub(super) async fn bench(
        &self,
        database: Option<String>,
        data_dir: Option<PathBuf>,
        clients: usize,
        communes: Option<usize>,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let dir = self.data_dir(data_dir)?;
        bench::run(bench::BenchOptions {
            database,
            data_dir: dir,
            clients: clients.max(1),
            communes,
        })
        .await
        .map_err(|e: AppError| Failure::app(lang, &e))
    }

    /// `baocao audit verify`: recomputes the ledger's hash chain and checks
    /// what it proves about the tables; a difference fails.
    pub(super) async fn verify_ledger(
        &self,
        db: &DbArgs,
        checkpoint: Option<&std::path::Path>,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let app = self.app(db).await?;
        if let Some(path) = checkpoint {
            let signed: baocao_domain::checkpoint::Checkpoint = read_small_json(lang, path)?;
            app.verify_checkpoint(&signed)
                .await
                .map_err(|e| Failure::app(lang, &e))?
                .map_err(|m| Failure(say(lang, m)))?;
            let at = chrono::DateTime::from_timestamp(signed.at, 0)
                .map(|d| {
                    d.with_timezone(&baocao_domain::report::VIETNAM)
                        .format("%d/%m/%Y %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            println!(
                "{}",
                say(
                    lang,
                    Message::new("audit.checkpoint_ok")
                        .arg("seq", signed.seq)
                        .arg("at", at)
                )
            );
        }
        match app
            .verify_ledger()
            .await
            .map_err(|e| Failure::app(lang, &e))?
        {
            Verdict::Intact {
                head,
                entries,
                versions,
                reports,
                accounts,
            } => {
                let done = Message::new("audit.verified")
                    .arg("count", entries)
                    .arg("hash", head)
                    .arg("versions", versions)
                    .arg("reports", reports)
                    .arg("accounts", accounts);
                println!("{}", say(lang, done));
                Ok(())
            }
            Verdict::Broken(broken) => Err(Failure(say(
                lang,
                Message::new("audit.broken")
                    .arg("detail_key", broken.reason)
                    .arg("seq", broken.seq),
            ))),
            Verdict::Differs(found) => Err(Failure(format!(
                "{} {}",
                say(lang, Message::new("audit.differs")),
                say(lang, found)
            ))),
        }
    }

    /// `baocao audit checkpoint --out FILE`: signs a checkpoint and writes it.
    pub(super) async fn checkpoint(
        &self,
        db: &DbArgs,
        out: &std::path::Path,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let app = self.app(db).await?;
        let signed = app.checkpoint().await.map_err(|e| Failure::app(lang, &e))?;
        let text = serde_json::to_string_pretty(&signed).map_err(|e| Failure(e.to_string()))?;
        std::fs::write(out, text + "\n").map_err(|e| Failure(e.to_string()))?;
        println!(
            "{}",
            say(
                lang,
                Message::new("audit.checkpoint_written")
                    .arg("seq", signed.seq)
                    .arg("hash", &signed.head)
                    .arg("path", out.display())
            )
        );
        Ok(())
    }

    /// The folder with the vn-admin files: the flag or environment, the
    /// file's setting, or the default beside the checkout.
    pub(super) fn data_dir(&self, given: Option<PathBuf>) -> Result<PathBuf, Failure> {
        config::data_dir(given.or_else(|| self.file.data_dir.clone()))
            .ok_or_else(|| Failure(say(self.lang, Message::new("cli.no_data_dir"))))
    }

    /// `baocao audit prove`: the consistency proof between two checkpoints
    /// of this instance, written to `out` for the level above.
    pub(super) async fn prove_consistency(
        &self,
        db: &DbArgs,
        from: &std::path::Path,
        to: &std::path::Path,
        out: &std::path::Path,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let old: baocao_domain::checkpoint::Checkpoint = read_small_json(lang, from)?;
        let new: baocao_domain::checkpoint::Checkpoint = read_small_json(lang, to)?;
        let app = self.app(db).await?;
        let proof = app
            .consistency_proof(&old, &new)
            .await
            .map_err(|e| Failure::app(lang, &e))?
            .map_err(|m| Failure(say(lang, m)))?;
        let text = serde_json::to_string_pretty(&proof).map_err(|e| Failure(e.to_string()))?;
        std::fs::write(out, text + "\n").map_err(|e| Failure(e.to_string()))?;
        println!(
            "{}",
            say(
                lang,
                Message::new("audit.consistency_written")
                    .arg("from", proof.from)
                    .arg("to", proof.to)
                    .arg("hashes", proof.proof.len())
                    .arg("path", out.display())
            )
        );
        Ok(())
    }

    /// `baocao audit check`: checks a consistency proof between two
    /// checkpoints with the files alone (no database: what the level above
    /// runs).
    pub(super) fn check_consistency(
        &self,
        from: &std::path::Path,
        to: &std::path::Path,
        proof: &std::path::Path,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let old: baocao_domain::checkpoint::Checkpoint = read_small_json(lang, from)?;
        let new: baocao_domain::checkpoint::Checkpoint = read_small_json(lang, to)?;
        let proof: baocao_domain::checkpoint::ConsistencyProof = read_small_json(lang, proof)?;
        baocao_app::audit::check_consistency(&old, &new, &proof)
            .map_err(|m| Failure(say(lang, m)))?;
        println!(
            "{}",
            say(
                lang,
                Message::new("audit.consistency_holds")
                    .arg("from", old.seq)
                    .arg("to", new.seq)
                    .arg("hashes", proof.proof.len())
            )
        );
        Ok(())
    }

    /// `baocao mail test`: sends a test e-mail to `to`.
    pub(super) async fn test_mail(&self, to: &str) -> Result<(), Failure> {
        let lang = self.lang;
        let mailer = self.mailer()?;
        baocao_app::mail::parse_address(to).map_err(|e| Failure(render(lang, &e.message)))?;
        let subject = baocao_app::i18n::t(lang, "mail.test_subject");
        let body = baocao_app::i18n::t(lang, "mail.test_body");
        mailer.send(to, &subject, body).await.map_err(|e| {
            Failure(say(
                lang,
                Message::new("mail.send_failed").arg("detail", e.detail),
            ))
        })?;
        println!(
            "{}",
            say(lang, Message::new("mail.test_sent").arg("to", to))
        );
        Ok(())
    }

    /// `baocao mail status`: the outbox and its latest errors.
    pub(super) async fn mail_status(&self, db: &DbArgs) -> Result<(), Failure> {
        let lang = self.lang;
        let app = self.app(db).await?;
        let summary = app
            .mail_summary()
            .await
            .map_err(|e| Failure::app(lang, &e))?;
        println!(
            "{}",
            say(
                lang,
                Message::new("mail.summary")
                    .arg("queued", summary.queued)
                    .arg("sent", summary.sent)
                    .arg("given_up", summary.given_up)
            )
        );
        for (key, attempts, error) in summary.recent_errors {
            println!(
                "{}",
                say(
                    lang,
                    Message::new("mail.summary_error")
                        .arg("key", key)
                        .arg("attempts", attempts)
                        .arg("error", error)
                )
            );
        }
        Ok(())
    }

    /// `baocao regimes export`: the whole catalogue as JSON, to `out` or
    /// standard output.
    pub(super) async fn export_regimes(
        &self,
        db: &DbArgs,
        out: Option<PathBuf>,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let app = self.app(db).await?;
        let meta = app.metadata().await.map_err(|e| Failure::app(lang, &e))?;
        let text = baocao_app::catalogue::to_json(&meta);
        match out {
            Some(path) => std::fs::write(&path, text).map_err(|e| {
                Failure(say(
                    lang,
                    Message::new("cli.cannot_write")
                        .arg("path", path.display())
                        .arg("detail", e),
                ))
            }),
            None => {
                print!("{text}");
                Ok(())
            }
        }
    }

    /// `baocao regimes import`: checks a metadata file as a whole and stores it.
    pub(super) async fn import_regimes(&self, db: &DbArgs, file: &Path) -> Result<(), Failure> {
        let lang = self.lang;
        let fail = |e: AppError| Failure::app(lang, &e);
        let text = std::fs::read_to_string(file).map_err(|e| {
            Failure(say(
                lang,
                Message::new("import.cannot_read")
                    .arg("path", file.display())
                    .arg("detail", e),
            ))
        })?;
        let doc = baocao_app::catalogue::parse_metadata(&text).map_err(fail)?;
        let app = self.app(db).await?;
        let summary = app
            .apply_metadata(&system_principal(), &doc)
            .await
            .map_err(fail)?;
        let done = Message::new("cli.metadata_imported")
            .arg("created", summary.created)
            .arg("changed", summary.changed)
            .arg("unchanged", summary.unchanged);
        println!("{}", say(lang, done));
        Ok(())
    }

    /// `baocao trust add|list|remove`: the trusted certification authorities.
    pub(super) async fn trust(&self, command: TrustCommand) -> Result<(), Failure> {
        let lang = self.lang;
        let fail = |e: AppError| Failure::app(lang, &e);
        let admin = system_principal();
        match command {
            TrustCommand::Add { db, file } => {
                let limit = baocao_app::signatures::MAX_ANCHOR_BYTES as u64;
                let pem = read_small_file(lang, &file, limit, "import.cannot_read")?;
                let app = self.app(&db).await?;
                let added = app.add_trust_anchors(&admin, pem).await.map_err(fail)?;
                println!(
                    "{}",
                    say(lang, Message::new("trust.added").arg("count", added.len()))
                );
                for a in added {
                    println!("{}\t{}\t{}", a.id, a.fingerprint, a.subject);
                }
            }
            TrustCommand::List { db } => {
                let app = self.app(&db).await?;
                for a in app.trust_anchors(&admin).await.map_err(fail)? {
                    println!("{}\t{}\t{}", a.id, a.fingerprint, a.subject);
                }
            }
            TrustCommand::Remove { db, id } => {
                let app = self.app(&db).await?;
                app.remove_trust_anchor(&admin, id).await.map_err(fail)?;
                println!("{}", say(lang, Message::new("trust.removed").arg("id", id)));
            }
        }
        Ok(())
    }

    /// `baocao user add`: creates a user, optionally with a role.
    pub(super) async fn add_user(&self, db: &DbArgs, account: NewAccount) -> Result<(), Failure> {
        let lang = self.lang;
        let app = self.app(db).await?;
        let role = account
            .role
            .map(|r| Role::parse(&r).map_err(|e| Failure(render(lang, &e.message()))))
            .transpose()?;
        let generated = account.password.is_none();
        let password = account
            .password
            .unwrap_or_else(|| random_secret()[..20].to_string());
        let admin = system_principal();
        let input = UserInput {
            username: account.username.clone(),
            display_name: account.name,
            password: password.clone(),
            unit: account.unit.map(UnitId::new),
            locale: lang.code().into(),
            role,
        };
        let id = app
            .create_user(&admin, &input)
            .await
            .map_err(|e| Failure::app(lang, &e))?;
        let created = Message::new("cli.user_created")
            .arg("username", &account.username)
            .arg("id", id);
        println!("{}", say(lang, created));
        if generated {
            print_generated_password(lang, &password);
        }
        Ok(())
    }

    /// `baocao user passwd`: sets a user's password (a random one when absent).
    pub(super) async fn set_password(
        &self,
        db: &DbArgs,
        username: &str,
        password: Option<String>,
    ) -> Result<(), Failure> {
        let lang = self.lang;
        let app = self.app(db).await?;
        let user = app.user_by_name(username).await.map_err(|_| {
            Failure(say(
                lang,
                Message::new("cli.no_such_user").arg("username", username),
            ))
        })?;
        let generated = password.is_none();
        let password = password.unwrap_or_else(|| random_secret()[..20].to_string());
        app.set_password(&system_principal(), user.id, &password, false)
            .await
            .map_err(|e| Failure::app(lang, &e))?;
        let changed = Message::new("cli.password_changed").arg("username", &user.username);
        println!("{}", say(lang, changed));
        if generated {
            print_generated_password(lang, &password);
        }
        Ok(())
    }

    /// `baocao user list`: users, their state and their roles.
    pub(super) async fn list_users(&self, db: &DbArgs) -> Result<(), Failure> {
        let lang = self.lang;
        let app = self.app(db).await?;
        let users = app
            .list_users(&system_principal())
            .await
            .map_err(|e| Failure::app(lang, &e))?;
        for v in users {
            let roles: Vec<String> = v
                .grants
                .iter()
                .map(|(g, u)| {
                    format!(
                        "{}@{}",
                        g.role,
                        u.as_ref()
                            .map(|u| u.code.to_string())
                            .unwrap_or_else(|| "*".into())
                    )
                })
                .collect();
            println!(
                "{:<20} {:<36} {:<8} {}",
                v.user.username,
                v.user.display_name,
                baocao_app::i18n::t(
                    lang,
                    if v.user.disabled {
                        "users.disabled"
                    } else {
                        "users.active"
                    }
                ),
                roles.join(", ")
            );
        }
        Ok(())
    }
}

/// A checkpoint or proof file: small JSON (a larger file is not one).
fn read_small_json<T: serde::de::DeserializeOwned>(
    lang: Lang,
    path: &std::path::Path,
) -> Result<T, Failure> {
    let bytes = read_small_file(lang, path, 64 * 1024, "audit.checkpoint_unreadable")?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure(say(
            lang,
            Message::new("audit.checkpoint_unreadable")
                .arg("path", path.display())
                .arg("detail", e),
        ))
    })
}

/// A file of at most `limit` bytes; a larger one is refused before it is
/// read, with message `key` (arguments `path` and `detail`).
fn read_small_file(
    lang: Lang,
    path: &std::path::Path,
    limit: u64,
    key: &'static str,
) -> Result<Vec<u8>, Failure> {
    let unreadable = |detail: String| {
        Failure(say(
            lang,
            Message::new(key)
                .arg("path", path.display())
                .arg("detail", detail),
        ))
    };
    let size = std::fs::metadata(path)
        .map_err(|e| unreadable(e.to_string()))?
        .len();
    if size > limit {
        return Err(unreadable(format!("{size} bytes > {limit}")));
    }
    std::fs::read(path).map_err(|e| unreadable(e.to_string()))
}
