//! Two years of demo history for the periodic demo regimes (monthly
//! socio-economic, quarterly digital transformation, yearly statistics): the
//! wards of Thành phố Vinh until June 2025 (with Vinh's own report synthesized
//! and accepted by the province), then every commune of the 2025 structure. Most units report on time, some late, a few never, a few are
//! returned and corrected; values follow a trend, a season (Tết in February)
//! and noise, and keep the regime's validation rules.
//!
//! It runs in the background after the server starts (a few minutes in a debug
//! build) and is idempotent: a report already there is skipped.

use std::collections::BTreeMap;

use baocao_app::auth::system_principal;
use baocao_app::{App, AppError, AppResult};
use baocao_domain::access::{Grant, Principal, Role, Scope};
use baocao_domain::catalogue::{Metadata, ValueType};
use baocao_domain::period::PeriodId;
use baocao_domain::report::{input_cells, Content, ReportId, Status, VIETNAM};
use baocao_domain::unit::{OrgUnit, UnitId};
use chrono::{Datelike, NaiveDate, TimeZone};

/// The periodic demo regimes and the first period of their history.
const REGIMES: [(&str, &str); 3] = [
    ("BC-KTXH-T", "2024M01"),
    ("BC-CDS-Q", "2024Q1"),
    ("BC-TK-NAM", "2024"),
];
const DONE_KEY: &str = "demo.history";
/// The last day of the three-level structure.
const LEGACY_UNTIL: (i32, u32, u32) = (2025, 6, 30);

/// A stable pseudo-random number in [0, 1) from a few words.
fn noise(parts: &[&str]) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn acting(unit: UnitId, roles: &[Role]) -> Principal {
    Principal {
        user_id: baocao_domain::access::UserId::SYSTEM,
        username: "lich-su-demo".into(),
        grants: roles
            .iter()
            .map(|role| Grant {
                role: *role,
                scope: Some(Scope {
                    unit,
                    ancestors: Vec::new(),
                }),
            })
            .collect(),
    }
}

/// What shapes one unit's figures in one period: its size, the trend since
/// 2024, the period's length and season, and stable noise.
struct Shape {
    unit: String,
    period: String,
    size: f64,
    months: f64,
    trend: f64,
    /// Months the period spans (flows grow with it: a quarter is three).
    span: f64,
    season: f64,
}

impl Shape {
    fn of(unit: &OrgUnit, period: &PeriodId) -> Self {
        let unit = unit.id.get().to_string();
        let size = 0.6 + noise(&[&unit, "size"]) * 0.9;
        let months = f64::from((period.year() - 2024) * 12 + period.first_day().month() as i32);
        let span = ((period.last_day() - period.first_day()).num_days() as f64 / 30.4)
            .round()
            .max(1.0);
        let m = f64::from(period.first_day().month());
        let season = if m == 2.0 {
            0.82 // Tết
        } else {
            1.0 + 0.06 * ((m - 4.0) / 12.0 * std::f64::consts::TAU).sin()
        };
        Self {
            unit,
            period: period.to_string(),
            size,
            months,
            trend: 1.006f64.powf(months),
            span,
            season,
        }
    }

    fn jitter(&self, code: &str) -> f64 {
        0.94 + noise(&[&self.unit, &self.period, code]) * 0.12
    }

    /// A quantity of the period (documents received, files handled).
    fn flow(&self, code: &str, base: f64) -> f64 {
        base * self.span * self.size * self.trend * self.season * self.jitter(code)
    }

    /// A quantity at a moment (population, staff), slowly growing.
    fn stock(&self, code: &str, base: f64) -> f64 {
        base * self.size * self.trend.sqrt() * (0.99 + noise(&[&self.unit, code]) * 0.02)
    }

    /// A share or rate between `low` and `high`.
    fn share(&self, code: &str, low: f64, high: f64) -> f64 {
        low + noise(&[&self.unit, &self.period, code]) * (high - low)
    }
}

/// Population, labour, administrative procedures and prices (monthly).
fn socio_economic(s: &Shape, v: &mut BTreeMap<&'static str, f64>) {
    let population = s.stock("XH01", 11_000.0);
    v.insert("XH01", population);
    v.insert("XH02", population * 0.93);
    v.insert("LD04", population * 0.62);
    v.insert("LD03", population * 0.62 * 0.27 * s.trend.sqrt());
    let households = population / 3.8;
    v.insert("XH04", households);
    v.insert("XH05", households * (0.06 / s.trend) * s.jitter("XH05"));
    v.insert("MT01", 56.0 + noise(&[&s.unit, "MT01"]) * 6.0);
    let received = s.flow("HC02", 260.0);
    v.insert("HC01", 180.0 + (s.months * 4.0));
    v.insert("HC02", received);
    v.insert("HC03", received * (0.55 + s.months * 0.01).min(0.95));
    v.insert("HC05", received * 0.96);
    v.insert("HC06", received * 0.96 * 0.97);
    v.insert("TT02", s.share("TT02", 6.5, 9.5));
    v.insert("TT03", s.share("TT03", 8.0, 13.0));
    v.insert("VM01", 2.8 + noise(&[&s.period, "VM01"]) * 1.4);
    v.insert("HT01", (s.stock("HT01", 1.0) + s.months / 12.0).round());
}

/// Digital transformation (quarterly): parts never exceed their wholes.
fn digital(s: &Shape, v: &mut BTreeMap<&'static str, f64>) {
    let documents = s.flow("CDS01", 120.0);
    v.insert("CDS01", documents);
    v.insert("CDS02", documents * s.share("CDS02", 0.82, 0.99));
    let files = s.flow("CDS04", 90.0);
    v.insert("CDS04", files);
    v.insert("CDS05", files * s.share("CDS05", 0.7, 0.95));
    let received = v.get("HC02").copied().unwrap_or(260.0);
    v.insert("CDS07", received * s.share("CDS07", 0.3, 0.7));
    v.insert("CDS09", s.share("CDS09", 55.0, 92.0));
    let staff = s.stock("CDS10", 22.0);
    v.insert("CDS10", staff);
    v.insert("CDS11", staff * s.share("CDS11", 0.75, 1.0));
    let offices = s.stock("CDS13", 12.0);
    v.insert("CDS13", offices);
    v.insert("CDS14", offices * s.share("CDS14", 0.8, 1.0));
    v.insert("CDS16", s.share("CDS16", 60.0, 95.0));
    v.insert("CDS17", s.share("CDS17", 40.0, 85.0));
    let services = v.get("HC01").copied().unwrap_or(180.0);
    v.insert("CDS18", services * s.share("CDS18", 0.6, 0.9));
    v.insert("CDS19", services * s.share("CDS19", 0.3, 0.55));
    v.insert("CDS20", s.flow("CDS20", 2.0));
    v.insert("CDS21", s.stock("CDS21", 3.0));
}

/// Yearly statistics: rice area and output (about 55 quintals a hectare),
/// livestock, births and deaths of the population.
fn yearly(s: &Shape, v: &mut BTreeMap<&'static str, f64>) {
    let area = s.stock("TK01", 420.0);
    v.insert("TK01", area);
    v.insert("TK02", area * s.share("TK02", 5.2, 6.1));
    v.insert("TK04", s.stock("TK04", 1_400.0));
    v.insert("TK05", s.stock("TK05", 5_200.0));
    v.insert("TK06", s.stock("TK06", 38_000.0));
    let population = v.get("XH01").copied().unwrap_or(11_000.0);
    v.insert("TK07", population * s.share("TK07", 0.012, 0.017));
    v.insert("TK08", population * s.share("TK08", 0.005, 0.008));
}

/// A value as the indicator's type writes it.
fn written(meta: &Metadata, code: &str, value: f64) -> String {
    let integer = meta
        .indicator(code)
        .is_some_and(|i| i.value_type == ValueType::Integer);
    if integer {
        format!("{}", value.round().max(0.0) as i64)
    } else {
        format!("{:.2}", value.max(0.0))
    }
}

/// Plausible values for one unit and period.
fn values(
    meta: &Metadata,
    cells: &[(String, String)],
    unit: &OrgUnit,
    period: &PeriodId,
) -> Content {
    let shape = Shape::of(unit, period);
    let mut v = BTreeMap::new();
    socio_economic(&shape, &mut v);
    digital(&shape, &mut v);
    yearly(&shape, &mut v);
    let mut content = Content::default();
    for (cell, code) in cells.iter().filter(|(cell, _)| !cell.contains('/')) {
        let Some(ind) = meta.indicator(code) else {
            continue;
        };
        let value = v.get(code.as_str()).copied().unwrap_or_else(|| {
            let base = match ind.measure_vi.as_str() {
                "tỷ đồng" => 40.0,
                "triệu USD" => 1.5,
                "ha" => 12.0,
                "km" => 2.0,
                _ => 25.0,
            };
            shape.flow(code, base)
        });
        content
            .values
            .insert(cell.clone(), written(meta, code, value));
    }
    split_breakdowns(meta, cells, &shape, &mut content);
    content
}

/// Fills the options of each breakdown so that they add up to its total.
fn split_breakdowns(
    meta: &Metadata,
    cells: &[(String, String)],
    shape: &Shape,
    content: &mut Content,
) {
    let number = |content: &Content, cell: &str| -> Option<f64> {
        content.values.get(cell).and_then(|t| t.parse::<f64>().ok())
    };
    for (cell, code) in cells {
        let Some((_, option)) = cell.split_once('/') else {
            continue;
        };
        let Some(total) = number(content, code) else {
            continue;
        };
        let siblings: Vec<&String> = cells
            .iter()
            .filter(|(c, k)| k == code && c.contains('/'))
            .map(|(c, _)| c)
            .collect();
        let index = siblings.iter().position(|c| *c == cell).unwrap_or(0);
        let n = siblings.len().max(1);
        let share = if index + 1 == n {
            // The last option takes the remainder, so the parts add up.
            let others: f64 = siblings[..index]
                .iter()
                .filter_map(|c| number(content, c))
                .sum();
            (total - others).max(0.0)
        } else {
            let spread = 0.8 + noise(&[&shape.unit, &shape.period, option]) * 0.4;
            (total / n as f64 * spread).floor()
        };
        content
            .values
            .insert(cell.clone(), written(meta, code, share));
    }
}

fn at(day: NaiveDate, hour: u32) -> i64 {
    VIETNAM
        .from_local_datetime(&day.and_hms_opt(hour, 17, 0).unwrap_or_default())
        .single()
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// One unit's report for one period: created, filled, and — depending on the
/// unit's luck — submitted on time or late, returned and corrected, or never.
async fn one_report(
    app: &App,
    meta: &Metadata,
    regime: &str,
    unit: &OrgUnit,
    period: &PeriodId,
    today: NaiveDate,
) -> AppResult<Option<(ReportId, UnitId)>> {
    let staff = acting(unit.id, &[Role::DataEntry, Role::UnitHead]);
    let view = match app
        .open_report(&staff, regime, unit.id, &period.to_string())
        .await
    {
        Ok(view) => view,
        Err(AppError::NotFound | AppError::Conflict(_) | AppError::Invalid(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if view.status != Status::Draft || view.version > 0 {
        return Ok(Some((view.id, view.receiver)));
    }
    let version = meta
        .regime(regime)
        .and_then(|r| r.version(view.regime_version))
        .ok_or(AppError::NotFound)?;
    let cells = input_cells(version, meta);
    let luck = noise(&[&unit.id.get().to_string(), &period.to_string(), "luck"]);
    let due = view.deadline;
    // Not yet due: a few drafts, most not started.
    if due >= today {
        if luck < 0.3 {
            app.save_report(&staff, view.id, &values(meta, &cells, unit, period), None)
                .await?;
        }
        return Ok(None);
    }
    if luck < 0.04 {
        return Ok(None); // never reported
    }
    let content = values(meta, &cells, unit, period);
    app.save_report(&staff, view.id, &content, None).await?;
    let submitted = if luck > 0.86 {
        due + chrono::Days::new(1 + (luck * 10.0) as u64 % 6) // late
    } else {
        due - chrono::Days::new((luck * 10.0) as u64 % 4)
    };
    // Only what has already happened: a late submission may still be to come.
    if submitted >= today {
        return Ok(None);
    }
    let story = Story {
        app,
        staff,
        reviewer: acting(view.receiver, &[Role::Reviewer]),
        report: view.id,
        submitted,
    };
    story.submit(submitted).await?;
    let past = |days: u64| submitted + chrono::Days::new(days) < today;
    if (0.04..0.08).contains(&luck) && past(2) {
        story.return_and_correct(content).await?;
    }
    // The latest month: about half still wait for the reviewer.
    let recent = (today - submitted).num_days() < 20;
    if past(2) && !(recent && luck > 0.5) {
        story.review(true, None, 2, 16).await?;
    }
    Ok(Some((view.id, view.receiver)))
}

/// What happens to one submitted report, recorded at past dates.
struct Story<'a> {
    app: &'a App,
    staff: Principal,
    reviewer: Principal,
    report: ReportId,
    submitted: NaiveDate,
}

impl Story<'_> {
    async fn submit(&self, day: NaiveDate) -> AppResult<()> {
        let op = system_principal();
        let hour = if day == self.submitted { 9 } else { 10 };
        self.app
            .record_past_submission(&op, &self.staff, self.report, at(day, hour))
            .await
    }

    /// Reviewed `days` after the submission, at `hour`.
    async fn review(
        &self,
        accept: bool,
        reason: Option<String>,
        days: u64,
        hour: u32,
    ) -> AppResult<()> {
        let op = system_principal();
        let day = self.submitted + chrono::Days::new(days);
        self.app
            .record_past_review(&op, &self.reviewer, self.report, accept, reason, at(day, hour))
            .await
    }

    /// Returned with a reason, corrected, resubmitted.
    async fn return_and_correct(&self, mut content: Content) -> AppResult<()> {
        let reason = "Số hồ sơ giải quyết đúng hạn chưa khớp với sổ theo dõi, đề nghị rà soát lại.";
        self.review(false, Some(reason.into()), 1, 14).await?;
        let corrected = ["HC06", "CDS05", "TK05"]
            .into_iter()
            .find(|c| content.values.contains_key(*c));
        if let Some(v) = corrected.and_then(|c| content.values.get_mut(c)) {
            let n: f64 = v.parse().unwrap_or(0.0);
            *v = format!("{}", (n * 0.99).round() as i64);
        }
        self.app
            .save_report(&self.staff, self.report, &content, None)
            .await?;
        self.submit(self.submitted + chrono::Days::new(2)).await
    }
}

/// Loads the history once (marked done at the end; a rerun skips what exists).
pub async fn load(app: &App, vinh: UnitId, province: UnitId) -> AppResult<()> {
    if app.setting(DONE_KEY).await?.is_some() {
        return Ok(());
    }
    let today = chrono::Utc::now().with_timezone(&VIETNAM).date_naive();
    let meta = app.metadata().await?;
    let op = system_principal();
    let started = std::time::Instant::now();
    let mut count = 0;
    let (y, m, d) = LEGACY_UNTIL;
    let legacy_until = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    // Vinh's wards until June 2025, every commune of the province after.
    let wards: Vec<OrgUnit> = app
        .unit_children(&op, vinh, Some(legacy_until))
        .await?
        .into_iter()
        .filter(|w| w.kind == baocao_domain::unit::UnitKind::Area)
        .collect();
    let communes: Vec<OrgUnit> = app
        .unit_children(&op, province, Some(today))
        .await?
        .into_iter()
        .filter(|c| c.kind == baocao_domain::unit::UnitKind::Area)
        .collect();
    for (regime, first) in REGIMES {
        let mut period: PeriodId = first
            .parse()
            .map_err(|e: baocao_domain::period::PeriodError| AppError::Internal(e.to_string()))?;
        while period.first_day() <= today {
            let legacy = period.last_day() <= legacy_until;
            for unit in if legacy { &wards } else { &communes } {
                if one_report(app, &meta, regime, unit, &period, today)
                    .await?
                    .is_some()
                {
                    count += 1;
                }
            }
            if legacy && synthesize_own(app, regime, vinh, Some(province), &period, today).await? {
                count += 1;
            }
            // The province's consolidated report, sent to the level above.
            if synthesize_own(app, regime, province, None, &period, today).await? {
                count += 1;
            }
            period = match period.next() {
                Some(next) => next,
                None => break,
            };
        }
    }
    app.set_setting(&system_principal(), DONE_KEY, "1").await?;
    tracing::info!(
        reports = count,
        seconds = started.elapsed().as_secs(),
        "demo history loaded"
    );
    Ok(())
}

/// A receiving unit's own report of a past period: synthesized from what it
/// accepted and submitted on its deadline; accepted the next day by
/// `reviewer_unit` (Vinh's, by the province), or left as sent upwards (the
/// province's consolidated report).
async fn synthesize_own(
    app: &App,
    regime: &str,
    unit: UnitId,
    reviewer_unit: Option<UnitId>,
    period: &PeriodId,
    today: NaiveDate,
) -> AppResult<bool> {
    let op = system_principal();
    let staff = acting(unit, &[Role::DataEntry, Role::UnitHead]);
    let Ok(view) = app
        .open_report(&staff, regime, unit, &period.to_string())
        .await
    else {
        return Ok(false);
    };
    if view.status != Status::Draft || view.version != 0 || view.deadline >= today {
        return Ok(false);
    }
    app.synthesize_report(&staff, view.id).await?;
    app.record_past_submission(&op, &staff, view.id, at(view.deadline, 15))
        .await?;
    if let Some(reviewer_unit) = reviewer_unit {
        let reviewer = acting(reviewer_unit, &[Role::Reviewer]);
        app.record_past_review(
            &op,
            &reviewer,
            view.id,
            true,
            None,
            at(view.deadline + chrono::Days::new(1), 10),
        )
        .await?;
    }
    Ok(true)
}
