//! Words both the API and the pages show for domain values.

use baocao_app::i18n::{render, t, Lang};
use baocao_domain::calendar::NonWorkingReason;
use baocao_domain::Message;

/// Why a day is off, in the user's language.
pub fn reason_label(lang: Lang, reason: &NonWorkingReason) -> String {
    match reason {
        NonWorkingReason::Weekend => t(lang, "calendar.weekend"),
        NonWorkingReason::Holiday(h) => t(lang, h.code()),
        NonWorkingReason::CompensatoryDayOff {
            holiday,
            holiday_date,
        } => render(
            lang,
            &Message::new("calendar.compensatory")
                .arg("holiday_key", holiday.code())
                .arg("date", holiday_date.format("%d/%m/%Y")),
        ),
        NonWorkingReason::ExtraDayOff { reason } => reason.as_str().to_string(),
    }
}
