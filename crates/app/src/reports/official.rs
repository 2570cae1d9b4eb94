//! The official PDF of a report version (Decree 30/2020/NĐ-CP layout,
//! `baocao_formats::official_pdf`): what a unit head signs with PAdES and
//! anyone who may read the report downloads. It holds only what the version
//! fixes — the unit, the regime, the period, the version's figures and
//! narrative, its date — so the same version always gives the same bytes.
//! The date is the submission's (Vietnam time); a draft's PDF, made to be
//! signed before it is submitted, is dated today as the version it becomes.

use std::sync::{Arc, OnceLock};

use baocao_domain::access::Principal;
use baocao_domain::catalogue::{Metadata, RegimeVersion, ValueType};
use baocao_domain::number::vn_number;
use baocao_domain::official::{abbreviation, day_and_month, place_name};
use baocao_domain::report::{computed, Content, ReportId, VIETNAM};
use baocao_domain::unit::{OrgUnit, UnitKind};
use baocao_domain::Message;
use baocao_formats::official_pdf::{self, Fonts, OfficialDocument, Section, Table};
use baocao_store::reports::{self as store_reports, StoredReport};
use baocao_store::Conn;

use super::{decode, version_of};
use crate::i18n::{render, t, Lang};
use crate::periods::{period_label, period_name};
use crate::{now, App, AppError, AppResult};

/// Where the fonts are read from when `BAOCAO_PDF_FONT_DIR` is not set:
/// Debian's DejaVu (packages `fonts-dejavu-core` and `fonts-dejavu-extra`).
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

/// The fonts, read once.
fn fonts() -> Result<Arc<Fonts>, String> {
    static FONTS: OnceLock<Result<Arc<Fonts>, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let dir = std::env::var("BAOCAO_PDF_FONT_DIR")
                .unwrap_or_else(|_| DEFAULT_FONT_DIR.to_string());
            Fonts::dejavu_serif(&dir)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
}

/// A version (or the draft as the next version) to print.
#[derive(Debug, Clone)]
pub(crate) struct Printable {
    /// The report.
    pub report: StoredReport,
    /// The version number.
    pub version: i64,
    /// Its content.
    pub content: Content,
    /// The date of the document (Unix seconds: the submission, or now).
    pub dated: i64,
}

impl App {
    /// The official PDF of submitted version `version`, with a file name, for
    /// anyone who may read the report.
    pub async fn version_pdf(
        &self,
        principal: &Principal,
        id: ReportId,
        version: i64,
    ) -> AppResult<(String, Vec<u8>)> {
        let mut conn = self.store.conn().await?;
        let r = self.readable_report(&mut conn, principal, id).await?;
        let printable = self.printable(&mut conn, &r, Some(version)).await?;
        let doc = self.official_document(&mut conn, &printable).await?;
        // The connection goes back to the pool before the drawing waits for a turn.
        drop(conn);
        let bytes = self.heavy.run(move || draw(&doc)).await??;
        Ok((pdf_name(&printable), bytes))
    }

    /// The official PDF of the draft as the version it becomes if submitted
    /// today: what a unit head signs with PAdES before submitting (the
    /// unit's officers and heads).
    pub async fn draft_pdf(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<(String, Vec<u8>)> {
        let mut conn = self.store.conn().await?;
        let r = self.preparing_report(&mut conn, principal, id).await?;
        let printable = self.printable(&mut conn, &r, None).await?;
        let doc = self.official_document(&mut conn, &printable).await?;
        drop(conn);
        let bytes = self.heavy.run(move || draw(&doc)).await??;
        Ok((pdf_name(&printable), bytes))
    }

    /// What to print of report `r`: submitted version `version`, or (`None`)
    /// the draft as the next version, dated now.
    pub(crate) async fn printable(
        &self,
        conn: &mut Conn,
        r: &StoredReport,
        version: Option<i64>,
    ) -> AppResult<Printable> {
        Ok(match version {
            Some(v) => {
                let stored = store_reports::versions(conn, r.id)
                    .await?
                    .into_iter()
                    .find(|s| s.version == v)
                    .ok_or(AppError::NotFound)?;
                Printable {
                    report: r.clone(),
                    version: v,
                    content: decode(&stored.content)?,
                    dated: stored.submitted_at,
                }
            }
            None => Printable {
                report: r.clone(),
                version: r.version + 1,
                content: decode(&r.draft)?,
                dated: now(),
            },
        })
    }

    /// What the official PDF of `p` prints (read from the store; drawn by
    /// [`draw`], off the async workers).
    pub(crate) async fn official_document(
        &self,
        conn: &mut Conn,
        p: &Printable,
    ) -> AppResult<OfficialDocument> {
        let meta = self.metadata().await?;
        let version = version_of(&meta, &p.report)?.clone();
        let unit = self.one_unit(conn, p.report.unit_id).await?;
        let parent = match unit.parent {
            Some(id) => Some(self.one_unit(conn, id).await?),
            None => None,
        };
        let receiver = self.one_unit(conn, p.report.receiver_id).await?;
        Ok(document(
            &meta,
            &version,
            p,
            &unit,
            parent.as_ref(),
            &receiver,
        ))
    }

    pub(crate) async fn one_unit(
        &self,
        conn: &mut Conn,
        id: baocao_domain::unit::UnitId,
    ) -> AppResult<OrgUnit> {
        baocao_store::units::get_many(conn, &[id])
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)
    }
}

/// Lays out and draws the official PDF (CPU work: run it in `HeavyWork`).
pub(crate) fn draw(doc: &OfficialDocument) -> AppResult<Vec<u8>> {
    fonts()
        .and_then(|fonts| official_pdf::render(doc, &fonts))
        .map_err(|e| AppError::Internal(format!("official PDF: {e}")))
}

fn pdf_name(p: &Printable) -> String {
    format!(
        "{}_{}_{}_v{}.pdf",
        p.report.regime_code,
        p.report.period,
        p.report.unit_id.get(),
        p.version
    )
}

fn vi(message: Message) -> String {
    render(Lang::Vi, &message)
}

/// How a unit is named as a body: "UBND phường Thành Vinh" for an area,
/// its own name for an agency.
fn body_name(u: &OrgUnit) -> String {
    match u.kind {
        UnitKind::Area => vi(Message::new("official.committee").arg("name", {
            let mut chars = u.name.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })),
        UnitKind::Agency => u.name.clone(),
    }
}

/// The title's lines: the regime's name without its leading "Báo cáo" (the
/// kind line above says it), the period, and the version after the first.
fn title(version: &RegimeVersion, p: &Printable) -> Vec<String> {
    let name = version
        .name_vi
        .strip_prefix("Báo cáo ")
        .map(|rest| {
            let mut chars = rest.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .unwrap_or_else(|| version.name_vi.clone());
    let mut title = vec![name, period_name(Lang::Vi, &p.report.period)];
    if p.version > 1 {
        title.push(vi(
            Message::new("official.version").arg("version", p.version)
        ));
    }
    title
}

/// The outline's sections with the version's narrative.
fn sections(version: &RegimeVersion, p: &Printable) -> Vec<Section> {
    version
        .outline
        .iter()
        .map(|s| Section {
            heading: format!("{}. {}", s.number, s.title_vi),
            text: p
                .content
                .sections
                .get(&s.number)
                .cloned()
                .unwrap_or_default(),
        })
        .collect()
}

/// The document, in Vietnamese (an administrative document's language).
fn document(
    meta: &Metadata,
    version: &RegimeVersion,
    p: &Printable,
    unit: &OrgUnit,
    parent: Option<&OrgUnit>,
    receiver: &OrgUnit,
) -> OfficialDocument {
    let lang = Lang::Vi;
    let date = chrono::DateTime::from_timestamp(p.dated, 0)
        .map(|d| d.with_timezone(&VIETNAM).date_naive())
        .unwrap_or_default();
    let (day, month) = day_and_month(date);
    // An agency dates its documents at the place of the area it belongs to.
    let place_unit = match (unit.kind, parent) {
        (UnitKind::Agency, Some(parent)) if parent.kind == UnitKind::Area => parent,
        _ => unit,
    };
    let place = place_name(&place_unit.name, &place_unit.division_type);
    let abbr = match unit.kind {
        UnitKind::Area => "UBND".to_string(),
        UnitKind::Agency => abbreviation(&unit.name),
    };
    let (title, sections) = (title(version, p), sections(version, p));
    let (signer_title, recipients_of_unit) = match unit.kind {
        UnitKind::Area => (
            vec![
                t(lang, "official.signer_area"),
                t(lang, "official.signer_chair"),
            ],
            body_name(receiver),
        ),
        UnitKind::Agency => (vec![t(lang, "official.signer_agency")], body_name(receiver)),
    };
    OfficialDocument {
        authority: parent
            .map(|p| body_name(p).to_uppercase())
            .unwrap_or_default(),
        issuer: body_name(unit).to_uppercase(),
        number: vi(Message::new("official.number")
            .arg("number", p.report.id.get())
            .arg("abbr", abbr)),
        nation: t(lang, "official.nation"),
        motto: t(lang, "official.motto"),
        place_date: vi(Message::new("official.place_date")
            .arg("place", place)
            .arg("day", day)
            .arg("month", month)
            .arg("year", chrono::Datelike::year(&date))),
        kind: t(lang, "official.kind"),
        title,
        sections,
        tables: tables(meta, version, p),
        recipients_heading: t(lang, "official.recipients"),
        recipients: vec![
            format!("- {recipients_of_unit};"),
            t(lang, "official.archive"),
        ],
        signer_title,
        signature_note: t(lang, "official.signature_note"),
        signer_name: String::new(),
        footer: vi(Message::new("official.footer")
            .arg("regime", &p.report.regime_code)
            .arg("period", period_label(lang, &p.report.period))
            .arg("version", p.version)),
    }
}

/// The numeric forms: a row per indicator (and per option of a row broken
/// down) with the version's own figure; computed indicators from the same
/// figures. Columns drawn from other reports (last year, targets) are left
/// to the report page: they could change after the version was signed.
fn tables(meta: &Metadata, version: &RegimeVersion, p: &Printable) -> Vec<Table> {
    let lang = Lang::Vi;
    let derived = computed(&p.content, meta);
    version
        .forms
        .iter()
        .map(|form| {
            let mut rows = Vec::new();
            for row in &form.rows {
                let Some(indicator) = meta.indicator(&row.indicator) else {
                    continue;
                };
                let mut keys = vec![indicator.code.clone()];
                if row.breakdown {
                    for dim in &indicator.disaggregations {
                        for option in meta
                            .disaggregation(dim)
                            .map(|d| d.options.as_slice())
                            .unwrap_or(&[])
                        {
                            keys.push(format!("{}/{}:{}", indicator.code, dim, option.code));
                        }
                    }
                }
                for key in keys {
                    let option = key.contains('/');
                    let value = if indicator.formula.is_some() && !option {
                        derived
                            .get(&indicator.code)
                            .map(|d| vn_number(&d.normalize().to_string()))
                    } else {
                        p.content
                            .values
                            .get(&key)
                            .map(|v| shown(v, indicator.value_type, lang))
                    };
                    let label = meta
                        .cell_names(&key)
                        .map(|(vi, _)| vi)
                        .unwrap_or_else(|| key.clone());
                    rows.push(vec![
                        (rows.len() + 1).to_string(),
                        label,
                        if option {
                            String::new()
                        } else {
                            indicator.code.clone()
                        },
                        indicator.measure_vi.clone(),
                        value.unwrap_or_default(),
                    ]);
                }
            }
            Table {
                title: format!("{}. {}", form.code, form.title_vi),
                header: vec![
                    t(lang, "official.col_no"),
                    t(lang, "official.col_indicator"),
                    t(lang, "official.col_code"),
                    t(lang, "official.col_measure"),
                    vi(Message::new("official.col_value")
                        .arg("period", period_label(lang, &p.report.period))),
                ],
                widths: vec![7, 43, 11, 15, 20],
                numeric: vec![false, false, false, false, true],
                rows,
            }
        })
        .collect()
}

/// A stored value as people read it, in `lang`: numbers in Vietnamese
/// notation, yes/no in words, texts as typed (the report page and the
/// official PDF show values the same way).
pub fn shown(value: &str, value_type: ValueType, lang: Lang) -> String {
    match value_type {
        ValueType::Integer | ValueType::Decimal | ValueType::Percentage => vn_number(value),
        ValueType::YesNo => t(
            lang,
            if value == "yes" {
                "regime.yes"
            } else {
                "regime.no"
            },
        ),
        ValueType::Text => value.to_string(),
    }
}
