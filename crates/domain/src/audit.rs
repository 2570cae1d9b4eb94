//! What the audit ledger records: one variant per kind of change, the only
//! place where an entry's action, subject and payload are defined.
//!
//! The payload is canonical JSON: an object whose fields come in the order
//! declared here, numbers as JSON numbers, text as UTF-8 without escapes
//! beyond JSON's own, no whitespace. The same event always gives the same bytes.

use chrono::NaiveDate;
use serde::Serialize;

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

#[derive(Serialize)]
struct SignedPayload<'a> {
    signature: i64,
    version: i64,
    kind: &'static str,
    verdict: &'static str,
    signer: &'a str,
    subject: &'a str,
    serial: &'a str,
    issuer: &'a str,
    signed_at: Option<i64>,
    digest: &'a str,
    key: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct AnchorPayload<'a> {
    anchor: i64,
    subject: Option<&'a str>,
}

#[derive(Serialize)]
struct UserCreatedPayload<'a> {
    username: &'a str,
    unit: Option<UnitId>,
    password: &'a str,
}

#[derive(Serialize)]
struct GrantedPayload {
    grant: i64,
    role: &'static str,
    unit: Option<UnitId>,
}

#[derive(Serialize)]
struct RevokedPayload {
    grant: i64,
}

#[derive(Serialize)]
struct PasswordPayload<'a> {
    password: &'a str,
    keep_tokens: bool,
}

#[derive(Serialize)]
struct AddressPayload<'a> {
    address: &'a str,
}

#[derive(Serialize)]
struct ExceptionPayload<'a> {
    kind: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct CalendarBaselinePayload<'a> {
    exceptions: &'a [crate::proof::calendar::Exception],
}

#[derive(Serialize)]
struct DisabledPayload {
    disabled: bool,
}

#[derive(Serialize)]
struct BaselinePayload<'a> {
    accounts: &'a [crate::proof::accounts::BaselineAccount],
}

#[derive(Serialize)]
struct RemindedPayload<'a> {
    regime: &'a str,
    period: &'a str,
    units: Vec<i64>,
}

#[derive(Serialize)]
struct Created<'a> {
    regime: &'a str,
    regime_version: usize,
    unit: UnitId,
    period: &'a str,
    receiver: UnitId,
    deadline: NaiveDate,
}

#[derive(Serialize)]
struct ImportedPayload<'a> {
    regime: &'a str,
    regime_version: usize,
    unit: UnitId,
    period: &'a str,
    receiver: UnitId,
    deadline: NaiveDate,
    version: i64,
    submitted_at: i64,
    accepted_at: i64,
    content: &'a Content,
}

#[derive(Serialize)]
struct SubmittedPayload<'a> {
    version: i64,
    on_time: bool,
    reason: &'a Option<String>,
    content: &'a Content,
}

#[derive(Serialize)]
struct Step<'a, R: Serialize> {
    version: i64,
    reason: &'a R,
}

#[derive(Serialize)]
struct SynthesizedPayload<'a> {
    aggregated: &'a [String],
    expected: usize,
    changed: &'a [(String, Option<String>, String)],
}

#[derive(Serialize)]
struct AttachedPayload<'a> {
    attachment: i64,
    name: &'a str,
    size: usize,
    sha256: &'a str,
}

#[derive(Serialize)]
struct EmailPayload<'a> {
    email: &'a Option<String>,
}

#[derive(Serialize)]
struct TilesPayload<'a> {
    cells: &'a [String],
}

#[derive(Serialize)]
struct BoundariesPayload<'a> {
    units: usize,
    sha256: &'a str,
}

fn json<T: Serialize>(value: &T) -> String {
    // Serializing these plain structs cannot fail (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

impl AuditEvent {
    /// The entry's action, e.g. `report.submit`.
    pub fn action(&self) -> &'static str {
        match self {
            AuditEvent::ReportCreated { .. } => "report.create",
            AuditEvent::DraftSaved { .. } => "report.save",
            AuditEvent::Submitted { .. } => "report.submit",
            AuditEvent::Returned { .. } => "report.return",
            AuditEvent::Accepted { .. } => "report.accept",
            AuditEvent::Imported { .. } => "report.import",
            AuditEvent::Corrected { .. } => "report.correct",
            AuditEvent::Recalled { .. } => "report.recall",
            AuditEvent::Synthesized { .. } => "report.synthesize",
            AuditEvent::Attached { .. } => "report.attach",
            AuditEvent::MetadataApplied { .. } => "metadata.apply",
            AuditEvent::EmailSet { .. } => "user.email",
            AuditEvent::DashboardTilesSet { .. } => "dashboard.tiles",
            AuditEvent::BoundariesLoaded { .. } => "units.boundaries",
            AuditEvent::Reminded { .. } => "report.remind",
            AuditEvent::UserCreated { .. } => "user.create",
            AuditEvent::RoleGranted { .. } => "user.grant",
            AuditEvent::RoleRevoked { .. } => "user.revoke",
            AuditEvent::PasswordSet { .. } => "user.password",
            AuditEvent::DisabledSet { .. } => "user.disable",
            AuditEvent::LoggedIn { .. } => "auth.login",
            AuditEvent::LoginFailed { .. } => "auth.login_failed",
            AuditEvent::AccountsBaseline { .. } => "users.baseline",
            AuditEvent::CalendarExceptionAdded { .. } => "calendar.add",
            AuditEvent::CalendarExceptionRemoved { .. } => "calendar.remove",
            AuditEvent::CalendarBaseline { .. } => "calendar.baseline",
            AuditEvent::UnitsChanged { .. } => "units.change",
            AuditEvent::UnitsBaseline { .. } => "units.baseline",
            AuditEvent::Signed { .. } => "report.sign",
            AuditEvent::AnchorAdded { .. } => "trust.add",
            AuditEvent::AnchorRemoved { .. } => "trust.remove",
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
            | AuditEvent::Attached { report, .. } => format!("report:{report}"),
            AuditEvent::MetadataApplied { .. } => "metadata".to_string(),
            AuditEvent::EmailSet { user, .. }
            | AuditEvent::UserCreated { user, .. }
            | AuditEvent::RoleGranted { user, .. }
            | AuditEvent::RoleRevoked { user, .. }
            | AuditEvent::PasswordSet { user, .. }
            | AuditEvent::DisabledSet { user, .. }
            | AuditEvent::LoggedIn { user, .. } => format!("user:{user}"),
            AuditEvent::LoginFailed { username, .. } => {
                format!("login:{}", username.chars().take(64).collect::<String>())
            }
            AuditEvent::AccountsBaseline { .. } => "users".to_string(),
            AuditEvent::CalendarExceptionAdded { exception } => {
                format!("calendar:{}", exception.day)
            }
            AuditEvent::CalendarExceptionRemoved { day } => format!("calendar:{day}"),
            AuditEvent::CalendarBaseline { .. } => "calendar".to_string(),
            AuditEvent::UnitsChanged { .. } | AuditEvent::UnitsBaseline { .. } => {
                "units".to_string()
            }
            AuditEvent::DashboardTilesSet { unit, .. } => format!("unit:{unit}"),
            AuditEvent::Signed { report, .. } => format!("report:{report}"),
            AuditEvent::AnchorAdded { fingerprint, .. }
            | AuditEvent::AnchorRemoved { fingerprint, .. } => format!("anchor:{fingerprint}"),
            AuditEvent::BoundariesLoaded { level, .. } => format!("level:{level}"),
            AuditEvent::Reminded { receiver, .. } => format!("unit:{receiver}"),
        }
    }

    /// The actions whose entries make a version the accepted one.
    pub const ACCEPTING: [&'static str; 2] = ["report.accept", "report.import"];

    /// The report and version of a stored entry that made a version the
    /// accepted one (an acceptance or an import), read back from its subject
    /// and payload (`None` for any other entry).
    pub fn accepted_in(action: &str, subject: &str, payload: &str) -> Option<(ReportId, i64)> {
        if !Self::ACCEPTING.contains(&action) {
            return None;
        }
        let report: i64 = subject.strip_prefix("report:")?.parse().ok()?;
        let payload: serde_json::Value = serde_json::from_str(payload).ok()?;
        Some((ReportId::new(report), payload.get("version")?.as_i64()?))
    }

    /// The canonical payload.
    pub fn payload(&self) -> String {
        match self {
            AuditEvent::ReportCreated { .. } | AuditEvent::Imported { .. } => {
                self.creation_payload()
            }
            AuditEvent::DraftSaved { content, .. } => json(content),
            AuditEvent::Submitted {
                version,
                on_time,
                reason,
                content,
                ..
            } => json(&SubmittedPayload {
                version: *version,
                on_time: *on_time,
                reason,
                content,
            }),
            AuditEvent::Returned {
                version, reason, ..
            }
            | AuditEvent::Corrected {
                version, reason, ..
            }
            | AuditEvent::Recalled {
                version, reason, ..
            } => json(&Step {
                version: *version,
                reason,
            }),
            AuditEvent::Accepted {
                version, reason, ..
            } => json(&Step {
                version: *version,
                reason,
            }),
            _ => self.other_payload(),
        }
    }
}

impl AuditEvent {
    /// The payload of an entry that brings a report into existence: created
    /// here, or imported from a previous system already accepted.
    fn creation_payload(&self) -> String {
        match self {
            AuditEvent::ReportCreated {
                regime,
                regime_version,
                unit,
                period,
                receiver,
                deadline,
                ..
            } => json(&Created {
                regime,
                regime_version: *regime_version,
                unit: *unit,
                period,
                receiver: *receiver,
                deadline: *deadline,
            }),
            AuditEvent::Imported {
                regime,
                regime_version,
                unit,
                period,
                receiver,
                deadline,
                submitted_at,
                accepted_at,
                content,
                ..
            } => json(&ImportedPayload {
                regime,
                regime_version: *regime_version,
                unit: *unit,
                period,
                receiver: *receiver,
                deadline: *deadline,
                version: 1,
                submitted_at: *submitted_at,
                accepted_at: *accepted_at,
                content,
            }),
            _ => String::new(),
        }
    }

    /// The payload of synthesis, attachments, metadata, users and the
    /// operations centre's settings.
    fn other_payload(&self) -> String {
        match self {
            AuditEvent::Synthesized {
                aggregated,
                expected,
                changed,
                ..
            } => json(&SynthesizedPayload {
                aggregated,
                expected: *expected,
                changed,
            }),
            AuditEvent::Attached {
                attachment,
                name,
                size,
                sha256,
                ..
            } => json(&AttachedPayload {
                attachment: *attachment,
                name,
                size: *size,
                sha256,
            }),
            AuditEvent::MetadataApplied { document } => json(document.as_ref()),
            AuditEvent::EmailSet { email, .. } => json(&EmailPayload { email }),
            AuditEvent::UserCreated {
                username,
                unit,
                password,
                ..
            } => json(&UserCreatedPayload {
                username,
                unit: *unit,
                password,
            }),
            AuditEvent::RoleGranted {
                grant, role, unit, ..
            } => json(&GrantedPayload {
                grant: *grant,
                role: role.as_str(),
                unit: *unit,
            }),
            AuditEvent::RoleRevoked { grant, .. } => json(&RevokedPayload { grant: *grant }),
            AuditEvent::PasswordSet {
                password,
                keep_tokens,
                ..
            } => json(&PasswordPayload {
                password,
                keep_tokens: *keep_tokens,
            }),
            AuditEvent::DisabledSet { disabled, .. } => json(&DisabledPayload {
                disabled: *disabled,
            }),
            AuditEvent::LoggedIn { address, .. } | AuditEvent::LoginFailed { address, .. } => {
                json(&AddressPayload { address })
            }
            AuditEvent::AccountsBaseline { accounts } => json(&BaselinePayload { accounts }),
            AuditEvent::CalendarExceptionAdded { exception } => json(&ExceptionPayload {
                kind: &exception.kind,
                reason: &exception.reason,
            }),
            AuditEvent::CalendarExceptionRemoved { .. } => "{}".to_string(),
            AuditEvent::CalendarBaseline { exceptions } => {
                json(&CalendarBaselinePayload { exceptions })
            }
            AuditEvent::UnitsChanged { snapshot } | AuditEvent::UnitsBaseline { snapshot } => {
                json(snapshot)
            }
            AuditEvent::DashboardTilesSet { cells, .. } => json(&TilesPayload { cells }),
            AuditEvent::Signed {
                signature,
                version,
                kind,
                signer,
                sha256,
                ..
            } => json(&SignedPayload {
                signature: *signature,
                version: *version,
                kind: kind.as_str(),
                verdict: "valid",
                signer: &signer.name,
                subject: &signer.subject,
                serial: &signer.serial,
                issuer: &signer.issuer,
                signed_at: signer.signed_at,
                digest: &signer.digest,
                key: &signer.key,
                sha256,
            }),
            AuditEvent::AnchorAdded {
                anchor, subject, ..
            } => json(&AnchorPayload {
                anchor: *anchor,
                subject: Some(subject),
            }),
            AuditEvent::AnchorRemoved { anchor, .. } => json(&AnchorPayload {
                anchor: *anchor,
                subject: None,
            }),
            AuditEvent::BoundariesLoaded { units, sha256, .. } => json(&BoundariesPayload {
                units: *units,
                sha256,
            }),
            AuditEvent::Reminded {
                regime,
                period,
                units,
                ..
            } => json(&RemindedPayload {
                regime,
                period,
                units: units.iter().map(|u| u.get()).collect(),
            }),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_canonical_and_stable() {
        let e = AuditEvent::Returned {
            report: ReportId::new(7),
            version: 2,
            reason: "Thiếu số liệu \"HC02\"".into(),
        };
        assert_eq!(e.action(), "report.return");
        assert_eq!(e.subject(), "report:7");
        assert_eq!(
            e.payload(),
            r#"{"version":2,"reason":"Thiếu số liệu \"HC02\""}"#
        );
        let mut content = Content::default();
        content.values.insert("HC02".into(), "1234.5".into());
        let s = AuditEvent::Submitted {
            report: ReportId::new(7),
            version: 3,
            on_time: false,
            reason: None,
            content,
        };
        assert_eq!(
            s.payload(),
            r#"{"version":3,"on_time":false,"reason":null,"content":{"values":{"HC02":"1234.5"},"sections":{}}}"#
        );
        assert_eq!(s.payload(), s.clone().payload());
    }

    #[test]
    fn the_operations_centre_settings_are_recorded() {
        let tiles = AuditEvent::DashboardTilesSet {
            unit: UnitId::new(40),
            cells: vec!["TT01".into(), "LD01/sex:female".into()],
        };
        assert_eq!(tiles.action(), "dashboard.tiles");
        assert_eq!(tiles.subject(), "unit:40");
        assert_eq!(tiles.payload(), r#"{"cells":["TT01","LD01/sex:female"]}"#);
        let shapes = AuditEvent::BoundariesLoaded {
            level: "commune".into(),
            units: 130,
            sha256: "ab".into(),
        };
        assert_eq!(
            (shapes.action(), shapes.subject()),
            ("units.boundaries", "level:commune".to_string())
        );
        assert_eq!(shapes.payload(), r#"{"units":130,"sha256":"ab"}"#);
        let reminded = AuditEvent::Reminded {
            receiver: UnitId::new(412),
            regime: "BC-LD".into(),
            period: "2025M03".into(),
            units: vec![UnitId::new(7), UnitId::new(9)],
        };
        assert_eq!(
            (reminded.action(), reminded.subject()),
            ("report.remind", "unit:412".to_string())
        );
        assert_eq!(
            reminded.payload(),
            r#"{"regime":"BC-LD","period":"2025M03","units":[7,9]}"#
        );
    }
}
