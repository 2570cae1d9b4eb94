//! A report's form as an .xlsx template to fill offline, and the upload of a
//! filled one: every problem is reported with its sheet reference
//! (`BaoCao!E14: "abc" is not a number`) and nothing is stored from a file with
//! problems.

use std::collections::HashMap;

use baocao_domain::access::Principal;
use baocao_domain::catalogue::{ColumnSource, Problem, ValueType};
use baocao_domain::report::{
    column_values, computed, derived_text, unambiguous, ColumnContext, Content,
};
use baocao_domain::Message;
use baocao_formats::report_csv::{self, CsvError};
use baocao_formats::xlsx::{self, Kind, ReadError, Row, Template};

use crate::i18n::{t, Lang};
use crate::{App, AppError, AppResult};

/// Largest spreadsheet accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = xlsx::MAX_BYTES;

fn file_problem(key: &'static str) -> AppError {
    AppError::DocumentRejected(vec![Problem {
        path: "file".into(),
        message: Message::new(key),
    }])
}

impl App {
    /// The .xlsx template of a report (for anyone who may see it), in `lang`,
    /// with its file name.
    pub async fn report_template(
        &self,
        principal: &Principal,
        id: i64,
        lang: Lang,
    ) -> AppResult<(String, Vec<u8>)> {
        let view = self.report(principal, id).await?;
        let (regime, meta) = self.report_regime(&view).await?;
        let version = view
            .regime_version
            .checked_sub(1)
            .and_then(|i| regime.versions.get(i))
            .ok_or(AppError::NotFound)?;
        let pick = |vi: &str, en: &str| {
            if lang == Lang::En && !en.is_empty() {
                en.to_string()
            } else {
                vi.to_string()
            }
        };
        let values = computed(&view.content, &meta);
        let ctx = ColumnContext {
            last_year: view.last_year.as_ref(),
            earlier_this_year: view.earlier_this_year.iter().collect(),
            targets: view.targets.clone(),
        };
        let mut rows = Vec::new();
        for form in &version.forms {
            // The form's other columns, read-only beside the value.
            let others: Vec<bool> = form
                .columns
                .iter()
                .map(|c| c.source != ColumnSource::Current)
                .collect();
            let extra_of = |cell: &str| -> Vec<String> {
                column_values(&meta, form, cell, &view.content, &ctx)
                    .into_iter()
                    .zip(&others)
                    .filter(|(_, other)| **other)
                    .map(|(v, _)| v.map(derived_text).unwrap_or_default())
                    .collect()
            };
            rows.push(Row {
                key: String::new(),
                code: form.code.clone(),
                label: pick(&form.title_vi, &form.title_en),
                measure: String::new(),
                value: None,
                kind: Kind::Locked,
                extra: form
                    .columns
                    .iter()
                    .filter(|c| c.source != ColumnSource::Current)
                    .map(|c| pick(&c.title_vi, &c.title_en))
                    .collect(),
            });
            for row in &form.rows {
                let Some(ind) = meta.indicator(&row.indicator) else {
                    continue;
                };
                let kind = match (ind.formula.is_some(), ind.value_type) {
                    (true, _) => Kind::Locked,
                    (false, ValueType::Integer) => Kind::Integer,
                    (false, ValueType::Decimal | ValueType::Percentage) => Kind::Decimal,
                    (false, _) => Kind::Text,
                };
                let value = if kind == Kind::Locked {
                    values.get(&ind.code).map(|d| d.to_string())
                } else {
                    view.content.values.get(&ind.code).cloned()
                };
                rows.push(Row {
                    key: if kind == Kind::Locked {
                        String::new()
                    } else {
                        ind.code.clone()
                    },
                    code: ind.code.clone(),
                    label: pick(&ind.name_vi, &ind.name_en),
                    measure: pick(&ind.measure_vi, &ind.measure_en),
                    value,
                    kind,
                    extra: extra_of(&ind.code),
                });
                if row.breakdown && kind != Kind::Locked {
                    for dim in &ind.disaggregations {
                        for o in meta
                            .disaggregation(dim)
                            .map(|d| d.options.as_slice())
                            .unwrap_or(&[])
                        {
                            let key = format!("{}/{}:{}", ind.code, dim, o.code);
                            rows.push(Row {
                                value: view.content.values.get(&key).cloned(),
                                extra: extra_of(&key),
                                key,
                                code: String::new(),
                                label: format!("  – {}", pick(&o.name_vi, &o.name_en)),
                                measure: String::new(),
                                kind,
                            });
                        }
                    }
                }
            }
        }
        let template = Template {
            heading: vec![
                pick(&version.name_vi, &version.name_en),
                format!("{}: {}", t(lang, "report.unit"), view.unit_name),
                format!("{}: {}", t(lang, "regime.period"), view.period),
                format!(
                    "{}: {}",
                    t(lang, "regime.deadline"),
                    view.deadline.format("%d/%m/%Y")
                ),
            ],
            columns: [
                t(lang, "catalogue.code"),
                t(lang, "regime.indicator"),
                t(lang, "indicator.measure"),
                t(lang, "column_source.current"),
            ],
            rows,
            meta: vec![
                ("report".into(), view.id.to_string()),
                ("regime".into(), view.regime.clone()),
                ("version".into(), view.regime_version.to_string()),
                ("unit".into(), view.unit.0.to_string()),
                ("period".into(), view.period.clone()),
            ],
            number_error: t(lang, "report.xlsx.number_error"),
        };
        let bytes =
            xlsx::write_template(&template).map_err(|e| AppError::Internal(e.to_string()))?;
        let name = format!("{}-{}-{}.xlsx", view.regime, view.period, view.unit.0)
            .replace([':', '.'], "-");
        Ok((name, bytes))
    }

    /// Saves the values of a filled template as the report's draft (the
    /// narrative and explanations stay as they were). All or nothing.
    pub async fn upload_report(
        &self,
        principal: &Principal,
        id: i64,
        bytes: &[u8],
    ) -> AppResult<Content> {
        let upload = xlsx::read_upload(bytes).map_err(|e| match e {
            ReadError::TooLarge => file_problem("report.xlsx.too_large"),
            ReadError::NotXlsx(_) => file_problem("report.xlsx.not_xlsx"),
            ReadError::NotTemplate => file_problem("report.xlsx.not_template"),
        })?;
        let view = self.report(principal, id).await?;
        let same = |k: &str, v: &str| upload.meta.get(k).map(String::as_str) == Some(v);
        if !(same("report", &view.id.to_string())
            && same("regime", &view.regime)
            && same("unit", &view.unit.0.to_string())
            && same("period", &view.period))
        {
            return Err(AppError::DocumentRejected(vec![Problem {
                path: "file".into(),
                message: Message::new("report.xlsx.foreign")
                    .arg(
                        "regime",
                        upload.meta.get("regime").cloned().unwrap_or_default(),
                    )
                    .arg(
                        "period",
                        upload.meta.get("period").cloned().unwrap_or_default(),
                    ),
            }]));
        }
        let mut problems = Vec::new();
        let mut references = HashMap::new();
        let mut content = Content {
            sections: view.content.sections.clone(),
            explanations: view.content.explanations.clone(),
            ..Default::default()
        };
        for cell in &upload.cells {
            references.insert(cell.key.clone(), cell.reference.clone());
            match &cell.text {
                Some(text) => {
                    content.values.insert(cell.key.clone(), text.clone());
                }
                None => problems.push(Problem {
                    path: cell.reference.clone(),
                    message: Message::new("report.xlsx.not_a_value"),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::DocumentRejected(problems));
        }
        self.save_report(principal, id, &content)
            .await
            .map_err(|e| match e {
                AppError::DocumentRejected(found) => AppError::DocumentRejected(
                    found
                        .into_iter()
                        .map(|p| Problem {
                            path: references.get(&p.path).cloned().unwrap_or(p.path),
                            message: p.message,
                        })
                        .collect(),
                ),
                other => other,
            })
    }
}

impl App {
    /// The report's input cells and current values as CSV (`cell,value`).
    pub async fn report_csv(&self, principal: &Principal, id: i64) -> AppResult<Vec<u8>> {
        let view = self.report(principal, id).await?;
        let (regime, meta) = self.report_regime(&view).await?;
        let version = view
            .regime_version
            .checked_sub(1)
            .and_then(|i| regime.versions.get(i))
            .ok_or(AppError::NotFound)?;
        let cells: Vec<(String, String)> = baocao_domain::report::input_cells(version, &meta)
            .into_iter()
            .map(|(cell, _)| {
                let value = view.content.values.get(&cell).cloned().unwrap_or_default();
                let numeric = meta
                    .indicator(cell.split('/').next().unwrap_or(&cell))
                    .is_some_and(|i| {
                        matches!(
                            i.value_type,
                            ValueType::Integer | ValueType::Decimal | ValueType::Percentage
                        )
                    });
                // Written so that uploading the file back reads the same numbers.
                let value = if numeric { unambiguous(&value) } else { value };
                (cell, value)
            })
            .collect();
        report_csv::write(&cells).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Saves the values of a `cell,value` CSV as the draft (narrative and
    /// explanations kept); problems are reported by line. All or nothing.
    pub async fn upload_report_csv(
        &self,
        principal: &Principal,
        id: i64,
        bytes: &[u8],
    ) -> AppResult<Content> {
        let rows = report_csv::read(bytes).map_err(|e| match e {
            CsvError::NotUtf8 => file_problem("report.csv.not_utf8"),
            CsvError::BadHeader => file_problem("report.csv.bad_header"),
            CsvError::BadLine { line } => AppError::DocumentRejected(vec![Problem {
                path: format!("line {line}"),
                message: Message::new("report.csv.bad_line"),
            }]),
        })?;
        let view = self.report(principal, id).await?;
        let mut content = Content {
            sections: view.content.sections.clone(),
            explanations: view.content.explanations.clone(),
            ..Default::default()
        };
        let mut lines = HashMap::new();
        for (line, cell, value) in rows {
            lines.insert(cell.clone(), line);
            content.values.insert(cell, value);
        }
        self.save_report(principal, id, &content)
            .await
            .map_err(|e| match e {
                AppError::DocumentRejected(found) => AppError::DocumentRejected(
                    found
                        .into_iter()
                        .map(|p| Problem {
                            path: lines
                                .get(&p.path)
                                .map(|l| format!("line {l}"))
                                .unwrap_or(p.path),
                            message: p.message,
                        })
                        .collect(),
                ),
                other => other,
            })
    }
}
