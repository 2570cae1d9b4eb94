//! Pages of the metadata catalogue: indicator browser and search, regimes with
//! their forms and outline, a regime's deadline calendar for a year, and the
//! regime editor for regime administrators (one version at a time, no script
//! needed).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use baocao_app::catalogue::{IndicatorVersion, RegimeCalendar};
use baocao_app::i18n::{render, t, Lang};
use baocao_app::AppError;
use baocao_domain::access::Permission;
use baocao_domain::catalogue::{
    Column, ColumnSource, FormRow, Indicator, Metadata, Method, NumericForm, OutlineSection,
    Problem, Regime, RegimeKind, RegimeVersion, ReportingGroup, Severity, UnitSelector,
    ValidationRule, FIELDS,
};
use baocao_domain::deadline::DeadlineRule;
use baocao_domain::period::{Convention, Frequency};
use baocao_domain::Message;
use serde::Deserialize;

use super::{html, screen_date, Layout};
use crate::error::WebError;
use crate::extract::{ApiResult, Authed, PageForm};
use crate::AppState;

/// The catalogue routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/catalogue", get(catalogue_page))
        .route("/catalogue/indicators/{code}", get(indicator_page))
        .route("/regimes", get(regimes_page))
        .route("/regimes/new", get(new_regime).post(save_regime))
        .route("/regimes/{code}", get(regime_page))
        .route("/regimes/{code}/edit", get(edit_regime).post(save_regime))
        .route("/regimes/{code}/calendar", get(calendar_page))
        .route("/requests/new", get(new_request).post(save_request))
}

fn name<'a>(lang: Lang, vi: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En && !en.trim().is_empty() {
        en
    } else {
        vi
    }
}

fn frequency_key(f: Frequency) -> &'static str {
    match f {
        Frequency::Monthly => "frequency.monthly",
        Frequency::Quarterly => "frequency.quarterly",
        Frequency::HalfYearly => "frequency.half_yearly",
        Frequency::NineMonths => "frequency.nine_months",
        Frequency::Yearly => "frequency.yearly",
        Frequency::AdHoc => "frequency.ad_hoc",
    }
}

fn convention_key(c: Convention) -> &'static str {
    match c {
        Convention::Administrative => "convention.administrative",
        Convention::Calendar => "convention.calendar",
    }
}

/// A deadline rule in words.
fn rule_text(lang: Lang, rule: Option<DeadlineRule>) -> String {
    match rule {
        None => t(lang, "regime.deadline_in_request"),
        Some(DeadlineRule::WorkingDaysAfterWindow(n)) => render(
            lang,
            &Message::new("regime.rule_working_days").arg("n", n.get()),
        ),
        Some(DeadlineRule::FixedDayOfMonth { day, months_after }) => render(
            lang,
            &Message::new("regime.rule_fixed_day")
                .arg("day", day)
                .arg("months", months_after),
        ),
    }
}

fn may_edit(authed: &Authed) -> bool {
    authed
        .caller
        .principal
        .may_somewhere(Permission::DefineRegimes)
}

// ---------------------------------------------------------------- indicators

#[derive(Debug, Deserialize)]
struct CatalogueQuery {
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

struct Choice {
    value: String,
    label: String,
    selected: bool,
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
        name: name(lang, &i.name_vi, &i.name_en).to_string(),
        measure: name(lang, &i.measure_vi, &i.measure_en).to_string(),
        field: i
            .field
            .as_deref()
            .map(|f| t(lang, &format!("field.{f}")))
            .unwrap_or_default(),
        value_type: t(lang, i.value_type.key()),
        computed: i.formula.is_some(),
    }
}

async fn catalogue_page(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<CatalogueQuery>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let q = query.q.unwrap_or_default();
    let field = query.field.filter(|f| !f.is_empty());
    let found = state
        .app
        .search_indicators(&q, field.as_deref())
        .await
        .page(&authed)?;
    let meta = state.app.metadata().await.page(&authed)?;
    html(
        CataloguePage {
            layout: Layout::of(&authed, "/catalogue"),
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
            disaggregations: meta
                .disaggregations
                .iter()
                .map(|d| DisaggregationRow {
                    code: d.code.clone(),
                    name: name(lang, &d.name_vi, &d.name_en).to_string(),
                    options: d
                        .options
                        .iter()
                        .map(|o| name(lang, &o.name_vi, &o.name_en))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect(),
        },
        lang,
    )
}

struct Fact {
    label: String,
    value: String,
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

fn fact(lang: Lang, key: &str, value: impl Into<String>) -> Fact {
    Fact {
        label: t(lang, key),
        value: value.into(),
    }
}

async fn indicator_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let history: Vec<IndicatorVersion> = state.app.indicator_history(&code).await.page(&authed)?;
    let meta = state.app.metadata().await.page(&authed)?;
    let Some(current) = history.last().map(|v| v.indicator.clone()) else {
        return Err(authed.page_error(AppError::NotFound));
    };
    let aggregation = |a: &baocao_domain::catalogue::Aggregation| {
        let label = t(lang, a.key());
        match a {
            baocao_domain::catalogue::Aggregation::WeightedAverage(by) => format!("{label} ({by})"),
            _ => label,
        }
    };
    let mut facts = vec![
        fact(
            lang,
            "indicator.measure",
            name(lang, &current.measure_vi, &current.measure_en),
        ),
        fact(
            lang,
            "indicator.value_type",
            t(lang, current.value_type.key()),
        ),
        fact(
            lang,
            "indicator.over_units",
            aggregation(&current.over_units),
        ),
        fact(lang, "indicator.over_time", aggregation(&current.over_time)),
    ];
    if let Some(field) = &current.field {
        facts.push(fact(
            lang,
            "indicator.field",
            t(lang, &format!("field.{field}")),
        ));
    }
    if let Some(formula) = &current.formula {
        facts.push(fact(lang, "indicator.formula", formula.clone()));
    }
    if let Some(feeds) = &current.feeds {
        facts.push(fact(lang, "indicator.feeds", feeds.clone()));
    }
    if !current.disaggregations.is_empty() {
        let dims = current
            .disaggregations
            .iter()
            .map(|code| {
                meta.disaggregation(code)
                    .map(|d| name(lang, &d.name_vi, &d.name_en).to_string())
                    .unwrap_or_else(|| code.clone())
            })
            .collect::<Vec<_>>()
            .join(", ");
        facts.push(fact(lang, "indicator.disaggregations", dims));
    }
    let targets = current
        .targets
        .iter()
        .map(|target| {
            let scope = match &target.applies_to {
                baocao_domain::catalogue::TargetScope::All => t(lang, "indicator.scope_all"),
                baocao_domain::catalogue::TargetScope::Level(l) => t(lang, &format!("level.{l}")),
                baocao_domain::catalogue::TargetScope::Unit(u) => u.clone(),
            };
            let mut bounds = Vec::new();
            if let Some(low) = target.at_least {
                bounds.push(format!("≥ {}", vn_number(&low.to_string())));
            }
            if let Some(high) = target.at_most {
                bounds.push(format!("≤ {}", vn_number(&high.to_string())));
            }
            format!("{} · {} · {}", target.year, scope, bounds.join(", "))
        })
        .collect();
    let used_in = meta
        .regimes
        .iter()
        .filter(|r| {
            r.latest().is_some_and(|v| {
                v.forms
                    .iter()
                    .any(|f| f.rows.iter().any(|row| row.indicator == current.code))
            })
        })
        .filter_map(|r| {
            let v = r.latest()?;
            Some((
                r.code.clone(),
                name(lang, &v.name_vi, &v.name_en).to_string(),
            ))
        })
        .collect();
    html(
        IndicatorPage {
            layout: Layout::of(&authed, &format!("/catalogue/indicators/{code}")),
            title: name(lang, &current.name_vi, &current.name_en).to_string(),
            definition: name(lang, &current.definition_vi, &current.definition_en).to_string(),
            code: current.code.clone(),
            facts,
            targets,
            history: history
                .iter()
                .map(|v| HistoryRow {
                    version: v.version,
                    recorded: chrono::DateTime::from_timestamp(v.recorded_at, 0)
                        .map(|d| screen_date(d.date_naive()))
                        .unwrap_or_default(),
                    name: name(lang, &v.indicator.name_vi, &v.indicator.name_en).to_string(),
                })
                .collect(),
            used_in,
        },
        lang,
    )
}

pub use baocao_domain::report::vn_number;

// ---------------------------------------------------------------- regimes

struct RegimeRow {
    code: String,
    name: String,
    kind: String,
    frequency: String,
    versions: usize,
}

struct RequestRow {
    code: String,
    regime: String,
    title: String,
    window: String,
    deadline: String,
    units: usize,
}

#[derive(Template)]
#[template(path = "regimes.html")]
struct RegimesPage {
    layout: Layout,
    can_edit: bool,
    regimes: Vec<RegimeRow>,
    requests: Vec<RequestRow>,
}

async fn regimes_page(State(state): State<AppState>, authed: Authed) -> Result<Response, WebError> {
    let lang = authed.lang;
    let meta = state.app.metadata().await.page(&authed)?;
    html(
        RegimesPage {
            layout: Layout::of(&authed, "/regimes"),
            can_edit: may_edit(&authed),
            regimes: meta
                .regimes
                .iter()
                .filter_map(|r| {
                    let v = r.latest()?;
                    Some(RegimeRow {
                        code: r.code.clone(),
                        name: name(lang, &v.name_vi, &v.name_en).to_string(),
                        kind: t(lang, v.kind.key()),
                        frequency: t(lang, frequency_key(v.frequency)),
                        versions: r.versions.len(),
                    })
                })
                .collect(),
            requests: meta
                .requests
                .iter()
                .map(|r| RequestRow {
                    code: r.code.clone(),
                    regime: r.regime.clone(),
                    title: name(lang, &r.title_vi, &r.title_en).to_string(),
                    window: format!(
                        "{} – {}",
                        screen_date(r.window_first),
                        screen_date(r.window_last)
                    ),
                    deadline: screen_date(r.deadline),
                    units: r.units.len(),
                })
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
struct VersionQuery {
    version: Option<usize>,
}

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

fn form_view(lang: Lang, meta: &Metadata, form: &NumericForm) -> FormView {
    let mut rows = Vec::new();
    for row in &form.rows {
        let indicator = meta.indicator(&row.indicator);
        rows.push(FormRowView {
            code: row.indicator.clone(),
            label: indicator
                .map(|i| name(lang, &i.name_vi, &i.name_en).to_string())
                .unwrap_or_default(),
            measure: indicator
                .map(|i| name(lang, &i.measure_vi, &i.measure_en).to_string())
                .unwrap_or_default(),
            option: false,
        });
        if row.breakdown {
            for dim in indicator
                .map(|i| i.disaggregations.as_slice())
                .unwrap_or(&[])
            {
                for option in meta
                    .disaggregation(dim)
                    .map(|d| d.options.as_slice())
                    .unwrap_or(&[])
                {
                    rows.push(FormRowView {
                        code: String::new(),
                        label: name(lang, &option.name_vi, &option.name_en).to_string(),
                        measure: String::new(),
                        option: true,
                    });
                }
            }
        }
    }
    FormView {
        code: form.code.clone(),
        title: name(lang, &form.title_vi, &form.title_en).to_string(),
        columns: form
            .columns
            .iter()
            .map(|c| {
                let hint = match &c.source {
                    ColumnSource::Formula(f) => f.clone(),
                    other => t(lang, other.key()),
                };
                (name(lang, &c.title_vi, &c.title_en).to_string(), hint)
            })
            .collect(),
        rows,
    }
}

async fn regime_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    Query(query): Query<VersionQuery>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let meta = state.app.metadata().await.page(&authed)?;
    let regime = meta.regime(&code).ok_or(AppError::NotFound).page(&authed)?;
    let number = query.version.unwrap_or(regime.versions.len());
    let v = regime
        .version(number)
        .ok_or(AppError::NotFound)
        .page(&authed)?;
    let mut facts = vec![
        fact(lang, "regime.code", regime.code.clone()),
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
        fact(lang, "regime.receiving_unit", v.receiving_unit.clone()),
        fact(
            lang,
            "regime.methods",
            v.methods
                .iter()
                .map(|m| t(lang, m.key()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        fact(
            lang,
            "regime.signature_required",
            t(
                lang,
                if v.signature_required {
                    "regime.yes"
                } else {
                    "regime.no"
                },
            ),
        ),
    ];
    let content = name(lang, &v.content_vi, &v.content_en);
    if !content.is_empty() {
        facts.push(fact(lang, "regime.content", content.to_string()));
    }
    html(
        RegimePage {
            layout: Layout::of(&authed, &format!("/regimes/{code}")),
            title: name(lang, &v.name_vi, &v.name_en).to_string(),
            code: regime.code.clone(),
            can_edit: may_edit(&authed),
            version: number,
            versions: regime
                .versions
                .iter()
                .enumerate()
                .map(|(i, version)| VersionLink {
                    number: i + 1,
                    from: version.from.clone(),
                    current: i + 1 == number,
                })
                .collect(),
            facts,
            groups: v
                .reporting
                .iter()
                .map(|g| GroupRow {
                    name: name(lang, &g.name_vi, &g.name_en).to_string(),
                    select: selector_text(lang, &g.select),
                    stage: g.stage,
                    deadline: rule_text(lang, g.deadline),
                })
                .collect(),
            forms: v.forms.iter().map(|f| form_view(lang, &meta, f)).collect(),
            outline: v
                .outline
                .iter()
                .map(|s| SectionView {
                    number: s.number.clone(),
                    title: name(lang, &s.title_vi, &s.title_en).to_string(),
                    guidance: name(lang, &s.guidance_vi, &s.guidance_en).to_string(),
                })
                .collect(),
        },
        lang,
    )
}

// ---------------------------------------------------------------- calendar

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<String>,
}

struct CalendarRow {
    period: String,
    version: usize,
    window: String,
    deadlines: Vec<String>,
}

#[derive(Template)]
#[template(path = "regime_calendar.html")]
struct CalendarPage {
    layout: Layout,
    code: String,
    title: String,
    year: i32,
    groups: Vec<String>,
    rows: Vec<CalendarRow>,
    requests: Vec<RequestRow>,
}

async fn calendar_page(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    Query(query): Query<YearQuery>,
) -> Result<Response, WebError> {
    use chrono::Datelike;
    let lang = authed.lang;
    let year = match query
        .year
        .as_deref()
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        None => chrono::Local::now().year(),
        Some(y) => y
            .parse::<i32>()
            .map_err(|_| {
                AppError::field("year", Message::new("request.bad_number").arg("value", y))
            })
            .page(&authed)?,
    };
    let cal: RegimeCalendar = state.app.regime_calendar(&code, year).await.page(&authed)?;
    let latest = cal.regime.latest();
    let groups = latest
        .map(|v| {
            v.reporting
                .iter()
                .filter(|g| g.deadline.is_some())
                .map(|g| name(lang, &g.name_vi, &g.name_en).to_string())
                .collect()
        })
        .unwrap_or_default();
    html(
        CalendarPage {
            layout: Layout::of(&authed, &format!("/regimes/{code}/calendar")),
            title: latest
                .map(|v| name(lang, &v.name_vi, &v.name_en).to_string())
                .unwrap_or_default(),
            code: cal.regime.code.clone(),
            year,
            groups,
            rows: cal
                .periods
                .iter()
                .map(|p| CalendarRow {
                    period: p.period.to_string(),
                    version: p.version,
                    window: format!(
                        "{} – {}",
                        screen_date(p.window.first()),
                        screen_date(p.window.last())
                    ),
                    deadlines: p
                        .deadlines
                        .iter()
                        .map(|d| screen_date(d.deadline))
                        .collect(),
                })
                .collect(),
            requests: cal
                .requests
                .iter()
                .map(|r| RequestRow {
                    code: r.code.clone(),
                    regime: r.regime.clone(),
                    title: name(lang, &r.title_vi, &r.title_en).to_string(),
                    window: format!(
                        "{} – {}",
                        screen_date(r.window_first),
                        screen_date(r.window_last)
                    ),
                    deadline: screen_date(r.deadline),
                    units: r.units.len(),
                })
                .collect(),
        },
        lang,
    )
}

// ---------------------------------------------------------------- editor

/// The editor's fields as text, built from a stored version or from a posted
/// form (so that a refused form comes back with what the user typed).
#[derive(Debug, Clone, Default)]
struct EditorFields {
    code: String,
    from: String,
    name_vi: String,
    name_en: String,
    legal_basis: String,
    content_vi: String,
    content_en: String,
    kind: String,
    frequency: String,
    convention: String,
    receiving_unit: String,
    methods: Vec<String>,
    signature_required: bool,
    groups: Vec<GroupFields>,
    forms: Vec<FormFields>,
    outline: String,
    validation: String,
    required: String,
}

#[derive(Debug, Clone, Default)]
struct GroupFields {
    name_vi: String,
    name_en: String,
    level: String,
    kind: String,
    units: String,
    stage: String,
    rule: String,
    n: String,
    months: String,
}

#[derive(Debug, Clone, Default)]
struct FormFields {
    code: String,
    title_vi: String,
    title_en: String,
    columns: String,
    rows: String,
}

/// Blank groups and forms shown after the filled ones.
const SPARE_GROUPS: usize = 2;
const SPARE_FORMS: usize = 1;

fn source_text(source: &ColumnSource) -> String {
    match source {
        ColumnSource::Current => "current".into(),
        ColumnSource::SamePeriodLastYear => "same_period_last_year".into(),
        ColumnSource::YearToDate => "year_to_date".into(),
        ColumnSource::Target => "target".into(),
        ColumnSource::Formula(f) => format!("= {f}"),
    }
}

fn kind_text(kind: RegimeKind) -> &'static str {
    match kind {
        RegimeKind::Periodic => "periodic",
        RegimeKind::Thematic => "thematic",
        RegimeKind::AdHoc => "ad_hoc",
    }
}

const FREQUENCIES: [(&str, Frequency); 6] = [
    ("monthly", Frequency::Monthly),
    ("quarterly", Frequency::Quarterly),
    ("half_yearly", Frequency::HalfYearly),
    ("nine_months", Frequency::NineMonths),
    ("yearly", Frequency::Yearly),
    ("ad_hoc", Frequency::AdHoc),
];

impl EditorFields {
    fn has_method(&self, method: &str) -> bool {
        self.methods.iter().any(|m| m == method)
    }

    fn blank() -> Self {
        EditorFields {
            kind: "periodic".into(),
            frequency: "monthly".into(),
            convention: "administrative".into(),
            methods: vec!["system".into()],
            ..Default::default()
        }
        .padded()
    }

    fn padded(mut self) -> Self {
        for _ in 0..SPARE_GROUPS {
            self.groups.push(GroupFields::default());
        }
        for _ in 0..SPARE_FORMS {
            self.forms.push(FormFields::default());
        }
        self
    }

    fn of(code: &str, v: &RegimeVersion) -> Self {
        EditorFields {
            code: code.to_string(),
            from: v.from.clone(),
            name_vi: v.name_vi.clone(),
            name_en: v.name_en.clone(),
            legal_basis: v.legal_basis.clone(),
            content_vi: v.content_vi.clone(),
            content_en: v.content_en.clone(),
            kind: kind_text(v.kind).into(),
            frequency: FREQUENCIES
                .iter()
                .find(|(_, f)| *f == v.frequency)
                .map(|(s, _)| s.to_string())
                .unwrap_or_default(),
            convention: match v.convention {
                Convention::Administrative => "administrative".into(),
                Convention::Calendar => "calendar".into(),
            },
            receiving_unit: v.receiving_unit.clone(),
            methods: v.methods.iter().map(|m| m.as_str().to_string()).collect(),
            signature_required: v.signature_required,
            groups: v
                .reporting
                .iter()
                .map(|g| {
                    let (rule, n, months) = match g.deadline {
                        None => ("none", String::new(), String::new()),
                        Some(DeadlineRule::WorkingDaysAfterWindow(n)) => {
                            ("working_days", n.to_string(), String::new())
                        }
                        Some(DeadlineRule::FixedDayOfMonth { day, months_after }) => {
                            ("fixed_day", day.to_string(), months_after.to_string())
                        }
                    };
                    GroupFields {
                        name_vi: g.name_vi.clone(),
                        name_en: g.name_en.clone(),
                        level: g.select.level.clone().unwrap_or_default(),
                        kind: g.select.kind.clone().unwrap_or_default(),
                        units: g.select.units.join(" "),
                        stage: g.stage.to_string(),
                        rule: rule.into(),
                        n,
                        months,
                    }
                })
                .collect(),
            forms: v
                .forms
                .iter()
                .map(|f| FormFields {
                    code: f.code.clone(),
                    title_vi: f.title_vi.clone(),
                    title_en: f.title_en.clone(),
                    columns: f
                        .columns
                        .iter()
                        .map(|c| {
                            format!(
                                "{} | {} | {} | {}",
                                c.code,
                                c.title_vi,
                                c.title_en,
                                source_text(&c.source)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                    rows: f
                        .rows
                        .iter()
                        .map(|r| {
                            if r.breakdown {
                                format!("{} +", r.indicator)
                            } else {
                                r.indicator.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                })
                .collect(),
            outline: v
                .outline
                .iter()
                .map(|s| {
                    format!(
                        "{} | {} | {} | {} | {}",
                        s.number, s.title_vi, s.title_en, s.guidance_vi, s.guidance_en
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            validation: v
                .validation
                .iter()
                .map(|r| {
                    let severity = match r.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                    };
                    format!(
                        "{} | {severity} | {} | {} | {}",
                        r.code, r.expression, r.message_vi, r.message_en
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            required: v.required.join(" "),
        }
        .padded()
    }

    /// Reads the posted form: repeated fields are numbered (`g0_name_vi`, `f1_rows`).
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let map: HashMap<&str, &str> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let get = |key: &str| {
            map.get(key)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let mut groups = Vec::new();
        for i in 0.. {
            if !map.contains_key(format!("g{i}_name_vi").as_str()) {
                break;
            }
            let g = |f: &str| get(&format!("g{i}_{f}"));
            groups.push(GroupFields {
                name_vi: g("name_vi"),
                name_en: g("name_en"),
                level: g("level"),
                kind: g("kind"),
                units: g("units"),
                stage: g("stage"),
                rule: g("rule"),
                n: g("n"),
                months: g("months"),
            });
        }
        let mut forms = Vec::new();
        for i in 0.. {
            if !map.contains_key(format!("f{i}_code").as_str()) {
                break;
            }
            let f = |name: &str| get(&format!("f{i}_{name}"));
            forms.push(FormFields {
                code: f("code"),
                title_vi: f("title_vi"),
                title_en: f("title_en"),
                columns: f("columns"),
                rows: f("rows"),
            });
        }
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

    /// The regime version the fields describe, or every problem of the text
    /// fields (the rest is checked with the whole catalogue).
    fn to_version(&self) -> Result<RegimeVersion, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut problem = |path: String, message: Message| problems.push(Problem { path, message });
        let kind = match self.kind.as_str() {
            "thematic" => RegimeKind::Thematic,
            "ad_hoc" => RegimeKind::AdHoc,
            _ => RegimeKind::Periodic,
        };
        let frequency = FREQUENCIES
            .iter()
            .find(|(s, _)| *s == self.frequency)
            .map(|(_, f)| *f)
            .unwrap_or(Frequency::Monthly);
        let convention = if self.convention == "calendar" {
            Convention::Calendar
        } else {
            Convention::Administrative
        };
        let methods = Method::ALL
            .into_iter()
            .filter(|m| self.methods.iter().any(|s| s == m.as_str()))
            .collect();
        let mut reporting = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            let blank = g.name_vi.is_empty()
                && g.level.is_empty()
                && g.kind.is_empty()
                && g.units.is_empty();
            if blank {
                continue;
            }
            let number =
                |text: &str, field: &str, problem: &mut dyn FnMut(String, Message)| -> u32 {
                    text.parse::<u32>().unwrap_or_else(|_| {
                        problem(
                            format!("reporting[{i}].{field}"),
                            Message::new("request.bad_number").arg("value", text),
                        );
                        0
                    })
                };
            let stage = number(&g.stage, "stage", &mut problem);
            let deadline = match g.rule.as_str() {
                "working_days" => {
                    let n = number(&g.n, "deadline", &mut problem);
                    DeadlineRule::working_days_after_window(u16::try_from(n).unwrap_or(u16::MAX))
                        .map_err(|e| problem(format!("reporting[{i}].deadline"), e.message()))
                        .ok()
                }
                "fixed_day" => {
                    let day = number(&g.n, "deadline", &mut problem);
                    let months = if g.months.is_empty() {
                        0
                    } else {
                        number(&g.months, "deadline", &mut problem)
                    };
                    DeadlineRule::fixed_day(day, months)
                        .map_err(|e| problem(format!("reporting[{i}].deadline"), e.message()))
                        .ok()
                }
                _ => None,
            };
            reporting.push(ReportingGroup {
                name_vi: g.name_vi.clone(),
                name_en: g.name_en.clone(),
                select: UnitSelector {
                    level: Some(g.level.clone()).filter(|s| !s.is_empty()),
                    kind: Some(g.kind.clone()).filter(|s| !s.is_empty()),
                    units: g
                        .units
                        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                },
                stage: u8::try_from(stage).unwrap_or(0),
                deadline,
            });
        }
        let mut forms = Vec::new();
        for (i, f) in self.forms.iter().enumerate() {
            if f.code.is_empty() && f.columns.is_empty() && f.rows.is_empty() {
                continue;
            }
            let mut columns = Vec::new();
            for (line_no, line) in lines(&f.columns) {
                let parts: Vec<&str> = line.split('|').map(str::trim).collect();
                let source = parts.get(3).copied().unwrap_or("current");
                let source = match source {
                    "current" | "" => Some(ColumnSource::Current),
                    "same_period_last_year" => Some(ColumnSource::SamePeriodLastYear),
                    "year_to_date" => Some(ColumnSource::YearToDate),
                    "target" => Some(ColumnSource::Target),
                    s => s
                        .strip_prefix('=')
                        .map(|formula| ColumnSource::Formula(formula.trim().to_string())),
                };
                let Some(source) = source else {
                    problem(
                        format!("forms[{i}].columns, {line_no}"),
                        Message::new("regime.bad_column_source").arg("value", parts[3]),
                    );
                    continue;
                };
                columns.push(Column {
                    code: parts[0].to_string(),
                    title_vi: parts.get(1).copied().unwrap_or("").to_string(),
                    title_en: parts.get(2).copied().unwrap_or("").to_string(),
                    source,
                });
            }
            let rows = lines(&f.rows)
                .map(|(_, line)| match line.strip_suffix('+') {
                    Some(code) => FormRow {
                        indicator: code.trim().to_string(),
                        breakdown: true,
                    },
                    None => FormRow {
                        indicator: line.to_string(),
                        breakdown: false,
                    },
                })
                .collect();
            forms.push(NumericForm {
                code: f.code.clone(),
                title_vi: f.title_vi.clone(),
                title_en: f.title_en.clone(),
                columns,
                rows,
            });
        }
        let outline = lines(&self.outline)
            .map(|(_, line)| {
                let parts: Vec<&str> = line.split('|').map(str::trim).collect();
                let part = |i: usize| parts.get(i).copied().unwrap_or("").to_string();
                OutlineSection {
                    number: part(0),
                    title_vi: part(1),
                    title_en: part(2),
                    guidance_vi: part(3),
                    guidance_en: part(4),
                }
            })
            .collect();
        let mut validation = Vec::new();
        for (line_no, line) in lines(&self.validation) {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let part = |i: usize| parts.get(i).copied().unwrap_or("").to_string();
            let severity = match parts.get(1).copied().unwrap_or("") {
                "error" => Severity::Error,
                "warning" => Severity::Warning,
                other => {
                    problem(
                        format!("validation, {line_no}"),
                        Message::new("regime.bad_severity").arg("value", other),
                    );
                    continue;
                }
            };
            validation.push(ValidationRule {
                code: part(0),
                severity,
                expression: part(2),
                message_vi: part(3),
                message_en: part(4),
            });
        }
        let required = self
            .required
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
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
            required,
        })
    }
}

/// Non-blank lines with their 1-based numbers as "line N".
fn lines(text: &str) -> impl Iterator<Item = (String, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (format!("line {}", i + 1), l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

#[derive(Template)]
#[template(path = "regime_edit.html")]
struct EditorPage {
    layout: Layout,
    is_new: bool,
    f: EditorFields,
    levels: Vec<Choice>,
    kinds: Vec<Choice>,
    frequencies: Vec<Choice>,
    problems: Vec<String>,
    indicators: Vec<(String, String)>,
}

async fn editor(
    state: &AppState,
    authed: &Authed,
    is_new: bool,
    fields: EditorFields,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    if !may_edit(authed) {
        return Err(authed.page_error(AppError::Forbidden));
    }
    let levels = state.app.level_codes().await.page(authed)?;
    let meta = state.app.metadata().await.page(authed)?;
    let here = if is_new {
        "/regimes/new".to_string()
    } else {
        format!("/regimes/{}/edit", fields.code)
    };
    html(
        EditorPage {
            layout: Layout::of(authed, &here),
            is_new,
            levels: levels
                .into_iter()
                .map(|l| Choice {
                    label: t(lang, &format!("level.{l}")),
                    value: l,
                    selected: false,
                })
                .collect(),
            kinds: [
                ("periodic", RegimeKind::Periodic),
                ("thematic", RegimeKind::Thematic),
                ("ad_hoc", RegimeKind::AdHoc),
            ]
            .iter()
            .map(|(value, kind)| Choice {
                value: value.to_string(),
                label: t(lang, kind.key()),
                selected: fields.kind == *value,
            })
            .collect(),
            frequencies: FREQUENCIES
                .iter()
                .map(|(value, f)| Choice {
                    value: value.to_string(),
                    label: t(lang, frequency_key(*f)),
                    selected: fields.frequency == *value,
                })
                .collect(),
            f: fields,
            problems,
            indicators: meta
                .indicators
                .iter()
                .map(|i| {
                    (
                        i.code.clone(),
                        name(lang, &i.name_vi, &i.name_en).to_string(),
                    )
                })
                .collect(),
        },
        lang,
    )
}

async fn new_regime(State(state): State<AppState>, authed: Authed) -> Result<Response, WebError> {
    editor(&state, &authed, true, EditorFields::blank(), Vec::new()).await
}

#[derive(Debug, Deserialize)]
struct EditQuery {
    version: Option<usize>,
    /// `new`: start a new version from the chosen one.
    mode: Option<String>,
}

async fn edit_regime(
    State(state): State<AppState>,
    authed: Authed,
    Path(code): Path<String>,
    Query(query): Query<EditQuery>,
) -> Result<Response, WebError> {
    let regime = state.app.regime(&code).await.page(&authed)?;
    let number = query.version.unwrap_or(regime.versions.len());
    let version = regime
        .version(number)
        .ok_or(AppError::NotFound)
        .page(&authed)?;
    let mut fields = EditorFields::of(&code, version);
    if query.mode.as_deref() == Some("new") {
        fields.from.clear();
    }
    editor(&state, &authed, false, fields, Vec::new()).await
}

async fn save_regime(
    State(state): State<AppState>,
    authed: Authed,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    authed.check_csrf(csrf)?;
    let is_new = pairs.iter().any(|(k, v)| k == "is_new" && v == "1");
    let fields = EditorFields::from_pairs(&pairs);
    let show = |problems: &[Problem]| -> Vec<String> {
        problems
            .iter()
            .map(|p| format!("{}: {}", p.path, render(lang, &p.message)))
            .collect()
    };
    let version = match fields.to_version() {
        Ok(v) => v,
        Err(problems) => {
            let shown = show(&problems);
            return editor(&state, &authed, is_new, fields.padded(), shown).await;
        }
    };
    let existing = match state.app.regime(&fields.code).await {
        Ok(regime) => Some(regime),
        Err(AppError::NotFound) => None,
        Err(e) => return Err(authed.page_error(e)),
    };
    if is_new && existing.is_some() {
        let message = Message::new("regime.exists").arg("value", &fields.code);
        return editor(
            &state,
            &authed,
            is_new,
            fields.padded(),
            vec![render(lang, &message)],
        )
        .await;
    }
    let mut regime = existing.unwrap_or(Regime {
        code: fields.code.clone(),
        versions: Vec::new(),
    });
    match regime.versions.iter().position(|v| v.from == version.from) {
        Some(i) => regime.versions[i] = version,
        None => regime.versions.push(version),
    }
    let mut doc = Metadata::empty();
    doc.regimes.push(regime);
    match state
        .app
        .apply_metadata(&authed.caller.principal, &doc)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/regimes/{}", super::url_encode(&fields.code))).into_response(),
        ),
        Err(AppError::DocumentRejected(problems)) => {
            let shown = show(&problems);
            editor(&state, &authed, is_new, fields.padded(), shown).await
        }
        Err(e) => Err(authed.page_error(e)),
    }
}

// ---------------------------------------------------------------- requests

#[derive(Debug, Clone, Default, Deserialize)]
struct RequestForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    regime: String,
    #[serde(default)]
    title_vi: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    issued_by: String,
    #[serde(default)]
    window_first: String,
    #[serde(default)]
    window_last: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    units: String,
}

#[derive(Template)]
#[template(path = "request_edit.html")]
struct RequestPage {
    layout: Layout,
    f: RequestForm,
    regimes: Vec<Choice>,
    problems: Vec<String>,
}

async fn request_page(
    state: &AppState,
    authed: &Authed,
    form: RequestForm,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    if !may_edit(authed) && !baocao_app::catalogue::may_issue_somewhere(&authed.caller.principal) {
        return Err(authed.page_error(AppError::Forbidden));
    }
    let meta = state.app.metadata().await.page(authed)?;
    html(
        RequestPage {
            layout: Layout::of(authed, "/requests/new"),
            regimes: meta
                .regimes
                .iter()
                .filter_map(|r| {
                    let v = r.latest().filter(|v| v.kind != RegimeKind::Periodic)?;
                    Some(Choice {
                        value: r.code.clone(),
                        label: format!("{} — {}", r.code, name(lang, &v.name_vi, &v.name_en)),
                        selected: form.regime == r.code,
                    })
                })
                .collect(),
            f: form,
            problems,
        },
        lang,
    )
}

#[derive(Debug, Deserialize)]
struct NewRequestQuery {
    regime: Option<String>,
}

async fn new_request(
    State(state): State<AppState>,
    authed: Authed,
    Query(query): Query<NewRequestQuery>,
) -> Result<Response, WebError> {
    let form = RequestForm {
        regime: query.regime.unwrap_or_default(),
        ..Default::default()
    };
    request_page(&state, &authed, form, Vec::new()).await
}

async fn save_request(
    State(state): State<AppState>,
    authed: Authed,
    PageForm(form): PageForm<RequestForm>,
) -> Result<Response, WebError> {
    let lang = authed.lang;
    authed.check_csrf(&form.csrf)?;
    let mut problems = Vec::new();
    let mut date = |field: &'static str, text: &str| match text.trim().parse::<chrono::NaiveDate>()
    {
        Ok(d) => Some(d),
        Err(_) => {
            let message = Message::new("request.bad_date").arg("value", text);
            problems.push(format!(
                "{}: {}",
                t(lang, &format!("request_form.{field}")),
                render(lang, &message)
            ));
            None
        }
    };
    let dates = (
        date("window_first", &form.window_first),
        date("window_last", &form.window_last),
        date("deadline", &form.deadline),
    );
    let (Some(window_first), Some(window_last), Some(deadline)) = dates else {
        return request_page(&state, &authed, form, problems).await;
    };
    let request = baocao_domain::catalogue::Request {
        code: form.code.trim().to_string(),
        regime: form.regime.clone(),
        title_vi: form.title_vi.trim().to_string(),
        title_en: form.title_en.trim().to_string(),
        issued_by: form.issued_by.trim().to_string(),
        window_first,
        window_last,
        deadline,
        units: form
            .units
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
    };
    let mut doc = Metadata::empty();
    doc.requests.push(request);
    match state
        .app
        .apply_metadata(&authed.caller.principal, &doc)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/regimes/{}/calendar?year={}",
            super::url_encode(&form.regime),
            chrono::Datelike::year(&window_first)
        ))
        .into_response()),
        Err(AppError::DocumentRejected(found)) => {
            let shown = found
                .iter()
                .map(|p| format!("{}: {}", p.path, render(lang, &p.message)))
                .collect();
            request_page(&state, &authed, form, shown).await
        }
        Err(e) => Err(authed.page_error(e)),
    }
}
