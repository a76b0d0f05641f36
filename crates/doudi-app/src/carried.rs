//! The caseload a county brings when it starts using the platform (4.2.b): households filed
//! with the benefit they already receive (the 现享 columns of the household file) wait until
//! the county approver has compared each with what the rules give today and confirmed it; a
//! confirmed benefit becomes an entitlement period (a frozen decision of kind `import` naming
//! the old reference) and is paid from the next payment run.

use std::collections::HashMap;

use doudi_core::casework::ReviewClass;
use doudi_core::{Actor, HouseholdId, Month};
use doudi_policy::batch;
use doudi_store::casework::{CarriedClaim, ImportedEntitlement};

use crate::casework::{next_review, review_class};
use crate::{App, Error};

/// A filed benefit beside what the rules give the household this month.
#[derive(Debug)]
pub struct CarriedCheck {
    /// The claim as filed.
    pub claim: CarriedClaim,
    /// What the rules give this month, in fen; `Err` with the reason when the household does
    /// not qualify, or is of another category than filed.
    pub computed: Result<i64, String>,
}

impl CarriedCheck {
    /// Whether the filed amount is what the rules give.
    pub fn agrees(&self) -> bool {
        self.computed == Ok(self.claim.claim.monthly.fen())
    }
}

/// Which amount a confirmation pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The amount as filed (the old decision's).
    Filed,
    /// What the rules give this month.
    Computed,
}

impl App {
    /// Every claim waiting in the actor's scope, each checked against the rules of this month.
    pub async fn carried_checks(&self, actor: &Actor) -> Result<Vec<CarriedCheck>, Error> {
        let claims = self.store().carried_entitlements(actor).await?;
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        let month = Month::of(self.today());
        let resolved = self.resolved(month)?;
        let (from, until) = resolved.income_window();
        let snapshots: HashMap<i64, doudi_core::facts::Snapshot> = self
            .store()
            .snapshots(actor, from, until)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        Ok(claims
            .into_iter()
            .map(|claim| {
                let computed = match snapshots.get(&claim.household.0) {
                    None => Err("该户不在您的工作范围内".to_owned()),
                    Some(s) if s.category != claim.claim.program => Err(format!(
                        "档案中的救助类别为{}，与现享待遇“{}”不符",
                        s.category.label(),
                        claim.claim.program.label()
                    )),
                    Some(s) => {
                        let outcome = batch::evaluate(s, &resolved, false);
                        if outcome.eligible {
                            Ok(outcome.total_fen)
                        } else {
                            Err(format!(
                                "按{month}现行参数不符合条件（{}）",
                                outcome.refusal.unwrap_or("核定金额为0")
                            ))
                        }
                    }
                };
                CarriedCheck { claim, computed }
            })
            .collect())
    }

    /// Confirms the chosen claims, each on its basis: the filed amount, or what the rules give
    /// (refused for a household the rules do not qualify). Each becomes an entitlement period
    /// from its filed first month, reviewed by its class from today; all in one transaction.
    pub async fn confirm_carried(
        &self,
        actor: &Actor,
        choices: &[(HouseholdId, Basis)],
    ) -> Result<u64, Error> {
        if choices.is_empty() {
            return Err(Error::invalid("choice", "请至少选择一户确认"));
        }
        let checks: HashMap<HouseholdId, CarriedCheck> = self
            .carried_checks(actor)
            .await?
            .into_iter()
            .map(|c| (c.claim.household, c))
            .collect();
        let today = self.today();
        let resolved = self.resolved(Month::of(today))?;
        let mut entries = Vec::with_capacity(choices.len());
        for (household, basis) in choices {
            let check = checks.get(household).ok_or_else(|| {
                Error::invalid(
                    "choice",
                    "所选家庭没有待确认的现享待遇（可能已被确认），请刷新后重试",
                )
            })?;
            let monthly_fen = match (basis, &check.computed) {
                (Basis::Filed, _) => check.claim.claim.monthly.fen(),
                (Basis::Computed, Ok(fen)) => *fen,
                (Basis::Computed, Err(why)) => {
                    return Err(Error::Rules(format!(
                        "户{}不能按现行规则确认：{why}",
                        check.claim.number
                    )));
                }
            };
            let record = self.store().household(actor, *household).await?;
            let class: ReviewClass = review_class(&record);
            entries.push(ImportedEntitlement {
                household: *household,
                program: check.claim.claim.program,
                monthly_fen,
                from: check.claim.claim.from,
                review_class: class,
                next_review: next_review(today, class, &resolved),
                reference: check.claim.claim.reference.clone(),
            });
        }
        Ok(self.store().confirm_carried(actor, &entries).await?)
    }
}
