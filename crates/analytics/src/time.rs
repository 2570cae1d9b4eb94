//! Base periods: each value is held at the period of the report it came from
//! (a month, a quarter, a half, nine months or a year), as an index counted
//! within its frequency; a query for a longer period gathers the base periods
//! it covers.

use baocao_domain::period::{PeriodId, PeriodKind};

/// The frequency of a base period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Freq {
    /// Months.
    Month = 0,
    /// Quarters.
    Quarter = 1,
    /// Halves.
    Half = 2,
    /// January–September.
    NineMonths = 3,
    /// Years.
    Year = 4,
}

impl Freq {
    /// Every frequency, finest first.
    pub const ALL: [Freq; 5] = [
        Freq::Month,
        Freq::Quarter,
        Freq::Half,
        Freq::NineMonths,
        Freq::Year,
    ];

    /// Bit of this frequency in a set.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// Base periods in a year: the room a series is given to grow into.
    pub fn per_year(self) -> usize {
        match self {
            Freq::Month => 12,
            Freq::Quarter => 4,
            Freq::Half => 2,
            Freq::NineMonths | Freq::Year => 1,
        }
    }
}

/// First year counted (index 0).
const EPOCH: i32 = 1900;

fn year_index(year: i32) -> Option<u32> {
    u32::try_from(year - EPOCH).ok()
}

/// A period's frequency and index (`None` for ad-hoc periods).
pub fn base(period: &PeriodId) -> Option<(Freq, u32)> {
    let y = year_index(period.year())?;
    Some(match period.kind() {
        PeriodKind::Month(m) => (Freq::Month, y * 12 + u32::from(m) - 1),
        PeriodKind::Quarter(q) => (Freq::Quarter, y * 4 + u32::from(q) - 1),
        PeriodKind::Half(h) => (Freq::Half, y * 2 + u32::from(h) - 1),
        PeriodKind::NineMonths => (Freq::NineMonths, y),
        PeriodKind::Year => (Freq::Year, y),
        PeriodKind::AdHoc(_) => return None,
    })
}

/// The period of a base index.
pub fn period_of(freq: Freq, index: u32) -> Option<PeriodId> {
    let year = |i: u32| i32::try_from(i).ok().map(|i| EPOCH + i);
    match freq {
        Freq::Month => PeriodId::month(year(index / 12)?, index % 12 + 1).ok(),
        Freq::Quarter => PeriodId::quarter(year(index / 4)?, index % 4 + 1).ok(),
        Freq::Half => PeriodId::half(year(index / 2)?, index % 2 + 1).ok(),
        Freq::NineMonths => PeriodId::nine_months(year(index)?).ok(),
        Freq::Year => PeriodId::year_period(year(index)?).ok(),
    }
}

/// The base indices of frequency `freq` that make up `period`, in order;
/// `None` when periods of that frequency do not tile it (a month from
/// quarters, a year from nine months).
pub fn tiles(period: &PeriodId, freq: Freq) -> Option<std::ops::Range<u32>> {
    let y = year_index(period.year())?;
    // The period's span in months of its year (1-based, inclusive).
    let (first, last) = match period.kind() {
        PeriodKind::Month(m) => (u32::from(m), u32::from(m)),
        PeriodKind::Quarter(q) => (3 * u32::from(q) - 2, 3 * u32::from(q)),
        PeriodKind::Half(h) => (6 * u32::from(h) - 5, 6 * u32::from(h)),
        PeriodKind::NineMonths => (1, 9),
        PeriodKind::Year => (1, 12),
        PeriodKind::AdHoc(_) => return None,
    };
    let span = |size: u32, per_year: u32| -> Option<std::ops::Range<u32>> {
        ((first - 1) % size == 0 && last % size == 0)
            .then(|| y * per_year + (first - 1) / size..y * per_year + last / size)
    };
    match freq {
        Freq::Month => span(1, 12),
        Freq::Quarter => span(3, 4),
        Freq::Half => span(6, 2),
        Freq::NineMonths => (first == 1 && last == 9).then(|| y..y + 1),
        Freq::Year => (first == 1 && last == 12).then(|| y..y + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PeriodId {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_tiled_by_finer_ones_only() {
        let (_, m) = base(&p("2026M03")).unwrap();
        assert_eq!(tiles(&p("2026Q1"), Freq::Month), Some(m - 2..m + 1));
        assert_eq!(tiles(&p("2026"), Freq::Quarter).map(|r| r.len()), Some(4));
        assert_eq!(tiles(&p("2026N9"), Freq::Quarter).map(|r| r.len()), Some(3));
        assert_eq!(tiles(&p("2026S2"), Freq::Month).map(|r| r.len()), Some(6));
        assert_eq!(tiles(&p("2026M03"), Freq::Quarter), None);
        assert_eq!(tiles(&p("2026"), Freq::NineMonths), None);
        assert_eq!(tiles(&p("2026Q2"), Freq::Half), None);
        for s in ["2025M12", "2025Q4", "2025S2", "2025N9", "2025"] {
            let (f, i) = base(&p(s)).unwrap();
            assert_eq!(period_of(f, i), Some(p(s)));
            assert_eq!(tiles(&p(s), f), Some(i..i + 1));
        }
    }
}
