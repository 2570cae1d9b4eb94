//! The reviewer's inbox below HTTP: the reports sent to the caller's units,
//! filtered, sorted and paged, with what each has to look at; the review
//! queue and the next report after a decision; and the bulk accept that takes
//! only reports with nothing to look at, one ledger entry each, and decides
//! nothing for a caller who does not receive them.

use baocao_app::reports::inbox::BULK_ACCEPT_MAX;
use baocao_app::reports::{InboxQuery, InboxSort};
use baocao_domain::report::{ReportId, Status};
use baocao_testkit::both_backends;

use crate::support::{
    content, ledger_seq, ledger_since, refusal_key, staff, submitted, world, GOOD,
};

fn ids(rows: &[baocao_app::reports::InboxEntry]) -> Vec<ReportId> {
    rows.iter().map(|r| r.item.id).collect()
}

both_backends!(
    async fn the_inbox_lists_filters_sorts_and_accepts_in_bulk_only_what_has_nothing_to_look_at(store) {
        let w = world(store.clone()).await;
        let (officer, head) = (w.principal("commune.officer").await, w.principal("commune.head").await);
        let good = content(&GOOD);
        let march = submitted(&w.app, (&officer, &head), w.commune, "2025M03", &good).await;
        let february = submitted(&w.app, (&officer, &head), w.commune, "2025M02", &good).await;
        // A warning (a job-creation rate of 22 %), explained by the unit: a reviewer should look.
        let mut high = content(&[("LD01", "1100"), ("LD01/sex:male", "500"), ("LD01/sex:female", "600"), ("LD02", "5000")]);
        high.explanations.insert("W1".into(), "Khu công nghiệp mới tuyển dụng".into());
        let sibling = staff(w.sibling_commune);
        let warned = submitted(&w.app, (&sibling, &sibling), w.sibling_commune, "2025M03", &high).await;
        let reviewer = w.principal("district.reviewer").await;

        // Earliest deadline first, then by report.
        let queue: Vec<ReportId> = w.app.review_queue(&reviewer).await.unwrap().iter().map(|i| i.id).collect();
        assert_eq!(queue, vec![february, march, warned]);
        let inbox = w.app.inbox(&reviewer, InboxQuery::default()).await.unwrap();
        assert_eq!(ids(&inbox.rows), queue, "the inbox's default order is the queue's");
        assert_eq!((inbox.total, inbox.page, inbox.pages), (3, 1, 1));
        let looked: Vec<(usize, usize)> = inbox.rows.iter().map(|r| (r.warnings, r.flags)).collect();
        assert_eq!(looked, vec![(0, 0), (0, 0), (1, 0)], "the explained warning still counts");
        assert!(inbox.rows.iter().all(|r| r.status == Status::Submitted && r.item.receiver == w.district && r.item.version == 1));
        assert_eq!(inbox.regimes, vec!["BC-LD".to_string()]);
        let periods: Vec<String> = inbox.periods.iter().map(|p| p.to_string()).collect();
        assert_eq!(periods, vec!["2025M03", "2025M02"], "newest first");
        let mut names: Vec<(String, _)> = inbox.rows.iter().map(|r| (r.item.unit_name.clone(), r.item.unit)).collect();
        names.sort();
        names.dedup();
        let units: Vec<(String, _)> = inbox.units.iter().map(|(id, name)| (name.clone(), *id)).collect();
        assert_eq!(units, names, "each reporting unit once, by name");

        // Filters; the choices stay those of the whole status.
        let only = |q: InboxQuery| {
            let (app, reviewer) = (w.app.clone(), reviewer.clone());
            async move { app.inbox(&reviewer, q).await.unwrap() }
        };
        let by_unit = only(InboxQuery { unit: Some(w.sibling_commune), ..Default::default() }).await;
        assert_eq!((ids(&by_unit.rows), by_unit.total), (vec![warned], 1));
        let by_period = only(InboxQuery { period: Some("2025M02".parse().unwrap()), ..Default::default() }).await;
        assert_eq!(ids(&by_period.rows), vec![february]);
        let none = only(InboxQuery { regime: Some("DX-BAO".into()), ..Default::default() }).await;
        assert_eq!((none.total, none.pages, none.regimes.len(), none.units.len()), (0, 1, 1, 2));
        // Orders; past the last page is the last page.
        let newest = only(InboxQuery { sort: InboxSort::Newest, ..Default::default() }).await;
        assert_eq!(ids(&newest.rows), vec![warned, february, march]);
        let first_sent = only(InboxQuery { sort: InboxSort::Submitted, page: 9, ..Default::default() }).await;
        assert_eq!((ids(&first_sent.rows), first_sent.page), (vec![march, february, warned], 1));
        let by_name = only(InboxQuery { sort: InboxSort::Unit, ..Default::default() }).await;
        let mut expected = by_name.rows.clone();
        expected.sort_by(|a, b| a.item.unit_name.cmp(&b.item.unit_name).then(a.item.id.cmp(&b.item.id)));
        assert_eq!(ids(&by_name.rows), ids(&expected));
        // A receiving unit never lists drafts.
        let drafts = w.app.inbox(&reviewer, InboxQuery { status: Status::Draft, ..Default::default() }).await;
        assert_eq!(refusal_key(drafts), "inbox.error.status");
        // Nothing is sent to a commune's officer, nor to the province from the communes.
        for who in ["commune.officer", "province.reviewer"] {
            let p = w.principal(who).await;
            assert_eq!(w.app.inbox(&p, InboxQuery::default()).await.unwrap().total, 0, "{who}");
            assert!(w.app.review_queue(&p).await.unwrap().is_empty(), "{who}");
        }

        // The next report after one, in the queue's order, round to the first.
        assert_eq!(w.app.next_waiting(&reviewer, february).await.unwrap(), Some(march));
        assert_eq!(w.app.next_waiting(&reviewer, warned).await.unwrap(), Some(february));

        // Bulk accept: something to accept, and not too much; refusals store nothing.
        let before = ledger_seq(&store).await;
        assert_eq!(refusal_key(w.app.accept_many(&reviewer, &[]).await), "inbox.error.none_chosen");
        let many = vec![march; BULK_ACCEPT_MAX + 1];
        assert_eq!(refusal_key(w.app.accept_many(&reviewer, &many).await), "inbox.error.too_many");
        // Someone the reports are not sent to decides on none of them.
        let province = w.principal("province.reviewer").await;
        let done = w.app.accept_many(&province, &[february]).await.unwrap();
        assert!(done.accepted.is_empty(), "{done:?}");
        assert_eq!(done.skipped.len(), 1);
        assert_eq!((done.skipped[0].0, done.skipped[0].1.key), (february, "inbox.skipped.not_waiting"));
        assert_eq!(ledger_seq(&store).await, before, "nothing recorded");
        // The report with a warning is left, with why; the other accepted in its own step.
        let done = w.app.accept_many(&reviewer, &[march, warned]).await.unwrap();
        assert_eq!(done.accepted, vec![march]);
        assert_eq!(done.skipped.len(), 1);
        let (left, why) = &done.skipped[0];
        assert_eq!((*left, why.key), (warned, "inbox.skipped.to_look_at"));
        assert!(why.args.contains(&("warnings", "1".into())) && why.args.contains(&("flags", "0".into())), "{why:?}");
        assert_eq!(ledger_since(&store, before).await, vec![("report.accept".to_string(), format!("report:{march}"))]);
        let view = w.app.report(&reviewer, march).await.unwrap();
        assert_eq!(view.status, Status::Accepted);
        assert_eq!(w.app.report(&reviewer, warned).await.unwrap().status, Status::Submitted);
        let accepted = w.app.inbox(&reviewer, InboxQuery { status: Status::Accepted, ..Default::default() }).await.unwrap();
        assert_eq!(ids(&accepted.rows), vec![march]);
        assert_eq!(w.app.inbox(&reviewer, InboxQuery::default()).await.unwrap().total, 2);
        // Accepting it again is not waiting any more.
        let again = w.app.accept_many(&reviewer, &[march]).await.unwrap();
        assert_eq!((again.accepted.len(), again.skipped[0].1.key), (0, "inbox.skipped.not_waiting"));

        // A report no longer waiting: the first one that does; the last one alone: none.
        assert_eq!(w.app.next_waiting(&reviewer, march).await.unwrap(), Some(february));
        w.app.review_report(&reviewer, february, true, "").await.unwrap();
        assert_eq!(w.app.next_waiting(&reviewer, february).await.unwrap(), Some(warned));
        assert_eq!(w.app.next_waiting(&reviewer, warned).await.unwrap(), None);
    }
);
