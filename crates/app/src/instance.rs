//! The instance's own settings and marks (what the demo loaded, where the
//! mailer's cursor stands) and accounts for other systems and scripts: use
//! cases of the machine's operator (the command line), never of HTTP callers.

use baocao_domain::access::{Principal, Role, UserId};
use baocao_domain::unit::UnitId;
use baocao_domain::Message;
use baocao_store::users::NewUser;
use baocao_store::{auth as store_auth, meta, units as store_units, users as store_users};

use crate::auth::{random_secret, secret_hash, system_principal};
use crate::{now, App, AppError, AppResult};

/// The stored "password" of an account that logs in with tokens only: not an
/// Argon2 string, so no password ever verifies against it.
const NO_PASSWORD: &str = "!token-only";

fn operator_only(operator: &Principal) -> AppResult<()> {
    if operator.user_id == UserId::SYSTEM && operator.username == system_principal().username {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// An instance setting (`None` when never set).
    pub async fn setting(&self, key: &str) -> AppResult<Option<String>> {
        let mut conn = self.store.conn().await?;
        Ok(meta::get(&mut conn, key).await?)
    }

    /// Records an instance setting (the operator only).
    pub async fn set_setting(&self, operator: &Principal, key: &str, value: &str) -> AppResult<()> {
        operator_only(operator)?;
        let mut tx = self.store.begin_write().await?;
        meta::set(&mut tx, key, value).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// Units and reorganisation events stored.
    pub async fn unit_counts(&self) -> AppResult<(i64, i64)> {
        let mut conn = self.store.conn().await?;
        Ok(store_units::counts(&mut conn).await?)
    }

    /// Creates an account that works through one API token only (another
    /// system, a script, a benchmark's clients): no password can log in with
    /// it. Returns the user and the token, shown once. The operator only.
    pub async fn create_token_account(
        &self,
        operator: &Principal,
        username: &str,
        display_name: &str,
        unit: UnitId,
        roles: &[Role],
    ) -> AppResult<(UserId, String)> {
        operator_only(operator)?;
        let token = format!("bc_{}", random_secret());
        let at = now();
        let mut tx = self.store.begin_write().await?;
        let new = NewUser {
            username,
            display_name,
            password_hash: NO_PASSWORD,
            unit: Some(unit),
            locale: "vi",
        };
        let id = match store_users::insert(&mut tx, &new, at).await {
            Ok(id) => id,
            Err(e) if e.is_unique_violation() => {
                return Err(AppError::field(
                    "username",
                    Message::new("user.error.username_taken").arg("username", username),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let mut grants = Vec::new();
        for role in roles {
            let grant = store_users::grant(&mut tx, id, *role, Some(unit), at).await?;
            grants.push((grant, *role, Some(unit)));
        }
        crate::users::ledger_new_account(&mut tx, operator, id, &new, &grants).await?;
        store_auth::insert_token(&mut tx, id, "token-account", &secret_hash(&token), at).await?;
        baocao_store::commit(tx).await?;
        Ok((id, token))
    }
}
