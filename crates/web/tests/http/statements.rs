//! The pages people open all day run a bounded number of SQL statements,
//! whatever the length of the history behind them (Django's
//! `assertNumQueries`): no one-row query per item of a list, no scan of the
//! ledger for one report's history. Counted per request with sqlx's
//! statement log (`support::statements`).

use baocao_domain::access::Principal;
use baocao_domain::report::Content;

use crate::support::*;

/// No page or answer below runs more statements than this.
const MOST_STATEMENTS: usize = 15;

async fn principal(t: &TestApp, username: &str) -> Principal {
    t.app
        .principal_of_user(t.user_id(username).await)
        .await
        .unwrap()
}

fn content(jobs: i64) -> Content {
    let mut c = Content::default();
    let women = jobs / 2;
    for (cell, value) in [
        ("LD01", jobs),
        ("LD01/sex:female", women),
        ("LD01/sex:male", jobs - women),
        ("LD02", 50_000),
    ] {
        c.values.insert(cell.into(), value.to_string());
    }
    c
}

/// The report of `unit` for `period`: saved `saves` times, submitted, and
/// accepted if `accept`.
async fn report(t: &TestApp, unit: UnitId, period: &str, saves: i64, accept: bool) -> ReportId {
    let officer = principal(t, &format!("officer.{unit}")).await;
    let head = principal(t, &format!("head.{unit}")).await;
    let reviewer = principal(t, "district.reviewer").await;
    let view = t
        .app
        .open_report(&officer, "BC-LD", unit, period)
        .await
        .unwrap();
    for n in 0..saves {
        t.app
            .save_report(&officer, view.id, &content(1_000 + 7 * n), None)
            .await
            .unwrap();
    }
    t.app.submit_report(&head, view.id).await.unwrap();
    if accept {
        t.app
            .review_report(&reviewer, view.id, true, "")
            .await
            .unwrap();
    }
    view.id
}

/// An officer and a head for `unit` (once).
async fn staff(t: &TestApp, unit: UnitId) {
    for (name, role) in [
        (format!("officer.{unit}"), Role::DataEntry),
        (format!("head.{unit}"), Role::UnitHead),
    ] {
        if t.app.user_by_name(&name).await.is_ok() {
            continue;
        }
        let input = UserInput {
            username: name.clone(),
            display_name: name,
            password: PASSWORD.into(),
            unit: Some(unit),
            locale: "vi".into(),
            role: Some(role),
        };
        while let Err(e) = t.app.create_user(&system_principal(), &input).await {
            assert!(matches!(e, baocao_app::AppError::Busy { .. }), "{e:?}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

/// Reports of the first `communes` wards of the district: accepted for
/// `accepted`, then waiting for review for `waiting`; the first ward's
/// waiting report is returned.
async fn history(
    t: &TestApp,
    communes: usize,
    accepted: &[&str],
    waiting: &str,
    saves: i64,
) -> ReportId {
    let day = NaiveDate::from_ymd_opt(2025, 6, 1);
    let wards = t
        .app
        .unit_children(&system_principal(), t.district, day)
        .await
        .unwrap();
    let mut shown = None;
    for ward in wards.iter().take(communes) {
        staff(t, ward.id).await;
        for period in accepted {
            report(t, ward.id, period, saves, true).await;
        }
        let id = report(t, ward.id, waiting, saves, false).await;
        shown.get_or_insert(id);
    }
    shown.unwrap()
}

/// The statements each screen ran: (what, count).
async fn count_screens(t: &TestApp, phase: &str, waiting: ReportId) -> Vec<(String, Vec<String>)> {
    let reviewer = page_login(t, "district.reviewer").await;
    let officer = page_login(t, "commune.officer").await;
    let leader = page_login(t, "leader").await;
    let province = t.province.get();
    let screens: Vec<(&Client, String)> = vec![
        (&reviewer, format!("/reports/{waiting}")),
        // After a decision the page also offers the next report waiting.
        (&reviewer, format!("/reports/{waiting}?done=accept")),
        (&reviewer, "/reports".into()),
        (&officer, "/reports".into()),
        (&reviewer, "/api/v1/reports/inbox".into()),
        (&reviewer, format!("/api/v1/reports/{waiting}")),
        (&leader, "/dashboard".into()),
        (&leader, format!("/dashboard/{province}/wall")),
        (&leader, "/analytics".into()),
        (&reviewer, "/reports/timeliness".into()),
    ];
    let mut counted = Vec::new();
    for (n, (client, path)) in screens.into_iter().enumerate() {
        // Twice: the first may open pool connections (their set-up statements).
        let mut last = Vec::new();
        for round in 0..2 {
            let id = format!("statements-{}-{phase}-{n}-{round}", t.base);
            let r = client
                .get(format!("{}{path}", t.base))
                .header("x-request-id", &id)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            r.text().await.unwrap();
            last = statements::of(&id);
        }
        assert!(
            !last.is_empty(),
            "{path}: no statement counted (is the counter installed?)"
        );
        counted.push((path, last));
    }
    counted
}

both_backends!(
    async fn each_screen_runs_a_bounded_number_of_statements_whatever_the_history(store) {
        statements::install();
        let t = spawn_app(store).await;
        t.app.apply_metadata(&system_principal(), &three_level_metadata()).await.unwrap();
        let waiting = history(&t, 2, &["2025M01", "2025M02"], "2025M03", 1).await;
        let short = count_screens(&t, "short", waiting).await;

        // More history: more wards, more accepted periods, many saves of
        // each report, a ledger many times longer, and an inbox of many.
        let waiting = history(&t, 6, &["2025M04"], "2025M05", 8).await;
        let long = count_screens(&t, "long", waiting).await;

        let counts = |screens: &[(String, Vec<String>)]| -> Vec<(String, usize)> {
            screens.iter().map(|(path, s)| (path.clone(), s.len())).collect()
        };
        let (short_counts, long_counts) = (counts(&short), counts(&long));
        // Shown with --nocapture: what each screen ran.
        for (path, ran) in &long {
            println!("{path}: {} statements\n  {}", ran.len(), ran.join("\n  "));
        }
        for ((_, before), (path, after)) in short.iter().zip(&long) {
            assert!(
                after.len() <= MOST_STATEMENTS,
                "{path}: {} statements (at most {MOST_STATEMENTS}); all: {short_counts:?} then {long_counts:?}; {path} ran:\n{}",
                after.len(),
                after.join("\n")
            );
            assert_eq!(
                before.len(),
                after.len(),
                "{path}: the statements grew with the history: {short_counts:?} then {long_counts:?}; {path} ran:\n{}",
                after.join("\n")
            );
        }
    }
);
