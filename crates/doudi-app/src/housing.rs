//! Housing assistance (2.6) as use cases: the households owed priority (dibao and tekun
//! households whose housing is not secure), applications for public rental housing or a rent
//! subsidy filed for them and ordered by the one priority rule
//! ([`doudi_core::housing::priority_order`]), their decisions, and the months a rent subsidy is
//! owed, with totals per month for finance. The housing commission's officer reads through the
//! department's view (every household, by its head, with its housing situation); townships and
//! the county through their scope. Nothing here touches the dibao and tekun payment run.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use doudi_core::housing::{
    HousingKind, HousingState, PriorityFacts, priority_order, priority_reason,
};
use doudi_core::{Actor, Category, DivisionCode, HouseholdId, Housing, Money, Month, Relation};
use doudi_store::housing::{
    HousingApplication, HousingDecision, HousingFilter, NewHousingApplication, may_file_housing,
    may_read_housing,
};
use doudi_store::{HouseholdFilter, StoreError};

use crate::{App, Error};

/// A household owed priority for housing assistance (2.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorityHousehold {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its township code.
    pub township: String,
    /// Its community code.
    pub community: String,
    /// The head's name, masked (lists are masked).
    pub head: String,
    /// Dibao or tekun.
    pub category: Category,
    /// Its housing situation.
    pub housing: Housing,
    /// Why it is owed priority, citing 2.6.
    pub reason: String,
    /// Its latest application, if any: id, kind and state.
    pub application: Option<(i64, HousingKind, HousingState)>,
}

/// The months a rent subsidy is owed: one line per application and month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsidyLine {
    /// The month.
    pub month: Month,
    /// The application.
    pub application: i64,
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its community code.
    pub community: String,
    /// The amount owed for the month.
    pub amount: Money,
}

/// The rent subsidies owed, month by month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubsidyMonths {
    /// Every line, by month then application.
    pub lines: Vec<SubsidyLine>,
    /// Per month: households and the total.
    pub totals: Vec<(Month, u32, Money)>,
}

/// An application as typed in a form or sent as JSON: every value as text, checked here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplicationInput {
    /// The household's id.
    pub household: String,
    /// `public_rental` or `rent_subsidy` (or the Chinese label).
    pub kind: String,
    /// The need in words.
    pub note: String,
}

/// A decision as typed in a form or sent as JSON: every value as text, checked here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecisionInput {
    /// `allocate`, `subsidise`, `refuse` or `withdraw`.
    pub decision: String,
    /// The flat (allocate).
    pub unit: String,
    /// Its area in square metres, up to two decimals (allocate).
    pub area_m2: String,
    /// Its monthly rent in yuan (allocate).
    pub rent_yuan: String,
    /// From which day (allocate).
    pub from_day: String,
    /// The monthly subsidy in yuan (subsidise).
    pub monthly_yuan: String,
    /// The first month (subsidise).
    pub from_month: String,
    /// The last month (subsidise).
    pub to_month: String,
    /// Why (refuse, withdraw).
    pub reason: String,
}

/// The longest subsidy granted at once, in months: a grant is reviewed at least every five
/// years.
pub const MAX_SUBSIDY_MONTHS: u32 = 60;

/// Parses an area in square metres with up to two decimals into hundredths (exact, no floats).
pub fn parse_area(text: &str) -> Result<i64, String> {
    let t = text
        .trim()
        .trim_end_matches(['㎡', '平', '米'])
        .trim_end_matches("平方");
    let err = || format!("面积“{}”应为大于0的平方米数，最多两位小数", text.trim());
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || whole.len() > 6
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err());
    }
    let whole: i64 = whole.parse().map_err(|_| err())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| err())?;
    let centi = whole * 100 + fraction;
    if centi == 0 {
        return Err(err());
    }
    Ok(centi)
}

/// An area in hundredths of a square metre, as people read it: `45.50㎡`.
pub fn area_words(centi: i64) -> String {
    format!("{}.{:02}㎡", centi / 100, centi % 100)
}

impl ApplicationInput {
    /// The application, or every field at fault.
    pub fn parse(&self, today: NaiveDate) -> Result<NewHousingApplication, Error> {
        let mut problems = Vec::new();
        let household = match self.household.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(HouseholdId(id)),
            _ => {
                problems.push(("household", "家庭：请选择要申请的家庭".to_owned()));
                None
            }
        };
        let kind = match HousingKind::parse(&self.kind) {
            Ok(k) => Some(k),
            Err(e) => {
                problems.push(("kind", format!("保障方式：{e}")));
                None
            }
        };
        if self.note.chars().count() > 200 {
            problems.push(("note", "住房困难情况：最多200字".to_owned()));
        }
        match (household, kind) {
            (Some(household), Some(kind)) if problems.is_empty() => Ok(NewHousingApplication {
                household,
                kind,
                filed_on: today,
                note: self.note.trim().to_owned(),
            }),
            _ => Err(Error::Fields(problems)),
        }
    }
}

impl DecisionInput {
    /// The decision, or every field at fault.
    pub fn parse(&self) -> Result<HousingDecision, Error> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let reason = self.reason.trim();
        let decision = match self.decision.trim() {
            "allocate" => {
                if self.unit.trim().is_empty() {
                    problems.push(("unit", "配租房源：请填写房屋地址和房号".into()));
                }
                let area = parse_area(&self.area_m2)
                    .map_err(|e| problems.push(("area_m2", format!("面积：{e}"))))
                    .ok();
                let rent = Money::parse_non_negative_yuan(&self.rent_yuan)
                    .map_err(|e| problems.push(("rent_yuan", format!("月租金：{e}"))))
                    .ok();
                let from = doudi_core::date::parse_day(&self.from_day)
                    .map_err(|e| problems.push(("from_day", format!("起租日期：{e}"))))
                    .ok();
                match (area, rent, from) {
                    (Some(area_centi_m2), Some(rent), Some(from)) => {
                        Some(HousingDecision::Allocate {
                            unit: self.unit.trim().to_owned(),
                            area_centi_m2,
                            rent,
                            from,
                        })
                    }
                    _ => None,
                }
            }
            "subsidise" => {
                let monthly = match Money::parse_non_negative_yuan(&self.monthly_yuan) {
                    Ok(m) if m.fen() > 0 => Some(m),
                    Ok(_) => {
                        problems.push(("monthly_yuan", "每月补贴：应大于0".into()));
                        None
                    }
                    Err(e) => {
                        problems.push(("monthly_yuan", format!("每月补贴：{e}")));
                        None
                    }
                };
                let month =
                    |text: &str,
                     field: &'static str,
                     label: &str,
                     problems: &mut Vec<(&'static str, String)>| {
                        Month::parse(text)
                            .map_err(|_| {
                                problems.push((
                                    field,
                                    format!("{label}：“{}”不是月份，应写作2026-01", text.trim()),
                                ))
                            })
                            .ok()
                    };
                let from = month(&self.from_month, "from_month", "补贴起始月", &mut problems);
                let to = month(&self.to_month, "to_month", "补贴截止月", &mut problems);
                if let (Some(f), Some(t)) = (from, to) {
                    if t < f {
                        problems.push(("to_month", "补贴截止月：早于起始月".into()));
                    } else if f.plus(MAX_SUBSIDY_MONTHS - 1) < t {
                        problems.push((
                            "to_month",
                            format!("补贴截止月：一次最多核定{MAX_SUBSIDY_MONTHS}个月"),
                        ));
                    }
                }
                match (monthly, from, to) {
                    (Some(monthly), Some(from), Some(to)) => {
                        Some(HousingDecision::Subsidise { monthly, from, to })
                    }
                    _ => None,
                }
            }
            "refuse" | "withdraw" => {
                if reason.is_empty() {
                    problems.push(("reason", "理由：不予保障或撤回须写明理由".into()));
                    None
                } else if self.decision.trim() == "refuse" {
                    Some(HousingDecision::Refuse {
                        reason: reason.to_owned(),
                    })
                } else {
                    Some(HousingDecision::Withdraw {
                        reason: reason.to_owned(),
                    })
                }
            }
            _ => {
                problems.push((
                    "decision",
                    "决定：请选择配租、发放租赁补贴、不予保障或撤回".into(),
                ));
                None
            }
        };
        match decision {
            Some(d) if problems.is_empty() => Ok(d),
            _ => Err(Error::Fields(problems)),
        }
    }
}

/// The open applications first, in the order of the priority rule, then the decided ones,
/// newest first.
fn by_priority(list: &mut [HousingApplication]) {
    list.sort_by(|a, b| match (a.state.is_open(), b.state.is_open()) {
        (true, true) => priority_order(&facts(a), &facts(b)),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => b.id.cmp(&a.id),
    });
}

fn facts(a: &HousingApplication) -> PriorityFacts {
    PriorityFacts {
        category: a.category,
        housing: a.housing,
        filed_on: a.filed_on,
        id: a.id,
    }
}

impl App {
    /// The households of the actor's scope (and of a township or community, if given) owed
    /// priority for housing assistance (2.6), most pressing first by the priority rule (a household that has filed, by its filing date;
    /// one that has not, after those of the same category and housing).
    pub async fn housing_priority(
        &self,
        actor: &Actor,
        township: Option<&DivisionCode>,
    ) -> Result<Vec<PriorityHousehold>, Error> {
        if !may_read_housing(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let today = self.today();
        let filter = HouseholdFilter {
            township: township.filter(|c| !c.is_community()).cloned(),
            community: township.filter(|c| c.is_community()).cloned(),
            ..HouseholdFilter::default()
        };
        let records = self.store().records(actor, &filter).await?;
        let applications = self
            .store()
            .housing_applications(actor, &HousingFilter::default())
            .await?;
        // Newest first: the first seen is a household's latest.
        let mut latest: HashMap<i64, &HousingApplication> = HashMap::new();
        for a in &applications {
            latest.entry(a.household.0).or_insert(a);
        }
        let mut out: Vec<(PriorityFacts, PriorityHousehold)> = records
            .iter()
            .filter(|r| r.household.fields.exited_on.is_none_or(|d| d > today))
            .filter_map(|r| {
                let f = &r.household.fields;
                let reason = priority_reason(f.category, f.housing)?;
                let application = latest.get(&r.household.id.0);
                let head = r
                    .members
                    .iter()
                    .find(|m| m.fields.relation == Relation::Head)
                    .or(r.members.first())
                    .map_or_else(String::new, |m| m.fields.name.masked());
                Some((
                    PriorityFacts {
                        category: f.category,
                        housing: f.housing,
                        filed_on: application.map_or(NaiveDate::MAX, |a| a.filed_on),
                        id: r.household.id.0,
                    },
                    PriorityHousehold {
                        household: r.household.id,
                        number: f.number.clone(),
                        township: f.township.to_string(),
                        community: f.community.to_string(),
                        head,
                        category: f.category,
                        housing: f.housing,
                        reason,
                        application: application.map(|a| (a.id, a.kind, a.state)),
                    },
                ))
            })
            .collect();
        out.sort_by(|a, b| priority_order(&a.0, &b.0));
        Ok(out.into_iter().map(|(_, p)| p).collect())
    }

    /// The applications of the actor's scope: open ones by priority, then decided ones.
    pub async fn housing_applications(
        &self,
        actor: &Actor,
        filter: &HousingFilter,
    ) -> Result<Vec<HousingApplication>, Error> {
        let mut list = self.store().housing_applications(actor, filter).await?;
        by_priority(&mut list);
        Ok(list)
    }

    /// One application.
    pub async fn housing_application(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<HousingApplication, Error> {
        Ok(self.store().housing_application(actor, id).await?)
    }

    /// Files an application, dated today.
    pub async fn file_housing(
        &self,
        actor: &Actor,
        input: &ApplicationInput,
    ) -> Result<HousingApplication, Error> {
        // The role first: a role that may not file learns nothing from a form's errors.
        if !may_file_housing(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let application = input.parse(self.today())?;
        Ok(self.store().file_housing(actor, &application).await?)
    }

    /// Decides an application: allots a flat, grants a subsidy, refuses or withdraws it.
    pub async fn decide_housing(
        &self,
        actor: &Actor,
        id: i64,
        input: &DecisionInput,
    ) -> Result<HousingApplication, Error> {
        // Everyone who decides may also file (and withdraw); the store checks which decision.
        if !may_file_housing(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let decision = input.parse()?;
        Ok(self.store().decide_housing(actor, id, &decision).await?)
    }

    /// The rent subsidies owed in the actor's scope, month by month (or in one month), with
    /// totals (2.6): what the housing officer sends to finance. Computed from the granted subsidies; nothing is
    /// paid here.
    pub async fn rent_subsidies(
        &self,
        actor: &Actor,
        month: Option<Month>,
    ) -> Result<SubsidyMonths, Error> {
        let granted = self
            .store()
            .housing_applications(
                actor,
                &HousingFilter {
                    state: Some(HousingState::Subsidised),
                    ..HousingFilter::default()
                },
            )
            .await?;
        let mut lines = Vec::new();
        for a in &granted {
            let (Some(amount), Some(from), Some(to)) = (a.subsidy, a.from_month, a.to_month) else {
                continue;
            };
            let mut owed = from;
            while owed <= to {
                if month.is_none_or(|m| m == owed) {
                    lines.push(SubsidyLine {
                        month: owed,
                        application: a.id,
                        household: a.household,
                        number: a.household_number.clone(),
                        community: a.community.clone(),
                        amount,
                    });
                }
                owed = owed.plus(1);
            }
        }
        lines.sort_by_key(|a| (a.month, a.application));
        let mut totals: BTreeMap<Month, (u32, Money)> = BTreeMap::new();
        for l in &lines {
            let t = totals.entry(l.month).or_insert((0, Money::ZERO));
            t.0 += 1;
            t.1 = t.1.saturating_add(l.amount);
        }
        Ok(SubsidyMonths {
            lines,
            totals: totals
                .into_iter()
                .map(|(m, (n, total))| (m, n, total))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_is_read_exactly_in_hundredths_of_a_square_metre() {
        assert_eq!(parse_area("45"), Ok(4500));
        assert_eq!(parse_area("45.5"), Ok(4550));
        assert_eq!(parse_area(" 45.05㎡ "), Ok(4505));
        assert!(parse_area("0").is_err());
        assert!(parse_area("45.555").is_err());
        assert!(parse_area("-3").is_err());
        assert!(parse_area("四十").is_err());
        assert_eq!(area_words(4505), "45.05㎡");
    }

    #[test]
    fn a_subsidy_decision_names_each_field_at_fault() {
        let input = DecisionInput {
            decision: "subsidise".into(),
            monthly_yuan: "abc".into(),
            from_month: "2026-12".into(),
            to_month: "2026-01".into(),
            ..DecisionInput::default()
        };
        let Err(Error::Fields(problems)) = input.parse() else {
            panic!("refused");
        };
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["monthly_yuan", "to_month"]);
        assert!(problems[1].1.contains("早于起始月"));
    }

    #[test]
    fn a_refusal_needs_a_reason() {
        let input = DecisionInput {
            decision: "refuse".into(),
            ..DecisionInput::default()
        };
        assert!(matches!(input.parse(), Err(Error::Fields(p)) if p[0].0 == "reason"));
    }
}
