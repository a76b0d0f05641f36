//! Funds supervision (5.2) as use cases: budgets per programme and year against what was paid
//! month by month, every payment line traced to its decision, the six audit checks
//! ([`doudi_core::funds::check_month`]) run after every payment run and on demand, and the
//! findings worked by auditors. The pages, the API and the payment run call these.
//!
//! **Invariant:** the checks never undo a payment run: they run after it committed, and a
//! failure is recorded as a failed check run (shown on the findings page) and logged, never
//! returned as the run's error.

use doudi_core::disaster::PaymentProgram;
use doudi_core::funds::{CheckKind, FindingState, check_month, may_run_checks};
use doudi_core::{Actor, Money, Month};
use doudi_store::funds::{
    Budget, CheckRun, Finding, FindingChange, FindingFilter, FindingNote, TRIGGER_DEMAND,
    TRIGGER_RUN, TracedPayment,
};

use crate::{App, Error};

/// A programme's funds in a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeFunds {
    /// The programme.
    pub program: PaymentProgram,
    /// The budget in force (the newest set), if any.
    pub budget: Option<Budget>,
    /// Paid per month, January first (lines the bank refused do not count).
    pub monthly: [Money; 12],
    /// Paid in the year.
    pub spent: Money,
    /// What is left of the budget (negative when over).
    pub left: Option<Money>,
    /// Whether spending is above the budget.
    pub over: bool,
}

/// The funds of a year: per programme, and every budget row set for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundsYear {
    /// The year.
    pub year: i32,
    /// Per programme, in vocabulary order.
    pub programmes: Vec<ProgrammeFunds>,
    /// Every budget set for the year, newest first (who and when).
    pub history: Vec<Budget>,
}

/// A budget as typed in a form or sent as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BudgetInput {
    /// The programme's code or label.
    pub program: String,
    /// The year.
    pub year: String,
    /// The amount in yuan.
    pub amount_yuan: String,
    /// Why, in words.
    pub note: String,
}

/// A change to a finding as typed in a form or sent as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingInput {
    /// `note`, `assign`, `investigating`, `confirmed` or `dismissed`.
    pub action: String,
    /// The auditor's user id (assign).
    pub assignee: String,
    /// The words.
    pub note: String,
}

/// Reads a month `YYYY-MM` from `field`.
pub fn parse_month(field: &'static str, text: &str) -> Result<Month, Error> {
    Month::parse(text.trim()).map_err(|_| {
        Error::invalid(
            field,
            format!("月份“{}”应写作“年-月”，例如2026-11", text.trim()),
        )
    })
}

impl BudgetInput {
    /// The programme, year and amount, or every field's error.
    pub fn parse(&self) -> Result<(PaymentProgram, i32, Money), Error> {
        let mut errors = Vec::new();
        let program = PaymentProgram::parse(self.program.trim())
            .map_err(|_| errors.push(("program", "请选择发放项目".to_owned())))
            .ok();
        let year = self
            .year
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .or_else(|| {
                errors.push((
                    "year",
                    format!("年度“{}”应为2000至2100之间的年份", self.year.trim()),
                ));
                None
            });
        let amount = match Money::parse_non_negative_yuan(&self.amount_yuan) {
            Ok(m) => Some(m),
            Err(e) => {
                errors.push(("amount_yuan", format!("预算金额：{e}")));
                None
            }
        };
        match (program, year, amount) {
            (Some(p), Some(y), Some(a)) if errors.is_empty() => Ok((p, y, a)),
            _ => Err(Error::Fields(errors)),
        }
    }
}

impl FindingInput {
    /// The change, or the field at fault.
    pub fn parse(&self) -> Result<FindingChange, Error> {
        let note = self.note.trim().to_owned();
        match self.action.trim() {
            "note" => {
                if note.is_empty() {
                    return Err(Error::invalid("note", "请填写核查记录的内容"));
                }
                Ok(FindingChange::Note(note))
            }
            "assign" => {
                let assignee = self
                    .assignee
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| Error::invalid("assignee", "请选择指派的监督审计人员"))?;
                Ok(FindingChange::Assign { assignee, note })
            }
            other => {
                let to = FindingState::parse(other)
                    .ok()
                    .filter(|s| *s != FindingState::Open)
                    .ok_or_else(|| {
                        Error::invalid("action", "操作应为记录、指派、核查中、属实或不属实之一")
                    })?;
                if to.is_closed() && note.is_empty() {
                    return Err(Error::invalid("note", "核查结论须写明理由（核查情况）"));
                }
                Ok(FindingChange::Move { to, note })
            }
        }
    }
}

/// The funds of a year from its budget rows (newest first) and spending.
pub fn funds_year(
    year: i32,
    history: Vec<Budget>,
    spending: &[doudi_store::funds::Spending],
) -> FundsYear {
    let programmes = PaymentProgram::ALL
        .iter()
        .map(|&program| {
            let budget = history.iter().find(|b| b.program == program).cloned();
            let mut monthly = [Money::ZERO; 12];
            for s in spending
                .iter()
                .filter(|s| s.program == program && s.month.year() == year)
            {
                let i = usize::try_from(s.month.number().saturating_sub(1))
                    .unwrap_or(0)
                    .min(11);
                monthly[i] = monthly[i].saturating_add(s.amount);
            }
            let spent = monthly
                .iter()
                .fold(Money::ZERO, |a, m| a.saturating_add(*m));
            let left = budget
                .as_ref()
                .map(|b| Money::from_fen(b.amount.fen().saturating_sub(spent.fen())));
            ProgrammeFunds {
                program,
                over: left.is_some_and(|l| l.is_negative()),
                budget,
                monthly,
                spent,
                left,
            }
        })
        .collect();
    FundsYear {
        year,
        programmes,
        history,
    }
}

impl App {
    /// Sets a programme's budget for a year (the county approver).
    pub async fn set_budget(&self, actor: &Actor, input: &BudgetInput) -> Result<Budget, Error> {
        let (program, year, amount) = input.parse()?;
        Ok(self
            .store()
            .set_budget(actor, program, year, amount, &input.note)
            .await?)
    }

    /// The budgets and spending of a year.
    pub async fn funds_year(&self, actor: &Actor, year: i32) -> Result<FundsYear, Error> {
        let history = self.store().budgets(actor, year).await?;
        let spending = self.store().spending(actor, year).await?;
        Ok(funds_year(year, history, &spending))
    }

    /// The payment lines of a month traced to their decisions.
    pub async fn traced_payments(
        &self,
        actor: &Actor,
        month: Month,
    ) -> Result<Vec<TracedPayment>, Error> {
        Ok(self.store().traced_payments(actor, month).await?)
    }

    /// Runs the six checks for a month and keeps the findings (each once); a failure to read
    /// is recorded as a failed run before it is returned.
    pub async fn run_checks(&self, actor: &Actor, month: Month) -> Result<CheckRun, Error> {
        self.checks(actor, month, TRIGGER_DEMAND).await
    }

    async fn checks(&self, actor: &Actor, month: Month, trigger: &str) -> Result<CheckRun, Error> {
        if !may_run_checks(actor) {
            return Err(doudi_store::StoreError::Forbidden.into());
        }
        let store = self.store();
        match store.check_input(actor, month).await {
            Ok(input) => {
                let findings = check_month(month, &input);
                Ok(store
                    .record_check_run(actor, month, trigger, Ok(&findings))
                    .await?)
            }
            Err(e) => {
                let words = format!("读取核查数据失败：{e}");
                store
                    .record_check_run(actor, month, trigger, Err(&words))
                    .await?;
                Err(e.into())
            }
        }
    }

    /// After a payment run committed: the checks of its month, whose failure is recorded and
    /// logged but never undoes the run (it is already committed) nor fails it.
    pub(crate) async fn checks_after_run(&self, actor: &Actor, month: Month) {
        if !may_run_checks(actor) {
            return;
        }
        if let Err(e) = self.checks(actor, month, TRIGGER_RUN).await {
            tracing::warn!(%month, error = %e, "the funds checks after a payment run failed");
        }
    }

    /// The runs of the checks (of a month, or the latest).
    pub async fn check_runs(
        &self,
        actor: &Actor,
        month: Option<Month>,
    ) -> Result<Vec<CheckRun>, Error> {
        Ok(self.store().check_runs(actor, month).await?)
    }

    /// The findings of the actor's scope.
    pub async fn findings(
        &self,
        actor: &Actor,
        filter: &FindingFilter,
    ) -> Result<Vec<Finding>, Error> {
        Ok(self.store().findings(actor, filter).await?)
    }

    /// One finding with its notes.
    pub async fn finding(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(Finding, Vec<FindingNote>), Error> {
        Ok(self.store().finding(actor, id).await?)
    }

    /// Notes on, assigns or moves a finding.
    pub async fn change_finding(
        &self,
        actor: &Actor,
        id: i64,
        input: &FindingInput,
    ) -> Result<Finding, Error> {
        let change = input.parse()?;
        Ok(self.store().change_finding(actor, id, &change).await?)
    }

    /// The auditors a finding may be assigned to.
    pub async fn auditors(&self, actor: &Actor) -> Result<Vec<(i64, String)>, Error> {
        Ok(self.store().auditors(actor).await?)
    }
}

/// Reads a check's code or label, for filters.
pub fn parse_check(field: &'static str, text: &str) -> Result<Option<CheckKind>, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    CheckKind::parse(t)
        .map(Some)
        .map_err(|_| Error::invalid(field, format!("核查规则“{t}”不存在")))
}

/// Reads a finding state's code or label, for filters.
pub fn parse_state(field: &'static str, text: &str) -> Result<Option<FindingState>, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    FindingState::parse(t)
        .map(Some)
        .map_err(|_| Error::invalid(field, format!("核查状态“{t}”不存在")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_names_every_bad_field() {
        let e = BudgetInput {
            program: "x".into(),
            year: "1999".into(),
            amount_yuan: "-1".into(),
            note: String::new(),
        }
        .parse()
        .unwrap_err();
        let Error::Fields(f) = e else {
            panic!("fields expected")
        };
        let fields: Vec<&str> = f.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["program", "year", "amount_yuan"]);
    }

    #[test]
    fn spending_above_the_budget_is_flagged_with_what_is_left() {
        let budget = Budget {
            id: 1,
            program: PaymentProgram::Dibao,
            year: 2026,
            amount: Money::from_yuan(1_000),
            note: String::new(),
            set_by: "县民政局".into(),
            set_at: chrono::DateTime::UNIX_EPOCH,
        };
        let spent = |m: u32, y: i64| doudi_store::funds::Spending {
            program: PaymentProgram::Dibao,
            month: Month::new(2026, m).expect("a month"),
            amount: Money::from_yuan(y),
            lines: 1,
        };
        let year = funds_year(2026, vec![budget], &[spent(1, 600), spent(11, 500)]);
        let dibao = &year.programmes[0];
        assert_eq!(dibao.monthly[0], Money::from_yuan(600));
        assert_eq!(dibao.monthly[10], Money::from_yuan(500));
        assert_eq!(dibao.spent, Money::from_yuan(1_100));
        assert_eq!(dibao.left, Some(Money::from_yuan(-100)));
        assert!(dibao.over);
        assert!(!year.programmes[1].over && year.programmes[1].left.is_none());
    }

    #[test]
    fn closing_a_finding_needs_a_reason() {
        let input = FindingInput {
            action: "confirmed".into(),
            ..FindingInput::default()
        };
        assert!(matches!(
            input.parse(),
            Err(Error::Invalid { field: "note", .. })
        ));
        let input = FindingInput {
            action: "open".into(),
            ..FindingInput::default()
        };
        assert!(matches!(
            input.parse(),
            Err(Error::Invalid {
                field: "action",
                ..
            })
        ));
    }
}
