//! Inspections and accountability, the public disclosure and reports from the public (5.4) as
//! use cases. Every input is read once, for forms and JSON alike, into the store's types, with
//! each field's error in Chinese; the store checks roles, scope and the state machines
//! (`doudi_store::inspections`). Reports from the public are limited per client address
//! ([`ReportThrottle`]) before anything is written.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use doudi_core::date::parse_day;
use doudi_core::{Actor, DivisionCode, HouseholdId, Month};
use doudi_store::StoreError;
use doudi_store::inspections::{
    Disclosure, FindingCategory, InspectionKind, Measure, NewAccountability, NewFinding, NewPlan,
    NewReport, NewTask, ReceiptView, ReportCategory, ReportStep, SampledHousehold, Severity,
    TaskStep, may_inspect, may_read_oversight,
};

use crate::{App, Error};

/// How many reports one client address may file within [`REPORT_WINDOW`].
pub const REPORT_LIMIT: usize = 5;
/// The window of [`REPORT_LIMIT`].
pub const REPORT_WINDOW: TimeDelta = TimeDelta::hours(1);

/// The reports filed lately per client address, in this process's memory (like the login
/// limits of [`crate::throttle`]: several processes each allow their share).
#[derive(Clone, Debug, Default)]
pub struct ReportThrottle(Arc<Mutex<HashMap<String, Vec<DateTime<Utc>>>>>);

impl ReportThrottle {
    /// Counts a report from `client` now, or refuses it when the address has filed
    /// [`REPORT_LIMIT`] within the window.
    pub fn admit(&self, client: &str, now: DateTime<Utc>) -> bool {
        let mut table = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if table.len() > 10_000 {
            table.retain(|_, times| times.iter().any(|t| now - *t < REPORT_WINDOW));
        }
        let times = table.entry(client.to_owned()).or_default();
        times.retain(|t| now - *t < REPORT_WINDOW);
        if times.len() >= REPORT_LIMIT {
            return false;
        }
        times.push(now);
        true
    }
}

fn day(
    text: &str,
    field: &'static str,
    label: &str,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<NaiveDate> {
    match parse_day(text) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push((field, format!("{label}：{e}")));
            None
        }
    }
}

fn township(
    text: &str,
    field: &'static str,
    label: &str,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<DivisionCode> {
    match DivisionCode::parse(text.trim()) {
        Ok(c) if !c.is_community() => Some(c),
        _ => {
            problems.push((field, format!("{label}：请选择乡镇（街道）")));
            None
        }
    }
}

fn vocab<T>(
    parsed: Result<T, impl std::fmt::Display>,
    field: &'static str,
    label: &str,
    problems: &mut Vec<(&'static str, String)>,
) -> Option<T> {
    match parsed {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push((field, format!("{label}：{e}")));
            None
        }
    }
}

fn length(
    text: &str,
    field: &'static str,
    label: &str,
    min: usize,
    max: usize,
    problems: &mut Vec<(&'static str, String)>,
) {
    let n = text.trim().chars().count();
    if n < min {
        problems.push((
            field,
            if min <= 1 {
                format!("{label}：请填写")
            } else {
                format!("{label}：至少{min}个字")
            },
        ));
    } else if n > max {
        problems.push((field, format!("{label}：最多{max}个字")));
    }
}

/// An inspection plan as typed.
#[derive(Clone, Debug, Default)]
pub struct PlanInput {
    /// 督查类型 (code).
    pub kind: String,
    /// 标题.
    pub title: String,
    /// 督查范围: township codes; none for the county.
    pub townships: Vec<String>,
    /// 开始日期.
    pub starts_on: String,
    /// 结束日期.
    pub ends_on: String,
    /// 督查人员.
    pub inspectors: String,
}

impl PlanInput {
    /// The plan, or every field at fault.
    pub fn parse(&self) -> Result<NewPlan, Error> {
        let mut p = Vec::new();
        let kind = vocab(
            InspectionKind::parse(self.kind.trim()),
            "kind",
            "督查类型",
            &mut p,
        );
        length(&self.title, "title", "标题", 1, 80, &mut p);
        let townships: Vec<DivisionCode> = self
            .townships
            .iter()
            .filter(|t| !t.trim().is_empty())
            .filter_map(|t| township(t, "townships", "督查范围", &mut p))
            .collect();
        let starts_on = day(&self.starts_on, "starts_on", "开始日期", &mut p);
        let ends_on = day(&self.ends_on, "ends_on", "结束日期", &mut p);
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            p.push(("ends_on", "结束日期：不能早于开始日期".into()));
        }
        length(&self.inspectors, "inspectors", "督查人员", 1, 200, &mut p);
        match (kind, starts_on, ends_on) {
            (Some(kind), Some(starts_on), Some(ends_on)) if p.is_empty() => Ok(NewPlan {
                kind,
                title: self.title.trim().to_owned(),
                townships,
                starts_on,
                ends_on,
                inspectors: self.inspectors.trim().to_owned(),
            }),
            _ => Err(Error::Fields(p)),
        }
    }
}

/// A finding as typed.
#[derive(Clone, Debug, Default)]
pub struct FindingInput {
    /// 涉及家庭 (household id), optional.
    pub household: String,
    /// 涉及工作人员 (login name), optional.
    pub account: String,
    /// 问题类别 (code).
    pub category: String,
    /// 严重程度 (code).
    pub severity: String,
    /// 问题描述.
    pub text: String,
}

impl FindingInput {
    /// The finding, or every field at fault.
    pub fn parse(&self) -> Result<NewFinding, Error> {
        let mut p = Vec::new();
        let household = match self.household.trim() {
            "" => None,
            t => match t.parse::<i64>() {
                Ok(id) if id > 0 => Some(HouseholdId(id)),
                _ => {
                    p.push(("household", "涉及家庭：应为家庭编号（数字）".to_owned()));
                    None
                }
            },
        };
        let category = vocab(
            FindingCategory::parse(self.category.trim()),
            "category",
            "问题类别",
            &mut p,
        );
        let severity = vocab(
            Severity::parse(self.severity.trim()),
            "severity",
            "严重程度",
            &mut p,
        );
        length(&self.text, "text", "问题描述", 1, 2_000, &mut p);
        length(&self.account, "account", "涉及工作人员", 0, 64, &mut p);
        match (category, severity) {
            (Some(category), Some(severity)) if p.is_empty() => Ok(NewFinding {
                household,
                account: Some(self.account.trim().to_owned()).filter(|a| !a.is_empty()),
                category,
                severity,
                text: self.text.trim().to_owned(),
            }),
            _ => Err(Error::Fields(p)),
        }
    }
}

/// A rectification task as typed.
#[derive(Clone, Debug, Default)]
pub struct TaskInput {
    /// 责任乡镇 (code).
    pub township: String,
    /// 责任单位.
    pub unit: String,
    /// 整改期限.
    pub deadline: String,
}

impl TaskInput {
    /// The task, or every field at fault; a deadline before today is refused.
    pub fn parse(&self, today: NaiveDate) -> Result<NewTask, Error> {
        let mut p = Vec::new();
        let t = township(&self.township, "township", "责任乡镇", &mut p);
        length(&self.unit, "unit", "责任单位", 1, 100, &mut p);
        let deadline = day(&self.deadline, "deadline", "整改期限", &mut p);
        if deadline.is_some_and(|d| d < today) {
            p.push(("deadline", "整改期限：不能早于今天".into()));
        }
        match (t, deadline) {
            (Some(township), Some(deadline)) if p.is_empty() => Ok(NewTask {
                township,
                unit: self.unit.trim().to_owned(),
                deadline,
            }),
            _ => Err(Error::Fields(p)),
        }
    }
}

/// A step on a task as typed: `submit`, `verify` or `send_back`, and the note.
pub fn task_step(action: &str, note: &str) -> Result<TaskStep, Error> {
    let mut p = Vec::new();
    length(note, "note", "说明", 1, 2_000, &mut p);
    let note = note.trim().to_owned();
    let step = match action.trim() {
        "submit" => Some(TaskStep::Submit(note)),
        "verify" => Some(TaskStep::Verify(note)),
        "send_back" => Some(TaskStep::SendBack(note)),
        _ => {
            p.push(("action", "办理方式：应为报送整改、核验销号或退回".into()));
            None
        }
    };
    match step {
        Some(s) if p.is_empty() => Ok(s),
        _ => Err(Error::Fields(p)),
    }
}

/// An accountability record as typed.
#[derive(Clone, Debug, Default)]
pub struct AccountabilityInput {
    /// 被问责人.
    pub person: String,
    /// 账号 (login name), optional.
    pub account: String,
    /// 问责方式 (code).
    pub measure: String,
    /// 问责日期.
    pub decided_on: String,
    /// 说明.
    pub note: String,
}

impl AccountabilityInput {
    /// The record, or every field at fault; a date after today is refused.
    pub fn parse(&self, today: NaiveDate) -> Result<NewAccountability, Error> {
        let mut p = Vec::new();
        length(&self.person, "person", "被问责人", 1, 100, &mut p);
        length(&self.account, "account", "账号", 0, 64, &mut p);
        let measure = vocab(
            Measure::parse(self.measure.trim()),
            "measure",
            "问责方式",
            &mut p,
        );
        let decided_on = day(&self.decided_on, "decided_on", "问责日期", &mut p);
        if decided_on.is_some_and(|d| d > today) {
            p.push(("decided_on", "问责日期：不能晚于今天".into()));
        }
        length(&self.note, "note", "说明", 0, 2_000, &mut p);
        match (measure, decided_on) {
            (Some(measure), Some(decided_on)) if p.is_empty() => Ok(NewAccountability {
                person: self.person.trim().to_owned(),
                account: Some(self.account.trim().to_owned()).filter(|a| !a.is_empty()),
                measure,
                decided_on,
                note: self.note.trim().to_owned(),
            }),
            _ => Err(Error::Fields(p)),
        }
    }
}

/// A report from the public as typed.
#[derive(Clone, Debug, Default)]
pub struct ReportInput {
    /// 乡镇（街道） (code).
    pub township: String,
    /// 社区 (code), optional.
    pub community: String,
    /// 被举报对象 as the public list shows it, optional.
    pub household_ref: String,
    /// 举报类别 (code).
    pub category: String,
    /// 举报内容.
    pub text: String,
    /// 联系方式, optional.
    pub contact: String,
}

impl ReportInput {
    /// The report, or every field at fault.
    pub fn parse(&self, today: NaiveDate) -> Result<NewReport, Error> {
        let mut p = Vec::new();
        let t = township(&self.township, "township", "乡镇（街道）", &mut p);
        let community = match self.community.trim() {
            "" => None,
            c => match DivisionCode::parse(c) {
                Ok(c) if c.is_community() && t.as_ref().is_none_or(|t| t.contains(&c)) => Some(c),
                _ => {
                    p.push(("community", "社区：请选择所选乡镇（街道）内的社区".into()));
                    None
                }
            },
        };
        length(
            &self.household_ref,
            "household_ref",
            "被举报对象",
            0,
            40,
            &mut p,
        );
        let category = vocab(
            ReportCategory::parse(self.category.trim()),
            "category",
            "举报类别",
            &mut p,
        );
        length(&self.text, "text", "举报内容", 10, 2_000, &mut p);
        length(&self.contact, "contact", "联系方式", 0, 100, &mut p);
        match (t, category) {
            (Some(township), Some(category)) if p.is_empty() => Ok(NewReport {
                township,
                community,
                household_ref: self.household_ref.trim().to_owned(),
                category,
                text: self.text.trim().to_owned(),
                contact: self.contact.trim().to_owned(),
                filed_on: today,
            }),
            _ => Err(Error::Fields(p)),
        }
    }
}

/// A step on a report as typed: `accept`, `note`, `founded` or `unfounded`, and the note (the
/// reply the reporter sees, when closing).
pub fn report_step(action: &str, note: &str) -> Result<ReportStep, Error> {
    let mut p = Vec::new();
    length(note, "note", "说明", 1, 2_000, &mut p);
    let note = note.trim().to_owned();
    let step = match action.trim() {
        "accept" => Some(ReportStep::Accept(note)),
        "note" => Some(ReportStep::Note(note)),
        "founded" => Some(ReportStep::Close {
            founded: true,
            reply: note,
        }),
        "unfounded" => Some(ReportStep::Close {
            founded: false,
            reply: note,
        }),
        _ => {
            p.push((
                "action",
                "办理方式：应为受理、调查记录、属实办结或不属实办结".into(),
            ));
            None
        }
    };
    match step {
        Some(s) if p.is_empty() => Ok(s),
        _ => Err(Error::Fields(p)),
    }
}

impl App {
    /// The report limits of this process.
    pub fn report_throttle(&self) -> &ReportThrottle {
        &self.reports
    }

    /// Records an inspection plan.
    pub async fn create_plan(&self, actor: &Actor, input: &PlanInput) -> Result<i64, Error> {
        if !may_inspect(actor) {
            return Err(StoreError::Forbidden.into());
        }
        Ok(self.store().create_plan(actor, &input.parse()?).await?)
    }

    /// Draws a spot check's sample of `size` households; the seed is the one given, or one
    /// taken from the clock (and stored, so that the draw can be repeated and checked).
    pub async fn draw_sample(
        &self,
        actor: &Actor,
        plan: i64,
        size: &str,
        seed: &str,
    ) -> Result<Vec<SampledHousehold>, Error> {
        if !may_inspect(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let mut p = Vec::new();
        let size = match size.trim().parse::<u32>() {
            Ok(n) if (1..=500).contains(&n) => Some(n),
            _ => {
                p.push(("size", "抽查户数：应为1到500的整数".to_owned()));
                None
            }
        };
        let seed = match seed.trim() {
            "" => Some(self.now().timestamp_micros()),
            t => match t.parse::<i64>() {
                Ok(s) => Some(s),
                Err(_) => {
                    p.push(("seed", "随机种子：应为整数，或留空自动生成".to_owned()));
                    None
                }
            },
        };
        match (size, seed) {
            (Some(size), Some(seed)) if p.is_empty() => {
                Ok(self.store().draw_sample(actor, plan, size, seed).await?)
            }
            _ => Err(Error::Fields(p)),
        }
    }

    /// Records a finding under a plan.
    pub async fn record_finding(
        &self,
        actor: &Actor,
        plan: i64,
        input: &FindingInput,
    ) -> Result<i64, Error> {
        if !may_inspect(actor) {
            return Err(StoreError::Forbidden.into());
        }
        Ok(self
            .store()
            .record_finding(actor, plan, &input.parse()?)
            .await?)
    }

    /// Assigns a rectification task for a finding.
    pub async fn assign_task(
        &self,
        actor: &Actor,
        finding: i64,
        input: &TaskInput,
    ) -> Result<i64, Error> {
        if !may_inspect(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let task = input.parse(self.today())?;
        Ok(self.store().assign_task(actor, finding, &task).await?)
    }

    /// Takes a step on a rectification task.
    pub async fn task_step(
        &self,
        actor: &Actor,
        task: i64,
        action: &str,
        note: &str,
    ) -> Result<doudi_store::inspections::Task, Error> {
        if !may_read_oversight(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let step = task_step(action, note)?;
        Ok(self.store().task_step(actor, task, &step).await?)
    }

    /// Records an accountability measure for a finding.
    pub async fn record_accountability(
        &self,
        actor: &Actor,
        finding: i64,
        input: &AccountabilityInput,
    ) -> Result<i64, Error> {
        if !may_inspect(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let record = input.parse(self.today())?;
        Ok(self
            .store()
            .record_accountability(actor, finding, &record)
            .await?)
    }

    /// The disclosure of a township and month, only for a month already paid.
    pub async fn disclosure(
        &self,
        township: &DivisionCode,
        month: Month,
    ) -> Result<Disclosure, Error> {
        if !self.store().disclosed_months().await?.contains(&month) {
            return Err(StoreError::NotFound.into());
        }
        Ok(self.store().disclosure(township, month).await?)
    }

    /// Files a report from the public from `client`, if that address has not filed too many
    /// lately; returns the receipt number.
    pub async fn file_report(&self, client: &str, input: &ReportInput) -> Result<String, Error> {
        let report = input.parse(self.today())?;
        if !self.reports.admit(client, self.now()) {
            return Err(Error::Rules(format!(
                "同一网络地址一小时内最多提交{REPORT_LIMIT}次举报，请稍后再试；如情况紧急请拨打监督电话"
            )));
        }
        Ok(self.store().file_report(&report, client).await?)
    }

    /// What the receipt page shows.
    pub async fn receipt(&self, receipt: &str) -> Result<ReceiptView, Error> {
        Ok(self.store().receipt(receipt).await?)
    }

    /// Takes a step on a report.
    pub async fn report_step(
        &self,
        actor: &Actor,
        id: i64,
        action: &str,
        note: &str,
    ) -> Result<doudi_store::inspections::Report, Error> {
        if !may_inspect(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let step = report_step(action, note)?;
        Ok(self.store().report_step(actor, id, &step).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sixth_report_from_one_address_within_the_hour_is_refused() {
        let t = ReportThrottle::default();
        let now = Utc::now();
        for _ in 0..REPORT_LIMIT {
            assert!(t.admit("10.0.0.1", now));
        }
        assert!(!t.admit("10.0.0.1", now));
        assert!(t.admit("10.0.0.2", now));
        assert!(t.admit("10.0.0.1", now + REPORT_WINDOW));
    }

    #[test]
    fn a_report_names_every_bad_field() {
        let input = ReportInput {
            township: "x".into(),
            category: "nope".into(),
            text: "太短".into(),
            ..ReportInput::default()
        };
        let Err(Error::Fields(p)) = input.parse(NaiveDate::MIN) else {
            panic!("bad input accepted");
        };
        let fields: Vec<&str> = p.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["township", "category", "text"]);
    }
}
