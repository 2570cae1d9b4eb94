//! The user administration pages' read models and forms: the list (searched,
//! a page at a time) with the units a new account may be put in, one user's
//! page, and the forms on them — each one call, the screen read again when a
//! form is refused.

use baocao_domain::access::{Principal, Role, UserId};
use baocao_domain::message::Message;
use baocao_domain::text::fold;
use baocao_domain::unit::{OrgUnit, UnitId};

use super::{UserInput, UserView};
use crate::forms::{or_again, FormOutcome};
use crate::{today, App, AppError, AppResult};

/// Users a page of the list shows.
pub const USERS_PAGE: usize = 50;

/// Units a picker lists at most (a province's units in force; a system-wide
/// administrator types a code or a name to find the others).
pub const UNIT_CHOICES: u32 = 800;

/// A search of the list is at most this long (as the field says); more is cut.
pub const MAX_USER_SEARCH_CHARS: usize = 100;

/// The users page.
#[derive(Debug, Clone)]
pub struct UsersScreen {
    /// This page's users.
    pub users: Vec<UserView>,
    /// Users found in all.
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// Pages in all.
    pub pages: usize,
    /// The search as taken (trimmed, cut).
    pub search: String,
    /// The units a new account may be put in.
    pub units: Vec<OrgUnit>,
}

/// A user's page.
#[derive(Debug, Clone)]
pub struct UserScreen {
    /// The user with their grants.
    pub view: UserView,
    /// The units a role may be granted on.
    pub units: Vec<OrgUnit>,
}

/// The new-account form as typed.
#[derive(Debug, Clone, Default)]
pub struct NewUserForm {
    /// Login name.
    pub username: String,
    /// Full name.
    pub display_name: String,
    /// Password.
    pub password: String,
    /// The home unit's code (blank: none).
    pub unit: String,
    /// `vi` or `en`.
    pub locale: String,
    /// A first role (blank: none).
    pub role: String,
}

/// The grant form as typed.
#[derive(Debug, Clone, Default)]
pub struct GrantForm {
    /// The role.
    pub role: String,
    /// The unit's code.
    pub unit: String,
    /// Ticked: over the whole instance, on purpose.
    pub system_wide: bool,
}

/// An optional role chosen in a form: blank is none.
fn optional_role(text: &str) -> AppResult<Option<Role>> {
    match text.trim() {
        "" => Ok(None),
        r => Role::parse(r)
            .map(Some)
            .map_err(|e| AppError::field("role", e.message())),
    }
}

impl App {
    /// The unit a form names by its code (GSO code, agency code) — as every
    /// page shows units — in force today, else the latest that had it (codes
    /// are reused across the 2025 reform), among those the caller may see;
    /// blank is none.
    pub async fn unit_for_code(
        &self,
        principal: &Principal,
        field: &'static str,
        text: &str,
    ) -> AppResult<Option<UnitId>> {
        let code = text.trim();
        if code.is_empty() {
            return Ok(None);
        }
        let unknown = |code: String| {
            AppError::field(
                field,
                Message::new("users.error.unknown_unit").arg("value", code),
            )
        };
        // No unit code is longer (agency codes are 13 characters): nothing to look up.
        if code.chars().count() > 32 {
            return Err(unknown(code.chars().take(32).collect()));
        }
        let found = self
            .search_units(principal, None, Some(code), None, None, 50)
            .await?;
        let today = today();
        let same: Vec<&OrgUnit> = found.iter().filter(|u| u.code.as_str() == code).collect();
        same.iter()
            .find(|u| u.validity.contains(today))
            .or_else(|| same.iter().max_by_key(|u| u.validity.from))
            .map(|u| Some(u.id))
            .ok_or_else(|| unknown(code.to_string()))
    }

    /// The units an administrator may pick, in force today.
    async fn unit_choices(&self, principal: &Principal) -> AppResult<Vec<OrgUnit>> {
        self.search_units(principal, None, None, None, Some(today()), UNIT_CHOICES)
            .await
    }

    /// The users page: the users the caller manages whose login or name
    /// contains `search` (accents ignored), page `page` of them.
    pub async fn users_screen(
        &self,
        principal: &Principal,
        search: &str,
        page: Option<usize>,
    ) -> AppResult<UsersScreen> {
        let users = self.list_users(principal).await?;
        let units = self.unit_choices(principal).await?;
        let search: String = search.trim().chars().take(MAX_USER_SEARCH_CHARS).collect();
        let needle = fold(&search);
        let found: Vec<UserView> = users
            .into_iter()
            .filter(|u| {
                needle.is_empty()
                    || fold(&u.user.username).contains(&needle)
                    || fold(&u.user.display_name).contains(&needle)
            })
            .collect();
        let total = found.len();
        let pages = total.div_ceil(USERS_PAGE).max(1);
        let page = page.unwrap_or(1).clamp(1, pages);
        Ok(UsersScreen {
            users: found
                .into_iter()
                .skip((page - 1) * USERS_PAGE)
                .take(USERS_PAGE)
                .collect(),
            total,
            page,
            pages,
            search,
            units,
        })
    }

    /// A user's page.
    pub async fn user_screen(&self, principal: &Principal, id: UserId) -> AppResult<UserScreen> {
        Ok(UserScreen {
            view: self.user_view(principal, id).await?,
            units: self.unit_choices(principal).await?,
        })
    }

    /// Makes the account the new-user form describes; refused, the users page
    /// again.
    pub async fn create_user_from_form(
        &self,
        principal: &Principal,
        form: &NewUserForm,
    ) -> AppResult<FormOutcome<UserId, UsersScreen>> {
        let created = async {
            let input = UserInput {
                username: form.username.clone(),
                display_name: form.display_name.clone(),
                password: form.password.clone(),
                unit: self.unit_for_code(principal, "unit", &form.unit).await?,
                locale: form.locale.clone(),
                role: optional_role(&form.role)?,
            };
            self.create_user(principal, &input).await
        }
        .await;
        or_again(created, || self.users_screen(principal, "", None)).await
    }

    /// Grants the role the form names (system-wide only when ticked, never
    /// for a unit left blank); refused, the user's page again.
    pub async fn grant_from_form(
        &self,
        principal: &Principal,
        id: UserId,
        form: &GrantForm,
    ) -> AppResult<FormOutcome<(), UserScreen>> {
        let granted = async {
            let role = Role::parse(&form.role).map_err(|e| AppError::field("role", e.message()))?;
            let unit = match (form.unit.trim().is_empty(), form.system_wide) {
                (true, true) => None,
                (false, false) => self.unit_for_code(principal, "unit", &form.unit).await?,
                (true, false) => {
                    return Err(AppError::field(
                        "unit",
                        Message::new("users.error.choose_unit"),
                    ))
                }
                (false, true) => {
                    return Err(AppError::field(
                        "unit",
                        Message::new("users.error.unit_and_system_wide"),
                    ))
                }
            };
            self.grant_role(principal, id, role, unit).await.map(|_| ())
        }
        .await;
        or_again(granted, || self.user_screen(principal, id)).await
    }

    /// Resets a user's password (their API tokens revoked); refused, the
    /// user's page again.
    pub async fn reset_password_from_form(
        &self,
        principal: &Principal,
        id: UserId,
        password: &str,
    ) -> AppResult<FormOutcome<(), UserScreen>> {
        let set = self.set_password(principal, id, password, false).await;
        or_again(set, || self.user_screen(principal, id)).await
    }

    /// Sets or clears a user's e-mail address; refused, the user's page again.
    pub async fn set_email_from_form(
        &self,
        principal: &Principal,
        id: UserId,
        email: &str,
    ) -> AppResult<FormOutcome<(), UserScreen>> {
        let set = self.set_email(principal, id, email).await;
        or_again(set, || self.user_screen(principal, id)).await
    }

    /// Locks an account (only `confirmed`: a dangerous action) or unlocks
    /// it; refused, the user's page again.
    pub async fn set_disabled_from_form(
        &self,
        principal: &Principal,
        id: UserId,
        lock: bool,
        confirmed: bool,
    ) -> AppResult<FormOutcome<(), UserScreen>> {
        let set = if lock && !confirmed {
            Err(AppError::field(
                "confirm",
                Message::new("users.error.confirm_lock"),
            ))
        } else {
            self.set_disabled(principal, id, lock).await
        };
        or_again(set, || self.user_screen(principal, id)).await
    }
}
