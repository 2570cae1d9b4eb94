//! The editor's fields as text, built from a stored version or from a posted
//! form (so that a refused form comes back with what the user typed), the
//! words the select lists post for the domain's values, and the row
//! operations (add, move, remove) a form button asks for.

use std::collections::HashMap;

use baocao_domain::catalogue::{
    Column, ColumnSource, NumericForm, OutlineSection, RegimeKind, RegimeVersion, ReportingGroup,
    Severity, ValidationRule,
};
use baocao_domain::deadline::DeadlineRule;
use baocao_domain::period::{Convention, Frequency};

/// A select list's options: the text a form posts for each value.
pub type Options<T> = [(&'static str, T)];

/// The kinds of regime.
pub const KINDS: [(&str, RegimeKind); 3] = [
    ("periodic", RegimeKind::Periodic),
    ("thematic", RegimeKind::Thematic),
    ("ad_hoc", RegimeKind::AdHoc),
];

/// The frequencies.
pub const FREQUENCIES: [(&str, Frequency); 6] = [
    ("monthly", Frequency::Monthly),
    ("quarterly", Frequency::Quarterly),
    ("half_yearly", Frequency::HalfYearly),
    ("nine_months", Frequency::NineMonths),
    ("yearly", Frequency::Yearly),
    ("ad_hoc", Frequency::AdHoc),
];

/// The cut-off conventions.
pub const CONVENTIONS: [(&str, Convention); 2] = [
    ("administrative", Convention::Administrative),
    ("calendar", Convention::Calendar),
];

/// The severities of a validation rule.
pub const SEVERITIES: [(&str, Severity); 2] =
    [("error", Severity::Error), ("warning", Severity::Warning)];

/// The kinds of deadline rule a reporting group may have (`none`: each request sets it).
pub const RULES: [(&str, RuleKind); 3] = [
    ("working_days", RuleKind::WorkingDays),
    ("fixed_day", RuleKind::FixedDay),
    ("none", RuleKind::InRequest),
];

/// What the deadline select of a reporting group chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// The n-th working day after the cut-off window.
    WorkingDays,
    /// A day of the month, some months after the window.
    FixedDay,
    /// Set by each request (thematic and ad-hoc regimes).
    InRequest,
}

/// The text a select list posts for `value`.
pub fn text_of<T: PartialEq + Copy>(options: &Options<T>, value: T) -> &'static str {
    options
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(text, _)| *text)
        .unwrap_or_default()
}

/// The value a select list's `text` stands for.
pub fn value_of<T: Copy>(options: &Options<T>, text: &str) -> Option<T> {
    options.iter().find(|(t, _)| *t == text).map(|(_, v)| *v)
}

/// The editor's fields.
#[derive(Debug, Clone, Default)]
pub struct EditorFields {
    pub code: String,
    pub from: String,
    pub name_vi: String,
    pub name_en: String,
    pub legal_basis: String,
    pub content_vi: String,
    pub content_en: String,
    pub kind: String,
    pub frequency: String,
    pub convention: String,
    pub receiving_unit: String,
    pub methods: Vec<String>,
    pub signature_required: bool,
    pub groups: Vec<GroupFields>,
    pub forms: Vec<FormFields>,
    /// The narrative outline, a section a row.
    pub outline: Vec<SectionFields>,
    /// The validation rules, a rule a row.
    pub validation: Vec<RuleFields>,
    /// Cell codes, separated by blanks, commas or semicolons.
    pub required: String,
    /// Problems with the fields above the rows (in words).
    pub problems: Vec<String>,
}

/// A validation rule's fields (`v0_code`, `v0_severity`, …).
#[derive(Debug, Clone, Default)]
pub struct RuleFields {
    pub code: String,
    pub severity: String,
    pub expression: String,
    pub message_vi: String,
    pub message_en: String,
    /// Its problems, in words, shown next to it.
    pub problems: Vec<String>,
}

/// An outline section's fields (`o0_number`, `o0_title_vi`, …).
#[derive(Debug, Clone, Default)]
pub struct SectionFields {
    pub number: String,
    pub title_vi: String,
    pub title_en: String,
    pub guidance_vi: String,
    pub guidance_en: String,
    pub problems: Vec<String>,
}

/// A form column's fields (`f0_c0_code`, `f0_c0_source`, …).
#[derive(Debug, Clone, Default)]
pub struct ColumnFields {
    pub code: String,
    pub title_vi: String,
    pub title_en: String,
    /// One of [`SOURCES`]' texts.
    pub source: String,
    /// The formula of a computed column (`100 * C1 / C2`).
    pub formula: String,
    pub problems: Vec<String>,
}

impl ColumnFields {
    /// Nothing typed: a spare row, left out (the source select always posts).
    pub fn is_blank(&self) -> bool {
        [&self.code, &self.title_vi, &self.title_en, &self.formula]
            .iter()
            .all(|f| f.is_empty())
    }

    fn of(c: &Column) -> Self {
        let (source, formula) = match &c.source {
            ColumnSource::Current => ("current", String::new()),
            ColumnSource::SamePeriodLastYear => ("same_period_last_year", String::new()),
            ColumnSource::YearToDate => ("year_to_date", String::new()),
            ColumnSource::Target => ("target", String::new()),
            ColumnSource::Formula(f) => ("formula", f.clone()),
        };
        ColumnFields {
            code: c.code.clone(),
            title_vi: c.title_vi.clone(),
            title_en: c.title_en.clone(),
            source: source.into(),
            formula,
            problems: Vec::new(),
        }
    }
}

/// Where a column's figures come from, as its select posts it.
pub const SOURCES: [&str; 5] = [
    "current",
    "same_period_last_year",
    "year_to_date",
    "target",
    "formula",
];

/// A form row's fields (`f0_r0_indicator`, `f0_r0_breakdown`).
#[derive(Debug, Clone, Default)]
pub struct RowFields {
    pub indicator: String,
    /// Broken down by the indicator's disaggregations.
    pub breakdown: bool,
    pub problems: Vec<String>,
}

impl RuleFields {
    /// Nothing typed: a spare row, left out (the severity select always posts).
    pub fn is_blank(&self) -> bool {
        [
            &self.code,
            &self.expression,
            &self.message_vi,
            &self.message_en,
        ]
        .iter()
        .all(|f| f.is_empty())
    }
}

impl SectionFields {
    /// Nothing typed: a spare row, left out.
    pub fn is_blank(&self) -> bool {
        [
            &self.number,
            &self.title_vi,
            &self.title_en,
            &self.guidance_vi,
            &self.guidance_en,
        ]
        .iter()
        .all(|f| f.is_empty())
    }
}

impl RowFields {
    /// No indicator chosen: a spare row, left out.
    pub fn is_blank(&self) -> bool {
        self.indicator.is_empty()
    }
}

/// A reporting group's fields (`g0_name_vi`, `g0_stage`, …).
#[derive(Debug, Clone, Default)]
pub struct GroupFields {
    pub name_vi: String,
    pub name_en: String,
    pub level: String,
    pub kind: String,
    pub units: String,
    pub stage: String,
    pub rule: String,
    pub n: String,
    pub months: String,
    pub problems: Vec<String>,
}

/// A numeric form's fields (`f0_code`, `f0_columns`, …).
#[derive(Debug, Clone, Default)]
pub struct FormFields {
    pub code: String,
    pub title_vi: String,
    pub title_en: String,
    /// The columns, a row each.
    pub columns: Vec<ColumnFields>,
    /// The rows, an indicator each.
    pub rows: Vec<RowFields>,
    pub problems: Vec<String>,
}

/// Blank groups, forms and rows shown after the filled ones.
const SPARE_GROUPS: usize = 2;
const SPARE_FORMS: usize = 1;
const SPARE_ROWS: usize = 3;
const SPARE_COLUMNS: usize = 2;
const SPARE_RULES: usize = 2;
const SPARE_SECTIONS: usize = 2;

impl GroupFields {
    fn of(g: &ReportingGroup) -> Self {
        let (rule, n, months) = match g.deadline {
            None => (RuleKind::InRequest, String::new(), String::new()),
            Some(DeadlineRule::WorkingDaysAfterWindow(n)) => {
                (RuleKind::WorkingDays, n.to_string(), String::new())
            }
            Some(DeadlineRule::FixedDayOfMonth { day, months_after }) => (
                RuleKind::FixedDay,
                day.to_string(),
                months_after.to_string(),
            ),
        };
        GroupFields {
            name_vi: g.name_vi.clone(),
            name_en: g.name_en.clone(),
            level: g.select.level.clone().unwrap_or_default(),
            kind: g.select.kind.clone().unwrap_or_default(),
            units: g.select.units.join(" "),
            stage: g.stage.to_string(),
            rule: text_of(&RULES, rule).into(),
            n,
            months,
            problems: Vec::new(),
        }
    }

    /// Nothing typed: a spare group, left out. (The deadline select always
    /// posts a value, so it does not count.)
    pub fn is_blank(&self) -> bool {
        [
            &self.name_vi,
            &self.name_en,
            &self.level,
            &self.kind,
            &self.units,
            &self.stage,
            &self.n,
            &self.months,
        ]
        .iter()
        .all(|f| f.is_empty())
    }
}

impl RuleFields {
    fn of(r: &ValidationRule) -> Self {
        RuleFields {
            code: r.code.clone(),
            severity: text_of(&SEVERITIES, r.severity).into(),
            expression: r.expression.clone(),
            message_vi: r.message_vi.clone(),
            message_en: r.message_en.clone(),
            problems: Vec::new(),
        }
    }
}

impl SectionFields {
    fn of(s: &OutlineSection) -> Self {
        SectionFields {
            number: s.number.clone(),
            title_vi: s.title_vi.clone(),
            title_en: s.title_en.clone(),
            guidance_vi: s.guidance_vi.clone(),
            guidance_en: s.guidance_en.clone(),
            problems: Vec::new(),
        }
    }
}

impl FormFields {
    fn of(f: &NumericForm) -> Self {
        FormFields {
            code: f.code.clone(),
            title_vi: f.title_vi.clone(),
            title_en: f.title_en.clone(),
            columns: f.columns.iter().map(ColumnFields::of).collect(),
            rows: f
                .rows
                .iter()
                .map(|r| RowFields {
                    indicator: r.indicator.clone(),
                    breakdown: r.breakdown,
                    problems: Vec::new(),
                })
                .collect(),
            problems: Vec::new(),
        }
    }

    /// Nothing typed: a spare form, left out.
    pub fn is_blank(&self) -> bool {
        [&self.code, &self.title_vi, &self.title_en]
            .iter()
            .all(|f| f.is_empty())
            && self.columns.iter().all(ColumnFields::is_blank)
            && self.rows.iter().all(RowFields::is_blank)
    }
}

/// Blank items at the end dropped, then `spare` blank ones added.
fn pad<T: Default>(items: &mut Vec<T>, blank: impl Fn(&T) -> bool, spare: usize) {
    while items.last().is_some_and(&blank) {
        items.pop();
    }
    items.extend(std::iter::repeat_with(T::default).take(spare));
}

/// A row operation a button of the editor asks for: `add:rows:0`,
/// `up:rules:2`, `down:sections:1`, `remove:rows:0:3` (the list, the form
/// for rows, the row).
fn operate<T: Default>(items: &mut Vec<T>, verb: &str, index: Option<usize>) -> bool {
    match (verb, index) {
        ("add", None) => {
            items.extend(std::iter::repeat_with(T::default).take(SPARE_ROWS));
            true
        }
        ("up", Some(i)) if i > 0 && i < items.len() => {
            items.swap(i - 1, i);
            true
        }
        ("down", Some(i)) if i + 1 < items.len() => {
            items.swap(i, i + 1);
            true
        }
        ("remove", Some(i)) if i < items.len() => {
            items.remove(i);
            true
        }
        _ => false,
    }
}

impl EditorFields {
    /// Whether `method` is ticked.
    pub fn has_method(&self, method: &str) -> bool {
        self.methods.iter().any(|m| m == method)
    }

    /// A new regime's form: periodic, monthly, administrative, through the system.
    pub fn blank() -> Self {
        EditorFields {
            kind: text_of(&KINDS, RegimeKind::Periodic).into(),
            frequency: text_of(&FREQUENCIES, Frequency::Monthly).into(),
            convention: text_of(&CONVENTIONS, Convention::Administrative).into(),
            methods: vec!["system".into()],
            ..Default::default()
        }
        .padded()
    }

    /// With blank groups, forms, rows, rules and sections to fill in after
    /// the filled ones.
    /// (Blank ones at the end are dropped first: a form shown again does not
    /// grow.)
    pub fn padded(mut self) -> Self {
        pad(&mut self.groups, GroupFields::is_blank, SPARE_GROUPS);
        pad(&mut self.forms, FormFields::is_blank, SPARE_FORMS);
        for form in &mut self.forms {
            pad(&mut form.columns, ColumnFields::is_blank, SPARE_COLUMNS);
            pad(&mut form.rows, RowFields::is_blank, SPARE_ROWS);
        }
        pad(&mut self.validation, RuleFields::is_blank, SPARE_RULES);
        pad(&mut self.outline, SectionFields::is_blank, SPARE_SECTIONS);
        self
    }

    /// Carries out a row operation posted by one of the editor's buttons
    /// (`add:rules`, `up:rows:0:3`, …); `false` for one it does not know.
    pub fn operate(&mut self, op: &str) -> bool {
        let parts: Vec<&str> = op.split(':').collect();
        let number = |i: usize| parts.get(i).and_then(|p| p.parse::<usize>().ok());
        match parts.as_slice() {
            [verb, "rules", ..] => operate(&mut self.validation, verb, number(2)),
            [verb, "sections", ..] => operate(&mut self.outline, verb, number(2)),
            [verb, list @ ("rows" | "columns"), form, ..] => match form
                .parse::<usize>()
                .ok()
                .and_then(|f| self.forms.get_mut(f))
            {
                Some(form) if *list == "rows" => operate(&mut form.rows, verb, number(3)),
                Some(form) => operate(&mut form.columns, verb, number(3)),
                None => false,
            },
            _ => false,
        }
    }

    /// A stored version of regime `code`, to edit.
    pub fn of(code: &str, v: &RegimeVersion) -> Self {
        EditorFields {
            code: code.to_string(),
            from: v.from.clone(),
            name_vi: v.name_vi.clone(),
            name_en: v.name_en.clone(),
            legal_basis: v.legal_basis.clone(),
            content_vi: v.content_vi.clone(),
            content_en: v.content_en.clone(),
            kind: text_of(&KINDS, v.kind).into(),
            frequency: text_of(&FREQUENCIES, v.frequency).into(),
            convention: text_of(&CONVENTIONS, v.convention).into(),
            receiving_unit: v.receiving_unit.clone(),
            methods: v.methods.iter().map(|m| m.as_str().to_string()).collect(),
            signature_required: v.signature_required,
            groups: v.reporting.iter().map(GroupFields::of).collect(),
            forms: v.forms.iter().map(FormFields::of).collect(),
            outline: v.outline.iter().map(SectionFields::of).collect(),
            validation: v.validation.iter().map(RuleFields::of).collect(),
            required: v.required.join(" "),
            problems: Vec::new(),
        }
        .padded()
    }

    /// Reads the posted form: repeated fields are numbered (`g0_name_vi`,
    /// `f1_rows`); values are trimmed; a field not posted is blank.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let p = Posted(
            pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        );
        EditorFields {
            code: p.get("code"),
            from: p.get("from"),
            name_vi: p.get("name_vi"),
            name_en: p.get("name_en"),
            legal_basis: p.get("legal_basis"),
            content_vi: p.get("content_vi"),
            content_en: p.get("content_en"),
            kind: p.get("kind"),
            frequency: p.get("frequency"),
            convention: p.get("convention"),
            receiving_unit: p.get("receiving_unit"),
            methods: pairs
                .iter()
                .filter(|(k, _)| k == "method")
                .map(|(_, v)| v.clone())
                .collect(),
            signature_required: p.has("signature_required"),
            groups: p
                .numbered("g", "_name_vi")
                .map(|i| GroupFields::posted(&p, i))
                .collect(),
            forms: p
                .numbered("f", "_code")
                .map(|i| FormFields::posted(&p, i))
                .collect(),
            outline: p
                .numbered("o", "_number")
                .map(|i| SectionFields::posted(&p, i))
                .collect(),
            validation: p
                .numbered("v", "_code")
                .map(|i| RuleFields::posted(&p, i))
                .collect(),
            required: p.get("required"),
            problems: Vec::new(),
        }
    }
}

/// The fields of a posted form by name.
struct Posted<'a>(HashMap<&'a str, &'a str>);

impl Posted<'_> {
    /// A field, trimmed; blank when not posted.
    fn get(&self, key: &str) -> String {
        self.0
            .get(key)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }

    /// Whether a field was posted (a ticked box).
    fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// The numbers of a repeated field, `{prefix}{i}{suffix}`, from 0
    /// without gaps.
    fn numbered<'s>(
        &'s self,
        prefix: &'s str,
        suffix: &'s str,
    ) -> impl Iterator<Item = usize> + 's {
        (0..).take_while(move |i| self.has(&format!("{prefix}{i}{suffix}")))
    }
}

impl GroupFields {
    /// Reporting group `i` as posted.
    fn posted(p: &Posted<'_>, i: usize) -> Self {
        let g = |f: &str| p.get(&format!("g{i}_{f}"));
        GroupFields {
            name_vi: g("name_vi"),
            name_en: g("name_en"),
            level: g("level"),
            kind: g("kind"),
            units: g("units"),
            stage: g("stage"),
            rule: g("rule"),
            n: g("n"),
            months: g("months"),
            problems: Vec::new(),
        }
    }
}

impl FormFields {
    /// Numeric form `i` as posted, with its columns and rows.
    fn posted(p: &Posted<'_>, i: usize) -> Self {
        let f = |name: &str| p.get(&format!("f{i}_{name}"));
        let form = format!("f{i}_");
        FormFields {
            code: f("code"),
            title_vi: f("title_vi"),
            title_en: f("title_en"),
            columns: p
                .numbered(&format!("{form}c"), "_code")
                .map(|c| {
                    let col = |name: &str| f(&format!("c{c}_{name}"));
                    ColumnFields {
                        code: col("code"),
                        title_vi: col("title_vi"),
                        title_en: col("title_en"),
                        source: col("source"),
                        formula: col("formula"),
                        problems: Vec::new(),
                    }
                })
                .collect(),
            rows: p
                .numbered(&format!("{form}r"), "_indicator")
                .map(|r| RowFields {
                    indicator: f(&format!("r{r}_indicator")),
                    breakdown: p.has(&format!("f{i}_r{r}_breakdown")),
                    problems: Vec::new(),
                })
                .collect(),
            problems: Vec::new(),
        }
    }
}

impl RuleFields {
    /// Validation rule `i` as posted.
    fn posted(p: &Posted<'_>, i: usize) -> Self {
        let v = |f: &str| p.get(&format!("v{i}_{f}"));
        RuleFields {
            code: v("code"),
            severity: v("severity"),
            expression: v("expression"),
            message_vi: v("message_vi"),
            message_en: v("message_en"),
            problems: Vec::new(),
        }
    }
}

impl SectionFields {
    /// Outline section `i` as posted.
    fn posted(p: &Posted<'_>, i: usize) -> Self {
        let o = |f: &str| p.get(&format!("o{i}_{f}"));
        SectionFields {
            number: o("number"),
            title_vi: o("title_vi"),
            title_en: o("title_en"),
            guidance_vi: o("guidance_vi"),
            guidance_en: o("guidance_en"),
            problems: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_has_one_text() {
        let frequencies = [
            Frequency::Monthly,
            Frequency::Quarterly,
            Frequency::HalfYearly,
            Frequency::NineMonths,
            Frequency::Yearly,
            Frequency::AdHoc,
        ];
        for f in frequencies {
            assert_eq!(value_of(&FREQUENCIES, text_of(&FREQUENCIES, f)), Some(f));
        }
        for (text, kind) in KINDS {
            assert_eq!(text_of(&KINDS, kind), text);
        }
        assert_eq!(value_of(&CONVENTIONS, "lunar"), None);
    }

    #[test]
    fn rows_are_added_moved_and_removed() {
        let mut f = EditorFields::blank();
        f.validation[0].code = "R1".into();
        f.validation[1].code = "R2".into();
        assert!(f.operate("down:rules:0"));
        assert_eq!(
            (f.validation[0].code.as_str(), f.validation[1].code.as_str()),
            ("R2", "R1")
        );
        assert!(f.operate("up:rules:1"));
        assert_eq!(f.validation[0].code, "R1");
        assert!(f.operate("remove:rules:0"));
        assert_eq!(f.validation[0].code, "R2");
        let rows = f.forms[0].rows.len();
        assert!(f.operate("add:rows:0"));
        assert_eq!(f.forms[0].rows.len(), rows + SPARE_ROWS);
        assert!(!f.operate("up:rules:0"), "the first row goes no higher");
        assert!(!f.operate("remove:rows:9"), "no such form");
        assert!(!f.operate("drop:everything"));
        f.forms[0].columns[0].code = "C1".into();
        f.forms[0].columns[1].code = "C2".into();
        assert!(f.operate("down:columns:0:0"));
        assert_eq!(f.forms[0].columns[1].code, "C1");
    }
}
