//! A report's numeric forms as input tables: a row per indicator (and per
//! option of a row broken down), a cell per column. Entered cells are inputs
//! while the draft may be edited, showing what was typed over the stored
//! value; computed indicators and derived columns (last year, year to date,
//! target, column formulas) are shown in Vietnamese notation.

use std::collections::BTreeMap;

use baocao_app::i18n::Lang;
use baocao_app::reports::official::shown;
use baocao_domain::catalogue::{ColumnSource, Indicator, Metadata, NumericForm};
use baocao_domain::number::vn_number;
use baocao_domain::report::{
    column_values, computed, computed_with, derived_text, ColumnContext, Content,
};

use crate::pages::view::in_lang;

/// One row of a form as shown: the indicator (or an option of it) and a cell
/// per column.
pub(super) struct RowView {
    pub label: String,
    /// What a screen reader says for its inputs: the indicator, and for an
    /// option its name too ("Lao động được tạo việc làm — Nữ").
    pub input_label: String,
    pub code: String,
    pub measure: String,
    pub option: bool,
    pub cells: Vec<CellView>,
}

/// What is said next to a cell, and how it looks: an `error` (refused or
/// blocking), a `warning` (needs an explanation) or an `unusual` value (a
/// flag, never blocking) — marked by more than colour in the stylesheet.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CellNote {
    pub text: String,
    pub class: &'static str,
}

impl CellNote {
    pub fn error(text: String) -> CellNote {
        CellNote {
            text,
            class: "error",
        }
    }

    pub fn is_error(&self) -> bool {
        self.class == "error"
    }
}

pub(super) struct CellView {
    /// Input name (`v:CELL`) when the cell is typed.
    pub input: Option<String>,
    /// The value shown (Vietnamese notation) or typed.
    pub value: String,
    /// What is said about it (a problem, a warning, an unusual value).
    pub problem: Option<CellNote>,
    /// The column's title, which a phone shows beside the value.
    pub column: String,
}

pub(super) struct FormView {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<RowView>,
}

/// A stored value for display when its type is not at hand (versions side by
/// side, a synthesis's changes): numbers in Vietnamese notation, text as is.
pub(super) fn display(value: &str) -> String {
    if baocao_domain::number::parse_number(value).is_some() {
        vn_number(value)
    } else {
        value.to_string()
    }
}

/// A cell of a row: its key (`LD01`, `LD01/sex:female`) and, for an option,
/// the option's name.
struct RowCell {
    key: String,
    option: Option<String>,
}

/// What the tables are drawn from.
pub(super) struct Tables<'a> {
    pub lang: Lang,
    pub meta: &'a Metadata,
    /// The stored draft.
    pub content: &'a Content,
    /// What the user typed over it, by cell (a refused save).
    pub typed: Option<&'a BTreeMap<String, String>>,
    /// Problems by cell.
    pub problems: &'a BTreeMap<String, CellNote>,
    /// Whether entered cells are inputs.
    pub editable: bool,
    /// The earlier reports and targets derived columns come from.
    pub columns: ColumnContext<'a>,
}

impl Tables<'_> {
    /// Every form of a regime version.
    pub fn forms(&self, forms: &[NumericForm]) -> Vec<FormView> {
        // Computed indicators' values, as shown.
        let values = match self.columns.formulas {
            Some(formulas) => computed_with(formulas, self.content),
            None => computed(self.content, self.meta),
        };
        let computed: BTreeMap<String, String> = values
            .into_iter()
            .map(|(code, value)| (code, vn_number(&value.to_string())))
            .collect();
        forms.iter().map(|f| self.form(f, &computed)).collect()
    }

    fn form(&self, form: &NumericForm, computed: &BTreeMap<String, String>) -> FormView {
        let lang = self.lang;
        let mut rows = Vec::new();
        for row in &form.rows {
            let Some(indicator) = self.meta.indicator(&row.indicator) else {
                continue;
            };
            for cell in self.row_cells(indicator, row.breakdown) {
                let cells = self.cells(form, indicator, &cell, computed);
                let name = in_lang(lang, &indicator.name_vi, &indicator.name_en).to_string();
                rows.push(match cell.option {
                    Some(label) => RowView {
                        input_label: format!("{name} — {label}"),
                        label,
                        code: String::new(),
                        measure: String::new(),
                        option: true,
                        cells,
                    },
                    None => RowView {
                        input_label: name.clone(),
                        label: name,
                        code: indicator.code.clone(),
                        measure: in_lang(lang, &indicator.measure_vi, &indicator.measure_en)
                            .to_string(),
                        option: false,
                        cells,
                    },
                });
            }
        }
        FormView {
            title: format!(
                "{}. {}",
                form.code,
                in_lang(lang, &form.title_vi, &form.title_en)
            ),
            columns: form
                .columns
                .iter()
                .map(|c| in_lang(lang, &c.title_vi, &c.title_en).to_string())
                .collect(),
            rows,
        }
    }

    /// The indicator's own cell, then for a row broken down one per option of
    /// each of its disaggregations.
    fn row_cells(&self, indicator: &Indicator, breakdown: bool) -> Vec<RowCell> {
        let mut cells = vec![RowCell {
            key: indicator.code.clone(),
            option: None,
        }];
        if !breakdown {
            return cells;
        }
        for dim in &indicator.disaggregations {
            let Some(d) = self.meta.disaggregation(dim) else {
                continue;
            };
            cells.extend(d.options.iter().map(|o| RowCell {
                key: format!("{}/{}:{}", indicator.code, dim, o.code),
                option: Some(in_lang(self.lang, &o.name_vi, &o.name_en).to_string()),
            }));
        }
        cells
    }

    /// A row's cells, a column each.
    fn cells(
        &self,
        form: &NumericForm,
        indicator: &Indicator,
        cell: &RowCell,
        computed: &BTreeMap<String, String>,
    ) -> Vec<CellView> {
        let derived = column_values(self.meta, form, &cell.key, self.content, &self.columns);
        form.columns
            .iter()
            .zip(derived)
            .map(|(c, derived)| {
                let view = match &c.source {
                    ColumnSource::Current if indicator.formula.is_none() => {
                        self.entered(indicator, &cell.key)
                    }
                    ColumnSource::Current if cell.option.is_none() => {
                        shown_only(computed.get(&indicator.code).cloned())
                    }
                    _ => shown_only(derived.map(|d| vn_number(&derived_text(d)))),
                };
                CellView {
                    column: in_lang(self.lang, &c.title_vi, &c.title_en).to_string(),
                    ..view
                }
            })
            .collect()
    }

    /// An entered cell: what was typed, else what is stored; an input while
    /// the draft may be edited.
    fn entered(&self, indicator: &Indicator, cell: &str) -> CellView {
        let stored = self
            .content
            .values
            .get(cell)
            .map(|v| shown(v, indicator.value_type, self.lang));
        let value = self
            .typed
            .and_then(|typed| typed.get(cell).cloned())
            .or(stored)
            .unwrap_or_default();
        CellView {
            input: self.editable.then(|| format!("v:{cell}")),
            value,
            problem: self.problems.get(cell).cloned(),
            column: String::new(),
        }
    }
}

/// A cell that is shown, not typed.
fn shown_only(value: Option<String>) -> CellView {
    CellView {
        input: None,
        value: value.unwrap_or_default(),
        problem: None,
        column: String::new(),
    }
}
