//! The baselines written once per database: the accounts, the calendar and
//! the unit tree as they stood when the ledger began to record them.

use baocao_domain::proof::accounts::BaselineAccount;
use baocao_domain::proof::calendar::Exception;
use baocao_store::Conn;

use super::proofs::stored_accounts;
use crate::{App, AppResult};

/// The settings recording that the ledger holds the accounts and the
/// calendar (a baseline was written, or the database began with the ledger
/// recording them).
const ACCOUNTS_RECORDED: &str = "audit.accounts_recorded";
const CALENDAR_RECORDED: &str = "audit.calendar_recorded";
const UNITS_RECORDED: &str = "audit.units_recorded";

/// Whether a setting is not there yet.
async fn missing(conn: &mut Conn, key: &str) -> AppResult<bool> {
    Ok(baocao_store::meta::get(conn, key).await?.is_none())
}

/// The calendar's exceptions as the proofs take them.
pub(super) async fn stored_exceptions(conn: &mut Conn) -> AppResult<Vec<Exception>> {
    Ok(baocao_store::calendar::exceptions(conn)
        .await?
        .into_iter()
        .map(|e| Exception {
            day: e.day,
            kind: e.kind,
            reason: e.reason,
        })
        .collect())
}

impl App {
    /// Once per database: writes the accounts and the calendar's exceptions
    /// as they stand to the ledger (`users.baseline`, `calendar.baseline`), so
    /// that a database made before they were ledgered verifies, and every
    /// change after it is proven. A database made since gets empty
    /// baselines. Run at start-up by the binary; says whether it wrote any.
    pub async fn record_baselines(&self) -> AppResult<bool> {
        {
            let mut conn = self.store.conn().await?;
            if !missing(&mut conn, ACCOUNTS_RECORDED).await?
                && !missing(&mut conn, CALENDAR_RECORDED).await?
                && !missing(&mut conn, UNITS_RECORDED).await?
            {
                return Ok(false);
            }
        }
        let system = crate::auth::system_principal();
        let mut tx = self.store.begin_write().await?;
        let mut wrote = false;
        // Checked again inside the transaction: another process may have
        // written them meanwhile.
        if missing(&mut tx, ACCOUNTS_RECORDED).await? {
            let accounts: Vec<BaselineAccount> = stored_accounts(&mut tx)
                .await?
                .iter()
                .map(|(id, a)| BaselineAccount::of(baocao_domain::access::UserId::new(*id), a))
                .collect();
            let event = baocao_domain::audit::AuditEvent::AccountsBaseline { accounts };
            crate::ledger::record_change(&mut tx, &system, &event).await?;
            baocao_store::meta::set(&mut tx, ACCOUNTS_RECORDED, "1").await?;
            wrote = true;
        }
        if missing(&mut tx, CALENDAR_RECORDED).await? {
            let exceptions = stored_exceptions(&mut tx).await?;
            let event = baocao_domain::audit::AuditEvent::CalendarBaseline { exceptions };
            crate::ledger::record_change(&mut tx, &system, &event).await?;
            baocao_store::meta::set(&mut tx, CALENDAR_RECORDED, "1").await?;
            wrote = true;
        }
        if missing(&mut tx, UNITS_RECORDED).await? {
            let snapshot = crate::units::stored_units(&mut tx).await?;
            let event = baocao_domain::audit::AuditEvent::UnitsBaseline { snapshot };
            crate::ledger::record_change(&mut tx, &system, &event).await?;
            baocao_store::meta::set(&mut tx, UNITS_RECORDED, "1").await?;
            wrote = true;
        }
        baocao_store::commit(tx).await?;
        Ok(wrote)
    }
}
