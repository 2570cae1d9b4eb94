//! What the use-case tests share: the world with the three-level regime,
//! report contents, reports taken through the workflow, extra accounts, the
//! ledger's head (a refusal leaves it where it was), what a refusal or a
//! form's outcome says, and the app's own spreadsheet template filled in.

use baocao_app::auth::system_principal;
use baocao_app::forms::FormOutcome;
use baocao_app::users::UserInput;
use baocao_app::{App, AppError};
use baocao_domain::access::{Grant, Principal, Role, Scope, UserId};
use baocao_domain::report::{Content, ReportId};
use baocao_domain::unit::UnitId;
use baocao_store::Store;
use baocao_testkit::{nghe_an, three_level_metadata, World, PASSWORD};

/// A report content with these values.
pub fn content(pairs: &[(&str, &str)]) -> Content {
    Content {
        values: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
}

/// Values that pass every rule of the test regime (1234 = 634 + 600, a
/// job-creation rate of 2.5 %).
pub const GOOD: [(&str, &str); 4] = [
    ("LD01", "1234"),
    ("LD01/sex:male", "634"),
    ("LD01/sex:female", "600"),
    ("LD02", "50000"),
];

/// A world with the three-level regime (communes → district → province).
pub async fn world(store: Store) -> World {
    let w = nghe_an(store).await;
    w.app
        .apply_metadata(&system_principal(), &three_level_metadata())
        .await
        .unwrap();
    w
}

/// The staff of a unit: enters and submits its reports (no stored account).
pub fn staff(unit: UnitId) -> Principal {
    Principal {
        user_id: UserId::SYSTEM,
        username: format!("staff-{unit}"),
        grants: [Role::DataEntry, Role::UnitHead]
            .into_iter()
            .map(|role| Grant {
                role,
                scope: Some(Scope {
                    unit,
                    ancestors: Vec::new(),
                }),
            })
            .collect(),
    }
}

/// A stored account `name` with `role` on `unit`, as a login makes it.
pub async fn account(w: &World, name: &str, role: Role, unit: UnitId) -> Principal {
    let input = UserInput {
        username: name.into(),
        display_name: name.into(),
        password: PASSWORD.into(),
        unit: Some(unit),
        locale: "vi".into(),
        role: Some(role),
    };
    // Password hashing is bounded: a loaded machine says busy, and we try again.
    loop {
        match w.app.create_user(&system_principal(), &input).await {
            Err(AppError::Busy { .. }) => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => {
                other.unwrap();
                break;
            }
        }
    }
    w.principal(name).await
}

/// The report of `unit` for `period` of the test regime, opened by `who`.
pub async fn open(app: &App, who: &Principal, unit: UnitId, period: &str) -> ReportId {
    app.open_report(who, "BC-LD", unit, period)
        .await
        .unwrap()
        .id
}

/// A report saved with `values` by `officer` and submitted by `head`.
pub async fn submitted(
    app: &App,
    (officer, head): (&Principal, &Principal),
    unit: UnitId,
    period: &str,
    values: &Content,
) -> ReportId {
    let id = open(app, officer, unit, period).await;
    app.save_report(officer, id, values, None).await.unwrap();
    app.submit_report(head, id).await.unwrap();
    id
}

/// The commune's report filled, submitted and accepted with `values`.
pub async fn accepted(w: &World, period: &str, values: &[(&str, &str)]) -> ReportId {
    let officer = w.principal("commune.officer").await;
    let head = w.principal("commune.head").await;
    let reviewer = w.principal("district.reviewer").await;
    let id = submitted(
        &w.app,
        (&officer, &head),
        w.commune,
        period,
        &content(values),
    )
    .await;
    w.app.review_report(&reviewer, id, true, "").await.unwrap();
    id
}

/// The ledger's last sequence number: where a refusal must leave it.
pub async fn ledger_seq(store: &Store) -> i64 {
    baocao_store::ledger::head(&mut store.conn().await.unwrap())
        .await
        .unwrap()
        .0
}

/// The ledger's entries after `seq`, as (action, subject).
pub async fn ledger_since(store: &Store, seq: i64) -> Vec<(String, String)> {
    baocao_store::ledger::entries(&mut store.conn().await.unwrap(), seq, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.entry.action, e.entry.subject))
        .collect()
}

/// The message key of a refusal with one message, whatever its kind.
pub fn refusal_key<T: std::fmt::Debug>(result: Result<T, AppError>) -> &'static str {
    match result {
        Err(AppError::Invalid(fields)) if fields.len() == 1 => fields[0].message.key,
        Err(AppError::Conflict(m)) => m.key,
        Err(AppError::DocumentRejected(p)) if p.len() == 1 => p[0].message.key,
        Err(AppError::ImportRejected(l)) if l.len() == 1 => l[0].message.key,
        other => panic!("not a refusal with one message: {other:?}"),
    }
}

/// The ledger's entries after `seq`, read back as events.
pub async fn events_since(store: &Store, seq: i64) -> Vec<baocao_domain::audit::AuditEvent> {
    baocao_store::ledger::entries(&mut store.conn().await.unwrap(), seq, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            baocao_domain::audit::AuditEvent::decode(
                &e.entry.action,
                &e.entry.subject,
                &e.entry.payload,
            )
            .unwrap()
        })
        .collect()
}

/// The field (or document path) and message key of a refusal with one
/// message; no field for a conflict.
pub fn refusal<T: std::fmt::Debug>(result: Result<T, AppError>) -> (String, &'static str) {
    match result {
        Err(AppError::Invalid(fields)) if fields.len() == 1 => {
            (fields[0].field.to_string(), fields[0].message.key)
        }
        Err(AppError::DocumentRejected(p)) if p.len() == 1 => (p[0].path.clone(), p[0].message.key),
        other => (String::new(), refusal_key(other)),
    }
}

/// A form refused with one message: its field, its key and the screen it
/// comes back with.
pub fn refused<T: std::fmt::Debug, S>(
    outcome: Result<FormOutcome<T, S>, AppError>,
) -> (String, &'static str, S) {
    match outcome {
        Ok(FormOutcome::Refused { error, screen }) => {
            let (field, key) = refusal(Err::<(), _>(error));
            (field, key, screen)
        }
        Ok(FormOutcome::Done(done)) => panic!("done, not refused: {done:?}"),
        Err(e) => panic!("failed, not refused: {e:?}"),
    }
}

/// What a form did, when it was not refused.
pub fn done<T, S>(outcome: Result<FormOutcome<T, S>, AppError>) -> T {
    match outcome {
        Ok(FormOutcome::Done(done)) => done,
        Ok(FormOutcome::Refused { error, .. }) => panic!("refused: {error:?}"),
        Err(e) => panic!("failed: {e:?}"),
    }
}

pub use baocao_testkit::spreadsheets::{fill, BOUNDS};
