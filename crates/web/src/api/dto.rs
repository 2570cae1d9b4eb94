//! Shapes of the API's requests and responses.

use baocao_app::units::UnitDetail;
use baocao_app::users::UserView;
use baocao_domain::unit::{OrgUnit, UnitId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An org unit.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitDto {
    /// Identity (codes are reused across structures; ids are not).
    pub id: i64,
    /// `area` or `agency`.
    pub kind: String,
    /// `central`, `province`, `district`, `commune`, …
    pub level: String,
    /// GSO code (areas) or agency identifier code.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Type word (tỉnh, xã, phường, sở…).
    pub division_type: String,
    /// Parent unit id.
    pub parent_id: Option<i64>,
    /// First day of existence (ISO date), if known.
    pub valid_from: Option<String>,
    /// Last day of existence (ISO date), if ended.
    pub valid_to: Option<String>,
    /// Approximate latitude.
    pub lat: Option<f64>,
    /// Approximate longitude.
    pub lon: Option<f64>,
}

impl From<&OrgUnit> for UnitDto {
    fn from(u: &OrgUnit) -> Self {
        UnitDto {
            id: u.id.get(),
            kind: u.kind.as_str().into(),
            level: u.level.as_str().into(),
            code: u.code.as_str().into(),
            name: u.name.clone(),
            division_type: u.division_type.clone(),
            parent_id: u.parent.map(UnitId::get),
            valid_from: u.validity.from.map(|d| d.to_string()),
            valid_to: u.validity.to.map(|d| d.to_string()),
            lat: u.lat,
            lon: u.lon,
        }
    }
}

/// Converts a list of units.
pub fn units(list: &[OrgUnit]) -> Vec<UnitDto> {
    list.iter().map(UnitDto::from).collect()
}

/// A reorganisation the unit took part in.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReorgDto {
    /// Effective date (ISO).
    pub date: String,
    /// `whole` or `split`.
    pub kind: String,
    /// Whether this is the default target of the old unit.
    pub is_default: bool,
    /// `to` when this unit is the old side, `from` when it is the new side.
    pub direction: String,
    /// The unit on the other side.
    pub other: UnitDto,
}

/// A unit with ancestors, children and reorganisations.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitDetailDto {
    /// The unit.
    pub unit: UnitDto,
    /// Ancestors, root first.
    pub ancestors: Vec<UnitDto>,
    /// Children visible to the caller.
    pub children: Vec<UnitDto>,
    /// Merges and splits.
    pub reorganisations: Vec<ReorgDto>,
}

impl From<&UnitDetail> for UnitDetailDto {
    fn from(d: &UnitDetail) -> Self {
        UnitDetailDto {
            unit: (&d.unit).into(),
            ancestors: units(&d.ancestors),
            children: units(&d.children),
            reorganisations: d
                .reorgs
                .iter()
                .map(|(e, other)| ReorgDto {
                    date: e.date.to_string(),
                    kind: e.kind.as_str().into(),
                    is_default: e.is_default,
                    direction: if e.old == d.unit.id { "to" } else { "from" }.into(),
                    other: other.into(),
                })
                .collect(),
        }
    }
}

/// A new unit (typically an agency under an area).
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUnitRequest {
    /// `area` or `agency`.
    #[schema(pattern = "^(area|agency)$")]
    pub kind: String,
    /// Level code (one the instance knows: `central`, `province`, `commune`, …).
    #[schema(pattern = "^[a-z_]{1,32}$")]
    pub level: String,
    /// Code: 1–10 digits for an area (GSO code), 1–35 of `0-9 A-Z .` for an agency.
    #[schema(pattern = "^[0-9A-Z.]{1,35}$")]
    pub code: String,
    /// Name (not blank; spaces around it are dropped).
    #[schema(pattern = "\\S", max_length = 200)]
    pub name: String,
    /// Type word (tỉnh, xã, sở…).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub division_type: String,
    /// Parent id; absent for a top unit (system-wide administrators only).
    pub parent_id: Option<i64>,
    /// First day of existence.
    #[schema(schema_with = optional_date)]
    pub valid_from: Option<String>,
    /// Last day of existence (not before the first).
    #[schema(schema_with = optional_date)]
    pub valid_to: Option<String>,
}

/// A role grant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GrantDto {
    /// Identity.
    pub id: i64,
    /// Role code.
    pub role: String,
    /// The unit whose subtree it covers; absent for system-wide.
    pub unit: Option<UnitDto>,
}

/// A user.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserDto {
    /// Identity.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Home unit.
    pub unit: Option<UnitDto>,
    /// `vi` or `en`.
    pub locale: String,
    /// Where e-mail notifications go.
    pub email: Option<String>,
    /// Disabled users cannot log in.
    pub disabled: bool,
    /// Roles.
    pub grants: Vec<GrantDto>,
}

impl From<&UserView> for UserDto {
    fn from(v: &UserView) -> Self {
        UserDto {
            id: v.user.id.get(),
            username: v.user.username.clone(),
            display_name: v.user.display_name.clone(),
            unit: v.unit.as_ref().map(Into::into),
            locale: v.user.locale.clone(),
            email: v.user.email.clone(),
            disabled: v.user.disabled,
            grants: v
                .grants
                .iter()
                .map(|(g, u)| GrantDto {
                    id: g.id,
                    role: g.role.as_str().into(),
                    unit: u.as_ref().map(Into::into),
                })
                .collect(),
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// Login name: 3–64 of `a-z 0-9 . _ -` (stored in lower case).
    #[schema(pattern = "^[a-zA-Z0-9._-]{3,64}$")]
    pub username: String,
    /// Display name (not blank, at most 200 characters).
    #[schema(pattern = "\\S", max_length = 200)]
    pub display_name: String,
    /// Initial password: at least 10 characters, at most 1024 bytes.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    /// Home unit id (one the caller manages users on); absent for a system-wide user.
    pub unit_id: Option<i64>,
    /// `vi` (default when empty) or `en`.
    #[serde(default)]
    #[schema(pattern = "^(vi|en)?$")]
    pub locale: String,
    /// A role to grant on the home unit (system-wide without one), in the same transaction.
    #[schema(value_type = Option<RoleCode>)]
    pub role: Option<String>,
}

/// A role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RoleCode {
    /// Enters a unit's data (cán bộ nhập liệu).
    DataEntry,
    /// Reviews the reports a unit receives.
    Reviewer,
    /// Submits a unit's reports.
    UnitHead,
    /// Reads everything under a unit.
    Leader,
    /// Defines regimes and indicators.
    RegimeAdmin,
    /// Manages units and users.
    SystemAdmin,
    /// Another system sending reports.
    ConnectedSystem,
}

/// A role to grant.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantRequest {
    /// Role code.
    #[schema(value_type = RoleCode)]
    pub role: String,
    /// Unit whose subtree it covers (one the caller manages users on); absent for system-wide.
    pub unit_id: Option<i64>,
}

/// A new password.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordRequest {
    /// At least 10 characters, at most 1024 bytes.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    /// Keep the user's API tokens working (by default a new password revokes
    /// them with the sessions).
    #[serde(default)]
    pub keep_tokens: bool,
}

/// A new e-mail address.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailRequest {
    /// The address (at most 254 bytes); empty, null or absent for no e-mail.
    #[serde(default)]
    #[schema(schema_with = email_schema)]
    pub email: Option<String>,
}

/// A date (`YYYY-MM-DD`), or null.
fn optional_date() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

/// An e-mail address, or nothing.
fn email_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type};
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
                .max_length(Some(254)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(0)),
        )
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some("The address; empty, null or absent for no e-mail."))
        .into()
}

/// Created resource id.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    /// Identity.
    pub id: i64,
}
