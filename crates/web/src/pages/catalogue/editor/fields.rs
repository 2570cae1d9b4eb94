//! The editor's fields as text, built from a stored version or from a posted
//! form (so that a refused form comes back with what the user typed), and the
//! words the select lists post for the domain's values.

use std::collections::HashMap;

use baocao_domain::catalogue::{
    Column, ColumnSource, NumericForm, RegimeKind, RegimeVersion, ReportingGroup, Severity,
    ValidationRule,
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
    /// `number | title_vi | title_en | guidance_vi | guidance_en`, a line a section.
    pub outline: String,
    /// `CODE | error or warning | expression | message_vi | message_en`, a line a rule.
    pub validation: String,
    /// Cell codes, separated by blanks, commas or semicolons.
    pub required: String,
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
}

/// A numeric form's fields (`f0_code`, `f0_columns`, …).
#[derive(Debug, Clone, Default)]
pub struct FormFields {
    pub code: String,
    pub title_vi: String,
    pub title_en: String,
    /// `CODE | title_vi | title_en | source`, a line a column.
    pub columns: String,
    /// Indicator codes, a line each; `+` after one breaks it down.
    pub rows: String,
}

/// Blank groups and forms shown after the filled ones.
const SPARE_GROUPS: usize = 2;
const SPARE_FORMS: usize = 1;

/// Lines joined for a text area.
fn lines_of(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join("\n")
}

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

/// A column's source as the editor writes it.
fn source_text(source: &ColumnSource) -> String {
    match source {
        ColumnSource::Current => "current".into(),
        ColumnSource::SamePeriodLastYear => "same_period_last_year".into(),
        ColumnSource::YearToDate => "year_to_date".into(),
        ColumnSource::Target => "target".into(),
        ColumnSource::Formula(f) => format!("= {f}"),
    }
}

fn column_line(c: &Column) -> String {
    format!(
        "{} | {} | {} | {}",
        c.code,
        c.title_vi,
        c.title_en,
        source_text(&c.source)
    )
}

fn rule_line(r: &ValidationRule) -> String {
    format!(
        "{} | {} | {} | {} | {}",
        r.code,
        text_of(&SEVERITIES, r.severity),
        r.expression,
        r.message_vi,
        r.message_en
    )
}

impl FormFields {
    fn of(f: &NumericForm) -> Self {
        FormFields {
            code: f.code.clone(),
            title_vi: f.title_vi.clone(),
            title_en: f.title_en.clone(),
            columns: lines_of(f.columns.iter().map(column_line)),
            rows: lines_of(f.rows.iter().map(|r| {
                if r.breakdown {
                    format!("{} +", r.indicator)
                } else {
                    r.indicator.clone()
                }
            })),
        }
    }

    /// Nothing typed: a spare form, left out.
    pub fn is_blank(&self) -> bool {
        [
            &self.code,
            &self.title_vi,
            &self.title_en,
            &self.columns,
            &self.rows,
        ]
        .iter()
        .all(|f| f.is_empty())
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

    /// With blank groups and forms to fill in after the filled ones.
    pub fn padded(mut self) -> Self {
        self.groups
            .extend(std::iter::repeat_with(GroupFields::default).take(SPARE_GROUPS));
        self.forms
            .extend(std::iter::repeat_with(FormFields::default).take(SPARE_FORMS));
        self
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
            outline: lines_of(v.outline.iter().map(|s| {
                format!(
                    "{} | {} | {} | {} | {}",
                    s.number, s.title_vi, s.title_en, s.guidance_vi, s.guidance_en
                )
            })),
            validation: lines_of(v.validation.iter().map(rule_line)),
            required: v.required.join(" "),
        }
        .padded()
    }

    /// Reads the posted form: repeated fields are numbered (`g0_name_vi`,
    /// `f1_rows`); values are trimmed; a field not posted is blank.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let map: HashMap<&str, &str> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let get = |key: &str| {
            map.get(key)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        // Groups and forms are numbered from 0 without gaps.
        let groups = (0..)
            .take_while(|i| map.contains_key(format!("g{i}_name_vi").as_str()))
            .map(|i| {
                let g = |f: &str| get(&format!("g{i}_{f}"));
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
                }
            })
            .collect();
        let forms = (0..)
            .take_while(|i| map.contains_key(format!("f{i}_code").as_str()))
            .map(|i| {
                let f = |name: &str| get(&format!("f{i}_{name}"));
                FormFields {
                    code: f("code"),
                    title_vi: f("title_vi"),
                    title_en: f("title_en"),
                    columns: f("columns"),
                    rows: f("rows"),
                }
            })
            .collect();
        EditorFields {
            code: get("code"),
            from: get("from"),
            name_vi: get("name_vi"),
            name_en: get("name_en"),
            legal_basis: get("legal_basis"),
            content_vi: get("content_vi"),
            content_en: get("content_en"),
            kind: get("kind"),
            frequency: get("frequency"),
            convention: get("convention"),
            receiving_unit: get("receiving_unit"),
            methods: pairs
                .iter()
                .filter(|(k, _)| k == "method")
                .map(|(_, v)| v.clone())
                .collect(),
            signature_required: map.contains_key("signature_required"),
            groups,
            forms,
            outline: get("outline"),
            validation: get("validation"),
            required: get("required"),
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
}
