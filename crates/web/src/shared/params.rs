//! Values typed into page forms and queries: dates and years. A malformed
//! value is refused with a field error naming what was typed, never replaced.
//! (The API reads its parameters more strictly, as its document declares:
//! see `api::doc`.)

use baocao_app::AppError;
use baocao_domain::Message;
use chrono::{Datelike, NaiveDate};

/// A form field as a query gives it, blanks around it ignored: blank (an
/// empty choice) is none.
pub fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// A date as Vietnamese forms write it, `dd/mm/yyyy` (also `d/m/yyyy`),
/// or as addresses carry it, `yyyy-mm-dd`; pages ask for dd/mm/yyyy in a
/// text field, whatever the browser's language.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some((d, rest)) = text.split_once('/') {
        let (m, y) = rest.split_once('/')?;
        let number = |s: &str, digits: std::ops::RangeInclusive<usize>| {
            (digits.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        let year = i32::try_from(number(y, 4..=4)?).ok()?;
        return NaiveDate::from_ymd_opt(year, number(m, 1..=2)?, number(d, 1..=2)?);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// An optional date (`dd/mm/yyyy` or `yyyy-mm-dd`, blanks around it
/// ignored); blank is none.
pub fn optional_date(
    field: &'static str,
    text: Option<&str>,
) -> Result<Option<NaiveDate>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse_date(t).map(Some).ok_or_else(|| bad_date(field, t)),
    }
}

/// A date that must be given.
pub fn required_date(field: &'static str, text: &str) -> Result<NaiveDate, AppError> {
    optional_date(field, Some(text))?.ok_or_else(|| bad_date(field, ""))
}

fn bad_date(field: &'static str, text: &str) -> AppError {
    AppError::field(field, Message::new("request.bad_date").arg("value", text))
}

/// The `year` of a query; this year when absent or blank.
pub fn year_or_this_year(text: Option<&str>) -> Result<i32, AppError> {
    match text.map(str::trim).filter(|y| !y.is_empty()) {
        None => Ok(chrono::Local::now().year()),
        Some(y) => y.parse::<i32>().map_err(|_| {
            AppError::field("year", Message::new("request.bad_number").arg("value", y))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_optional_but_never_guessed() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 10);
        assert_eq!(optional_date("date", Some(" 2026-03-10 ")).unwrap(), day);
        assert_eq!(optional_date("date", Some("  ")).unwrap(), None);
        assert_eq!(optional_date("date", None).unwrap(), None);
        assert_eq!(
            optional_date("date", Some("10/03/2026")).unwrap(),
            day,
            "as Vietnamese forms write it"
        );
        assert_eq!(optional_date("date", Some("10/3/2026")).unwrap(), day);
        for bad in [
            "03/10/26",
            "31/02/2026",
            "10/03/2026/1",
            "10-03-2026",
            "+1/03/2026",
            "10/03/20266",
        ] {
            assert!(optional_date("date", Some(bad)).is_err(), "{bad}");
        }
        assert!(required_date("date", "").is_err());
        assert_eq!(year_or_this_year(Some("2027")).unwrap(), 2027);
        assert!(year_or_this_year(Some("năm sau")).is_err());
    }
}
