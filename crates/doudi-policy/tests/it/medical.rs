//! The inpatient cases of `tests/cases/medical.toml` (2.4), each checked with and without
//! explanations, and the out-of-catalogue report per hospital.

use chrono::NaiveDate;
use doudi_core::{Category, Money, Month, SpecialDisease};
use doudi_policy::Resolved;
use doudi_policy::explain::Off;
use doudi_policy::medical::{self, Level, Stay, UsedThisYear};
use doudi_policy::params::{Parameters, Ratio};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    case: Vec<Case>,
    report: Vec<Report>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    admitted: String,
    level: String,
    #[serde(default = "yes")]
    in_county: bool,
    total: String,
    in_catalogue: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    special: Option<String>,
    #[serde(default)]
    critical_met: Option<String>,
    #[serde(default)]
    assistance_paid: Option<String>,
    expect: Expect,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    deductible: Option<String>,
    #[serde(default)]
    ratio: Option<String>,
    #[serde(default)]
    county_adjusted: Option<bool>,
    basic: String,
    critical: String,
    assistance: String,
    #[serde(default)]
    capped: bool,
    self_pay: String,
    #[serde(default)]
    out_share: Option<String>,
    #[serde(default)]
    over_limit: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    name: String,
    month: String,
    stays: Vec<ReportStay>,
    expect: Vec<ReportExpect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportStay {
    hospital: String,
    total: String,
    in_catalogue: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportExpect {
    hospital: String,
    stays: u32,
    share: String,
    over_limit: bool,
}

fn file() -> File {
    toml::from_str(include_str!("../cases/medical.toml")).unwrap()
}

fn yuan(s: &str) -> Money {
    Money::parse_yuan(s).unwrap()
}

fn level(s: &str) -> Level {
    match s {
        "township" => Level::Township,
        "county" => Level::County,
        "municipal" => Level::Municipal,
        other => panic!("unknown level {other}"),
    }
}

fn stay(c: &Case) -> Stay {
    Stay {
        hospital: "某医院".into(),
        level: level(&c.level),
        in_county: c.in_county,
        total: yuan(&c.total),
        in_catalogue: yuan(&c.in_catalogue),
        admitted: NaiveDate::parse_from_str(&c.admitted, "%Y-%m-%d").unwrap(),
        category: c
            .category
            .as_deref()
            .map_or(Category::Dibao, |s| Category::parse(s).unwrap()),
        special_disease: c
            .special
            .as_deref()
            .map(|s| SpecialDisease::parse(s).unwrap()),
    }
}

#[test]
fn every_inpatient_case_computes_what_was_worked_out_by_hand() {
    let file = file();
    let params = Parameters::yunyang();
    let mut failures = Vec::new();
    for c in &file.case {
        let s = stay(c);
        s.check().unwrap();
        let used = UsedThisYear {
            critical_deductible_met: c.critical_met.as_deref().map_or(Money::ZERO, yuan),
            assistance_paid: c.assistance_paid.as_deref().map_or(Money::ZERO, yuan),
        };
        let r = Resolved::new(&params, s.month()).unwrap();
        let fast = medical::medical(&s, &used, &r, &mut Off);
        let (explained, explanation) = medical::explain(&s, &used, &r);
        assert_eq!(
            fast, explained,
            "{}: the explained and fast paths disagree",
            c.name
        );
        let text = explanation.render();
        assert!(text.contains("依据 2.4"), "{text}");
        assert_eq!(
            fast.basic + fast.critical + fast.assistance + fast.self_pay,
            s.total,
            "{}: the parts add up",
            c.name
        );
        let e = &c.expect;
        let got = (
            e.deductible.as_ref().map(|_| fast.deductible),
            e.ratio.as_ref().map(|_| fast.ratio),
            e.county_adjusted.map(|_| fast.county_adjusted),
            fast.basic,
            fast.critical,
            fast.assistance,
            fast.assistance_capped,
            fast.self_pay,
            e.out_share.as_ref().and(fast.out_share),
            fast.out_over_limit,
        );
        let want = (
            e.deductible.as_deref().map(yuan),
            e.ratio.as_deref().map(|r| Ratio::parse(r).unwrap()),
            e.county_adjusted,
            yuan(&e.basic),
            yuan(&e.critical),
            yuan(&e.assistance),
            e.capped,
            yuan(&e.self_pay),
            e.out_share.as_deref().map(|r| Ratio::parse(r).unwrap()),
            e.over_limit,
        );
        if got != want {
            failures.push(format!("{}: got {got:?}, want {want:?}\n{text}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(file.case.len() >= 15);
}

#[test]
fn every_hospital_report_compares_its_cost_weighted_share_with_15_percent() {
    let params = Parameters::yunyang();
    for c in &file().report {
        let r = Resolved::new(&params, Month::parse(&c.month).unwrap()).unwrap();
        let stays: Vec<Stay> = c
            .stays
            .iter()
            .map(|s| Stay {
                hospital: s.hospital.clone(),
                level: Level::County,
                in_county: true,
                total: yuan(&s.total),
                in_catalogue: yuan(&s.in_catalogue),
                admitted: NaiveDate::from_ymd_opt(2019, 6, 1).unwrap(),
                category: Category::Dibao,
                special_disease: None,
            })
            .collect();
        let got: Vec<(String, u32, Option<Ratio>, bool)> =
            medical::out_of_catalogue_report(&stays, &r)
                .into_iter()
                .map(|h| (h.hospital, h.stays, h.share, h.over_limit))
                .collect();
        let want: Vec<(String, u32, Option<Ratio>, bool)> = c
            .expect
            .iter()
            .map(|h| {
                (
                    h.hospital.clone(),
                    h.stays,
                    Some(Ratio::parse(&h.share).unwrap()),
                    h.over_limit,
                )
            })
            .collect();
        assert_eq!(got, want, "{}", c.name);
    }
}

#[test]
fn the_county_adjustment_is_explained_with_its_parameters() {
    let file = file();
    let c = file.case.iter().find(|c| c.name == "a_county_hospital_in_the_county_in_2019_has_its_deductible_halved_and_ratio_raised").unwrap();
    let s = stay(c);
    let r = Resolved::new(&Parameters::yunyang(), s.month()).unwrap();
    let text = medical::explain(&s, &UsedThisYear::default(), &r)
        .1
        .render();
    assert!(
        text.contains("起付线 = ¥500.00 − ¥500.00 × 50% = ¥250.00（四舍五入到分）"),
        "{text}"
    );
    assert!(text.contains("报销比例 = 70% + 10% = 80%"), "{text}");
    assert!(text.contains("本县县级医院住院报销比例提高（百分点）＝10%（2018-01-01起施行；来源：云阳府办发〔2019〕22号 二（四））"), "{text}");
}

#[test]
fn a_capped_assistance_is_explained() {
    let file = file();
    let c = file
        .case
        .iter()
        .find(|c| c.name == "assistance_stops_at_what_remains_of_the_yearly_cap")
        .unwrap();
    let s = stay(c);
    let used = UsedThisYear {
        critical_deductible_met: Money::ZERO,
        assistance_paid: Money::from_yuan(10_000),
    };
    let r = Resolved::new(&Parameters::yunyang(), s.month()).unwrap();
    let text = medical::explain(&s, &used, &r).1.render();
    assert!(
        text.contains("年度限额尚余 = ¥60,000.00 − ¥10,000.00 = ¥50,000.00"),
        "{text}"
    );
    assert!(
        text.contains("¥59,620.00 超过尚余限额，按 ¥50,000.00 救助"),
        "{text}"
    );
}

#[test]
fn a_rounded_reimbursement_is_marked_as_approximate() {
    let file = file();
    let c = file
        .case
        .iter()
        .find(|c| c.name == "a_reimbursement_of_half_a_fen_rounds_half_up")
        .unwrap();
    let s = stay(c);
    let r = Resolved::new(&Parameters::yunyang(), s.month()).unwrap();
    let text = medical::explain(&s, &UsedThisYear::default(), &r)
        .1
        .render();
    assert!(
        text.contains("(¥200.10 − ¥200.00) × 85% = ¥0.10 × 85% ≈ ¥0.09（四舍五入到分）"),
        "{text}"
    );
    assert!(
        text.contains("¥200.01 × 80% ≈ ¥160.01（四舍五入到分）"),
        "{text}"
    );
}
