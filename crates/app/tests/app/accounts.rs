//! Accounts below HTTP: the users an administrator manages (only those whose
//! home unit and every grant lie in its subtree; the others read as absent),
//! sessions from login to logout, API tokens until they are revoked, and the
//! e-mail address set by the user or its administrator — refusals recorded
//! nowhere.

use std::collections::BTreeSet;

use baocao_app::auth::{system_principal, MAX_TOKENS_PER_USER};
use baocao_app::i18n::Lang;
use baocao_app::AppError;
use baocao_domain::access::{Role, UserId};
use baocao_testkit::{both_backends, PASSWORD};

use crate::support::{ledger_seq, refusal_key, world};

both_backends!(
    async fn administrators_list_and_view_only_the_users_of_their_subtree(store) {
        let w = world(store.clone()).await;
        let admin = system_principal();
        let names = |views: Vec<baocao_app::users::UserView>| -> BTreeSet<String> {
            views.into_iter().map(|v| v.user.username).collect()
        };
        let everyone = names(w.app.list_users(&admin).await.unwrap());
        assert_eq!(everyone.len(), 12, "{everyone:?}");
        let district_admin = w.principal("district.admin").await;
        let in_district: BTreeSet<String> = ["commune.head", "commune.officer", "district.admin", "district.head",
            "district.officer", "district.regimes", "district.reviewer"].iter().map(|s| s.to_string()).collect();
        assert_eq!(names(w.app.list_users(&district_admin).await.unwrap()), in_district);
        // One of them also holds a grant beyond the district: it is no longer theirs to manage.
        let officer = w.app.user_by_name("district.officer").await.unwrap();
        w.app.grant_role(&admin, officer.id, Role::Reviewer, Some(w.province)).await.unwrap();
        let listed = names(w.app.list_users(&district_admin).await.unwrap());
        assert!(!listed.contains("district.officer") && listed.len() == in_district.len() - 1, "{listed:?}");
        assert!(matches!(w.app.user_view(&district_admin, officer.id).await, Err(AppError::NotFound)));
        // One user with its home unit and grants, named.
        let commune_officer = w.app.user_by_name("commune.officer").await.unwrap();
        let view = w.app.user_view(&district_admin, commune_officer.id).await.unwrap();
        assert_eq!((view.user.username.as_str(), view.unit.map(|u| u.id)), ("commune.officer", Some(w.commune)));
        let grants: Vec<(Role, Option<_>)> = view.grants.iter().map(|(g, u)| (g.role, u.as_ref().map(|u| u.id))).collect();
        assert_eq!(grants, vec![(Role::DataEntry, Some(w.commune))]);
        let seen = w.app.user_view(&admin, officer.id).await.unwrap();
        assert_eq!(seen.grants.len(), 2, "the system administrator sees both grants");
        // Outside the subtree, unknown, or not an administrator: absent, or refused.
        let leader = w.app.user_by_name("leader").await.unwrap();
        assert!(matches!(w.app.user_view(&district_admin, leader.id).await, Err(AppError::NotFound)));
        assert!(matches!(w.app.user_view(&admin, UserId::new(99_999)).await, Err(AppError::NotFound)));
        let commune = w.principal("commune.officer").await;
        assert!(matches!(w.app.list_users(&commune).await, Err(AppError::Forbidden)));
        assert!(matches!(w.app.user_view(&commune, commune_officer.id).await, Err(AppError::NotFound)));

        // An address is set by the user or by its administrator; for anyone else the user is absent.
        let before = ledger_seq(&store).await;
        let head = w.app.user_by_name("commune.head").await.unwrap();
        assert!(matches!(w.app.set_email(&commune, head.id, "xa@example.vn").await, Err(AppError::NotFound)));
        assert!(matches!(w.app.set_email(&district_admin, leader.id, "lanh.dao@example.vn").await, Err(AppError::NotFound)));
        assert_eq!(refusal_key(w.app.set_email(&commune, commune.user_id, "không phải địa chỉ").await), "user.error.email");
        assert_eq!(ledger_seq(&store).await, before, "refusals record nothing");
        assert_eq!(w.app.user_view(&admin, head.id).await.unwrap().user.email, None);
        w.app.set_email(&commune, commune.user_id, " Can.Bo@nghean.gov.vn ").await.unwrap();
        w.app.set_email(&district_admin, head.id, "chu.tich@nghean.gov.vn").await.unwrap();
        assert_eq!(ledger_seq(&store).await, before + 2);
        let email = |id| {
            let app = w.app.clone();
            async move { app.user_view(&system_principal(), id).await.unwrap().user.email }
        };
        assert_eq!(email(commune.user_id).await.as_deref(), Some("Can.Bo@nghean.gov.vn"));
        assert_eq!(email(head.id).await.as_deref(), Some("chu.tich@nghean.gov.vn"));
        w.app.set_email(&commune, commune.user_id, "").await.unwrap();
        assert_eq!(email(commune.user_id).await, None, "cleared");
    }
);

both_backends!(
    async fn sessions_end_at_logout_and_tokens_work_until_revoked(store) {
        let w = world(store).await;
        // A session from a login, until logout (twice is fine).
        let session = w.app.login("Commune.Officer", PASSWORD, "10.0.0.1").await.unwrap();
        let caller = w.app.session_caller(&session.token).await.unwrap();
        assert_eq!((caller.principal.username.as_str(), caller.csrf_token.as_deref()), ("commune.officer", Some(session.csrf_token.as_str())));
        assert_eq!((caller.display_name.as_str(), caller.locale.as_str()), ("commune.officer", "vi"));
        assert_eq!(caller.principal, w.principal("commune.officer").await);
        w.app.set_locale(&caller.principal, Lang::En).await.unwrap();
        assert_eq!(w.app.session_caller(&session.token).await.unwrap().locale, "en");
        w.app.logout(&session.token).await.unwrap();
        assert!(matches!(w.app.session_caller(&session.token).await, Err(AppError::SessionExpired)));
        w.app.logout(&session.token).await.unwrap();
        assert!(matches!(w.app.session_caller("not a session").await, Err(AppError::SessionExpired)));
        // A session token is no API token, and the other way round.
        let other = w.app.login("commune.head", PASSWORD, "10.0.0.1").await.unwrap();
        assert!(matches!(w.app.token_caller(&other.token).await, Err(AppError::Unauthenticated)));

        // Tokens: named, shown once, listed for their owner only.
        let officer = w.principal("commune.officer").await;
        let head = w.principal("commune.head").await;
        assert_eq!(refusal_key(w.app.create_token(&officer, "   ").await), "token.error.name");
        assert_eq!(refusal_key(w.app.create_token(&officer, &"x".repeat(101)).await), "token.error.name");
        assert!(w.app.list_tokens(&officer).await.unwrap().is_empty(), "refusals store nothing");
        let (id, secret) = w.app.create_token(&officer, " Kết nối phần mềm kế toán ").await.unwrap();
        assert!(secret.starts_with("bc_") && secret.len() > 30, "{secret}");
        assert!(matches!(w.app.session_caller(&secret).await, Err(AppError::SessionExpired)));
        let listed = w.app.list_tokens(&officer).await.unwrap();
        assert_eq!((listed.len(), listed[0].id, listed[0].name.as_str(), listed[0].revoked_at), (1, id, "Kết nối phần mềm kế toán", None));
        assert!(w.app.list_tokens(&head).await.unwrap().is_empty());
        let caller = w.app.token_caller(&secret).await.unwrap();
        assert_eq!((caller.principal, caller.csrf_token), (officer.clone(), None));
        assert!(matches!(w.app.token_caller("bc_not-a-token").await, Err(AppError::Unauthenticated)));
        // A disabled account's token stops working, and works again once enabled.
        w.app.set_disabled(&system_principal(), officer.user_id, true).await.unwrap();
        assert!(matches!(w.app.token_caller(&secret).await, Err(AppError::Unauthenticated)));
        w.app.set_disabled(&system_principal(), officer.user_id, false).await.unwrap();
        assert!(w.app.token_caller(&secret).await.is_ok());
        // Only its owner revokes it; once revoked it works no more, and is listed so.
        assert!(matches!(w.app.revoke_token(&head, id).await, Err(AppError::NotFound)));
        assert!(w.app.token_caller(&secret).await.is_ok());
        w.app.revoke_token(&officer, id).await.unwrap();
        assert!(matches!(w.app.token_caller(&secret).await, Err(AppError::Unauthenticated)));
        assert!(w.app.list_tokens(&officer).await.unwrap()[0].revoked_at.is_some());
        assert!(matches!(w.app.revoke_token(&officer, id).await, Err(AppError::NotFound)), "revoked once");
        // A bounded number of live tokens per user (a revoked one does not count).
        for n in 0..MAX_TOKENS_PER_USER {
            w.app.create_token(&officer, &format!("token {n}")).await.unwrap();
        }
        assert_eq!(refusal_key(w.app.create_token(&officer, "one too many").await), "token.error.too_many");
        assert_eq!(w.app.list_tokens(&officer).await.unwrap().len(), MAX_TOKENS_PER_USER + 1);
    }
);
