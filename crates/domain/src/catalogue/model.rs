//! The types of the metadata document. Field names are the JSON names.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::deadline::DeadlineRule;
use crate::period::{Convention, Frequency, PeriodId};

/// The value of [`Metadata::format`] this version reads and writes.
pub const FORMAT: &str = "baocao-metadata/1";

/// A whole metadata document: what a province shares with another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Always [`FORMAT`].
    pub format: String,
    /// Disaggregation dimensions, by code.
    #[serde(default)]
    pub disaggregations: Vec<Disaggregation>,
    /// Indicators, by code (the current version of each).
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Regimes with all their versions, by code.
    #[serde(default)]
    pub regimes: Vec<Regime>,
    /// Requests of thematic and ad-hoc regimes, by code.
    #[serde(default)]
    pub requests: Vec<Request>,
}

impl Metadata {
    /// An empty document.
    pub fn empty() -> Self {
        Self {
            format: FORMAT.to_string(),
            disaggregations: Vec::new(),
            indicators: Vec::new(),
            regimes: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// Sorts every list by code, the order export writes.
    pub fn sort(&mut self) {
        self.disaggregations.sort_by(|a, b| a.code.cmp(&b.code));
        self.indicators.sort_by(|a, b| a.code.cmp(&b.code));
        self.regimes.sort_by(|a, b| a.code.cmp(&b.code));
        self.requests.sort_by(|a, b| a.code.cmp(&b.code));
    }

    /// The indicator with `code`.
    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    /// The disaggregation with `code`.
    pub fn disaggregation(&self, code: &str) -> Option<&Disaggregation> {
        self.disaggregations.iter().find(|d| d.code == code)
    }

    /// The regime with `code`.
    pub fn regime(&self, code: &str) -> Option<&Regime> {
        self.regimes.iter().find(|r| r.code == code)
    }

    /// The names of a cell in Vietnamese and English: its indicator's, and
    /// for one option of a disaggregation, the option's after a dash
    /// (`Lao động — Nữ`). `None` for an unknown indicator.
    pub fn cell_names(&self, cell: &str) -> Option<(String, String)> {
        let (code, option) = match cell.split_once('/') {
            Some((code, option)) => (code, Some(option)),
            None => (cell, None),
        };
        let indicator = self.indicator(code)?;
        let Some((dim, option)) = option.and_then(|o| o.split_once(':')) else {
            return Some((indicator.name_vi.clone(), indicator.name_en.clone()));
        };
        let option = self
            .disaggregation(dim)
            .and_then(|d| d.options.iter().find(|o| o.code == option))?;
        Some((
            format!("{} — {}", indicator.name_vi, option.name_vi),
            format!("{} — {}", indicator.name_en, option.name_en),
        ))
    }
}

/// A disaggregation dimension (phân tổ), e.g. sex with options male and female.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disaggregation {
    /// Code, e.g. `sex`.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// The options, in display order.
    pub options: Vec<DisaggregationOption>,
    /// Whether the options cover the whole (male and female), so that a
    /// total's parts, all given, add up to it exactly.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub complete: bool,
}

/// One option of a disaggregation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisaggregationOption {
    /// Code, e.g. `female`.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
}

/// What kind of value an indicator holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// A whole number (people, enterprises).
    Integer,
    /// A decimal number (billion VND, tonnes).
    Decimal,
    /// A percentage, 12.5 meaning 12.5 %.
    Percentage,
    /// Yes or no.
    YesNo,
    /// Free text.
    Text,
}

impl ValueType {
    /// Whether values are numbers (aggregated, targeted, used in formulas).
    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Integer | Self::Decimal | Self::Percentage)
    }

    /// The catalogue key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Integer => "value_type.integer",
            Self::Decimal => "value_type.decimal",
            Self::Percentage => "value_type.percentage",
            Self::YesNo => "value_type.yes_no",
            Self::Text => "value_type.text",
        }
    }
}

/// How values combine over units (a district from its communes) or over time
/// (a quarter from its months).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Sum of the values.
    Sum,
    /// Plain average.
    Average,
    /// Average weighted by the value of another indicator (e.g. a rate weighted
    /// by population).
    WeightedAverage(String),
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
    /// The value of the last period (stocks such as forest cover); over time only.
    Last,
    /// Not aggregated: the upper level enters its own value.
    None,
}

impl Aggregation {
    /// The catalogue key of its name.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Sum => "aggregation.sum",
            Self::Average => "aggregation.average",
            Self::WeightedAverage(_) => "aggregation.weighted_average",
            Self::Min => "aggregation.min",
            Self::Max => "aggregation.max",
            Self::Last => "aggregation.last",
            Self::None => "aggregation.none",
        }
    }
}

/// The nine fields of Decision 293/QĐ-TTg's indicator set.
pub const FIELDS: [&str; 9] = [
    "growth",
    "public_finance",
    "macro_stability",
    "business_environment",
    "labour",
    "social",
    "environment",
    "public_administration",
    "infrastructure_science",
];

/// An indicator (chỉ tiêu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Code, e.g. `KT01`; national statistical indicators use 4 digits (`0501`).
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Definition and method of calculation, Vietnamese.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub definition_vi: String,
    /// Definition, English.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub definition_en: String,
    /// One of [`FIELDS`], for indicators of Decision 293.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Unit of measure (đơn vị tính), Vietnamese, e.g. `tỷ đồng`.
    pub measure_vi: String,
    /// Unit of measure, English.
    pub measure_en: String,
    /// Value type.
    pub value_type: ValueType,
    /// Aggregation over units.
    pub over_units: Aggregation,
    /// Aggregation over time within a year.
    pub over_time: Aggregation,
    /// Codes of the disaggregations its values are broken down by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disaggregations: Vec<String>,
    /// Code of the indicator it feeds at the level above (national code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feeds: Option<String>,
    /// Formula over other indicators (`100 * A / B`); computed, not entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Targets by year and unit or level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// The smallest value that makes sense. When not given: 0 for counts
    /// and percentages, none for other numbers (a growth rate may fall).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Decimal>,
    /// The largest value that makes sense. When not given: 100 for
    /// percentages, none otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Decimal>,
}

impl Indicator {
    /// The natural bounds of its values: stated, or by its value type.
    pub fn bounds(&self) -> (Option<Decimal>, Option<Decimal>) {
        let min = self.min.or(match self.value_type {
            ValueType::Integer | ValueType::Percentage => Some(Decimal::ZERO),
            _ => None,
        });
        let max = self.max.or(match self.value_type {
            ValueType::Percentage => Some(Decimal::ONE_HUNDRED),
            _ => None,
        });
        (min, max)
    }
}

/// Who a target applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetScope {
    /// Every reporting unit.
    All,
    /// Units of one level (`province`, `district`, `commune`).
    Level(String),
    /// One unit, by its code.
    Unit(String),
}

/// A target (chỉ tiêu kế hoạch) for a year: a lower bound, an upper bound, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The year the target is for.
    pub year: i32,
    /// Who it applies to.
    pub applies_to: TargetScope,
    /// The value must be at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<Decimal>,
    /// The value must be at most this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<Decimal>,
}

/// A reporting regime (chế độ báo cáo) and its versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regime {
    /// Code, e.g. `BC-KTXH-T`.
    pub code: String,
    /// Versions, oldest first; each applies from its `from` period on.
    pub versions: Vec<RegimeVersion>,
}

impl Regime {
    /// `existing` (or a new regime `code` when there is none) with `version`
    /// in place of the one starting the same period, or added after the
    /// others: what the regime editor's save makes.
    pub fn with_version(existing: Option<Regime>, code: &str, version: RegimeVersion) -> Regime {
        let mut regime = existing.unwrap_or(Regime {
            code: code.to_string(),
            versions: Vec::new(),
        });
        match regime.versions.iter().position(|v| v.from == version.from) {
            Some(i) => regime.versions[i] = version,
            None => regime.versions.push(version),
        }
        regime
    }

    /// The version that applies to `period`: the last one starting on or before
    /// the period's first day. Its 1-based number with it.
    pub fn version_for(&self, period: &PeriodId) -> Option<(usize, &RegimeVersion)> {
        self.versions
            .iter()
            .enumerate()
            .rev()
            .find(|(_, v)| {
                v.from
                    .parse::<PeriodId>()
                    .is_ok_and(|from| from.first_day() <= period.first_day())
            })
            .map(|(i, v)| (i + 1, v))
    }

    /// Version `number` (1-based, as reports and pages count them).
    pub fn version(&self, number: usize) -> Option<&RegimeVersion> {
        number.checked_sub(1).and_then(|i| self.versions.get(i))
    }

    /// The newest version.
    pub fn latest(&self) -> Option<&RegimeVersion> {
        self.versions.last()
    }
}

/// Kind of regime (Decree 09 art. 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegimeKind {
    /// Periodic (định kỳ): due every period of its frequency.
    Periodic,
    /// Thematic (chuyên đề): due when requested, once or several times.
    Thematic,
    /// Ad hoc (đột xuất): due when requested.
    AdHoc,
}

impl RegimeKind {
    /// The catalogue key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Periodic => "regime_kind.periodic",
            Self::Thematic => "regime_kind.thematic",
            Self::AdHoc => "regime_kind.ad_hoc",
        }
    }
}

/// Method of sending and receiving (phương thức gửi, nhận báo cáo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Through the reporting information system.
    System,
    /// Electronic mail (fall-back).
    Email,
    /// Paper, by post or by hand (fall-back).
    Paper,
}

impl Method {
    /// Every method, in display order.
    pub const ALL: [Method; 3] = [Method::System, Method::Email, Method::Paper];

    /// The catalogue key of its name.
    pub fn key(self) -> &'static str {
        match self {
            Self::System => "method.system",
            Self::Email => "method.email",
            Self::Paper => "method.paper",
        }
    }

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Email => "email",
            Self::Paper => "paper",
        }
    }
}

/// One version of a regime: every field Decree 09 art. 7 asks a regime to state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeVersion {
    /// First period this version applies to (a period id).
    pub from: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Legal basis (căn cứ), e.g. the decision that issues the regime.
    pub legal_basis: String,
    /// Content required (nội dung yêu cầu báo cáo), Vietnamese.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content_vi: String,
    /// Content required, English.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content_en: String,
    /// Periodic, thematic or ad hoc.
    pub kind: RegimeKind,
    /// How often (ad_hoc for thematic and ad-hoc regimes).
    pub frequency: Frequency,
    /// Cut-off window convention.
    pub convention: Convention,
    /// Code of the unit that receives the reports.
    pub receiving_unit: String,
    /// Methods of sending and receiving.
    pub methods: Vec<Method>,
    /// Whether a report must carry a digital signature.
    #[serde(default)]
    pub signature_required: bool,
    /// Who reports, by stage, with each stage's deadline.
    pub reporting: Vec<ReportingGroup>,
    /// Numeric tables (biểu mẫu số liệu).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<NumericForm>,
    /// Narrative outline (đề cương).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outline: Vec<OutlineSection>,
    /// Checks run on a report before it can be submitted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation: Vec<ValidationRule>,
    /// Cells that must be filled before submission (`LD01`, `LD01/sex:female`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
}

/// How serious a failed validation rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Needs a written explanation to submit.
    Warning,
}

/// A validation rule (quy tắc kiểm tra): a true/false expression in the
/// formula language over the report's indicators. An option cell is written
/// with dots: `LD01.sex.female` for `LD01/sex:female`. A rule whose inputs are
/// missing is not evaluated (required cells are listed separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationRule {
    /// Code within the version, e.g. `R1`.
    pub code: String,
    /// The expression, e.g. `LD01 = LD01.sex.male + LD01.sex.female`.
    pub expression: String,
    /// Error or warning.
    pub severity: Severity,
    /// What to tell the user, Vietnamese.
    pub message_vi: String,
    /// What to tell the user, English.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message_en: String,
}

/// A group of reporting units and their deadline. Groups of a lower stage report
/// first (communes 1, districts 2, …); one cut-off window is common to all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingGroup {
    /// Vietnamese name, e.g. `UBND cấp xã`.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Which units: under the receiving unit, those matching the selector.
    pub select: UnitSelector,
    /// Stage in the cascade, 1 = reports first.
    pub stage: u8,
    /// The deadline rule; periodic regimes only (requests set their own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DeadlineRule>,
}

/// Selects reporting units: the listed units, or the units under the receiving
/// unit that have the level and/or kind given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSelector {
    /// Level code (`province`, `district`, `commune`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Unit kind (`area` or `agency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Unit codes, when the group is a list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<String>,
}

/// A numeric table (biểu mẫu số liệu): rows are indicators (and their
/// disaggregation options), columns what the form shows for each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericForm {
    /// Code within the version, e.g. `B01`.
    pub code: String,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Columns, left to right.
    pub columns: Vec<Column>,
    /// Rows, top to bottom.
    pub rows: Vec<FormRow>,
}

/// A column of a numeric table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// Code within the form, usable in column formulas (`C1`).
    pub code: String,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Where its values come from.
    pub source: ColumnSource,
}

/// Where a column's values come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnSource {
    /// Entered: the value for the reporting period.
    Current,
    /// Entered or carried over: the same period of the previous year.
    SamePeriodLastYear,
    /// Cumulative from the start of the year to the end of the period.
    YearToDate,
    /// The indicator's target for the year.
    Target,
    /// Computed from the row's other columns (`100 * C1 / C2`).
    Formula(String),
}

impl ColumnSource {
    /// The catalogue key of its name.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Current => "column_source.current",
            Self::SamePeriodLastYear => "column_source.same_period_last_year",
            Self::YearToDate => "column_source.year_to_date",
            Self::Target => "column_source.target",
            Self::Formula(_) => "column_source.formula",
        }
    }
}

/// A row of a numeric table: an indicator, optionally broken down by its
/// disaggregation options (one sub-row per option after the total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormRow {
    /// Indicator code.
    pub indicator: String,
    /// Show one row per disaggregation option under the total.
    #[serde(default, skip_serializing_if = "is_false")]
    pub breakdown: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A section of the narrative outline (đề cương báo cáo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlineSection {
    /// Its number as printed (`I`, `1`, `1.1`).
    pub number: String,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// What to write, Vietnamese.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guidance_vi: String,
    /// What to write, English.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub guidance_en: String,
}

/// A request (yêu cầu báo cáo) of a thematic or ad-hoc regime: who must report,
/// the cut-off window and the deadline, all set here rather than in the regime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Code, e.g. `YC-2026-01`.
    pub code: String,
    /// Code of the thematic or ad-hoc regime whose forms it uses.
    pub regime: String,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Code of the issuing unit.
    pub issued_by: String,
    /// First day of the cut-off window.
    pub window_first: NaiveDate,
    /// Last day of the cut-off window.
    pub window_last: NaiveDate,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Codes of the units that must report.
    pub units: Vec<String>,
}
