//! The temporary-assistance cases of `tests/cases/temporary.toml` (2.8.a–d), each checked with
//! and without explanations.

use chrono::NaiveDate;
use doudi_core::{Money, Month};
use doudi_policy::Resolved;
use doudi_policy::explain::Off;
use doudi_policy::params::Parameters;
use doudi_policy::temporary::{self, Application, CaseDecision, Kind, Refusal, Tier};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    clause: String,
    month: String,
    kind: String,
    tier: u8,
    income: String,
    #[serde(default)]
    previous: Vec<String>,
    #[serde(default)]
    case: Option<CaseCase>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseCase {
    amount: String,
    reference: String,
    date: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    granted: bool,
    #[serde(default)]
    refusal: Option<String>,
    #[serde(default)]
    amount: Option<String>,
    tier_amount: String,
    #[serde(default)]
    case_by_case: bool,
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn yuan(s: &str) -> Money {
    Money::parse_yuan(s).unwrap()
}

fn application(c: &Case) -> Application {
    Application {
        kind: match c.kind.as_str() {
            "emergency" => Kind::Emergency,
            "expenditure" => Kind::Expenditure,
            other => panic!("{}: unknown kind {other}", c.name),
        },
        tier: Tier::from_number(c.tier).unwrap(),
        per_capita_income: yuan(&c.income),
        previous_grants: c.previous.iter().map(|d| date(d)).collect(),
        case_decision: c.case.as_ref().map(|d| CaseDecision {
            amount: yuan(&d.amount),
            reference: d.reference.clone(),
            decided_on: date(&d.date),
            reason: d.reason.clone(),
        }),
    }
}

fn refusal_code(r: Refusal) -> &'static str {
    match r {
        Refusal::IncomeNotBelowPriorYear => "income",
        Refusal::AlreadyGrantedThisYear => "again",
        Refusal::CaseDecisionWithoutReference => "no_reference",
        Refusal::CaseAmountAboveCeiling => "above_ceiling",
        Refusal::CaseAmountBelowTier => "below_tier",
    }
}

#[test]
fn every_temporary_assistance_case_computes_what_was_worked_out_by_hand() {
    let file: File = toml::from_str(include_str!("../cases/temporary.toml")).unwrap();
    let params = Parameters::yunyang();
    let mut failures = Vec::new();
    for c in &file.case {
        let r = Resolved::new(&params, Month::parse(&c.month).unwrap()).unwrap();
        let a = application(c);
        let fast = temporary::temporary(&a, &r, &mut Off);
        let (explained, explanation) = temporary::explain(&a, &r);
        assert_eq!(
            fast, explained,
            "{}: the explained and fast paths disagree",
            c.name
        );
        let text = explanation.render();
        assert!(
            text.contains(&format!("依据 {}", c.clause)),
            "{}: cites {}\n{text}",
            c.name,
            c.clause
        );
        let e = &c.expect;
        let got = (
            fast.granted,
            fast.refusal.map(refusal_code),
            fast.amount,
            fast.tier_amount,
            fast.case_by_case,
        );
        let want = (
            e.granted,
            e.refusal.as_deref(),
            e.amount.as_deref().map_or(Money::ZERO, yuan),
            yuan(&e.tier_amount),
            e.case_by_case,
        );
        if got != want {
            failures.push(format!(
                "{} ({}): got {got:?}, want {want:?}\n{text}",
                c.name, c.clause
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(file.case.len() >= 15);
}

#[test]
fn an_amount_above_the_ceiling_is_refused_with_the_ceiling_in_the_explanation() {
    let file: File = toml::from_str(include_str!("../cases/temporary.toml")).unwrap();
    let c = file
        .case
        .iter()
        .find(|c| c.name == "a_collective_decision_one_fen_above_the_ceiling_is_refused_not_cut")
        .unwrap();
    let r = Resolved::new(&Parameters::yunyang(), Month::parse(&c.month).unwrap()).unwrap();
    let (d, e) = temporary::explain(&application(c), &r);
    assert_eq!(d.ceiling, Money::from_yuan(35_280));
    let text = e.render();
    assert!(
        text.contains("议定金额 ¥35,280.01 超过上限 ¥35,280.00，不予发放（不自动削减）"),
        "{text}"
    );
    assert!(
        text.contains("集体研究决定：人和街道临时救助集体研究会议纪要〔2026〕7号"),
        "{text}"
    );
    assert!(e.uses_illustrative(), "the ceiling is illustrative");
}

#[test]
fn once_per_year_can_be_lifted_by_the_parameter() {
    let file: File = toml::from_str(include_str!("../cases/temporary.toml")).unwrap();
    let c = file
        .case
        .iter()
        .find(|c| c.name == "a_second_grant_in_the_same_calendar_year_is_refused")
        .unwrap();
    let text = include_str!("../../data/yunyang.toml");
    let once = "[[temporary.once_per_year]]\nfrom = 2018-01-01\nvalue = true";
    assert!(text.contains(once));
    let params = Parameters::parse(&text.replace(
        once,
        "[[temporary.once_per_year]]\nfrom = 2018-01-01\nvalue = false",
    ))
    .unwrap();
    let r = Resolved::new(&params, Month::parse(&c.month).unwrap()).unwrap();
    let d = temporary::temporary(&application(c), &r, &mut Off);
    assert!(d.granted);
    assert_eq!(d.amount, Money::from_yuan(3_675));
}

#[test]
fn a_tier_is_explained_as_a_multiple_of_the_standard() {
    let file: File = toml::from_str(include_str!("../cases/temporary.toml")).unwrap();
    let c = file
        .case
        .iter()
        .find(|c| c.name == "an_expenditure_grant_of_tier_three_is_twelve_times_the_standard")
        .unwrap();
    let r = Resolved::new(&Parameters::yunyang(), Month::parse(&c.month).unwrap()).unwrap();
    let text = temporary::explain(&application(c), &r).1.render();
    assert!(
        text.contains("¥735.00 × 12倍 = ¥8,820.00，按四舍五入到元为 ¥8,820.00"),
        "{text}"
    );
    assert!(text.contains("救助类型：支出型（依据 2.8.b）"), "{text}");
}
