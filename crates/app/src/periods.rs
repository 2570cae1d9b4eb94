//! Periods in words, as Vietnamese reports write them: "tháng 12/2026",
//! "quý I/2026", "6 tháng đầu năm 2026", "9 tháng năm 2026", "năm 2026"
//! (English: "December 2026", "Q1 2026", "first half of 2026"); capitalised
//! where a period stands alone, in a list or a heading ("Tháng 12/2026").

use crate::i18n::{render, Lang};
use baocao_domain::period::{PeriodId, PeriodKind};
use baocao_domain::Message;

const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];

/// A period within a sentence: "tháng 10/2025", "quý III/2025".
pub fn period_label(lang: Lang, period: &PeriodId) -> String {
    let y = period.year();
    let message = match period.kind() {
        PeriodKind::Month(m) => Message::new("period_label.month")
            .arg("month", m)
            .arg("month_name_key", format!("period_label.month_{m}")),
        PeriodKind::Quarter(q) => Message::new("period_label.quarter")
            .arg("quarter", q)
            .arg("roman", ROMAN.get(q as usize - 1).copied().unwrap_or("")),
        PeriodKind::Half(1) => Message::new("period_label.first_half"),
        PeriodKind::Half(_) => Message::new("period_label.second_half"),
        PeriodKind::NineMonths => Message::new("period_label.nine_months"),
        PeriodKind::Year => Message::new("period_label.year"),
        PeriodKind::AdHoc(range) => Message::new("period_label.ad_hoc")
            .arg("from", range.first().format("%d/%m/%Y"))
            .arg("to", range.last().format("%d/%m/%Y")),
    };
    render(lang, &message.arg("year", y))
}

/// A period standing alone (a list, a heading): "Tháng 12/2026".
pub fn period_name(lang: Lang, period: &PeriodId) -> String {
    let label = period_label(lang, period);
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_reports_write_them() {
        let name = |lang, text: &str| period_name(lang, &text.parse().unwrap());
        assert_eq!(name(Lang::Vi, "2026M12"), "Tháng 12/2026");
        assert_eq!(name(Lang::Vi, "2026Q1"), "Quý I/2026");
        assert_eq!(name(Lang::Vi, "2026Q4"), "Quý IV/2026");
        assert_eq!(name(Lang::Vi, "2026S1"), "6 tháng đầu năm 2026");
        assert_eq!(name(Lang::Vi, "2026S2"), "6 tháng cuối năm 2026");
        assert_eq!(name(Lang::Vi, "2026N9"), "9 tháng năm 2026");
        assert_eq!(name(Lang::Vi, "2026"), "Năm 2026");
        assert_eq!(
            name(Lang::Vi, "ADHOC:2026-09-01..2026-09-30"),
            "Từ 01/09/2026 đến 30/09/2026"
        );
        assert_eq!(name(Lang::En, "2026M12"), "December 2026");
        assert_eq!(name(Lang::En, "2026Q1"), "Q1 2026");
        assert_eq!(name(Lang::En, "2026S1"), "First half of 2026");
        assert_eq!(
            period_label(Lang::Vi, &"2025M10".parse().unwrap()),
            "tháng 10/2025"
        );
    }
}
