//! Figures as the operations centre's pages say them: numbers in the
//! language's notation (`12.345,6` in Vietnamese, `12,345.6` in English),
//! periods in words, the reading and coverage of a figure, and the one
//! sentence a tile says in the phrasing of Vietnamese reports ("Thu ngân
//! sách 10 tháng năm 2025 đạt 12.345 tỷ đồng, bằng 85,3% kế hoạch năm, tăng
//! 5,2% so với cùng kỳ").

use baocao_app::analytics::{Figure, Reading, Tile};
use baocao_app::i18n::{render, t, Lang};
use baocao_domain::catalogue::ValueType;
use baocao_domain::number::{change, en_number, rounded, shown_decimals, vn_number};
use baocao_domain::period::{PeriodId, PeriodKind};
use baocao_domain::Message;

use crate::shared::periods::period_label;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// A number in the language's notation with `dp` decimals at most (halves
/// rounded away from zero, as reports round).
pub fn number(lang: Lang, value: Decimal, dp: u32) -> String {
    let text = rounded(value, dp).to_string();
    match lang {
        Lang::Vi => vn_number(&text),
        Lang::En => en_number(&text),
    }
}

/// A value as a tile shows it.
pub fn value_text(lang: Lang, value_type: ValueType, value: Decimal) -> String {
    number(lang, value, shown_decimals(value_type, value))
}

/// A decimal as a float for drawing (0 when out of range).
pub fn float(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(0.0)
}

/// A period as an axis label: "10/25", "Q3/25", "2025".
pub fn period_short(period: &PeriodId) -> String {
    let yy = period.year().rem_euclid(100);
    match period.kind() {
        PeriodKind::Month(m) => format!("{m:02}/{yy:02}"),
        PeriodKind::Quarter(q) => format!("Q{q}/{yy:02}"),
        PeriodKind::Half(h) => format!("S{h}/{yy:02}"),
        _ => period.to_string(),
    }
}

/// Which reading a figure is, with its coverage: "Báo cáo của đơn vị" or
/// "Tổng hợp từ 412 / 460 đơn vị báo cáo", and how many of the period's
/// months had figures when not all did.
pub fn reading_text(lang: Lang, figure: &Figure) -> String {
    let mut text = match (figure.reading, figure.units) {
        (Reading::Computed, Some(c)) => render(
            lang,
            &Message::new("dashboard.computed_from")
                .arg("present", c.present)
                .arg("expected", c.expected),
        ),
        (Reading::Computed, None) => t(lang, "dashboard.computed"),
        _ => t(lang, "dashboard.reported"),
    };
    if figure.periods.present < figure.periods.expected {
        text.push(' ');
        text.push_str(&render(
            lang,
            &Message::new("dashboard.periods_covered")
                .arg("present", figure.periods.present)
                .arg("expected", figure.periods.expected),
        ));
    }
    if !figure.predecessors.is_empty() {
        text.push_str(&render(
            lang,
            &Message::new("dashboard.with_predecessors").arg("count", figure.predecessors.len()),
        ));
    }
    text
}

/// ", tăng 5,2% so với cùng kỳ" (or down, or level, or points).
fn change_clause(lang: Lang, value_type: ValueType, delta: Decimal) -> String {
    let amount = if value_type == ValueType::Percentage {
        render(
            lang,
            &Message::new("dashboard.points").arg("value", number(lang, delta.abs(), 1)),
        )
    } else {
        format!("{}%", number(lang, delta.abs(), 1))
    };
    let key = match delta.round_dp(1).cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => "dashboard.sentence_up",
        std::cmp::Ordering::Less => "dashboard.sentence_down",
        std::cmp::Ordering::Equal => "dashboard.sentence_level",
    };
    render(lang, &Message::new(key).arg("change", amount))
}

/// The tile's sentence, or `None` without a figure.
pub fn sentence(lang: Lang, tile: &Tile) -> Option<String> {
    let (period, latest) = tile.latest.as_ref()?;
    let name = lang.pick(&tile.cell.name_vi, &tile.cell.name_en);
    let measure = lang.pick(&tile.cell.measure_vi, &tile.cell.measure_en);
    // A year to date is said only when every period of it has a figure.
    let ytd = tile
        .year_to_date
        .as_ref()
        .filter(|f| f.value.is_some() && f.periods.present == f.periods.expected);
    let (figure, before, span) = match ytd {
        Some(f) => {
            let months = baocao_analytics::insight::months_reached(period).unwrap_or(12);
            let span = Message::new("dashboard.span_ytd")
                .arg("months", months)
                .arg("year", period.year());
            let before = tile
                .year_to_date_last_year
                .as_ref()
                .filter(|b| b.periods.present == b.periods.expected);
            (f, before, render(lang, &span))
        }
        None => {
            let span =
                Message::new("dashboard.span_period").arg("period", period_label(lang, period));
            (latest, tile.last_year.as_ref(), render(lang, &span))
        }
    };
    let value = figure.value?;
    let mut text = render(
        lang,
        &Message::new("dashboard.sentence_reached")
            .arg("name", name)
            .arg("span", span)
            .arg("value", value_text(lang, tile.value_type, value))
            .arg("measure", measure),
    );
    if measure == "%" {
        text = text.replace(" %", "%");
    }
    if let Some(p) = &tile.target {
        let key = match (tile.flow, p.met) {
            (true, _) => "dashboard.sentence_of_target",
            (false, true) => "dashboard.sentence_target_met",
            (false, false) => "dashboard.sentence_target_missed",
        };
        text.push_str(
            &render(
                lang,
                &Message::new(key)
                    .arg(
                        "percent",
                        p.percent.map(|x| number(lang, x, 1)).unwrap_or_default(),
                    )
                    .arg("target", value_text(lang, tile.value_type, p.target))
                    .arg("measure", measure),
            )
            .replace(" %", "%"),
        );
    }
    if let Some(delta) = before
        .and_then(|b| b.value)
        .and_then(|b| change(tile.value_type, value, b))
    {
        text.push_str(&change_clause(lang, tile.value_type, delta));
    }
    text.push('.');
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(number(Lang::Vi, d("12345.678"), 1), "12.345,7");
        assert_eq!(number(Lang::En, d("12345.678"), 1), "12,345.7");
        assert_eq!(
            value_text(Lang::Vi, ValueType::Percentage, d("85.25")),
            "85,3"
        );
        assert_eq!(
            value_text(Lang::Vi, ValueType::Decimal, d("12345.4")),
            "12.345"
        );
        assert_eq!(
            change(ValueType::Decimal, d("105.2"), d("100")),
            Some(d("5.2"))
        );
        assert_eq!(
            change(ValueType::Percentage, d("72"), d("70.5")),
            Some(d("1.5"))
        );
        assert_eq!(change(ValueType::Integer, d("3"), d("0")), None);
        let p: PeriodId = "2025M10".parse().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(period_short(&p), "10/25");
    }
}
