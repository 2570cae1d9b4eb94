//! The error page: status, translated message and the problems found, in the
//! anonymous frame (an error may come before anyone is known).

use askama::Template;
use axum::http::StatusCode;
use baocao_app::i18n::{render, t, Lang};
use baocao_domain::Message;

use super::layout::Layout;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: String,
    message: String,
    problems: Vec<String>,
}

/// The error page's HTML; `problems` are the lines listed under the message
/// (a field or file line each, already translated).
pub fn render_error_page(
    lang: Lang,
    status: StatusCode,
    message: &Message,
    problems: Vec<String>,
) -> String {
    let page = ErrorPage {
        layout: Layout::anonymous(lang, "/"),
        status: format!("{} · {}", t(lang, "error.title"), status.as_u16()),
        message: render(lang, message),
        problems,
    };
    page.render().unwrap_or_else(|_| render(lang, message))
}
