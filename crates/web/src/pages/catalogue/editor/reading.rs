//! Reads the editor's text fields into a regime version. Every problem of the
//! text is gathered (the rest is checked with the whole catalogue when the
//! version is applied); nothing the user typed, or left out, is replaced by a
//! default: a select posting an unknown value, a number out of range or a
//! column without its source is refused. Blank spare groups and forms, the
//! months of a fixed-day deadline (0), English texts and an outline section's
//! guidance are optional.

use baocao_domain::catalogue::{
    Column, ColumnSource, FormRow, Method, NumericForm, OutlineSection, Problem, RegimeVersion,
    ReportingGroup, UnitSelector, ValidationRule,
};
use baocao_domain::deadline::{DeadlineRule, MAX_MONTHS_AFTER, MAX_WORKING_DAYS};
use baocao_domain::Message;

use super::fields::{
    value_of, ColumnFields, EditorFields, FormFields, GroupFields, Options, RuleFields, RuleKind,
    SectionFields, CONVENTIONS, FREQUENCIES, KINDS, RULES, SEVERITIES,
};

impl EditorFields {
    /// The regime version the fields describe, or every problem of the text.
    pub fn to_version(&self) -> Result<RegimeVersion, Vec<Problem>> {
        let mut r = Reader::default();
        let kind = r.choice("kind", &KINDS, &self.kind);
        let frequency = r.choice("frequency", &FREQUENCIES, &self.frequency);
        let convention = r.choice("convention", &CONVENTIONS, &self.convention);
        let methods = r.methods(&self.methods);
        let reporting = (self.groups.iter().enumerate())
            .filter(|(_, g)| !g.is_blank())
            .filter_map(|(i, g)| r.group(&format!("reporting[{i}]"), g))
            .collect();
        let forms = (self.forms.iter().enumerate())
            .filter(|(_, f)| !f.is_blank())
            .map(|(i, f)| r.form(&format!("forms[{i}]"), f))
            .collect();
        let outline = (self.outline.iter())
            .filter(|s| !s.is_blank())
            .map(section)
            .collect();
        let validation = (self.validation.iter().enumerate())
            .filter(|(_, v)| !v.is_blank())
            .filter_map(|(i, v)| r.validation_rule(&format!("validation[{i}]"), v))
            .collect();
        let (Some(kind), Some(frequency), Some(convention), true) =
            (kind, frequency, convention, r.problems.is_empty())
        else {
            return Err(r.problems);
        };
        Ok(RegimeVersion {
            from: self.from.clone(),
            name_vi: self.name_vi.clone(),
            name_en: self.name_en.clone(),
            legal_basis: self.legal_basis.clone(),
            content_vi: self.content_vi.clone(),
            content_en: self.content_en.clone(),
            kind,
            frequency,
            convention,
            receiving_unit: self.receiving_unit.clone(),
            methods,
            signature_required: self.signature_required,
            reporting,
            forms,
            outline,
            validation,
            required: codes(&self.required),
        })
    }
}

/// Codes separated by blanks, commas or semicolons.
fn codes(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// An outline section (the catalogue check asks for the number and the
/// Vietnamese title).
fn section(s: &SectionFields) -> OutlineSection {
    OutlineSection {
        number: s.number.clone(),
        title_vi: s.title_vi.clone(),
        title_en: s.title_en.clone(),
        guidance_vi: s.guidance_vi.clone(),
        guidance_en: s.guidance_en.clone(),
    }
}

/// Reads fields, keeping every problem found.
#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
}

impl Reader {
    fn problem(&mut self, path: impl Into<String>, message: Message) {
        self.problems.push(Problem {
            path: path.into(),
            message,
        });
    }

    /// One of a select list's values: blank is refused as missing, anything
    /// else not in the list as not one of the choices.
    fn choice<T: Copy>(&mut self, path: &str, options: &Options<T>, text: &str) -> Option<T> {
        if text.is_empty() {
            self.problem(path, Message::new("catalogue.required"));
            return None;
        }
        let value = value_of(options, text);
        if value.is_none() {
            let choices: Vec<&str> = options.iter().map(|(t, _)| *t).collect();
            self.problem(
                path,
                Message::new("regime.bad_choice")
                    .arg("value", text)
                    .arg("choices", choices.join(", ")),
            );
        }
        value
    }

    /// The ticked methods; a method the editor does not offer is refused.
    fn methods(&mut self, texts: &[String]) -> Vec<Method> {
        let known: Vec<(&'static str, Method)> =
            Method::ALL.iter().map(|m| (m.as_str(), *m)).collect();
        let ticked: Vec<Method> = texts
            .iter()
            .filter_map(|t| self.choice("methods", &known, t))
            .collect();
        // In the catalogue's order, once each.
        Method::ALL
            .into_iter()
            .filter(|m| ticked.contains(m))
            .collect()
    }

    /// A whole number as the type that holds it (a stage is a `u8`, a number of
    /// working days a `u16`): one past that type is refused as out of
    /// `1..=shown_max`. Values the type holds but the rules do not (stage 0,
    /// 91 working days) are left to the catalogue check, which says why.
    fn number<N: TryFrom<u32>>(&mut self, path: &str, text: &str, shown_max: u32) -> Option<N> {
        let Ok(n) = text.parse::<u32>() else {
            self.problem(path, Message::new("request.bad_number").arg("value", text));
            return None;
        };
        let fitting = N::try_from(n).ok();
        if fitting.is_none() {
            self.problem(
                path,
                Message::new("request.out_of_range")
                    .arg("value", n)
                    .arg("min", 1)
                    .arg("max", shown_max),
            );
        }
        fitting
    }

    /// A reporting group: its names, the units it selects, its stage and deadline.
    fn group(&mut self, path: &str, g: &GroupFields) -> Option<ReportingGroup> {
        let stage = self.number::<u8>(&format!("{path}.stage"), &g.stage, u8::MAX.into());
        let deadline = self.deadline(&format!("{path}.deadline"), g);
        Some(ReportingGroup {
            name_vi: g.name_vi.clone(),
            name_en: g.name_en.clone(),
            select: UnitSelector {
                level: Some(g.level.clone()).filter(|s| !s.is_empty()),
                kind: Some(g.kind.clone()).filter(|s| !s.is_empty()),
                units: codes(&g.units),
            },
            stage: stage?,
            deadline: deadline?,
        })
    }

    /// A group's deadline rule: `None` inside when each request sets it, `None`
    /// outside when the fields are refused.
    fn deadline(&mut self, path: &str, g: &GroupFields) -> Option<Option<DeadlineRule>> {
        let rule = match self.choice(path, &RULES, &g.rule)? {
            RuleKind::InRequest => return Some(None),
            RuleKind::WorkingDays => {
                let n = self.number::<u16>(path, &g.n, MAX_WORKING_DAYS.into())?;
                DeadlineRule::working_days_after_window(n)
            }
            RuleKind::FixedDay => {
                let day = self.number::<u32>(path, &g.n, 31);
                // Months after the window are optional: none means the same month.
                let months = match g.months.as_str() {
                    "" => Some(0),
                    text => self.number::<u32>(path, text, MAX_MONTHS_AFTER.into()),
                };
                DeadlineRule::fixed_day(day?, months?)
            }
        };
        match rule {
            Ok(rule) => Some(Some(rule)),
            Err(e) => {
                self.problem(path, e.message());
                None
            }
        }
    }

    /// A numeric form: its columns (each with its source) and its rows.
    fn form(&mut self, path: &str, f: &FormFields) -> NumericForm {
        let columns = (f.columns.iter().enumerate())
            .filter(|(_, c)| !c.is_blank())
            .filter_map(|(i, c)| self.column(&format!("{path}.columns[{i}]"), c))
            .collect();
        let rows = (f.rows.iter())
            .filter(|r| !r.is_blank())
            .map(|r| FormRow {
                indicator: r.indicator.clone(),
                breakdown: r.breakdown,
            })
            .collect();
        NumericForm {
            code: f.code.clone(),
            title_vi: f.title_vi.clone(),
            title_en: f.title_en.clone(),
            columns,
            rows,
        }
    }

    /// A column; its source must be said, and a computed one needs its formula.
    fn column(&mut self, path: &str, c: &ColumnFields) -> Option<Column> {
        let source_path = format!("{path}.source");
        let source = match c.source.as_str() {
            "" => {
                self.problem(source_path, Message::new("regime.column_source_missing"));
                return None;
            }
            "current" => ColumnSource::Current,
            "same_period_last_year" => ColumnSource::SamePeriodLastYear,
            "year_to_date" => ColumnSource::YearToDate,
            "target" => ColumnSource::Target,
            "formula" if c.formula.trim_start_matches('=').trim().is_empty() => {
                self.problem(
                    format!("{path}.formula"),
                    Message::new("catalogue.required"),
                );
                return None;
            }
            "formula" => {
                ColumnSource::Formula(c.formula.trim_start_matches('=').trim().to_string())
            }
            other => {
                self.problem(
                    source_path,
                    Message::new("regime.bad_column_source").arg("value", other),
                );
                return None;
            }
        };
        Some(Column {
            code: c.code.clone(),
            title_vi: c.title_vi.clone(),
            title_en: c.title_en.clone(),
            source,
        })
    }

    /// A validation rule; its severity is one of the select's choices.
    fn validation_rule(&mut self, path: &str, v: &RuleFields) -> Option<ValidationRule> {
        let severity = self.choice(&format!("{path}.severity"), &SEVERITIES, &v.severity)?;
        Some(ValidationRule {
            code: v.code.clone(),
            severity,
            expression: v.expression.clone(),
            message_vi: v.message_vi.clone(),
            message_en: v.message_en.clone(),
        })
    }
}
