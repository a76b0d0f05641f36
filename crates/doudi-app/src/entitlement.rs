//! What a household is owed in a month, and why: the one evaluation behind the household page's
//! "为什么是这个金额？" and `GET /api/households/{id}/entitlement`.

use doudi_core::facts::Snapshot;
use doudi_core::{Actor, HouseholdId, HouseholdRecord, Month};
use doudi_policy::Resolved;
use doudi_policy::batch::{self, Outcome};

use crate::{App, Error, month_or_current};

/// A household evaluated for a month with its explanation.
#[derive(Debug)]
pub struct Evaluation {
    /// The month evaluated.
    pub month: Month,
    /// The household as the actor may see it.
    pub record: HouseholdRecord,
    /// What the rules read.
    pub snapshot: Snapshot,
    /// The parameters in force in the month.
    pub resolved: Resolved,
    /// The monthly benefit of the household's category, explained.
    pub monthly: Outcome,
}

impl App {
    /// Evaluates `household` for `month` (text from a form or query; empty or `None` means this
    /// month), with the explanation.
    pub async fn entitlement(
        &self,
        actor: &Actor,
        household: HouseholdId,
        month: Option<&str>,
    ) -> Result<Evaluation, Error> {
        let month = month_or_current(month, self.today(), "month")?;
        let record = self.store().household(actor, household).await?;
        let resolved = self.resolved(month)?;
        let snapshot = Snapshot::from_record(&record);
        let monthly = batch::evaluate(&snapshot, &resolved, true);
        Ok(Evaluation {
            month,
            record,
            snapshot,
            resolved,
            monthly,
        })
    }
}
