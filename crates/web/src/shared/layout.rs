//! The frame of every HTML answer (`templates/base.html`): the language, the
//! signed-in user shown in the header, the CSRF token forms carry, and this
//! page's path for the language switch.

use baocao_app::auth::Caller;
use baocao_app::i18n::{t, Lang};
use baocao_domain::access::Permission;

use super::url::url_encode;

/// Translation helper handed to templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    /// A catalogue entry.
    pub fn t(&self, key: &str) -> String {
        t(self.0, key)
    }
    /// `vi` or `en`.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }
}

/// The logged-in user as the header shows it.
#[derive(Debug, Clone)]
pub struct NavUser {
    /// Name.
    pub display_name: String,
    /// Show the users menu.
    pub can_manage_users: bool,
    /// Show the trust anchors (administrators of the top unit).
    pub can_manage_trust: bool,
    /// Show the dashboard and the pivot explorer.
    pub can_view_dashboards: bool,
    /// Reviews reports somewhere (the timeliness page is in the menu).
    pub can_review: bool,
}

/// What the base layout needs.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Translations.
    pub t: Tr,
    /// The user, if logged in.
    pub user: Option<NavUser>,
    /// CSRF token for forms.
    pub csrf: String,
    /// This page's path, URL-encoded, for the language switch.
    pub here: String,
}

impl Layout {
    /// The style sheet's address (by its content's hash: cached a year).
    pub fn style_href(&self) -> String {
        crate::assets::style_href()
    }

    /// The report form's script's address (by its content's hash).
    pub fn report_js_href(&self) -> String {
        crate::assets::report_js_href()
    }

    /// A page for someone not logged in (the login form, an error page).
    pub fn anonymous(lang: Lang, here: &str) -> Layout {
        Layout {
            t: Tr(lang),
            user: None,
            csrf: String::new(),
            here: url_encode(here),
        }
    }

    /// A page for a logged-in caller, in `lang`.
    pub fn signed_in(caller: &Caller, lang: Lang, here: &str) -> Layout {
        Layout {
            t: Tr(lang),
            user: Some(NavUser {
                display_name: caller.display_name.clone(),
                can_manage_users: caller.principal.may_somewhere(Permission::ManageUsers),
                can_manage_trust: caller.principal.may_at_top(Permission::ManageUsers),
                can_view_dashboards: caller.principal.may_somewhere(Permission::ViewDashboard),
                can_review: caller.principal.may_somewhere(Permission::ReviewReport),
            }),
            csrf: caller
                .csrf_token
                .as_deref()
                .map(baocao_app::auth::mask_token)
                .unwrap_or_default(),
            here: url_encode(here),
        }
    }
}
