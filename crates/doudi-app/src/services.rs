//! Government-bought care services (3.3) as use cases: providers kept by the county and the
//! disabled persons' federation, a month's service (hours, cost typed in yuan) recorded for a
//! member with a disability, quality checks, and the totals per provider and per township. The
//! web's pages and API read their input through [`ProviderInput`], [`ServiceInput`] and
//! [`CheckInput`], so each field is checked once, with its error in Chinese.

use doudi_core::services::{CheckResult, MAX_MONTHLY_COST, MAX_MONTHLY_HOURS, ServiceKind};
use doudi_core::{Actor, Money, Month, PersonId};
use doudi_store::StoreError;
use doudi_store::services::{
    NewProvider, NewServiceRecord, Provider, ServedPerson, ServiceCheck, ServiceFilter,
    ServiceRecord,
};

use crate::{App, Error};

/// A provider as typed.
#[derive(Clone, Debug, Default)]
pub struct ProviderInput {
    /// 机构名称.
    pub name: String,
    /// 服务类别 (codes).
    pub kinds: Vec<String>,
    /// 联系人及电话.
    pub contact: String,
}

/// A month's service as typed.
#[derive(Clone, Debug, Default)]
pub struct ServiceInput {
    /// 服务机构 (id).
    pub provider: String,
    /// 服务对象 (person id).
    pub person: String,
    /// 服务类别 (code).
    pub kind: String,
    /// 服务月份.
    pub month: String,
    /// 服务时长（小时）.
    pub hours: String,
    /// 费用（元）.
    pub cost: String,
}

/// A quality check as typed.
#[derive(Clone, Debug, Default)]
pub struct CheckInput {
    /// 检查日期.
    pub checked_on: String,
    /// 检查人.
    pub checker: String,
    /// 检查结果 (code).
    pub result: String,
    /// 情况说明.
    pub note: String,
}

impl ProviderInput {
    /// The provider, or every field's error.
    pub fn check(&self) -> Result<NewProvider, Error> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 60 {
            errors.push(("name", "机构名称：请填写，不超过60个字".to_owned()));
        }
        let mut kinds = Vec::new();
        for k in &self.kinds {
            match ServiceKind::parse(k.trim()) {
                Ok(kind) if !kinds.contains(&kind) => kinds.push(kind),
                Ok(_) => {}
                Err(_) => errors.push(("kinds", format!("服务类别：“{}”不是服务类别", k.trim()))),
            }
        }
        if kinds.is_empty() && errors.iter().all(|(f, _)| *f != "kinds") {
            errors.push(("kinds", "服务类别：请至少选择一类".to_owned()));
        }
        let contact = self.contact.trim().to_owned();
        if contact.is_empty() || contact.chars().count() > 100 {
            errors.push((
                "contact",
                "联系方式：请填写联系人及电话，不超过100个字".to_owned(),
            ));
        }
        if errors.is_empty() {
            Ok(NewProvider {
                name,
                kinds,
                contact,
            })
        } else {
            Err(Error::Fields(errors))
        }
    }
}

impl ServiceInput {
    /// The service, or every field's error; `current` is this month (a service is recorded
    /// for this month or an earlier one).
    pub fn check(&self, current: Month) -> Result<NewServiceRecord, Error> {
        let mut errors = Vec::new();
        let provider = self.provider.trim().parse::<i64>().ok();
        if provider.is_none() {
            errors.push(("provider", "服务机构：请选择".to_owned()));
        }
        let person = self.person.trim().parse::<i64>().ok().map(PersonId);
        if person.is_none() {
            errors.push(("person", "服务对象：请选择残疾人员".to_owned()));
        }
        let kind = ServiceKind::parse(self.kind.trim()).ok();
        if kind.is_none() {
            errors.push((
                "kind",
                "服务类别：请选择居家照护、机构托养或康复服务".to_owned(),
            ));
        }
        let month = match Month::parse(self.month.trim()) {
            Ok(m) if m > current => {
                errors.push(("month", format!("服务月份：不能晚于本月（{current}）")));
                None
            }
            Ok(m) => Some(m),
            Err(_) => {
                errors.push(("month", "服务月份：应为如 2026-07 的月份".to_owned()));
                None
            }
        };
        let hours = match self.hours.trim().parse::<u32>() {
            Ok(h) if h <= MAX_MONTHLY_HOURS => Some(h),
            _ => {
                errors.push((
                    "hours",
                    format!("服务时长：应为0至{MAX_MONTHLY_HOURS}的整数小时"),
                ));
                None
            }
        };
        let cost = match Money::parse_non_negative_yuan(&self.cost) {
            Ok(m) if m > MAX_MONTHLY_COST => {
                errors.push((
                    "cost",
                    format!(
                        "费用：{}元超过每人每月上限{}元（平台为防止录入错误而设）",
                        m.to_yuan_string(),
                        MAX_MONTHLY_COST.to_yuan_string()
                    ),
                ));
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                errors.push(("cost", format!("费用：{e}")));
                None
            }
        };
        match (provider, person, kind, month, hours, cost) {
            (Some(provider), Some(person), Some(kind), Some(month), Some(hours), Some(cost))
                if errors.is_empty() =>
            {
                Ok(NewServiceRecord {
                    provider,
                    person,
                    kind,
                    month,
                    hours,
                    cost_fen: cost.fen(),
                })
            }
            _ => Err(Error::Fields(errors)),
        }
    }
}

impl CheckInput {
    /// The check, or every field's error; a check cannot lie after `today`.
    pub fn check(&self, today: chrono::NaiveDate) -> Result<ServiceCheck, Error> {
        let mut errors = Vec::new();
        let checked_on = match doudi_core::date::parse_day(&self.checked_on) {
            Ok(d) if d > today => {
                errors.push(("checked_on", format!("检查日期：{d}晚于今天（{today}）")));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(("checked_on", format!("检查日期：{e}")));
                None
            }
        };
        let checker = self.checker.trim().to_owned();
        if checker.is_empty() || checker.chars().count() > 30 {
            errors.push(("checker", "检查人：请填写，不超过30个字".to_owned()));
        }
        let result = CheckResult::parse(self.result.trim()).ok();
        if result.is_none() {
            errors.push(("result", "检查结果：请选择合格或不合格".to_owned()));
        }
        let note = self.note.trim().to_owned();
        if note.chars().count() > 200 {
            errors.push(("note", "情况说明：不超过200个字".to_owned()));
        }
        if result == Some(CheckResult::Fail) && note.is_empty() {
            errors.push(("note", "情况说明：不合格须写明问题".to_owned()));
        }
        match (checked_on, result) {
            (Some(checked_on), Some(result)) if errors.is_empty() => Ok(ServiceCheck {
                checked_on,
                checker,
                result,
                note,
            }),
            _ => Err(Error::Fields(errors)),
        }
    }
}

/// One line of the totals: what (a provider's name or a township's code), services, hours and
/// cost in fen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceTotal {
    /// The provider's name or the township's code.
    pub what: String,
    /// Services.
    pub records: i64,
    /// Hours.
    pub hours: i64,
    /// Cost in fen.
    pub cost_fen: i64,
}

/// The totals of `records` per provider and per township (by name and by code).
pub fn totals(records: &[ServiceRecord]) -> (Vec<ServiceTotal>, Vec<ServiceTotal>) {
    fn add(list: &mut Vec<ServiceTotal>, what: &str, r: &ServiceRecord) {
        let line = match list.iter_mut().position(|t| t.what == what) {
            Some(i) => &mut list[i],
            None => {
                list.push(ServiceTotal {
                    what: what.to_owned(),
                    records: 0,
                    hours: 0,
                    cost_fen: 0,
                });
                list.last_mut().expect("just pushed")
            }
        };
        line.records += 1;
        line.hours += i64::from(r.hours);
        line.cost_fen = line.cost_fen.saturating_add(r.cost_fen);
    }
    let (mut providers, mut townships) = (Vec::new(), Vec::new());
    for r in records {
        add(&mut providers, &r.provider_name, r);
        add(
            &mut townships,
            r.community.get(..9).unwrap_or(&r.community),
            r,
        );
    }
    providers.sort_by(|a, b| a.what.cmp(&b.what));
    townships.sort_by(|a, b| a.what.cmp(&b.what));
    (providers, townships)
}

impl App {
    /// Adds a provider (the county approver, the disabled persons' federation).
    pub async fn add_provider(&self, actor: &Actor, input: &ProviderInput) -> Result<i64, Error> {
        if !doudi_core::services::may_manage_providers(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let provider = input.check()?;
        Ok(self.store().add_provider(actor, &provider).await?)
    }

    /// The providers, with their services in the actor's scope.
    pub async fn providers(&self, actor: &Actor) -> Result<Vec<Provider>, Error> {
        Ok(self.store().providers(actor).await?)
    }

    /// The members with a disability services may be recorded for.
    pub async fn served_persons(&self, actor: &Actor) -> Result<Vec<ServedPerson>, Error> {
        Ok(self.store().served_persons(actor).await?)
    }

    /// Records a month's service for a member with a disability.
    pub async fn record_service(&self, actor: &Actor, input: &ServiceInput) -> Result<i64, Error> {
        if !doudi_core::services::may_record(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let record = input.check(Month::of(self.today()))?;
        Ok(self.store().record_service(actor, &record).await?)
    }

    /// The services in the actor's scope.
    pub async fn service_records(
        &self,
        actor: &Actor,
        filter: &ServiceFilter,
    ) -> Result<Vec<ServiceRecord>, Error> {
        Ok(self.store().service_records(actor, filter).await?)
    }

    /// Records a quality check of a service.
    pub async fn check_service(
        &self,
        actor: &Actor,
        record: i64,
        input: &CheckInput,
    ) -> Result<(), Error> {
        if !doudi_core::services::may_record(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let check = input.check(self.today())?;
        Ok(self.store().check_service(actor, record, &check).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: Error) -> Vec<&'static str> {
        match e {
            Error::Fields(f) => f.into_iter().map(|(f, _)| f).collect(),
            other => panic!("not field errors: {other}"),
        }
    }

    #[test]
    fn a_service_needs_a_provider_a_person_a_past_month_and_sane_hours_and_cost_3_3() {
        let current = Month::parse("2026-11").unwrap();
        let e = ServiceInput {
            kind: "massage".into(),
            month: "2026-12".into(),
            hours: "800".into(),
            cost: "60000".into(),
            ..ServiceInput::default()
        }
        .check(current)
        .unwrap_err();
        assert_eq!(
            fields(e),
            ["provider", "person", "kind", "month", "hours", "cost"]
        );
        let ok = ServiceInput {
            provider: "1".into(),
            person: "2".into(),
            kind: "home_care".into(),
            month: "2026-11".into(),
            hours: "40".into(),
            cost: "1,200.50".into(),
        }
        .check(current)
        .unwrap();
        assert_eq!((ok.hours, ok.cost_fen), (40, 120_050));
    }

    #[test]
    fn a_failed_check_says_what_was_wrong() {
        let today = doudi_core::date::parse_day("2026-11-28").unwrap();
        let e = CheckInput {
            checked_on: "2026-11-20".into(),
            checker: "县残联".into(),
            result: "fail".into(),
            note: String::new(),
        }
        .check(today)
        .unwrap_err();
        assert_eq!(fields(e), ["note"]);
    }
}
