//! The plain flows of the monthly report: each follows a part of the
//! profile, a yearly growth and a season.

use super::*;

/// How a flow is written: a count of things, or an amount with two decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Count,
    Amount,
}

/// A flow of the monthly report that needs nothing but its rule: the
/// province's yearly figure in 2024, the part of the profile it follows, its
/// growth a year and its season.
pub(super) struct Flow {
    pub(super) code: &'static str,
    pub(super) yearly: f64,
    pub(super) share: fn(&Profile) -> f64,
    pub(super) rate: f64,
    pub(super) season: fn(&When) -> f64,
    pub(super) kind: Kind,
}

/// The plain flows, at Nghệ An's 2024 level.
pub(super) fn flows() -> impl Iterator<Item = Flow> {
    labour_and_business_flows()
        .into_iter()
        .chain(market_and_land_flows())
}

fn flow(
    code: &'static str,
    yearly: f64,
    share: fn(&Profile) -> f64,
    rate: f64,
    season: fn(&When) -> f64,
    kind: Kind,
) -> Flow {
    Flow {
        code,
        yearly,
        share,
        rate,
        season,
        kind,
    }
}

/// Jobs, workers abroad and enterprises.
fn labour_and_business_flows() -> [Flow; 6] {
    use Kind::Count;
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
    ]
}

/// Trade, tourism, spending, investment, forest and infrastructure.
fn market_and_land_flows() -> [Flow; 11] {
    use Kind::{Amount, Count};
    [
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
