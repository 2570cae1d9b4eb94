//! User administration: accounts, passwords and role grants, scoped by unit.
//!
//! A system administrator of a subtree manages a user only if it has authority
//! over the user's home unit **and over every grant the user holds**: a
//! district administrator cannot reset the password of a district officer who
//! also holds a system-wide grant (it would log in as them and act everywhere).
//! It grants roles only on units in its subtree; a system-wide grant needs a
//! system-wide administrator. A user who may not be managed is answered as
//! absent, so user ids cannot be probed.

use std::collections::HashSet;

use baocao_domain::access::{Permission, Principal, Role, Target, UserId};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_domain::Message;
use baocao_store::users::{NewUser, StoredGrant, User};
use baocao_store::{auth as store_auth, units as store_units, users as store_users, Conn};

use baocao_domain::audit::AuditEvent;
use baocao_domain::proof::accounts::password_digest;

use crate::auth::{check_password, hash_password};
use crate::{now, App, AppError, AppResult, FieldError};

mod screens;

pub use screens::{
    GrantForm, NewUserForm, UserScreen, UsersScreen, MAX_USER_SEARCH_CHARS, UNIT_CHOICES,
    USERS_PAGE,
};

/// Records a new account and its grants (made in `tx`) in the ledger.
pub(crate) async fn ledger_new_account(
    tx: &mut Conn,
    principal: &Principal,
    user: UserId,
    new: &NewUser<'_>,
    grants: &[(i64, Role, Option<UnitId>)],
) -> AppResult<()> {
    let created = AuditEvent::UserCreated {
        user,
        username: new.username.to_string(),
        unit: new.unit,
        password: password_digest(new.password_hash),
    };
    crate::ledger::record_change(tx, principal, &created).await?;
    for (grant, role, unit) in grants {
        let granted = AuditEvent::RoleGranted {
            user,
            grant: *grant,
            role: *role,
            unit: *unit,
        };
        crate::ledger::record_change(tx, principal, &granted).await?;
    }
    Ok(())
}

/// Input for a new user.
#[derive(Debug, Clone, Default)]
pub struct UserInput {
    /// Login name: 3–64 of `a-z 0-9 . _ -`.
    pub username: String,
    /// Name shown on screens.
    pub display_name: String,
    /// Initial password.
    pub password: String,
    /// Home unit.
    pub unit: Option<UnitId>,
    /// `vi` or `en`.
    pub locale: String,
    /// A role to grant on the home unit (system-wide without one), in the same transaction.
    pub role: Option<Role>,
}

/// A user with grants and unit names, for listing.
#[derive(Debug, Clone)]
pub struct UserView {
    /// The user (without using the password hash anywhere).
    pub user: User,
    /// The home unit.
    pub unit: Option<OrgUnit>,
    /// Grants with their units.
    pub grants: Vec<(StoredGrant, Option<OrgUnit>)>,
}

fn check_username(name: &str) -> Result<(), FieldError> {
    let ok = (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(FieldError {
            field: "username",
            message: Message::new("user.error.username"),
        })
    }
}

/// Whether `principal` may act with `permission` on `unit` (`None`: the whole system).
pub async fn may_on(
    conn: &mut Conn,
    principal: &Principal,
    permission: Permission,
    unit: Option<UnitId>,
) -> AppResult<bool> {
    match unit {
        None => Ok(principal.may_everywhere(permission)),
        Some(unit) => {
            let ancestors = store_units::ancestor_ids(conn, unit).await?;
            Ok(principal.may(
                permission,
                &Target {
                    unit,
                    ancestors: &ancestors,
                },
            ))
        }
    }
}

/// Whether `principal` may manage a user with home unit `home` and `grants`:
/// authority over the home unit and over every grant's scope.
async fn may_manage(
    conn: &mut Conn,
    principal: &Principal,
    home: Option<UnitId>,
    grants: &[StoredGrant],
) -> AppResult<bool> {
    if !may_on(conn, principal, Permission::ManageUsers, home).await? {
        return Ok(false);
    }
    for g in grants {
        if !may_on(conn, principal, Permission::ManageUsers, g.unit).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A unit (or the whole system) the principal may manage users on: a unit it
/// may not even see reads as absent, one it sees but does not manage is
/// forbidden.
async fn require_unit_to_manage(
    conn: &mut Conn,
    principal: &Principal,
    unit: Option<UnitId>,
) -> AppResult<()> {
    if let Some(unit) = unit {
        if !crate::units::may_view(conn, principal, unit).await? {
            return Err(AppError::field("unit", Message::new("user.error.unit")));
        }
    }
    if may_on(conn, principal, Permission::ManageUsers, unit).await? {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// Creates a user at a unit the principal manages, with an optional role on that unit.
    pub async fn create_user(&self, principal: &Principal, input: &UserInput) -> AppResult<UserId> {
        let username = input.username.trim().to_lowercase();
        let mut errors = Vec::new();
        if let Err(e) = check_username(&username) {
            errors.push(e);
        }
        let display_name = input.display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 200 {
            errors.push(FieldError {
                field: "display_name",
                message: Message::new("user.error.display_name"),
            });
        }
        if let Err(AppError::Invalid(mut e)) = check_password(&input.password) {
            errors.append(&mut e);
        }
        let locale = match input.locale.as_str() {
            "" | "vi" => "vi",
            "en" => "en",
            _ => {
                errors.push(FieldError {
                    field: "locale",
                    message: Message::new("user.error.locale"),
                });
                "vi"
            }
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut conn = self.store.conn().await?;
        require_unit_to_manage(&mut conn, principal, input.unit).await?;
        drop(conn);
        let hash = hash_password(&input.password).await?;
        let mut tx = self.store.begin_write().await?;
        let new = NewUser {
            username: &username,
            display_name,
            password_hash: &hash,
            unit: input.unit,
            locale,
        };
        let id = match store_users::insert(&mut tx, &new, now()).await {
            Ok(id) => id,
            Err(e) if e.is_unique_violation() => {
                return Err(AppError::field(
                    "username",
                    Message::new("user.error.username_taken").arg("username", &username),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let mut grants = Vec::new();
        if let Some(role) = input.role {
            let grant = store_users::grant(&mut tx, id, role, input.unit, now()).await?;
            grants.push((grant, role, input.unit));
        }
        ledger_new_account(&mut tx, principal, id, &new, &grants).await?;
        baocao_store::commit(tx).await?;
        tracing::info!(by = %principal.username, %username, role = ?input.role, "user created");
        Ok(id)
    }

    /// Users the principal may manage, with their grants.
    pub async fn list_users(&self, principal: &Principal) -> AppResult<Vec<UserView>> {
        if !principal.may_somewhere(Permission::ManageUsers) {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.store.conn().await?;
        let allowed: Option<HashSet<UnitId>> = match principal.roots(Permission::ManageUsers) {
            None => None,
            Some(roots) => {
                let mut set = HashSet::new();
                for root in roots {
                    for u in store_units::subtree(&mut conn, root, None, None).await? {
                        set.insert(u.id);
                    }
                }
                Some(set)
            }
        };
        let inside = |unit: Option<UnitId>| match (&allowed, unit) {
            (None, _) => true,
            (Some(set), Some(unit)) => set.contains(&unit),
            (Some(_), None) => false,
        };
        let grants = store_users::all_grants(&mut conn).await?;
        let users: Vec<User> = store_users::list(&mut conn)
            .await?
            .into_iter()
            .filter(|u| inside(u.unit))
            .filter(|u| {
                grants
                    .iter()
                    .filter(|g| g.user_id == u.id)
                    .all(|g| inside(g.unit))
            })
            .collect();
        let mut unit_ids: Vec<UnitId> = users.iter().filter_map(|u| u.unit).collect();
        unit_ids.extend(grants.iter().filter_map(|g| g.unit));
        unit_ids.sort();
        unit_ids.dedup();
        let units = store_units::get_many(&mut conn, &unit_ids).await?;
        let find =
            |id: Option<UnitId>| id.and_then(|id| units.iter().find(|u| u.id == id).cloned());
        Ok(users
            .into_iter()
            .map(|user| UserView {
                unit: find(user.unit),
                grants: grants
                    .iter()
                    .filter(|g| g.user_id == user.id)
                    .map(|g| (g.clone(), find(g.unit)))
                    .collect(),
                user,
            })
            .collect())
    }

    /// One user the principal may manage, with its grants.
    pub async fn user_view(&self, principal: &Principal, user_id: UserId) -> AppResult<UserView> {
        let mut conn = self.store.conn().await?;
        let (user, grants) = self.managed_user(&mut conn, principal, user_id).await?;
        let mut unit_ids: Vec<UnitId> = grants.iter().filter_map(|g| g.unit).collect();
        unit_ids.extend(user.unit);
        let units = store_units::get_many(&mut conn, &unit_ids).await?;
        let find =
            |id: Option<UnitId>| id.and_then(|id| units.iter().find(|u| u.id == id).cloned());
        Ok(UserView {
            unit: find(user.unit),
            grants: grants
                .into_iter()
                .map(|g| {
                    let unit = find(g.unit);
                    (g, unit)
                })
                .collect(),
            user,
        })
    }

    /// A user the principal may manage, with its grants; one it may not is
    /// answered as absent.
    pub(crate) async fn managed_user(
        &self,
        conn: &mut Conn,
        principal: &Principal,
        user_id: UserId,
    ) -> AppResult<(User, Vec<StoredGrant>)> {
        let user = store_users::get(conn, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let grants = store_users::grants_of(conn, user_id).await?;
        if may_manage(conn, principal, user.unit, &grants).await? {
            Ok((user, grants))
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Grants a role on a unit (or system-wide) to a user the principal manages.
    pub async fn grant_role(
        &self,
        principal: &Principal,
        user_id: UserId,
        role: Role,
        unit: Option<UnitId>,
    ) -> AppResult<i64> {
        let mut tx = self.store.begin_write().await?;
        self.managed_user(&mut tx, principal, user_id).await?;
        require_unit_to_manage(&mut tx, principal, unit).await?;
        let id = match store_users::grant(&mut tx, user_id, role, unit, now()).await {
            Ok(id) => id,
            Err(e) if e.is_unique_violation() => {
                return Err(AppError::Conflict(Message::new("user.error.grant_exists")))
            }
            Err(e) => return Err(e.into()),
        };
        let granted = AuditEvent::RoleGranted {
            user: user_id,
            grant: id,
            role,
            unit,
        };
        crate::ledger::record_change(&mut tx, principal, &granted).await?;
        baocao_store::commit(tx).await?;
        tracing::info!(by = %principal.username, %user_id, role = %role, ?unit, "role granted");
        Ok(id)
    }

    /// Removes a grant from a user the principal manages, if the principal also
    /// manages the grant's unit.
    pub async fn revoke_role(
        &self,
        principal: &Principal,
        user_id: UserId,
        grant_id: i64,
    ) -> AppResult<()> {
        let mut tx = self.store.begin_write().await?;
        let (_, grants) = self.managed_user(&mut tx, principal, user_id).await?;
        grants
            .iter()
            .find(|g| g.id == grant_id)
            .ok_or(AppError::NotFound)?;
        store_users::revoke_grant(&mut tx, user_id, grant_id).await?;
        let revoked = AuditEvent::RoleRevoked {
            user: user_id,
            grant: grant_id,
        };
        crate::ledger::record_change(&mut tx, principal, &revoked).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// Sets a user's password (an administrator, or the user itself), ending
    /// its sessions and revoking its API tokens unless `keep_tokens` (a reset
    /// because the password may be known to someone else must not leave them
    /// a token).
    pub async fn set_password(
        &self,
        principal: &Principal,
        user_id: UserId,
        password: &str,
        keep_tokens: bool,
    ) -> AppResult<()> {
        check_password(password)?;
        let mut conn = self.store.conn().await?;
        if principal.user_id != user_id {
            self.managed_user(&mut conn, principal, user_id).await?;
        }
        drop(conn);
        let hash = hash_password(password).await?;
        let mut tx = self.store.begin_write().await?;
        if principal.user_id != user_id {
            // Again inside the transaction: a grant given meanwhile counts.
            self.managed_user(&mut tx, principal, user_id).await?;
        }
        if !store_users::set_password(&mut tx, user_id, &hash, now()).await? {
            return Err(AppError::NotFound);
        }
        store_auth::delete_user_sessions(&mut tx, user_id).await?;
        if !keep_tokens {
            store_auth::revoke_user_tokens(&mut tx, user_id, now()).await?;
        }
        let set = AuditEvent::PasswordSet {
            user: user_id,
            password: password_digest(&hash),
            keep_tokens,
        };
        crate::ledger::record_change(&mut tx, principal, &set).await?;
        baocao_store::commit(tx).await?;
        tracing::info!(by = %principal.username, %user_id, keep_tokens, "password set");
        Ok(())
    }

    /// Disables or re-enables a user; disabling ends its sessions (its tokens
    /// stop working while it is disabled).
    pub async fn set_disabled(
        &self,
        principal: &Principal,
        user_id: UserId,
        disabled: bool,
    ) -> AppResult<()> {
        if principal.user_id == user_id && disabled {
            return Err(AppError::Conflict(Message::new("user.error.disable_self")));
        }
        let mut tx = self.store.begin_write().await?;
        self.managed_user(&mut tx, principal, user_id).await?;
        store_users::set_disabled(&mut tx, user_id, disabled, now()).await?;
        if disabled {
            store_auth::delete_user_sessions(&mut tx, user_id).await?;
        }
        let set = AuditEvent::DisabledSet {
            user: user_id,
            disabled,
        };
        crate::ledger::record_change(&mut tx, principal, &set).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }

    /// A user by login name (command line).
    pub async fn user_by_name(&self, username: &str) -> AppResult<User> {
        let mut conn = self.store.conn().await?;
        store_users::by_username(&mut conn, &username.trim().to_lowercase())
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Sets the language a user prefers.
    pub async fn set_locale(
        &self,
        principal: &Principal,
        locale: crate::i18n::Lang,
    ) -> AppResult<()> {
        let mut tx = self.store.begin_write().await?;
        store_users::set_locale(&mut tx, principal.user_id, locale.code(), now()).await?;
        baocao_store::commit(tx).await?;
        Ok(())
    }
}
