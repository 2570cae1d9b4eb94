//! The reports page's read model: what the caller's units owe and, for a
//! reviewer, the inbox page the address asks for.

use baocao_domain::access::{Permission, Principal};
use chrono::NaiveDate;

use super::inbox::{Inbox, InboxFilter, InboxQuery};
use super::obligations::Obligation;
use crate::{App, AppResult};

/// What the reports page shows.
#[derive(Debug, Clone)]
pub struct ReportsScreen {
    /// What the caller's units owe around today, most urgent first.
    pub owed: Vec<Obligation>,
    /// For those who review reports: the inbox page asked for, and the query.
    pub inbox: Option<(InboxQuery, Inbox)>,
}

impl App {
    /// The reports page for `today`, with the inbox `filter` asks for.
    pub async fn reports_screen(
        &self,
        principal: &Principal,
        today: NaiveDate,
        filter: InboxFilter<'_>,
    ) -> AppResult<ReportsScreen> {
        let reviews = !principal
            .units_acting_for(Permission::ReviewReport)
            .is_empty();
        let query = reviews.then(|| InboxQuery::parse(filter)).transpose()?;
        let owed = self.obligations(principal, today).await?;
        let inbox = match query {
            Some(q) => Some((q.clone(), self.inbox(principal, q).await?)),
            None => None,
        };
        Ok(ReportsScreen { owed, inbox })
    }
}
