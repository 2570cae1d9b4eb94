//! What the audit ledger records: one variant per kind of change, the only
//! place where an entry's action, subject and payload are defined.
//!
//! The payload is canonical JSON: an object whose fields come in the order
//! declared in `payload`, numbers as JSON numbers, text as UTF-8 without
//! escapes beyond JSON's own, no whitespace. The same event always gives the
//! same bytes, and [`AuditEvent::decode`] reads them back with the same
//! types ([`Action`] is the one list of the actions' names).

use chrono::NaiveDate;
use serde::Serialize;

mod payload;

use crate::access::UserId;
use crate::catalogue::Metadata;
use crate::report::{Content, ReportId};
use crate::unit::UnitId;

/// A change the ledger records.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditEvent {
    /// A report was opened (its empty draft made).
    ReportCreated {
        /// The report.
        report: ReportId,
        /// Regime code.
        regime: String,
        /// The regime version it is made with (1-based).
        regime_version: usize,
        /// Reporting unit.
        unit: UnitId,
        /// Period id.
        period: String,
        /// Receiving unit.
        receiver: UnitId,
        /// Deadline.
        deadline: NaiveDate,
    },
    /// The working copy was saved (typed, uploaded or synthesized).
    DraftSaved {
        /// The report.
        report: ReportId,
        /// The whole working copy as saved.
        content: Content,
    },
    /// The working copy was submitted as a new version.
    Submitted {
        /// The report.
        report: ReportId,
        /// The version made.
        version: i64,
        /// Whether it met the deadline.
        on_time: bool,
        /// The reason of a correction or recall it answers.
        reason: Option<String>,
        /// The frozen content.
        content: Content,
    },
    /// The receiving unit sent it back.
    Returned {
        /// The report.
        report: ReportId,
        /// The version returned.
        version: i64,
        /// Why.
        reason: String,
    },
    /// The receiving unit accepted it.
    Accepted {
        /// The report.
        report: ReportId,
        /// The version accepted.
        version: i64,
        /// A note, if any.
        reason: Option<String>,
    },
    /// The reporting unit reopened an accepted report to correct it.
    Corrected {
        /// The report.
        report: ReportId,
        /// The accepted version it corrects.
        version: i64,
        /// Why.
        reason: String,
    },
    /// The reporting unit withdrew a submission before review.
    Recalled {
        /// The report.
        report: ReportId,
        /// The version withdrawn.
        version: i64,
        /// Why.
        reason: String,
    },
    /// A report accepted in a previous system, imported with its history:
    /// created, submitted and accepted as version 1 at the times given.
    Imported {
        /// The report.
        report: ReportId,
        /// Regime code.
        regime: String,
        /// The regime version it is placed with (1-based).
        regime_version: usize,
        /// Reporting unit.
        unit: UnitId,
        /// Period id.
        period: String,
        /// Receiving unit.
        receiver: UnitId,
        /// Deadline.
        deadline: NaiveDate,
        /// When it was submitted (unix seconds).
        submitted_at: i64,
        /// When it was accepted (unix seconds).
        accepted_at: i64,
        /// The accepted content.
        content: Content,
    },
    /// The draft was filled from the accepted reports of the units below.
    Synthesized {
        /// The report.
        report: ReportId,
        /// Names of the units aggregated.
        aggregated: Vec<String>,
        /// How many units were expected.
        expected: usize,
        /// Cells changed: (cell, before, after).
        changed: Vec<(String, Option<String>, String)>,
    },
    /// A file was attached to the draft.
    Attached {
        /// The report.
        report: ReportId,
        /// The attachment's id.
        attachment: i64,
        /// File name.
        name: String,
        /// Size in bytes.
        size: usize,
        /// SHA-256 (hex).
        sha256: String,
    },
    /// The catalogue document was applied.
    MetadataApplied {
        /// The document as applied.
        document: Box<Metadata>,
    },
    /// A user's e-mail address was set or cleared.
    EmailSet {
        /// Whose.
        user: UserId,
        /// The address, `None` when cleared.
        email: Option<String>,
    },
    /// The tiles of a unit's dashboard were chosen, in order (none: back to
    /// the default set).
    DashboardTilesSet {
        /// The unit whose dashboard it is.
        unit: UnitId,
        /// Cell keys, in the order shown.
        cells: Vec<String>,
    },
    /// Boundaries (GeoJSON) of the units of a level were loaded for maps,
    /// replacing those loaded before.
    BoundariesLoaded {
        /// The level (`province`, `commune`, …).
        level: String,
        /// How many units got a boundary.
        units: usize,
        /// SHA-256 of the file loaded (hex).
        sha256: String,
    },
    /// A user account was made.
    UserCreated {
        /// The user.
        user: UserId,
        /// Login name.
        username: String,
        /// The unit the user works at.
        unit: Option<UnitId>,
        /// Digest of the stored password hash (`proof::accounts::password_digest`).
        password: String,
    },
    /// A role was granted.
    RoleGranted {
        /// To whom.
        user: UserId,
        /// The grant's id.
        grant: i64,
        /// The role.
        role: crate::access::Role,
        /// Where (`None`: the whole system).
        unit: Option<UnitId>,
    },
    /// A grant was removed.
    RoleRevoked {
        /// From whom.
        user: UserId,
        /// The grant's id.
        grant: i64,
    },
    /// A password was set (by its owner or reset by an administrator).
    PasswordSet {
        /// Whose.
        user: UserId,
        /// Digest of the new stored hash.
        password: String,
        /// Whether the user's API tokens were kept.
        keep_tokens: bool,
    },
    /// An account was locked or unlocked.
    DisabledSet {
        /// Whose.
        user: UserId,
        /// Locked.
        disabled: bool,
    },
    /// Someone logged in.
    LoggedIn {
        /// Who.
        user: UserId,
        /// From which address.
        address: String,
    },
    /// A login was refused (wrong password, unknown or locked account).
    LoginFailed {
        /// The login name typed (at most 64 characters kept).
        username: String,
        /// From which address.
        address: String,
    },
    /// The accounts as they stood when the ledger began to record them
    /// (databases made before 2026-12), written once.
    AccountsBaseline {
        /// Every account with its grants.
        accounts: Vec<crate::proof::accounts::BaselineAccount>,
    },
    /// A work-calendar exception was added.
    CalendarExceptionAdded {
        /// The date, its kind and reason.
        exception: crate::proof::calendar::Exception,
    },
    /// A work-calendar exception was removed.
    CalendarExceptionRemoved {
        /// The date.
        day: NaiveDate,
    },
    /// The calendar's exceptions as they stood when the ledger began to
    /// record them (databases made before 2026-12), written once.
    CalendarBaseline {
        /// Every exception.
        exceptions: Vec<crate::proof::calendar::Exception>,
    },
    /// Units or reorganisation events were imported or added: the digest of
    /// each as it stands after the change (an import records all of them).
    UnitsChanged {
        /// The units and events recorded.
        snapshot: crate::proof::units::UnitsSnapshot,
    },
    /// The unit tree as it stood when the ledger began to record it
    /// (databases made before 2026-12), written once.
    UnitsBaseline {
        /// Every unit and event.
        snapshot: crate::proof::units::UnitsSnapshot,
    },
    /// A valid digital signature of a version was recorded.
    Signed {
        /// The report.
        report: ReportId,
        /// The signature's id.
        signature: i64,
        /// The version signed.
        version: i64,
        /// How it came.
        kind: crate::signature::SignatureKind,
        /// What the verification found.
        signer: crate::signature::Signer,
        /// SHA-256 of the uploaded file (hex).
        sha256: String,
    },
    /// An administrator trusted a CA certificate.
    AnchorAdded {
        /// Its id.
        anchor: i64,
        /// SHA-256 of its DER (hex).
        fingerprint: String,
        /// Its subject.
        subject: String,
    },
    /// An administrator stopped trusting a CA certificate.
    AnchorRemoved {
        /// Its id.
        anchor: i64,
        /// SHA-256 of its DER (hex).
        fingerprint: String,
    },
    /// The receiving unit reminded the units that had not sent a report.
    Reminded {
        /// The receiving unit.
        receiver: UnitId,
        /// Regime code.
        regime: String,
        /// Period id.
        period: String,
        /// The units reminded.
        units: Vec<UnitId>,
    },
}

/// The name of what an entry records: its `action` column. This enum is the
/// only place the names are spelled; everything else (the workflow's events,
/// queries that pick entries, the pages) goes through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// [`AuditEvent::ReportCreated`].
    ReportCreate,
    /// [`AuditEvent::DraftSaved`].
    ReportSave,
    /// [`AuditEvent::Submitted`].
    ReportSubmit,
    /// [`AuditEvent::Returned`].
    ReportReturn,
    /// [`AuditEvent::Accepted`].
    ReportAccept,
    /// [`AuditEvent::Imported`].
    ReportImport,
    /// [`AuditEvent::Corrected`].
    ReportCorrect,
    /// [`AuditEvent::Recalled`].
    ReportRecall,
    /// [`AuditEvent::Synthesized`].
    ReportSynthesize,
    /// [`AuditEvent::Attached`].
    ReportAttach,
    /// [`AuditEvent::Signed`].
    ReportSign,
    /// [`AuditEvent::Reminded`].
    ReportRemind,
    /// [`AuditEvent::MetadataApplied`].
    MetadataApply,
    /// [`AuditEvent::UserCreated`].
    UserCreate,
    /// [`AuditEvent::RoleGranted`].
    UserGrant,
    /// [`AuditEvent::RoleRevoked`].
    UserRevoke,
    /// [`AuditEvent::PasswordSet`].
    UserPassword,
    /// [`AuditEvent::DisabledSet`].
    UserDisable,
    /// [`AuditEvent::EmailSet`].
    UserEmail,
    /// [`AuditEvent::LoggedIn`].
    AuthLogin,
    /// [`AuditEvent::LoginFailed`].
    AuthLoginFailed,
    /// [`AuditEvent::AccountsBaseline`].
    UsersBaseline,
    /// [`AuditEvent::CalendarExceptionAdded`].
    CalendarAdd,
    /// [`AuditEvent::CalendarExceptionRemoved`].
    CalendarRemove,
    /// [`AuditEvent::CalendarBaseline`].
    CalendarBaseline,
    /// [`AuditEvent::UnitsChanged`].
    UnitsChange,
    /// [`AuditEvent::UnitsBaseline`].
    UnitsBaseline,
    /// [`AuditEvent::BoundariesLoaded`].
    UnitsBoundaries,
    /// [`AuditEvent::DashboardTilesSet`].
    DashboardTiles,
    /// [`AuditEvent::AnchorAdded`].
    TrustAdd,
    /// [`AuditEvent::AnchorRemoved`].
    TrustRemove,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 31] = [
        Action::ReportCreate,
        Action::ReportSave,
        Action::ReportSubmit,
        Action::ReportReturn,
        Action::ReportAccept,
        Action::ReportImport,
        Action::ReportCorrect,
        Action::ReportRecall,
        Action::ReportSynthesize,
        Action::ReportAttach,
        Action::ReportSign,
        Action::ReportRemind,
        Action::MetadataApply,
        Action::UserCreate,
        Action::UserGrant,
        Action::UserRevoke,
        Action::UserPassword,
        Action::UserDisable,
        Action::UserEmail,
        Action::AuthLogin,
        Action::AuthLoginFailed,
        Action::UsersBaseline,
        Action::CalendarAdd,
        Action::CalendarRemove,
        Action::CalendarBaseline,
        Action::UnitsChange,
        Action::UnitsBaseline,
        Action::UnitsBoundaries,
        Action::DashboardTiles,
        Action::TrustAdd,
        Action::TrustRemove,
    ];

    /// The stored name, e.g. `report.submit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ReportCreate => "report.create",
            Action::ReportSave => "report.save",
            Action::ReportSubmit => "report.submit",
            Action::ReportReturn => "report.return",
            Action::ReportAccept => "report.accept",
            Action::ReportImport => "report.import",
            Action::ReportCorrect => "report.correct",
            Action::ReportRecall => "report.recall",
            Action::ReportSynthesize => "report.synthesize",
            Action::ReportAttach => "report.attach",
            Action::ReportSign => "report.sign",
            Action::ReportRemind => "report.remind",
            Action::MetadataApply => "metadata.apply",
            Action::UserCreate => "user.create",
            Action::UserGrant => "user.grant",
            Action::UserRevoke => "user.revoke",
            Action::UserPassword => "user.password",
            Action::UserDisable => "user.disable",
            Action::UserEmail => "user.email",
            Action::AuthLogin => "auth.login",
            Action::AuthLoginFailed => "auth.login_failed",
            Action::UsersBaseline => "users.baseline",
            Action::CalendarAdd => "calendar.add",
            Action::CalendarRemove => "calendar.remove",
            Action::CalendarBaseline => "calendar.baseline",
            Action::UnitsChange => "units.change",
            Action::UnitsBaseline => "units.baseline",
            Action::UnitsBoundaries => "units.boundaries",
            Action::DashboardTiles => "dashboard.tiles",
            Action::TrustAdd => "trust.add",
            Action::TrustRemove => "trust.remove",
        }
    }

    /// From the stored name (`None` for a name no version of the software wrote).
    pub fn parse(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// The last part of the name (`submit` for `report.submit`), for the
    /// catalogue keys that name it (`report.event.submit`).
    pub fn verb(self) -> &'static str {
        let name = self.as_str();
        name.split_once('.').map_or(name, |(_, verb)| verb)
    }

    /// Whether its entry makes a version the accepted one (an acceptance, or
    /// an import of a report accepted in a previous system).
    pub fn accepts(self) -> bool {
        matches!(self, Action::ReportAccept | Action::ReportImport)
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl AuditEvent {
    /// The entry's action.
    pub fn action(&self) -> Action {
        match self {
            AuditEvent::ReportCreated { .. } => Action::ReportCreate,
            AuditEvent::DraftSaved { .. } => Action::ReportSave,
            AuditEvent::Submitted { .. } => Action::ReportSubmit,
            AuditEvent::Returned { .. } => Action::ReportReturn,
            AuditEvent::Accepted { .. } => Action::ReportAccept,
            AuditEvent::Imported { .. } => Action::ReportImport,
            AuditEvent::Corrected { .. } => Action::ReportCorrect,
            AuditEvent::Recalled { .. } => Action::ReportRecall,
            AuditEvent::Synthesized { .. } => Action::ReportSynthesize,
            AuditEvent::Attached { .. } => Action::ReportAttach,
            AuditEvent::MetadataApplied { .. } => Action::MetadataApply,
            AuditEvent::EmailSet { .. } => Action::UserEmail,
            AuditEvent::DashboardTilesSet { .. } => Action::DashboardTiles,
            AuditEvent::BoundariesLoaded { .. } => Action::UnitsBoundaries,
            AuditEvent::Reminded { .. } => Action::ReportRemind,
            AuditEvent::UserCreated { .. } => Action::UserCreate,
            AuditEvent::RoleGranted { .. } => Action::UserGrant,
            AuditEvent::RoleRevoked { .. } => Action::UserRevoke,
            AuditEvent::PasswordSet { .. } => Action::UserPassword,
            AuditEvent::DisabledSet { .. } => Action::UserDisable,
            AuditEvent::LoggedIn { .. } => Action::AuthLogin,
            AuditEvent::LoginFailed { .. } => Action::AuthLoginFailed,
            AuditEvent::AccountsBaseline { .. } => Action::UsersBaseline,
            AuditEvent::CalendarExceptionAdded { .. } => Action::CalendarAdd,
            AuditEvent::CalendarExceptionRemoved { .. } => Action::CalendarRemove,
            AuditEvent::CalendarBaseline { .. } => Action::CalendarBaseline,
            AuditEvent::UnitsChanged { .. } => Action::UnitsChange,
            AuditEvent::UnitsBaseline { .. } => Action::UnitsBaseline,
            AuditEvent::Signed { .. } => Action::ReportSign,
            AuditEvent::AnchorAdded { .. } => Action::TrustAdd,
            AuditEvent::AnchorRemoved { .. } => Action::TrustRemove,
        }
    }

    /// What the entry is about, e.g. `report:42`.
    pub fn subject(&self) -> String {
        match self {
            AuditEvent::ReportCreated { report, .. }
            | AuditEvent::DraftSaved { report, .. }
            | AuditEvent::Submitted { report, .. }
            | AuditEvent::Returned { report, .. }
            | AuditEvent::Accepted { report, .. }
            | AuditEvent::Imported { report, .. }
            | AuditEvent::Corrected { report, .. }
            | AuditEvent::Recalled { report, .. }
            | AuditEvent::Synthesized { report, .. }
            | AuditEvent::Attached { report, .. }
            | AuditEvent::Signed { report, .. } => format!("{}{report}", subject::REPORT),
            AuditEvent::MetadataApplied { .. } => subject::METADATA.to_string(),
            AuditEvent::EmailSet { user, .. }
            | AuditEvent::UserCreated { user, .. }
            | AuditEvent::RoleGranted { user, .. }
            | AuditEvent::RoleRevoked { user, .. }
            | AuditEvent::PasswordSet { user, .. }
            | AuditEvent::DisabledSet { user, .. }
            | AuditEvent::LoggedIn { user, .. } => format!("{}{user}", subject::USER),
            AuditEvent::LoginFailed { username, .. } => {
                format!("{}{}", subject::LOGIN, subject::login_name(username))
            }
            AuditEvent::AccountsBaseline { .. } => subject::USERS.to_string(),
            AuditEvent::CalendarExceptionAdded { exception } => {
                format!("{}{}", subject::CALENDAR_DAY, exception.day)
            }
            AuditEvent::CalendarExceptionRemoved { day } => {
                format!("{}{day}", subject::CALENDAR_DAY)
            }
            AuditEvent::CalendarBaseline { .. } => subject::CALENDAR.to_string(),
            AuditEvent::UnitsChanged { .. } | AuditEvent::UnitsBaseline { .. } => {
                subject::UNITS.to_string()
            }
            AuditEvent::DashboardTilesSet { unit, .. } => format!("{}{unit}", subject::UNIT),
            AuditEvent::Reminded { receiver, .. } => format!("{}{receiver}", subject::UNIT),
            AuditEvent::AnchorAdded { fingerprint, .. }
            | AuditEvent::AnchorRemoved { fingerprint, .. } => {
                format!("{}{fingerprint}", subject::ANCHOR)
            }
            AuditEvent::BoundariesLoaded { level, .. } => format!("{}{level}", subject::LEVEL),
        }
    }

    /// The report the entry is about, for the entries about one.
    pub fn report(&self) -> Option<ReportId> {
        match self {
            AuditEvent::ReportCreated { report, .. }
            | AuditEvent::DraftSaved { report, .. }
            | AuditEvent::Submitted { report, .. }
            | AuditEvent::Returned { report, .. }
            | AuditEvent::Accepted { report, .. }
            | AuditEvent::Imported { report, .. }
            | AuditEvent::Corrected { report, .. }
            | AuditEvent::Recalled { report, .. }
            | AuditEvent::Synthesized { report, .. }
            | AuditEvent::Attached { report, .. }
            | AuditEvent::Signed { report, .. } => Some(*report),
            _ => None,
        }
    }

    /// The version a workflow entry or a signature concerns (an import
    /// makes version 1).
    pub fn version(&self) -> Option<i64> {
        match self {
            AuditEvent::Submitted { version, .. }
            | AuditEvent::Returned { version, .. }
            | AuditEvent::Accepted { version, .. }
            | AuditEvent::Corrected { version, .. }
            | AuditEvent::Recalled { version, .. }
            | AuditEvent::Signed { version, .. } => Some(*version),
            AuditEvent::Imported { .. } => Some(1),
            _ => None,
        }
    }

    /// The reason a workflow entry gives, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            AuditEvent::Returned { reason, .. }
            | AuditEvent::Corrected { reason, .. }
            | AuditEvent::Recalled { reason, .. } => Some(reason),
            AuditEvent::Submitted { reason, .. } | AuditEvent::Accepted { reason, .. } => {
                reason.as_deref()
            }
            _ => None,
        }
    }

    /// The report and version an entry made the accepted one (an acceptance
    /// or an import).
    pub fn accepted_version(&self) -> Option<(ReportId, i64)> {
        match self {
            AuditEvent::Accepted {
                report, version, ..
            } => Some((*report, *version)),
            AuditEvent::Imported { report, .. } => Some((*report, 1)),
            _ => None,
        }
    }

    /// The canonical payload (see [`payload`]).
    pub fn payload(&self) -> String {
        payload::encode(self)
    }

    /// The event a stored entry records: the same types read it back that
    /// wrote it, so a payload that no longer reads as its action wrote it
    /// (a field renamed, added or removed, a subject of another kind) is an
    /// error, never a silently smaller event.
    pub fn decode(action: &str, subject: &str, payload: &str) -> Result<AuditEvent, DecodeError> {
        let action = Action::parse(action).ok_or(DecodeError::UnknownAction)?;
        payload::decode(action, subject, payload)
    }
}

/// Why a stored entry does not read as an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// No version of the software writes this action.
    UnknownAction,
    /// The subject is not of the kind the action is about.
    Subject,
    /// The payload is not what the action writes (the parser's detail).
    Payload(String),
}

impl DecodeError {
    /// Its catalogue key.
    pub fn key(&self) -> &'static str {
        match self {
            DecodeError::UnknownAction => "audit.unreadable_action",
            DecodeError::Subject => "audit.unreadable_subject",
            DecodeError::Payload(_) => "audit.unreadable_payload",
        }
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnknownAction => f.write_str("unknown action"),
            DecodeError::Subject => f.write_str("subject of another kind"),
            DecodeError::Payload(detail) => write!(f, "payload: {detail}"),
        }
    }
}

/// The subjects' prefixes, and reading them back.
pub mod subject {
    use crate::report::ReportId;

    /// `report:42`.
    pub const REPORT: &str = "report:";
    /// `user:12`.
    pub const USER: &str = "user:";
    /// `login:name` (a refused login, by the name typed).
    pub const LOGIN: &str = "login:";
    /// `unit:40`.
    pub const UNIT: &str = "unit:";
    /// `calendar:2026-09-02`.
    pub const CALENDAR_DAY: &str = "calendar:";
    /// `anchor:FINGERPRINT`.
    pub const ANCHOR: &str = "anchor:";
    /// `level:commune`.
    pub const LEVEL: &str = "level:";
    /// The catalogue.
    pub const METADATA: &str = "metadata";
    /// Every account.
    pub const USERS: &str = "users";
    /// The whole calendar.
    pub const CALENDAR: &str = "calendar";
    /// The unit tree.
    pub const UNITS: &str = "units";

    /// At most this many characters of a typed login name are kept.
    pub const LOGIN_NAME_CHARS: usize = 64;

    /// The part of a typed login name a subject keeps.
    pub fn login_name(typed: &str) -> String {
        typed.chars().take(LOGIN_NAME_CHARS).collect()
    }

    /// The subject of report `id`.
    pub fn of_report(id: ReportId) -> String {
        format!("{REPORT}{id}")
    }

    /// The report of a subject `report:42`.
    pub fn report(subject: &str) -> Option<ReportId> {
        subject
            .strip_prefix(REPORT)?
            .parse::<i64>()
            .ok()
            .map(ReportId::new)
    }
}

#[cfg(test)]
mod tests;
