//! Storage of inspections and accountability, the public disclosure and reports from the public
//! (5.4). The [`Inspections`] trait is a supertrait of [`crate::Store`]; both backends implement
//! it in `inspections_impl.rs` (migration `0024_inspections.sql`).
//!
//! Who does what (5.1, 5.4): the auditor (监督审计人员) and the county approver plan inspections,
//! draw samples, record findings, rectification tasks and accountability, verify rectifications
//! and handle reports from the public; township caseworkers read and answer the rectification
//! tasks of their township and read the reports about it. Every write and every read of
//! findings is audited. The disclosure and the receipt page are public: not audited per view
//! (like the public notice), masked, and capped.
//!
//! **Invariant:** a rectification task changes state only through [`task_transition`]; a
//! report only through [`report_transition`]; each change is written with its audit entry in
//! one transaction, guarded by the state it was read in.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use doudi_core::{Actor, DivisionCode, HouseholdId, Month, Role};

use crate::StoreError;

doudi_core::vocabulary! {
    /// The four kinds of inspection of 5.4.
    InspectionKind, "督查类型" {
        /// 集中督查.
        Concentrated = ("concentrated", "集中督查"),
        /// 随机抽查: may draw a random sample of households.
        SpotCheck = ("spot_check", "随机抽查"),
        /// 专项巡查.
        Patrol = ("patrol", "专项巡查"),
        /// 暗访.
        Unannounced = ("unannounced", "暗访"),
    }
}

doudi_core::vocabulary! {
    /// What a finding is about (5.4 names the first two).
    FindingCategory, "问题类别" {
        /// 识别不准.
        Targeting = ("targeting", "识别不准"),
        /// 帮扶不力.
        WeakHelp = ("weak_help", "帮扶不力"),
        /// 程序不规范.
        Procedure = ("procedure", "程序不规范"),
        /// 资金问题.
        Funds = ("funds", "资金问题"),
        /// 其他.
        Other = ("other", "其他"),
    }
}

doudi_core::vocabulary! {
    /// How grave a finding is.
    Severity, "严重程度" {
        /// 一般.
        Minor = ("minor", "一般"),
        /// 较重.
        Serious = ("serious", "较重"),
        /// 严重.
        Grave = ("grave", "严重"),
    }
}

doudi_core::vocabulary! {
    /// Where a rectification task stands.
    TaskState, "整改状态" {
        /// 整改中: the township works on it (also after being sent back).
        Open = ("open", "整改中"),
        /// 已整改: the township says it is done, waiting for the inspector.
        Submitted = ("submitted", "已整改"),
        /// 已销号: verified and closed by the inspector.
        Closed = ("closed", "已销号"),
    }
}

doudi_core::vocabulary! {
    /// An accountability measure (问责方式).
    Measure, "问责方式" {
        /// 谈话提醒.
        Talk = ("talk", "谈话提醒"),
        /// 通报批评.
        Criticism = ("criticism", "通报批评"),
        /// 诫勉.
        Admonition = ("admonition", "诫勉"),
        /// 党纪政务处分.
        Sanction = ("sanction", "党纪政务处分"),
        /// 移交.
        Transfer = ("transfer", "移交"),
    }
}

doudi_core::vocabulary! {
    /// What a report from the public says is wrong.
    ReportCategory, "举报类别" {
        /// 不符合条件却享受救助.
        Ineligible = ("ineligible", "不符合条件却享受救助"),
        /// 符合条件却未得到救助.
        Missed = ("missed", "符合条件却未得到救助"),
        /// 救助资金被克扣、冒领或未足额发放.
        Funds = ("funds", "救助资金问题"),
        /// 工作人员作风问题.
        Conduct = ("conduct", "工作人员作风问题"),
        /// 其他.
        Other = ("other", "其他"),
    }
}

doudi_core::vocabulary! {
    /// Where a report from the public stands.
    ReportState, "办理状态" {
        /// 待受理.
        Received = ("received", "待受理"),
        /// 调查中.
        Investigating = ("investigating", "调查中"),
        /// 属实（办结）.
        Founded = ("founded", "属实（已办结）"),
        /// 不属实（办结）.
        Unfounded = ("unfounded", "不属实（已办结）"),
    }
}

impl ReportState {
    /// Whether the report is closed.
    pub fn is_closed(self) -> bool {
        matches!(self, ReportState::Founded | ReportState::Unfounded)
    }
}

/// Who plans inspections, records findings and accountability, verifies rectifications and
/// handles reports: the auditor and the county approver (and the system).
pub fn may_inspect(actor: &Actor) -> bool {
    matches!(
        actor.role,
        Role::Auditor | Role::CountyApprover | Role::System
    )
}

/// Who reads rectification tasks and reports: the inspectors, and township caseworkers for
/// their township.
pub fn may_read_oversight(actor: &Actor) -> bool {
    may_inspect(actor) || actor.role == Role::TownshipCaseworker
}

/// An inspection plan to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPlan {
    /// Its kind.
    pub kind: InspectionKind,
    /// Title, 1 to 80 characters.
    pub title: String,
    /// The townships it covers; empty for the whole county.
    pub townships: Vec<DivisionCode>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day (not before the first).
    pub ends_on: NaiveDate,
    /// The inspectors, in words (1 to 200 characters).
    pub inspectors: String,
}

/// An inspection plan as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Its id.
    pub id: i64,
    /// Its kind.
    pub kind: InspectionKind,
    /// Title.
    pub title: String,
    /// Townships covered; empty for the county.
    pub townships: Vec<DivisionCode>,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// The inspectors.
    pub inspectors: String,
    /// The seed of the drawn sample, if one was drawn.
    pub sample_seed: Option<i64>,
    /// How many findings it has.
    pub findings: i64,
    /// Who recorded it.
    pub created_by: String,
}

/// A household drawn for a spot check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampledHousehold {
    /// Position in the draw (1, 2, …).
    pub position: i64,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its community code.
    pub community: String,
}

/// A finding to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFinding {
    /// The household concerned, if any.
    pub household: Option<HouseholdId>,
    /// The staff account concerned (a login name), if any.
    pub account: Option<String>,
    /// Category.
    pub category: FindingCategory,
    /// Severity.
    pub severity: Severity,
    /// What was found, 1 to 2,000 characters.
    pub text: String,
}

/// A finding as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Its id.
    pub id: i64,
    /// Its plan.
    pub plan: i64,
    /// The household concerned.
    pub household: Option<HouseholdId>,
    /// Its file number.
    pub household_number: Option<String>,
    /// The staff account concerned (login name and display name).
    pub account: Option<(String, String)>,
    /// Category.
    pub category: FindingCategory,
    /// Severity.
    pub severity: Severity,
    /// What was found.
    pub text: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

/// A rectification task to assign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTask {
    /// The responsible township (whose caseworkers answer it).
    pub township: DivisionCode,
    /// The responsible unit, in words (1 to 100 characters).
    pub unit: String,
    /// The deadline.
    pub deadline: NaiveDate,
}

/// A rectification task as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// Its id.
    pub id: i64,
    /// Its finding.
    pub finding: i64,
    /// The finding's plan.
    pub plan: i64,
    /// The finding's category.
    pub category: FindingCategory,
    /// The finding's text.
    pub finding_text: String,
    /// The responsible township.
    pub township: String,
    /// The responsible unit.
    pub unit: String,
    /// The deadline.
    pub deadline: NaiveDate,
    /// Where it stands.
    pub state: TaskState,
    /// The township's note with its last submission.
    pub note: Option<String>,
    /// The inspector's last word (sent back or closed).
    pub reply: Option<String>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl Task {
    /// Whether it is past its deadline and not closed.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.state != TaskState::Closed && self.deadline < today
    }
}

/// A step on a rectification task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskStep {
    /// The township says it is rectified (township caseworker), with a note.
    Submit(String),
    /// The inspector verifies and closes it (已销号), with a note.
    Verify(String),
    /// The inspector sends it back to 整改中, with the reason.
    SendBack(String),
}

/// The state a task step leads to, or why it is refused (in Chinese): a township caseworker
/// submits an open task; an inspector verifies or sends back a submitted one.
pub fn task_transition(state: TaskState, step: &TaskStep, role: Role) -> Result<TaskState, String> {
    let (needed, to, who_ok, who) = match step {
        TaskStep::Submit(_) => (
            TaskState::Open,
            TaskState::Submitted,
            role == Role::TownshipCaseworker || role == Role::System,
            "乡镇（街道）经办人员",
        ),
        TaskStep::Verify(_) => (
            TaskState::Submitted,
            TaskState::Closed,
            matches!(role, Role::Auditor | Role::CountyApprover | Role::System),
            "督查人员（监督审计人员或县民政局审批人员）",
        ),
        TaskStep::SendBack(_) => (
            TaskState::Submitted,
            TaskState::Open,
            matches!(role, Role::Auditor | Role::CountyApprover | Role::System),
            "督查人员（监督审计人员或县民政局审批人员）",
        ),
    };
    if !who_ok {
        return Err(format!("这一步只能由{who}办理"));
    }
    if state != needed {
        return Err(format!(
            "该整改任务当前为「{}」，不能{}",
            state.label(),
            match step {
                TaskStep::Submit(_) => "报送整改结果",
                TaskStep::Verify(_) => "核验销号",
                TaskStep::SendBack(_) => "退回重新整改",
            }
        ));
    }
    let note = match step {
        TaskStep::Submit(n) | TaskStep::Verify(n) | TaskStep::SendBack(n) => n,
    };
    if note.trim().is_empty() {
        return Err("请填写说明".into());
    }
    Ok(to)
}

/// An accountability record to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccountability {
    /// The person held to account, in words (name and post), 1 to 100 characters.
    pub person: String,
    /// Their account (login name), if they have one.
    pub account: Option<String>,
    /// The measure.
    pub measure: Measure,
    /// The day it was decided.
    pub decided_on: NaiveDate,
    /// A note, at most 2,000 characters.
    pub note: String,
}

/// An accountability record as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accountability {
    /// Its id.
    pub id: i64,
    /// Its finding.
    pub finding: i64,
    /// The person.
    pub person: String,
    /// Their account's login name.
    pub account: Option<String>,
    /// The measure.
    pub measure: Measure,
    /// Decided on.
    pub decided_on: NaiveDate,
    /// The note.
    pub note: String,
}

/// A plan with everything recorded under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanDetail {
    /// The plan.
    pub plan: Plan,
    /// Its sample, in the order drawn.
    pub sample: Vec<SampledHousehold>,
    /// Its findings.
    pub findings: Vec<Finding>,
    /// Their rectification tasks.
    pub tasks: Vec<Task>,
    /// Their accountability records.
    pub accountability: Vec<Accountability>,
}

/// The public disclosure of one township and month: counts and amounts by category, and the
/// masked list of households paid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disclosure {
    /// Dibao households paid.
    pub dibao_households: i64,
    /// People in them.
    pub dibao_people: i64,
    /// Paid to them, fen.
    pub dibao_fen: i64,
    /// Tekun households paid.
    pub tekun_households: i64,
    /// People in them.
    pub tekun_people: i64,
    /// Paid to them, fen.
    pub tekun_fen: i64,
    /// The list, at most [`DISCLOSURE_CAP`] rows.
    pub rows: Vec<DisclosureRow>,
    /// Whether the list was cut at the cap.
    pub truncated: bool,
}

/// At most this many rows in one disclosure list.
pub const DISCLOSURE_CAP: usize = 2_000;

/// One household in the public list, masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisclosureRow {
    /// The head's name, masked (张*丰).
    pub head_masked: String,
    /// The head's identity number, masked.
    pub id_masked: String,
    /// The community code.
    pub community: String,
    /// dibao or tekun.
    pub program: doudi_core::disaster::PaymentProgram,
    /// Members.
    pub people: i64,
    /// Paid that month, fen.
    pub amount_fen: i64,
}

/// A report from the public to file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReport {
    /// The township it concerns.
    pub township: DivisionCode,
    /// The community, if given.
    pub community: Option<DivisionCode>,
    /// The household as the public list shows it (a masked name), if given.
    pub household_ref: String,
    /// What is wrong.
    pub category: ReportCategory,
    /// In words, 10 to 2,000 characters.
    pub text: String,
    /// How to reach the reporter, if they wish (at most 100 characters).
    pub contact: String,
    /// The day it is filed.
    pub filed_on: NaiveDate,
}

/// A report as the inspectors see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Its id.
    pub id: i64,
    /// The receipt number given to the reporter.
    pub receipt: String,
    /// Township.
    pub township: String,
    /// Community.
    pub community: Option<String>,
    /// The household as the reporter named it.
    pub household_ref: String,
    /// Category.
    pub category: ReportCategory,
    /// Text.
    pub text: String,
    /// Contact (shown only to inspectors, never on the receipt page).
    pub contact: String,
    /// State.
    pub state: ReportState,
    /// The reply given on closing (shown on the receipt page).
    pub reply: Option<String>,
    /// Filed on.
    pub filed_on: NaiveDate,
}

/// One note on a report: who, when, the state it left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportNote {
    /// State after the note.
    pub state: ReportState,
    /// The note.
    pub note: String,
    /// Who.
    pub by: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What the receipt page shows: the state and the reply, nothing internal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptView {
    /// Category.
    pub category: ReportCategory,
    /// Filed on.
    pub filed_on: NaiveDate,
    /// State.
    pub state: ReportState,
    /// The closing reply.
    pub reply: Option<String>,
}

/// A step on a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportStep {
    /// Accept it and start investigating, with a note.
    Accept(String),
    /// A note while investigating.
    Note(String),
    /// Close it: founded or not, with the reply the reporter sees.
    Close {
        /// Whether what was reported is true.
        founded: bool,
        /// The reply.
        reply: String,
    },
}

/// The state a report step leads to, or why it is refused (in Chinese).
pub fn report_transition(state: ReportState, step: &ReportStep) -> Result<ReportState, String> {
    let text = match step {
        ReportStep::Accept(n) | ReportStep::Note(n) => n,
        ReportStep::Close { reply, .. } => reply,
    };
    if text.trim().is_empty() {
        return Err("请填写说明".into());
    }
    match (state, step) {
        (ReportState::Received, ReportStep::Accept(_)) => Ok(ReportState::Investigating),
        (ReportState::Investigating, ReportStep::Note(_)) => Ok(ReportState::Investigating),
        (ReportState::Investigating, ReportStep::Close { founded, .. }) => Ok(if *founded {
            ReportState::Founded
        } else {
            ReportState::Unfounded
        }),
        (s, _) => Err(format!(
            "该举报当前为「{}」，不能{}",
            s.label(),
            match step {
                ReportStep::Accept(_) => "受理",
                ReportStep::Note(_) => "添加调查记录",
                ReportStep::Close { .. } => "办结",
            }
        )),
    }
}

/// Which reports to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Only in this state.
    pub state: Option<ReportState>,
    /// Only of this township.
    pub township: Option<DivisionCode>,
}

/// The indexes of a reproducible random sample of `n` out of `total` (partial Fisher–Yates
/// driven by SplitMix64 from `seed`): the same seed over the same population draws the same
/// sample, on every machine and version.
pub fn sample_indexes(total: usize, n: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut items: Vec<usize> = (0..total).collect();
    let n = n.min(total);
    for i in 0..n {
        let span = (total - i) as u64;
        let j = i + (next() % span) as usize;
        items.swap(i, j);
    }
    items.truncate(n);
    items
}

/// Storage of inspections, disclosure and reports (5.4), implemented by both backends.
#[async_trait]
pub trait Inspections {
    /// Records a plan (inspectors only).
    async fn create_plan(&self, actor: &Actor, plan: &NewPlan) -> Result<i64, StoreError>;

    /// Every plan, newest first (inspectors only; audited).
    async fn plans(&self, actor: &Actor) -> Result<Vec<Plan>, StoreError>;

    /// One plan with its sample, findings, tasks and accountability (inspectors; audited).
    async fn plan(&self, actor: &Actor, id: i64) -> Result<PlanDetail, StoreError>;

    /// Draws the spot check's sample of `size` current households of the plan's scope with
    /// `seed`, storing the seed; refused for another kind of plan or once drawn.
    async fn draw_sample(
        &self,
        actor: &Actor,
        plan: i64,
        size: u32,
        seed: i64,
    ) -> Result<Vec<SampledHousehold>, StoreError>;

    /// Records a finding under a plan.
    async fn record_finding(
        &self,
        actor: &Actor,
        plan: i64,
        finding: &NewFinding,
    ) -> Result<i64, StoreError>;

    /// Assigns a rectification task for a finding.
    async fn assign_task(
        &self,
        actor: &Actor,
        finding: i64,
        task: &NewTask,
    ) -> Result<i64, StoreError>;

    /// Takes a step on a task (see [`task_transition`]); a township caseworker only on a task of
    /// their township.
    async fn task_step(
        &self,
        actor: &Actor,
        task: i64,
        step: &TaskStep,
    ) -> Result<Task, StoreError>;

    /// The tasks the actor sees (inspectors: all; a township: its own), deadline first.
    async fn tasks(&self, actor: &Actor) -> Result<Vec<Task>, StoreError>;

    /// Records an accountability measure for a finding.
    async fn record_accountability(
        &self,
        actor: &Actor,
        finding: i64,
        record: &NewAccountability,
    ) -> Result<i64, StoreError>;

    /// The months with paid lines, newest first (public).
    async fn disclosed_months(&self) -> Result<Vec<Month>, StoreError>;

    /// The public disclosure of a township and month (public, masked, not audited).
    async fn disclosure(
        &self,
        township: &DivisionCode,
        month: Month,
    ) -> Result<Disclosure, StoreError>;

    /// Files a report from the public, from `client` (an address, kept in the audit entry
    /// only); returns its receipt number.
    async fn file_report(&self, report: &NewReport, client: &str) -> Result<String, StoreError>;

    /// What the receipt page shows.
    async fn receipt(&self, receipt: &str) -> Result<ReceiptView, StoreError>;

    /// The reports the actor sees (inspectors: all; a township: its own), newest first.
    async fn reports(
        &self,
        actor: &Actor,
        filter: &ReportFilter,
    ) -> Result<Vec<Report>, StoreError>;

    /// One report with its notes.
    async fn report(&self, actor: &Actor, id: i64)
    -> Result<(Report, Vec<ReportNote>), StoreError>;

    /// Takes a step on a report (inspectors only).
    async fn report_step(
        &self,
        actor: &Actor,
        id: i64,
        step: &ReportStep,
    ) -> Result<Report, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_sample_and_another_seed_another() {
        let a = sample_indexes(1000, 20, 42);
        assert_eq!(a, sample_indexes(1000, 20, 42));
        assert_ne!(a, sample_indexes(1000, 20, 43));
        let mut unique = a.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 20);
        assert!(a.iter().all(|i| *i < 1000));
        assert_eq!(sample_indexes(3, 10, 1).len(), 3);
    }

    #[test]
    fn a_task_is_submitted_by_the_township_and_closed_by_the_inspector_only() {
        let submit = TaskStep::Submit("已核实整改".into());
        assert_eq!(
            task_transition(TaskState::Open, &submit, Role::TownshipCaseworker),
            Ok(TaskState::Submitted)
        );
        assert!(task_transition(TaskState::Open, &submit, Role::Auditor).is_err());
        let verify = TaskStep::Verify("核验属实".into());
        assert!(task_transition(TaskState::Open, &verify, Role::Auditor).is_err());
        assert!(task_transition(TaskState::Submitted, &verify, Role::TownshipCaseworker).is_err());
        assert_eq!(
            task_transition(TaskState::Submitted, &verify, Role::Auditor),
            Ok(TaskState::Closed)
        );
    }
}
