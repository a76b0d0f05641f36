//! The dibao cases of `tests/cases/dibao.toml`, each checked with and without explanations.

use chrono::NaiveDate;
use doudi_core::{
    Category, Disability, DisabilityGrade, DisabilityKind, Money, Month, SchoolStage, SelfCare,
};
use doudi_policy::Resolved;
use doudi_policy::dibao::{self, Refusal};
use doudi_policy::explain::Off;
use doudi_policy::params::Parameters;
use doudi_policy::snapshot::{Assets, Member, MonthFigures, Snapshot, SupportMode};
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
    #[serde(default)]
    kind: Option<String>,
    month: String,
    members: Vec<MemberCase>,
    income: Vec<String>,
    #[serde(default)]
    medical: Vec<String>,
    #[serde(default)]
    tuition: Vec<String>,
    #[serde(default)]
    savings: Option<String>,
    #[serde(default)]
    vehicles: u32,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberCase {
    birth: String,
    #[serde(default)]
    disability_grade: Option<u8>,
    #[serde(default)]
    serious_illness: bool,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    studying_until: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    eligible: bool,
    refusal: Option<String>,
    base: Option<String>,
    extras: Option<String>,
    total: Option<String>,
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn yuan(s: &str) -> Money {
    Money::parse_yuan(s).unwrap()
}

fn snapshot(c: &Case, month: Month) -> Snapshot {
    let n = c.income.len().max(c.medical.len()).max(c.tuition.len()) as u32;
    let at = |v: &Vec<String>, i: usize, len: u32| {
        let offset = n - len;
        (i as u32)
            .checked_sub(offset)
            .and_then(|j| v.get(j as usize))
            .map_or(Money::ZERO, |s| yuan(s))
    };
    let months = (0..n as usize)
        .map(|i| MonthFigures {
            month: month.minus(n - i as u32),
            income: at(&c.income, i, c.income.len() as u32),
            medical: at(&c.medical, i, c.medical.len() as u32),
            tuition: at(&c.tuition, i, c.tuition.len() as u32),
        })
        .collect();
    Snapshot {
        id: 1,
        category: Category::Dibao,
        township: "500235002".into(),
        support_mode: SupportMode::Dispersed,
        members: c
            .members
            .iter()
            .map(|m| Member {
                birth: date(&m.birth),
                disability: m.disability_grade.map(|g| Disability {
                    kind: DisabilityKind::Physical,
                    grade: DisabilityGrade::parse(&g.to_string()).unwrap(),
                }),
                serious_illness: m.serious_illness,
                school_stage: m.stage.as_deref().map(|s| SchoolStage::parse(s).unwrap()),
                studying_until: m.studying_until.as_deref().map(date),
                self_care: SelfCare::Full,
                boarding: false,
            })
            .collect(),
        months,
        assets: Assets {
            savings: c.savings.as_deref().map_or(Money::ZERO, yuan),
            vehicles: c.vehicles,
        },
    }
}

#[test]
fn every_dibao_case_computes_what_was_worked_out_by_hand() {
    let file: File = toml::from_str(include_str!("../cases/dibao.toml")).unwrap();
    let params = Parameters::yunyang();
    let mut failures = Vec::new();
    for c in &file.case {
        let month = Month::parse(&c.month).unwrap();
        let r = Resolved::new(&params, month).unwrap();
        let h = snapshot(c, month);
        let expenditure = c.kind.as_deref() == Some("expenditure");
        let fast = if expenditure {
            dibao::expenditure_dibao(&h, &r, &mut Off)
        } else {
            dibao::dibao(&h, &r, &mut Off)
        };
        let (explained, explanation) = dibao::explain(&h, &r, expenditure);
        assert_eq!(
            fast, explained,
            "{}: the explained and fast paths disagree",
            c.name
        );
        assert!(explanation.render().contains(&format!(
            "依据 {}",
            if expenditure { "2.1.b" } else { "2.1.a" }
        )));
        let e = &c.expect;
        let refusal = fast.refusal.map(|r| match r {
            Refusal::IncomeNotBelowStandard => "income",
            Refusal::SavingsAboveLimit => "savings",
            Refusal::OwnsVehicle => "vehicle",
            Refusal::NoMembers => "members",
        });
        let got = (fast.eligible, refusal, fast.base, fast.extras, fast.total);
        let want = (
            e.eligible,
            e.refusal.as_deref(),
            e.base.as_deref().map_or(Money::ZERO, yuan),
            e.extras.as_deref().map_or(Money::ZERO, yuan),
            e.total.as_deref().map_or(Money::ZERO, yuan),
        );
        if got != want {
            failures.push(format!(
                "{} ({}): got {got:?}, want {want:?}\n{}",
                c.name,
                c.clause,
                explanation.render()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(file.case.len() >= 20);
}

#[test]
fn an_explanation_flags_the_illustrative_values_it_used() {
    let file: File = toml::from_str(include_str!("../cases/dibao.toml")).unwrap();
    let c = &file.case[0];
    let month = Month::parse(&c.month).unwrap();
    let r = Resolved::new(&Parameters::yunyang(), month).unwrap();
    let (_, e) = dibao::explain(&snapshot(c, month), &r, false);
    assert!(e.uses_illustrative(), "the rounding rule is illustrative");
    let text = e.render();
    assert!(text.contains("⚠示例值"), "{text}");
    assert!(
        text.contains("城市低保标准（元/人·月）＝¥735.00（2023-09-01起施行"),
        "{text}"
    );
}
