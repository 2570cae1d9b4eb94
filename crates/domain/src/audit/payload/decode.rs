//! Reading a stored entry back as the event it records, with the payload
//! types of the parent module.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::super::{subject, Action, AuditEvent, DecodeError};
use super::*;
use crate::access::{Role, UserId};
use crate::catalogue::Metadata;
use crate::proof::calendar::Exception;
use crate::proof::units::UnitsSnapshot;
use crate::report::ReportId;
use crate::signature::{SignatureKind, Signer};
use crate::unit::UnitId;

fn read<T: DeserializeOwned>(payload: &str) -> Result<T, DecodeError> {
    serde_json::from_str(payload).map_err(|e| DecodeError::Payload(e.to_string()))
}

/// What follows `prefix` in `subject`.
fn after<'s>(subject: &'s str, prefix: &str) -> Result<&'s str, DecodeError> {
    subject.strip_prefix(prefix).ok_or(DecodeError::Subject)
}

/// The id after `prefix` (`report:42`, `user:12`, `unit:40`).
fn id_after(subject: &str, prefix: &str) -> Result<i64, DecodeError> {
    after(subject, prefix)?
        .parse()
        .map_err(|_| DecodeError::Subject)
}

/// Exactly `subject`, for the entries about a whole table.
fn exactly(subject: &str, expected: &str) -> Result<(), DecodeError> {
    if subject == expected {
        Ok(())
    } else {
        Err(DecodeError::Subject)
    }
}

/// The event of an entry with `action`, `subject` and `payload`.
pub(in crate::audit) fn decode(
    action: Action,
    subject: &str,
    payload: &str,
) -> Result<AuditEvent, DecodeError> {
    match action {
        Action::ReportCreate
        | Action::ReportImport
        | Action::ReportSave
        | Action::ReportSubmit
        | Action::ReportReturn
        | Action::ReportAccept
        | Action::ReportCorrect
        | Action::ReportRecall => {
            let report = ReportId::new(id_after(subject, subject::REPORT)?);
            decode_workflow(action, report, payload)
        }
        Action::ReportSynthesize | Action::ReportAttach | Action::ReportSign => {
            let report = ReportId::new(id_after(subject, subject::REPORT)?);
            decode_report_files(action, report, payload)
        }
        Action::ReportRemind => {
            let p: RemindedPayload = read(payload)?;
            Ok(AuditEvent::Reminded {
                receiver: UnitId::new(id_after(subject, subject::UNIT)?),
                regime: p.regime.into_owned(),
                period: p.period.into_owned(),
                units: p.units,
            })
        }
        Action::MetadataApply => {
            exactly(subject, subject::METADATA)?;
            Ok(AuditEvent::MetadataApplied {
                document: Box::new(read::<Metadata>(payload)?),
            })
        }
        Action::UserCreate
        | Action::UserGrant
        | Action::UserRevoke
        | Action::UserPassword
        | Action::UserDisable
        | Action::UserEmail
        | Action::AuthLogin => {
            let user = UserId::new(id_after(subject, subject::USER)?);
            decode_account(action, user, payload)
        }
        _ => decode_places(action, subject, payload),
    }
}

/// A report's creation, import, saves and workflow steps.
fn decode_workflow(
    action: Action,
    report: ReportId,
    payload: &str,
) -> Result<AuditEvent, DecodeError> {
    Ok(match action {
        Action::ReportCreate => {
            let p: Created = read(payload)?;
            AuditEvent::ReportCreated {
                report,
                regime: p.regime.into_owned(),
                regime_version: p.regime_version,
                unit: p.unit,
                period: p.period.into_owned(),
                receiver: p.receiver,
                deadline: p.deadline,
            }
        }
        Action::ReportImport => {
            let p: ImportedPayload = read(payload)?;
            if p.version != 1 {
                return Err(DecodeError::Payload(format!("version {}", p.version)));
            }
            AuditEvent::Imported {
                report,
                regime: p.regime.into_owned(),
                regime_version: p.regime_version,
                unit: p.unit,
                period: p.period.into_owned(),
                receiver: p.receiver,
                deadline: p.deadline,
                submitted_at: p.submitted_at,
                accepted_at: p.accepted_at,
                content: p.content.into_owned(),
            }
        }
        Action::ReportSave => AuditEvent::DraftSaved {
            report,
            content: read(payload)?,
        },
        Action::ReportSubmit => {
            let p: SubmittedPayload = read(payload)?;
            AuditEvent::Submitted {
                report,
                version: p.version,
                on_time: p.on_time,
                reason: p.reason.map(Cow::into_owned),
                content: p.content.into_owned(),
            }
        }
        Action::ReportAccept => {
            let p: Step<Option<String>> = read(payload)?;
            AuditEvent::Accepted {
                report,
                version: p.version,
                reason: p.reason,
            }
        }
        _ => {
            let p: Step<String> = read(payload)?;
            let (version, reason) = (p.version, p.reason);
            match action {
                Action::ReportReturn => AuditEvent::Returned {
                    report,
                    version,
                    reason,
                },
                Action::ReportCorrect => AuditEvent::Corrected {
                    report,
                    version,
                    reason,
                },
                _ => AuditEvent::Recalled {
                    report,
                    version,
                    reason,
                },
            }
        }
    })
}

/// A report's synthesis, attachments and signatures.
fn decode_report_files(
    action: Action,
    report: ReportId,
    payload: &str,
) -> Result<AuditEvent, DecodeError> {
    Ok(match action {
        Action::ReportSynthesize => {
            let p: SynthesizedPayload = read(payload)?;
            AuditEvent::Synthesized {
                report,
                aggregated: p.aggregated.into_owned(),
                expected: p.expected,
                changed: p.changed.into_owned(),
            }
        }
        Action::ReportAttach => {
            let p: AttachedPayload = read(payload)?;
            AuditEvent::Attached {
                report,
                attachment: p.attachment,
                name: p.name.into_owned(),
                size: p.size,
                sha256: p.sha256.into_owned(),
            }
        }
        _ => {
            let p: SignedPayload = read(payload)?;
            if p.verdict != VALID {
                return Err(DecodeError::Payload(format!("verdict {}", p.verdict)));
            }
            let kind = SignatureKind::parse(&p.kind)
                .ok_or_else(|| DecodeError::Payload(format!("kind {}", p.kind)))?;
            AuditEvent::Signed {
                report,
                signature: p.signature,
                version: p.version,
                kind,
                signer: Signer {
                    name: p.signer.into_owned(),
                    subject: p.subject.into_owned(),
                    serial: p.serial.into_owned(),
                    issuer: p.issuer.into_owned(),
                    signed_at: p.signed_at,
                    digest: p.digest.into_owned(),
                    key: p.key.into_owned(),
                },
                sha256: p.sha256.into_owned(),
            }
        }
    })
}

/// The entries about one account.
fn decode_account(action: Action, user: UserId, payload: &str) -> Result<AuditEvent, DecodeError> {
    Ok(match action {
        Action::UserCreate => {
            let p: UserCreatedPayload = read(payload)?;
            AuditEvent::UserCreated {
                user,
                username: p.username.into_owned(),
                unit: p.unit,
                password: p.password.into_owned(),
            }
        }
        Action::UserGrant => {
            let p: GrantedPayload = read(payload)?;
            let role = Role::parse(&p.role)
                .map_err(|_| DecodeError::Payload(format!("role {}", p.role)))?;
            AuditEvent::RoleGranted {
                user,
                grant: p.grant,
                role,
                unit: p.unit,
            }
        }
        Action::UserRevoke => AuditEvent::RoleRevoked {
            user,
            grant: read::<RevokedPayload>(payload)?.grant,
        },
        Action::UserPassword => {
            let p: PasswordPayload = read(payload)?;
            AuditEvent::PasswordSet {
                user,
                password: p.password.into_owned(),
                keep_tokens: p.keep_tokens,
            }
        }
        Action::UserDisable => AuditEvent::DisabledSet {
            user,
            disabled: read::<DisabledPayload>(payload)?.disabled,
        },
        Action::UserEmail => AuditEvent::EmailSet {
            user,
            email: read::<EmailPayload>(payload)?.email.map(Cow::into_owned),
        },
        _ => AuditEvent::LoggedIn {
            user,
            address: read::<AddressPayload>(payload)?.address.into_owned(),
        },
    })
}

/// Refused logins, baselines, the calendar, the unit tree, dashboards and
/// trust anchors.
fn decode_places(action: Action, subject: &str, payload: &str) -> Result<AuditEvent, DecodeError> {
    Ok(match action {
        Action::AuthLoginFailed => AuditEvent::LoginFailed {
            username: after(subject, subject::LOGIN)?.to_string(),
            address: read::<AddressPayload>(payload)?.address.into_owned(),
        },
        Action::UsersBaseline => {
            exactly(subject, subject::USERS)?;
            AuditEvent::AccountsBaseline {
                accounts: read::<BaselinePayload>(payload)?.accounts.into_owned(),
            }
        }
        Action::CalendarAdd => {
            let p: ExceptionPayload = read(payload)?;
            AuditEvent::CalendarExceptionAdded {
                exception: Exception {
                    day: calendar_day(subject)?,
                    kind: p.kind.into_owned(),
                    reason: p.reason.into_owned(),
                },
            }
        }
        Action::CalendarRemove => {
            read::<Empty>(payload)?;
            AuditEvent::CalendarExceptionRemoved {
                day: calendar_day(subject)?,
            }
        }
        Action::CalendarBaseline => {
            exactly(subject, subject::CALENDAR)?;
            AuditEvent::CalendarBaseline {
                exceptions: read::<CalendarBaselinePayload>(payload)?
                    .exceptions
                    .into_owned(),
            }
        }
        Action::UnitsChange | Action::UnitsBaseline => {
            exactly(subject, subject::UNITS)?;
            let snapshot: UnitsSnapshot = read(payload)?;
            if action == Action::UnitsChange {
                AuditEvent::UnitsChanged { snapshot }
            } else {
                AuditEvent::UnitsBaseline { snapshot }
            }
        }
        _ => decode_settings(action, subject, payload)?,
    })
}

/// Dashboards, map boundaries and trust anchors.
fn decode_settings(
    action: Action,
    subject: &str,
    payload: &str,
) -> Result<AuditEvent, DecodeError> {
    Ok(match action {
        Action::DashboardTiles => AuditEvent::DashboardTilesSet {
            unit: UnitId::new(id_after(subject, subject::UNIT)?),
            cells: read::<TilesPayload>(payload)?.cells.into_owned(),
        },
        Action::UnitsBoundaries => {
            let p: BoundariesPayload = read(payload)?;
            AuditEvent::BoundariesLoaded {
                level: after(subject, subject::LEVEL)?.to_string(),
                units: p.units,
                sha256: p.sha256.into_owned(),
            }
        }
        Action::TrustAdd | Action::TrustRemove => {
            let fingerprint = after(subject, subject::ANCHOR)?.to_string();
            let p: AnchorPayload = read(payload)?;
            match (action, p.subject) {
                (Action::TrustAdd, Some(s)) => AuditEvent::AnchorAdded {
                    anchor: p.anchor,
                    fingerprint,
                    subject: s.into_owned(),
                },
                (Action::TrustRemove, None) => AuditEvent::AnchorRemoved {
                    anchor: p.anchor,
                    fingerprint,
                },
                _ => return Err(DecodeError::Payload("subject".into())),
            }
        }
        // Every other action was decoded before this.
        _ => return Err(DecodeError::UnknownAction),
    })
}

fn calendar_day(subject: &str) -> Result<NaiveDate, DecodeError> {
    after(subject, subject::CALENDAR_DAY)?
        .parse()
        .map_err(|_| DecodeError::Subject)
}
