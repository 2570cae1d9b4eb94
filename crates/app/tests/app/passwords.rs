//! Password hashing under a login flood: a bounded number of hashes at once,
//! the rest told the server is busy, nothing lost once the flood passes.

use baocao_app::AppError;
use baocao_testkit::{both_backends, nghe_an, PASSWORD};

both_backends!(
    async fn a_login_flood_is_bounded_and_then_served(store) {
        let w = nghe_an(store).await;
        // Two hundred logins at once, from as many addresses (no throttling in
        // the way): the password threads take a bounded queue, the rest are
        // told to come back.
        let mut tasks = Vec::new();
        for i in 0..200 {
            let app = w.app.clone();
            tasks.push(tokio::spawn(async move {
                app.login(&format!("nobody.{i}"), "some wrong password", &format!("10.9.{}.{}", i / 250, i % 250))
                    .await
            }));
        }
        let (mut busy, mut judged) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Err(AppError::Busy { retry_after }) => {
                    assert!(retry_after > 0);
                    busy += 1;
                }
                Err(AppError::BadCredentials) => judged += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(busy > 0, "a queue bound is in force");
        assert_eq!(busy + judged, 200);
        // Busy attempts are not counted as failures: the flood passed, a
        // login from one of those addresses works.
        assert!(w.app.login("leader", PASSWORD, "10.9.0.1").await.is_ok());
    }
);

both_backends!(
    async fn logins_and_refused_logins_are_in_the_ledger(store) {
        let w = nghe_an(store.clone()).await;
        let entries = || {
            let store = store.clone();
            async move {
                let mut conn = store.conn().await.unwrap();
                baocao_store::ledger::entries(&mut conn, 0, 10_000).await.unwrap()
            }
        };
        let before = entries().await.len();
        assert!(matches!(
            w.app.login("leader", "not the password", "10.9.1.7").await,
            Err(AppError::BadCredentials)
        ));
        assert!(matches!(
            w.app.login("no.such.user", "whatever it is", "10.9.1.8").await,
            Err(AppError::BadCredentials)
        ));
        let session = w.app.login("leader", PASSWORD, "10.9.1.9").await.unwrap();
        let after = entries().await;
        let new: Vec<(&str, &str, &str, &str)> = after[before..]
            .iter()
            .map(|s| {
                (
                    s.entry.action.as_str(),
                    s.entry.subject.as_str(),
                    s.entry.actor.as_str(),
                    s.entry.payload.as_str(),
                )
            })
            .collect();
        let leader = session.principal.user_id;
        assert_eq!(
            new,
            [
                ("auth.login_failed", "login:leader", "leader", r#"{"address":"10.9.1.7"}"#),
                (
                    "auth.login_failed",
                    "login:no.such.user",
                    "no.such.user",
                    r#"{"address":"10.9.1.8"}"#
                ),
                (
                    "auth.login",
                    &*format!("user:{leader}"),
                    "leader",
                    r#"{"address":"10.9.1.9"}"#
                ),
            ]
        );
        assert_eq!(after.last().unwrap().entry.actor_id, Some(leader));
        assert!(w.app.verify_ledger().await.unwrap().is_intact());
    }
);
