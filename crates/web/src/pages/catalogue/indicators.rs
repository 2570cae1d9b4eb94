//! The indicator catalogue: search by text and field, the disaggregations, and
//! an indicator's page (its facts, targets, history and the regimes using it).

use askama::Template;
use axum::extract::{Path, Query, State};
use baocao_app::catalogue::IndicatorVersion;
use baocao_app::i18n::{t, Lang};
use baocao_app::AppError;
use baocao_domain::catalogue::{Aggregation, Indicator, Metadata, Target, TargetScope, FIELDS};
use baocao_domain::number::vn_number;
use serde::Deserialize;

use super::parts::{fact, Choice, Fact};
use crate::extract::{ApiResult, Authed};
use crate::pages::view::{html, in_lang, layout, screen_date, PageResult};
use crate::shared::layout::Layout;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct CatalogueQuery {
    q: Option<String>,
    field: Option<String>,
}

struct IndicatorRow {
    code: String,
    name: String,
    measure: String,
    field: String,
    value_type: String,
    computed: bool,
}

struct DisaggregationRow {
    code: String,
    name: String,
    options: String,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    layout: Layout,
    q: String,
    fields: Vec<Choice>,
    indicators: Vec<IndicatorRow>,
    disaggregations: Vec<DisaggregationRow>,
}

fn indicator_row(lang: Lang, i: &Indicator) -> IndicatorRow {
    IndicatorRow {
        code: i.code.clone(),
        name: in_lang(lang, &i.name_vi, &i.name_en).to_string(),
        measure: in_lang(lang, &i.measure_vi, &i.measure_en).to_string(),
        field: i
            .field
            .as_deref()
            .map(|f| t(lang, &format!("field.{f}")))
            .unwrap_or_default(),
        value_type: t(lang, i.value_type.key()),
        computed: i.formula.is_some(),
    }
}

fn disaggregation_rows(lang: Lang, meta: &Metadata) -> Vec<DisaggregationRow> {
    meta.disaggregations
        .iter()
        .map(|d| DisaggregationRow {
            code: d.code.clone(),
            name: in_lang(lang, &d.name_vi, &d.name_en).to_string(),
            options: d
                .options
                .iter()
                .map(|o| in_lang(lang, &o.name_vi, &o.name_en))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

/// The indicators found, the fields to search in, and the disaggregations.
pub(super) async fn catalogue_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<CatalogueQuery>,
) -> PageResult {
    let lang = authed.lang;
    let q = query.q.unwrap_or_default();
    let field = query.field.filter(|f| !f.is_empty());
    let screen = state
        .app
        .indicators_screen(&q, field.as_deref())
        .await
        .page(&authed)?;
    let (found, meta) = (screen.found, screen.meta);
    html(
        CataloguePage {
            layout: layout(&authed, "/catalogue"),
            fields: FIELDS
                .iter()
                .map(|f| Choice {
                    value: f.to_string(),
                    label: t(lang, &format!("field.{f}")),
                    selected: field.as_deref() == Some(*f),
                })
                .collect(),
            q,
            indicators: found.iter().map(|i| indicator_row(lang, i)).collect(),
            disaggregations: disaggregation_rows(lang, &meta),
        },
        lang,
    )
}

struct HistoryRow {
    version: i64,
    recorded: String,
    name: String,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    layout: Layout,
    code: String,
    title: String,
    definition: String,
    facts: Vec<Fact>,
    targets: Vec<String>,
    history: Vec<HistoryRow>,
    used_in: Vec<(String, String)>,
}

/// How an indicator adds up: the rule's name, and for a weighted average what it is weighted by.
fn aggregation_text(lang: Lang, a: &Aggregation) -> String {
    let label = t(lang, a.key());
    match a {
        Aggregation::WeightedAverage(by) => format!("{label} ({by})"),
        _ => label,
    }
}

/// What the indicator is: measure, type, how it adds up, and what it has of
/// field, formula, feeds and disaggregations.
fn indicator_facts(lang: Lang, i: &Indicator, meta: &Metadata) -> Vec<Fact> {
    let mut facts = vec![
        fact(
            lang,
            "indicator.measure",
            in_lang(lang, &i.measure_vi, &i.measure_en),
        ),
        fact(lang, "indicator.value_type", t(lang, i.value_type.key())),
        fact(
            lang,
            "indicator.over_units",
            aggregation_text(lang, &i.over_units),
        ),
        fact(
            lang,
            "indicator.over_time",
            aggregation_text(lang, &i.over_time),
        ),
    ];
    if let Some(field) = &i.field {
        let name = t(lang, &format!("field.{field}"));
        facts.push(fact(lang, "indicator.field", name));
    }
    if let Some(formula) = &i.formula {
        facts.push(fact(lang, "indicator.formula", formula.clone()));
    }
    if let Some(feeds) = &i.feeds {
        facts.push(fact(lang, "indicator.feeds", feeds.clone()));
    }
    if !i.disaggregations.is_empty() {
        let dims = i
            .disaggregations
            .iter()
            .map(|code| {
                meta.disaggregation(code)
                    .map(|d| in_lang(lang, &d.name_vi, &d.name_en).to_string())
                    .unwrap_or_else(|| code.clone())
            })
            .collect::<Vec<_>>()
            .join(", ");
        facts.push(fact(lang, "indicator.disaggregations", dims));
    }
    facts
}

/// A target as a line: year · where it applies · its bounds.
fn target_text(lang: Lang, target: &Target) -> String {
    let scope = match &target.applies_to {
        TargetScope::All => t(lang, "indicator.scope_all"),
        TargetScope::Level(l) => t(lang, &format!("level.{l}")),
        TargetScope::Unit(u) => u.clone(),
    };
    let mut bounds = Vec::new();
    if let Some(low) = target.at_least {
        bounds.push(format!("≥ {}", vn_number(&low.to_string())));
    }
    if let Some(high) = target.at_most {
        bounds.push(format!("≤ {}", vn_number(&high.to_string())));
    }
    format!("{} · {} · {}", target.year, scope, bounds.join(", "))
}

/// The regimes whose newest version has a form row for the indicator: code and name.
fn regimes_using(lang: Lang, meta: &Metadata, code: &str) -> Vec<(String, String)> {
    meta.regimes
        .iter()
        .filter_map(|r| {
            let v = r.latest()?;
            let uses = v
                .forms
                .iter()
                .any(|f| f.rows.iter().any(|row| row.indicator == code));
            uses.then(|| {
                (
                    r.code.clone(),
                    in_lang(lang, &v.name_vi, &v.name_en).to_string(),
                )
            })
        })
        .collect()
}

fn history_row(lang: Lang, v: &IndicatorVersion) -> HistoryRow {
    HistoryRow {
        version: v.version,
        recorded: chrono::DateTime::from_timestamp(v.recorded_at, 0)
            .map(|d| screen_date(d.date_naive()))
            .unwrap_or_default(),
        name: in_lang(lang, &v.indicator.name_vi, &v.indicator.name_en).to_string(),
    }
}

/// An indicator as it is now, with its earlier versions.
pub(super) async fn indicator_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
) -> PageResult {
    let lang = authed.lang;
    let screen = state.app.indicator_screen(&code).await.page(&authed)?;
    let (history, meta) = (screen.history, screen.meta);
    let Some(current) = history.last().map(|v| &v.indicator) else {
        return Err(authed.page_error(AppError::NotFound));
    };
    html(
        IndicatorPage {
            layout: layout(&authed, &format!("/catalogue/indicators/{code}")),
            title: in_lang(lang, &current.name_vi, &current.name_en).to_string(),
            definition: in_lang(lang, &current.definition_vi, &current.definition_en).to_string(),
            code: current.code.clone(),
            facts: indicator_facts(lang, current, &meta),
            targets: current
                .targets
                .iter()
                .map(|t| target_text(lang, t))
                .collect(),
            history: history.iter().map(|v| history_row(lang, v)).collect(),
            used_in: regimes_using(lang, &meta, &current.code),
        },
        lang,
    )
}
