//! How an administrative document writes its parts (Decree 30/2020/NĐ-CP,
//! Appendix I): the day and month of the date line, the place name, the
//! issuing body's name and its abbreviation in the document number.

use chrono::{Datelike, NaiveDate};

/// The day and month as the date line writes them: days below 10 and the
/// months January and February with a leading zero ("ngày 05 tháng 02",
/// "ngày 15 tháng 3"), so that nobody can add a digit in front.
pub fn day_and_month(date: NaiveDate) -> (String, String) {
    let day = format!("{:02}", date.day());
    let month = if date.month() <= 2 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    (day, month)
}

/// A unit's name without its type word, as the place of a date line:
/// "Tỉnh Nghệ An" (type "tỉnh") → "Nghệ An".
pub fn place_name(name: &str, division_type: &str) -> String {
    let lower = name.to_lowercase();
    let kind = division_type.to_lowercase();
    if !kind.is_empty() && lower.starts_with(&kind) {
        let rest: String = name.chars().skip(kind.chars().count()).collect();
        let rest = rest.trim();
        if !rest.is_empty() {
            return rest.to_string();
        }
    }
    name.to_string()
}

/// The initials of an agency's name, upper case, for the number
/// ("Sở Tài chính" → "STC").
pub fn abbreviation(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_days_and_the_first_two_months_get_a_zero() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(day_and_month(d(2026, 2, 5)), ("05".into(), "02".into()));
        assert_eq!(day_and_month(d(2026, 1, 31)), ("31".into(), "01".into()));
        assert_eq!(day_and_month(d(2026, 3, 15)), ("15".into(), "3".into()));
        assert_eq!(day_and_month(d(2026, 12, 9)), ("09".into(), "12".into()));
    }

    #[test]
    fn places_lose_their_type_word() {
        assert_eq!(place_name("Tỉnh Nghệ An", "tỉnh"), "Nghệ An");
        assert_eq!(place_name("Phường Thành Vinh", "phường"), "Thành Vinh");
        assert_eq!(place_name("Sở Tài chính", ""), "Sở Tài chính");
        assert_eq!(place_name("Xã", "xã"), "Xã");
        assert_eq!(abbreviation("Sở Tài chính"), "STC");
    }
}
