//! The ledger's vocabulary: stable bytes, and every event read back as it
//! was written.

use proptest::prelude::*;

use super::*;
use crate::access::Role;
use crate::proof::accounts::BaselineAccount;
use crate::proof::calendar::Exception;
use crate::proof::units::UnitsSnapshot;
use crate::signature::{SignatureKind, Signer};

#[test]
fn payloads_are_canonical_and_stable() {
    let e = AuditEvent::Returned {
        report: ReportId::new(7),
        version: 2,
        reason: "Thiếu số liệu \"HC02\"".into(),
    };
    assert_eq!(e.action().as_str(), "report.return");
    assert_eq!(e.subject(), "report:7");
    assert_eq!(
        e.payload(),
        r#"{"version":2,"reason":"Thiếu số liệu \"HC02\""}"#
    );
    let mut content = Content::default();
    content.values.insert("HC02".into(), "1234.5".into());
    let s = AuditEvent::Submitted {
        report: ReportId::new(7),
        version: 3,
        on_time: false,
        reason: None,
        content,
    };
    assert_eq!(
        s.payload(),
        r#"{"version":3,"on_time":false,"reason":null,"content":{"values":{"HC02":"1234.5"},"sections":{}}}"#
    );
    assert_eq!(s.payload(), s.clone().payload());
}

#[test]
fn the_operations_centre_settings_are_recorded() {
    let tiles = AuditEvent::DashboardTilesSet {
        unit: UnitId::new(40),
        cells: vec!["TT01".into(), "LD01/sex:female".into()],
    };
    assert_eq!(tiles.action(), Action::DashboardTiles);
    assert_eq!(tiles.subject(), "unit:40");
    assert_eq!(tiles.payload(), r#"{"cells":["TT01","LD01/sex:female"]}"#);
    let shapes = AuditEvent::BoundariesLoaded {
        level: "commune".into(),
        units: 130,
        sha256: "ab".into(),
    };
    assert_eq!(
        (shapes.action().as_str(), shapes.subject()),
        ("units.boundaries", "level:commune".to_string())
    );
    assert_eq!(shapes.payload(), r#"{"units":130,"sha256":"ab"}"#);
    let reminded = AuditEvent::Reminded {
        receiver: UnitId::new(412),
        regime: "BC-LD".into(),
        period: "2025M03".into(),
        units: vec![UnitId::new(7), UnitId::new(9)],
    };
    assert_eq!(
        (reminded.action().as_str(), reminded.subject()),
        ("report.remind", "unit:412".to_string())
    );
    assert_eq!(
        reminded.payload(),
        r#"{"regime":"BC-LD","period":"2025M03","units":[7,9]}"#
    );
}

#[test]
fn every_action_has_one_name_and_reads_back() {
    let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Action::ALL.len(), "two actions share a name");
    for a in Action::ALL {
        assert_eq!(Action::parse(a.as_str()), Some(a));
    }
    assert_eq!(Action::parse("report.publish"), None);
    assert_eq!(Action::ReportSubmit.verb(), "submit");
}

/// Entries that no longer read as their action wrote them are errors that
/// say why, never a smaller event.
#[test]
fn an_entry_that_does_not_read_as_its_action_is_refused() {
    let submit =
        r#"{"version":3,"on_time":false,"reason":null,"content":{"values":{},"sections":{}}}"#;
    assert!(AuditEvent::decode("report.submit", "report:7", submit).is_ok());
    // A field renamed, missing or added; a subject of another kind; an
    // action no version wrote; not JSON.
    let renamed = submit.replace("on_time", "ontime");
    assert!(matches!(
        AuditEvent::decode("report.submit", "report:7", &renamed),
        Err(DecodeError::Payload(_))
    ));
    let missing = r#"{"version":3,"on_time":false,"reason":null}"#;
    assert!(matches!(
        AuditEvent::decode("report.submit", "report:7", missing),
        Err(DecodeError::Payload(_))
    ));
    let added = r#"{"grant":4,"extra":1}"#;
    assert!(matches!(
        AuditEvent::decode("user.revoke", "user:2", added),
        Err(DecodeError::Payload(_))
    ));
    assert_eq!(
        AuditEvent::decode("report.submit", "user:7", submit),
        Err(DecodeError::Subject)
    );
    assert_eq!(
        AuditEvent::decode("report.submit", "report:x", submit),
        Err(DecodeError::Subject)
    );
    assert_eq!(
        AuditEvent::decode("report.publish", "report:7", submit),
        Err(DecodeError::UnknownAction)
    );
    assert!(AuditEvent::decode("report.save", "report:7", "not json").is_err());
    // A signature entry says "valid"; an import makes version 1.
    let signed = r#"{"signature":1,"version":1,"kind":"cms","verdict":"invalid","signer":"A","subject":"CN=A","serial":"01","issuer":"CA","signed_at":null,"digest":"SHA-256","key":"ECDSA 256","sha256":"ab"}"#;
    assert!(AuditEvent::decode("report.sign", "report:7", signed).is_err());
    assert!(AuditEvent::decode(
        "report.sign",
        "report:7",
        &signed.replace("invalid", "valid")
    )
    .is_ok());
}

fn text() -> impl Strategy<Value = String> {
    // Quotes, backslashes, Vietnamese, control characters and emoji: JSON's
    // escapes must give the same text back.
    prop::string::string_regex("[a-zA-Z0-9 \"\\\\/:Đđàáạảãâầấậẩẫăằắặẳẵ\\n\\t😀-]{0,12}").unwrap()
}

fn content() -> impl Strategy<Value = Content> {
    (
        prop::collection::btree_map(text(), text(), 0..4),
        prop::collection::btree_map(text(), text(), 0..3),
        prop::collection::btree_map(text(), text(), 0..2),
    )
        .prop_map(|(values, sections, explanations)| Content {
            values,
            sections,
            explanations,
        })
}

fn report() -> impl Strategy<Value = ReportId> {
    (1i64..1_000_000).prop_map(ReportId::new)
}

fn unit() -> impl Strategy<Value = UnitId> {
    (1i64..100_000).prop_map(UnitId::new)
}

fn user() -> impl Strategy<Value = UserId> {
    (1i64..100_000).prop_map(UserId::new)
}

fn day() -> impl Strategy<Value = NaiveDate> {
    (0i64..20_000).prop_map(|d| {
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default() + chrono::Duration::days(d)
    })
}

fn workflow_event() -> impl Strategy<Value = AuditEvent> {
    prop_oneof![
        (report(), text(), 1usize..5, unit(), text(), unit(), day()).prop_map(
            |(report, regime, regime_version, unit, period, receiver, deadline)| {
                AuditEvent::ReportCreated {
                    report,
                    regime,
                    regime_version,
                    unit,
                    period,
                    receiver,
                    deadline,
                }
            }
        ),
        (report(), content())
            .prop_map(|(report, content)| AuditEvent::DraftSaved { report, content }),
        (
            report(),
            1i64..20,
            any::<bool>(),
            prop::option::of(text()),
            content()
        )
            .prop_map(|(report, version, on_time, reason, content)| {
                AuditEvent::Submitted {
                    report,
                    version,
                    on_time,
                    reason,
                    content,
                }
            }),
        (report(), 1i64..20, text()).prop_map(|(report, version, reason)| AuditEvent::Returned {
            report,
            version,
            reason
        }),
        (report(), 1i64..20, prop::option::of(text())).prop_map(|(report, version, reason)| {
            AuditEvent::Accepted {
                report,
                version,
                reason,
            }
        }),
        (report(), 1i64..20, text()).prop_map(|(report, version, reason)| AuditEvent::Corrected {
            report,
            version,
            reason
        }),
        (report(), 1i64..20, text()).prop_map(|(report, version, reason)| AuditEvent::Recalled {
            report,
            version,
            reason
        }),
        (
            (report(), text(), 1usize..5, unit(), text(), unit(), day()),
            (any::<i64>(), any::<i64>(), content())
        )
            .prop_map(
                |(
                    (report, regime, regime_version, unit, period, receiver, deadline),
                    (submitted_at, accepted_at, content),
                )| AuditEvent::Imported {
                    report,
                    regime,
                    regime_version,
                    unit,
                    period,
                    receiver,
                    deadline,
                    submitted_at,
                    accepted_at,
                    content,
                }
            ),
    ]
}

fn report_file_event() -> impl Strategy<Value = AuditEvent> {
    let changed = prop::collection::vec((text(), prop::option::of(text()), text()), 0..3);
    let signer = (
        text(),
        text(),
        text(),
        text(),
        prop::option::of(any::<i64>()),
        text(),
        text(),
    )
        .prop_map(
            |(name, subject, serial, issuer, signed_at, digest, key)| Signer {
                name,
                subject,
                serial,
                issuer,
                signed_at,
                digest,
                key,
            },
        );
    prop_oneof![
        (
            report(),
            prop::collection::vec(text(), 0..3),
            0usize..500,
            changed
        )
            .prop_map(
                |(report, aggregated, expected, changed)| AuditEvent::Synthesized {
                    report,
                    aggregated,
                    expected,
                    changed,
                }
            ),
        (report(), any::<i64>(), text(), 0usize..1 << 30, text()).prop_map(
            |(report, attachment, name, size, sha256)| AuditEvent::Attached {
                report,
                attachment,
                name,
                size,
                sha256,
            }
        ),
        (
            report(),
            any::<i64>(),
            1i64..9,
            any::<bool>(),
            signer,
            text()
        )
            .prop_map(|(report, signature, version, pades, signer, sha256)| {
                AuditEvent::Signed {
                    report,
                    signature,
                    version,
                    kind: if pades {
                        SignatureKind::Pades
                    } else {
                        SignatureKind::Cms
                    },
                    signer,
                    sha256,
                }
            }),
        (unit(), text(), text(), prop::collection::vec(unit(), 0..4)).prop_map(
            |(receiver, regime, period, units)| AuditEvent::Reminded {
                receiver,
                regime,
                period,
                units,
            }
        ),
    ]
}

fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(vec![
        Role::DataEntry,
        Role::Reviewer,
        Role::UnitHead,
        Role::Leader,
        Role::RegimeAdmin,
        Role::SystemAdmin,
        Role::ConnectedSystem,
    ])
}

fn account_event() -> impl Strategy<Value = AuditEvent> {
    let baseline = (
        any::<i64>(),
        text(),
        prop::option::of(any::<i64>()),
        any::<bool>(),
        prop::option::of(text()),
        text(),
        prop::collection::vec((any::<i64>(), text(), prop::option::of(any::<i64>())), 0..3),
    )
        .prop_map(
            |(user, username, unit, disabled, email, password, grants)| BaselineAccount {
                user,
                username,
                unit,
                disabled,
                email,
                password,
                grants,
            },
        );
    prop_oneof![
        (user(), prop::option::of(text()))
            .prop_map(|(user, email)| AuditEvent::EmailSet { user, email }),
        (user(), text(), prop::option::of(unit()), text()).prop_map(
            |(user, username, unit, password)| {
                AuditEvent::UserCreated {
                    user,
                    username,
                    unit,
                    password,
                }
            }
        ),
        (user(), any::<i64>(), role(), prop::option::of(unit())).prop_map(
            |(user, grant, role, unit)| {
                AuditEvent::RoleGranted {
                    user,
                    grant,
                    role,
                    unit,
                }
            }
        ),
        (user(), any::<i64>()).prop_map(|(user, grant)| AuditEvent::RoleRevoked { user, grant }),
        (user(), text(), any::<bool>()).prop_map(|(user, password, keep_tokens)| {
            AuditEvent::PasswordSet {
                user,
                password,
                keep_tokens,
            }
        }),
        (user(), any::<bool>())
            .prop_map(|(user, disabled)| AuditEvent::DisabledSet { user, disabled }),
        (user(), text()).prop_map(|(user, address)| AuditEvent::LoggedIn { user, address }),
        (text(), text())
            .prop_map(|(username, address)| AuditEvent::LoginFailed { username, address }),
        prop::collection::vec(baseline, 0..3)
            .prop_map(|accounts| AuditEvent::AccountsBaseline { accounts }),
    ]
}

fn place_event() -> impl Strategy<Value = AuditEvent> {
    let exception =
        || (day(), text(), text()).prop_map(|(day, kind, reason)| Exception { day, kind, reason });
    let snapshot = || {
        (
            prop::collection::vec((any::<i64>(), text()), 0..3),
            prop::collection::vec((text(), text()), 0..3),
        )
            .prop_map(|(units, reorgs)| UnitsSnapshot { units, reorgs })
    };
    prop_oneof![
        exception().prop_map(|exception| AuditEvent::CalendarExceptionAdded { exception }),
        day().prop_map(|day| AuditEvent::CalendarExceptionRemoved { day }),
        prop::collection::vec(exception(), 0..3)
            .prop_map(|exceptions| AuditEvent::CalendarBaseline { exceptions }),
        snapshot().prop_map(|snapshot| AuditEvent::UnitsChanged { snapshot }),
        snapshot().prop_map(|snapshot| AuditEvent::UnitsBaseline { snapshot }),
        (unit(), prop::collection::vec(text(), 0..4))
            .prop_map(|(unit, cells)| AuditEvent::DashboardTilesSet { unit, cells }),
        (text(), 0usize..10_000, text()).prop_map(|(level, units, sha256)| {
            AuditEvent::BoundariesLoaded {
                level,
                units,
                sha256,
            }
        }),
        (any::<i64>(), text(), text()).prop_map(|(anchor, fingerprint, subject)| {
            AuditEvent::AnchorAdded {
                anchor,
                fingerprint,
                subject,
            }
        }),
        (any::<i64>(), text()).prop_map(|(anchor, fingerprint)| AuditEvent::AnchorRemoved {
            anchor,
            fingerprint
        }),
        Just(AuditEvent::MetadataApplied {
            document: Box::new(Metadata::empty())
        }),
    ]
}

fn event() -> impl Strategy<Value = AuditEvent> {
    prop_oneof![
        workflow_event(),
        report_file_event(),
        account_event(),
        place_event()
    ]
}

proptest! {
    /// What is written is read back by the same types as the same event,
    /// and written again as the same bytes.
    #[test]
    fn every_event_round_trips(e in event()) {
        let (action, subject, payload) = (e.action(), e.subject(), e.payload());
        let back = AuditEvent::decode(action.as_str(), &subject, &payload);
        prop_assert_eq!(back.as_ref(), Ok(&e), "{} {} {}", action, subject, payload);
        if let Ok(back) = back {
            prop_assert_eq!(back.payload(), payload);
        }
    }
}

#[test]
fn a_catalogue_document_round_trips() {
    // The demo's catalogue: every kind of object a document holds.
    let document: Metadata =
        serde_json::from_str(include_str!("../../../tools/demo/metadata.json")).unwrap();
    assert!(!document.indicators.is_empty() && !document.regimes.is_empty());
    let e = AuditEvent::MetadataApplied {
        document: Box::new(document),
    };
    let back = AuditEvent::decode(e.action().as_str(), &e.subject(), &e.payload());
    assert_eq!(back, Ok(e));
}
