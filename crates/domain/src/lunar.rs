//! The Vietnamese lunisolar calendar (âm lịch), computed, not looked up.
//!
//! This is the astronomical algorithm published by Hồ Ngọc Đức ("Thuật toán tính
//! âm lịch"): new moons from a Meeus-style series, the sun's longitude, month 11
//! anchored on the month containing the winter solstice, and the leap month being
//! the first month of a 13-month year without a major solar term (trung khí).
//! Everything is computed in Vietnam's time zone, UTC+7: this is what makes
//! Vietnam's calendar differ from China's (UTC+8) in some years, e.g. Tết 1985
//! fell on 21 January in Vietnam but on 20 February in China.
//!
//! Supported solar years: [`MIN_SOLAR_YEAR`]..=[`MAX_SOLAR_YEAR`].

use std::f64::consts::PI;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use thiserror::Error;

/// First solar year the conversions accept.
pub const MIN_SOLAR_YEAR: i32 = 1800;
/// Last solar year the conversions accept.
pub const MAX_SOLAR_YEAR: i32 = 2299;

/// Vietnam's time zone, in hours east of UTC.
const VIETNAM_UTC_OFFSET_HOURS: f64 = 7.0;

/// Mean length of a synodic month in days, as used by the published algorithm.
const SYNODIC_MONTH: f64 = 29.530_588_853;
/// Julian day of the new moon of 1900-01-01 (new moon number 0).
const NEW_MOON_EPOCH: f64 = 2_415_021.076_998_695;

/// Why a lunar conversion was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LunarError {
    /// The date or year is outside the supported range.
    #[error("year {year} is outside the supported range {MIN_SOLAR_YEAR}..={MAX_SOLAR_YEAR}")]
    OutOfRange {
        /// The year given.
        year: i32,
    },
    /// The lunar month is not 1..=12.
    #[error("lunar month {month} is not between 1 and 12")]
    InvalidMonth {
        /// The month given.
        month: u32,
    },
    /// The lunar day does not exist in that month (months have 29 or 30 days).
    #[error("lunar month {month} of {year} has {length} days, not {day}")]
    InvalidDay {
        /// Lunar year.
        year: i32,
        /// Lunar month.
        month: u32,
        /// The day given.
        day: u32,
        /// The month's actual length.
        length: u32,
    },
    /// A leap month was asked for that the year does not have.
    #[error("lunar year {year} has no leap month {month}")]
    NotALeapMonth {
        /// Lunar year.
        year: i32,
        /// Lunar month.
        month: u32,
    },
}

impl LunarError {
    /// Stable message key for translation by the outer layers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::OutOfRange { .. } => "lunar.out_of_range",
            Self::InvalidMonth { .. } => "lunar.invalid_month",
            Self::InvalidDay { .. } => "lunar.invalid_day",
            Self::NotALeapMonth { .. } => "lunar.not_a_leap_month",
        }
    }
}

/// A date of the Vietnamese lunar calendar, known to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LunarDate {
    year: i32,
    month: u8,
    day: u8,
    is_leap_month: bool,
    // Kept so that the solar date never has to be recomputed (or fail) again.
    solar: NaiveDate,
}

impl LunarDate {
    /// The lunar date `day`/`month` (leap month if `is_leap_month`) of lunar `year`;
    /// refuses dates the calendar does not have.
    pub fn new(year: i32, month: u32, day: u32, is_leap_month: bool) -> Result<Self, LunarError> {
        lunar_to_solar_in_zone(year, month, day, is_leap_month, VIETNAM_UTC_OFFSET_HOURS)
    }

    /// The lunar date of a solar (Gregorian) date.
    pub fn from_solar(date: NaiveDate) -> Result<Self, LunarError> {
        solar_to_lunar_in_zone(date, VIETNAM_UTC_OFFSET_HOURS)
    }

    /// Lunar year (the year whose first month starts at Tết).
    pub fn year(&self) -> i32 {
        self.year
    }

    /// Lunar month, 1..=12.
    pub fn month(&self) -> u32 {
        u32::from(self.month)
    }

    /// Day of the lunar month, 1..=30.
    pub fn day(&self) -> u32 {
        u32::from(self.day)
    }

    /// Whether this is the leap (intercalary, nhuận) month of its number.
    pub fn is_leap_month(&self) -> bool {
        self.is_leap_month
    }

    /// The same day in the solar (Gregorian) calendar.
    pub fn to_solar(&self) -> NaiveDate {
        self.solar
    }
}

/// Converts a solar date to the Vietnamese lunar calendar.
pub fn solar_to_lunar(date: NaiveDate) -> Result<LunarDate, LunarError> {
    LunarDate::from_solar(date)
}

/// Converts a Vietnamese lunar date to the solar calendar.
pub fn lunar_to_solar(
    year: i32,
    month: u32,
    day: u32,
    is_leap_month: bool,
) -> Result<NaiveDate, LunarError> {
    LunarDate::new(year, month, day, is_leap_month).map(|d| d.to_solar())
}

/// Tết Nguyên Đán: the first day of the first lunar month of lunar `year`.
pub fn lunar_new_year(year: i32) -> Result<NaiveDate, LunarError> {
    lunar_to_solar(year, 1, 1, false)
}

fn julian_day(date: NaiveDate) -> i64 {
    // 0001-01-01 (proleptic Gregorian) is Julian day number 1 721 426.
    i64::from(date.num_days_from_ce()) + 1_721_425
}

fn date_from_julian_day(jd: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(jd - 1_721_425).ok()?)
}

/// Julian date (UTC) of the `k`-th new moon after 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let mpr = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let mut c1 = (0.1734 - 0.000_393 * t) * (m * dr).sin() + 0.0021 * (2.0 * dr * m).sin();
    c1 = c1 - 0.4068 * (mpr * dr).sin() + 0.0161 * (dr * 2.0 * mpr).sin();
    c1 -= 0.0004 * (dr * 3.0 * mpr).sin();
    c1 = c1 + 0.0104 * (dr * 2.0 * f).sin() - 0.0051 * (dr * (m + mpr)).sin();
    c1 = c1 - 0.0074 * (dr * (m - mpr)).sin() + 0.0004 * (dr * (2.0 * f + m)).sin();
    c1 = c1 - 0.0004 * (dr * (2.0 * f - m)).sin() - 0.0006 * (dr * (2.0 * f + mpr)).sin();
    c1 = c1 + 0.0010 * (dr * (2.0 * f - mpr)).sin() + 0.0005 * (dr * (2.0 * mpr + m)).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// Local day number (Julian day) on which the `k`-th new moon falls.
fn new_moon_day(k: i64, tz: f64) -> i64 {
    (new_moon(k) + 0.5 + tz / 24.0).floor() as i64
}

/// The sun's apparent longitude in radians, 0..2π, at Julian date `jd` (UTC).
fn sun_longitude(jd: f64) -> f64 {
    let t = (jd - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let mut dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin();
    dl += (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin() + 0.000_290 * (dr * 3.0 * m).sin();
    let l = (l0 + dl) * dr;
    l - 2.0 * PI * (l / (2.0 * PI)).floor()
}

/// Which of the 12 thirty-degree sectors the sun is in at the start of local day
/// `day` (0 = from the vernal equinox; the winter solstice starts sector 9).
fn sun_sector(day: i64, tz: f64) -> i64 {
    (sun_longitude(day as f64 - 0.5 - tz / 24.0) / PI * 6.0).floor() as i64
}

/// Day number of the start of lunar month 11 (the month containing the winter
/// solstice) of solar `year`.
fn lunar_month_11(year: i32, tz: f64) -> i64 {
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).map_or(0, julian_day);
    let off = dec31 as f64 - 2_415_021.0;
    let k = (off / SYNODIC_MONTH).floor() as i64;
    let nm = new_moon_day(k, tz);
    if sun_sector(nm, tz) >= 9 {
        new_moon_day(k - 1, tz)
    } else {
        nm
    }
}

/// Offset (in months after month 11 starting at `a11`) of the leap month of a
/// 13-month year: the first month in which the sun does not change sector.
fn leap_month_offset(a11: i64, tz: f64) -> i64 {
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i, tz), tz);
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i, tz), tz);
        if arc == last || i >= 14 {
            break;
        }
    }
    i - 1
}

fn check_solar_year(year: i32) -> Result<(), LunarError> {
    if (MIN_SOLAR_YEAR..=MAX_SOLAR_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(LunarError::OutOfRange { year })
    }
}

pub(crate) fn solar_to_lunar_in_zone(date: NaiveDate, tz: f64) -> Result<LunarDate, LunarError> {
    let solar_year = date.year();
    check_solar_year(solar_year)?;
    let day_number = julian_day(date);
    let mut k = ((day_number as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64 + 1;
    let mut month_start = new_moon_day(k, tz);
    // The published code steps back only once; near a mean new moon (e.g.
    // 2054-05-07) the true one can be a day later, so step back until it fits.
    while month_start > day_number {
        k -= 1;
        month_start = new_moon_day(k, tz);
    }
    let mut a11 = lunar_month_11(solar_year, tz);
    let mut b11 = a11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = solar_year;
        a11 = lunar_month_11(solar_year - 1, tz);
    } else {
        lunar_year = solar_year + 1;
        b11 = lunar_month_11(solar_year + 1, tz);
    }
    let lunar_day = day_number - month_start + 1;
    let diff = (month_start - a11).div_euclid(29);
    let mut is_leap_month = false;
    let mut lunar_month = diff + 11;
    if b11 - a11 > 365 {
        let leap_diff = leap_month_offset(a11, tz);
        if diff >= leap_diff {
            lunar_month = diff + 10;
            is_leap_month = diff == leap_diff;
        }
    }
    if lunar_month > 12 {
        lunar_month -= 12;
    }
    if lunar_month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    Ok(LunarDate {
        year: lunar_year,
        // Both are small by construction (1..=12 and 1..=30).
        month: u8::try_from(lunar_month).unwrap_or(0),
        day: u8::try_from(lunar_day).unwrap_or(0),
        is_leap_month,
        solar: date,
    })
}

pub(crate) fn lunar_to_solar_in_zone(
    year: i32,
    month: u32,
    day: u32,
    is_leap_month: bool,
    tz: f64,
) -> Result<LunarDate, LunarError> {
    // The result is checked against the supported range as well: a lunar year
    // reaches into the next solar year.
    check_solar_year(year)?;
    if !(1..=12).contains(&month) {
        return Err(LunarError::InvalidMonth { month });
    }
    let (a11, b11) = if month < 11 {
        (lunar_month_11(year - 1, tz), lunar_month_11(year, tz))
    } else {
        (lunar_month_11(year, tz), lunar_month_11(year + 1, tz))
    };
    let k = (0.5 + (a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    let mut off = i64::from(month) - 11;
    if off < 0 {
        off += 12;
    }
    let not_leap = LunarError::NotALeapMonth { year, month };
    if b11 - a11 > 365 {
        let leap_off = leap_month_offset(a11, tz);
        let mut leap_month = leap_off - 2;
        if leap_month < 0 {
            leap_month += 12;
        }
        if is_leap_month && i64::from(month) != leap_month {
            return Err(not_leap);
        }
        if is_leap_month || off >= leap_off {
            off += 1;
        }
    } else if is_leap_month {
        return Err(not_leap);
    }
    let month_start = new_moon_day(k + off, tz);
    let length = new_moon_day(k + off + 1, tz) - month_start;
    if day == 0 || i64::from(day) > length {
        return Err(LunarError::InvalidDay {
            year,
            month,
            day,
            length: u32::try_from(length).unwrap_or(0),
        });
    }
    let solar = date_from_julian_day(month_start + i64::from(day) - 1)
        .ok_or(LunarError::OutOfRange { year })?;
    check_solar_year(solar.year())?;
    Ok(LunarDate {
        year,
        month: month as u8,
        day: day as u8,
        is_leap_month,
        solar,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn tet_matches_published_dates() {
        let published = [
            (2020, d(2020, 1, 25)),
            (2023, d(2023, 1, 22)),
            (2024, d(2024, 2, 10)),
            (2025, d(2025, 1, 29)),
            (2026, d(2026, 2, 17)),
            (2027, d(2027, 2, 6)),
        ];
        for (year, date) in published {
            assert_eq!(lunar_new_year(year).unwrap(), date, "Tết {year}");
            let lunar = solar_to_lunar(date).unwrap();
            assert_eq!(
                (
                    lunar.year(),
                    lunar.month(),
                    lunar.day(),
                    lunar.is_leap_month()
                ),
                (year, 1, 1, false)
            );
        }
    }

    #[test]
    fn hung_kings_day_matches_published_dates() {
        let published = [
            (2024, d(2024, 4, 18)),
            (2025, d(2025, 4, 7)),
            (2026, d(2026, 4, 26)),
            (2027, d(2027, 4, 16)),
        ];
        for (year, date) in published {
            assert_eq!(lunar_to_solar(year, 3, 10, false).unwrap(), date, "{year}");
        }
    }

    #[test]
    fn utc_plus_7_is_what_separates_vietnam_from_china() {
        // Tết 1985: 21 January in Vietnam, 20 February in China.
        let vn = lunar_to_solar_in_zone(1985, 1, 1, false, 7.0).unwrap();
        let cn = lunar_to_solar_in_zone(1985, 1, 1, false, 8.0).unwrap();
        assert_eq!(vn.to_solar(), d(1985, 1, 21));
        assert_eq!(cn.to_solar(), d(1985, 2, 20));
        assert_eq!(lunar_new_year(1985).unwrap(), d(1985, 1, 21));
        // Tết 2007: 17 February in Vietnam, 18 February in China.
        assert_eq!(lunar_new_year(2007).unwrap(), d(2007, 2, 17));
        let cn = lunar_to_solar_in_zone(2007, 1, 1, false, 8.0).unwrap();
        assert_eq!(cn.to_solar(), d(2007, 2, 18));
    }

    #[test]
    fn leap_months() {
        // 2025 (Ất Tỵ) has a leap 6th month; Mid-Autumn (15/8) fell on 6 Oct 2025.
        assert_eq!(lunar_to_solar(2025, 6, 1, true).unwrap(), d(2025, 7, 25));
        assert_eq!(lunar_to_solar(2025, 6, 1, false).unwrap(), d(2025, 6, 25));
        assert_eq!(lunar_to_solar(2025, 8, 15, false).unwrap(), d(2025, 10, 6));
        let leap = solar_to_lunar(d(2025, 8, 1)).unwrap();
        assert_eq!((leap.month(), leap.is_leap_month()), (6, true));
        // 2023 had a leap 2nd month, 2020 a leap 4th month.
        assert!(lunar_to_solar(2023, 2, 1, true).is_ok());
        assert!(lunar_to_solar(2020, 4, 1, true).is_ok());
        let err = lunar_to_solar(2025, 5, 1, true).unwrap_err();
        assert_eq!(
            err,
            LunarError::NotALeapMonth {
                year: 2025,
                month: 5
            }
        );
        let err = lunar_to_solar(2024, 6, 1, true).unwrap_err();
        assert_eq!(err.code(), "lunar.not_a_leap_month");
    }

    #[test]
    fn last_day_of_lunar_years() {
        // The 12th month of Giáp Thìn (2024) had 29 days: 28 Jan 2025 was its last.
        assert_eq!(lunar_to_solar(2024, 12, 29, false).unwrap(), d(2025, 1, 28));
        let err = lunar_to_solar(2024, 12, 30, false).unwrap_err();
        assert_eq!(
            err,
            LunarError::InvalidDay {
                year: 2024,
                month: 12,
                day: 30,
                length: 29
            }
        );
        // The 12th month of Quý Mão (2023) had 30 days: 9 Feb 2024 was the 30th.
        assert_eq!(lunar_to_solar(2023, 12, 30, false).unwrap(), d(2024, 2, 9));
    }

    #[test]
    fn true_new_moon_after_the_mean_one() {
        // Regression: the published code gave day 0 here (new moon on 8 May 2054).
        let lunar = solar_to_lunar(d(2054, 5, 7)).unwrap();
        assert_eq!(
            lunar.day(),
            lunar_to_solar(2054, lunar.month(), 1, lunar.is_leap_month())
                .map(|start| (d(2054, 5, 7) - start).num_days() as u32 + 1)
                .unwrap()
        );
        assert!(matches!(lunar.day(), 29 | 30));
        assert_eq!(solar_to_lunar(d(2054, 5, 8)).unwrap().day(), 1);
    }

    #[test]
    fn invalid_inputs_are_refused() {
        assert_eq!(
            lunar_to_solar(2025, 13, 1, false).unwrap_err().code(),
            "lunar.invalid_month"
        );
        assert_eq!(
            lunar_to_solar(2025, 0, 1, false).unwrap_err().code(),
            "lunar.invalid_month"
        );
        assert_eq!(
            lunar_to_solar(2025, 1, 0, false).unwrap_err().code(),
            "lunar.invalid_day"
        );
        assert_eq!(
            lunar_to_solar(2025, 1, 31, false).unwrap_err().code(),
            "lunar.invalid_day"
        );
        assert_eq!(
            lunar_to_solar(1700, 1, 1, false).unwrap_err().code(),
            "lunar.out_of_range"
        );
        assert_eq!(
            solar_to_lunar(d(2300, 1, 1)).unwrap_err(),
            LunarError::OutOfRange { year: 2300 }
        );
        assert!(solar_to_lunar(d(MIN_SOLAR_YEAR, 1, 1)).is_ok());
        assert!(solar_to_lunar(d(MAX_SOLAR_YEAR, 12, 31)).is_ok());
    }

    #[test]
    fn every_lunar_month_has_29_or_30_days_and_numbers_follow() {
        // Walk 1950..2100 day by day: the day number only resets after 29 or 30.
        let mut date = d(1950, 1, 1);
        let mut previous = solar_to_lunar(date).unwrap();
        while date < d(2100, 1, 1) {
            date = date.succ_opt().unwrap();
            let lunar = solar_to_lunar(date).unwrap();
            let back = lunar_to_solar(
                lunar.year(),
                lunar.month(),
                lunar.day(),
                lunar.is_leap_month(),
            );
            assert_eq!(back.unwrap(), date);
            if lunar.day() == 1 {
                assert!(matches!(previous.day(), 29 | 30), "{date}");
                let next_month = if previous.month() == 12 {
                    1
                } else {
                    previous.month() + 1
                };
                assert!(
                    lunar.is_leap_month() && lunar.month() == previous.month()
                        || !lunar.is_leap_month() && lunar.month() == next_month,
                    "{date}"
                );
                if lunar.month() == 1 && !lunar.is_leap_month() {
                    assert_eq!(lunar.year(), previous.year() + 1, "{date}");
                }
            } else {
                assert_eq!(lunar.day(), previous.day() + 1, "{date}");
            }
            previous = lunar;
        }
    }

    proptest! {
        #[test]
        fn solar_lunar_solar_round_trip(days in 0i64..(150 * 365)) {
            let date = d(1950, 1, 1) + chrono::Days::new(days as u64);
            let lunar = solar_to_lunar(date).unwrap();
            let back = lunar_to_solar(
                lunar.year(), lunar.month(), lunar.day(), lunar.is_leap_month(),
            ).unwrap();
            prop_assert_eq!(back, date);
        }
    }
}
