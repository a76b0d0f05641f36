//! Casework that needs both the store and the rules: the county's approval (the household as it
//! stands, evaluated with the parameters in force, frozen into a decision), restating
//! entitlements after a parameter change, a member's death, and reviews. The web handlers and
//! the command line both call these [`App`] methods, so that each is written once; "today" is
//! the application's clock.
//!
//! **Invariant:** a decision's amount is computed here from the household record the store
//! gives back, at the version the store then checks; members excluded from the case (4.2.c)
//! are left out of the computation.

use chrono::{Months, NaiveDate};
use doudi_core::casework::{Action, CaseType, Investigation, ReviewClass, ReviewResult};
use doudi_core::facts::Snapshot;
use doudi_core::{Actor, HouseholdId, HouseholdRecord, Month, PersonId, Role, WorkCapacity};
use doudi_policy::Resolved;
use doudi_policy::batch::{self, Outcome};
use doudi_policy::params::Parameters;
use doudi_store::StoreError;
use doudi_store::casework::{
    CaseId, CaseRecord, Death, DeathRecorded, Entitlement, NewDecision, NewReview,
    NewReviewProposal, ProposalState, Restatement, Stopped,
};
use sha2::{Digest, Sha256};

use crate::frozen::FrozenHousehold;
use crate::{App, Error};

/// A digest of the parameter values in force in a month (key, value, effective date), so that
/// a decision names exactly the parameter version it was made with.
pub fn params_version(r: &Resolved) -> String {
    let mut h = Sha256::new();
    for c in r.citations().iter() {
        h.update(c.key.as_bytes());
        h.update(b"=");
        h.update(c.value.as_bytes());
        h.update(b"@");
        h.update(c.from.as_bytes());
        h.update(b"\n");
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// How often a household is reviewed: every six months when a member can work (unstable
/// income), yearly otherwise.
pub fn review_class(record: &HouseholdRecord) -> ReviewClass {
    if record
        .members
        .iter()
        .any(|m| m.fields.work_capacity != WorkCapacity::None)
    {
        ReviewClass::Unstable
    } else {
        ReviewClass::Stable
    }
}

/// The next review after `day` for the class, by the parameters in force.
pub fn next_review(day: NaiveDate, class: ReviewClass, r: &Resolved) -> NaiveDate {
    let months = match class {
        ReviewClass::Stable => r.casework_review_months_stable,
        ReviewClass::Unstable => r.casework_review_months_unstable,
    };
    day.checked_add_months(Months::new(u32::try_from(months).unwrap_or(12)))
        .unwrap_or(day)
}

/// Evaluates a household for what a case applies for: a monthly type's category replaces the
/// household's own (an application for tekun is judged by the tekun rules). The one evaluation
/// behind an approval and the amount a public notice states.
pub fn evaluate_for(
    snapshot: &mut Snapshot,
    case_type: Option<CaseType>,
    r: &Resolved,
    explain: bool,
) -> Outcome {
    if let Some(category) = case_type.and_then(CaseType::monthly_category) {
        snapshot.category = category;
    }
    batch::evaluate(snapshot, r, explain)
}

/// Evaluates the household (without the excluded members) for `case_type` in `month` and
/// freezes the result into a decision paying from `from`.
pub fn freeze(
    record: &HouseholdRecord,
    excluded: &[PersonId],
    case_type: Option<CaseType>,
    params: &Parameters,
    month: Month,
    from: Month,
    today: NaiveDate,
) -> Result<(NewDecision, Outcome), String> {
    let r = Resolved::new(params, month).map_err(|e| e.to_string())?;
    let mut counted = record.clone();
    counted.members.retain(|m| !excluded.contains(&m.id));
    let mut snapshot = Snapshot::from_record(&counted);
    let outcome = evaluate_for(&mut snapshot, case_type, &r, true);
    let class = review_class(&counted);
    let decision = NewDecision {
        household_version: record.household.version,
        params_month: month,
        params_version: params_version(&r),
        snapshot_json: FrozenHousehold::of(&snapshot, record.household.version).to_json(),
        explanation_json: serde_json::to_string(&outcome)
            .expect("an outcome serialises: plain values only"),
        monthly_fen: if case_type.is_some_and(|t| t.monthly_category().is_none()) {
            0
        } else {
            outcome.total_fen
        },
        from_month: from,
        review_class: class,
        next_review: next_review(today, class, &r),
    };
    Ok((decision, outcome))
}

/// What a death changed.
#[derive(Debug)]
pub enum DeathEffect {
    /// The only member died: every benefit stopped after the month of death.
    Stopped(Stopped),
    /// A member died: removed, and the household's open entitlements restated from the month
    /// after the death.
    Restated(Vec<Restatement>),
}

/// A step as a case form or a JSON body gives it, before it is read: the step's code (`op`) and
/// its fields as text. [`StepInput::action`] is the one reading of both (4.2.b).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepInput {
    /// The step's code: `accept`, `return`, `resubmit`, `investigate`, `appraise`,
    /// `township_opinion`, `start_notice`, `object`, `resolve_objection`, `refuse`, `withdraw`.
    pub op: String,
    /// Accept: a complex case (the longer time limit).
    pub complex: bool,
    /// Return: the missing materials, one an entry (blank entries are dropped).
    pub missing: Vec<String>,
    /// Investigate: the day of the home visit.
    pub visited_on: String,
    /// Investigate: what the visit found.
    pub visit_notes: String,
    /// Investigate: the reference of the finances check.
    pub finances_reference: String,
    /// Appraise: the day of the democratic appraisal.
    pub held_on: String,
    /// Appraise: its conclusion.
    pub conclusion: String,
    /// Township opinion: whether the township recommends approval.
    pub recommend: bool,
    /// Township opinion: the opinion.
    pub opinion: String,
    /// Start notice: the first day of the public notice.
    pub from: String,
    /// Object: the objection.
    pub text: String,
    /// Resolve objection: the objection's number.
    pub number: String,
    /// Resolve objection: whether it is upheld.
    pub upheld: bool,
    /// Resolve objection: the resolution.
    pub resolution: String,
    /// Refuse: the reason.
    pub reason: String,
}

impl StepInput {
    /// The action the input asks for; every field at fault is named with what is wrong, in
    /// Chinese. Whether the step is allowed now is the state machine's to say
    /// ([`doudi_core::casework::Action::allowed_for`]), not this reading's.
    pub fn action(&self) -> Result<Action, Error> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let day = |problems: &mut Vec<(&'static str, String)>,
                   field: &'static str,
                   what: &str,
                   text: &str| {
            doudi_core::date::parse_day(text)
                .map_err(|e| problems.push((field, format!("{what}：{e}"))))
                .ok()
        };
        let text = |s: &str| s.trim().to_owned();
        let action = match self.op.trim() {
            "accept" => Some(Action::Accept {
                complex: self.complex,
            }),
            "return" => Some(Action::Return {
                missing: self
                    .missing
                    .iter()
                    .map(|m| m.trim())
                    .filter(|m| !m.is_empty())
                    .map(String::from)
                    .collect(),
            }),
            "resubmit" => Some(Action::Resubmit),
            "investigate" => {
                day(&mut problems, "visited_on", "入户日期", &self.visited_on).map(|visited_on| {
                    Action::Investigate(Investigation {
                        visited_on,
                        visit_notes: text(&self.visit_notes),
                        finances_reference: text(&self.finances_reference),
                        survey_on_file: false,
                    })
                })
            }
            "appraise" => day(&mut problems, "held_on", "评议日期", &self.held_on).map(|held_on| {
                Action::Appraise {
                    held_on,
                    conclusion: text(&self.conclusion),
                }
            }),
            "township_opinion" => Some(Action::TownshipOpinion {
                recommend: self.recommend,
                opinion: text(&self.opinion),
            }),
            "start_notice" => day(&mut problems, "from", "公示开始日期", &self.from)
                .map(|from| Action::StartNotice { from }),
            "object" => Some(Action::Object {
                text: text(&self.text),
            }),
            "resolve_objection" => match self.number.trim().parse::<usize>() {
                Ok(number) if number >= 1 => Some(Action::ResolveObjection {
                    number,
                    upheld: self.upheld,
                    resolution: text(&self.resolution),
                }),
                _ => {
                    problems.push((
                        "number",
                        format!("异议序号“{}”应为从1起的整数", self.number.trim()),
                    ));
                    None
                }
            },
            "refuse" => Some(Action::Refuse {
                reason: text(&self.reason),
            }),
            "withdraw" => Some(Action::Withdraw),
            other => {
                problems.push(("op", format!("未知的办理环节“{other}”")));
                None
            }
        };
        match action {
            Some(action) if problems.is_empty() => Ok(action),
            _ => Err(Error::Fields(problems)),
        }
    }
}

impl App {
    /// Submits an application of `case_type` for the household, dated today by the
    /// application's clock (4.2.b); returns the case with its first step.
    pub async fn submit_case(
        &self,
        actor: &Actor,
        household: HouseholdId,
        case_type: CaseType,
    ) -> Result<CaseRecord, Error> {
        let store = self.store();
        let id = store
            .submit_case(actor, household, case_type, self.today())
            .await?;
        Ok(store.case(actor, id).await?)
    }

    /// Takes a step of a case (every action but the approval, which is [`App::approve`]) today,
    /// with the working-day limits of the parameters in force today (4.2.b); `expected_version`
    /// is the version the step was based on.
    pub async fn take_step(
        &self,
        actor: &Actor,
        case: CaseId,
        expected_version: i64,
        action: &Action,
    ) -> Result<CaseRecord, Error> {
        let today = self.today();
        let limits = self.case_limits(today);
        Ok(self
            .store()
            .act_on_case(actor, case, expected_version, action, today, &limits)
            .await?)
    }

    /// The public notice of a community today: each household under notice with the monthly
    /// amount the rules give it (for a monthly type; `None` otherwise or when it does not
    /// qualify), as the approval would compute it.
    pub async fn public_notices(
        &self,
        community: &doudi_core::DivisionCode,
    ) -> Result<Vec<(doudi_store::casework::PublicNotice, Option<i64>)>, Error> {
        let today = self.today();
        let r = self.resolved(Month::of(today))?;
        let notices = self.store().public_notices(community, today).await?;
        Ok(notices
            .into_iter()
            .map(|n| {
                let amount = n.case_type.monthly_category().and_then(|_| {
                    let outcome = evaluate_for(&mut n.facts.clone(), Some(n.case_type), &r, false);
                    outcome.eligible.then_some(outcome.total_fen)
                });
                (n, amount)
            })
            .collect())
    }

    /// What approving `case` today would decide, without deciding: the household evaluated as
    /// it stands with this month's parameters (members excluded by the rural registry left
    /// out), explained. The case page shows it before the approver clicks.
    pub async fn approval_preview(&self, actor: &Actor, case: CaseId) -> Result<Outcome, Error> {
        Ok(self.prepare_approval(actor, case).await?.1)
    }

    /// The decision an approval of `case` today would freeze, and its outcome.
    async fn prepare_approval(
        &self,
        actor: &Actor,
        case: CaseId,
    ) -> Result<(doudi_store::casework::NewDecision, Outcome), Error> {
        let (store, params, today) = (self.store(), self.parameters(), self.today());
        if !doudi_core::casework::Action::Approve.allowed_for(actor.role) {
            return Err(StoreError::Forbidden.into());
        }
        let record = store.case(actor, case).await?;
        let household = store.household(actor, record.household).await?;
        let month = Month::of(today);
        let excluded: Vec<PersonId> = record.exclusions.iter().map(|x| x.person).collect();
        let (decision, outcome) = freeze(
            &household,
            &excluded,
            Some(record.case.case_type),
            params,
            month,
            month,
            today,
        )
        .map_err(Error::Rules)?;
        if record.case.case_type.monthly_category().is_some() && !outcome.eligible {
            return Err(Error::Rules(format!(
                "按{month}现行参数核算，该户不符合条件（{}），不能批准；如核实无误，请作不予批准处理",
                outcome.refusal.unwrap_or("核定金额为0")
            )));
        }
        Ok((decision, outcome))
    }

    /// The county approves a case: the household is evaluated as it stands today with the
    /// parameters of this month, and the entitlement starts this month. A monthly type whose
    /// household does not qualify is not approved (the approver refuses it instead, with the reason
    /// the rules give). Returns the decision's id and the outcome.
    pub async fn approve(
        &self,
        actor: &Actor,
        case: CaseId,
        expected_version: i64,
    ) -> Result<(i64, Outcome), Error> {
        let (decision, outcome) = self.prepare_approval(actor, case).await?;
        let today = self.today();
        let limits = Resolved::new(self.parameters(), Month::of(today))
            .map_err(|e| Error::Rules(e.to_string()))?
            .case_limits();
        let id = self
            .store()
            .approve_case(actor, case, expected_version, &decision, today, &limits)
            .await?;
        Ok((id, outcome))
    }

    /// Restates every entitlement open in `from` whose amount under that month's parameters
    /// differs: the old period ends the month before, a new one starts in `from`. Returns the
    /// restatements made.
    pub async fn restate(
        &self,
        actor: &Actor,
        from: Month,
        reason: &str,
    ) -> Result<Vec<Restatement>, Error> {
        let (store, params, today) = (self.store(), self.parameters(), self.today());
        let open = store.open_entitlements(actor, from).await?;
        let mut changes = Vec::new();
        for e in open.iter().filter(|e| e.from < from && e.until.is_none()) {
            let record = store.household(actor, e.household).await?;
            let (decision, _) =
                freeze(&record, &[], None, params, from, from, today).map_err(Error::Rules)?;
            if decision.monthly_fen != e.monthly_fen {
                changes.push(restatement(e, decision, reason.to_owned()));
            }
        }
        if !changes.is_empty() {
            store.restate_entitlements(actor, &changes).await?;
        }
        Ok(changes)
    }

    /// Records a member's death on `died_on`: the month of death is paid in full, the month after
    /// is the first paid differently (a smaller household) or not at all (the only member).
    ///
    /// The new amounts are computed here, from the household as read without the member, and the
    /// store writes everything (the member removed, the periods restated, unpaid later lines
    /// removed, the audit entry) in one transaction checked against the version read: either all
    /// of it happens or none. Township caseworkers, the county approver and the system may; the
    /// role is checked before anything is read. A death after `today` is refused.
    pub async fn record_death(
        &self,
        actor: &Actor,
        person: PersonId,
        household: HouseholdId,
        expected_version: i64,
        died_on: NaiveDate,
    ) -> Result<DeathEffect, Error> {
        self.record_death_answering(actor, person, household, expected_version, died_on, None)
            .await
    }

    /// [`App::record_death`], closing the open alert `answers` (a department's death record) as
    /// done in the same transaction, with what was done as its outcome.
    pub(crate) async fn record_death_answering(
        &self,
        actor: &Actor,
        person: PersonId,
        household: HouseholdId,
        expected_version: i64,
        died_on: NaiveDate,
        answers: Option<i64>,
    ) -> Result<DeathEffect, Error> {
        let (store, params, today) = (self.store(), self.parameters(), self.today());
        if !actor.may_keep_benefits() {
            return Err(StoreError::Forbidden.into());
        }
        if died_on > today {
            return Err(StoreError::Invalid(format!(
                "死亡日期{died_on}晚于今天（{today}）：不能登记尚未发生的死亡，请核对日期"
            ))
            .into());
        }
        let record = store.household(actor, household).await?;
        if !record.members.iter().any(|m| m.id == person) {
            return Err(StoreError::NotFound.into());
        }
        if record.household.version != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: record.household.version,
            }
            .into());
        }
        let from = Month::of(died_on).plus(1);
        let mut changes = Vec::new();
        if record.members.len() > 1 {
            let open = store.entitlements(actor, household).await?;
            for e in open.into_iter().filter(|e| e.until.is_none()) {
                // A period that began after the death (a death recorded late) is never rewritten:
                // it is restated from its second month (see `Death::restatements`).
                let start = Death::restated_from(from, e.from);
                let (decision, _) = freeze(&record, &[person], None, params, start, start, died_on)
                    .map_err(Error::Rules)?;
                let reason = if start == from {
                    format!("家庭成员死亡（{died_on}），自{from}起按现有成员重新核定")
                } else {
                    format!(
                        "家庭成员死亡（{died_on}）晚于登记；待遇期间自{}起已生效、不能改写，自{start}起按现有成员重新核定",
                        e.from
                    )
                };
                changes.push(restatement(&e, decision, reason));
            }
        }
        let death = Death {
            person,
            household,
            expected_version,
            died_on,
            today,
            answers: answers
                .map(|alert| (alert, death_outcome(died_on, record.members.len() <= 1))),
            restatements: changes,
        };
        Ok(match store.record_death(actor, &death).await? {
            DeathRecorded::Stopped(stopped) => DeathEffect::Stopped(stopped),
            DeathRecorded::Restated(_) => DeathEffect::Restated(death.restatements),
        })
    }

    /// What a review of an open entitlement would conclude today, with the household's current
    /// data and this month's parameters, before anyone confirms it: continue when the amount is
    /// the same, adjust from next month when it differs, exit when the household no longer
    /// qualifies. Says whether the county must sign off (an exit or a lower amount proposed by
    /// the township, 4.2.b).
    pub async fn review_preview(
        &self,
        actor: &Actor,
        household: HouseholdId,
        entitlement: i64,
    ) -> Result<ReviewPreview, Error> {
        if !actor.may_keep_benefits() {
            return Err(StoreError::Forbidden.into());
        }
        let (store, params, today) = (self.store(), self.parameters(), self.today());
        let e = store
            .entitlements(actor, household)
            .await?
            .into_iter()
            .find(|e| e.id == entitlement)
            .ok_or(StoreError::NotFound)?;
        if e.until.is_some() {
            return Err(StoreError::Invalid(format!("待遇期间{}已结束，无需复核", e.id)).into());
        }
        let record = store.household(actor, household).await?;
        let month = Month::of(today);
        let next = month.plus(1);
        let (mut decision, outcome) =
            freeze(&record, &[], None, params, month, next, today).map_err(Error::Rules)?;
        decision.review_class = e.review_class;
        let current = doudi_core::Money::from_fen(e.monthly_fen);
        let (result, reason) = if !outcome.eligible || outcome.total_fen == 0 {
            (
                ReviewResult::Exit,
                format!(
                    "按{month}现行参数和家庭现有情况测算，不再符合条件：{}",
                    outcome.refusal.unwrap_or("核定金额为0")
                ),
            )
        } else if outcome.total_fen != e.monthly_fen {
            (
                ReviewResult::Adjust,
                format!(
                    "按{month}现行参数和家庭现有情况测算，每月金额由{current}调整为{}",
                    doudi_core::Money::from_fen(outcome.total_fen)
                ),
            )
        } else {
            (ReviewResult::Continue, "复核核定金额不变".to_owned())
        };
        let new_fen = if result == ReviewResult::Exit {
            0
        } else {
            outcome.total_fen
        };
        let needs_sign_off = actor.role == Role::TownshipCaseworker
            && (result == ReviewResult::Exit || new_fen < e.monthly_fen);
        let r = Resolved::new(params, month).map_err(|e| Error::Rules(e.to_string()))?;
        let next_review = next_review(today, review_class(&record), &r);
        Ok(ReviewPreview {
            entitlement: e,
            result,
            new_fen,
            from: next,
            reason,
            needs_sign_off,
            outcome,
            decision,
            next_review,
        })
    }

    /// Reviews an open entitlement as [`App::review_preview`] concludes: recorded at once when
    /// it continues or the amount rises (or the county itself reviews); an exit or a lower
    /// amount by the township is filed for the county's sign-off instead, with the caseworker's
    /// `note`, and nothing changes for the household until the county signs.
    pub async fn review(
        &self,
        actor: &Actor,
        household: HouseholdId,
        entitlement: i64,
        note: &str,
    ) -> Result<ReviewDone, Error> {
        let preview = self.review_preview(actor, household, entitlement).await?;
        if preview.needs_sign_off {
            let proposal = self
                .store()
                .propose_review(
                    actor,
                    &NewReviewProposal {
                        entitlement,
                        result: preview.result,
                        monthly_fen: preview.new_fen,
                        reason: preview.reason.clone(),
                        note: note.trim().to_owned(),
                    },
                )
                .await?;
            return Ok(ReviewDone::Proposed { proposal, preview });
        }
        let stopped = self.record(actor, &preview, None).await?;
        Ok(ReviewDone::Recorded { stopped, preview })
    }

    /// The county signs off a township's review proposal: the household is evaluated again
    /// today, and the review is recorded only when it still concludes what was proposed (same
    /// result, same amount); otherwise the county is told what changed and the proposal stays
    /// for it to refuse and the township to review again.
    pub async fn sign_off_review(
        &self,
        actor: &Actor,
        household: HouseholdId,
        proposal: i64,
    ) -> Result<ReviewDone, Error> {
        if actor.role != Role::CountyApprover && actor.role != Role::System {
            return Err(StoreError::Forbidden.into());
        }
        let p = self
            .store()
            .review_proposals(actor, Some(household))
            .await?
            .into_iter()
            .find(|p| p.id == proposal)
            .ok_or(StoreError::NotFound)?;
        if p.state != ProposalState::Pending {
            return Err(
                StoreError::Invalid(format!("该复核提议{}，不能再审批", p.state.label())).into(),
            );
        }
        let preview = self.review_preview(actor, household, p.entitlement).await?;
        if preview.result != p.result || preview.new_fen != p.monthly_fen {
            let said = |result: ReviewResult, fen: i64| match result {
                ReviewResult::Exit => "退出".to_owned(),
                _ => format!("每月{}", doudi_core::Money::from_fen(fen)),
            };
            return Err(StoreError::Invalid(format!(
                "家庭情况或政策参数自提出复核以来已有变化：提议为{}，按今天的数据测算为{}。请不同意本提议并写明原因，由乡镇重新复核",
                said(p.result, p.monthly_fen),
                said(preview.result, preview.new_fen)
            ))
            .into());
        }
        let stopped = self.record(actor, &preview, Some(proposal)).await?;
        Ok(ReviewDone::Recorded { stopped, preview })
    }

    /// The county does not sign off a township's review proposal: the entitlement continues
    /// unchanged, and `note` tells the township why.
    pub async fn reject_review(
        &self,
        actor: &Actor,
        proposal: i64,
        note: &str,
    ) -> Result<(), Error> {
        Ok(self
            .store()
            .reject_review_proposal(actor, proposal, note)
            .await?)
    }

    async fn record(
        &self,
        actor: &Actor,
        preview: &ReviewPreview,
        proposal: Option<i64>,
    ) -> Result<Stopped, Error> {
        let reason = match proposal {
            Some(id) => format!("{}（县民政局审批同意乡镇复核提议{id}）", preview.reason),
            None => preview.reason.clone(),
        };
        Ok(self
            .store()
            .record_review(
                actor,
                &NewReview {
                    entitlement: preview.entitlement.id,
                    result: preview.result,
                    decision: preview.decision.clone(),
                    reason,
                    proposal,
                },
                preview.next_review,
            )
            .await?)
    }
}

/// What a review concludes, before and after it is confirmed.
#[derive(Clone, Debug)]
pub struct ReviewPreview {
    /// The period reviewed, as it stands.
    pub entitlement: Entitlement,
    /// Continue, adjust or exit.
    pub result: ReviewResult,
    /// The monthly amount from `from` (0 for an exit).
    pub new_fen: i64,
    /// The first month of the new amount, or the first month no longer paid.
    pub from: Month,
    /// Why, in words.
    pub reason: String,
    /// Whether the county must sign off before anything changes.
    pub needs_sign_off: bool,
    /// The evaluation behind it (with its explanation).
    pub outcome: Outcome,
    decision: NewDecision,
    next_review: NaiveDate,
}

/// What confirming a review did.
#[derive(Clone, Debug)]
pub enum ReviewDone {
    /// Recorded: what stopped with it (for an exit).
    Recorded {
        /// Benefits, cases and payment lines that stopped.
        stopped: Stopped,
        /// What was concluded.
        preview: ReviewPreview,
    },
    /// Filed for the county's sign-off; nothing changed yet.
    Proposed {
        /// The proposal's id.
        proposal: i64,
        /// What was concluded.
        preview: ReviewPreview,
    },
}

/// The restatement of an open period by a new decision: the period keeps its review class and
/// next review date.
fn restatement(e: &Entitlement, decision: NewDecision, reason: String) -> Restatement {
    Restatement {
        entitlement: e.id,
        decision: NewDecision {
            review_class: e.review_class,
            next_review: e.next_review,
            ..decision
        },
        reason,
    }
}

/// What recording a department's death record did, as the outcome of its alert: payments stop
/// from the month after the death (the only member), or the rest of the household is decided
/// again from then.
pub(crate) fn death_outcome(died_on: NaiveDate, only_member: bool) -> String {
    let from = Month::of(died_on).plus(1);
    if only_member {
        format!("已按死亡信息登记死亡，自{from}起停发（唯一成员）")
    } else {
        format!("已按死亡信息登记死亡，自{from}起按其余成员重新核定")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(op: &str) -> StepInput {
        StepInput {
            op: op.into(),
            ..StepInput::default()
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn fields(e: Error) -> Vec<&'static str> {
        match e {
            Error::Fields(problems) => problems.into_iter().map(|(f, _)| f).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_step_reads_its_own_fields_with_dates_in_any_accepted_form() {
        let cases = [
            (
                StepInput {
                    visited_on: "2026年3月2日".into(),
                    visit_notes: " 已入户 ".into(),
                    ..input("investigate")
                },
                Action::Investigate(Investigation {
                    visited_on: day(2026, 3, 2),
                    visit_notes: "已入户".into(),
                    finances_reference: String::new(),
                    survey_on_file: false,
                }),
            ),
            (
                StepInput {
                    held_on: "2026/3/5".into(),
                    conclusion: "同意".into(),
                    ..input("appraise")
                },
                Action::Appraise {
                    held_on: day(2026, 3, 5),
                    conclusion: "同意".into(),
                },
            ),
            (
                StepInput {
                    from: "20260310".into(),
                    ..input("start_notice")
                },
                Action::StartNotice {
                    from: day(2026, 3, 10),
                },
            ),
            (
                StepInput {
                    missing: vec![" 户口簿 ".into(), "  ".into(), "收入证明".into()],
                    ..input("return")
                },
                Action::Return {
                    missing: vec!["户口簿".into(), "收入证明".into()],
                },
            ),
            (
                StepInput {
                    number: " 2 ".into(),
                    upheld: true,
                    resolution: "重新调查".into(),
                    ..input("resolve_objection")
                },
                Action::ResolveObjection {
                    number: 2,
                    upheld: true,
                    resolution: "重新调查".into(),
                },
            ),
            (input("withdraw"), Action::Withdraw),
        ];
        for (input, action) in cases {
            assert_eq!(input.action().unwrap(), action, "{input:?}");
        }
    }

    #[test]
    fn a_bad_date_number_or_step_names_the_field_at_fault() {
        let cases = [
            (
                StepInput {
                    visited_on: "昨天".into(),
                    ..input("investigate")
                },
                "visited_on",
            ),
            (input("appraise"), "held_on"),
            (
                StepInput {
                    from: "2026-02-30".into(),
                    ..input("start_notice")
                },
                "from",
            ),
            (
                StepInput {
                    number: "0".into(),
                    ..input("resolve_objection")
                },
                "number",
            ),
            (
                StepInput {
                    number: "一".into(),
                    ..input("resolve_objection")
                },
                "number",
            ),
            (input("approve_all"), "op"),
        ];
        for (input, field) in cases {
            assert_eq!(
                fields(input.action().unwrap_err()),
                vec![field],
                "{input:?}"
            );
        }
    }
}
