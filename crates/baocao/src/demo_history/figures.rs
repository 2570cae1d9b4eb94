//! The demo's figures (số liệu mẫu): what Nghệ An's communes plausibly report,
//! month by month, with no I/O, so that the province's totals land near its
//! published figures (about 3.4 million people, a GRDP near 200 thousand
//! billion đồng a year, budget revenue near 22 thousand billion, …).
//!
//! Every legacy commune (before 1 July 2025) gets a [`Profile`]: its share of
//! the province's people, economy, tourism, farmland, forest and so on, drawn
//! from its type (ward, town, rural commune), its terrain (from its longitude:
//! the west is mountainous) and stable noise of its code. A 2025 commune's
//! profile is the sum of its predecessors' ([`Profile::merged`]), so its
//! figures continue theirs across the reform. The figures of a period follow
//! the profile, a trend, the season (working days and Tết from the calendar,
//! tourism in summer, budget revenue at year end) and noise; a few
//! [`Quirks`] give a leader something to spot.
//!
//! Integers come out already rounded (stochastic rounding, so that small
//! counts keep their expected totals) and parts never exceed their wholes.

use std::collections::BTreeMap;

use baocao_domain::calendar::WorkCalendar;
use baocao_domain::catalogue::{Metadata, ValueType};
use baocao_domain::period::{Convention, PeriodId, PeriodKind};
use baocao_domain::report::Content;
use chrono::{Datelike, NaiveDate};

/// Values of one report by indicator code (integers already whole, decimals
/// with two places).
pub type Values = BTreeMap<&'static str, f64>;

/// The province's population at the start of 2024.
pub const POPULATION: f64 = 3_420_000.0;
/// Share of poor households (multidimensional standard) at the start of 2024.
const POVERTY: f64 = 0.046;
/// Share of the working-age labour force covered by social insurance, 2024.
const INSURED: f64 = 0.185;
/// People per household.
const HOUSEHOLD: f64 = 3.62;
/// The province's communes before the reform.
const LEGACY_COMMUNES: f64 = 412.0;
/// Working days of an ordinary month.
const WORKING_DAYS: f64 = 20.8;

/// A stable pseudo-random number in [0, 1) from a few words.
pub fn noise(parts: &[&str]) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // A final mix, so that keys differing only in their last letters spread.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A legacy commune as its figures need it.
#[derive(Debug, Clone, Copy)]
pub struct Commune<'a> {
    /// Stable key for noise (`old:16681`): codes are reused across the two
    /// structures, so the key says which one.
    pub key: &'a str,
    /// `xã`, `phường` or `thị trấn`.
    pub division_type: &'a str,
    /// Longitude of its point (the west of the province is mountainous).
    pub lon: Option<f64>,
}

/// What a unit is made of. Every field adds up when communes merge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Inhabitants at the start of 2024.
    pub people: f64,
    /// Of them, those living in wards and towns (urban areas).
    pub urban: f64,
    /// Share of the province's economy (trade, services, budget).
    pub economy: f64,
    /// Share of its industry (exports, industrial zones).
    pub industry: f64,
    /// Share of its tourism.
    pub tourism: f64,
    /// Share of its rice land.
    pub farmland: f64,
    /// Share of its buffalo and cattle.
    pub herds: f64,
    /// Share of its forest land.
    pub forest: f64,
    /// Poor households at the start of 2024.
    pub poor: f64,
    /// Workers covered by social insurance at the start of 2024.
    pub insured: f64,
    /// People times digital readiness (0–1): the readiness of a merged unit
    /// is its people-weighted mean.
    pub online: f64,
    /// Commune officials.
    pub staff: f64,
    /// Agencies and units under the commune.
    pub offices: f64,
    /// Video-conference points.
    pub points: f64,
    /// Legacy communes it covers.
    pub communes: f64,
    /// For each rural commune it covers, the month (0 = January 2024) from
    /// which it meets the new rural area standard; `u32::MAX` for never.
    pub new_rural: Vec<u32>,
}

impl Profile {
    /// The sum of `parts`, each with the share of it that went in (1 for a
    /// whole merge or the default target of a split).
    pub fn merged<'a>(parts: impl IntoIterator<Item = (&'a Profile, f64)>) -> Profile {
        let mut out = Profile::default();
        for (p, share) in parts {
            out.people += p.people * share;
            out.urban += p.urban * share;
            out.economy += p.economy * share;
            out.industry += p.industry * share;
            out.tourism += p.tourism * share;
            out.farmland += p.farmland * share;
            out.herds += p.herds * share;
            out.forest += p.forest * share;
            out.poor += p.poor * share;
            out.insured += p.insured * share;
            out.online += p.online * share;
            out.staff += p.staff * share;
            out.offices += p.offices * share;
            out.points += p.points * share;
            out.communes += p.communes * share;
            if share >= 0.5 {
                out.new_rural.extend_from_slice(&p.new_rural);
            }
        }
        out
    }

    /// Digital readiness, 0–1.
    pub fn readiness(&self) -> f64 {
        if self.people > 0.0 {
            self.online / self.people
        } else {
            0.0
        }
    }

    /// Share of its people living in urban areas.
    pub fn urban_share(&self) -> f64 {
        if self.people > 0.0 {
            self.urban / self.people
        } else {
            0.0
        }
    }

    /// Share of the province's people.
    fn people_share(&self) -> f64 {
        self.people / POPULATION
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Terrain {
    Mountain,
    Midland,
    Lowland,
}

impl Terrain {
    fn of(lon: Option<f64>) -> Terrain {
        match lon {
            Some(l) if l < 105.0 => Terrain::Mountain,
            Some(l) if l < 105.4 => Terrain::Midland,
            _ => Terrain::Lowland,
        }
    }

    /// A factor for (mountain, midland, lowland).
    fn pick(self, values: [f64; 3]) -> f64 {
        match self {
            Terrain::Mountain => values[0],
            Terrain::Midland => values[1],
            Terrain::Lowland => values[2],
        }
    }
}

/// The profiles of the legacy communes, in order, scaled so that the
/// province adds up: its population, shares that sum to one, its poverty and
/// social insurance rates.
pub fn legacy_profiles(communes: &[Commune<'_>]) -> Vec<Profile> {
    let mut out: Vec<Profile> = communes.iter().map(raw_profile).collect();
    let sum = |f: fn(&Profile) -> f64, out: &[Profile]| out.iter().map(f).sum::<f64>().max(1e-9);
    let people = sum(|p| p.people, &out);
    let scale_people = POPULATION / people;
    for p in &mut out {
        p.people *= scale_people;
        p.urban *= scale_people;
        p.poor *= scale_people;
        p.insured *= scale_people;
        p.online *= scale_people;
    }
    // Each of these becomes a share of the province's.
    let shares: [fn(&mut Profile) -> &mut f64; 6] = [
        |p| &mut p.economy,
        |p| &mut p.industry,
        |p| &mut p.tourism,
        |p| &mut p.farmland,
        |p| &mut p.herds,
        |p| &mut p.forest,
    ];
    for field in shares {
        let total = out.iter_mut().map(|p| *field(p)).sum::<f64>().max(1e-9);
        for p in &mut out {
            *field(p) /= total;
        }
    }
    let poor = POVERTY * POPULATION / HOUSEHOLD / sum(|p| p.poor, &out);
    let insured = INSURED * POPULATION * 0.6 / sum(|p| p.insured, &out);
    for p in &mut out {
        p.poor *= poor;
        p.insured *= insured;
    }
    out
}

/// A legacy commune's profile before scaling.
fn raw_profile(c: &Commune<'_>) -> Profile {
    let u = |what: &str| noise(&[c.key, what]);
    let urban = match c.division_type {
        "phường" => 1.0,
        "thị trấn" => 0.6,
        _ => 0.0,
    };
    let terrain = Terrain::of(c.lon);
    let coastal = c.lon.is_some_and(|l| l >= 105.70);
    let people =
        (1.0 + 0.8 * urban) * terrain.pick([0.55, 0.85, 1.0]) * (0.55 + 0.95 * u("people"));
    let economy =
        people * (0.8 + 2.4 * urban) * terrain.pick([0.45, 0.8, 1.0]) * (0.6 + 0.8 * u("economy"));
    let zone = if u("industry") > 0.9 { 6.0 } else { 1.0 };
    let industry = economy * (0.3 + 0.7 * u("industry")) * zone;
    let sights = if coastal {
        6.0
    } else if urban > 0.0 {
        1.5
    } else {
        0.35
    };
    let hotspot = if u("tourism") > 0.96 { 8.0 } else { 1.0 };
    let tourism = people * sights * (0.5 + u("tourism")) * hotspot;
    let farmland = people
        * (1.0 - 0.85 * urban)
        * terrain.pick([0.45, 1.0, 1.2])
        * (0.6 + 0.8 * u("farmland"));
    let herds = farmland * terrain.pick([2.6, 1.6, 0.9]) * (0.7 + 0.6 * u("herds"));
    let forest = terrain.pick([8.0, 2.5, 0.25]) * (1.0 - 0.9 * urban) * (0.4 + 1.2 * u("forest"));
    let poverty = terrain.pick([0.19, 0.055, 0.028]) * (1.0 - 0.85 * urban) * (0.5 + u("poor"));
    let insured_rate =
        (0.14 + 0.22 * urban) * terrain.pick([0.5, 0.8, 1.0]) * (0.8 + 0.4 * u("insured"));
    let readiness = ((0.40 + 0.35 * urban) * terrain.pick([0.55, 0.8, 1.0])
        + 0.3 * (u("readiness") - 0.5))
        .clamp(0.03, 0.98);
    let new_rural = if urban > 0.0 {
        Vec::new()
    } else {
        let (already, during) = if terrain == Terrain::Mountain {
            (0.30, 0.45)
        } else {
            (0.85, 0.95)
        };
        let x = u("new-rural");
        vec![if x < already {
            0
        } else if x < during {
            2 + (u("new-rural-month") * 30.0) as u32
        } else {
            u32::MAX
        }]
    };
    Profile {
        people,
        urban: if urban > 0.0 { people } else { 0.0 },
        economy,
        industry,
        tourism,
        farmland,
        herds,
        forest,
        poor: people / HOUSEHOLD * poverty,
        insured: people * 0.6 * insured_rate,
        online: people * readiness,
        staff: (19.0 + 5.0 * u("staff") + 2.0 * urban).round(),
        offices: (5.0 + 5.0 * u("offices")).round(),
        points: if u("points") > 0.85 { 2.0 } else { 1.0 },
        communes: 1.0,
        new_rural,
    }
}

/// The working days and Tết of the years the demo covers.
#[derive(Debug, Clone)]
pub struct Seasons {
    first: NaiveDate,
    working: Vec<bool>,
    tet: Vec<NaiveDate>,
}

impl Seasons {
    /// The calendar of `from..=to` (and the days around).
    pub fn new(from: i32, to: i32) -> Seasons {
        let calendar = WorkCalendar::new();
        let first = NaiveDate::from_ymd_opt(from - 1, 12, 1).unwrap_or_default();
        let last = NaiveDate::from_ymd_opt(to + 1, 1, 31).unwrap_or_default();
        let working = first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|d| {
                calendar
                    .is_working_day(d)
                    .unwrap_or(d.weekday().number_from_monday() <= 5)
            })
            .collect();
        let tet = (from..=to + 1)
            .filter_map(|y| baocao_domain::lunar::lunar_new_year(y).ok())
            .collect();
        Seasons {
            first,
            working,
            tet,
        }
    }

    fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
        from.iter_days().take_while(move |d| *d <= to)
    }

    /// Working days between two dates, both included.
    fn working_days(&self, from: NaiveDate, to: NaiveDate) -> f64 {
        Self::days(from, to)
            .filter(|d| {
                let i = (*d - self.first).num_days();
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.working.get(i).copied())
                    .unwrap_or(true)
            })
            .count() as f64
    }

    /// The share of the three weeks before Tết (shopping) and of the two
    /// weeks from its eve (everything slows down) that fall between two dates.
    fn tet(&self, from: NaiveDate, to: NaiveDate) -> (f64, f64) {
        let mut before = 0.0;
        let mut after = 0.0;
        for tet in &self.tet {
            for d in Self::days(from, to) {
                let offset = (d - *tet).num_days();
                if (-22..-1).contains(&offset) {
                    before += 1.0 / 21.0;
                } else if (-1..14).contains(&offset) {
                    after += 1.0 / 15.0;
                }
            }
        }
        (before, after)
    }
}

/// A period as the figures see it: its window, its place in time, its season.
#[derive(Debug, Clone)]
pub struct When {
    /// `2025M03`.
    pub label: String,
    /// Year.
    pub year: i32,
    /// Its (last) calendar month.
    pub month: u32,
    /// Months since January 2024 (of its last month).
    pub t: f64,
    /// Working days in the window, against an ordinary month.
    pub work: f64,
    /// Share of the pre-Tết weeks in the window.
    pub tet_before: f64,
    /// Share of the Tết weeks in the window.
    pub tet_after: f64,
    kind: PeriodKind,
}

impl When {
    /// `period` under `convention` (the window its figures cover).
    pub fn new(period: &PeriodId, convention: Convention, seasons: &Seasons) -> When {
        let window = period.cutoff_window(convention);
        let last = period.last_day();
        let months = ((window.last() - window.first()).num_days() as f64 / 30.4)
            .round()
            .max(1.0);
        let (tet_before, tet_after) = seasons.tet(window.first(), window.last());
        When {
            label: period.to_string(),
            year: period.year(),
            month: last.month(),
            t: f64::from((last.year() - 2024) * 12 + last.month() as i32 - 1),
            work: seasons.working_days(window.first(), window.last()) / (WORKING_DAYS * months),
            tet_before,
            tet_after,
            kind: period.kind(),
        }
    }

    fn by_month(&self, table: [f64; 12]) -> f64 {
        table[(self.month as usize + 11) % 12]
    }

    /// Growth at `rate` a year since January 2024.
    fn grown(&self, rate: f64) -> f64 {
        (1.0 + rate).powf(self.t / 12.0)
    }

    /// Offices and one-stop shops: working days, and the weeks after Tết.
    fn office(&self) -> f64 {
        self.work * (1.0 - 0.1 * self.tet_after)
    }

    /// Factories: working days, a longer Tết break.
    fn factory(&self) -> f64 {
        self.work * (1.0 - 0.15 * self.tet_after)
    }

    /// Shops: the weeks before Tết and December.
    fn shops(&self) -> f64 {
        let december = if self.month == 12 { 0.04 } else { 0.0 };
        1.0 + 0.28 * self.tet_before - 0.12 * self.tet_after + december
    }
}

/// What a leader should spot: one 2025 commune with a land auction that
/// multiplies its budget revenue one month, one whose one-stop shop was
/// down for most of a month, one that reports late almost every time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Quirks {
    /// The commune of the land auction, and the month.
    pub spike: Option<(String, String)>,
    /// The commune of the outage, and the month.
    pub outage: Option<(String, String)>,
    /// The commune that is late.
    pub late: Option<String>,
}

/// The month of the land auction.
pub const SPIKE_MONTH: &str = "2026M09";
/// The month of the one-stop shop's outage.
pub const OUTAGE_MONTH: &str = "2026M07";

impl Quirks {
    /// Picks the communes among `keys` (the 2025 communes), stably.
    pub fn choose(keys: &[&str]) -> Quirks {
        let pick = |what: &str, not: &[Option<&str>]| {
            keys.iter()
                .filter(|k| !not.contains(&Some(**k)))
                .max_by(|a, b| noise(&[a, what]).total_cmp(&noise(&[b, what])))
                .map(|k| k.to_string())
        };
        let spike = pick("spike", &[]);
        let outage = pick("outage", &[spike.as_deref()]);
        let late = pick("late", &[spike.as_deref(), outage.as_deref()]);
        Quirks {
            spike: spike.map(|k| (k, SPIKE_MONTH.into())),
            outage: outage.map(|k| (k, OUTAGE_MONTH.into())),
            late,
        }
    }

    fn at(quirk: &Option<(String, String)>, key: &str, when: &When) -> bool {
        quirk
            .as_ref()
            .is_some_and(|(k, m)| k == key && *m == when.label)
    }

    /// Whether `key` is the late one, and late for `period`: four times in five.
    pub fn late_for(&self, key: &str, period: &str) -> bool {
        self.late.as_deref() == Some(key) && noise(&[key, period, "late"]) < 0.8
    }
}

/// A unit whose figures are made: its key, profile and the quirks.
#[derive(Debug, Clone, Copy)]
pub struct Unit<'a> {
    /// Stable key (`new:16681`).
    pub key: &'a str,
    /// What it is made of.
    pub profile: &'a Profile,
    /// The demo's anomalies.
    pub quirks: &'a Quirks,
}

impl Unit<'_> {
    /// Stable noise in [0, 1) for this unit, period and word.
    fn u(&self, when: &When, what: &str) -> f64 {
        noise(&[self.key, &when.label, what])
    }

    /// A factor around 1 of relative width `width` (0.1: ±10 %).
    fn jitter(&self, when: &When, what: &str, width: f64) -> f64 {
        1.0 + width * (2.0 * self.u(when, what) - 1.0)
    }

    /// A whole number whose expected value is `x`.
    fn count(&self, when: &When, what: &str, x: f64) -> f64 {
        (x.max(0.0) + self.u(when, &format!("{what}~"))).floor()
    }

    /// A flow: `yearly` (the province's in 2024) times `share`, grown at
    /// `rate` a year, with the period's `season` and noise.
    fn flow(
        &self,
        when: &When,
        what: &str,
        yearly: f64,
        share: f64,
        rate: f64,
        season: f64,
    ) -> f64 {
        yearly / 12.0 * share * when.grown(rate) * season * self.jitter(when, what, 0.08)
    }
}

fn money(x: f64) -> f64 {
    (x.max(0.0) * 100.0).round() / 100.0
}

fn percent(x: f64) -> f64 {
    money(x.clamp(0.0, 100.0))
}

const TOURISM: [f64; 12] = [
    0.55, 0.85, 0.75, 1.0, 1.25, 1.75, 2.0, 1.5, 0.8, 0.6, 0.48, 0.5,
];
const BUDGET: [f64; 12] = [
    1.05, 0.7, 0.85, 0.9, 0.85, 1.0, 0.85, 0.85, 0.9, 0.95, 1.0, 2.1,
];
const SPENDING: [f64; 12] = [
    0.7, 0.75, 0.85, 0.9, 0.9, 1.0, 0.95, 0.95, 1.0, 1.0, 1.05, 1.95,
];
const INVESTMENT: [f64; 12] = [
    0.7, 0.6, 0.85, 0.9, 0.95, 1.1, 0.95, 1.0, 1.05, 1.05, 1.1, 1.75,
];
const FIRES: [f64; 12] = [0.1, 0.1, 0.3, 1.2, 2.5, 3.0, 2.8, 1.2, 0.4, 0.2, 0.1, 0.1];
const PLANTING: [f64; 12] = [0.5, 1.8, 2.2, 1.3, 0.4, 0.3, 1.2, 1.7, 1.5, 0.6, 0.3, 0.2];
const ROADS: [f64; 12] = [1.0, 0.6, 1.1, 1.4, 1.4, 1.3, 1.1, 0.8, 0.6, 0.6, 0.9, 1.2];
const NEW_FIRMS: [f64; 12] = [
    0.9, 0.6, 1.15, 1.05, 1.05, 1.05, 1.0, 1.0, 1.0, 1.05, 1.05, 1.1,
];
const SUSPENSIONS: [f64; 12] = [3.0, 1.2, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 1.4];
/// Public investment disbursed by the end of each month, of the year's plan.
const DISBURSED: [f64; 12] = [
    0.02, 0.05, 0.1, 0.16, 0.23, 0.32, 0.41, 0.5, 0.6, 0.7, 0.8, 0.93,
];
/// GRDP of each quarter, against a quarter of the year's.
const GRDP_QUARTER: [f64; 4] = [0.9, 0.98, 1.0, 1.12];

/// The province's GRDP in 2024 (thousand billion đồng is 1 000 tỷ).
const GRDP_2024: f64 = 190_000.0;

/// Poor households left after each yearly review (January), against 2024.
fn poverty_left(year: i32) -> f64 {
    match year {
        ..=2024 => 1.0,
        2025 => 0.78,
        _ => 0.62,
    }
}

/// The year's public investment plan of the province (tỷ đồng).
fn investment_plan(year: i32) -> f64 {
    match year {
        ..=2024 => 12_000.0,
        2025 => 14_500.0,
        _ => 16_500.0,
    }
}

/// Online public services a commune offers: more after the reform, when
/// communes took over the districts' procedures.
fn services(readiness: f64, when: &When) -> f64 {
    let after_reform = if when.t >= 18.0 { 210.0 } else { 0.0 };
    (95.0 + 40.0 * readiness + 0.8 * when.t + after_reform).round()
}

/// How a flow is written: a count of things, or an amount with two decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Count,
    Amount,
}

/// A flow of the monthly report that needs nothing but its rule: the
/// province's yearly figure in 2024, the part of the profile it follows, its
/// growth a year and its season.
struct Flow {
    code: &'static str,
    yearly: f64,
    share: fn(&Profile) -> f64,
    rate: f64,
    season: fn(&When) -> f64,
    kind: Kind,
}

/// The plain flows, at Nghệ An's 2024 level.
fn flows() -> [Flow; 17] {
    use Kind::{Amount, Count};
    let flow = |code, yearly, share, rate, season, kind| Flow {
        code,
        yearly,
        share,
        rate,
        season,
        kind,
    };
    [
        flow(
            "LD01",
            46_000.0,
            |p| p.people_share(),
            0.03,
            When::office,
            Count,
        ),
        // Rural communes send more workers abroad than towns.
        flow(
            "LD02",
            20_000.0,
            |p| 0.5 * p.people_share() + 0.5 * p.farmland,
            0.02,
            When::office,
            Count,
        ),
        flow(
            "DN01",
            2_100.0,
            |p| p.economy,
            0.05,
            |w| w.by_month(NEW_FIRMS),
            Count,
        ),
        flow("DN03", 700.0, |p| p.economy, 0.03, |_| 1.0, Count),
        flow(
            "DN04",
            1_300.0,
            |p| p.economy,
            0.02,
            |w| w.by_month(SUSPENSIONS),
            Count,
        ),
        flow("DN05", 450.0, |p| p.economy, 0.02, |_| 1.0, Count),
        flow(
            "TT04",
            118_000.0,
            |p| 0.7 * p.economy + 0.3 * p.people_share(),
            0.11,
            When::shops,
            Amount,
        ),
        flow("TT05", 3_000.0, |p| p.industry, 0.16, When::factory, Amount),
        flow("TT06", 2_100.0, |p| p.industry, 0.12, When::factory, Amount),
        flow(
            "TT07",
            8_300_000.0,
            |p| p.tourism,
            0.08,
            |w| w.by_month(TOURISM),
            Count,
        ),
        flow(
            "TC02",
            40_000.0,
            |p| 0.5 * p.people_share() + 0.5 * p.economy,
            0.08,
            |w| w.by_month(SPENDING),
            Amount,
        ),
        flow(
            "VM02",
            78_000.0,
            |p| 0.6 * p.economy + 0.2 * p.industry + 0.2 * p.people_share(),
            0.10,
            |w| w.by_month(INVESTMENT),
            Amount,
        ),
        flow(
            "MT02",
            14.0,
            |p| p.forest,
            0.0,
            |w| w.by_month(FIRES),
            Count,
        ),
        flow(
            "MT04",
            19_000.0,
            |p| p.forest,
            0.0,
            |w| w.by_month(PLANTING),
            Amount,
        ),
        flow("HT03", 40.0, |p| p.economy, 0.05, |_| 1.0, Count),
        flow(
            "HT04",
            600.0,
            |p| 0.7 * p.farmland + 0.3 * p.forest,
            0.0,
            |w| w.by_month(ROADS),
            Amount,
        ),
        flow(
            "HT05",
            700.0,
            |p| 0.5 * p.people_share() + 0.5 * p.economy,
            0.15,
            |w| w.by_month(SPENDING),
            Amount,
        ),
    ]
}

/// The monthly socio-economic report of a commune (`BC-KTXH-T`). Figures the
/// province alone compiles (GRDP growth, IIP, CPI) are left out.
pub fn monthly(unit: &Unit<'_>, when: &When) -> Values {
    let p = unit.profile;
    let mut v = Values::new();
    for f in flows() {
        let x = unit.flow(
            when,
            f.code,
            f.yearly,
            (f.share)(p),
            f.rate,
            (f.season)(when),
        );
        let x = match f.kind {
            Kind::Count => unit.count(when, f.code, x),
            Kind::Amount => money(x),
        };
        v.insert(f.code, x);
    }
    people(unit, when, &mut v);
    economy(unit, when, &mut v);
    procedures(unit, when, &mut v);
    v
}

/// Population, households, poverty, insurance and labour: stocks that grow
/// slowly (poor households change at each year's review).
fn people(unit: &Unit<'_>, when: &When, v: &mut Values) {
    let p = unit.profile;
    let t = when.t;
    let people_now = p.people * when.grown(0.009);
    let population = (people_now * unit.jitter(when, "XH01", 0.002)).round();
    v.insert("XH01", population);
    let households = (people_now / HOUSEHOLD * when.grown(0.006)).round();
    v.insert("XH04", households);
    let year = when.year.to_string();
    let poor = p.poor * poverty_left(when.year) * (0.95 + 0.1 * noise(&[unit.key, &year, "XH05"]));
    v.insert("XH05", poor.round().min(households));
    let coverage =
        (0.925 + 0.0009 * t + 0.06 * (noise(&[unit.key, "XH02"]) - 0.6)).clamp(0.82, 0.995);
    v.insert("XH02", (population * coverage).round());
    let labour = (people_now * 0.6).round();
    v.insert("LD04", labour);
    let insured = p.insured * (1.0 + 0.006 * t) * unit.jitter(when, "LD03", 0.004);
    v.insert("LD03", insured.round().min(labour));
    let month = t as u32;
    let new_rural = p.new_rural.iter().filter(|m| **m <= month).count();
    v.insert("HT01", new_rural as f64);
}

/// GRDP (in the months that end a quarter), tourism revenue, the budget,
/// public investment, credit, broadband, enterprises' capital and forests.
fn economy(unit: &Unit<'_>, when: &When, v: &mut Values) {
    let p = unit.profile;
    let people = p.people_share();
    if when.month.is_multiple_of(3) {
        let output = 0.6 * p.economy + 0.25 * p.industry + 0.15 * p.farmland;
        let quarter = GRDP_QUARTER[(when.month as usize / 3).saturating_sub(1) % 4];
        // The quarter's: three months' worth, by the quarter's weight.
        let grdp = unit.flow(when, "TT01", GRDP_2024, output, 0.105, 3.0 * quarter);
        v.insert("TT01", money(grdp));
    }
    let firms = v.get("DN01").copied().unwrap_or(0.0);
    v.insert("DN02", money(firms * (4.0 + 9.0 * unit.u(when, "DN02"))));
    // About 1.15 million đồng a visit.
    let arrivals = v.get("TT07").copied().unwrap_or(0.0);
    let spent = 0.00105 + 0.0002 * unit.u(when, "TT08");
    v.insert("TT08", money(arrivals * spent * when.grown(0.04)));
    // Budget revenue is lumpy: land-use fees come when land is auctioned.
    let base = 0.75 * p.economy + 0.25 * people;
    let mut revenue = unit.flow(when, "TC01", 22_000.0, base, 0.09, when.by_month(BUDGET))
        * unit.jitter(when, "TC01-lumpy", 0.25);
    if Quirks::at(&unit.quirks.spike, unit.key, when) {
        revenue *= 9.0;
    }
    v.insert("TC01", money(revenue));
    // The year's investment plan (topped up in July) and what was disbursed
    // of it since January, at the unit's own pace.
    let year = when.year.to_string();
    let plan = investment_plan(when.year)
        * (0.5 * p.economy + 0.5 * people)
        * (0.8 + 0.4 * noise(&[unit.key, &year, "TC03"]))
        * if when.month >= 7 { 1.06 } else { 1.0 };
    v.insert("TC03", money(plan));
    let pace = 0.75 + 0.4 * noise(&[unit.key, &year, "TC04"]);
    let done = DISBURSED[when.month as usize - 1] * pace * unit.jitter(when, "TC04", 0.03);
    v.insert("TC04", money(plan * done.min(1.0)));
    let credit = 290_000.0 * (0.8 * p.economy + 0.2 * people) * when.grown(0.11);
    v.insert("VM03", money(credit * unit.jitter(when, "VM03", 0.005)));
    let broadband = 520_000.0 * (0.5 * people + 0.5 * p.economy) * when.grown(0.08);
    v.insert("HT02", broadband.round());
    v.insert("MT01", forest_cover(when.year));
    let fires = v.get("MT02").copied().unwrap_or(0.0);
    v.insert("MT03", money(fires * (0.5 + 6.0 * unit.u(when, "MT03"))));
}

/// Administrative procedures at the one-stop shop: about 30 000 dossiers a
/// month in the province in 2024 (242 272 in the first eleven months of
/// 2019), a share received online that rises with the commune's readiness
/// and the years, nearly all settled on time.
fn procedures(unit: &Unit<'_>, when: &When, v: &mut Values) {
    let p = unit.profile;
    let r = p.readiness();
    let t = when.t;
    let base = 0.6 * p.people_share() + 0.4 * p.economy;
    let mut received = unit.flow(when, "HC02", 360_000.0, base, 0.06, when.office());
    if Quirks::at(&unit.quirks.outage, unit.key, when) {
        received *= 0.18; // the one-stop shop's software was down
    }
    let received = unit.count(when, "HC02", received);
    v.insert("HC01", services(r, when));
    v.insert("HC02", received);
    let online = 0.10 + 0.35 * r + 0.012 * t + 0.08 * (unit.u(when, "HC03") - 0.5);
    v.insert(
        "HC03",
        (received * online.clamp(0.0, 0.97)).round().min(received),
    );
    let processed = (received * (0.94 + 0.08 * unit.u(when, "HC05"))).round();
    v.insert("HC05", processed);
    let on_time = 0.955 + 0.03 * r + 0.0005 * t + 0.03 * (unit.u(when, "HC06") - 0.5);
    v.insert(
        "HC06",
        (processed * on_time.min(0.999)).round().min(processed),
    );
}

/// The province's published forest cover, which every unit reports.
fn forest_cover(year: i32) -> f64 {
    match year {
        ..=2024 => 58.36,
        2025 => 58.41,
        _ => 58.45,
    }
}

/// The quarterly digital-transformation report of a commune (`BC-CDS-Q`):
/// dossiers received are the three months' own; shares rise over the years
/// with the commune's readiness.
pub fn quarterly(
    unit: &Unit<'_>,
    quarter: &PeriodId,
    convention: Convention,
    seasons: &Seasons,
) -> Values {
    let p = unit.profile;
    let r = p.readiness();
    let months: Vec<Values> = quarter
        .months()
        .iter()
        .map(|m| monthly(unit, &When::new(m, convention, seasons)))
        .collect();
    let sum = |code: &str| months.iter().filter_map(|m| m.get(code)).sum::<f64>();
    let when = When::new(quarter, convention, seasons);
    let t = when.t;
    // Paperwork follows both the people and the number of offices.
    let size = 0.5 * p.people_share() + 0.5 * p.communes / LEGACY_COMMUNES;
    let season = GRDP_QUARTER[(when.month as usize / 3).saturating_sub(1) % 4];
    let mut v = Values::new();
    // About 124 000 outgoing documents and 62 000 work files a quarter in
    // the province's communes.
    let documents = unit.count(
        &when,
        "CDS01",
        unit.flow(&when, "CDS01", 4.0 * 124_000.0, size, 0.03, 3.0 * season),
    );
    v.insert("CDS01", documents);
    let signed = (0.74 + 0.20 * r + 0.004 * t + 0.06 * (unit.u(&when, "CDS02") - 0.5)).min(0.998);
    v.insert("CDS02", (documents * signed).round().min(documents));
    let files = unit.count(
        &when,
        "CDS04",
        unit.flow(&when, "CDS04", 4.0 * 62_000.0, size, 0.03, 3.0 * season),
    );
    v.insert("CDS04", files);
    let online =
        (0.21 + 0.40 * r + 0.011 * t + 0.08 * (unit.u(&when, "CDS05") - 0.5)).clamp(0.0, 0.99);
    v.insert("CDS05", (files * online).round().min(files));
    let received = sum("HC02");
    let received_online = sum("HC03");
    v.insert("HC02", received);
    v.insert("HC03", received_online);
    v.insert(
        "CDS07",
        (received_online * (0.86 + 0.12 * unit.u(&when, "CDS07"))).round(),
    );
    v.insert(
        "CDS09",
        percent(82.0 + 10.0 * r + 0.15 * t + 6.0 * (unit.u(&when, "CDS09") - 0.5)),
    );
    let staff = p.staff.round();
    v.insert("CDS10", staff);
    let trained = (0.35 + 0.3 * r + 0.025 * t + 0.1 * (noise(&[unit.key, "CDS11"]) - 0.5)).min(1.0);
    v.insert("CDS11", (staff * trained).round().min(staff));
    let offices = p.offices.round();
    v.insert("CDS13", offices);
    let it = (0.4 + 0.4 * r + 0.01 * t).min(1.0);
    v.insert("CDS14", (offices * it).round().min(offices));
    v.insert(
        "CDS16",
        percent(30.0 + 30.0 * r + 0.6 * t + 8.0 * (unit.u(&when, "CDS16") - 0.5)),
    );
    v.insert(
        "CDS17",
        percent(25.0 + 30.0 * r + 0.6 * t + 8.0 * (unit.u(&when, "CDS17") - 0.5)),
    );
    let offered = services(r, &when);
    v.insert("HC01", offered);
    let full = (offered * (0.55 + 0.2 * r + 0.004 * t).min(0.95)).round();
    v.insert("CDS18", full);
    v.insert(
        "CDS19",
        ((offered - full) * (0.5 + 0.3 * unit.u(&when, "CDS19"))).round(),
    );
    v.insert(
        "CDS20",
        unit.count(
            &when,
            "CDS20",
            10.0 * p.communes * unit.jitter(&when, "CDS20", 0.3),
        ),
    );
    v.insert("CDS21", p.points.round());
    v
}

/// The yearly statistical report of a commune (`BC-TK-NAM`): rice, herds,
/// births and deaths; its population the mean of its months.
pub fn yearly(
    unit: &Unit<'_>,
    year: &PeriodId,
    convention: Convention,
    seasons: &Seasons,
) -> Values {
    let p = unit.profile;
    let when = When::new(year, convention, seasons);
    let months = year.months();
    let population = months
        .iter()
        .map(|m| monthly(unit, &When::new(m, Convention::Administrative, seasons)))
        .filter_map(|v| v.get("XH01").copied())
        .sum::<f64>()
        / months.len().max(1) as f64;
    let mut v = Values::new();
    let years = f64::from(when.year - 2024);
    let area = 182_000.0 * p.farmland * (1.0 - 0.01 * years) * unit.jitter(&when, "TK01", 0.03);
    v.insert("TK01", money(area));
    let weather = if when.year == 2025 { 0.97 } else { 1.0 };
    let yield_ =
        (5.5 + 0.9 * noise(&[unit.key, "TK02"])) * weather * unit.jitter(&when, "TK02", 0.03);
    v.insert("TK02", money(area * yield_));
    let herds = p.herds * unit.jitter(&when, "herds", 0.03);
    v.insert("TK04", (270_000.0 * herds * (1.0 - 0.02 * years)).round());
    v.insert("TK05", (480_000.0 * herds * (1.0 + 0.015 * years)).round());
    let pigs = 1_050_000.0 * p.farmland * unit.jitter(&when, "TK06", 0.06);
    v.insert("TK06", pigs.round());
    v.insert("XH01", population.round());
    let births = 0.0125 + 0.006 * (p.herds / p.farmland.max(1e-9) - 0.9).clamp(0.0, 1.0);
    v.insert(
        "TK07",
        unit.count(
            &when,
            "TK07",
            population * births * unit.jitter(&when, "TK07", 0.08),
        ),
    );
    v.insert(
        "TK08",
        unit.count(
            &when,
            "TK08",
            population * 0.0068 * unit.jitter(&when, "TK08", 0.1),
        ),
    );
    v
}

/// Figures a receiving unit enters itself on its consolidated report, for
/// indicators that do not add up over units: the province's published
/// statistics (GRDP growth, IIP, CPI, forest cover) and its own surveys and
/// portal; for a district, its own portal and surveys. `None`-aggregated
/// codes only.
pub fn own_figures(
    profile: &Profile,
    key: &str,
    province: bool,
    when: &When,
    a_year_earlier: &When,
) -> Values {
    let r = profile.readiness();
    let t = when.t;
    let u = |what: &str| noise(&[key, &when.label, what]);
    let mut v = Values::new();
    v.insert("MT01", forest_cover(when.year));
    let portal = if province {
        1_650.0 + 8.0 * t
    } else {
        services(r, when) + 120.0
    };
    v.insert("HC01", portal.round());
    let full = (portal * (0.58 + 0.004 * t).min(0.9)).round();
    v.insert("CDS18", full);
    v.insert("CDS19", ((portal - full) * 0.7).round());
    v.insert("CDS09", percent(86.0 + 0.25 * t + 2.0 * (u("CDS09") - 0.5)));
    v.insert("CDS16", percent(44.0 + 0.7 * t + 2.0 * (u("CDS16") - 0.5)));
    v.insert("CDS17", percent(41.0 + 0.65 * t + 2.0 * (u("CDS17") - 0.5)));
    if province {
        // Industrial production against the same window a year earlier:
        // the trend, and (damped: factories make up for lost days) Tết
        // moving from one month to another.
        let ratio = 1.0 + 0.25 * (when.factory() / a_year_earlier.factory().max(0.1) - 1.0);
        v.insert(
            "TT03",
            money(111.0 * ratio * (1.0 + 0.03 * (u("TT03") - 0.5))),
        );
        v.insert("VM01", money(cpi(when.year) + 0.8 * (u("VM01") - 0.5)));
        if matches!(when.kind, PeriodKind::Month(m) if m % 3 == 0) {
            v.insert("TT02", money(grdp_growth(when.year, when.month / 3)));
        }
    }
    v
}

/// The consumer price index's change over a year earlier, by year (%).
fn cpi(year: i32) -> f64 {
    match year {
        ..=2024 => 3.6,
        2025 => 3.2,
        _ => 3.4,
    }
}

/// GRDP growth since the start of the year against the same period of the
/// year before, at constant prices (%).
fn grdp_growth(year: i32, quarter: u32) -> f64 {
    let by_quarter = match year {
        ..=2024 => [6.8, 7.5, 8.0, 8.3],
        2025 => [8.4, 8.9, 9.1, 9.3],
        _ => [8.9, 9.6, 10.1, 10.4],
    };
    by_quarter[(quarter as usize).clamp(1, 4) - 1]
}

/// `values` as the cells of a form (`cells` from `input_cells`): each in its
/// indicator's notation, breakdowns split so that they add up.
pub fn content(
    meta: &Metadata,
    cells: &[(String, String)],
    values: &Values,
    unit: &Unit<'_>,
    period: &str,
) -> Content {
    let mut content = Content::default();
    for (cell, code) in cells.iter().filter(|(cell, _)| !cell.contains('/')) {
        if let Some(v) = values.get(code.as_str()) {
            content.values.insert(cell.clone(), written(meta, code, *v));
        }
    }
    split_breakdowns(meta, cells, unit, period, &mut content);
    content
}

/// A value as the indicator's type writes it.
pub fn written(meta: &Metadata, code: &str, value: f64) -> String {
    let integer = meta
        .indicator(code)
        .is_some_and(|i| i.value_type == ValueType::Integer);
    if integer {
        format!("{}", value.round().max(0.0) as i64)
    } else {
        format!("{:.2}", value.max(0.0))
    }
}

/// The usual share of one option of a breakdown of `code`: few new
/// enterprises are state-owned or foreign, few visitors come from abroad,
/// Japan and Taiwan take most workers going abroad; poor households are
/// rarely urban. `None`: an even share.
fn option_share(code: &str, dimension: &str, option: &str, urban: f64) -> Option<f64> {
    let urban_poor = 0.15 * urban / (0.15 * urban + (1.0 - urban)).max(1e-9);
    let male = match code {
        "TK07" => 0.53,
        "TK08" => 0.56,
        _ => 0.52,
    };
    Some(match (dimension, option) {
        ("visitor_origin", "domestic") => 0.96,
        ("visitor_origin", "international") => 0.04,
        ("enterprise_type", "state") => 0.005,
        ("enterprise_type", "non_state") => 0.975,
        ("enterprise_type", "fdi") => 0.02,
        ("sex", "male") => male,
        ("sex", "female") => 1.0 - male,
        ("labour_market", "japan") => 0.45,
        ("labour_market", "korea") => 0.12,
        ("labour_market", "taiwan") => 0.33,
        ("labour_market", "other") => 0.10,
        ("urban_rural", "urban") => urban_poor,
        ("urban_rural", "rural") => 1.0 - urban_poor,
        _ => return None,
    })
}

/// Fills the options of each breakdown near their usual shares; the
/// largest takes the remainder, so the parts add up to the total.
fn split_breakdowns(
    meta: &Metadata,
    cells: &[(String, String)],
    unit: &Unit<'_>,
    period: &str,
    content: &mut Content,
) {
    let urban = unit.profile.urban_share();
    let mut codes: Vec<&str> = cells
        .iter()
        .filter(|(cell, _)| cell.contains('/'))
        .map(|(_, code)| code.as_str())
        .collect();
    codes.dedup();
    for code in codes {
        let Some(total) = content.values.get(code).and_then(|t| t.parse::<f64>().ok()) else {
            continue;
        };
        let integer = meta
            .indicator(code)
            .is_some_and(|i| i.value_type == ValueType::Integer);
        let n = cells
            .iter()
            .filter(|(cell, k)| k == code && cell.contains('/'))
            .count();
        let options: Vec<(&String, f64)> = cells
            .iter()
            .filter(|(cell, k)| k == code && cell.contains('/'))
            .map(|(cell, _)| {
                let (dimension, option) = cell
                    .split_once('/')
                    .and_then(|(_, o)| o.split_once(':'))
                    .unwrap_or_default();
                let share = option_share(code, dimension, option, urban);
                (cell, share.unwrap_or(1.0 / n as f64))
            })
            .collect();
        // The option taking the remainder: the largest, else the last.
        let rest = options
            .iter()
            .enumerate()
            .max_by(|(i, (_, a)), (j, (_, b))| a.total_cmp(b).then(i.cmp(j)))
            .map_or(0, |(i, _)| i);
        let mut left = total;
        for (i, (cell, share)) in options.iter().enumerate() {
            if i == rest {
                continue;
            }
            let x = total * share * (0.9 + 0.2 * noise(&[unit.key, period, cell]));
            let x = if integer {
                (x + noise(&[unit.key, period, cell, "~"])).floor()
            } else {
                money(x)
            };
            let part = x.min(left);
            left = (left - part).max(0.0);
            content
                .values
                .insert(cell.to_string(), written(meta, code, part));
        }
        if let Some((cell, _)) = options.get(rest) {
            content
                .values
                .insert(cell.to_string(), written(meta, code, left));
        }
    }
}
