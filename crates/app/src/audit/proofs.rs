//! What the ledger proves about the accounts, the catalogue, the unit tree
//! and the calendar: the tables as the proofs take them, the replay of the
//! catalogue documents, and each difference in words.

use std::collections::{BTreeMap, HashMap};

use baocao_domain::audit::AuditEvent;
use baocao_domain::proof::accounts::{password_digest, Account, AccountDifference};
use baocao_domain::proof::calendar::CalendarDifference;
use baocao_domain::proof::units::UnitsDifference;
use baocao_domain::Message;
use baocao_store::Conn;

use crate::AppResult;

/// Every account in the table with its grants, by user id.
pub(super) async fn stored_accounts(conn: &mut Conn) -> AppResult<BTreeMap<i64, Account>> {
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

/// The catalogue as the ledger's `metadata.apply` documents make it (each
/// applied over the one before, replacing the objects it names), with the
/// entry that last wrote each object.
#[derive(Default)]
pub(super) struct RecordedCatalogue {
    meta: Option<baocao_domain::catalogue::Metadata>,
    last: HashMap<(&'static str, String), i64>,
    /// Every version of each indicator (a document that changes one writes
    /// its next version), with the entry that wrote it.
    indicator_versions: HashMap<String, Vec<(serde_json::Value, i64)>>,
}

/// A catalogue's objects by kind and code, as JSON (what is compared).
fn catalogue_objects(
    meta: &baocao_domain::catalogue::Metadata,
) -> BTreeMap<(&'static str, String), serde_json::Value> {
    fn put<T: serde::Serialize>(
        into: &mut BTreeMap<(&'static str, String), serde_json::Value>,
        kind: &'static str,
        items: &[T],
        code: impl Fn(&T) -> &str,
    ) {
        for item in items {
            let value = serde_json::to_value(item).unwrap_or_default();
            into.insert((kind, code(item).to_string()), value);
        }
    }
    let mut objects = BTreeMap::new();
    put(&mut objects, "disaggregation", &meta.disaggregations, |d| {
        &d.code
    });
    put(&mut objects, "indicator", &meta.indicators, |i| &i.code);
    put(&mut objects, "regime", &meta.regimes, |r| &r.code);
    put(&mut objects, "request", &meta.requests, |r| &r.code);
    objects
}

impl RecordedCatalogue {
    /// Takes in entry `seq` if it applied a catalogue document.
    pub(super) fn feed(&mut self, seq: i64, event: &AuditEvent) {
        let AuditEvent::MetadataApplied { document } = event else {
            return;
        };
        for key in catalogue_objects(document).into_keys() {
            self.last.insert(key, seq);
        }
        for indicator in &document.indicators {
            let current = self
                .meta
                .as_ref()
                .and_then(|m| m.indicator(&indicator.code));
            if current != Some(indicator) {
                let value = serde_json::to_value(indicator).unwrap_or_default();
                self.indicator_versions
                    .entry(indicator.code.clone())
                    .or_default()
                    .push((value, seq));
            }
        }
        let before = self
            .meta
            .take()
            .unwrap_or_else(baocao_domain::catalogue::Metadata::empty);
        let mut after = crate::catalogue::merge(document, &before);
        after.sort();
        self.meta = Some(after);
    }

    /// The first object of the stored catalogue that is not as the ledger
    /// made it, by kind and code.
    pub(super) fn first_difference(
        &self,
        stored: &baocao_domain::catalogue::Metadata,
    ) -> Option<Message> {
        let proven = self
            .meta
            .as_ref()
            .map(catalogue_objects)
            .unwrap_or_default();
        let stored = catalogue_objects(stored);
        let mut keys: Vec<&(&'static str, String)> = proven.keys().chain(stored.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let at = |message: &'static str| {
                Message::new(message)
                    .arg("kind_key", format!("audit.kind.{}", key.0))
                    .arg("code", &key.1)
                    .arg("seq", self.last.get(key).copied().unwrap_or_default())
            };
            match (stored.get(key), proven.get(key)) {
                (Some(_), None) => return Some(at("audit.catalogue_without_entry")),
                (None, Some(_)) => return Some(at("audit.catalogue_missing")),
                (Some(s), Some(p)) if s != p => return Some(at("audit.catalogue_differs")),
                _ => {}
            }
        }
        None
    }

    /// The first earlier version of an indicator that is not as the ledger
    /// wrote it, or that one of them lacks (`stored`: every version by code,
    /// oldest first).
    pub(super) fn first_version_difference(
        &self,
        stored: &[baocao_store::catalogue::StoredDoc],
    ) -> Option<Message> {
        let mut by_code: BTreeMap<&str, Vec<(i64, serde_json::Value)>> = BTreeMap::new();
        for doc in stored {
            let value = serde_json::from_str(&doc.doc).unwrap_or_default();
            by_code
                .entry(doc.code.as_str())
                .or_default()
                .push((doc.version, value));
        }
        let mut codes: Vec<&str> = by_code
            .keys()
            .copied()
            .chain(self.indicator_versions.keys().map(String::as_str))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        for code in codes {
            let table = by_code.get(code).map(Vec::as_slice).unwrap_or_default();
            let proven = self
                .indicator_versions
                .get(code)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for i in 0..table.len().max(proven.len()) {
                let at = |message: &'static str, seq: i64| {
                    Message::new(message)
                        .arg("code", code)
                        .arg("version", i + 1)
                        .arg("seq", seq)
                };
                match (table.get(i), proven.get(i)) {
                    (Some((number, _)), _) if *number != i as i64 + 1 => {
                        return Some(at("audit.indicator_version_without_entry", 0))
                    }
                    (Some(_), None) => return Some(at("audit.indicator_version_without_entry", 0)),
                    (None, Some((_, seq))) => {
                        return Some(at("audit.indicator_version_missing", *seq))
                    }
                    (Some((_, s)), Some((p, seq))) if s != p => {
                        return Some(at("audit.indicator_version_differs", *seq))
                    }
                    _ => {}
                }
            }
        }
        None
    }
}

/// What a difference in the unit tree says, in words (with the unit's name
/// and code when the table still has it).
pub(super) async fn units_message(conn: &mut Conn, found: UnitsDifference) -> AppResult<Message> {
    let (key, id, seq) = match found {
        UnitsDifference::UnitWithoutEntry(id) => ("audit.unit_without_entry", id, None),
        UnitsDifference::UnitDiffers(id, seq) => ("audit.unit_differs", id, Some(seq)),
        UnitsDifference::UnitMissing(id, seq) => ("audit.unit_missing", id, Some(seq)),
        UnitsDifference::ReorgWithoutEntry(key) => {
            return Ok(Message::new("audit.reorg_without_entry").arg("event", key))
        }
        UnitsDifference::ReorgDiffers(key, seq) => {
            return Ok(Message::new("audit.reorg_differs")
                .arg("event", key)
                .arg("seq", seq))
        }
    };
    let name = baocao_store::units::get(conn, baocao_domain::unit::UnitId::new(id))
        .await?
        .map(|u| format!("{} ({})", u.name, u.code))
        .unwrap_or_default();
    let message = Message::new(key).arg("unit", id).arg("name", name);
    Ok(match seq {
        Some(seq) => message.arg("seq", seq),
        None => message,
    })
}

/// What a difference in the calendar says, in words.
pub(super) fn calendar_message(found: CalendarDifference) -> Message {
    let kind = |kind: &str| format!("calendar.kind_{kind}");
    match found {
        CalendarDifference::WithoutEntry { day } => {
            Message::new("audit.exception_without_entry").arg("day", day)
        }
        CalendarDifference::Differs {
            day,
            stored,
            recorded,
            seq,
        } => match (stored, recorded) {
            (Some((s_kind, s_reason)), Some((r_kind, r_reason))) => {
                Message::new("audit.exception_differs")
                    .arg("stored_kind_key", kind(&s_kind))
                    .arg("stored_reason", s_reason)
                    .arg("recorded_kind_key", kind(&r_kind))
                    .arg("recorded_reason", r_reason)
            }
            (Some((s_kind, s_reason)), None) => Message::new("audit.exception_removed")
                .arg("stored_kind_key", kind(&s_kind))
                .arg("stored_reason", s_reason),
            (None, Some((r_kind, r_reason))) => Message::new("audit.exception_missing")
                .arg("recorded_kind_key", kind(&r_kind))
                .arg("recorded_reason", r_reason),
            // Both absent is no difference; never reported.
            (None, None) => Message::new("audit.exception_without_entry"),
        }
        .arg("day", day)
        .arg("seq", seq),
    }
}

/// What a difference in the accounts says, in words.
pub(super) fn account_message(found: AccountDifference) -> Message {
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
