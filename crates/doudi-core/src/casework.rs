//! Casework (4.2.b): an application's way from submission to a county decision, as a pure state
//! machine. The store keeps the state and every step; this module decides which step may follow
//! which, and refuses any other with a message naming the current state and the action.
//!
//! The way of a case, for the types that need all of it (dibao, tekun, temporary assistance):
//!
//! ```text
//! submitted ──accept──▶ accepted ──investigate──▶ investigated ──appraise──▶ appraised
//!     ▲  └──return (missing materials)──▶ returned        (the types without an appraisal skip it)
//!     └──────────── resubmit ────────────────┘
//! appraised ──township opinion──▶ township_reviewed ──start notice──▶ under_notice
//!     (not recommended: refused)                         │ objections recorded and resolved;
//!                                                        │ an upheld one sends the case back to
//!                                                        ▼ accepted for a new investigation
//! under_notice ──(notice over, no open objection) approve / refuse──▶ approved | refused
//! ```
//!
//! The types without a public notice (medical, education, housing, employment help) go from the
//! township opinion straight to the county decision.
//!
//! **Invariant:** a case's state changes only through [`apply`], which checks the actor's role
//! and the step's preconditions (dates, open objections) and returns what to record.
//!
//! Time limits (渝民发〔2023〕3号): the whole process within a number of working days of
//! acceptance, more for a complex case (an objection, a household split across places, hard
//! checks). Working days skip Saturdays and Sundays; public holidays are not known to the code
//! (a county calendar would be a parameter), so the deadline may come a holiday or two early.

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};

use crate::access::Role;
use crate::household::Category;
use crate::vocabulary;

vocabulary! {
    /// What is applied for (4.2.b, 2.4–2.8).
    CaseType, "救助事项" {
        /// Urban dibao, income type (2.1.a).
        Dibao = ("dibao", "城市低保"),
        /// Urban dibao, expenditure type (2.1.b).
        ExpenditureDibao = ("expenditure_dibao", "支出型低保"),
        /// Urban tekun support (2.2).
        Tekun = ("tekun", "城市特困人员供养"),
        /// Emergency temporary assistance (2.8.a).
        EmergencyTemporary = ("temporary_emergency", "急难型临时救助"),
        /// Expenditure temporary assistance (2.8.b).
        ExpenditureTemporary = ("temporary_expenditure", "支出型临时救助"),
        /// Medical assistance (2.4).
        Medical = ("medical", "医疗救助"),
        /// Education aid (2.5).
        Education = ("education", "教育救助"),
        /// Housing (2.6).
        Housing = ("housing", "住房救助"),
        /// Employment help (2.7).
        Employment = ("employment", "就业帮扶"),
    }
}

impl CaseType {
    /// Whether the case goes through democratic appraisal (民主评议): the monthly benefits and
    /// temporary assistance.
    pub fn needs_appraisal(self) -> bool {
        matches!(
            self,
            CaseType::Dibao
                | CaseType::ExpenditureDibao
                | CaseType::Tekun
                | CaseType::EmergencyTemporary
                | CaseType::ExpenditureTemporary
        )
    }

    /// Whether the case is publicly noticed (公示) before the county decides: the same types.
    pub fn needs_notice(self) -> bool {
        self.needs_appraisal()
    }

    /// The registry category whose monthly benefit an approval starts, if the type pays monthly.
    pub fn monthly_category(self) -> Option<Category> {
        match self {
            CaseType::Dibao | CaseType::ExpenditureDibao => Some(Category::Dibao),
            CaseType::Tekun => Some(Category::Tekun),
            _ => None,
        }
    }
}

vocabulary! {
    /// Where a case stands.
    CaseState, "办理状态" {
        /// Handed in at the township or community, not yet checked for completeness.
        Submitted = ("submitted", "已提交"),
        /// Returned to the applicant: materials are missing (listed in the step).
        Returned = ("returned", "材料不全已退回"),
        /// Accepted by the township: the time limit runs.
        Accepted = ("accepted", "已受理"),
        /// Home visit, household finances check and 三清 survey done.
        Investigated = ("investigated", "已调查核实"),
        /// Democratic appraisal held.
        Appraised = ("appraised", "已民主评议"),
        /// The township gave its opinion and recommends approval.
        TownshipReviewed = ("township_reviewed", "乡镇已审核"),
        /// Publicly noticed; objections may be raised until the notice ends.
        UnderNotice = ("under_notice", "公示中"),
        /// Approved by the county: the entitlement starts.
        Approved = ("approved", "已批准"),
        /// Refused (by the county, or not recommended by the township), with the reason.
        Refused = ("refused", "不予批准"),
        /// Withdrawn by the applicant.
        Withdrawn = ("withdrawn", "已撤回"),
    }
}

impl CaseState {
    /// Whether nothing more happens to the case.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CaseState::Approved | CaseState::Refused | CaseState::Withdrawn
        )
    }
}

vocabulary! {
    /// The kind of a step, as history lists it.
    StepKind, "办理环节" {
        Submit = ("submit", "提交申请"),
        Accept = ("accept", "受理"),
        Return = ("return", "退回补正"),
        Resubmit = ("resubmit", "补正后重新提交"),
        Investigate = ("investigate", "调查核实"),
        Appraise = ("appraise", "民主评议"),
        TownshipOpinion = ("township_opinion", "乡镇审核意见"),
        StartNotice = ("start_notice", "开始公示"),
        Object = ("object", "登记异议"),
        ResolveObjection = ("resolve_objection", "处理异议"),
        Approve = ("approve", "县民政局批准"),
        Refuse = ("refuse", "不予批准"),
        Withdraw = ("withdraw", "撤回申请"),
    }
}

/// What the investigation found (入户调查、家庭经济状况核对、三清调查).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Investigation {
    /// The day of the home visit.
    pub visited_on: NaiveDate,
    /// What the visit found.
    pub visit_notes: String,
    /// Reference of the household finances check (核对报告编号), the evidence it rests on.
    pub finances_reference: String,
    /// Whether the household's 三清 survey is on file (the store checks it).
    pub survey_on_file: bool,
}

/// One step a caseworker or the county takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The township accepts the application; `complex` asks for the longer time limit.
    Accept {
        /// A household split across places or hard checks (the longer limit).
        complex: bool,
    },
    /// The application is returned for missing materials.
    Return {
        /// What is missing, one item each.
        missing: Vec<String>,
    },
    /// The applicant hands in the missing materials.
    Resubmit,
    /// Investigation done.
    Investigate(Investigation),
    /// Democratic appraisal held.
    Appraise {
        /// The day.
        held_on: NaiveDate,
        /// Its conclusion, as minuted.
        conclusion: String,
    },
    /// The township's opinion.
    TownshipOpinion {
        /// Whether the township recommends approval; if not, the case is refused.
        recommend: bool,
        /// The opinion, as written.
        opinion: String,
    },
    /// The public notice starts (its length is a parameter).
    StartNotice {
        /// The first day of the notice.
        from: NaiveDate,
    },
    /// An objection is raised during the notice.
    Object {
        /// What the objection says (no name of who raised it is needed).
        text: String,
    },
    /// An objection is resolved.
    ResolveObjection {
        /// Its number in the case, from 1.
        number: usize,
        /// Whether it was upheld; an upheld objection sends the case back to be investigated
        /// again.
        upheld: bool,
        /// How it was resolved.
        resolution: String,
    },
    /// The county approves.
    Approve,
    /// The county refuses.
    Refuse {
        /// Why, said to the applicant.
        reason: String,
    },
    /// The applicant withdraws.
    Withdraw,
}

impl Action {
    /// The kind of step this action records.
    pub fn kind(&self) -> StepKind {
        match self {
            Action::Accept { .. } => StepKind::Accept,
            Action::Return { .. } => StepKind::Return,
            Action::Resubmit => StepKind::Resubmit,
            Action::Investigate(_) => StepKind::Investigate,
            Action::Appraise { .. } => StepKind::Appraise,
            Action::TownshipOpinion { .. } => StepKind::TownshipOpinion,
            Action::StartNotice { .. } => StepKind::StartNotice,
            Action::Object { .. } => StepKind::Object,
            Action::ResolveObjection { .. } => StepKind::ResolveObjection,
            Action::Approve => StepKind::Approve,
            Action::Refuse { .. } => StepKind::Refuse,
            Action::Withdraw => StepKind::Withdraw,
        }
    }

    /// What the step records, in Chinese, as the case's history shows it.
    pub fn detail(&self) -> String {
        match self {
            Action::Accept { complex: true } => "受理（复杂案件，适用延长办理时限）".into(),
            Action::Accept { complex: false } => "受理".into(),
            Action::Return { missing } => format!("缺少材料：{}", missing.join("；")),
            Action::Resubmit => "已补齐材料".into(),
            Action::Investigate(i) => format!(
                "入户调查（{}）：{}；家庭经济状况核对报告：{}；三清调查已建档",
                i.visited_on,
                i.visit_notes.trim(),
                i.finances_reference.trim()
            ),
            Action::Appraise {
                held_on,
                conclusion,
            } => format!("民主评议（{held_on}）：{}", conclusion.trim()),
            Action::TownshipOpinion { recommend, opinion } => format!(
                "{}：{}",
                if *recommend {
                    "同意上报"
                } else {
                    "不同意上报"
                },
                opinion.trim()
            ),
            Action::StartNotice { from } => format!("公示自{from}起"),
            Action::Object { text } => format!("异议：{}", text.trim()),
            Action::ResolveObjection {
                number,
                upheld,
                resolution,
            } => format!(
                "第{number}条异议{}：{}",
                if *upheld {
                    "经核实成立，重新调查"
                } else {
                    "经核实不成立"
                },
                resolution.trim()
            ),
            Action::Approve => "批准".into(),
            Action::Refuse { reason } => format!("不予批准：{}", reason.trim()),
            Action::Withdraw => "申请人撤回申请".into(),
        }
    }

    /// Whether a role may take this step at all (the store checks the scope).
    pub fn allowed_for(&self, role: Role) -> bool {
        match self {
            Action::Approve | Action::Refuse { .. } => {
                matches!(role, Role::CountyApprover | Role::System)
            }
            Action::Object { .. } | Action::ResolveObjection { .. } => matches!(
                role,
                Role::TownshipCaseworker | Role::CountyApprover | Role::System
            ),
            Action::Resubmit | Action::Withdraw => matches!(
                role,
                Role::CommunityWorker | Role::TownshipCaseworker | Role::System
            ),
            _ => matches!(role, Role::TownshipCaseworker | Role::System),
        }
    }
}

/// Who may submit an application: community workers, township caseworkers, the county approver.
pub fn may_submit(role: Role) -> bool {
    matches!(
        role,
        Role::CommunityWorker | Role::TownshipCaseworker | Role::CountyApprover | Role::System
    )
}

/// An objection raised during the public notice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Objection {
    /// Its number in the case, from 1.
    pub number: usize,
    /// When it was raised.
    pub raised_on: NaiveDate,
    /// What it says.
    pub text: String,
    /// How it was resolved, once it is: upheld or not, and the resolution.
    pub resolution: Option<(bool, String)>,
}

impl Objection {
    /// Whether it still waits for a resolution.
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }
}

/// The time limits and the notice length in force (parameters of doudi-policy, handed in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Days a public notice lasts.
    pub notice_days: u32,
    /// Working days from acceptance to decision.
    pub working_days: u32,
    /// Working days for a complex case.
    pub working_days_complex: u32,
}

impl Default for Limits {
    /// The national practice and 渝民发〔2023〕3号: 7 days of notice, 25 or 40 working days.
    fn default() -> Limits {
        Limits {
            notice_days: 7,
            working_days: 25,
            working_days_complex: 40,
        }
    }
}

/// A case as the state machine sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// What is applied for.
    pub case_type: CaseType,
    /// Where it stands.
    pub state: CaseState,
    /// When it was accepted (the time limit runs from then).
    pub accepted_on: Option<NaiveDate>,
    /// Whether the longer time limit applies (set at acceptance, or by an objection).
    pub complex: bool,
    /// The public notice, first and last day, once started.
    pub notice: Option<(NaiveDate, NaiveDate)>,
    /// Objections, in the order raised.
    pub objections: Vec<Objection>,
    /// The reason of a refusal.
    pub refusal: Option<String>,
}

impl Case {
    /// A case just submitted.
    pub fn new(case_type: CaseType) -> Case {
        Case {
            case_type,
            state: CaseState::Submitted,
            accepted_on: None,
            complex: false,
            notice: None,
            objections: Vec::new(),
            refusal: None,
        }
    }

    /// The last day allowed for the decision, once accepted.
    pub fn deadline(&self, limits: &Limits) -> Option<NaiveDate> {
        let days = if self.complex || !self.objections.is_empty() {
            limits.working_days_complex
        } else {
            limits.working_days
        };
        self.accepted_on.map(|d| add_working_days(d, days))
    }

    /// Whether the case is past its time limit on `today` and still not decided.
    pub fn is_overdue(&self, limits: &Limits, today: NaiveDate) -> bool {
        !self.state.is_final() && self.deadline(limits).is_some_and(|d| today > d)
    }

    /// Whether an objection is still open.
    pub fn has_open_objection(&self) -> bool {
        self.objections.iter().any(Objection::is_open)
    }
}

/// The day `n` working days after `from` (Saturdays and Sundays skipped).
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day += TimeDelta::days(1);
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

/// Why a step was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    /// The step does not follow from the current state.
    #[error("当前状态为“{state}”，不能执行“{action}”{hint}")]
    Illegal {
        /// The current state.
        state: CaseState,
        /// The step attempted.
        action: StepKind,
        /// What would be allowed, or why not (starts with a Chinese comma when present).
        hint: String,
    },
    /// The actor's role may not take this step.
    #[error("{role}不能执行“{action}”")]
    Role {
        /// The role.
        role: Role,
        /// The step.
        action: StepKind,
    },
    /// Something the step needs is missing or wrong (said in the message).
    #[error("{0}")]
    Invalid(String),
}

/// Applies a step to a case on `today`: the case as it then stands, or why not.
pub fn apply(
    case: &Case,
    action: &Action,
    role: Role,
    today: NaiveDate,
    limits: &Limits,
) -> Result<Case, CaseError> {
    let kind = action.kind();
    if !action.allowed_for(role) {
        return Err(CaseError::Role { role, action: kind });
    }
    let illegal = |hint: &str| CaseError::Illegal {
        state: case.state,
        action: kind,
        hint: if hint.is_empty() {
            String::new()
        } else {
            format!("，{hint}")
        },
    };
    let required = |text: &str, what: &str| {
        if text.trim().is_empty() {
            Err(CaseError::Invalid(format!("请填写{what}")))
        } else {
            Ok(())
        }
    };
    let mut next = case.clone();
    use CaseState as S;
    match (case.state, action) {
        (S::Submitted, Action::Accept { complex }) => {
            next.state = S::Accepted;
            next.accepted_on = Some(today);
            next.complex = *complex;
        }
        (S::Submitted, Action::Return { missing }) => {
            if missing.iter().all(|m| m.trim().is_empty()) {
                return Err(CaseError::Invalid(
                    "退回补正须列明缺少的材料（每行一项）".into(),
                ));
            }
            next.state = S::Returned;
        }
        (S::Returned, Action::Resubmit) => next.state = S::Submitted,
        (S::Accepted, Action::Investigate(i)) => {
            required(&i.visit_notes, "入户调查情况")?;
            required(&i.finances_reference, "家庭经济状况核对报告编号")?;
            if !i.survey_on_file {
                return Err(CaseError::Invalid(
                    "该户尚未建立三清调查（家庭情况、致贫原因、帮扶需求），请先填写三清调查".into(),
                ));
            }
            if i.visited_on > today {
                return Err(CaseError::Invalid(format!(
                    "入户调查日期{}晚于今天",
                    i.visited_on
                )));
            }
            next.state = S::Investigated;
        }
        (
            S::Investigated,
            Action::Appraise {
                held_on,
                conclusion,
            },
        ) => {
            if !case.case_type.needs_appraisal() {
                return Err(illegal(&format!(
                    "{}不需要民主评议，请直接填写乡镇审核意见",
                    case.case_type
                )));
            }
            required(conclusion, "民主评议结论")?;
            if *held_on > today {
                return Err(CaseError::Invalid(format!("评议日期{held_on}晚于今天")));
            }
            next.state = S::Appraised;
        }
        (S::Investigated, Action::TownshipOpinion { .. }) if case.case_type.needs_appraisal() => {
            return Err(illegal("须先进行民主评议"));
        }
        (S::Investigated | S::Appraised, Action::TownshipOpinion { recommend, opinion }) => {
            required(opinion, "乡镇审核意见")?;
            if *recommend {
                next.state = S::TownshipReviewed;
            } else {
                next.state = S::Refused;
                next.refusal = Some(format!("乡镇（街道）审核不同意：{}", opinion.trim()));
            }
        }
        (S::TownshipReviewed, Action::StartNotice { from }) => {
            if !case.case_type.needs_notice() {
                return Err(illegal(&format!(
                    "{}不需要公示，请县民政局直接审批",
                    case.case_type
                )));
            }
            if *from < today {
                return Err(CaseError::Invalid(format!(
                    "公示开始日期{from}早于今天，公示不能补登"
                )));
            }
            let days = limits.notice_days.max(1);
            next.notice = Some((*from, *from + TimeDelta::days(i64::from(days) - 1)));
            next.state = S::UnderNotice;
        }
        (S::UnderNotice, Action::Object { text }) => {
            required(text, "异议内容")?;
            let (first, last) = case.notice.expect("a case under notice has its notice");
            if today < first || today > last {
                return Err(illegal(&format!("公示期为{first}至{last}，不在公示期内")));
            }
            next.objections.push(Objection {
                number: case.objections.len() + 1,
                raised_on: today,
                text: text.trim().to_owned(),
                resolution: None,
            });
            next.complex = true;
        }
        (
            S::UnderNotice,
            Action::ResolveObjection {
                number,
                upheld,
                resolution,
            },
        ) => {
            required(resolution, "异议处理结果")?;
            let Some(objection) = next.objections.iter_mut().find(|o| o.number == *number) else {
                return Err(CaseError::Invalid(format!("没有第{number}条异议")));
            };
            if !objection.is_open() {
                return Err(CaseError::Invalid(format!("第{number}条异议已处理")));
            }
            objection.resolution = Some((*upheld, resolution.trim().to_owned()));
            if *upheld {
                next.state = S::Accepted;
                next.notice = None;
            }
        }
        (S::UnderNotice, Action::Approve | Action::Refuse { .. }) => {
            let (_, last) = case.notice.expect("a case under notice has its notice");
            if case.has_open_objection() {
                return Err(illegal("公示期间有未处理的异议，请先处理异议"));
            }
            if today <= last {
                return Err(illegal(&format!("公示至{last}结束，公示期满后方可审批")));
            }
            decide(&mut next, action)?;
        }
        (S::TownshipReviewed, Action::Approve | Action::Refuse { .. })
            if !case.case_type.needs_notice() =>
        {
            decide(&mut next, action)?;
        }
        (S::TownshipReviewed, Action::Approve | Action::Refuse { .. }) => {
            return Err(illegal("须先公示，公示期满且无未处理异议后方可审批"));
        }
        (state, Action::Withdraw) if !state.is_final() => next.state = S::Withdrawn,
        (state, _) => {
            return Err(illegal(&expected_next(case.case_type, state)));
        }
    }
    Ok(next)
}

fn decide(next: &mut Case, action: &Action) -> Result<(), CaseError> {
    match action {
        Action::Approve => next.state = CaseState::Approved,
        Action::Refuse { reason } => {
            if reason.trim().is_empty() {
                return Err(CaseError::Invalid("不予批准须填写理由".into()));
            }
            next.state = CaseState::Refused;
            next.refusal = Some(reason.trim().to_owned());
        }
        _ => unreachable!("only decisions are decided"),
    }
    Ok(())
}

/// What the case waits for in `state`, for the refusal message.
fn expected_next(case_type: CaseType, state: CaseState) -> String {
    let next: &[StepKind] = match state {
        CaseState::Submitted => &[StepKind::Accept, StepKind::Return],
        CaseState::Returned => &[StepKind::Resubmit],
        CaseState::Accepted => &[StepKind::Investigate],
        CaseState::Investigated if case_type.needs_appraisal() => &[StepKind::Appraise],
        CaseState::Investigated | CaseState::Appraised => &[StepKind::TownshipOpinion],
        CaseState::TownshipReviewed if case_type.needs_notice() => &[StepKind::StartNotice],
        CaseState::TownshipReviewed => &[StepKind::Approve, StepKind::Refuse],
        CaseState::UnderNotice => &[
            StepKind::Object,
            StepKind::ResolveObjection,
            StepKind::Approve,
            StepKind::Refuse,
        ],
        CaseState::Approved | CaseState::Refused | CaseState::Withdrawn => {
            return "该申请已办结".into();
        }
    };
    let names: Vec<String> = next.iter().map(|k| format!("“{}”", k.label())).collect();
    format!("下一步应为{}", names.join("或"))
}

/// The case's next step due today, for work lists: what the office must do, if anything.
pub fn next_task(case: &Case, today: NaiveDate) -> Option<StepKind> {
    use CaseState as S;
    match case.state {
        S::Submitted => Some(StepKind::Accept),
        // The applicant was told what is missing: the community worker or township brings
        // it back (4.2.b), so the case stays on their list.
        S::Returned => Some(StepKind::Resubmit),
        S::Accepted => Some(StepKind::Investigate),
        S::Investigated if case.case_type.needs_appraisal() => Some(StepKind::Appraise),
        S::Investigated | S::Appraised => Some(StepKind::TownshipOpinion),
        S::TownshipReviewed if case.case_type.needs_notice() => Some(StepKind::StartNotice),
        S::TownshipReviewed => Some(StepKind::Approve),
        S::UnderNotice if case.has_open_objection() => Some(StepKind::ResolveObjection),
        S::UnderNotice => match case.notice {
            Some((_, last)) if today > last => Some(StepKind::Approve),
            _ => None,
        },
        S::Approved | S::Refused | S::Withdrawn => None,
    }
}

vocabulary! {
    /// How often a household is reviewed (应退尽退, 4.2.b).
    ReviewClass, "复核类别" {
        /// Stable: no member able to work (the old, the disabled, the seriously ill): yearly.
        Stable = ("stable", "收入稳定（每年复核）"),
        /// Unstable income: a member able to work: every six months.
        Unstable = ("unstable", "收入不稳定（每半年复核）"),
    }
}

vocabulary! {
    /// How a review ends.
    ReviewResult, "复核结论" {
        /// The entitlement continues unchanged.
        Continue = ("continue", "继续享受"),
        /// The amount changes from a month on.
        Adjust = ("adjust", "调整金额"),
        /// The household no longer qualifies: the entitlement ends.
        Exit = ("exit", "退出"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const CW: Role = Role::TownshipCaseworker;
    const COUNTY: Role = Role::CountyApprover;

    fn investigation(today: NaiveDate) -> Investigation {
        Investigation {
            visited_on: today,
            visit_notes: "家中无劳动力，住房简陋".into(),
            finances_reference: "HD-2026-0001".into(),
            survey_on_file: true,
        }
    }

    fn step(case: &Case, action: Action, role: Role, today: &str) -> Case {
        apply(case, &action, role, day(today), &Limits::default())
            .unwrap_or_else(|e| panic!("{action:?} in {:?}: {e}", case.state))
    }

    /// A dibao case walked to the point where the county may decide (notice 2026-03-02..08).
    fn noticed() -> Case {
        let t = "2026-03-02";
        let c = Case::new(CaseType::Dibao);
        let c = step(&c, Action::Accept { complex: false }, CW, t);
        let c = step(&c, Action::Investigate(investigation(day(t))), CW, t);
        let c = step(
            &c,
            Action::Appraise {
                held_on: day(t),
                conclusion: "一致同意".into(),
            },
            CW,
            t,
        );
        let c = step(
            &c,
            Action::TownshipOpinion {
                recommend: true,
                opinion: "符合条件".into(),
            },
            CW,
            t,
        );
        step(&c, Action::StartNotice { from: day(t) }, CW, t)
    }

    /// Every action, with valid content, for the exhaustive tables.
    fn every_action() -> Vec<Action> {
        let t = day("2026-03-02");
        vec![
            Action::Accept { complex: false },
            Action::Return {
                missing: vec!["核查授权书".into()],
            },
            Action::Resubmit,
            Action::Investigate(investigation(t)),
            Action::Appraise {
                held_on: t,
                conclusion: "同意".into(),
            },
            Action::TownshipOpinion {
                recommend: true,
                opinion: "同意".into(),
            },
            Action::StartNotice { from: t },
            Action::Object {
                text: "有车".into(),
            },
            Action::ResolveObjection {
                number: 1,
                upheld: false,
                resolution: "不属实".into(),
            },
            Action::Approve,
            Action::Refuse {
                reason: "收入超标".into(),
            },
            Action::Withdraw,
        ]
    }

    fn in_state(case_type: CaseType, state: CaseState) -> Case {
        let mut c = Case::new(case_type);
        c.state = state;
        c.accepted_on = Some(day("2026-03-02"));
        if state == CaseState::UnderNotice {
            c.notice = Some((day("2026-03-02"), day("2026-03-08")));
        }
        c
    }

    /// Which (state, action) pairs the machine allows for a dibao case, on 2026-03-02 when a
    /// notice from that day runs; everything else must be refused.
    fn allowed_dibao(state: CaseState, kind: StepKind) -> bool {
        use CaseState as S;
        use StepKind as K;
        matches!(
            (state, kind),
            (S::Submitted, K::Accept | K::Return)
                | (S::Returned, K::Resubmit)
                | (S::Accepted, K::Investigate)
                | (S::Investigated, K::Appraise)
                | (S::Appraised, K::TownshipOpinion)
                | (S::TownshipReviewed, K::StartNotice)
                | (S::UnderNotice, K::Object)
        ) || (kind == K::Withdraw && !state.is_final())
    }

    #[test]
    fn every_illegal_transition_of_a_dibao_case_is_refused_naming_state_and_action() {
        for &state in CaseState::ALL {
            for action in every_action() {
                let role = if matches!(action, Action::Approve | Action::Refuse { .. }) {
                    COUNTY
                } else {
                    CW
                };
                let case = in_state(CaseType::Dibao, state);
                let result = apply(&case, &action, role, day("2026-03-02"), &Limits::default());
                let kind = action.kind();
                if allowed_dibao(state, kind) {
                    assert!(result.is_ok(), "{state:?} {kind:?}: {result:?}");
                } else {
                    let message = result
                        .expect_err(&format!("{state:?} {kind:?}"))
                        .to_string();
                    if kind != StepKind::ResolveObjection {
                        assert!(
                            message.contains(state.label()) && message.contains(kind.label()),
                            "{state:?} {kind:?}: {message}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_case_without_appraisal_and_notice_goes_from_the_township_to_the_county() {
        let t = "2026-03-02";
        let c = Case::new(CaseType::Medical);
        let c = step(&c, Action::Accept { complex: false }, CW, t);
        let c = step(&c, Action::Investigate(investigation(day(t))), CW, t);
        let err = apply(
            &c,
            &Action::Appraise {
                held_on: day(t),
                conclusion: "x".into(),
            },
            CW,
            day(t),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("不需要民主评议"), "{err}");
        let c = step(
            &c,
            Action::TownshipOpinion {
                recommend: true,
                opinion: "同意".into(),
            },
            CW,
            t,
        );
        let err = apply(
            &c,
            &Action::StartNotice { from: day(t) },
            CW,
            day(t),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("不需要公示"), "{err}");
        let c = step(&c, Action::Approve, COUNTY, t);
        assert_eq!(c.state, CaseState::Approved);
    }

    #[test]
    fn a_dibao_case_cannot_skip_the_appraisal_nor_the_notice() {
        let t = "2026-03-02";
        let c = in_state(CaseType::Dibao, CaseState::Investigated);
        let err = apply(
            &c,
            &Action::TownshipOpinion {
                recommend: true,
                opinion: "同意".into(),
            },
            CW,
            day(t),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("须先进行民主评议"), "{err}");
        let c = in_state(CaseType::Dibao, CaseState::TownshipReviewed);
        let err = apply(&c, &Action::Approve, COUNTY, day(t), &Limits::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "当前状态为“乡镇已审核”，不能执行“县民政局批准”，须先公示，公示期满且无未处理异议后方可审批"
        );
    }

    #[test]
    fn the_county_cannot_decide_before_the_notice_ends() {
        let c = noticed();
        assert_eq!(c.notice, Some((day("2026-03-02"), day("2026-03-08"))));
        let err = apply(
            &c,
            &Action::Approve,
            COUNTY,
            day("2026-03-08"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("公示至2026-03-08结束"), "{err}");
        let c = step(&c, Action::Approve, COUNTY, "2026-03-09");
        assert_eq!(c.state, CaseState::Approved);
    }

    #[test]
    fn an_objection_during_the_notice_blocks_the_decision_until_it_is_resolved() {
        let c = noticed();
        let c = step(
            &c,
            Action::Object {
                text: "该户有一辆轿车".into(),
            },
            CW,
            "2026-03-04",
        );
        assert!(c.has_open_objection());
        assert!(c.complex, "an objection gives the longer time limit");
        let err = apply(
            &c,
            &Action::Approve,
            COUNTY,
            day("2026-03-10"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("未处理的异议"), "{err}");
        let c = step(
            &c,
            Action::ResolveObjection {
                number: 1,
                upheld: false,
                resolution: "车辆已于2025年过户".into(),
            },
            CW,
            "2026-03-06",
        );
        let c = step(&c, Action::Approve, COUNTY, "2026-03-10");
        assert_eq!(c.state, CaseState::Approved);
    }

    #[test]
    fn an_upheld_objection_sends_the_case_back_to_be_investigated_again() {
        let c = noticed();
        let c = step(
            &c,
            Action::Object {
                text: "有隐瞒收入".into(),
            },
            CW,
            "2026-03-03",
        );
        let c = step(
            &c,
            Action::ResolveObjection {
                number: 1,
                upheld: true,
                resolution: "核实有经营收入".into(),
            },
            CW,
            "2026-03-05",
        );
        assert_eq!(c.state, CaseState::Accepted);
        assert_eq!(c.notice, None);
    }

    #[test]
    fn an_objection_outside_the_notice_is_refused() {
        let c = noticed();
        let err = apply(
            &c,
            &Action::Object { text: "x".into() },
            CW,
            day("2026-03-09"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("不在公示期内"), "{err}");
    }

    #[test]
    fn only_the_county_approver_decides_and_only_townships_investigate() {
        let c = noticed();
        let err = apply(
            &c,
            &Action::Approve,
            CW,
            day("2026-03-09"),
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "乡镇（街道）经办人员不能执行“县民政局批准”"
        );
        let c = in_state(CaseType::Dibao, CaseState::Submitted);
        let err = apply(
            &c,
            &Action::Accept { complex: false },
            Role::CommunityWorker,
            day("2026-03-02"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, CaseError::Role { .. }));
        assert!(may_submit(Role::CommunityWorker));
        assert!(!may_submit(Role::PairedCadre));
    }

    #[test]
    fn a_return_lists_the_missing_materials_and_a_resubmission_starts_again() {
        let c = Case::new(CaseType::Tekun);
        let err = apply(
            &c,
            &Action::Return { missing: vec![] },
            CW,
            day("2026-03-02"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("缺少的材料"));
        let c = step(
            &c,
            Action::Return {
                missing: vec!["户口簿".into()],
            },
            CW,
            "2026-03-02",
        );
        assert_eq!(c.state, CaseState::Returned);
        let c = step(&c, Action::Resubmit, Role::CommunityWorker, "2026-03-03");
        assert_eq!(c.state, CaseState::Submitted);
    }

    #[test]
    fn the_investigation_needs_the_survey_and_the_finances_check() {
        let c = in_state(CaseType::Dibao, CaseState::Accepted);
        let t = day("2026-03-02");
        let mut i = investigation(t);
        i.survey_on_file = false;
        let err = apply(&c, &Action::Investigate(i), CW, t, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("三清调查"), "{err}");
        let mut i = investigation(t);
        i.finances_reference = " ".into();
        let err = apply(&c, &Action::Investigate(i), CW, t, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("核对报告编号"), "{err}");
    }

    #[test]
    fn a_township_that_does_not_recommend_refuses_with_its_opinion() {
        let c = in_state(CaseType::Dibao, CaseState::Appraised);
        let c = step(
            &c,
            Action::TownshipOpinion {
                recommend: false,
                opinion: "家庭人均收入高于低保标准".into(),
            },
            CW,
            "2026-03-02",
        );
        assert_eq!(c.state, CaseState::Refused);
        assert!(c.refusal.unwrap().contains("人均收入"));
    }

    #[test]
    fn a_refusal_needs_a_reason() {
        let c = noticed();
        let err = apply(
            &c,
            &Action::Refuse { reason: "".into() },
            COUNTY,
            day("2026-03-09"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("理由"));
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-03-06 is a Friday.
        assert_eq!(add_working_days(day("2026-03-06"), 1), day("2026-03-09"));
        assert_eq!(add_working_days(day("2026-03-02"), 5), day("2026-03-09"));
        assert_eq!(add_working_days(day("2026-03-02"), 25), day("2026-04-06"));
    }

    #[test]
    fn a_case_is_overdue_after_25_working_days_or_40_when_complex() {
        let mut c = in_state(CaseType::Dibao, CaseState::Investigated);
        let limits = Limits::default();
        assert_eq!(c.deadline(&limits), Some(day("2026-04-06")));
        assert!(!c.is_overdue(&limits, day("2026-04-06")));
        assert!(c.is_overdue(&limits, day("2026-04-07")));
        c.complex = true;
        assert_eq!(c.deadline(&limits), Some(day("2026-04-27")));
        assert!(!c.is_overdue(&limits, day("2026-04-07")));
        c.state = CaseState::Approved;
        assert!(!c.is_overdue(&limits, day("2027-01-01")));
    }

    #[test]
    fn a_finished_case_cannot_be_withdrawn() {
        let c = in_state(CaseType::Dibao, CaseState::Approved);
        let err = apply(
            &c,
            &Action::Withdraw,
            CW,
            day("2026-03-02"),
            &Limits::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("已办结"), "{err}");
    }

    #[test]
    fn the_work_list_asks_for_the_decision_only_after_the_notice() {
        let c = noticed();
        assert_eq!(next_task(&c, day("2026-03-08")), None);
        assert_eq!(next_task(&c, day("2026-03-09")), Some(StepKind::Approve));
        assert_eq!(
            next_task(&Case::new(CaseType::Dibao), day("2026-03-09")),
            Some(StepKind::Accept)
        );
    }
}
