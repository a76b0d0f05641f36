//! One assistance chain per household (一户一条救助链): every application and its steps,
//! every entitlement period, payment, review proposal and department-data alert of a household
//! on one timeline, oldest first. Each part is read through the actor's own rights: a part the
//! role may not read (a paired cadre and applications, say) is left out, not refused.

use chrono::NaiveDate;
use doudi_core::{Actor, HouseholdId, Money};
use doudi_store::StoreError;
use doudi_store::casework::CaseFilter;
use doudi_store::discovery::AlertFilter;

use crate::{App, Error};

/// One event of a household's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainEvent {
    /// The day (the first of the month for a month's event).
    pub on: NaiveDate,
    /// What kind of event: 申请, 待遇, 发放, 复核, 提醒.
    pub kind: &'static str,
    /// What happened, in words.
    pub text: String,
    /// The page that shows it, if any.
    pub href: Option<String>,
}

/// A part the role may not read is an empty part.
fn or_empty<T>(r: Result<Vec<T>, StoreError>) -> Result<Vec<T>, Error> {
    match r {
        Ok(v) => Ok(v),
        Err(StoreError::Forbidden) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

fn clip(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().count() > n {
        out.push('…');
    }
    out
}

impl App {
    /// The household's assistance chain, oldest first (those who read whole households, in
    /// their scope).
    pub async fn assistance_chain(
        &self,
        actor: &Actor,
        household: HouseholdId,
    ) -> Result<Vec<ChainEvent>, Error> {
        let store = self.store();
        // The entitlement periods are the part every reader of the chain may read: they check
        // the household is in scope before anything else is read.
        let periods = store.entitlements(actor, household).await?;
        let mut events = Vec::new();
        let filter = CaseFilter {
            household: Some(household),
            ..CaseFilter::default()
        };
        let cases = match store
            .cases(
                actor,
                &filter,
                doudi_store::Page {
                    offset: 0,
                    limit: 500,
                },
            )
            .await
        {
            Ok(page) => page.rows,
            Err(StoreError::Forbidden) => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        for c in cases {
            let record = store.case(actor, c.id).await?;
            for step in &record.steps {
                events.push(ChainEvent {
                    on: step.on,
                    kind: "申请",
                    text: format!(
                        "{}申请第{}号：{}（{}）{}",
                        record.case.case_type.label(),
                        c.id.0,
                        step.kind.label(),
                        step.actor_name,
                        if step.detail.is_empty() {
                            String::new()
                        } else {
                            format!("：{}", clip(&step.detail, 60))
                        }
                    ),
                    href: Some(format!("/cases/{}", c.id.0)),
                });
            }
        }
        for e in &periods {
            events.push(ChainEvent {
                on: e.from.first_day(),
                kind: "待遇",
                text: format!(
                    "{}自{}起每月{}（待遇期间{}）",
                    e.program.label(),
                    e.from,
                    Money::from_fen(e.monthly_fen),
                    e.id
                ),
                href: Some(format!("/households/{}/entitlements", household.0)),
            });
            if let Some(until) = e.until {
                events.push(ChainEvent {
                    on: until.plus(1).first_day(),
                    kind: "待遇",
                    text: format!(
                        "{}（待遇期间{}）自{}起不再按此发放：{}",
                        e.program.label(),
                        e.id,
                        until.plus(1),
                        e.end_reason.as_deref().unwrap_or("")
                    ),
                    href: Some(format!("/households/{}/entitlements", household.0)),
                });
            }
        }
        for p in or_empty(store.household_payments(actor, household).await)? {
            events.push(ChainEvent {
                on: p.month.first_day(),
                kind: "发放",
                text: format!(
                    "{} {} {}：{}{}",
                    p.month,
                    p.program.label(),
                    Money::from_fen(p.amount_fen),
                    p.status.label(),
                    p.failure.map(|f| format!("（{f}）")).unwrap_or_default()
                ),
                href: None,
            });
        }
        for p in or_empty(store.review_proposals(actor, Some(household)).await)? {
            events.push(ChainEvent {
                on: (p.proposed_at + chrono::TimeDelta::hours(8)).date_naive(),
                kind: "复核",
                text: format!(
                    "复核提议{}：{}（{}）：{}",
                    p.id,
                    p.result.label(),
                    p.state.label(),
                    clip(&p.reason, 60)
                ),
                href: Some(format!(
                    "/households/{}/entitlements#proposal-{}",
                    household.0, p.id
                )),
            });
        }
        let alerts = or_empty(
            store
                .alerts(
                    actor,
                    &AlertFilter {
                        open_only: false,
                        household: Some(household),
                    },
                )
                .await,
        )?;
        for a in alerts {
            events.push(ChainEvent {
                on: (a.created_at + chrono::TimeDelta::hours(8)).date_naive(),
                kind: "提醒",
                text: format!(
                    "{}提醒（{}，{}）：{}{}",
                    a.level.label(),
                    a.rule.label(),
                    a.state.label(),
                    clip(&a.reason, 80),
                    a.outcome
                        .map(|o| format!("；处理结果：{o}"))
                        .unwrap_or_default()
                ),
                href: Some(format!("/alerts?all=1#alert-{}", a.id)),
            });
        }
        events.sort_by_key(|e| e.on);
        Ok(events)
    }
}
