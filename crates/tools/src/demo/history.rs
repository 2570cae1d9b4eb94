//! Two years of demo history for the periodic demo regimes (monthly
//! socio-economic, quarterly digital transformation, yearly statistics).
//!
//! Until June 2025 every ward and commune of the province reports: Thành phố
//! Vinh's wards through the system (with Vinh's own report synthesized and
//! accepted by the province), the other districts' communes and the districts'
//! own reports imported as accepted in the previous system. From July 2025
//! every commune of the 2025 structure reports through the system. Most report
//! on time, some late, a few never, a few are returned and corrected; one is
//! late nearly every time. The figures ([`figures`]) follow each commune's
//! profile — a 2025 commune's is the sum of the communes it was made from, so
//! its series continues theirs — with a trend, the season and noise, and keep
//! the regime's validation rules. The province's consolidated report of each
//! period is synthesized, completed with the figures only the province
//! compiles (GRDP growth, IIP, CPI, its portal and surveys) and sent upwards.
//!
//! It runs in the background after the server starts and is idempotent: a
//! report already there is skipped.

pub mod figures;

use std::collections::{BTreeMap, HashMap};

use baocao_app::auth::system_principal;
use baocao_app::history::{PastReport, MAX_IMPORT_BATCH};
use baocao_app::{App, AppError, AppResult};
use baocao_domain::access::{Grant, Principal, Role, Scope};
use baocao_domain::calendar::WorkCalendar;
use baocao_domain::catalogue::{Aggregation, Metadata, RegimeVersion};
use baocao_domain::obligation::selector_matches;
use baocao_domain::period::{Convention, PeriodId};
use baocao_domain::report::{input_cells, Content, ReportId, Status, VIETNAM};
use baocao_domain::unit::{OrgUnit, ReorgKind, UnitId, UnitKind};
use chrono::{Datelike, NaiveDate, TimeZone};

use figures::{noise, written, Commune, Profile, Quirks, Seasons, Values, When};

/// The periodic demo regimes and the first period of their history.
const REGIMES: [(&str, &str); 3] = [
    ("BC-KTXH-T", "2024M01"),
    ("BC-CDS-Q", "2024Q1"),
    ("BC-TK-NAM", "2024"),
];
const DONE_KEY: &str = "demo.history";
/// The last day of the three-level structure.
const LEGACY_UNTIL: (i32, u32, u32) = (2025, 6, 30);

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

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

/// The province's units as the history needs them: who reports when, and
/// what each is made of.
struct World {
    province: UnitId,
    vinh: UnitId,
    /// The districts until June 2025, each with its communes.
    legacy: Vec<(OrgUnit, Vec<OrgUnit>)>,
    /// The communes from July 2025.
    communes: Vec<OrgUnit>,
    /// The key (for noise) and profile of every unit with figures.
    units: HashMap<UnitId, (String, Profile)>,
    seasons: Seasons,
    quirks: Quirks,
}

fn areas(units: Vec<OrgUnit>) -> Vec<OrgUnit> {
    units
        .into_iter()
        .filter(|u| u.kind == UnitKind::Area)
        .collect()
}

/// Each legacy commune's profile, keyed `old:{code}` (for noise).
fn legacy_profiles(legacy: &[(OrgUnit, Vec<OrgUnit>)]) -> HashMap<UnitId, (String, Profile)> {
    let old: Vec<(String, &OrgUnit)> = legacy
        .iter()
        .flat_map(|(_, cs)| cs.iter())
        .map(|c| (format!("old:{}", c.code.as_str()), c))
        .collect();
    let described: Vec<Commune<'_>> = old
        .iter()
        .map(|(key, c)| Commune {
            key,
            division_type: &c.division_type,
            lon: c.lon,
        })
        .collect();
    let profiles = figures::legacy_profiles(&described);
    old.iter()
        .zip(profiles)
        .map(|((key, c), p)| (c.id, (key.clone(), p)))
        .collect()
}

/// Each 2025 commune's profile: the sum of its predecessors' (a whole merge
/// or the default target of a split takes the old unit whole).
async fn successor_profiles(
    app: &App,
    communes: &[OrgUnit],
    units: &HashMap<UnitId, (String, Profile)>,
) -> AppResult<Vec<(UnitId, (String, Profile))>> {
    let op = system_principal();
    let mut new = Vec::new();
    for c in communes {
        let detail = app.unit_detail(&op, c.id, None).await?;
        let profile = Profile::merged(
            detail
                .reorgs
                .iter()
                .filter(|(e, _)| e.new == c.id)
                .filter_map(|(e, _)| {
                    let share = match (e.kind, e.is_default) {
                        (ReorgKind::Whole, _) | (ReorgKind::Split, true) => 1.0,
                        (ReorgKind::Split, false) => 0.0,
                    };
                    units.get(&e.old).map(|(_, p)| (p, share))
                }),
        );
        new.push((c.id, (format!("new:{}", c.code.as_str()), profile)));
    }
    Ok(new)
}

impl World {
    /// Reads the units: legacy communes get their profiles, a 2025 commune
    /// the sum of its predecessors' (by the reorganisation events: a whole
    /// merge or the default target of a split takes the old unit whole),
    /// districts and the province the sum of their communes'.
    async fn read(
        app: &App,
        vinh: UnitId,
        province: UnitId,
        legacy_until: NaiveDate,
        today: NaiveDate,
    ) -> AppResult<World> {
        let op = system_principal();
        let mut legacy = Vec::new();
        for district in areas(app.unit_children(&op, province, Some(legacy_until)).await?) {
            let communes = areas(
                app.unit_children(&op, district.id, Some(legacy_until))
                    .await?,
            );
            legacy.push((district, communes));
        }
        let mut units = legacy_profiles(&legacy);
        let mut whole = Vec::new();
        for (district, communes) in &legacy {
            let profile = Profile::merged(
                communes
                    .iter()
                    .filter_map(|c| units.get(&c.id).map(|(_, p)| (p, 1.0))),
            );
            whole.push(profile.clone());
            let key = format!("district:{}", district.code.as_str());
            units.insert(district.id, (key, profile));
        }
        let communes = areas(app.unit_children(&op, province, Some(today)).await?);
        let new = successor_profiles(app, &communes, &units).await?;
        let keys: Vec<&str> = new.iter().map(|(_, (k, _))| k.as_str()).collect();
        let quirks = Quirks::choose(&keys);
        units.extend(new);
        let province_profile = Profile::merged(whole.iter().map(|p| (p, 1.0)));
        units.insert(province, ("province:40".into(), province_profile));
        Ok(World {
            province,
            vinh,
            legacy,
            communes,
            units,
            // From 2023: the province's indices compare with a year earlier.
            seasons: Seasons::new(2023, today.year()),
            quirks,
        })
    }

    fn key(&self, unit: UnitId) -> &str {
        self.units.get(&unit).map_or("", |(k, _)| k.as_str())
    }

    /// A commune's figures for a period of a regime.
    fn values(
        &self,
        regime: &str,
        convention: Convention,
        unit: UnitId,
        period: &PeriodId,
    ) -> Values {
        let Some((key, profile)) = self.units.get(&unit) else {
            return Values::new();
        };
        let u = figures::Unit {
            key,
            profile,
            quirks: &self.quirks,
        };
        match regime {
            "BC-KTXH-T" => figures::monthly(&u, &When::new(period, convention, &self.seasons)),
            "BC-CDS-Q" => figures::quarterly(&u, period, convention, &self.seasons),
            "BC-TK-NAM" => figures::yearly(&u, period, convention, &self.seasons),
            _ => Values::new(),
        }
    }

    /// What a receiving unit enters itself (indicators that do not add up
    /// over units), restricted to the cells of the form.
    fn own_values(
        &self,
        meta: &Metadata,
        cells: &[(String, String)],
        convention: Convention,
        unit: UnitId,
        period: &PeriodId,
    ) -> BTreeMap<String, String> {
        let Some((key, profile)) = self.units.get(&unit) else {
            return BTreeMap::new();
        };
        let when = When::new(period, convention, &self.seasons);
        let earlier = year_earlier(period)
            .map(|p| When::new(&p, convention, &self.seasons))
            .unwrap_or_else(|| when.clone());
        let own = figures::own_figures(profile, key, unit == self.province, &when, &earlier);
        cells
            .iter()
            .filter(|(cell, code)| cell == code)
            .filter(|(_, code)| {
                meta.indicator(code)
                    .is_some_and(|i| i.over_units == Aggregation::None)
            })
            .filter_map(|(cell, code)| {
                own.get(code.as_str())
                    .map(|v| (cell.clone(), written(meta, code, *v)))
            })
            .collect()
    }

    /// A unit's content for a period: the figures written as the form's cells.
    fn content(
        &self,
        meta: &Metadata,
        version: &RegimeVersion,
        cells: &[(String, String)],
        regime: &str,
        unit: UnitId,
        period: &PeriodId,
    ) -> Content {
        let values = self.values(regime, version.convention, unit, period);
        let Some((key, profile)) = self.units.get(&unit) else {
            return Content::default();
        };
        let unit = figures::Unit {
            key,
            profile,
            quirks: &self.quirks,
        };
        figures::content(meta, cells, &values, &unit, &period.to_string())
    }
}

/// The same period a year earlier.
fn year_earlier(period: &PeriodId) -> Option<PeriodId> {
    let text = period.to_string();
    format!("{}{}", period.year() - 1, text.get(4..)?)
        .parse()
        .ok()
}

fn at(day: NaiveDate, hour: u32) -> i64 {
    VIETNAM
        .from_local_datetime(&day.and_hms_opt(hour, 17, 0).unwrap_or_default())
        .single()
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// The deadline of `unit`'s group in `version` for `period`.
fn deadline_of(
    version: &RegimeVersion,
    unit: &OrgUnit,
    period: &PeriodId,
    calendar: &WorkCalendar,
) -> Option<NaiveDate> {
    let group = version
        .reporting
        .iter()
        .find(|g| selector_matches(&g.select, unit))?;
    baocao_domain::deadline::deadline(group.deadline?, period, version.convention, calendar).ok()
}

/// One regime's period of the legacy history.
struct LegacyPeriod<'a> {
    meta: &'a Metadata,
    version: &'a RegimeVersion,
    cells: Vec<(String, String)>,
    regime: &'a str,
    period: PeriodId,
    calendar: &'a WorkCalendar,
}

impl LegacyPeriod<'_> {
    /// A district's communes' reports (a few never came, a few were late)
    /// and the district's own, synthesized from them.
    fn district_reports(
        &self,
        world: &World,
        district: &OrgUnit,
        communes: &[OrgUnit],
    ) -> Vec<PastReport> {
        let (meta, version, period) = (self.meta, self.version, self.period);
        let label = period.to_string();
        let mut batch = Vec::new();
        let mut received = Vec::new();
        for c in communes {
            let luck = noise(&[world.key(c.id), &label, self.regime, "luck"]);
            let Some(due) = deadline_of(version, c, &period, self.calendar) else {
                continue;
            };
            if luck < 0.03 {
                continue; // never came
            }
            let submitted = if luck > 0.9 {
                due + chrono::Days::new(1 + (luck * 100.0) as u64 % 5)
            } else {
                due - chrono::Days::new((luck * 10.0) as u64 % 4)
            };
            let content = world.content(meta, version, &self.cells, self.regime, c.id, &period);
            received.push((c.name.clone(), content.clone()));
            batch.push(PastReport {
                regime: self.regime.into(),
                unit: c.id,
                period,
                content,
                submitted_at: at(submitted, 9),
                accepted_at: at(submitted + chrono::Days::new(2), 15),
            });
        }
        let Some(due) = deadline_of(version, district, &period, self.calendar) else {
            return batch;
        };
        let synthesis = baocao_domain::aggregate::synthesize(meta, version, &received);
        let mut content = Content::default();
        synthesis.apply_to(&mut content.values);
        content.values.extend(world.own_values(
            meta,
            &self.cells,
            version.convention,
            district.id,
            &period,
        ));
        let submitted = due - chrono::Days::new(1);
        batch.push(PastReport {
            regime: self.regime.into(),
            unit: district.id,
            period,
            content,
            submitted_at: at(submitted, 10),
            accepted_at: at(submitted + chrono::Days::new(1), 16),
        });
        batch
    }
}

/// The history of the districts other than Vinh until June 2025, as kept in
/// the previous system: their communes' reports (a few never came) and each
/// district's own, synthesized from them; all accepted. Imported in a few
/// batches, it is what makes the province's totals whole before the reform.
async fn import_legacy(
    app: &App,
    meta: &Metadata,
    world: &World,
    legacy_until: NaiveDate,
) -> AppResult<usize> {
    let calendar = app.work_calendar().await?;
    let mut batch: Vec<PastReport> = Vec::new();
    for (regime_code, first) in REGIMES {
        let Some(regime) = meta.regime(regime_code) else {
            continue;
        };
        let mut period: PeriodId = first.parse().map_err(internal)?;
        while period.last_day() <= legacy_until {
            let Some((_, version)) = regime.version_for(&period) else {
                break;
            };
            let one = LegacyPeriod {
                meta,
                version,
                cells: input_cells(version, meta),
                regime: regime_code,
                period,
                calendar: &calendar,
            };
            for (district, communes) in world.legacy.iter().filter(|(d, _)| d.id != world.vinh) {
                batch.extend(one.district_reports(world, district, communes));
            }
            period = match period.next() {
                Some(next) => next,
                None => break,
            };
        }
    }
    let mut imported = 0;
    for chunk in batch.chunks(MAX_IMPORT_BATCH) {
        imported += app
            .import_past_reports(&system_principal(), chunk)
            .await?
            .imported;
    }
    Ok(imported)
}

/// One unit's report for one period: created, filled, and — depending on the
/// unit's luck — submitted on time or late, returned and corrected, or never.
async fn one_report(
    app: &App,
    meta: &Metadata,
    world: &World,
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
    let content = world.content(meta, version, &cells, regime, unit.id, period);
    let key = world.key(unit.id);
    let label = period.to_string();
    let mut luck = noise(&[&unit.id.get().to_string(), &label, "luck"]);
    if world.quirks.late_for(key, &label) {
        // The commune that is late nearly every time.
        luck = 0.87 + 0.12 * noise(&[key, &label, "how-late"]);
    }
    let due = view.deadline;
    // Not yet due: a few drafts, most not started.
    if due >= today {
        if luck < 0.3 {
            app.save_report(&staff, view.id, &content, None).await?;
        }
        return Ok(None);
    }
    if luck < 0.04 {
        return Ok(None); // never reported
    }
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
            .map(|_| ())
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
            .record_past_review(
                &op,
                &self.reviewer,
                self.report,
                accept,
                reason,
                at(day, hour),
            )
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
    let started = std::time::Instant::now();
    let (y, m, d) = LEGACY_UNTIL;
    let legacy_until = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let world = World::read(app, vinh, province, legacy_until, today).await?;
    let mut count = import_legacy(app, &meta, &world, legacy_until).await?;
    tracing::info!(
        reports = count,
        seconds = started.elapsed().as_secs(),
        "demo history of the previous system imported"
    );
    let wards: Vec<&OrgUnit> = world
        .legacy
        .iter()
        .filter(|(d, _)| d.id == vinh)
        .flat_map(|(_, cs)| cs.iter())
        .collect();
    for (regime, first) in REGIMES {
        let mut period: PeriodId = first.parse().map_err(internal)?;
        while period.first_day() <= today {
            let legacy = period.last_day() <= legacy_until;
            let reporting: Vec<&OrgUnit> = if legacy {
                wards.clone()
            } else {
                world.communes.iter().collect()
            };
            for unit in reporting {
                if one_report(app, &meta, &world, regime, unit, &period, today)
                    .await?
                    .is_some()
                {
                    count += 1;
                }
            }
            if legacy
                && synthesize_own(
                    app,
                    &meta,
                    &world,
                    regime,
                    vinh,
                    Some(province),
                    &period,
                    today,
                )
                .await?
            {
                count += 1;
            }
            // The province's consolidated report, sent to the level above.
            if synthesize_own(app, &meta, &world, regime, province, None, &period, today).await? {
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
/// accepted, completed with what it enters itself, and submitted on its
/// deadline; accepted the next day by `reviewer_unit` (Vinh's, by the
/// province), or left as sent upwards (the province's consolidated report).
#[allow(clippy::too_many_arguments)]
async fn synthesize_own(
    app: &App,
    meta: &Metadata,
    world: &World,
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
    // The latest consolidated report waits for the province's own staff, who
    // synthesize it once their reviewers have accepted what came in.
    if reviewer_unit.is_none() && (today - view.deadline).num_days() < 20 {
        return Ok(false);
    }
    app.synthesize_report(&staff, view.id).await?;
    if let Some(version) = meta
        .regime(regime)
        .and_then(|r| r.version(view.regime_version))
    {
        let cells = input_cells(version, meta);
        let own = world.own_values(meta, &cells, version.convention, unit, period);
        if !own.is_empty() {
            let mut content = app.report(&staff, view.id).await?.content;
            content.values.extend(own);
            app.save_report(&staff, view.id, &content, None).await?;
        }
    }
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
