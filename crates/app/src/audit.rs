//! `baocao audit verify`: the ledger's hash chain, then what the ledger
//! proves about the tables — every submitted or imported version's content
//! is the one its entry recorded, every version has its entry, and every
//! report is in the status its last workflow entry left it in. The first
//! difference is named exactly ("report 4151 version 2: cell HC02 is 335 in
//! the table, 334 in ledger entry 18,204").
//!
//! The ledger is read a page at a time and the chain checked as it goes;
//! what is kept between pages is a few numbers per report (the versions and
//! the status the ledger recorded), not the entries.

use std::collections::{BTreeMap, HashMap};

use baocao_domain::checkpoint::Checkpoint;
use baocao_domain::ledger::{Break, ChainCheck};
use baocao_domain::proof::accounts::{
    first_account_difference, password_digest, Account, AccountDifference, BaselineAccount,
    RecordedAccounts,
};
use baocao_domain::proof::{first_difference, recorded_version, report_of, status_after};
use baocao_domain::report::{Content, ReportId, Status};
use baocao_domain::Message;
use baocao_store::{ledger, reports as store_reports, Conn};

use crate::{App, AppError, AppResult};

/// Ledger entries read a page at a time.
const PAGE: i64 = 10_000;

/// What the verification found.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The chain is intact and the tables hold what it proves.
    Intact {
        /// The head hash.
        head: String,
        /// Entries checked.
        entries: i64,
        /// Versions whose content was proven.
        versions: u64,
        /// Reports whose status was proven.
        reports: u64,
        /// Accounts (with their grants) proven.
        accounts: u64,
    },
    /// The chain itself is broken.
    Broken(Break),
    /// The chain holds, but a table differs from what it proves.
    Differs(Message),
}

impl Verdict {
    /// The head hash and the number of entries, when all is intact.
    pub fn intact(self) -> Option<(String, i64)> {
        match self {
            Verdict::Intact { head, entries, .. } => Some((head, entries)),
            _ => None,
        }
    }

    /// Whether all is intact.
    pub fn is_intact(&self) -> bool {
        matches!(self, Verdict::Intact { .. })
    }

    /// The first broken entry, when the chain is broken.
    pub fn broken(self) -> Option<Break> {
        match self {
            Verdict::Broken(b) => Some(b),
            _ => None,
        }
    }
}

/// One entry of a report's history as the ledger recorded it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryLine {
    /// The ledger entry.
    pub seq: i64,
    /// When (Unix seconds).
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What (`report.submit`, …).
    pub action: String,
    /// The version it concerns, when it says.
    pub version: Option<i64>,
    /// The reason given, when there is one.
    pub reason: Option<String>,
}

/// The version and reason an entry's payload names, if any.
fn version_and_reason(payload: &str) -> (Option<i64>, Option<String>) {
    let value: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    (
        value.get("version").and_then(serde_json::Value::as_i64),
        value
            .get("reason")
            .and_then(serde_json::Value::as_str)
            .map(String::from),
    )
}

impl App {
    /// A report's full history from the ledger, oldest first, for anyone
    /// who may read the report.
    pub async fn report_history(
        &self,
        principal: &baocao_domain::access::Principal,
        id: ReportId,
    ) -> AppResult<Vec<HistoryLine>> {
        let mut conn = self.store.conn().await?;
        self.readable_report(&mut conn, principal, id).await?;
        let mut entries = ledger::of_subject(&mut conn, &format!("report:{id}")).await?;
        entries.reverse();
        Ok(entries
            .into_iter()
            .map(|s| {
                let (version, reason) = version_and_reason(&s.entry.payload);
                HistoryLine {
                    seq: s.entry.seq,
                    at: s.entry.at,
                    actor: s.entry.actor,
                    action: s.entry.action,
                    version,
                    reason,
                }
            })
            .collect())
    }
}

impl App {
    /// The canonical bytes of version `version` of report `id` (see
    /// `baocao_domain::canonical`), for anyone who may read the report,
    /// with a file name for them.
    pub async fn canonical_version(
        &self,
        principal: &baocao_domain::access::Principal,
        id: ReportId,
        version: i64,
    ) -> AppResult<(String, Vec<u8>)> {
        let mut conn = self.store.conn().await?;
        let r = self.readable_report(&mut conn, principal, id).await?;
        let stored = store_reports::versions(&mut conn, id)
            .await?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(AppError::NotFound)?;
        let unit = baocao_store::units::get_many(&mut conn, &[r.unit_id])
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
        let content = decoded(&stored.content)
            .ok_or_else(|| AppError::Internal(format!("report {id} version {version}")))?;
        let header = baocao_domain::canonical::VersionHeader {
            regime: r.regime_code.clone(),
            regime_version: r.regime_version,
            unit_code: unit.code.to_string(),
            unit_name: unit.name.clone(),
            period: r.period.to_string(),
            version,
            submitted_at: stored.submitted_at,
        };
        let name = format!(
            "{}_{}_{}_v{version}.json",
            r.regime_code, r.period, unit.code
        );
        Ok((
            name,
            baocao_domain::canonical::canonical_bytes(&header, &content),
        ))
    }
}

/// What the ledger recorded of one report.
#[derive(Debug, Default)]
struct Recorded {
    /// Version numbers with their entries.
    versions: Vec<(i64, i64)>,
    /// The status after its last workflow entry, and that entry.
    status: Option<(Status, i64)>,
}

/// A version's content, stored or recorded, as the tables write it.
fn decoded(text: &str) -> Option<Content> {
    serde_json::from_str(text).ok()
}

impl App {
    /// Verifies the ledger and what it proves (see the module's note).
    pub async fn verify_ledger(&self) -> AppResult<Verdict> {
        let mut conn = self.store.conn().await?;
        let mut chain = ChainCheck::default();
        let mut recorded: HashMap<ReportId, Recorded> = HashMap::new();
        let mut accounts = RecordedAccounts::default();
        let mut proven = 0u64;
        let mut after = 0;
        loop {
            let page = ledger::entries(&mut conn, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.entry.seq;
            let mut to_compare = Vec::new();
            for stored in &page {
                if let Err(broken) = chain.feed(stored) {
                    return Ok(Verdict::Broken(broken));
                }
                let e = &stored.entry;
                let Some(report) = report_of(&e.subject) else {
                    accounts.feed(e.seq, &e.action, &e.subject, &e.payload);
                    continue;
                };
                let r = recorded.entry(report).or_default();
                if let Some(status) = status_after(&e.action) {
                    r.status = Some((status, e.seq));
                }
                if let Some(v) = recorded_version(&e.action, &e.subject, &e.payload) {
                    r.versions.push((v.version, e.seq));
                    to_compare.push((v, e.seq));
                }
            }
            if let Some(found) = compare_contents(&mut conn, &to_compare).await? {
                return Ok(Verdict::Differs(found));
            }
            proven += to_compare.len() as u64;
        }
        let (head, entries) = chain.head();
        let (_, stored_head) = ledger::head(&mut conn).await?;
        if head != stored_head {
            return Ok(Verdict::Broken(Break {
                seq: entries + 1,
                reason: "audit.head_mismatch",
            }));
        }
        if let Some(found) = versions_without_entries(&mut conn, &recorded).await? {
            return Ok(Verdict::Differs(found));
        }
        if let Some(found) = statuses_differ(&mut conn, &recorded).await? {
            return Ok(Verdict::Differs(found));
        }
        let stored_accounts = stored_accounts(&mut conn).await?;
        if let Some(found) = first_account_difference(&accounts, &stored_accounts) {
            return Ok(Verdict::Differs(account_message(found)));
        }
        Ok(Verdict::Intact {
            head,
            entries,
            versions: proven,
            reports: recorded.len() as u64,
            accounts: stored_accounts.len() as u64,
        })
    }
}

/// Every account in the table with its grants, by user id.
async fn stored_accounts(conn: &mut Conn) -> AppResult<BTreeMap<i64, Account>> {
    let mut accounts: BTreeMap<i64, Account> = baocao_store::users::list(conn)
        .await?
        .into_iter()
        .map(|u| {
            let account = Account {
                username: u.username,
                unit: u.unit.map(|unit| unit.get()),
                disabled: u.disabled,
                email: u.email,
                password: password_digest(&u.password_hash),
                grants: BTreeMap::new(),
            };
            (u.id.get(), account)
        })
        .collect();
    for g in baocao_store::users::all_grants(conn).await? {
        let grant = (g.role.as_str().to_string(), g.unit.map(|u| u.get()));
        accounts
            .entry(g.user_id.get())
            .or_default()
            .grants
            .insert(g.id, grant);
    }
    Ok(accounts)
}

/// What a difference in the accounts says, in words.
fn account_message(found: AccountDifference) -> Message {
    match found {
        AccountDifference::UserWithoutEntry { user, username } => {
            Message::new("audit.user_without_entry")
                .arg("user", user)
                .arg("username", username)
        }
        AccountDifference::UserMissing { user, seq } => Message::new("audit.user_missing")
            .arg("user", user)
            .arg("seq", seq),
        AccountDifference::Field {
            user,
            field: "password",
            seq,
            ..
        } => Message::new("audit.password_differs")
            .arg("user", user)
            .arg("seq", seq),
        AccountDifference::Field {
            user,
            field: "disabled",
            stored,
            recorded,
            seq,
        } => {
            let key = |locked: String| {
                if locked == "true" {
                    "audit.locked"
                } else {
                    "audit.unlocked"
                }
            };
            Message::new("audit.lock_differs")
                .arg("user", user)
                .arg("stored_key", key(stored))
                .arg("recorded_key", key(recorded))
                .arg("seq", seq)
        }
        AccountDifference::Field {
            user,
            field,
            stored,
            recorded,
            seq,
        } => Message::new("audit.user_differs")
            .arg("user", user)
            .arg("field_key", format!("audit.field.{field}"))
            .arg("stored", stored)
            .arg("recorded", recorded)
            .arg("seq", seq),
        AccountDifference::GrantWithoutEntry { user, grant } => {
            Message::new("audit.grant_without_entry")
                .arg("user", user)
                .arg("grant", grant)
        }
        AccountDifference::GrantDiffers { user, grant, seq } => Message::new("audit.grant_differs")
            .arg("user", user)
            .arg("grant", grant)
            .arg("seq", seq),
    }
}

/// The setting recording that the ledger holds the accounts (a baseline
/// was written, or the database began with the ledger recording them).
const ACCOUNTS_RECORDED: &str = "audit.accounts_recorded";

impl App {
    /// Once per database: writes the accounts as they stand to the ledger
    /// (`users.baseline`), so that a database made before accounts were
    /// ledgered verifies, and every change after it is proven. A database
    /// made since gets an empty baseline. Run at start-up by the binary.
    pub async fn record_accounts_baseline(&self) -> AppResult<bool> {
        {
            let mut conn = self.store.conn().await?;
            if baocao_store::meta::get(&mut conn, ACCOUNTS_RECORDED)
                .await?
                .is_some()
            {
                return Ok(false);
            }
        }
        let mut tx = self.store.begin_write().await?;
        if baocao_store::meta::get(&mut tx, ACCOUNTS_RECORDED)
            .await?
            .is_some()
        {
            return Ok(false); // another process did it meanwhile
        }
        let accounts: Vec<BaselineAccount> = stored_accounts(&mut tx)
            .await?
            .iter()
            .map(|(id, a)| BaselineAccount::of(baocao_domain::access::UserId::new(*id), a))
            .collect();
        let event = baocao_domain::audit::AuditEvent::AccountsBaseline { accounts };
        let system = crate::auth::system_principal();
        crate::users::ledger_account(&mut tx, &system, event).await?;
        baocao_store::meta::set(&mut tx, ACCOUNTS_RECORDED, "1").await?;
        baocao_store::commit(tx).await?;
        Ok(true)
    }
}

/// The first recorded version whose stored content differs, or that the
/// table lacks.
async fn compare_contents(
    conn: &mut Conn,
    recorded: &[(baocao_domain::proof::RecordedVersion, i64)],
) -> AppResult<Option<Message>> {
    let keys: Vec<(ReportId, i64)> = recorded
        .iter()
        .map(|(v, _)| (v.report, v.version))
        .collect();
    let stored: HashMap<(ReportId, i64), String> = store_reports::version_contents(conn, &keys)
        .await?
        .into_iter()
        .map(|(r, v, c)| ((r, v), c))
        .collect();
    for (v, seq) in recorded {
        let at = |key: &'static str| {
            Message::new(key)
                .arg("report", v.report)
                .arg("version", v.version)
                .arg("seq", seq)
        };
        let Some(text) = stored.get(&(v.report, v.version)) else {
            return Ok(Some(at("audit.version_missing")));
        };
        let content = decoded(text).ok_or_else(|| {
            AppError::Internal(format!("report {} version {}", v.report, v.version))
        })?;
        if let Some(d) = first_difference(&content, &v.content) {
            let absent = || "—".to_string();
            return Ok(Some(
                at("audit.version_differs")
                    .arg("part_key", format!("audit.part.{}", d.part))
                    .arg("key", d.key)
                    .arg("stored", d.stored.unwrap_or_else(absent))
                    .arg("recorded", d.recorded.unwrap_or_else(absent)),
            ));
        }
    }
    Ok(None)
}

/// The first version in the table that no ledger entry recorded.
async fn versions_without_entries(
    conn: &mut Conn,
    recorded: &HashMap<ReportId, Recorded>,
) -> AppResult<Option<Message>> {
    let mut after = (ReportId::new(0), 0);
    loop {
        let page = store_reports::version_keys(conn, after, PAGE).await?;
        let Some(last) = page.last() else {
            return Ok(None);
        };
        after = *last;
        for (report, version) in page {
            let known = recorded
                .get(&report)
                .is_some_and(|r| r.versions.iter().any(|(v, _)| *v == version));
            if !known {
                return Ok(Some(
                    Message::new("audit.version_without_entry")
                        .arg("report", report)
                        .arg("version", version),
                ));
            }
        }
    }
}

/// The first report whose status is not the one its last workflow entry
/// left it in, or that has no entry at all.
async fn statuses_differ(
    conn: &mut Conn,
    recorded: &HashMap<ReportId, Recorded>,
) -> AppResult<Option<Message>> {
    let mut after = ReportId::new(0);
    loop {
        let page = store_reports::statuses(conn, after, PAGE).await?;
        let Some((last, _)) = page.last() else {
            return Ok(None);
        };
        after = *last;
        for (report, status) in page {
            match recorded.get(&report).and_then(|r| r.status) {
                None => {
                    return Ok(Some(
                        Message::new("audit.report_without_entry").arg("report", report),
                    ))
                }
                Some((proven, seq)) if proven != status => {
                    return Ok(Some(
                        Message::new("audit.status_differs")
                            .arg("report", report)
                            .arg("stored_key", status.key())
                            .arg("recorded_key", proven.key())
                            .arg("seq", seq),
                    ))
                }
                Some(_) => {}
            }
        }
    }
}

/// The setting holding the instance's Ed25519 signing key (PKCS#8, hex),
/// made at first use.
const SIGNING_KEY: &str = "audit.signing_key";

/// The setting naming the instance in its checkpoints.
const INSTANCE_NAME: &str = "instance.name";

/// A configured Ed25519 key (PKCS#8) that signs the ledger's checkpoints;
/// never printed.
#[derive(Clone)]
pub struct SigningKey(std::sync::Arc<Vec<u8>>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

impl SigningKey {
    /// Reads a key as `openssl genpkey -algorithm ed25519` writes it: PKCS#8,
    /// PEM (`-----BEGIN PRIVATE KEY-----`) or DER.
    pub fn read(bytes: &[u8]) -> Result<SigningKey, Message> {
        use base64::Engine;
        let refused = || Message::new("audit.bad_signing_key");
        let der = match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN PRIVATE KEY-----") => {
                let body: String = text
                    .lines()
                    .skip_while(|l| !l.starts_with("-----BEGIN PRIVATE KEY-----"))
                    .skip(1)
                    .take_while(|l| !l.starts_with("-----END"))
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(body.trim())
                    .map_err(|_| refused())?
            }
            _ => bytes.to_vec(),
        };
        ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(|_| refused())?;
        Ok(SigningKey(std::sync::Arc::new(der)))
    }
}

impl App {
    /// The instance's signing key: the configured one, or one made and kept
    /// in the database at first use.
    async fn signing_key(&self) -> AppResult<ring::signature::Ed25519KeyPair> {
        use ring::signature::Ed25519KeyPair;
        let internal = |e: &dyn std::fmt::Display| AppError::Internal(format!("signing key: {e}"));
        if let Some(key) = &self.settings.signing_key {
            return Ed25519KeyPair::from_pkcs8_maybe_unchecked(&key.0).map_err(|e| internal(&e));
        }
        let mut tx = self.store.begin_write().await?;
        let pkcs8 = match baocao_store::meta::get(&mut tx, SIGNING_KEY).await? {
            Some(text) => hex::decode(text).map_err(|e| internal(&e))?,
            None => {
                let rng = ring::rand::SystemRandom::new();
                let made = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| internal(&e))?;
                baocao_store::meta::set(&mut tx, SIGNING_KEY, &hex::encode(made.as_ref())).await?;
                made.as_ref().to_vec()
            }
        };
        baocao_store::commit(tx).await?;
        Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| internal(&e))
    }

    /// Signs a checkpoint of the ledger as it stands (head sequence, head
    /// hash, time, instance), keeps it in the database and returns it to be
    /// exported.
    pub async fn checkpoint(&self) -> AppResult<Checkpoint> {
        use ring::signature::KeyPair;
        let key = self.signing_key().await?;
        let instance = self
            .setting(INSTANCE_NAME)
            .await?
            .unwrap_or_else(|| "baocao".to_string());
        let mut conn = self.store.conn().await?;
        let (seq, head) = ledger::head(&mut conn).await?;
        let mut checkpoint = Checkpoint {
            format: baocao_domain::checkpoint::FORMAT.to_string(),
            instance,
            seq,
            head,
            at: crate::now(),
            public_key: hex::encode(key.public_key().as_ref()),
            signature: String::new(),
        };
        checkpoint.signature = hex::encode(key.sign(&checkpoint.signed_bytes()).as_ref());
        let document =
            serde_json::to_string(&checkpoint).map_err(|e| AppError::Internal(e.to_string()))?;
        ledger::insert_checkpoint(&mut conn, seq, &checkpoint.head, checkpoint.at, &document)
            .await?;
        Ok(checkpoint)
    }

    /// Signs a checkpoint if the ledger moved since the last one (the
    /// scheduled checkpoints: an idle ledger is not signed again and again).
    pub async fn checkpoint_if_moved(&self) -> AppResult<Option<Checkpoint>> {
        let (head, last) = {
            let mut conn = self.store.conn().await?;
            (
                ledger::head(&mut conn).await?,
                ledger::last_checkpoint(&mut conn).await?,
            )
        };
        if last.as_ref() == Some(&head) {
            return Ok(None);
        }
        self.checkpoint().await.map(Some)
    }

    /// Signs a checkpoint every `every` while the ledger moves, and writes
    /// each to `dir` (as `checkpoint-SEQ.json`) when given, to be published
    /// or sent to the level above.
    pub fn start_checkpoints(&self, every: std::time::Duration, dir: Option<std::path::PathBuf>) {
        let app = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.tick().await; // the first tick is at once: wait a period
            loop {
                ticks.tick().await;
                match app.checkpoint_if_moved().await {
                    Ok(Some(c)) => {
                        tracing::info!(seq = c.seq, head = %c.head, "ledger checkpoint signed");
                        if let Some(dir) = &dir {
                            let path = dir.join(format!("checkpoint-{}.json", c.seq));
                            let text = serde_json::to_string_pretty(&c).unwrap_or_default();
                            if let Err(e) = tokio::fs::write(&path, text).await {
                                tracing::warn!(error = %e, path = %path.display(), "cannot write the checkpoint");
                            }
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "ledger checkpoint failed"),
                }
            }
        });
    }

    /// Whether the ledger still holds what `checkpoint` signed: the
    /// signature is the checkpoint's key's, and the entry at its sequence has
    /// its hash. `Err` names what does not hold.
    pub async fn verify_checkpoint(
        &self,
        checkpoint: &Checkpoint,
    ) -> AppResult<Result<(), Message>> {
        use ring::signature::{UnparsedPublicKey, ED25519};
        let signature_ok = match (
            hex::decode(&checkpoint.public_key),
            hex::decode(&checkpoint.signature),
        ) {
            (Ok(key), Ok(signature)) => UnparsedPublicKey::new(&ED25519, key)
                .verify(&checkpoint.signed_bytes(), &signature)
                .is_ok(),
            _ => false,
        };
        if checkpoint.format != baocao_domain::checkpoint::FORMAT || !signature_ok {
            return Ok(Err(Message::new("audit.checkpoint_signature")));
        }
        // An empty ledger's checkpoint: nothing before it to rewrite.
        if checkpoint.seq == 0 && checkpoint.head == baocao_domain::ledger::GENESIS {
            return Ok(Ok(()));
        }
        let mut conn = self.store.conn().await?;
        let entry = ledger::entries(&mut conn, checkpoint.seq - 1, 1).await?;
        match entry.first() {
            Some(e) if e.entry.seq == checkpoint.seq && e.hash == checkpoint.head => Ok(Ok(())),
            Some(e) if e.entry.seq == checkpoint.seq => {
                Ok(Err(Message::new("audit.checkpoint_rewritten")
                    .arg("seq", checkpoint.seq)
                    .arg("signed", &checkpoint.head)
                    .arg("found", &e.hash)))
            }
            _ => Ok(Err(
                Message::new("audit.checkpoint_missing").arg("seq", checkpoint.seq)
            )),
        }
    }
}
