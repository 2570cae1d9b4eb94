//! The CA certificates signatures are checked against, below HTTP: listed,
//! added and removed by administrators of the whole instance only, each
//! change in the ledger, a refusal nowhere.

use baocao_app::auth::system_principal;
use baocao_app::AppError;
use baocao_testkit::pki::TestPki;
use baocao_testkit::{both_backends, nghe_an};

use crate::support::{ledger_seq, refusal_key};

both_backends!(
    async fn only_instance_administrators_trust_and_stop_trusting_a_ca(store) {
        let pki = tokio::task::spawn_blocking(TestPki::make).await.unwrap();
        let w = nghe_an(store.clone()).await;
        let admin = system_principal();
        let before = ledger_seq(&store).await;
        // A district's administrator, a unit's officer: refused, whatever they ask.
        for who in ["district.admin", "commune.officer"] {
            let p = w.principal(who).await;
            assert!(matches!(w.app.trust_anchors(&p).await, Err(AppError::Forbidden)), "{who}");
            assert!(matches!(w.app.add_trust_anchors(&p, pki.cert("root")).await, Err(AppError::Forbidden)), "{who}");
            assert!(matches!(w.app.remove_trust_anchor(&p, 1).await, Err(AppError::Forbidden)), "{who}");
        }
        assert_eq!(refusal_key(w.app.add_trust_anchors(&admin, b"not a certificate".to_vec()).await), "signature.anchor.not_ca");
        assert!(w.app.trust_anchors(&admin).await.unwrap().is_empty());
        assert_eq!(ledger_seq(&store).await, before, "refusals record nothing");

        // Added once (again is no change), listed, then removed.
        let added = w.app.add_trust_anchors(&admin, pki.cert("root")).await.unwrap();
        assert_eq!(added.len(), 1);
        assert!(w.app.add_trust_anchors(&admin, pki.cert("root")).await.unwrap().is_empty());
        let listed = w.app.trust_anchors(&admin).await.unwrap();
        assert_eq!((listed.len(), listed[0].id, listed[0].fingerprint.as_str()), (1, added[0].id, added[0].fingerprint.as_str()));
        assert!(listed[0].subject.contains("Baocao Test Root CA"), "{:?}", listed[0].subject);
        assert_eq!(ledger_seq(&store).await, before + 1);
        let district_admin = w.principal("district.admin").await;
        assert!(matches!(w.app.remove_trust_anchor(&district_admin, added[0].id).await, Err(AppError::Forbidden)));
        assert!(matches!(w.app.remove_trust_anchor(&admin, added[0].id + 1).await, Err(AppError::NotFound)));
        assert_eq!(w.app.trust_anchors(&admin).await.unwrap().len(), 1);
        assert_eq!(ledger_seq(&store).await, before + 1);
        w.app.remove_trust_anchor(&admin, added[0].id).await.unwrap();
        assert!(w.app.trust_anchors(&admin).await.unwrap().is_empty());
        assert!(matches!(w.app.remove_trust_anchor(&admin, added[0].id).await, Err(AppError::NotFound)), "removed once");
        assert_eq!(ledger_seq(&store).await, before + 2);
        assert!(w.app.verify_ledger().await.unwrap().is_intact(), "the ledger agrees with the table");
    }
);
