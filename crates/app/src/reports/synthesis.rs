//! Synthesis (tổng hợp): a receiving unit's report pre-filled from the
//! accepted reports of the units that report to it.

use std::collections::{BTreeMap, HashMap};

use baocao_domain::access::Principal;
use baocao_domain::catalogue::RegimeVersion;
use baocao_domain::obligation::placement;
use baocao_domain::period::PeriodId;
use baocao_domain::report::{ReportId, Status};
use baocao_domain::unit::{OrgUnit, UnitId};
use baocao_store::reports as store_reports;
use baocao_store::{units as store_units, Conn};
use serde::Serialize;

use super::workflow::Step;
use super::{decode, version_of, with_ancestors};
use crate::{now, App, AppError, AppResult};

/// What a synthesis did, for the reviewer.
#[derive(Debug, Clone, Serialize)]
pub struct SynthesisView {
    /// Units expected to report to this unit, with the status of their report.
    pub expected: Vec<ChildStatus>,
    /// How many accepted reports were aggregated.
    pub aggregated: usize,
    /// For each cell, the units that contributed.
    pub contributors: BTreeMap<String, Vec<String>>,
    /// Cells whose value changed: (cell, before, after; empty when cleared).
    pub changed: Vec<(String, Option<String>, String)>,
    /// Cells the unit fills itself (not aggregated).
    pub manual: Vec<String>,
}

/// A unit below and where its report stands.
#[derive(Debug, Clone, Serialize)]
pub struct ChildStatus {
    /// Unit id.
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Its report's status; `None` when it has not even started one.
    pub status: Option<Status>,
}

impl App {
    /// The units expected to report to `receiver` for `version` and `period`.
    pub(crate) async fn expected_children(
        &self,
        conn: &mut Conn,
        receiver: &OrgUnit,
        version: &RegimeVersion,
        period: &PeriodId,
    ) -> AppResult<Vec<OrgUnit>> {
        let day = period.cutoff_window(version.convention).last();
        let receiving = self.receiving_ids(conn, &version.receiving_unit).await?;
        let (_, above) = with_ancestors(conn, receiver.id).await?;
        let below = store_units::subtree(conn, receiver.id, Some(day), None).await?;
        let mut by_id: HashMap<UnitId, OrgUnit> = above.iter().map(|u| (u.id, u.clone())).collect();
        by_id.insert(receiver.id, receiver.clone());
        for u in &below {
            by_id.insert(u.id, u.clone());
        }
        let mut out = Vec::new();
        for u in below.iter().filter(|u| u.id != receiver.id) {
            let mut ancestors = Vec::new();
            let mut cursor = u.parent;
            while let Some(p) = cursor {
                let Some(parent) = by_id.get(&p) else { break };
                ancestors.push(parent.clone());
                cursor = parent.parent;
            }
            if let Some(place) = placement(version, u, &ancestors, &receiving) {
                if place.receiver == receiver.id {
                    out.push(u.clone());
                }
            }
        }
        Ok(out)
    }

    /// Pre-fills a receiving unit's own report from the reports of the units
    /// reporting to it — the latest accepted version of each, also while one
    /// is reopened for correction — cell by cell along each indicator's
    /// aggregation rule. Running it again after a late report is accepted
    /// updates the draft and lists what changed; a cell whose contributors
    /// are all gone is cleared.
    pub async fn synthesize_report(
        &self,
        principal: &Principal,
        id: ReportId,
    ) -> AppResult<SynthesisView> {
        let meta = self.metadata().await?;
        // Computed on a read connection; written only if the draft is still
        // the one it was computed from (no write lock held meanwhile).
        let mut conn = self.store.conn().await?;
        let r = store_reports::get(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        // Refuse before the expensive part.
        if !super::workflow::permitted(principal, &r, &Step::Touch) {
            return Err(self.refusal(&mut conn, principal, &r).await?);
        }
        baocao_domain::report::next_status(r.status, baocao_domain::report::Action::Save)
            .map_err(AppError::Conflict)?;
        let version = version_of(&meta, &r)?;
        let receiver = store_units::get(&mut conn, r.unit_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let children = self
            .expected_children(&mut conn, &receiver, version, &r.period)
            .await?;
        let reports =
            store_reports::received(&mut conn, r.unit_id, &r.regime_code, &r.period).await?;
        let ids: Vec<ReportId> = reports
            .iter()
            .filter(|x| children.iter().any(|c| c.id == x.unit_id))
            .map(|x| x.id)
            .collect();
        let accepted_versions: HashMap<ReportId, String> =
            store_reports::accepted_versions(&mut conn, &ids)
                .await?
                .into_iter()
                .map(|(id, v)| (id, v.content))
                .collect();
        drop(conn);
        let mut expected = Vec::new();
        let mut accepted = Vec::new();
        for child in &children {
            let report = reports.iter().find(|x| x.unit_id == child.id);
            if let Some(content) = report.and_then(|x| accepted_versions.get(&x.id)) {
                accepted.push((child.name.clone(), decode(content)?));
            }
            expected.push(ChildStatus {
                unit: child.id,
                name: child.name.clone(),
                status: report.map(|x| x.status),
            });
        }
        let synthesis = baocao_domain::aggregate::synthesize(&meta, version, &accepted);
        let mut content = decode(&r.draft)?;
        let changed_cells = synthesis.apply_to(&mut content.values);
        let step = Step::Fill {
            base_revision: r.revision,
            content,
            aggregated: accepted.iter().map(|(n, _)| n.clone()).collect(),
            expected: expected.len(),
            changed: changed_cells.clone(),
        };
        self.transition(principal, id, step, now()).await?;
        Ok(SynthesisView {
            expected,
            aggregated: accepted.len(),
            contributors: synthesis.contributors,
            changed: changed_cells,
            manual: synthesis.manual,
        })
    }
}
