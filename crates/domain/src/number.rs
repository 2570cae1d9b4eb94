//! Numbers as people write them: Vietnamese notation (`12.345,67`), English
//! notation (`12,345.67`) and the canonical dot-decimal form stored.

use rust_decimal::Decimal;

/// A stored (canonical, dot-decimal) number written so that [`parse_number`]
/// reads it back exactly: with a decimal comma, since `12.345` would be read as
/// twelve thousand. Used where a file the system wrote comes back (CSV, xlsx).
pub fn unambiguous(canonical: &str) -> String {
    canonical.replace('.', ",")
}

/// A canonical decimal (`12345.67`, as stored) in Vietnamese notation:
/// `.` between thousands, `,` before decimals (`12.345,67`). The inverse of
/// [`parse_number`].
pub fn vn_number(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped},{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A canonical decimal (`-12345.6`) in English notation: `-12,345.6`.
pub fn en_number(text: &str) -> String {
    vn_number(text)
        .chars()
        .map(|c| match c {
            '.' => ',',
            ',' => '.',
            c => c,
        })
        .collect()
}

/// Reads a number typed in Vietnamese notation (`12.345,67`) or with a decimal
/// point (`12345.67`, as the API sends). A dot followed by groups of exactly
/// three digits is read as a thousands separator.
pub fn parse_number(text: &str) -> Option<Decimal> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return None;
    }
    let canonical = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else {
        let (sign, digits) = t.strip_prefix('-').map_or(("", t.as_str()), |r| ("-", r));
        let groups: Vec<&str> = digits.split('.').collect();
        // `0.125` is a fraction: no grouped number starts with a zero group.
        let thousands = groups.len() > 1
            && !groups[0].is_empty()
            && !groups[0].starts_with('0')
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if thousands {
            format!("{sign}{}", groups.concat())
        } else {
            t.clone()
        }
    };
    if !canonical
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    // Exactly as typed or not at all: a value the decimal type would round
    // (`0,0000000000000000000000000000001` → 0) is refused, never changed.
    Decimal::from_str_exact(&canonical).ok()
}

/// `value` rounded to `dp` decimals as reports round (halves away from
/// zero), trailing zeros dropped.
pub fn rounded(value: Decimal, dp: u32) -> Decimal {
    value
        .round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// The decimals a figure is shown with: none for counts and large amounts,
/// one for percentages, more for small amounts.
pub fn shown_decimals(value_type: crate::catalogue::ValueType, value: Decimal) -> u32 {
    use crate::catalogue::ValueType;
    let size = value.abs();
    match value_type {
        ValueType::Integer => 0,
        ValueType::Percentage => 1,
        _ if size >= Decimal::from(1000) => 0,
        _ if size >= Decimal::from(10) => 1,
        _ => 2,
    }
}

/// The change from `before` to `now`: a percentage, or percentage points for
/// a percentage indicator; `None` when either is missing or `before` is 0.
pub fn change(
    value_type: crate::catalogue::ValueType,
    now: Decimal,
    before: Decimal,
) -> Option<Decimal> {
    if value_type == crate::catalogue::ValueType::Percentage {
        return now.checked_sub(before);
    }
    if before.is_zero() {
        return None;
    }
    now.checked_sub(before)?
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(before.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_round_as_reports_round_and_change_in_percent_or_points() {
        use crate::catalogue::ValueType;
        let d = |t: &str| t.parse::<Decimal>().unwrap();
        assert_eq!(rounded(d("2.465"), 2).to_string(), "2.47");
        assert_eq!(rounded(d("-0.05"), 1).to_string(), "-0.1");
        assert_eq!(rounded(d("4769.60"), 1).to_string(), "4769.6");
        assert_eq!(shown_decimals(ValueType::Integer, d("12.5")), 0);
        assert_eq!(shown_decimals(ValueType::Percentage, d("85.34")), 1);
        assert_eq!(shown_decimals(ValueType::Decimal, d("1234.5")), 0);
        assert_eq!(shown_decimals(ValueType::Decimal, d("12.34")), 1);
        assert_eq!(shown_decimals(ValueType::Decimal, d("1.234")), 2);
        assert_eq!(change(ValueType::Integer, d("105"), d("100")), Some(d("5")));
        assert_eq!(
            change(ValueType::Integer, d("95"), d("-100")),
            Some(d("195"))
        );
        assert_eq!(change(ValueType::Integer, d("5"), d("0")), None);
        assert_eq!(
            change(ValueType::Percentage, d("85.5"), d("80")),
            Some(d("5.5"))
        );
    }
    use std::str::FromStr;

    #[test]
    fn vietnamese_notation_round_trips() {
        for (canonical, shown) in [
            ("1234567.89", "1.234.567,89"),
            ("-1000", "-1.000"),
            ("12", "12"),
            ("0.125", "0,125"),
        ] {
            assert_eq!(vn_number(canonical), shown);
            assert_eq!(
                en_number(canonical),
                shown.replace('.', "_").replace(',', ".").replace('_', ",")
            );
            assert_eq!(
                parse_number(shown).map(|d| d.to_string()).as_deref(),
                Some(canonical)
            );
        }
    }

    #[test]
    fn numbers_in_vietnamese_and_api_notation() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(parse_number("12.345,67"), Some(d("12345.67")));
        assert_eq!(parse_number("12345.67"), Some(d("12345.67")));
        assert_eq!(parse_number("1.234.567"), Some(d("1234567")));
        assert_eq!(parse_number("-1.234"), Some(d("-1234")));
        assert_eq!(parse_number("0,5"), Some(d("0.5")));
        assert_eq!(parse_number("1.5"), Some(d("1.5")));
        assert_eq!(parse_number("0.125"), Some(d("0.125")));
        assert_eq!(parse_number("-0.250"), Some(d("-0.25")));
        // What the spreadsheets write back for a stored 12.345 reads as 12.345.
        assert_eq!(parse_number(&unambiguous("12.345")), Some(d("12.345")));
        assert_eq!(
            parse_number(&unambiguous("-12345.678")),
            Some(d("-12345.678"))
        );
        assert_eq!(unambiguous("1234"), "1234");
        assert_eq!(parse_number(" 2 500 "), Some(d("2500")));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("1e5"), None);
        assert_eq!(parse_number(""), None);
    }
}
