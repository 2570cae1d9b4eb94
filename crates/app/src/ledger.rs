//! The one door to the audit ledger: every use case records its events here,
//! in the transaction of the change they record, so that the change and its
//! entry are stored together or not at all. What an entry says is the
//! domain's (`baocao_domain::audit::AuditEvent`: action, subject, canonical
//! payload); who did it is an [`Actor`]; the hashing and chaining are the
//! store's (`baocao_store::ledger::append_many`).

use baocao_domain::access::{Principal, UserId};
use baocao_domain::audit::AuditEvent;
use baocao_store::ledger::{append_many, NewEntry};
use baocao_store::Conn;

use crate::{now, AppResult};

/// Who an entry says acted: a stored user (by id and login name), the
/// system (the command line, scheduled work: no id), or the name typed at a
/// refused login (no stored user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    id: Option<UserId>,
    name: String,
}

impl Actor {
    /// The caller of a use case.
    pub fn of(principal: &Principal) -> Actor {
        Actor {
            id: principal.actor(),
            name: principal.username.clone(),
        }
    }

    /// A stored user.
    pub fn user(id: UserId, username: &str) -> Actor {
        Actor {
            id: Some(id),
            name: username.to_string(),
        }
    }

    /// Someone who is no stored user (a login refused for the name typed).
    pub fn unknown(name: &str) -> Actor {
        Actor {
            id: None,
            name: name.to_string(),
        }
    }

    /// The stored user, if any.
    pub fn id(&self) -> Option<UserId> {
        self.id
    }

    /// The name recorded.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The entry recording `event` by `actor` at `at` (Unix seconds).
fn entry(actor: &Actor, event: &AuditEvent, at: i64) -> NewEntry {
    NewEntry {
        actor_id: actor.id,
        actor: actor.name.clone(),
        action: event.action().as_str().to_string(),
        subject: event.subject(),
        payload: event.payload(),
        at,
    }
}

/// Records events in order, in `tx`; returns their sequence numbers.
pub(crate) async fn record_many<'a>(
    tx: &mut Conn,
    events: impl IntoIterator<Item = (&'a Actor, &'a AuditEvent, i64)>,
) -> AppResult<Vec<i64>> {
    let entries = events
        .into_iter()
        .map(|(actor, event, at)| entry(actor, event, at))
        .collect();
    Ok(append_many(tx, entries).await?)
}

/// Records one event by `actor` at `at`, in `tx`; returns its sequence number.
pub(crate) async fn record(
    tx: &mut Conn,
    actor: &Actor,
    event: &AuditEvent,
    at: i64,
) -> AppResult<i64> {
    let seqs = record_many(tx, [(actor, event, at)]).await?;
    Ok(seqs.first().copied().unwrap_or(0))
}

/// Records a change made now by `principal` (of an account, the calendar,
/// the unit tree, …), in `tx`.
pub(crate) async fn record_change(
    tx: &mut Conn,
    principal: &Principal,
    event: &AuditEvent,
) -> AppResult<i64> {
    record(tx, &Actor::of(principal), event, now()).await
}
