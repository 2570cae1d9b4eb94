//! Roles and scoped access.
//!
//! A role is granted on a unit subtree (or on the whole system): a commune officer
//! acts only for its commune, a province reviewer for its whole province. Whether a
//! user may do something to a unit is decided here, from the user's grants, the
//! target unit's ancestry and the permission — a pure function the server calls
//! for every endpoint and page.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::unit::UnitId;
use crate::Message;

/// The roles of DESIGN.md §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Data-entry officer (cán bộ nhập liệu): fills in the unit's reports.
    DataEntry,
    /// Reviewer (chuyên viên tổng hợp): checks incoming reports, accepts or returns them.
    Reviewer,
    /// Unit head (lãnh đạo đơn vị): signs and submits the unit's report.
    UnitHead,
    /// Leader (lãnh đạo): reads dashboards.
    Leader,
    /// Regime administrator: defines indicators, regimes, forms, deadlines.
    RegimeAdmin,
    /// System administrator: units, users, roles, connections.
    SystemAdmin,
    /// Another reporting system exchanging reports through the API.
    ConnectedSystem,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 7] = [
        Role::DataEntry,
        Role::Reviewer,
        Role::UnitHead,
        Role::Leader,
        Role::RegimeAdmin,
        Role::SystemAdmin,
        Role::ConnectedSystem,
    ];

    /// The stable stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::DataEntry => "data_entry",
            Role::Reviewer => "reviewer",
            Role::UnitHead => "unit_head",
            Role::Leader => "leader",
            Role::RegimeAdmin => "regime_admin",
            Role::SystemAdmin => "system_admin",
            Role::ConnectedSystem => "connected_system",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Result<Role, AccessError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| AccessError::UnknownRole(text.to_string()))
    }

    /// The catalogue key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::DataEntry => "role.data_entry",
            Role::Reviewer => "role.reviewer",
            Role::UnitHead => "role.unit_head",
            Role::Leader => "role.leader",
            Role::RegimeAdmin => "role.regime_admin",
            Role::SystemAdmin => "role.system_admin",
            Role::ConnectedSystem => "role.connected_system",
        }
    }

    /// Whether the role carries the permission (before looking at units).
    pub fn has(self, permission: Permission) -> bool {
        use Permission::*;
        match permission {
            // Anyone with a role somewhere may look at the units around it.
            ViewUnit => true,
            EnterData => self == Role::DataEntry,
            SubmitReport => self == Role::UnitHead,
            ReviewReport => self == Role::Reviewer,
            ViewDashboard => matches!(self, Role::Leader | Role::Reviewer | Role::UnitHead),
            DefineRegimes => self == Role::RegimeAdmin,
            ManageUnits | ManageUsers => self == Role::SystemAdmin,
            ExchangeReports => self == Role::ConnectedSystem,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Things a user may be allowed to do to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the unit's details, children and ancestors.
    ViewUnit,
    /// Fill in the unit's reports.
    EnterData,
    /// Submit (and sign) the unit's report.
    SubmitReport,
    /// Accept or return reports sent to the unit.
    ReviewReport,
    /// Read the unit's dashboards.
    ViewDashboard,
    /// Define indicators and regimes owned by the unit.
    DefineRegimes,
    /// Change the unit and its subtree, import units.
    ManageUnits,
    /// Create users and grant roles within the unit's subtree.
    ManageUsers,
    /// Exchange reports with the unit as another system.
    ExchangeReports,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 9] = [
        Permission::ViewUnit,
        Permission::EnterData,
        Permission::SubmitReport,
        Permission::ReviewReport,
        Permission::ViewDashboard,
        Permission::DefineRegimes,
        Permission::ManageUnits,
        Permission::ManageUsers,
        Permission::ExchangeReports,
    ];
}

/// A role granted on a unit subtree, with the path from that unit to the root
/// (the unit first), or on the whole system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where it applies: `None` is the whole system.
    pub scope: Option<Scope>,
}

/// The unit a grant applies to and its ancestry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The granted unit.
    pub unit: UnitId,
    /// Its ancestors, nearest first (parent, grandparent, …).
    pub ancestors: Vec<UnitId>,
}

/// The unit an action is about: the unit itself and its ancestors, nearest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    /// The unit.
    pub unit: UnitId,
    /// Its ancestors, nearest first.
    pub ancestors: &'a [UnitId],
}

impl Target<'_> {
    fn is_within(&self, root: UnitId) -> bool {
        self.unit == root || self.ancestors.contains(&root)
    }
}

/// Database identity of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(i64);

impl UserId {
    /// The operator of the machine (the command line), who is no stored user.
    pub const SYSTEM: UserId = UserId(0);

    /// The user with this database identity.
    pub const fn new(id: i64) -> Self {
        UserId(id)
    }

    /// The database identity.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Who is acting: a user with its grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user's id ([`UserId::SYSTEM`] for the command line's operator).
    pub user_id: UserId,
    /// Login name.
    pub username: String,
    /// The user's grants.
    pub grants: Vec<Grant>,
}

impl Principal {
    /// The stored user acting, for records of who did what (`None` for the
    /// command line's operator).
    pub fn actor(&self) -> Option<UserId> {
        Some(self.user_id).filter(|id| *id != UserId::SYSTEM)
    }

    /// Whether one of the principal's grants, whatever its role, covers
    /// `target` (is on the unit or above it), or the whole system: the unit's
    /// own staff and the levels it reports to. Unlike viewing a unit, this does
    /// not reach up the principal's own ancestry: a commune officer does not
    /// oversee its district.
    pub fn oversees(&self, target: &Target<'_>) -> bool {
        self.grants.iter().any(|g| match &g.scope {
            None => true,
            Some(scope) => target.is_within(scope.unit),
        })
    }

    /// Whether the principal may read a unit's reports (drafts, versions,
    /// attachments): the unit's own staff, the levels above it, and the
    /// reviewers of the unit they are sent to. Lower levels and neighbours do
    /// not see them, not even that they exist.
    pub fn may_read_reports(&self, unit: &Target<'_>, receiver: UnitId) -> bool {
        self.oversees(unit) || self.acts_for(Permission::ReviewReport, receiver)
    }

    /// Whether the principal may act with `permission` on `target`.
    ///
    /// A grant covers its unit's subtree. Viewing also covers the granted unit's
    /// ancestors, so that a commune officer can see the district and province it
    /// reports to — but not its siblings.
    pub fn may(&self, permission: Permission, target: &Target<'_>) -> bool {
        self.grants.iter().any(|g| {
            g.role.has(permission)
                && match &g.scope {
                    None => true,
                    Some(scope) => {
                        target.is_within(scope.unit)
                            || (permission == Permission::ViewUnit
                                && scope.ancestors.contains(&target.unit))
                    }
                }
        })
    }

    /// Whether the principal holds `permission` somewhere (for menus).
    pub fn may_somewhere(&self, permission: Permission) -> bool {
        self.grants.iter().any(|g| g.role.has(permission))
    }

    /// Whether some grant with `permission` covers the whole system.
    pub fn may_everywhere(&self, permission: Permission) -> bool {
        self.grants
            .iter()
            .any(|g| g.scope.is_none() && g.role.has(permission))
    }
    /// Whether the principal holds `permission` on exactly `unit` — not through a
    /// grant higher up. Entering, submitting and reviewing a unit's reports is
    /// done by that unit's own staff: a higher level never changes a lower
    /// level's figures, it returns the report.
    pub fn acts_for(&self, permission: Permission, unit: UnitId) -> bool {
        self.grants
            .iter()
            .any(|g| g.role.has(permission) && g.scope.as_ref().is_some_and(|s| s.unit == unit))
    }

    /// The units on which the principal holds `permission` directly.
    pub fn units_acting_for(&self, permission: Permission) -> Vec<UnitId> {
        let mut units: Vec<UnitId> = self
            .grants
            .iter()
            .filter(|g| g.role.has(permission))
            .filter_map(|g| g.scope.as_ref().map(|s| s.unit))
            .collect();
        units.sort();
        units.dedup();
        units
    }

    /// Whether the principal holds `permission` system-wide or on a top-level
    /// unit (one without a parent, e.g. the province of a provincial instance):
    /// what shared objects such as the indicator catalogue require.
    pub fn may_at_top(&self, permission: Permission) -> bool {
        self.grants.iter().any(|g| {
            g.role.has(permission) && g.scope.as_ref().is_none_or(|s| s.ancestors.is_empty())
        })
    }

    /// The units whose subtrees the principal may act on with `permission`;
    /// `None` when it may act everywhere.
    pub fn roots(&self, permission: Permission) -> Option<Vec<UnitId>> {
        if self.may_everywhere(permission) {
            return None;
        }
        let mut roots: Vec<UnitId> = self
            .grants
            .iter()
            .filter(|g| g.role.has(permission))
            .filter_map(|g| g.scope.as_ref().map(|s| s.unit))
            .collect();
        roots.sort();
        roots.dedup();
        Some(roots)
    }
}

/// Errors about roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// Not one of the known roles.
    #[error("unknown role {0:?}")]
    UnknownRole(String),
}

impl AccessError {
    /// The translatable message for users.
    pub fn message(&self) -> Message {
        match self {
            AccessError::UnknownRole(r) => Message::new("role.error.unknown").arg("value", r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // province 1 > district 2 > communes 3 and 4; district 5 is 2's sibling.
    const PROVINCE: UnitId = UnitId::new(1);
    const DISTRICT: UnitId = UnitId::new(2);
    const COMMUNE: UnitId = UnitId::new(3);
    const SIBLING_COMMUNE: UnitId = UnitId::new(4);
    const OTHER_DISTRICT: UnitId = UnitId::new(5);

    fn ancestry(unit: UnitId) -> Vec<UnitId> {
        match unit.get() {
            1 => vec![],
            2 | 5 => vec![PROVINCE],
            3 | 4 => vec![DISTRICT, PROVINCE],
            _ => unreachable!(),
        }
    }

    fn principal(role: Role, unit: UnitId) -> Principal {
        Principal {
            user_id: UserId::new(1),
            username: "u".into(),
            grants: vec![Grant {
                role,
                scope: Some(Scope {
                    unit,
                    ancestors: ancestry(unit),
                }),
            }],
        }
    }

    fn may(p: &Principal, perm: Permission, unit: UnitId) -> bool {
        let ancestors = ancestry(unit);
        p.may(
            perm,
            &Target {
                unit,
                ancestors: &ancestors,
            },
        )
    }

    #[test]
    fn a_grant_covers_its_subtree_only() {
        let reviewer = principal(Role::Reviewer, DISTRICT);
        assert!(may(&reviewer, Permission::ReviewReport, DISTRICT));
        assert!(may(&reviewer, Permission::ReviewReport, COMMUNE));
        assert!(!may(&reviewer, Permission::ReviewReport, PROVINCE));
        assert!(!may(&reviewer, Permission::ReviewReport, OTHER_DISTRICT));
        assert!(!may(&reviewer, Permission::EnterData, COMMUNE));
    }

    #[test]
    fn viewing_reaches_up_the_ancestry_but_not_sideways() {
        let officer = principal(Role::DataEntry, COMMUNE);
        assert!(may(&officer, Permission::ViewUnit, COMMUNE));
        assert!(may(&officer, Permission::ViewUnit, DISTRICT));
        assert!(may(&officer, Permission::ViewUnit, PROVINCE));
        assert!(!may(&officer, Permission::ViewUnit, SIBLING_COMMUNE));
        assert!(!may(&officer, Permission::ViewUnit, OTHER_DISTRICT));
        // Seeing its parent is not acting for it.
        assert!(may(&officer, Permission::EnterData, COMMUNE));
        assert!(!may(&officer, Permission::EnterData, DISTRICT));
    }

    #[test]
    fn a_system_wide_grant_covers_everything_for_its_role_only() {
        let admin = Principal {
            user_id: UserId::new(1),
            username: "admin".into(),
            grants: vec![Grant {
                role: Role::SystemAdmin,
                scope: None,
            }],
        };
        for unit in [PROVINCE, DISTRICT, COMMUNE, OTHER_DISTRICT] {
            assert!(may(&admin, Permission::ManageUsers, unit));
            assert!(!may(&admin, Permission::EnterData, unit));
        }
        assert_eq!(admin.roots(Permission::ManageUsers), None);
        assert_eq!(admin.roots(Permission::EnterData), Some(vec![]));
    }
    #[test]
    fn reports_are_read_by_the_unit_and_the_levels_above_not_below_or_beside() {
        let read = |p: &Principal, unit: UnitId, receiver: UnitId| {
            let ancestors = ancestry(unit);
            p.may_read_reports(
                &Target {
                    unit,
                    ancestors: &ancestors,
                },
                receiver,
            )
        };
        let officer = principal(Role::DataEntry, COMMUNE);
        assert!(read(&officer, COMMUNE, DISTRICT));
        // It may look at its district's page, not at its district's reports.
        assert!(may(&officer, Permission::ViewUnit, DISTRICT));
        assert!(!read(&officer, DISTRICT, PROVINCE));
        assert!(!read(&officer, PROVINCE, PROVINCE));
        assert!(!read(&officer, SIBLING_COMMUNE, DISTRICT));
        let leader = principal(Role::Leader, DISTRICT);
        assert!(read(&leader, COMMUNE, DISTRICT));
        assert!(read(&leader, DISTRICT, PROVINCE));
        assert!(!read(&leader, OTHER_DISTRICT, PROVINCE));
        // An agency reporting to the district is read by the district's reviewers.
        let reviewer = principal(Role::Reviewer, DISTRICT);
        assert!(read(&reviewer, OTHER_DISTRICT, DISTRICT));
        assert!(!principal(Role::Leader, DISTRICT).may_read_reports(
            &Target {
                unit: OTHER_DISTRICT,
                ancestors: &ancestry(OTHER_DISTRICT)
            },
            DISTRICT
        ));
    }

    #[test]
    fn acting_for_a_unit_needs_a_grant_on_that_unit() {
        let p = principal(Role::DataEntry, DISTRICT);
        assert!(p.acts_for(Permission::EnterData, DISTRICT));
        assert!(!p.acts_for(Permission::EnterData, COMMUNE));
        assert!(!p.acts_for(Permission::SubmitReport, DISTRICT));
        assert_eq!(p.units_acting_for(Permission::EnterData), vec![DISTRICT]);
    }

    #[test]
    fn the_top_needs_a_grant_on_a_unit_without_parent() {
        assert!(principal(Role::RegimeAdmin, PROVINCE).may_at_top(Permission::DefineRegimes));
        assert!(!principal(Role::RegimeAdmin, DISTRICT).may_at_top(Permission::DefineRegimes));
        assert!(!principal(Role::SystemAdmin, PROVINCE).may_at_top(Permission::DefineRegimes));
    }

    #[test]
    fn no_grant_no_access() {
        let nobody = Principal {
            user_id: UserId::new(1),
            username: "x".into(),
            grants: vec![],
        };
        for perm in Permission::ALL {
            assert!(!may(&nobody, perm, COMMUNE));
        }
    }

    #[test]
    fn each_permission_belongs_to_the_expected_roles() {
        let holders = |perm: Permission| -> Vec<Role> {
            Role::ALL.into_iter().filter(|r| r.has(perm)).collect()
        };
        assert_eq!(holders(Permission::ManageUsers), vec![Role::SystemAdmin]);
        assert_eq!(holders(Permission::EnterData), vec![Role::DataEntry]);
        assert_eq!(holders(Permission::SubmitReport), vec![Role::UnitHead]);
        assert_eq!(holders(Permission::ReviewReport), vec![Role::Reviewer]);
        assert_eq!(holders(Permission::DefineRegimes), vec![Role::RegimeAdmin]);
        assert_eq!(
            holders(Permission::ExchangeReports),
            vec![Role::ConnectedSystem]
        );
        assert_eq!(holders(Permission::ViewUnit).len(), Role::ALL.len());
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("king").is_err());
    }
}
