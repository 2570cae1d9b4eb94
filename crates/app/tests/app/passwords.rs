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
