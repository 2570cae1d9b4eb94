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

use baocao_domain::catalogue::{Metadata, ValueType};
use baocao_domain::period::{Convention, PeriodId, PeriodKind};
use baocao_domain::report::Content;

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

mod flows;
mod profiles;
mod seasons;

use flows::{flows, Kind};

pub use profiles::{legacy_profiles, Commune, Profile};
pub use seasons::{Quirks, Seasons, When};

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
    let mut v = Values::new();
    paperwork(unit, &when, &mut v);
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
    capacity(unit, &when, &mut v);
    v
}

/// Outgoing documents and work files, and the shares signed and handled
/// online. Paperwork follows both the people and the number of offices.
fn paperwork(unit: &Unit<'_>, when: &When, v: &mut Values) {
    let p = unit.profile;
    let (r, t) = (p.readiness(), when.t);
    let size = 0.5 * p.people_share() + 0.5 * p.communes / LEGACY_COMMUNES;
    let season = GRDP_QUARTER[(when.month as usize / 3).saturating_sub(1) % 4];
    // About 124 000 outgoing documents and 62 000 work files a quarter in
    // the province's communes.
    let documents = unit.count(
        when,
        "CDS01",
        unit.flow(when, "CDS01", 4.0 * 124_000.0, size, 0.03, 3.0 * season),
    );
    v.insert("CDS01", documents);
    let signed = (0.74 + 0.20 * r + 0.004 * t + 0.06 * (unit.u(when, "CDS02") - 0.5)).min(0.998);
    v.insert("CDS02", (documents * signed).round().min(documents));
    let files = unit.count(
        when,
        "CDS04",
        unit.flow(when, "CDS04", 4.0 * 62_000.0, size, 0.03, 3.0 * season),
    );
    v.insert("CDS04", files);
    let online =
        (0.21 + 0.40 * r + 0.011 * t + 0.08 * (unit.u(when, "CDS05") - 0.5)).clamp(0.0, 0.99);
    v.insert("CDS05", (files * online).round().min(files));
}

/// Staff, offices, online services and digital address points.
fn capacity(unit: &Unit<'_>, when: &When, v: &mut Values) {
    let p = unit.profile;
    let (r, t) = (p.readiness(), when.t);
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
        percent(30.0 + 30.0 * r + 0.6 * t + 8.0 * (unit.u(when, "CDS16") - 0.5)),
    );
    v.insert(
        "CDS17",
        percent(25.0 + 30.0 * r + 0.6 * t + 8.0 * (unit.u(when, "CDS17") - 0.5)),
    );
    let offered = services(r, when);
    v.insert("HC01", offered);
    let full = (offered * (0.55 + 0.2 * r + 0.004 * t).min(0.95)).round();
    v.insert("CDS18", full);
    v.insert(
        "CDS19",
        ((offered - full) * (0.5 + 0.3 * unit.u(when, "CDS19"))).round(),
    );
    v.insert(
        "CDS20",
        unit.count(
            when,
            "CDS20",
            10.0 * p.communes * unit.jitter(when, "CDS20", 0.3),
        ),
    );
    v.insert("CDS21", p.points.round());
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
