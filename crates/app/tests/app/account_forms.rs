//! The user administration pages, the account page and the login page below
//! HTTP: the users list searched and paged (a search cut where the field cuts
//! it), a user's page, the unit a form names by its code (the one in force
//! today, else the latest the caller may see), the forms that make accounts,
//! grant roles, reset passwords, set addresses and lock accounts — each
//! refusal the page again with nothing stored —, the signed-in user's own
//! address and tokens, and a login that ends the session it replaces.

use std::future::Future;

use baocao_app::auth::system_principal;
use baocao_app::users::{GrantForm, NewUserForm, USERS_PAGE};
use baocao_app::{today, AppError, AppResult};
use baocao_domain::access::{Role, UserId};
use baocao_domain::unit::UnitId;
use baocao_store::Store;
use baocao_testkit::{both_backends, World, PASSWORD};
use chrono::NaiveDate;

use crate::support::{done, ledger_seq, refusal, refused, world};

/// `call` again while the password threads are busy (many tests at once).
async fn unless_busy<T, F, Fut>(mut call: F) -> AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    loop {
        match call().await {
            Err(AppError::Busy { .. }) => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await
            }
            other => return other,
        }
    }
}

/// The unit with `code` as it stood on `day`.
async fn unit_on(w: &World, code: &str, day: &str) -> UnitId {
    let day: NaiveDate = day.parse().unwrap();
    let found = w
        .app
        .search_units(&system_principal(), None, Some(code), None, Some(day), 5)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{code} on {day}: {found:?}");
    found[0].id
}

/// `n` more accounts at the commune (stored as an import would, without
/// hashing a password each), and one whose name is 100 letters long.
async fn more_accounts(w: &World, store: &Store, n: usize) {
    let hash = w.app.user_by_name("leader").await.unwrap().password_hash;
    let mut tx = store.begin_write().await.unwrap();
    let long = "a".repeat(100);
    let mut accounts: Vec<(String, String)> = (0..n)
        .map(|i| (format!("page.user.{i:02}"), format!("Người dùng {i:02}")))
        .collect();
    accounts.push(("long.name".into(), long));
    for (username, display_name) in &accounts {
        let new = baocao_store::users::NewUser {
            username,
            display_name,
            password_hash: &hash,
            unit: Some(w.commune),
            locale: "vi",
        };
        baocao_store::users::insert(&mut tx, &new, 1_750_000_000)
            .await
            .unwrap();
    }
    baocao_store::commit(tx).await.unwrap();
}

both_backends!(
    async fn the_users_page_is_searched_and_paged_and_forms_name_units_by_code(store) {
        let w = world(store.clone()).await;
        let admin = system_principal();
        more_accounts(&w, &store, 45).await;
        let everyone = 12 + 45 + 1;
        let names = |s: &baocao_app::users::UsersScreen| -> Vec<String> { s.users.iter().map(|u| u.user.username.clone()).collect() };

        // Two pages, by login name; past the last page is the last page.
        let first = w.app.users_screen(&admin, "", None).await.unwrap();
        assert_eq!((first.total, first.page, first.pages, first.users.len()), (everyone, 1, 2, USERS_PAGE));
        assert_eq!(first.users[0].user.username, "admin");
        let second = w.app.users_screen(&admin, "", Some(2)).await.unwrap();
        assert_eq!((second.total, second.page, second.pages, second.users.len()), (everyone, 2, 2, everyone - USERS_PAGE));
        let mut all = names(&first);
        all.extend(names(&second));
        let listed: std::collections::BTreeSet<String> = w.app.list_users(&admin).await.unwrap().into_iter().map(|u| u.user.username).collect();
        assert_eq!(all.iter().cloned().collect::<std::collections::BTreeSet<_>>(), listed);
        assert_eq!(all.len(), everyone, "each user once");
        assert_eq!(w.app.users_screen(&admin, "", Some(9)).await.unwrap().page, 2);
        assert_eq!(w.app.users_screen(&admin, "", Some(0)).await.unwrap().page, 1);
        // The units a new account may be put in: those in force today.
        assert!(!first.units.is_empty());
        assert!(first.units.iter().all(|u| u.validity.contains(today())), "{:?}", first.units.iter().find(|u| !u.validity.contains(today())));
        assert!(!first.units.iter().any(|u| u.id == w.district), "Vinh's district is gone since the 2025 reform");

        // Searched by login or name, accents and case ignored, the search trimmed.
        let found = w.app.users_screen(&admin, "  PAGE.user.1 ", None).await.unwrap();
        assert_eq!((found.search.as_str(), found.total, found.pages), ("PAGE.user.1", 10, 1));
        assert_eq!(names(&found), (10..20).map(|i| format!("page.user.{i}")).collect::<Vec<_>>());
        let by_name = w.app.users_screen(&admin, "nguoi dung 3", None).await.unwrap();
        assert_eq!(by_name.total, 10);
        assert!(w.app.users_screen(&admin, "không có ai", None).await.unwrap().users.is_empty());
        // A search is cut at 100 characters, as the field is: the 101st is not looked for.
        let long = format!("{}b", "a".repeat(100));
        let cut = w.app.users_screen(&admin, &long, None).await.unwrap();
        assert_eq!((cut.search.chars().count(), names(&cut)), (100, vec!["long.name".to_string()]));
        let huge = w.app.users_screen(&admin, &"x".repeat(300), None).await.unwrap();
        assert_eq!((huge.search.chars().count(), huge.total), (100, 0));
        // A district's administrator lists its subtree's users; an officer, none.
        let district_admin = w.principal("district.admin").await;
        let theirs = w.app.users_screen(&district_admin, "", Some(2)).await.unwrap();
        assert_eq!(theirs.total, 7 + 45 + 1);
        assert!(!names(&theirs).contains(&"leader".to_string()));
        let officer = w.principal("commune.officer").await;
        assert!(matches!(w.app.users_screen(&officer, "", None).await, Err(AppError::Forbidden)));

        // A user's page: the user and the units a role may be granted on.
        let commune_officer = w.app.user_by_name("commune.officer").await.unwrap();
        let page = w.app.user_screen(&admin, commune_officer.id).await.unwrap();
        assert_eq!((page.view.user.username.as_str(), page.view.unit.map(|u| u.id)), ("commune.officer", Some(w.commune)));
        assert_eq!(page.units, first.units);
        let leader = w.app.user_by_name("leader").await.unwrap();
        assert!(matches!(w.app.user_screen(&district_admin, leader.id).await, Err(AppError::NotFound)));
        assert!(matches!(w.app.user_screen(&admin, UserId::new(99_999)).await, Err(AppError::NotFound)));

        // A unit by its code: the one in force today, else the latest the caller may see.
        let (ward_now, ward_before) = (unit_on(&w, "16681", "2025-08-01").await, unit_on(&w, "16681", "2025-06-01").await);
        assert_ne!(ward_now, ward_before, "the code was given again at the reform");
        assert_eq!(w.app.unit_for_code(&admin, "unit", "16681").await.unwrap(), Some(ward_now));
        assert_eq!(w.app.unit_for_code(&district_admin, "unit", "16681").await.unwrap(), Some(ward_before), "the one in force is not theirs to see");
        let gone = unit_on(&w, "16663", "2025-06-01").await;
        assert_eq!(w.app.unit_for_code(&admin, "unit", " 16663 ").await.unwrap(), Some(gone), "no longer in force: the latest");
        assert_eq!(w.app.unit_for_code(&admin, "unit", "412").await.unwrap(), Some(w.district));
        for blank in ["", "   "] {
            assert_eq!(w.app.unit_for_code(&admin, "unit", blank).await.unwrap(), None);
        }
        let unknown = w.app.unit_for_code(&admin, "home", "99999").await;
        match &unknown {
            Err(AppError::Invalid(fields)) => assert!(fields[0].message.args.contains(&("value", "99999".to_string())), "{fields:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(refusal(unknown), ("home".to_string(), "users.error.unknown_unit"));
        let too_long = w.app.unit_for_code(&admin, "unit", &"4".repeat(40)).await;
        match &too_long {
            Err(AppError::Invalid(fields)) => assert!(fields[0].message.args.contains(&("value", "4".repeat(32))), "cut: {fields:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(refusal(too_long), ("unit".to_string(), "users.error.unknown_unit"));
        let far = w.app.unit_detail(&admin, w.far_commune, None).await.unwrap().unit.code;
        assert_eq!(refusal(w.app.unit_for_code(&officer, "unit", far.as_str()).await), ("unit".to_string(), "users.error.unknown_unit"), "a commune it may not see");
    }
);

both_backends!(
    async fn account_forms_make_grant_reset_address_and_lock_and_refusals_store_nothing(store) {
        let w = world(store.clone()).await;
        let admin = system_principal();
        let ward = unit_on(&w, "16663", "2025-06-01").await;
        let form = NewUserForm {
            username: "new.officer".into(),
            display_name: "Cán bộ mới".into(),
            password: PASSWORD.into(),
            unit: "16663".into(),
            locale: "vi".into(),
            role: "data_entry".into(),
        };
        let id = done(unless_busy(|| w.app.create_user_from_form(&admin, &form)).await);
        let view = w.app.user_view(&admin, id).await.unwrap();
        assert_eq!((view.user.username.as_str(), view.user.display_name.as_str(), view.unit.as_ref().map(|u| u.id)), ("new.officer", "Cán bộ mới", Some(ward)));
        let grants = |view: &baocao_app::users::UserView| -> Vec<(Role, Option<UnitId>)> { view.grants.iter().map(|(g, _)| (g.role, g.unit)).collect() };
        assert_eq!(grants(&view), vec![(Role::DataEntry, Some(ward))]);

        // Refused: the users page again, nobody made, nothing recorded.
        let before = ledger_seq(&store).await;
        let users = w.app.list_users(&admin).await.unwrap().len();
        for (change, field, key) in [
            (NewUserForm { username: "x.one".into(), unit: "99999".into(), ..form.clone() }, "unit", "users.error.unknown_unit"),
            (NewUserForm { username: "x.two".into(), role: "boss".into(), ..form.clone() }, "role", "role.error.unknown"),
            (NewUserForm { username: "x.three".into(), password: "ngắn".into(), ..form.clone() }, "password", "user.error.password_short"),
            (form.clone(), "username", "user.error.username_taken"),
        ] {
            let (f, k, screen) = refused(unless_busy(|| w.app.create_user_from_form(&admin, &change)).await);
            assert_eq!((f.as_str(), k), (field, key), "{change:?}");
            assert_eq!((screen.total, screen.page), (users, 1));
        }
        assert_eq!((ledger_seq(&store).await, w.app.list_users(&admin).await.unwrap().len()), (before, users));
        // Blank unit and role: an account with neither.
        let bare = NewUserForm { username: "no.unit".into(), unit: " ".into(), role: String::new(), ..form.clone() };
        let bare = done(unless_busy(|| w.app.create_user_from_form(&admin, &bare)).await);
        let view = w.app.user_view(&admin, bare).await.unwrap();
        assert!(view.unit.is_none() && view.grants.is_empty());
        // A unit beyond the administrator's subtree: not a form's mistake.
        let district_admin = w.principal("district.admin").await;
        let beyond = NewUserForm { username: "x.four".into(), unit: "40".into(), ..form.clone() };
        assert!(matches!(unless_busy(|| w.app.create_user_from_form(&district_admin, &beyond)).await, Err(AppError::Forbidden)));

        // Grants: on a unit named by its code, or system-wide only when ticked.
        let grant = |role: &str, unit: &str, system_wide: bool| GrantForm { role: role.into(), unit: unit.into(), system_wide };
        done(w.app.grant_from_form(&admin, id, &grant("reviewer", "412", false)).await);
        done(w.app.grant_from_form(&admin, id, &grant("leader", "  ", true)).await);
        let view = w.app.user_view(&admin, id).await.unwrap();
        let granted = grants(&view);
        assert_eq!(granted, vec![(Role::DataEntry, Some(ward)), (Role::Leader, None), (Role::Reviewer, Some(w.district))], "by role");
        let before = ledger_seq(&store).await;
        for (form, field, key) in [
            (grant("reviewer", "", false), "unit", "users.error.choose_unit"),
            (grant("reviewer", "412", true), "unit", "users.error.unit_and_system_wide"),
            (grant("boss", "412", false), "role", "role.error.unknown"),
            (grant("reviewer", "99999", false), "unit", "users.error.unknown_unit"),
            (grant("reviewer", "412", false), "", "user.error.grant_exists"),
        ] {
            let (f, k, screen) = refused(w.app.grant_from_form(&admin, id, &form).await);
            assert_eq!((f.as_str(), k), (field, key), "{form:?}");
            assert_eq!((screen.view.user.id, grants(&screen.view)), (id, granted.clone()), "the user's page as it stands");
        }
        assert_eq!(ledger_seq(&store).await, before, "nothing granted");
        assert!(matches!(w.app.grant_from_form(&district_admin, bare, &grant("reviewer", "412", false)).await, Err(AppError::NotFound)), "not theirs");

        // A password reset: refused when short, else the old password and the tokens stop working.
        let session = unless_busy(|| w.app.login("new.officer", PASSWORD, "10.0.0.9")).await.unwrap();
        let (_, token) = w.app.create_token(&session.principal, "Kết nối").await.unwrap();
        let before = ledger_seq(&store).await;
        let (field, key, screen) = refused(unless_busy(|| w.app.reset_password_from_form(&admin, id, "ngắn")).await);
        assert_eq!((field.as_str(), key, screen.view.user.id), ("password", "user.error.password_short", id));
        assert!(w.app.token_caller(&token).await.is_ok(), "a refused reset changes nothing");
        assert_eq!(ledger_seq(&store).await, before);
        let new_password = "một mật khẩu mới khá dài";
        done(unless_busy(|| w.app.reset_password_from_form(&admin, id, new_password)).await);
        assert!(matches!(unless_busy(|| w.app.login("new.officer", PASSWORD, "10.0.0.9")).await, Err(AppError::BadCredentials)));
        assert!(matches!(w.app.token_caller(&token).await, Err(AppError::Unauthenticated)));
        assert!(matches!(w.app.session_caller(&session.token).await, Err(AppError::SessionExpired)));
        let session = unless_busy(|| w.app.login("new.officer", new_password, "10.0.0.9")).await.unwrap();

        // An address: refused when it is none, else set.
        let before = ledger_seq(&store).await;
        let (field, key, screen) = refused(w.app.set_email_from_form(&admin, id, "không phải địa chỉ").await);
        assert_eq!((field.as_str(), key, screen.view.user.email), ("email", "user.error.email", None));
        assert_eq!(ledger_seq(&store).await, before);
        done(w.app.set_email_from_form(&admin, id, "can.bo.moi@nghean.gov.vn").await);
        assert_eq!(w.app.user_view(&admin, id).await.unwrap().user.email.as_deref(), Some("can.bo.moi@nghean.gov.vn"));

        // Locking needs the confirmation: refused without it, the account stays unlocked.
        let before = ledger_seq(&store).await;
        let (field, key, screen) = refused(w.app.set_disabled_from_form(&admin, id, true, false).await);
        assert_eq!((field.as_str(), key, screen.view.user.disabled), ("confirm", "users.error.confirm_lock", false));
        assert!(!w.app.user_view(&admin, id).await.unwrap().user.disabled);
        assert!(w.app.session_caller(&session.token).await.is_ok(), "still signed in");
        assert_eq!(ledger_seq(&store).await, before);
        // Nobody locks themselves out, confirmed or not.
        let own = w.principal("admin").await;
        let (_, key, screen) = refused(w.app.set_disabled_from_form(&own, own.user_id, true, true).await);
        assert_eq!((key, screen.view.user.disabled), ("user.error.disable_self", false));
        assert_eq!(ledger_seq(&store).await, before);
        done(w.app.set_disabled_from_form(&admin, id, true, true).await);
        assert!(w.app.user_view(&admin, id).await.unwrap().user.disabled);
        assert!(matches!(w.app.session_caller(&session.token).await, Err(AppError::SessionExpired)), "its sessions end");
        // Unlocking needs no confirmation.
        done(w.app.set_disabled_from_form(&admin, id, false, false).await);
        assert!(!w.app.user_view(&admin, id).await.unwrap().user.disabled);
        assert_eq!(ledger_seq(&store).await, before + 2, "the lock and the unlock");
        assert!(unless_busy(|| w.app.login("new.officer", new_password, "10.0.0.9")).await.is_ok());
    }
);

both_backends!(
    async fn the_account_page_sets_its_own_address_and_tokens_and_a_login_replaces_the_carried_session(store) {
        let w = world(store.clone()).await;
        let officer = w.principal("commune.officer").await;
        let screen = w.app.account_screen(&officer).await.unwrap();
        assert!(screen.tokens.is_empty() && screen.email.is_none());

        // The user's own address, then the page as it stands; refused, nothing recorded.
        let screen = w.app.set_own_email(&officer, " Can.Bo@nghean.gov.vn ").await.unwrap();
        assert_eq!(screen.email.as_deref(), Some("Can.Bo@nghean.gov.vn"));
        let before = ledger_seq(&store).await;
        assert_eq!(refusal(w.app.set_own_email(&officer, "không phải địa chỉ").await), ("email".to_string(), "user.error.email"));
        assert_eq!(ledger_seq(&store).await, before);
        assert_eq!(w.app.account_screen(&officer).await.unwrap().email.as_deref(), Some("Can.Bo@nghean.gov.vn"));
        assert!(w.app.set_own_email(&officer, "").await.unwrap().email.is_none(), "cleared");

        // A token: its secret once, and the page with it listed; a nameless one refused.
        let (secret, screen) = w.app.create_own_token(&officer, " Phần mềm kế toán ").await.unwrap();
        let listed: Vec<(&str, Option<i64>)> = screen.tokens.iter().map(|t| (t.name.as_str(), t.revoked_at)).collect();
        assert_eq!(listed, vec![("Phần mềm kế toán", None)]);
        assert_eq!(w.app.token_caller(&secret).await.unwrap().principal, officer);
        assert_eq!(refusal(w.app.create_own_token(&officer, "  ").await), ("name".to_string(), "token.error.name"));
        assert_eq!(w.app.account_screen(&officer).await.unwrap().tokens, screen.tokens);
        // Each sees their own.
        let head = w.principal("commune.head").await;
        assert!(w.app.account_screen(&head).await.unwrap().tokens.is_empty());

        // A login from the login page ends the session the browser carried.
        let login = |replaced: Option<String>, password: &'static str| {
            let app = w.app.clone();
            async move { unless_busy(|| app.login_replacing("commune.officer", password, "10.0.0.7", replaced.as_deref())).await }
        };
        let planted = login(None, PASSWORD).await.unwrap();
        let fresh = login(Some(planted.token.clone()), PASSWORD).await.unwrap();
        assert_ne!(fresh.token, planted.token);
        assert!(matches!(w.app.session_caller(&planted.token).await, Err(AppError::SessionExpired)), "the replaced session is gone");
        assert_eq!(w.app.session_caller(&fresh.token).await.unwrap().principal, officer);
        // A failed login ends nothing; an unknown carried session is no obstacle.
        assert!(matches!(login(Some(fresh.token.clone()), "sai mật khẩu").await, Err(AppError::BadCredentials)));
        assert!(w.app.session_caller(&fresh.token).await.is_ok());
        let again = login(Some("not a session".into()), PASSWORD).await.unwrap();
        assert!(w.app.session_caller(&again.token).await.is_ok() && w.app.session_caller(&fresh.token).await.is_ok());
    }
);
