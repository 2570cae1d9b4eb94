//! Pieces the catalogue pages share: how they say frequencies, conventions and
//! deadline rules, a labelled fact, a choice in a list, a request as listed,
//! and who may define regimes.

use baocao_app::i18n::{render, t, Lang};
use baocao_domain::access::Permission;
use baocao_domain::catalogue::Request;
use baocao_domain::deadline::DeadlineRule;
use baocao_domain::period::{Convention, Frequency};
use baocao_domain::Message;

use crate::extract::Authed;
use crate::pages::view::{in_lang, screen_date};

/// The catalogue key of a frequency's name.
pub fn frequency_key(f: Frequency) -> &'static str {
    match f {
        Frequency::Monthly => "frequency.monthly",
        Frequency::Quarterly => "frequency.quarterly",
        Frequency::HalfYearly => "frequency.half_yearly",
        Frequency::NineMonths => "frequency.nine_months",
        Frequency::Yearly => "frequency.yearly",
        Frequency::AdHoc => "frequency.ad_hoc",
    }
}

/// The catalogue key of a convention's name.
pub fn convention_key(c: Convention) -> &'static str {
    match c {
        Convention::Administrative => "convention.administrative",
        Convention::Calendar => "convention.calendar",
    }
}

/// A deadline rule in words.
pub fn rule_text(lang: Lang, rule: Option<DeadlineRule>) -> String {
    match rule {
        None => t(lang, "regime.deadline_in_request"),
        Some(DeadlineRule::WorkingDaysAfterWindow(n)) => render(
            lang,
            &Message::new("regime.rule_working_days").arg("n", n.get()),
        ),
        Some(DeadlineRule::FixedDayOfMonth { day, months_after }) => render(
            lang,
            &Message::new("regime.rule_fixed_day")
                .arg("day", day)
                .arg("months", months_after),
        ),
    }
}

/// Whether the caller may define regimes somewhere (and so sees the editor).
pub fn may_edit(authed: &Authed) -> bool {
    authed
        .caller
        .principal
        .may_somewhere(Permission::DefineRegimes)
}

/// A labelled value in a page's table of facts.
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// A fact labelled with the catalogue entry `key`.
pub fn fact(lang: Lang, key: &str, value: impl Into<String>) -> Fact {
    Fact {
        label: t(lang, key),
        value: value.into(),
    }
}

/// An option of a select list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A request for a thematic or ad-hoc report, as lists show it.
pub struct RequestRow {
    pub code: String,
    pub regime: String,
    pub title: String,
    pub window: String,
    pub deadline: String,
    pub units: usize,
}

impl RequestRow {
    /// The row of a request.
    pub fn of(lang: Lang, r: &Request) -> RequestRow {
        RequestRow {
            code: r.code.clone(),
            regime: r.regime.clone(),
            title: in_lang(lang, &r.title_vi, &r.title_en).to_string(),
            window: format!(
                "{} – {}",
                screen_date(r.window_first),
                screen_date(r.window_last)
            ),
            deadline: screen_date(r.deadline),
            units: r.units.len(),
        }
    }
}
