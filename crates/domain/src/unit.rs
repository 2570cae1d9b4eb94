//! Org units (đơn vị): the nodes of the administrative hierarchy.
//!
//! Two kinds: administrative areas (central, province, district, commune — each
//! stands for its People's Committee) and agencies (departments, ministries) that
//! belong to an area. Levels are data, not an enum: Vietnam had three local levels
//! until 30 June 2025 and has two since 1 July 2025, and a national instance adds
//! the central level. Codes are reused across the two structures (a 2025 commune
//! takes one predecessor's code), so a unit is identified by its id, and by
//! (kind, level, code, start of validity) in imports.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Message;

/// Database identity of an org unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnitId(i64);

impl UnitId {
    /// The unit with this database identity.
    pub const fn new(id: i64) -> Self {
        UnitId(id)
    }

    /// The database identity.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// An administrative area and its People's Committee (UBND).
    Area,
    /// An agency (cơ quan): department, ministry, office.
    Agency,
}

impl UnitKind {
    /// The stable text stored in the database and used by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Area => "area",
            UnitKind::Agency => "agency",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Result<Self, UnitError> {
        match text {
            "area" => Ok(UnitKind::Area),
            "agency" => Ok(UnitKind::Agency),
            other => Err(UnitError::UnknownKind(other.to_string())),
        }
    }
}

/// A level of the hierarchy (cấp): `central`, `province`, `district`, `commune`, or
/// another one an administrator defines. Lower case ASCII letters and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Level(String);

impl Level {
    /// Parses a level code.
    pub fn parse(text: &str) -> Result<Self, UnitError> {
        let ok = !text.is_empty()
            && text.len() <= 32
            && text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
        if ok {
            Ok(Level(text.to_string()))
        } else {
            Err(UnitError::BadLevel(text.to_string()))
        }
    }

    /// The level code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Level {
    type Error = UnitError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Level::parse(&value)
    }
}

impl From<Level> for String {
    fn from(value: Level) -> Self {
        value.0
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The code of a unit, valid for its kind.
///
/// Areas carry the GSO code: digits only, 2 for a province, 3 for a district,
/// 5 for a commune (Decisions 124/2004 and 19/2025/QĐ-TTg). Agencies carry an
/// identifier code of Decision 20/2020/QĐ-TTg: up to 35 characters from
/// `0-9 A-Z .`, e.g. `G22` or the legacy `000.00.00.H40`; kept as an opaque string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnitCode(String);

impl UnitCode {
    /// Parses a code for a unit of the given kind.
    pub fn parse(kind: UnitKind, text: &str) -> Result<Self, UnitError> {
        let valid = match kind {
            UnitKind::Area => {
                (1..=10).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
            }
            UnitKind::Agency => {
                (1..=35).contains(&text.len())
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'.')
            }
        };
        if valid {
            Ok(UnitCode(text.to_string()))
        } else {
            Err(UnitError::BadCode {
                kind,
                code: text.to_string(),
            })
        }
    }

    /// The code text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The dates between which a unit exists, both ends inclusive; `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Validity {
    /// First day the unit exists, if known.
    pub from: Option<NaiveDate>,
    /// Last day the unit exists, if it has ended.
    pub to: Option<NaiveDate>,
}

impl Validity {
    /// A validity interval; refuses one that ends before it starts.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Self, UnitError> {
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                return Err(UnitError::BadValidity { from: f, to: t });
            }
        }
        Ok(Validity { from, to })
    }

    /// Whether the unit exists on `date`.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }
}

/// An org unit as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUnit {
    /// Identity.
    pub id: UnitId,
    /// Area or agency.
    pub kind: UnitKind,
    /// Level in the hierarchy.
    pub level: Level,
    /// GSO or agency identifier code.
    pub code: UnitCode,
    /// Full official name, type word included ("Tỉnh Nghệ An").
    pub name: String,
    /// Leading type word, lower case ("tỉnh", "xã", "sở").
    pub division_type: String,
    /// The unit above, if any.
    pub parent: Option<UnitId>,
    /// When the unit exists.
    pub validity: Validity,
    /// Approximate point (WGS84 latitude), for rough map placement only.
    pub lat: Option<f64>,
    /// Approximate point (WGS84 longitude).
    pub lon: Option<f64>,
}

/// How an old unit went into a new one at a reorganisation (sáp nhập, chia tách).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReorgKind {
    /// The old unit went entirely into the new one.
    Whole,
    /// The old unit was divided; this is one of its receiving units.
    Split,
}

impl ReorgKind {
    /// The stable stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            ReorgKind::Whole => "whole",
            ReorgKind::Split => "split",
        }
    }

    /// Parses the stored text.
    pub fn parse(text: &str) -> Result<Self, UnitError> {
        match text {
            "whole" => Ok(ReorgKind::Whole),
            "split" => Ok(ReorgKind::Split),
            other => Err(UnitError::BadReorgKind(other.to_string())),
        }
    }
}

/// Errors in unit data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitError {
    /// Neither `area` nor `agency`.
    #[error("unknown unit kind {0:?}")]
    UnknownKind(String),
    /// Not a valid level code.
    #[error("invalid level {0:?}")]
    BadLevel(String),
    /// Not a valid code for the unit's kind.
    #[error("invalid code {code:?} for a unit of kind {kind:?}")]
    BadCode {
        /// The unit's kind.
        kind: UnitKind,
        /// The refused code.
        code: String,
    },
    /// Ends before it starts.
    #[error("validity ends {to} before it starts {from}")]
    BadValidity {
        /// Start.
        from: NaiveDate,
        /// End.
        to: NaiveDate,
    },
    /// Neither `whole` nor `split`.
    #[error("unknown reorganisation kind {0:?}")]
    BadReorgKind(String),
}

impl UnitError {
    /// The translatable message for users.
    pub fn message(&self) -> Message {
        match self {
            UnitError::UnknownKind(k) => Message::new("unit.error.kind").arg("value", k),
            UnitError::BadLevel(l) => Message::new("unit.error.level").arg("value", l),
            UnitError::BadCode { kind, code } => Message::new(match kind {
                UnitKind::Area => "unit.error.area_code",
                UnitKind::Agency => "unit.error.agency_code",
            })
            .arg("value", code),
            UnitError::BadValidity { from, to } => Message::new("unit.error.validity")
                .arg("from", from)
                .arg("to", to),
            UnitError::BadReorgKind(k) => Message::new("unit.error.reorg_kind").arg("value", k),
        }
    }
}

/// One unit as read from an import file, before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitRecord {
    /// Line of the file (1 = header), for error messages.
    pub line: u64,
    /// Area or agency.
    pub kind: UnitKind,
    /// Level.
    pub level: Level,
    /// Code.
    pub code: UnitCode,
    /// Name.
    pub name: String,
    /// Type word.
    pub division_type: String,
    /// Code of the parent unit (an earlier record of the same file, or a unit
    /// already stored), if any.
    pub parent_code: Option<UnitCode>,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lon: Option<f64>,
}

/// One row of a reorganisation mapping file: old unit → new unit.
#[derive(Debug, Clone, PartialEq)]
pub struct ReorgRecord {
    /// Line of the file, for error messages.
    pub line: u64,
    /// Level of the old unit.
    pub old_level: Level,
    /// Code of the old unit (in the old structure).
    pub old_code: UnitCode,
    /// Level of the new unit.
    pub new_level: Level,
    /// Code of the new unit (in the new structure).
    pub new_code: UnitCode,
    /// Whole or split.
    pub kind: ReorgKind,
    /// The default target when old data is mapped onto new units.
    pub is_default: bool,
}

/// A problem found in one line of an import file.
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    /// Line number (1 = header).
    pub line: u64,
    /// What is wrong.
    pub message: Message,
}

/// Longest unit name (and type word) kept, in characters: official names are
/// well under a hundred ("Sở Nông nghiệp và Môi trường tỉnh Nghệ An").
pub const MAX_NAME_CHARS: usize = 200;

/// A unit's name and type word: not empty, at most [`MAX_NAME_CHARS`].
pub fn check_unit_name(name: &str, division_type: &str) -> Result<(), Message> {
    if name.trim().is_empty() {
        return Err(Message::new("unit.import.empty_name"));
    }
    if name.chars().count() > MAX_NAME_CHARS || division_type.chars().count() > MAX_NAME_CHARS {
        return Err(Message::new("unit.import.name_too_long").arg("max", MAX_NAME_CHARS));
    }
    Ok(())
}

/// Ranks of the known levels, smaller is higher (`central` 0, `commune` 3).
pub type LevelRanks = HashMap<Level, i64>;

/// Checks one structure file before anything is stored: every level is known,
/// no code appears twice at one level, every parent exists (in the file or among
/// `existing_parents`, keyed by level and code) and sits at a higher level.
/// Returns every problem found, in line order, so a user can fix the file at once.
pub fn check_unit_records(
    records: &[UnitRecord],
    ranks: &LevelRanks,
    existing_parents: &HashMap<UnitCode, Vec<Level>>,
) -> Result<(), Vec<LineError>> {
    let mut errors = Vec::new();
    let mut seen: HashMap<(&Level, &UnitCode), u64> = HashMap::new();
    let mut by_code: HashMap<&UnitCode, Vec<&Level>> = HashMap::new();
    for r in records {
        by_code.entry(&r.code).or_default().push(&r.level);
    }
    for r in records {
        let Some(rank) = ranks.get(&r.level) else {
            errors.push(LineError {
                line: r.line,
                message: Message::new("unit.import.unknown_level").arg("level", &r.level),
            });
            continue;
        };
        if let Some(first) = seen.insert((&r.level, &r.code), r.line) {
            errors.push(LineError {
                line: r.line,
                message: Message::new("unit.import.duplicate_code")
                    .arg("code", &r.code)
                    .arg("first", first),
            });
        }
        if let Err(message) = check_unit_name(&r.name, &r.division_type) {
            errors.push(LineError {
                line: r.line,
                message,
            });
        }
        if let Some(parent) = &r.parent_code {
            let mut candidates: Vec<&Level> = by_code.get(parent).cloned().unwrap_or_default();
            if let Some(stored) = existing_parents.get(parent) {
                candidates.extend(stored.iter());
            }
            let higher = candidates
                .iter()
                .any(|l| ranks.get(*l).is_some_and(|pr| pr < rank));
            if !higher {
                errors.push(LineError {
                    line: r.line,
                    message: Message::new("unit.import.unknown_parent").arg("code", parent),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranks() -> LevelRanks {
        [("province", 1), ("district", 2), ("commune", 3)]
            .into_iter()
            .map(|(l, r)| (Level::parse(l).unwrap(), r))
            .collect()
    }

    fn rec(line: u64, level: &str, code: &str, parent: Option<&str>) -> UnitRecord {
        UnitRecord {
            line,
            kind: UnitKind::Area,
            level: Level::parse(level).unwrap(),
            code: UnitCode::parse(UnitKind::Area, code).unwrap(),
            name: format!("Unit {code}"),
            division_type: String::new(),
            parent_code: parent.map(|p| UnitCode::parse(UnitKind::Area, p).unwrap()),
            lat: None,
            lon: None,
        }
    }

    #[test]
    fn codes_are_checked_per_kind() {
        assert!(UnitCode::parse(UnitKind::Area, "40").is_ok());
        assert!(UnitCode::parse(UnitKind::Area, "4A").is_err());
        assert!(UnitCode::parse(UnitKind::Area, "").is_err());
        assert!(UnitCode::parse(UnitKind::Agency, "000.00.00.H40").is_ok());
        assert!(UnitCode::parse(UnitKind::Agency, "G22").is_ok());
        assert!(UnitCode::parse(UnitKind::Agency, "g22").is_err());
        assert!(UnitCode::parse(UnitKind::Agency, &"A".repeat(36)).is_err());
        assert!(UnitCode::parse(UnitKind::Agency, &"A".repeat(35)).is_ok());
    }

    #[test]
    fn validity_contains_its_inclusive_ends() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let v = Validity::new(None, Some(d("2025-06-30"))).unwrap();
        assert!(v.contains(d("2025-06-30")));
        assert!(!v.contains(d("2025-07-01")));
        let v = Validity::new(Some(d("2025-07-01")), None).unwrap();
        assert!(!v.contains(d("2025-06-30")));
        assert!(v.contains(d("2030-01-01")));
        assert!(Validity::new(Some(d("2025-07-01")), Some(d("2025-06-30"))).is_err());
    }

    #[test]
    fn a_consistent_file_passes() {
        let records = vec![
            rec(2, "province", "40", None),
            rec(3, "district", "412", Some("40")),
            rec(4, "commune", "16681", Some("412")),
        ];
        assert_eq!(
            check_unit_records(&records, &ranks(), &HashMap::new()),
            Ok(())
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let records = vec![
            rec(2, "province", "40", None),
            rec(3, "district", "412", Some("40")),
            rec(4, "district", "412", Some("40")),
            rec(5, "commune", "16681", Some("999")),
            rec(6, "hamlet", "1", Some("412")),
            // A parent at the same level is not a parent.
            rec(7, "commune", "16682", Some("16681")),
        ];
        let errors = check_unit_records(&records, &ranks(), &HashMap::new()).unwrap_err();
        let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.message.key)).collect();
        assert_eq!(
            got,
            vec![
                (4, "unit.import.duplicate_code"),
                (5, "unit.import.unknown_parent"),
                (6, "unit.import.unknown_level"),
                (7, "unit.import.unknown_parent"),
            ]
        );
        assert_eq!(errors[0].message.args[1], ("first", "3".to_string()));
    }

    #[test]
    fn a_parent_may_already_be_stored() {
        let records = vec![rec(2, "commune", "16681", Some("412"))];
        let mut existing = HashMap::new();
        existing.insert(
            UnitCode::parse(UnitKind::Area, "412").unwrap(),
            vec![Level::parse("district").unwrap()],
        );
        assert_eq!(check_unit_records(&records, &ranks(), &existing), Ok(()));
    }
}
