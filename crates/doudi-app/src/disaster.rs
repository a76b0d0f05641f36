//! Disaster relief (2.3) as use cases: an event recorded with its area and date finds the
//! current households in it and warns their townships; a person checks each household
//! (confirmed or removed, the damage, the dead and injured); the emergency officer records
//! emergency relief, condolence to the families of the dead and transitional relief, each paid
//! through the monthly payment run (`doudi_store::disaster`). The web's pages and API both read
//! their input through [`DisasterInput`], [`CheckInput`] and [`ReliefInput`], so each field is
//! checked once, with its error in Chinese.
//!
//! 2.3 sets no amounts: the officer types them, and the platform only refuses an amount that is
//! not positive or above a ceiling meant to catch a mistyped figure
//! ([`doudi_core::disaster::ReliefKind::ceiling`]).

use doudi_core::disaster::{
    AffectedState, Damage, DisasterKind, MAX_TRANSITIONAL_MONTHS, ReliefKind,
};
use doudi_core::{Actor, DivisionCode, HouseholdId, Money, Month};
use doudi_store::disaster::{AffectedCheck, Disaster, DisasterDetail, NewDisaster, NewRelief};

use crate::{App, Error};

/// A disaster event as typed (form or JSON).
#[derive(Clone, Debug, Default)]
pub struct DisasterInput {
    /// 灾害名称.
    pub name: String,
    /// 灾害种类 (code).
    pub kind: String,
    /// 发生日期.
    pub occurred_on: String,
    /// 受灾社区 (codes).
    pub communities: Vec<String>,
    /// 地址关键词, separated by commas, 、, spaces or lines.
    pub keywords: String,
}

/// What a person found at a household (form or JSON).
#[derive(Clone, Debug, Default)]
pub struct CheckInput {
    /// `confirmed` or `removed`.
    pub state: String,
    /// 房屋受损 (code).
    pub damage: String,
    /// 死亡人数.
    pub dead: String,
    /// 受伤人数.
    pub injured: String,
    /// 核实情况说明.
    pub note: String,
}

/// A relief as typed (form or JSON).
#[derive(Clone, Debug, Default)]
pub struct ReliefInput {
    /// 救助类别 (code).
    pub kind: String,
    /// 金额 in yuan (transitional relief: per month).
    pub amount: String,
    /// 起始月份 (transitional relief; the others are due this month).
    pub from_month: String,
    /// 月数 (transitional relief).
    pub months: String,
    /// 救助理由.
    pub reason: String,
}

/// A count of people, 0 to 99, or the field's error.
fn count(
    field: &'static str,
    label: &str,
    text: &str,
    errors: &mut Vec<(&'static str, String)>,
) -> u32 {
    let t = text.trim();
    if t.is_empty() {
        return 0;
    }
    match t.parse::<u32>() {
        Ok(n) if n <= 99 => n,
        _ => {
            errors.push((field, format!("{label}：应为0至99的整数")));
            0
        }
    }
}

impl DisasterInput {
    /// The event, or every field's error; `known` are the communities on the platform and
    /// `today` the date in China (an event cannot lie in the future).
    pub fn check(
        &self,
        known: &[DivisionCode],
        today: chrono::NaiveDate,
    ) -> Result<NewDisaster, Error> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.push(("name", "灾害名称：请填写".to_owned()));
        } else if name.chars().count() > 60 {
            errors.push(("name", "灾害名称：不超过60个字".to_owned()));
        }
        let kind = DisasterKind::parse(self.kind.trim()).map_err(|_| {
            errors.push((
                "kind",
                "灾害种类：请选择洪涝、山体滑坡、火灾、地震或其他".to_owned(),
            ))
        });
        let occurred_on = match doudi_core::date::parse_day(&self.occurred_on) {
            Ok(d) if d > today => {
                errors.push(("occurred_on", format!("发生日期：{d}晚于今天（{today}）")));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(("occurred_on", format!("发生日期：{e}")));
                None
            }
        };
        let mut communities = Vec::new();
        for c in self
            .communities
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            match DivisionCode::parse(c) {
                Ok(code) if code.is_community() && known.contains(&code) => {
                    if !communities.contains(&code) {
                        communities.push(code);
                    }
                }
                _ => errors.push((
                    "communities",
                    format!("受灾社区：“{c}”不是本县登记的社区代码"),
                )),
            }
        }
        let keywords: Vec<String> = self
            .keywords
            .split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect();
        if keywords
            .iter()
            .any(|k| k.chars().count() < 2 || k.chars().count() > 30)
        {
            errors.push(("keywords", "地址关键词：每个关键词2至30个字".to_owned()));
        }
        if keywords.len() > 20 {
            errors.push(("keywords", "地址关键词：最多20个".to_owned()));
        }
        if communities.is_empty() && keywords.is_empty() {
            errors.push((
                "communities",
                "受灾区域：请至少选择一个社区或填写一个地址关键词".to_owned(),
            ));
        }
        match (kind, occurred_on) {
            (Ok(kind), Some(occurred_on)) if errors.is_empty() => Ok(NewDisaster {
                name,
                kind,
                occurred_on,
                communities,
                keywords,
            }),
            _ => Err(Error::Fields(errors)),
        }
    }
}

impl CheckInput {
    /// The check of `household`, or every field's error.
    pub fn check(&self, household: HouseholdId) -> Result<AffectedCheck, Error> {
        let mut errors = Vec::new();
        let state = match AffectedState::parse(self.state.trim()) {
            Ok(s) if s != AffectedState::Found => Some(s),
            _ => {
                errors.push(("state", "核实结果：请选择确认受灾或排除".to_owned()));
                None
            }
        };
        let damage = Damage::parse(self.damage.trim()).ok();
        if damage.is_none() {
            errors.push((
                "damage",
                "房屋受损：请选择房屋倒塌、房屋受损或未受损".to_owned(),
            ));
        }
        let dead = count("dead", "死亡人数", &self.dead, &mut errors);
        let injured = count("injured", "受伤人数", &self.injured, &mut errors);
        let note = self.note.trim().to_owned();
        if note.chars().count() > 200 {
            errors.push(("note", "核实情况说明：不超过200个字".to_owned()));
        }
        if state == Some(AffectedState::Removed) && note.is_empty() {
            errors.push(("note", "核实情况说明：排除受灾家庭须说明理由".to_owned()));
        }
        match (state, damage) {
            (Some(state), Some(damage)) if errors.is_empty() => Ok(AffectedCheck {
                household,
                state,
                damage,
                dead,
                injured,
                note,
            }),
            _ => Err(Error::Fields(errors)),
        }
    }
}

impl ReliefInput {
    /// The relief for `household`, or every field's error; `current` is this month (China):
    /// emergency relief and condolence are due in it, transitional relief from it or a later
    /// month.
    pub fn check(&self, household: HouseholdId, current: Month) -> Result<NewRelief, Error> {
        let mut errors = Vec::new();
        let kind = ReliefKind::parse(self.kind.trim()).ok();
        if kind.is_none() {
            errors.push((
                "kind",
                "救助类别：请选择应急救助、死亡抚慰金或过渡期生活救助".to_owned(),
            ));
        }
        let amount = match Money::parse_yuan(&self.amount) {
            Ok(m) if m.fen() <= 0 => {
                errors.push(("amount", "金额：须大于0元".to_owned()));
                None
            }
            Ok(m) => match kind {
                Some(k) if m > k.ceiling() => {
                    errors.push((
                        "amount",
                        format!(
                            "金额：{}元超过{}的上限{}元（平台为防止录入错误而设，如确需更高请联系县民政局）",
                            m.to_yuan_string(),
                            k.label(),
                            k.ceiling().to_yuan_string()
                        ),
                    ));
                    None
                }
                _ => Some(m),
            },
            Err(e) => {
                errors.push(("amount", format!("金额：{e}")));
                None
            }
        };
        let (from_month, months) = if kind == Some(ReliefKind::Transitional) {
            let from = if self.from_month.trim().is_empty() {
                Some(current)
            } else {
                match Month::parse(self.from_month.trim()) {
                    Ok(m) if m < current => {
                        errors.push(("from_month", format!("起始月份：不能早于本月（{current}）")));
                        None
                    }
                    Ok(m) if m > current.plus(12) => {
                        errors.push(("from_month", "起始月份：最迟为12个月以后".to_owned()));
                        None
                    }
                    Ok(m) => Some(m),
                    Err(_) => {
                        errors.push(("from_month", "起始月份：应为如 2026-07 的月份".to_owned()));
                        None
                    }
                }
            };
            let months = match self.months.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_TRANSITIONAL_MONTHS).contains(&n) => n,
                _ => {
                    errors.push((
                        "months",
                        format!("月数：过渡期生活救助为1至{MAX_TRANSITIONAL_MONTHS}个月"),
                    ));
                    0
                }
            };
            (from, months)
        } else {
            (Some(current), 1)
        };
        let reason = self.reason.trim().to_owned();
        if reason.is_empty() {
            errors.push(("reason", "救助理由：请填写".to_owned()));
        } else if reason.chars().count() > 200 {
            errors.push(("reason", "救助理由：不超过200个字".to_owned()));
        }
        match (kind, amount, from_month) {
            (Some(kind), Some(amount), Some(from_month)) if errors.is_empty() => Ok(NewRelief {
                household,
                kind,
                amount_fen: amount.fen(),
                from_month,
                months,
                reason,
            }),
            _ => Err(Error::Fields(errors)),
        }
    }
}

impl App {
    /// Records a disaster event, finds the current households in its area and warns their
    /// townships (2.3). Returns its id.
    pub async fn record_disaster(
        &self,
        actor: &Actor,
        input: &DisasterInput,
    ) -> Result<i64, Error> {
        if !doudi_core::disaster::may_record(actor) {
            return Err(doudi_store::StoreError::Forbidden.into());
        }
        let known: Vec<DivisionCode> = self
            .store()
            .divisions()
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let disaster = input.check(&known, self.today())?;
        Ok(self.store().record_disaster(actor, &disaster).await?)
    }

    /// The disaster events, newest first, with their figures in the actor's scope.
    pub async fn disasters(&self, actor: &Actor) -> Result<Vec<Disaster>, Error> {
        Ok(self.store().disasters(actor).await?)
    }

    /// One event with its households, reliefs and paired cadres in the actor's scope.
    pub async fn disaster(&self, actor: &Actor, id: i64) -> Result<DisasterDetail, Error> {
        Ok(self.store().disaster(actor, id).await?)
    }

    /// Confirms or removes a household of an event, with what was found.
    pub async fn check_affected(
        &self,
        actor: &Actor,
        disaster: i64,
        household: HouseholdId,
        input: &CheckInput,
    ) -> Result<(), Error> {
        if !doudi_core::disaster::may_check(actor) {
            return Err(doudi_store::StoreError::Forbidden.into());
        }
        let check = input.check(household)?;
        Ok(self.store().check_affected(actor, disaster, &check).await?)
    }

    /// Records a relief for a confirmed household of an event; its months are paid by the
    /// payment runs of those months. Returns its id.
    pub async fn record_relief(
        &self,
        actor: &Actor,
        disaster: i64,
        household: HouseholdId,
        input: &ReliefInput,
    ) -> Result<i64, Error> {
        if !doudi_core::disaster::may_record(actor) {
            return Err(doudi_store::StoreError::Forbidden.into());
        }
        let relief = input.check(household, Month::of(self.today()))?;
        Ok(self.store().record_relief(actor, disaster, &relief).await?)
    }

    /// Withdraws a relief's unpaid months, with the reason; returns how many were withdrawn.
    pub async fn cancel_relief(
        &self,
        actor: &Actor,
        disaster: i64,
        relief: i64,
        reason: &str,
    ) -> Result<u64, Error> {
        if !doudi_core::disaster::may_record(actor) {
            return Err(doudi_store::StoreError::Forbidden.into());
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(Error::invalid("reason", "撤销理由：请填写，不超过200个字"));
        }
        Ok(self
            .store()
            .cancel_relief(actor, disaster, relief, reason)
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> chrono::NaiveDate {
        doudi_core::date::parse_day(s).unwrap()
    }

    fn fields(e: Error) -> Vec<&'static str> {
        match e {
            Error::Fields(f) => f.into_iter().map(|(f, _)| f).collect(),
            other => panic!("not field errors: {other}"),
        }
    }

    #[test]
    fn an_event_needs_a_name_a_kind_a_past_date_and_an_area() {
        let known = vec![DivisionCode::parse("500235001001").unwrap()];
        let e = DisasterInput {
            occurred_on: "2026-12-31".into(),
            communities: vec!["500235009009".into()],
            ..DisasterInput::default()
        }
        .check(&known, day("2026-07-01"))
        .unwrap_err();
        assert_eq!(
            fields(e),
            ["name", "kind", "occurred_on", "communities", "communities"]
        );
        let ok = DisasterInput {
            name: "青龙街道洪涝".into(),
            kind: "flood".into(),
            occurred_on: "2026-06-30".into(),
            communities: vec!["500235001001".into()],
            keywords: "河坝村、 三组".into(),
        }
        .check(&known, day("2026-07-01"))
        .unwrap();
        assert_eq!(ok.keywords, ["河坝村", "三组"]);
    }

    #[test]
    fn a_relief_amount_must_be_positive_and_below_its_ceiling_2_3() {
        let h = HouseholdId(1);
        let current = Month::parse("2026-07").unwrap();
        let relief = |kind: &str, amount: &str| ReliefInput {
            kind: kind.into(),
            amount: amount.into(),
            reason: "房屋倒塌".into(),
            months: "3".into(),
            ..ReliefInput::default()
        };
        assert_eq!(
            fields(relief("emergency", "0").check(h, current).unwrap_err()),
            ["amount"]
        );
        assert_eq!(
            fields(relief("emergency", "-5").check(h, current).unwrap_err()),
            ["amount"]
        );
        assert_eq!(
            fields(
                relief("emergency", "20000.01")
                    .check(h, current)
                    .unwrap_err()
            ),
            ["amount"]
        );
        let ok = relief("transitional", "600").check(h, current).unwrap();
        assert_eq!(
            (ok.amount_fen, ok.months, ok.from_month),
            (60_000, 3, current)
        );
        let once = relief("emergency", "2000").check(h, current).unwrap();
        assert_eq!((once.months, once.from_month), (1, current));
    }

    #[test]
    fn a_removed_household_needs_a_reason() {
        let e = CheckInput {
            state: "removed".into(),
            damage: "none".into(),
            ..CheckInput::default()
        }
        .check(HouseholdId(1))
        .unwrap_err();
        assert_eq!(fields(e), ["note"]);
    }
}
