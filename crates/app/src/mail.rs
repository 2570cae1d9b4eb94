//! E-mail notifications, when an SMTP server is configured.
//!
//! Nothing is sent from inside a request: e-mails are queued in the outbox
//! (`email_outbox`) and a worker sends them, retrying transient failures, so a
//! restart or an unreachable SMTP server loses none. Two things are queued:
//! - at once, a return or an acceptance, to the reporting unit's data-entry
//!   officers and heads (found from the report events, so the review itself
//!   never waits on mail);
//! - once a day, from the configured hour (Vietnam time), each user's
//!   notifications of that day — due soon, overdue, returned, accepted and, for
//!   reviewers, the daily digest — the same list as the in-app page.
//!
//! The content is kept as translatable messages and rendered in the recipient's
//! language when sent.

use baocao_domain::access::UserId;
use baocao_domain::audit::AuditEvent;
use baocao_domain::unit::UnitId;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use baocao_domain::access::{Permission, Role};
use baocao_domain::report::VIETNAM;
use baocao_domain::Message;
use baocao_store::{mail as store_mail, meta, users as store_users};
use chrono::{NaiveDate, TimeZone, Timelike};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::Body;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::i18n::{self, Lang};
use crate::{App, AppError, AppResult, FieldError};

/// Attempts before an e-mail is given up.
pub const MAX_ATTEMPTS: i64 = 10;
/// E-mails sent per worker step.
const BATCH: i64 = 50;
/// How long a claimed e-mail is left to its sender before another may take it.
const CLAIM_SECONDS: i64 = 300;
/// Review events are read again this far back, in case a transaction that
/// started earlier committed after the previous read (dedup keys keep them single).
const EVENT_OVERLAP_SECONDS: i64 = 600;
/// Instance setting: until when review events were turned into e-mails.
const REVIEW_CURSOR: &str = "mail.review_events_seen_until";
/// Instance setting: the last day whose daily e-mails were queued.
const DAILY_DONE: &str = "mail.daily_queued_for";

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// STARTTLS required (port 587 by default).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465 by default).
    Tls,
    /// Plain text, for a relay on the same machine or network (port 25 by default).
    None,
}

/// The `[smtp]` settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    /// The SMTP server's host name.
    pub host: String,
    /// Its port; by default 587, 465 or 25 after `security`.
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// Login, when the server wants one.
    pub username: Option<String>,
    /// Password (or set `BAOCAO_SMTP_PASSWORD`).
    pub password: Option<String>,
    /// The sender, e.g. `Hệ thống báo cáo <baocao@nghean.gov.vn>`.
    pub from: String,
    /// The address users open the system at, for links in e-mails.
    pub public_url: String,
    /// Hour of the day (Vietnam time, 0–23) from which the daily e-mails go out.
    #[serde(default = "default_daily_hour")]
    pub daily_hour: u32,
    /// A PEM file of extra certificate authorities (a government CA) to trust.
    pub ca_file: Option<PathBuf>,
}

fn default_daily_hour() -> u32 {
    7
}

/// A configured SMTP sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    public_url: String,
    daily_hour: u32,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// A failed delivery: `permanent` when the server refused for good (5xx).
#[derive(Debug, Clone)]
pub struct SendError {
    /// Refused for good; retrying will not help.
    pub permanent: bool,
    /// The server could not be reached or did not answer (no SMTP reply at all).
    pub unreachable: bool,
    /// What went wrong (for the log and the outbox).
    pub detail: String,
}

impl Mailer {
    /// Builds the sender; a bad setting is a message naming it.
    pub fn new(settings: &SmtpSettings) -> Result<Mailer, Message> {
        let bad = |setting: &str, detail: String| {
            Message::new("mail.error.setting")
                .arg("setting", setting)
                .arg("detail", detail)
        };
        let from = Mailbox::from_str(&settings.from).map_err(|e| bad("from", e.to_string()))?;
        if settings.daily_hour > 23 {
            return Err(bad("daily_hour", settings.daily_hour.to_string()));
        }
        let public_url = settings.public_url.trim_end_matches('/').to_string();
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            return Err(bad("public_url", public_url));
        }
        let tls = match settings.security {
            SmtpSecurity::None => Tls::None,
            security => {
                let mut params = TlsParameters::builder(settings.host.clone());
                if let Some(file) = &settings.ca_file {
                    let pem = std::fs::read(file)
                        .map_err(|e| bad("ca_file", format!("{}: {e}", file.display())))?;
                    let cert = Certificate::from_pem(&pem)
                        .map_err(|e| bad("ca_file", format!("{}: {e}", file.display())))?;
                    params = params.add_root_certificate(cert);
                }
                let params = params.build().map_err(|e| bad("ca_file", e.to_string()))?;
                if security == SmtpSecurity::Tls {
                    Tls::Wrapper(params)
                } else {
                    Tls::Required(params)
                }
            }
        };
        let port = settings.port.unwrap_or(match settings.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        });
        let hello = from.email.domain().to_string();
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(port)
            .tls(tls)
            .hello_name(ClientId::Domain(hello))
            .timeout(Some(Duration::from_secs(30)));
        if let Some(user) = &settings.username {
            let password = std::env::var("BAOCAO_SMTP_PASSWORD")
                .ok()
                .or_else(|| settings.password.clone())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            public_url,
            daily_hour: settings.daily_hour,
        })
    }

    /// A fresh Message-ID in the sender's domain (mail filters distrust
    /// messages without one).
    fn message_id(&self) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        format!(
            "<{nanos}.{n}.{}@{}>",
            std::process::id(),
            self.from.email.domain()
        )
    }

    /// Sends one plain-text e-mail.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), SendError> {
        let to = Mailbox::from_str(to).map_err(|e| SendError {
            permanent: true,
            unreachable: false,
            detail: e.to_string(),
        })?;
        let email = lettre::Message::builder()
            .message_id(Some(self.message_id()))
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body_base64(body))
            .map_err(|e| SendError {
                permanent: true,
                unreachable: false,
                detail: e.to_string(),
            })?;
        self.transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| SendError {
                permanent: e.is_permanent(),
                unreachable: !e.is_permanent() && !e.is_transient(),
                detail: e.to_string(),
            })
    }
}

/// The body in base64: Vietnamese text is mostly non-ASCII, and base64 keeps
/// the encoding the same for every e-mail.
fn body_base64(text: String) -> Body {
    match Body::new_with_encoding(text, ContentTransferEncoding::Base64) {
        Ok(body) => body,
        Err(bytes) => Body::new(bytes),
    }
}

/// Checks an e-mail address as typed: `None` for an empty one (no e-mail).
pub fn parse_address(text: &str) -> Result<Option<String>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    // Longer than any address (RFC 5321): refused before parsing, and not
    // echoed back whole.
    let shown: String = text.chars().take(80).collect();
    let refused = || FieldError {
        field: "email",
        message: Message::new("user.error.email").arg("value", &shown),
    };
    if text.len() > 254 {
        return Err(refused());
    }
    match lettre::Address::from_str(text) {
        Ok(address) => Ok(Some(address.to_string())),
        _ => Err(refused()),
    }
}

/// One line of an e-mail: a message and where to open it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Line {
    key: String,
    args: Vec<(String, String)>,
    link: String,
}

impl Line {
    fn new(message: &Message, link: &str) -> Line {
        Line {
            key: message.key.to_string(),
            args: message
                .args
                .iter()
                .map(|(n, v)| ((*n).to_string(), v.clone()))
                .collect(),
            link: link.to_string(),
        }
    }
}

/// What one step of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailStep {
    /// E-mails queued for returns and acceptances.
    pub review_queued: usize,
    /// Daily e-mails queued.
    pub daily_queued: usize,
    /// E-mails the SMTP server took.
    pub sent: usize,
    /// Attempts that failed (retried later or given up).
    pub failed: usize,
}

/// The roles that hear about their unit's reports being returned or accepted.
fn reporting_roles() -> Vec<&'static str> {
    Role::ALL
        .into_iter()
        .filter(|r| r.has(Permission::EnterData) || r.has(Permission::SubmitReport))
        .map(Role::as_str)
        .collect()
}

/// Queues one e-mail (subject key, message, link) to each officer and head
/// of `unit` who has an address, deduplicated by `dedup` and the user (a
/// restart or a second node queues nothing twice); returns how many were new.
pub(crate) async fn queue_to_unit(
    conn: &mut baocao_store::Conn,
    unit: UnitId,
    (subject, message): (&str, &Message),
    link: &str,
    dedup: &str,
    now: i64,
) -> AppResult<usize> {
    let content = serde_json::to_string(&[Line::new(message, link)])
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let mut queued = 0;
    for user in store_mail::recipients_on_unit(conn, unit.get(), &reporting_roles()).await? {
        if store_mail::enqueue(
            conn,
            &format!("{dedup}/{user}"),
            user,
            subject,
            &content,
            now,
        )
        .await?
        {
            queued += 1;
        }
    }
    Ok(queued)
}

impl App {
    /// Sets or clears a user's e-mail address: the user themself or an
    /// administrator who manages them.
    pub async fn set_email(
        &self,
        principal: &baocao_domain::access::Principal,
        user_id: UserId,
        email: &str,
    ) -> AppResult<()> {
        let email = parse_address(email).map_err(|e| AppError::Invalid(vec![e]))?;
        let mut tx = self.store.begin_write().await?;
        if principal.user_id != user_id {
            // An administrator with authority over the user and all its grants;
            // for anyone else the user does not exist.
            self.managed_user(&mut tx, principal, user_id).await?;
        }
        store_users::set_email(&mut tx, user_id, email.as_deref(), crate::now()).await?;
        let event = AuditEvent::EmailSet {
            user: user_id,
            email,
        };
        crate::ledger::record_change(&mut tx, principal, &event).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// Queues an e-mail for each return or acceptance recorded since `since`
    /// to the reporting unit's officers and heads; returns how many were new.
    pub async fn queue_review_emails(&self, since: i64, now: i64) -> AppResult<usize> {
        let mut tx = self.store.begin_write().await?;
        let mut queued = 0;
        for event in store_mail::review_events_since(&mut tx, since).await? {
            let (key, subject) = if event.action == baocao_domain::audit::Action::ReportReturn {
                ("mail.returned", "mail.subject.returned")
            } else {
                ("mail.accepted", "mail.subject.accepted")
            };
            let message = Message::new(key)
                .arg("regime", &event.regime)
                .arg("period", &event.period)
                .arg("reason", event.reason.as_deref().unwrap_or(""));
            queued += queue_to_unit(
                &mut tx,
                UnitId::new(event.unit_id),
                (subject, &message),
                &format!("/reports/{}", event.report_id),
                &format!("review/{}", event.event_id),
                now,
            )
            .await?;
        }
        baocao_store::commit(tx).await?;
        Ok(queued)
    }

    /// Queues each user's notifications of `today` as one e-mail (none when
    /// there is nothing to say); returns how many were new. Queueing the same
    /// day twice queues nothing more.
    pub async fn queue_daily_emails(&self, today: NaiveDate, now: i64) -> AppResult<usize> {
        let mut conn = self.store.conn().await?;
        let users = store_mail::users_with_email(&mut conn).await?;
        drop(conn);
        let mut queued = 0;
        for (user_id, username) in users {
            let mut conn = self.store.conn().await?;
            let principal =
                crate::auth::principal_of(&mut conn, UserId::new(user_id), &username).await?;
            drop(conn);
            let notifications = self.notifications(&principal, today).await?;
            if notifications.is_empty() {
                continue;
            }
            let lines: Vec<Line> = notifications
                .iter()
                .map(|n| Line::new(&n.message, &n.link))
                .collect();
            let content =
                serde_json::to_string(&lines).map_err(|e| AppError::Internal(e.to_string()))?;
            let mut conn = self.store.conn().await?;
            let dedup = format!("daily/{today}/{user_id}");
            if store_mail::enqueue(
                &mut conn,
                &dedup,
                user_id,
                "mail.subject.daily",
                &content,
                now,
            )
            .await?
            {
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// Sends what is due in the outbox; returns (sent, failed attempts).
    pub async fn deliver_emails(&self, mailer: &Mailer, now: i64) -> AppResult<(usize, usize)> {
        let mut conn = self.store.conn().await?;
        let due = store_mail::claim_due(&mut conn, now, BATCH, CLAIM_SECONDS).await?;
        drop(conn);
        let (mut sent, mut failed) = (0, 0);
        for outgoing in due {
            // A batch slowed by timeouts may outlive its claim: an e-mail whose
            // claim ran out is left to whoever claims it next, never sent twice.
            let mut conn = self.store.conn().await?;
            if !store_mail::renew_claim(&mut conn, outgoing.id, crate::now(), CLAIM_SECONDS).await?
            {
                continue;
            }
            drop(conn);
            let lang = Lang::parse(&outgoing.locale).unwrap_or_default();
            let result = match (&outgoing.email, render(lang, mailer, &outgoing)) {
                (None, _) => Err(SendError {
                    permanent: true,
                    unreachable: false,
                    detail: "the user has no e-mail address any more".into(),
                }),
                (Some(_), Err(detail)) => Err(SendError {
                    permanent: true,
                    unreachable: false,
                    detail,
                }),
                (Some(to), Ok((subject, body))) => mailer.send(to, &subject, body).await,
            };
            let mut conn = self.store.conn().await?;
            match result {
                Ok(()) => {
                    store_mail::mark_sent(&mut conn, outgoing.id, crate::now()).await?;
                    sent += 1;
                }
                Err(e) => {
                    let attempts = outgoing.attempts + 1;
                    let retry_at = (!e.permanent && attempts < MAX_ATTEMPTS)
                        .then(|| crate::now() + retry_delay(attempts));
                    tracing::warn!(
                        outbox = outgoing.id,
                        attempts,
                        permanent = e.permanent,
                        error = %e.detail,
                        "e-mail not sent"
                    );
                    store_mail::mark_failed(&mut conn, outgoing.id, &e.detail, retry_at, now)
                        .await?;
                    failed += 1;
                    if e.unreachable {
                        // No server: the rest of the batch waits for its claim to run out
                        // instead of each waiting for a timeout now.
                        break;
                    }
                }
            }
        }
        Ok((sent, failed))
    }

    /// One step of the mail worker at `now`: queue the new review e-mails, the
    /// daily ones once the day's hour has come, and send what is due.
    pub async fn mail_step(&self, mailer: &Mailer, now: i64) -> AppResult<MailStep> {
        let mut step = MailStep::default();
        let mut conn = self.store.conn().await?;
        let cursor = meta::get(&mut conn, REVIEW_CURSOR).await?;
        drop(conn);
        // The first run starts from now: installing SMTP does not mail the past.
        let since = cursor
            .and_then(|c| c.parse::<i64>().ok())
            .map_or(now, |c| c - EVENT_OVERLAP_SECONDS);
        step.review_queued = self.queue_review_emails(since, now).await?;
        let mut conn = self.store.conn().await?;
        meta::set(&mut conn, REVIEW_CURSOR, &now.to_string()).await?;
        let local = VIETNAM
            .timestamp_opt(now, 0)
            .single()
            .ok_or_else(|| AppError::Internal(format!("time {now}")))?;
        let today = local.date_naive();
        let done_for = meta::get(&mut conn, DAILY_DONE).await?;
        drop(conn);
        if local.hour() >= mailer.daily_hour && done_for.as_deref() != Some(&today.to_string()) {
            step.daily_queued = self.queue_daily_emails(today, now).await?;
            let mut conn = self.store.conn().await?;
            meta::set(&mut conn, DAILY_DONE, &today.to_string()).await?;
        }
        (step.sent, step.failed) = self.deliver_emails(mailer, now).await?;
        Ok(step)
    }

    /// How the outbox stands.
    pub async fn mail_summary(&self) -> AppResult<store_mail::OutboxSummary> {
        let mut conn = self.store.conn().await?;
        Ok(store_mail::summary(&mut conn).await?)
    }
}

/// Runs the mail worker in the background: a step every `every`. A failing
/// step (database unavailable) is logged and tried again at the next one.
pub fn spawn_worker(app: App, mailer: Mailer, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match app.mail_step(&mailer, crate::now()).await {
                Ok(step) if step != MailStep::default() => tracing::info!(?step, "mail"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail step failed"),
            }
        }
    })
}

/// Seconds to wait after the n-th failed attempt: 1, 2, 4 … minutes, at most 6 hours.
fn retry_delay(attempts: i64) -> i64 {
    let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (60_i64 << exponent).min(6 * 3600)
}

/// The subject and body of a queued e-mail in the recipient's language.
fn render(
    lang: Lang,
    mailer: &Mailer,
    outgoing: &store_mail::Outgoing,
) -> Result<(String, String), String> {
    let lines: Vec<Line> = serde_json::from_str(&outgoing.content).map_err(|e| e.to_string())?;
    let subject = i18n::t(lang, &outgoing.subject_key);
    let mut body = i18n::t(lang, "mail.greeting");
    body.push_str("\n\n");
    for line in &lines {
        body.push_str("- ");
        body.push_str(&i18n::render_parts(lang, &line.key, &line.args));
        body.push_str("\n  ");
        body.push_str(&mailer.public_url);
        body.push_str(&line.link);
        body.push('\n');
    }
    body.push_str("\n-- \n");
    body.push_str(&i18n::t(lang, "mail.footer"));
    body.push('\n');
    Ok((subject, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_and_empty_means_none() {
        assert_eq!(parse_address("  ").unwrap(), None);
        assert_eq!(
            parse_address(" can.bo@nghean.gov.vn ").unwrap().as_deref(),
            Some("can.bo@nghean.gov.vn")
        );
        for bad in ["no-at-sign", "a@", "@b.vn", "a b@c.vn", "a@b@c.vn"] {
            let e = parse_address(bad).unwrap_err();
            assert_eq!(e.field, "email", "{bad}");
        }
    }

    #[test]
    fn retries_back_off_up_to_six_hours() {
        assert_eq!(retry_delay(1), 60);
        assert_eq!(retry_delay(2), 120);
        assert_eq!(retry_delay(5), 960);
        assert_eq!(retry_delay(9), 15_360);
        assert_eq!(retry_delay(10), 6 * 3600);
        assert_eq!(retry_delay(100), 6 * 3600);
    }

    #[test]
    fn bad_settings_name_the_setting() {
        let settings = SmtpSettings {
            host: "localhost".into(),
            port: None,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "not an address".into(),
            public_url: "https://baocao.example.vn".into(),
            daily_hour: 7,
            ca_file: None,
        };
        let e = Mailer::new(&settings).unwrap_err();
        assert_eq!(e.key, "mail.error.setting");
        assert!(e.args.contains(&("setting", "from".to_string())));
        let e = Mailer::new(&SmtpSettings {
            from: "Báo cáo <baocao@example.vn>".into(),
            public_url: "baocao.example.vn".into(),
            ..settings.clone()
        })
        .unwrap_err();
        assert!(e.args.contains(&("setting", "public_url".to_string())));
        let e = Mailer::new(&SmtpSettings {
            from: "baocao@example.vn".into(),
            daily_hour: 24,
            ..settings.clone()
        })
        .unwrap_err();
        assert!(e.args.contains(&("setting", "daily_hour".to_string())));
        assert!(Mailer::new(&SmtpSettings {
            from: "Báo cáo <baocao@example.vn>".into(),
            ..settings
        })
        .is_ok());
    }
}
