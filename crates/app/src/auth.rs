//! Logging in and out, sessions, API tokens, and who the caller is.
//!
//! Passwords are hashed with Argon2id. Session cookies and API tokens are 256-bit
//! random values; only their SHA-256 is stored. A new session (new id) is created at
//! every login, so a session id planted before login is worthless after it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use baocao_domain::access::{Grant, Principal, Role, Scope, UserId};
use baocao_domain::audit::AuditEvent;
use baocao_domain::Message;
use baocao_store::{auth as store_auth, units as store_units, users as store_users, Conn};
use sha2::{Digest, Sha256};

use crate::{now, App, AppError, AppResult};

/// A fresh random secret, hex encoded (256 bits).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The stored form of a secret.
pub fn secret_hash(secret: &str) -> String {
    secret_hash_bytes(secret.as_bytes())
}

/// SHA-256 of bytes, in hex.
pub fn secret_hash_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Password hashing (Argon2id: about 19 MiB of memory and tens of
/// milliseconds each) runs on a few dedicated threads, one per core, each
/// reusing its own memory for every hash: the process holds cores × 19 MiB
/// for it whatever the number of logins at once. A login that finds the queue
/// full is told the server is busy (503, Retry-After) instead of piling up
/// memory and threads.
mod passwords {
    use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
    use std::sync::OnceLock;

    use argon2::password_hash::rand_core::OsRng;
    use argon2::password_hash::{Output, PasswordHash, SaltString};
    use argon2::{Algorithm, Argon2, Block, Params, Version};
    use tokio::sync::oneshot;

    use crate::limits::RETRY_AFTER_SECONDS;
    use crate::{AppError, AppResult};

    /// Hashes waiting per worker before new ones are refused.
    const QUEUE_PER_WORKER: usize = 16;
    /// Largest memory a stored hash may ask for (64 MiB): hashes made elsewhere
    /// with more are not verified (and logged).
    const MAX_BLOCKS: usize = 64 * 1024;

    enum Job {
        Hash {
            password: String,
            reply: oneshot::Sender<AppResult<String>>,
        },
        Verify {
            password: String,
            hash: String,
            reply: oneshot::Sender<bool>,
        },
    }

    struct Workers {
        queue: SyncSender<Job>,
    }

    fn workers() -> &'static Workers {
        static WORKERS: OnceLock<Workers> = OnceLock::new();
        WORKERS.get_or_init(|| {
            let n = std::thread::available_parallelism().map_or(2, |n| n.get());
            let (queue, jobs) = sync_channel::<Job>(n * QUEUE_PER_WORKER);
            let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
            for i in 0..n {
                let jobs = jobs.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("password-{i}"))
                    .spawn(move || {
                        let mut memory = vec![Block::default(); Params::DEFAULT_M_COST as usize];
                        loop {
                            let job = {
                                let Ok(queue) = jobs.lock() else { return };
                                match queue.recv() {
                                    Ok(job) => job,
                                    Err(_) => return,
                                }
                            };
                            run(job, &mut memory);
                        }
                    });
                if let Err(e) = spawned {
                    tracing::error!(%e, "cannot start a password thread");
                }
            }
            Workers { queue }
        })
    }

    fn run(job: Job, memory: &mut Vec<Block>) {
        match job {
            Job::Hash { password, reply } => {
                let _ = reply.send(hash(&password, memory));
            }
            Job::Verify {
                password,
                hash,
                reply,
            } => {
                let _ = reply.send(verify(&password, &hash, memory));
            }
        }
    }

    fn hash(password: &str, memory: &mut [Block]) -> AppResult<String> {
        let internal = |e: argon2::password_hash::Error| AppError::Internal(e.to_string());
        let params = Params::default();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_bytes = [0u8; 64];
        let salt_raw = salt.decode_b64(&mut salt_bytes).map_err(internal)?;
        let mut out = [0u8; 32];
        argon
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt_raw,
                &mut out,
                &mut memory[..params.block_count()],
            )
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: (&params).try_into().map_err(internal)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(internal)?),
        };
        Ok(phc.to_string())
    }

    fn verify(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        let (Ok(params), Some(expected), Some(salt)) =
            (Params::try_from(&parsed), parsed.hash, parsed.salt)
        else {
            return false;
        };
        let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
            return false;
        };
        let version = parsed
            .version
            .map_or(Ok(Version::V0x13), Version::try_from)
            .unwrap_or(Version::V0x13);
        let blocks = params.block_count();
        if blocks > MAX_BLOCKS {
            tracing::warn!(blocks, "a stored password hash asks for too much memory");
            return false;
        }
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let mut salt_bytes = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        let mut out = vec![0u8; expected.len()];
        let argon = Argon2::new(algorithm, version, params);
        argon
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                &mut out,
                &mut memory[..blocks],
            )
            .is_ok()
            && crate::auth::constant_time_eq(&out, expected.as_bytes())
    }

    fn busy() -> AppError {
        AppError::Busy {
            retry_after: RETRY_AFTER_SECONDS,
        }
    }

    fn send(job: Job) -> AppResult<()> {
        workers().queue.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => busy(),
            TrySendError::Disconnected(_) => AppError::Internal("password threads stopped".into()),
        })
    }

    /// Hashes a new password.
    pub(crate) async fn hash_password(password: &str) -> AppResult<String> {
        let (reply, answer) = oneshot::channel();
        send(Job::Hash {
            password: password.to_string(),
            reply,
        })?;
        answer
            .await
            .map_err(|_| AppError::Internal("password thread dropped a job".into()))?
    }

    /// Whether `password` matches the stored hash.
    pub(crate) async fn verify_password(password: &str, hash: &str) -> AppResult<bool> {
        let (reply, answer) = oneshot::channel();
        send(Job::Verify {
            password: password.to_string(),
            hash: hash.to_string(),
            reply,
        })?;
        answer
            .await
            .map_err(|_| AppError::Internal("password thread dropped a job".into()))
    }
}

/// Hashes a password with Argon2id (on the password threads).
pub async fn hash_password(password: &str) -> AppResult<String> {
    passwords::hash_password(password).await
}

/// Compares secrets without an early exit.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A CSRF token as one page carries it: a fresh random pad, then the token's
/// bytes XOR the pad, in hex. Every page carries different bytes, so a
/// compressed page's size tells nothing about the token (BREACH).
pub fn mask_token(token: &str) -> String {
    let mut pad = vec![0u8; token.len()];
    OsRng.fill_bytes(&mut pad);
    let masked: Vec<u8> = token.bytes().zip(&pad).map(|(t, p)| t ^ p).collect();
    format!("{}{}", hex::encode(&pad), hex::encode(masked))
}

/// Whether `sent` is the token `expected`, sent as it is (API clients read it
/// from the session) or as a page carries it ([`mask_token`]).
pub fn token_matches(expected: &str, sent: &str) -> bool {
    if expected.is_empty() {
        return false;
    }
    if constant_time_eq(expected.as_bytes(), sent.as_bytes()) {
        return true;
    }
    if sent.len() != 4 * expected.len() {
        return false;
    }
    let (pad, masked) = sent.split_at(2 * expected.len());
    match (hex::decode(pad), hex::decode(masked)) {
        (Ok(pad), Ok(masked)) => {
            let unmasked: Vec<u8> = masked.iter().zip(&pad).map(|(m, p)| m ^ p).collect();
            constant_time_eq(&unmasked, expected.as_bytes())
        }
        _ => false,
    }
}

/// Most live API tokens a user may hold.
pub const MAX_TOKENS_PER_USER: usize = 50;

/// Minimum password length.
pub const MIN_PASSWORD_LEN: usize = 10;

/// Refuses weak passwords.
pub fn check_password(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::field(
            "password",
            Message::new("user.error.password_short").arg("min", MIN_PASSWORD_LEN),
        ));
    }
    if password.len() > 1024 {
        return Err(AppError::field(
            "password",
            Message::new("user.error.password_long"),
        ));
    }
    Ok(())
}

/// A new session: the cookie value and the CSRF token forms must echo.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The secret for the cookie.
    pub token: String,
    /// The synchronizer token.
    pub csrf_token: String,
    /// Who logged in.
    pub principal: Principal,
    /// Preferred language.
    pub locale: String,
    /// The user's full name.
    pub display_name: String,
}

/// The caller of a request, with the CSRF token of its session (none for API tokens).
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who.
    pub principal: Principal,
    /// The session's CSRF token; `None` when authenticated by bearer token.
    pub csrf_token: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Preferred language.
    pub locale: String,
}

/// Loads a user's grants with each granted unit's ancestry.
pub async fn principal_of(
    conn: &mut Conn,
    user_id: UserId,
    username: &str,
) -> AppResult<Principal> {
    let stored = store_users::grants_of(conn, user_id).await?;
    let mut grants = Vec::with_capacity(stored.len());
    for g in stored {
        let scope = match g.unit {
            None => None,
            Some(unit) => Some(Scope {
                unit,
                ancestors: store_units::ancestor_ids(conn, unit).await?,
            }),
        };
        grants.push(Grant {
            role: g.role,
            scope,
        });
    }
    Ok(Principal {
        user_id,
        username: username.to_string(),
        grants,
    })
}

/// The principal the command line acts as (the operator of the machine): system
/// administrator and regime administrator everywhere.
pub fn system_principal() -> Principal {
    Principal {
        user_id: UserId::SYSTEM,
        username: "system".into(),
        grants: vec![
            Grant {
                role: Role::SystemAdmin,
                scope: None,
            },
            Grant {
                role: Role::RegimeAdmin,
                scope: None,
            },
        ],
    }
}

/// The throttling keys of a login attempt: its account and its client address.
struct AttemptKeys {
    /// `user:NAME`.
    user: String,
    /// `address:IP`.
    address: String,
}

impl App {
    /// Logs in with a password. Throttled per account and per client address:
    /// every attempt is counted — atomically, before the password is checked —
    /// so at most the allowed number of attempts are ever evaluated in a window,
    /// however many arrive at once; after that even the right password is
    /// refused until the window has passed. A successful login clears the
    /// account's count and takes its own attempt off the address's.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> AppResult<NewSession> {
        let username = username.trim().to_lowercase();
        if username.chars().count() > 64 || password.len() > 1024 {
            return Err(AppError::BadCredentials);
        }
        let t = now();
        let keys = AttemptKeys {
            user: format!("user:{username}"),
            address: format!("address:{address}"),
        };
        self.count_login_attempt(&keys, t).await?;
        let mut conn = self.store.conn().await?;
        let user = store_users::by_username(&mut conn, &username).await?;
        drop(conn);
        let verified = self.verify_login(password, user.as_ref(), &keys).await?;
        let user = match user {
            Some(u) if verified && !u.disabled => u,
            _ => {
                tracing::info!(%username, %address, "login failed");
                // Only attempts that were judged reach here (the throttle
                // refuses the rest first), so a flood cannot fill the ledger.
                let failed = AuditEvent::LoginFailed {
                    username: username.clone(),
                    address: address.to_string(),
                };
                let mut tx = self.store.begin_write().await?;
                let actor = crate::ledger::Actor::unknown(&username);
                crate::ledger::record(&mut tx, &actor, &failed, t).await?;
                baocao_store::commit(tx).await?;
                return Err(AppError::BadCredentials);
            }
        };
        self.open_session(&user, &keys, address, t).await
    }

    /// Counts a login attempt against its account and its address, committed
    /// before anything is checked; refuses it, with how long to wait, when
    /// either is over its limit.
    async fn count_login_attempt(&self, keys: &AttemptKeys, t: i64) -> AppResult<()> {
        let s = &self.settings;
        let mut tx = self.store.begin_write().await?;
        let by_user = store_auth::count_attempt(&mut tx, &keys.user, t, s.failure_window).await?;
        let by_address =
            store_auth::count_attempt(&mut tx, &keys.address, t, s.failure_window).await?;
        baocao_store::commit(tx).await?;
        let over = |(count, since): (i64, i64), max: i64| {
            (count > max).then_some(since + s.failure_window - t)
        };
        if let Some(wait) = over(by_user, s.max_failures_per_account)
            .into_iter()
            .chain(over(by_address, s.max_failures_per_address))
            .max()
        {
            return Err(AppError::Throttled {
                retry_after: wait.max(1),
            });
        }
        Ok(())
    }

    /// Whether `password` is the user's. An attempt that could not be judged
    /// (the hashing queue is full) is given back to both counts.
    async fn verify_login(
        &self,
        password: &str,
        user: Option<&store_users::User>,
        keys: &AttemptKeys,
    ) -> AppResult<bool> {
        // Verify against a dummy hash for unknown users, so timing does not tell
        // which user names exist.
        let hash = match user {
            Some(u) => u.password_hash.clone(),
            None => dummy_hash().await?,
        };
        match passwords::verify_password(password, &hash).await {
            Ok(ok) => Ok(ok),
            Err(e) => {
                // Not an attempt that was judged: give it back.
                let mut tx = self.store.begin_write().await?;
                store_auth::uncount_attempt(&mut tx, &keys.user).await?;
                store_auth::uncount_attempt(&mut tx, &keys.address).await?;
                baocao_store::commit(tx).await?;
                Err(e)
            }
        }
    }

    /// A new session for `user`, who gave the right password: the account's
    /// count is cleared and this attempt taken off the address's. Refused if
    /// the password changed (or the account was disabled) meanwhile.
    async fn open_session(
        &self,
        user: &store_users::User,
        keys: &AttemptKeys,
        address: &str,
        t: i64,
    ) -> AppResult<NewSession> {
        let s = &self.settings;
        let token = random_secret();
        let csrf_token = random_secret();
        let mut tx = self.store.begin_write().await?;
        store_auth::clear_attempts(&mut tx, &keys.user, t - s.failure_window).await?;
        store_auth::uncount_attempt(&mut tx, &keys.address).await?;
        store_auth::purge_sessions(&mut tx, t, t - s.session_idle).await?;
        let session = store_auth::Session {
            token_hash: secret_hash(&token),
            user_id: user.id,
            csrf_token: csrf_token.clone(),
            last_seen_at: t,
            expires_at: t + s.session_lifetime,
        };
        if !store_auth::insert_session_if_current(&mut tx, &session, &user.password_hash, t).await?
        {
            // The password changed (or the account was disabled) meanwhile.
            return Err(AppError::BadCredentials);
        }
        let principal = principal_of(&mut tx, user.id, &user.username).await?;
        let logged_in = AuditEvent::LoggedIn {
            user: user.id,
            address: address.to_string(),
        };
        let actor = crate::ledger::Actor::user(user.id, &user.username);
        crate::ledger::record(&mut tx, &actor, &logged_in, t).await?;
        baocao_store::commit(tx).await?;
        tracing::info!(username = %user.username, "login");
        Ok(NewSession {
            token,
            csrf_token,
            principal,
            locale: user.locale.clone(),
            display_name: user.display_name.clone(),
        })
    }

    /// The principal of a user, as a login makes it (the command line acts
    /// as a user this way, and so do tests).
    pub async fn principal_of_user(&self, user_id: UserId) -> AppResult<Principal> {
        let mut conn = self.store.conn().await?;
        let user = store_users::get(&mut conn, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        principal_of(&mut conn, user.id, &user.username).await
    }

    /// A login from the login page: as [`App::login`], and a session the
    /// browser already carried (one planted before login, say) is ended — the
    /// new one replaces it.
    pub async fn login_replacing(
        &self,
        username: &str,
        password: &str,
        address: &str,
        replaced: Option<&str>,
    ) -> AppResult<NewSession> {
        let session = self.login(username, password, address).await?;
        if let Some(old) = replaced {
            // The new session stands whatever becomes of the old one.
            if let Err(e) = self.logout(old).await {
                tracing::warn!(error = %e, "an earlier session was not ended");
            }
        }
        Ok(session)
    }

    /// Ends a session (unknown tokens are ignored: logging out twice is fine).
    pub async fn logout(&self, token: &str) -> AppResult<()> {
        let mut tx = self.store.begin_write().await?;
        store_auth::delete_session(&mut tx, &secret_hash(token)).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// The caller behind a session cookie.
    pub async fn session_caller(&self, token: &str) -> AppResult<Caller> {
        let t = now();
        let hash = secret_hash(token);
        let mut conn = self.store.conn().await?;
        let session = store_auth::session(&mut conn, &hash)
            .await?
            .ok_or(AppError::SessionExpired)?;
        if session.expires_at <= t || session.last_seen_at < t - self.settings.session_idle {
            store_auth::delete_session(&mut conn, &hash).await?;
            return Err(AppError::SessionExpired);
        }
        let user = store_users::get(&mut conn, session.user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(AppError::SessionExpired)?;
        // Record use at most once a minute: most requests then only read.
        if t - session.last_seen_at >= 60 {
            store_auth::touch_session(&mut conn, &hash, t).await?;
        }
        Ok(Caller {
            principal: principal_of(&mut conn, user.id, &user.username).await?,
            csrf_token: Some(session.csrf_token),
            display_name: user.display_name,
            locale: user.locale,
        })
    }

    /// The caller behind an API token.
    pub async fn token_caller(&self, token: &str) -> AppResult<Caller> {
        let mut conn = self.store.conn().await?;
        let hash = secret_hash(token);
        let (user_id, stale) = store_auth::token_owner(&mut conn, &hash, now())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if stale {
            self.token_uses.note(&self.store, hash, now());
        }
        let user = store_users::get(&mut conn, user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(AppError::Unauthenticated)?;
        Ok(Caller {
            principal: principal_of(&mut conn, user.id, &user.username).await?,
            csrf_token: None,
            display_name: user.display_name,
            locale: user.locale,
        })
    }

    /// Creates an API token for the caller; the secret is returned once.
    pub async fn create_token(&self, caller: &Principal, name: &str) -> AppResult<(i64, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::field("name", Message::new("token.error.name")));
        }
        let secret = format!("bc_{}", random_secret());
        let mut tx = self.store.begin_write().await?;
        let live = store_auth::tokens_of(&mut tx, caller.user_id)
            .await?
            .iter()
            .filter(|t| t.revoked_at.is_none())
            .count();
        if live >= MAX_TOKENS_PER_USER {
            return Err(AppError::Conflict(
                Message::new("token.error.too_many").arg("max", MAX_TOKENS_PER_USER),
            ));
        }
        let id =
            store_auth::insert_token(&mut tx, caller.user_id, name, &secret_hash(&secret), now())
                .await?;
        baocao_store::commit(tx).await?;
        Ok((id, secret))
    }

    /// The caller's tokens.
    pub async fn list_tokens(&self, caller: &Principal) -> AppResult<Vec<store_auth::ApiToken>> {
        let mut conn = self.store.conn().await?;
        Ok(store_auth::tokens_of(&mut conn, caller.user_id).await?)
    }

    /// Revokes one of the caller's tokens.
    pub async fn revoke_token(&self, caller: &Principal, id: i64) -> AppResult<()> {
        let mut tx = self.store.begin_write().await?;
        if !store_auth::revoke_token(&mut tx, caller.user_id, id, now()).await? {
            return Err(AppError::NotFound);
        }
        baocao_store::commit(tx).await?;
        Ok(())
    }
}

/// An Argon2id hash of a random password nobody knows, made once.
async fn dummy_hash() -> AppResult<String> {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_try_init(|| async { hash_password(&random_secret()).await })
        .await
        .cloned()
}

/// API token uses waiting to be recorded: written together a few seconds after
/// the first, off the request path, so that the first calls of many clients do
/// not each wait for a write of their own (and for the write lock, on SQLite).
#[derive(Debug, Clone, Default)]
pub(crate) struct TokenUses(Arc<Mutex<PendingUses>>);

#[derive(Debug, Default)]
struct PendingUses {
    uses: HashMap<String, i64>,
    flush_scheduled: bool,
}

/// How long token uses gather before they are written.
const TOKEN_USE_FLUSH: std::time::Duration = std::time::Duration::from_secs(2);

impl TokenUses {
    fn note(&self, store: &baocao_store::Store, token_hash: String, at: i64) {
        let mut pending = self.0.lock().unwrap_or_else(|e| e.into_inner());
        pending.uses.insert(token_hash, at);
        if pending.flush_scheduled {
            return;
        }
        pending.flush_scheduled = true;
        let (uses, store) = (self.clone(), store.clone());
        tokio::spawn(async move {
            tokio::time::sleep(TOKEN_USE_FLUSH).await;
            if let Err(e) = uses.flush(&store).await {
                tracing::warn!(error = %e, "token uses not recorded");
            }
        });
    }

    /// Writes what gathered, in one transaction.
    pub(crate) async fn flush(&self, store: &baocao_store::Store) -> AppResult<()> {
        let batch: Vec<(String, i64)> = {
            let mut pending = self.0.lock().unwrap_or_else(|e| e.into_inner());
            pending.flush_scheduled = false;
            pending.uses.drain().collect()
        };
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = store.begin_write().await?;
        store_auth::record_token_uses(&mut tx, &batch).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_csrf_token_matches_and_differs_every_time() {
        let token = random_secret();
        let (a, b) = (mask_token(&token), mask_token(&token));
        assert_ne!(a, b);
        assert!(token_matches(&token, &a) && token_matches(&token, &b));
        assert!(token_matches(&token, &token), "as sent by API clients");
        assert!(!token_matches(&token, &mask_token(&random_secret())));
        assert!(!token_matches(&token, &a[..a.len() - 2]));
        assert!(!token_matches("", ""));
        let mut forged = a.into_bytes();
        forged[0] = if forged[0] == b'0' { b'1' } else { b'0' };
        assert!(!token_matches(&token, &String::from_utf8(forged).unwrap()));
    }
}
