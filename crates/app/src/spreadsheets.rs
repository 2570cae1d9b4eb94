//! A report's form as an .xlsx template to fill offline, and the upload of a
//! filled one: every problem is reported with its sheet reference
//! (`BaoCao!E14: "abc" is not a number`) and nothing is stored from a file with
//! problems. The same values as CSV (`cell,value`), problems by line.
//!
//! Uploads are hostile input: the caller's right to change the report is
//! checked before the file is looked at, the file is read off the async
//! workers with a bounded number at once ([`crate::limits`]), and the reader
//! refuses archives that inflate too much and sheets larger than the
//! template ([`baocao_formats::xlsx`]).

use std::collections::{BTreeMap, HashMap};

use baocao_domain::access::Principal;
use baocao_domain::catalogue::{
    ColumnSource, Indicator, Metadata, NumericForm, Problem, RegimeVersion, ValueType,
};
use baocao_domain::number::unambiguous;
use baocao_domain::period::PeriodId;
use baocao_domain::report::{
    column_values, computed, computed_with, derived_text, ColumnContext, Content,
    IndicatorFormulas, ReportId,
};
use baocao_domain::unit::LineError;
use baocao_domain::Message;
use baocao_formats::report_csv::{self, CsvError};
use baocao_formats::xlsx::{self, Bounds, Kind, ReadError, Row, Template};
use baocao_store::reports::StoredReport;

use crate::i18n::{t, Lang};
use crate::reports::version_of;
use crate::reports::workflow::{permitted, Step};
use crate::{App, AppError, AppResult};

/// Largest spreadsheet accepted, in bytes.
pub const MAX_UPLOAD_BYTES: usize = xlsx::MAX_BYTES;

fn file_problem(message: Message) -> AppError {
    AppError::DocumentRejected(vec![Problem {
        path: "file".into(),
        message,
    }])
}

fn no_values() -> AppError {
    file_problem(Message::new("report.error.no_values"))
}

/// The rows of a template for `version`, in `lang`, with the values of
/// `content` and the other columns computed from `ctx`.
fn template_rows(
    meta: &Metadata,
    version: &RegimeVersion,
    content: &Content,
    ctx: &ColumnContext,
    lang: Lang,
) -> Vec<Row> {
    let pick = |vi: &str, en: &str| in_lang(lang, vi, en);
    let values = match ctx.formulas {
        Some(formulas) => computed_with(formulas, content),
        None => computed(content, meta),
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
            column_values(meta, form, cell, content, ctx)
                .into_iter()
                .zip(&others)
                .filter(|(_, other)| **other)
                .map(|(v, _)| v.map(derived_text).unwrap_or_default())
                .collect()
        };
        rows.push(form_heading(form, lang));
        for row in &form.rows {
            let Some(ind) = meta.indicator(&row.indicator) else {
                continue;
            };
            let kind = kind_of(ind);
            let value = if kind == Kind::Locked {
                values.get(&ind.code).map(|d| d.to_string())
            } else {
                content.values.get(&ind.code).cloned()
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
                for (key, label) in breakdown_cells(meta, ind, lang) {
                    rows.push(Row {
                        value: content.values.get(&key).cloned(),
                        extra: extra_of(&key),
                        key,
                        code: String::new(),
                        label,
                        measure: String::new(),
                        kind,
                    });
                }
            }
        }
    }
    rows
}

/// The heading row of `form`: its code and title, and the titles of its
/// other columns.
fn form_heading(form: &NumericForm, lang: Lang) -> Row {
    let pick = |vi: &str, en: &str| in_lang(lang, vi, en);
    Row {
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
    }
}

/// A label in `lang` (see [`Lang::pick`]).
fn in_lang(lang: Lang, vi: &str, en: &str) -> String {
    lang.pick(vi, en).to_string()
}

/// What a row of indicator `ind` takes: nothing typed for a computed one.
fn kind_of(ind: &Indicator) -> Kind {
    match (ind.formula.is_some(), ind.value_type) {
        (true, _) => Kind::Locked,
        (false, ValueType::Integer) => Kind::Integer,
        (false, ValueType::Decimal | ValueType::Percentage) => Kind::Decimal,
        (false, _) => Kind::Text,
    }
}

/// The cells of an indicator broken down by its disaggregations: (cell key,
/// indented option label in `lang`), in the catalogue's order.
fn breakdown_cells(meta: &Metadata, ind: &Indicator, lang: Lang) -> Vec<(String, String)> {
    let mut cells = Vec::new();
    for dim in &ind.disaggregations {
        for o in meta
            .disaggregation(dim)
            .map(|d| d.options.as_slice())
            .unwrap_or(&[])
        {
            cells.push((
                format!("{}/{}:{}", ind.code, dim, o.code),
                format!("  – {}", in_lang(lang, &o.name_vi, &o.name_en)),
            ));
        }
    }
    cells
}

/// The rows and columns a filled template of `version` may use.
fn template_bounds(meta: &Metadata, version: &RegimeVersion) -> Bounds {
    let rows = template_rows(
        meta,
        version,
        &Content::default(),
        &ColumnContext::default(),
        Lang::Vi,
    );
    Bounds {
        rows: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        extra_columns: rows
            .iter()
            .map(|r| u32::try_from(r.extra.len()).unwrap_or(u32::MAX))
            .max()
            .unwrap_or(0),
    }
}

/// The file name of a report's download: regime, period and unit, readable
/// in Vietnamese (`BC-KTXH-T_2026M12_Phường_Đông_Vĩnh.xlsx`); characters no
/// file system takes become `-`, spaces `_`.
pub fn download_name(regime: &str, period: &PeriodId, unit_name: &str, extension: &str) -> String {
    let stem = format!("{regime}_{period}_{unit_name}");
    let stem: String = stem
        .chars()
        .map(|c| match c {
            ' ' => '_',
            c if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' => c,
            _ => '-',
        })
        .collect();
    format!("{stem}.{extension}")
}

impl App {
    /// The .xlsx template of a report (for anyone who may read it), in `lang`,
    /// with its file name.
    pub async fn report_template(
        &self,
        principal: &Principal,
        id: ReportId,
        lang: Lang,
    ) -> AppResult<(String, Vec<u8>)> {
        let view = self.report(principal, id).await?;
        let (regime, meta) = self.report_regime(&view).await?;
        let version = regime
            .version(view.regime_version)
            .ok_or(AppError::NotFound)?;
        let formulas = IndicatorFormulas::of(&meta);
        let ctx = ColumnContext {
            last_year: view.last_year.as_ref(),
            earlier_this_year: view.earlier_this_year.iter().collect(),
            targets: view.targets.clone(),
            formulas: Some(&formulas),
        };
        let template = Template {
            heading: vec![
                if lang == Lang::En && !version.name_en.is_empty() {
                    version.name_en.clone()
                } else {
                    version.name_vi.clone()
                },
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
            rows: template_rows(&meta, version, &view.content, &ctx, lang),
            meta: vec![
                ("report".into(), view.id.to_string()),
                ("regime".into(), view.regime.clone()),
                ("version".into(), view.regime_version.to_string()),
                ("unit".into(), view.unit.to_string()),
                ("period".into(), view.period.to_string()),
            ],
            number_error: t(lang, "report.xlsx.number_error"),
        };
        let bytes = self
            .heavy
            .run(move || xlsx::write_template(&template))
            .await?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((
            download_name(&view.regime, &view.period, &view.unit_name, "xlsx"),
            bytes,
        ))
    }

    /// A report whose values the caller may replace now (its data-entry
    /// officers, while it is a draft or returned): checked before any upload
    /// is read.
    async fn report_to_fill(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<(StoredReport, std::sync::Arc<Metadata>)> {
        let mut conn = self.store.conn().await?;
        let r = baocao_store::reports::get(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !permitted(principal, &r, &Step::Touch) {
            return Err(self.refusal(&mut conn, principal, &r).await?);
        }
        drop(conn);
        baocao_domain::report::next_status(r.status, baocao_domain::report::Action::Save)
            .map_err(AppError::Conflict)?;
        let meta = self.metadata().await?;
        version_of(&meta, &r)?;
        Ok((r, meta))
    }

    /// Saves the values of a filled template as the report's draft (the
    /// narrative and explanations stay as they are). All or nothing; a file
    /// that carries no value at all is refused (it would erase the draft).
    pub async fn upload_report(
        &self,
        principal: &Principal,
        id: ReportId,
        bytes: Vec<u8>,
    ) -> AppResult<Content> {
        let (r, meta) = self.report_to_fill(principal, id).await?;
        let bounds = template_bounds(&meta, version_of(&meta, &r)?);
        let upload = self
            .heavy
            .run(move || xlsx::read_upload(&bytes, bounds))
            .await?
            .map_err(|e| {
                file_problem(match e {
                    ReadError::TooLarge => Message::new("report.xlsx.too_large"),
                    ReadError::Inflated => Message::new("report.xlsx.inflated"),
                    ReadError::NotXlsx(_) => Message::new("report.xlsx.not_xlsx"),
                    ReadError::NotTemplate => Message::new("report.xlsx.not_template"),
                    ReadError::OutsideForm { reference } => {
                        Message::new("report.xlsx.outside_form").arg("value", reference)
                    }
                })
            })?;
        let same = |k: &str, v: &str| upload.meta.get(k).map(String::as_str) == Some(v);
        if !(same("report", &r.id.to_string())
            && same("regime", &r.regime_code)
            && same("unit", &r.unit_id.to_string())
            && same("period", &r.period.to_string()))
        {
            return Err(file_problem(
                Message::new("report.xlsx.foreign")
                    .arg(
                        "regime",
                        upload.meta.get("regime").cloned().unwrap_or_default(),
                    )
                    .arg(
                        "period",
                        upload.meta.get("period").cloned().unwrap_or_default(),
                    ),
            ));
        }
        let mut problems = Vec::new();
        let mut references = HashMap::new();
        let mut values = BTreeMap::new();
        for cell in &upload.cells {
            references.insert(cell.key.clone(), cell.reference.clone());
            match &cell.text {
                Some(text) => {
                    values.insert(cell.key.clone(), text.clone());
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
        if values.values().all(|v| v.trim().is_empty()) {
            return Err(no_values());
        }
        self.save_values(principal, id, values)
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

    /// The report's input cells and current values as CSV (`cell,value`).
    pub async fn report_csv(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<(String, Vec<u8>)> {
        let (r, meta) = self.readable_with_version(principal, id).await?;
        let unit_name = {
            let mut conn = self.store.conn().await?;
            baocao_store::units::get(&mut conn, r.unit_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default()
        };
        let version = version_of(&meta, &r)?;
        let content = crate::reports::decode(&r.draft)?;
        let cells: Vec<(String, String)> = baocao_domain::report::input_cells(version, &meta)
            .into_iter()
            .map(|(cell, _)| {
                let value = content.values.get(&cell).cloned().unwrap_or_default();
                let numeric = meta
                    .indicator(cell.split('/').next().unwrap_or(&cell))
                    .is_some_and(|i| i.value_type.is_numeric());
                // Written so that uploading the file back reads the same numbers.
                let value = if numeric { unambiguous(&value) } else { value };
                (cell, value)
            })
            .collect();
        let bytes = report_csv::write(&cells).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((
            download_name(&r.regime_code, &r.period, &unit_name, "csv"),
            bytes,
        ))
    }

    /// Saves the values of a `cell,value` CSV as the draft (narrative and
    /// explanations kept); problems are reported by line. All or nothing; a
    /// file with no value at all is refused.
    pub async fn upload_report_csv(
        &self,
        principal: &Principal,
        id: ReportId,
        bytes: Vec<u8>,
    ) -> AppResult<Content> {
        let line_problem = |line: u64, message: Message| {
            AppError::ImportRejected(vec![LineError { line, message }])
        };
        self.report_to_fill(principal, id).await?;
        let rows = self
            .heavy
            .run(move || report_csv::read(&bytes))
            .await?
            .map_err(|e| match e {
                CsvError::NotUtf8 => file_problem(Message::new("report.csv.not_utf8")),
                CsvError::BadHeader => file_problem(Message::new("report.csv.bad_header")),
                CsvError::BadLine { line } => {
                    line_problem(line, Message::new("report.csv.bad_line"))
                }
                CsvError::Duplicate { line, cell, first } => line_problem(
                    line,
                    Message::new("report.csv.duplicate")
                        .arg("value", cell)
                        .arg("first", first),
                ),
            })?;
        let mut lines = HashMap::new();
        let mut values = BTreeMap::new();
        for (line, cell, value) in rows {
            lines.insert(cell.clone(), line);
            values.insert(cell, value);
        }
        if values.values().all(|v| v.trim().is_empty()) {
            return Err(no_values());
        }
        self.save_values(principal, id, values)
            .await
            .map_err(|e| match e {
                AppError::DocumentRejected(found) => AppError::ImportRejected(
                    found
                        .into_iter()
                        .map(|p| LineError {
                            line: lines.get(&p.path).copied().unwrap_or(0),
                            message: p.message,
                        })
                        .collect(),
                ),
                other => other,
            })
    }
}
