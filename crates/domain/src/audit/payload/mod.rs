//! Each event's payload, written and read by the same types: one struct per
//! shape, serialized for [`encode`] and deserialized (unknown fields refused)
//! for [`decode`]. What an event keeps in its subject (the report, the user,
//! the day…) is not repeated here. Field order is the canonical order: moving
//! a field changes the bytes of every new entry.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::AuditEvent;

mod decode;

use crate::proof::accounts::BaselineAccount;
use crate::proof::calendar::Exception;
use crate::report::Content;
use crate::unit::UnitId;
pub(super) use decode::decode;

/// A cell a synthesis changed: (cell, before, after).
pub(super) type ChangedCell = (String, Option<String>, String);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Created<'a> {
    regime: Cow<'a, str>,
    regime_version: usize,
    unit: UnitId,
    period: Cow<'a, str>,
    receiver: UnitId,
    deadline: NaiveDate,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportedPayload<'a> {
    regime: Cow<'a, str>,
    regime_version: usize,
    unit: UnitId,
    period: Cow<'a, str>,
    receiver: UnitId,
    deadline: NaiveDate,
    /// Always 1: an import makes the first version.
    version: i64,
    submitted_at: i64,
    accepted_at: i64,
    content: Cow<'a, Content>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmittedPayload<'a> {
    version: i64,
    on_time: bool,
    reason: Option<Cow<'a, str>>,
    content: Cow<'a, Content>,
}

/// A step with a version and a reason (required: returned, corrected,
/// recalled; optional: accepted).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Step<R> {
    version: i64,
    reason: R,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SynthesizedPayload<'a> {
    aggregated: Cow<'a, [String]>,
    expected: usize,
    changed: Cow<'a, [ChangedCell]>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachedPayload<'a> {
    attachment: i64,
    name: Cow<'a, str>,
    size: usize,
    sha256: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailPayload<'a> {
    email: Option<Cow<'a, str>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TilesPayload<'a> {
    cells: Cow<'a, [String]>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoundariesPayload<'a> {
    units: usize,
    sha256: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserCreatedPayload<'a> {
    username: Cow<'a, str>,
    unit: Option<UnitId>,
    password: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantedPayload<'a> {
    grant: i64,
    role: Cow<'a, str>,
    unit: Option<UnitId>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokedPayload {
    grant: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordPayload<'a> {
    password: Cow<'a, str>,
    keep_tokens: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DisabledPayload {
    disabled: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressPayload<'a> {
    address: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselinePayload<'a> {
    accounts: Cow<'a, [BaselineAccount]>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionPayload<'a> {
    kind: Cow<'a, str>,
    reason: Cow<'a, str>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarBaselinePayload<'a> {
    exceptions: Cow<'a, [Exception]>,
}

/// Nothing beyond the subject (a calendar exception removed).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

/// What a `report.sign` entry says of the verification: always `valid`
/// (a refused signature is never stored).
const VALID: &str = "valid";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedPayload<'a> {
    signature: i64,
    version: i64,
    kind: Cow<'a, str>,
    verdict: Cow<'a, str>,
    signer: Cow<'a, str>,
    subject: Cow<'a, str>,
    serial: Cow<'a, str>,
    issuer: Cow<'a, str>,
    signed_at: Option<i64>,
    digest: Cow<'a, str>,
    key: Cow<'a, str>,
    sha256: Cow<'a, str>,
}

/// Added: the CA's subject; removed: `null`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnchorPayload<'a> {
    anchor: i64,
    subject: Option<Cow<'a, str>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemindedPayload<'a> {
    regime: Cow<'a, str>,
    period: Cow<'a, str>,
    units: Vec<UnitId>,
}

fn json<T: Serialize>(value: &T) -> String {
    // Serializing these plain structs cannot fail (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

/// The canonical payload of `event`.
pub(super) fn encode(event: &AuditEvent) -> String {
    match event {
        AuditEvent::ReportCreated { .. }
        | AuditEvent::Imported { .. }
        | AuditEvent::DraftSaved { .. }
        | AuditEvent::Submitted { .. }
        | AuditEvent::Returned { .. }
        | AuditEvent::Accepted { .. }
        | AuditEvent::Corrected { .. }
        | AuditEvent::Recalled { .. }
        | AuditEvent::Synthesized { .. }
        | AuditEvent::Attached { .. }
        | AuditEvent::Signed { .. }
        | AuditEvent::Reminded { .. } => encode_report(event),
        _ => encode_other(event),
    }
}

/// The payloads of the events about one report.
fn encode_report(event: &AuditEvent) -> String {
    match event {
        AuditEvent::ReportCreated {
            regime,
            regime_version,
            unit,
            period,
            receiver,
            deadline,
            ..
        } => json(&Created {
            regime: Cow::Borrowed(regime),
            regime_version: *regime_version,
            unit: *unit,
            period: Cow::Borrowed(period),
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
            regime: Cow::Borrowed(regime),
            regime_version: *regime_version,
            unit: *unit,
            period: Cow::Borrowed(period),
            receiver: *receiver,
            deadline: *deadline,
            version: 1,
            submitted_at: *submitted_at,
            accepted_at: *accepted_at,
            content: Cow::Borrowed(content),
        }),
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
            reason: reason.as_deref().map(Cow::Borrowed),
            content: Cow::Borrowed(content),
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
        _ => encode_report_files(event),
    }
}

/// The payloads of a report's synthesis, files, signatures and reminders.
fn encode_report_files(event: &AuditEvent) -> String {
    match event {
        AuditEvent::Synthesized {
            aggregated,
            expected,
            changed,
            ..
        } => json(&SynthesizedPayload {
            aggregated: Cow::Borrowed(aggregated),
            expected: *expected,
            changed: Cow::Borrowed(changed),
        }),
        AuditEvent::Attached {
            attachment,
            name,
            size,
            sha256,
            ..
        } => json(&AttachedPayload {
            attachment: *attachment,
            name: Cow::Borrowed(name),
            size: *size,
            sha256: Cow::Borrowed(sha256),
        }),
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
            kind: Cow::Borrowed(kind.as_str()),
            verdict: Cow::Borrowed(VALID),
            signer: Cow::Borrowed(&signer.name),
            subject: Cow::Borrowed(&signer.subject),
            serial: Cow::Borrowed(&signer.serial),
            issuer: Cow::Borrowed(&signer.issuer),
            signed_at: signer.signed_at,
            digest: Cow::Borrowed(&signer.digest),
            key: Cow::Borrowed(&signer.key),
            sha256: Cow::Borrowed(sha256),
        }),
        AuditEvent::Reminded {
            regime,
            period,
            units,
            ..
        } => json(&RemindedPayload {
            regime: Cow::Borrowed(regime),
            period: Cow::Borrowed(period),
            units: units.clone(),
        }),
        _ => String::new(),
    }
}

/// The payloads of accounts, the catalogue, the calendar, the unit tree and
/// the trust anchors.
fn encode_other(event: &AuditEvent) -> String {
    match event {
        AuditEvent::MetadataApplied { document } => json(document.as_ref()),
        AuditEvent::EmailSet { email, .. } => json(&EmailPayload {
            email: email.as_deref().map(Cow::Borrowed),
        }),
        AuditEvent::UserCreated {
            username,
            unit,
            password,
            ..
        } => json(&UserCreatedPayload {
            username: Cow::Borrowed(username),
            unit: *unit,
            password: Cow::Borrowed(password),
        }),
        AuditEvent::RoleGranted {
            grant, role, unit, ..
        } => json(&GrantedPayload {
            grant: *grant,
            role: Cow::Borrowed(role.as_str()),
            unit: *unit,
        }),
        AuditEvent::RoleRevoked { grant, .. } => json(&RevokedPayload { grant: *grant }),
        AuditEvent::PasswordSet {
            password,
            keep_tokens,
            ..
        } => json(&PasswordPayload {
            password: Cow::Borrowed(password),
            keep_tokens: *keep_tokens,
        }),
        AuditEvent::DisabledSet { disabled, .. } => json(&DisabledPayload {
            disabled: *disabled,
        }),
        AuditEvent::LoggedIn { address, .. } | AuditEvent::LoginFailed { address, .. } => {
            json(&AddressPayload {
                address: Cow::Borrowed(address),
            })
        }
        AuditEvent::AccountsBaseline { accounts } => json(&BaselinePayload {
            accounts: Cow::Borrowed(accounts),
        }),
        _ => encode_places(event),
    }
}

/// The payloads of the calendar, the unit tree, dashboards and trust anchors.
fn encode_places(event: &AuditEvent) -> String {
    match event {
        AuditEvent::CalendarExceptionAdded { exception } => json(&ExceptionPayload {
            kind: Cow::Borrowed(&exception.kind),
            reason: Cow::Borrowed(&exception.reason),
        }),
        AuditEvent::CalendarExceptionRemoved { .. } => json(&Empty {}),
        AuditEvent::CalendarBaseline { exceptions } => json(&CalendarBaselinePayload {
            exceptions: Cow::Borrowed(exceptions),
        }),
        AuditEvent::UnitsChanged { snapshot } | AuditEvent::UnitsBaseline { snapshot } => {
            json(snapshot)
        }
        AuditEvent::DashboardTilesSet { cells, .. } => json(&TilesPayload {
            cells: Cow::Borrowed(cells),
        }),
        AuditEvent::BoundariesLoaded { units, sha256, .. } => json(&BoundariesPayload {
            units: *units,
            sha256: Cow::Borrowed(sha256),
        }),
        AuditEvent::AnchorAdded {
            anchor, subject, ..
        } => json(&AnchorPayload {
            anchor: *anchor,
            subject: Some(Cow::Borrowed(subject)),
        }),
        AuditEvent::AnchorRemoved { anchor, .. } => json(&AnchorPayload {
            anchor: *anchor,
            subject: None,
        }),
        _ => String::new(),
    }
}
