//! Regimes: the list with the requests issued, and a regime version's page
//! (its facts, reporting groups and deadlines, forms and outline).

use askama::Template;
use axum::extract::{Path, Query, State};
use baocao_app::i18n::{t, Lang};
use baocao_app::AppError;
use baocao_domain::catalogue::{
    ColumnSource, Metadata, NumericForm, Regime, RegimeVersion, ReportingGroup, UnitSelector,
};
use serde::Deserialize;

use super::parts::{convention_key, fact, frequency_key, may_edit, rule_text, Fact, RequestRow};
use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, in_lang, layout, PageResult};
use crate::shared::layout::Layout;
use crate::state::AppState;

struct RegimeRow {
    code: String,
    name: String,
    kind: String,
    frequency: String,
    versions: usize,
}

#[derive(Template)]
#[template(path = "regimes.html")]
struct RegimesPage {
    layout: Layout,
    can_edit: bool,
    regimes: Vec<RegimeRow>,
    requests: Vec<RequestRow>,
}

/// Every regime (as its newest version names it) and every request issued.
pub(super) async fn regimes_page(State(state): State<AppState>, authed: Authed) -> PageResult {
    let lang = authed.lang;
    let meta = state.app.metadata().await.page(&authed)?;
    html(
        RegimesPage {
            layout: layout(&authed, "/regimes"),
            can_edit: may_edit(&authed),
            regimes: meta
                .regimes
                .iter()
                .filter_map(|r| {
                    let v = r.latest()?;
                    Some(RegimeRow {
                        code: r.code.clone(),
                        name: in_lang(lang, &v.name_vi, &v.name_en).to_string(),
                        kind: t(lang, v.kind.key()),
                        frequency: t(lang, frequency_key(v.frequency)),
                        versions: r.versions.len(),
                    })
                })
                .collect(),
            requests: meta
                .requests
                .iter()
                .map(|r| RequestRow::of(lang, r))
                .collect(),
        },
        lang,
    )
}

struct GroupRow {
    name: String,
    select: String,
    stage: u8,
    deadline: String,
}

struct FormView {
    code: String,
    title: String,
    columns: Vec<(String, String)>,
    rows: Vec<FormRowView>,
}

struct FormRowView {
    code: String,
    label: String,
    measure: String,
    option: bool,
}

struct SectionView {
    number: String,
    title: String,
    guidance: String,
}

struct VersionLink {
    number: usize,
    from: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "regime.html")]
struct RegimePage {
    layout: Layout,
    code: String,
    title: String,
    can_edit: bool,
    version: usize,
    versions: Vec<VersionLink>,
    facts: Vec<Fact>,
    groups: Vec<GroupRow>,
    forms: Vec<FormView>,
    outline: Vec<SectionView>,
}

#[derive(Debug, Deserialize)]
pub(super) struct VersionQuery {
    version: Option<usize>,
}

/// Which units a group selects: level, kind and listed codes.
fn selector_text(lang: Lang, s: &UnitSelector) -> String {
    let mut parts = Vec::new();
    if let Some(level) = &s.level {
        parts.push(t(lang, &format!("level.{level}")));
    }
    if let Some(kind) = &s.kind {
        parts.push(t(lang, &format!("regime.kind_{kind}")));
    }
    if !s.units.is_empty() {
        parts.push(s.units.join(", "));
    }
    parts.join(" · ")
}

fn group_row(lang: Lang, g: &ReportingGroup) -> GroupRow {
    GroupRow {
        name: in_lang(lang, &g.name_vi, &g.name_en).to_string(),
        select: selector_text(lang, &g.select),
        stage: g.stage,
        deadline: rule_text(lang, g.deadline),
    }
}

/// The rows of a form: each indicator, then (for a row broken down) the
/// options of its disaggregations.
fn form_rows(lang: Lang, meta: &Metadata, form: &NumericForm) -> Vec<FormRowView> {
    let mut rows = Vec::new();
    for row in &form.rows {
        let indicator = meta.indicator(&row.indicator);
        rows.push(FormRowView {
            code: row.indicator.clone(),
            label: indicator
                .map(|i| in_lang(lang, &i.name_vi, &i.name_en).to_string())
                .unwrap_or_default(),
            measure: indicator
                .map(|i| in_lang(lang, &i.measure_vi, &i.measure_en).to_string())
                .unwrap_or_default(),
            option: false,
        });
        if !row.breakdown {
            continue;
        }
        let dims = indicator
            .map(|i| i.disaggregations.as_slice())
            .unwrap_or(&[]);
        let options = dims
            .iter()
            .filter_map(|dim| meta.disaggregation(dim))
            .flat_map(|d| &d.options);
        rows.extend(options.map(|option| FormRowView {
            code: String::new(),
            label: in_lang(lang, &option.name_vi, &option.name_en).to_string(),
            measure: String::new(),
            option: true,
        }));
    }
    rows
}

/// A form with its columns (title and where the figures come from) and rows.
fn form_view(lang: Lang, meta: &Metadata, form: &NumericForm) -> FormView {
    FormView {
        code: form.code.clone(),
        title: in_lang(lang, &form.title_vi, &form.title_en).to_string(),
        columns: form
            .columns
            .iter()
            .map(|c| {
                let hint = match &c.source {
                    ColumnSource::Formula(f) => f.clone(),
                    other => t(lang, other.key()),
                };
                (in_lang(lang, &c.title_vi, &c.title_en).to_string(), hint)
            })
            .collect(),
        rows: form_rows(lang, meta, form),
    }
}

/// What a version says about itself: code, legal basis, kind, frequency,
/// convention, start, receiver, methods, signature and content.
fn regime_facts(lang: Lang, code: &str, v: &RegimeVersion, receiver: Option<&str>) -> Vec<Fact> {
    let yes_no = |b: bool| t(lang, if b { "regime.yes" } else { "regime.no" });
    let methods = v
        .methods
        .iter()
        .map(|m| t(lang, m.key()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut facts = vec![
        fact(lang, "regime.code", code),
        fact(lang, "regime.legal_basis", v.legal_basis.clone()),
        fact(lang, "regime.kind", t(lang, v.kind.key())),
        fact(
            lang,
            "regime.frequency",
            t(lang, frequency_key(v.frequency)),
        ),
        fact(
            lang,
            "regime.convention",
            t(lang, convention_key(v.convention)),
        ),
        fact(lang, "regime.from", v.from.clone()),
        fact(
            lang,
            "regime.receiving_unit",
            match receiver {
                Some(name) => format!("{name} ({})", v.receiving_unit),
                None => v.receiving_unit.clone(),
            },
        ),
        fact(lang, "regime.methods", methods),
        fact(
            lang,
            "regime.signature_required",
            yes_no(v.signature_required),
        ),
    ];
    let content = in_lang(lang, &v.content_vi, &v.content_en);
    if !content.is_empty() {
        facts.push(fact(lang, "regime.content", content));
    }
    facts
}

/// Links to every version of the regime, the one shown marked.
fn version_links(regime: &Regime, shown: usize) -> Vec<VersionLink> {
    (1..=regime.versions.len())
        .filter_map(|number| {
            let version = regime.version(number)?;
            Some(VersionLink {
                number,
                from: version.from.clone(),
                current: number == shown,
            })
        })
        .collect()
}

/// A version of a regime: the newest unless `?version=N` asks for another.
pub(super) async fn regime_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    Query(query): Query<VersionQuery>,
) -> PageResult {
    let lang = authed.lang;
    let screen = state
        .app
        .regime_screen(&code, query.version)
        .await
        .page(&authed)?;
    let meta = screen.meta;
    let regime = meta.regime(&code).ok_or(AppError::NotFound).page(&authed)?;
    let number = query.version.unwrap_or(regime.versions.len());
    let v = regime
        .version(number)
        .ok_or(AppError::NotFound)
        .page(&authed)?;
    let receiver = screen.receiver.map(|u| u.name);
    html(
        RegimePage {
            layout: layout(&authed, &format!("/regimes/{code}")),
            title: in_lang(lang, &v.name_vi, &v.name_en).to_string(),
            code: regime.code.clone(),
            can_edit: may_edit(&authed),
            version: number,
            versions: version_links(regime, number),
            facts: regime_facts(lang, &regime.code, v, receiver.as_deref()),
            groups: v.reporting.iter().map(|g| group_row(lang, g)).collect(),
            forms: v.forms.iter().map(|f| form_view(lang, &meta, f)).collect(),
            outline: v
                .outline
                .iter()
                .map(|s| SectionView {
                    number: s.number.clone(),
                    title: in_lang(lang, &s.title_vi, &s.title_en).to_string(),
                    guidance: in_lang(lang, &s.guidance_vi, &s.guidance_en).to_string(),
                })
                .collect(),
        },
        lang,
    )
}
