//! The tekun cases of `tests/cases/tekun.toml` (2.2.a support, 2.2.b routing and KPI), each
//! checked with and without explanations.

use chrono::NaiveDate;
use doudi_core::{Category, Disability, DisabilityGrade, DisabilityKind, Money, Month, SelfCare};
use doudi_policy::Resolved;
use doudi_policy::explain::Off;
use doudi_policy::params::{Parameters, Ratio};
use doudi_policy::snapshot::{Assets, Member, Snapshot, SupportMode};
use doudi_policy::tekun::{self, CareTier};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    case: Vec<Case>,
    route: Vec<Route>,
    kpi: Vec<Kpi>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    clause: String,
    month: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    township: Option<String>,
    members: Vec<MemberCase>,
    expect: Expect,
    /// Words the rendered explanation must contain.
    #[serde(default)]
    explains: Vec<String>,
    /// Whether the decision used an illustrative value (checked on both paths).
    #[serde(default)]
    illustrative: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberCase {
    birth: String,
    #[serde(default)]
    self_care: Option<String>,
    #[serde(default)]
    disability: Option<DisabilityCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisabilityCase {
    kind: String,
    grade: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    applicable: bool,
    basic: String,
    care: String,
    total: String,
    tiers: Vec<String>,
    #[serde(default)]
    payee: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Route {
    name: String,
    township: String,
    expect: RouteExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteExpect {
    institution: String,
    county_home: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Kpi {
    name: String,
    township: String,
    year: i32,
    disabled: u32,
    centralised: u32,
    expect: KpiExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KpiExpect {
    met: bool,
    #[serde(default)]
    share: Option<String>,
    shortfall: u32,
}

fn file() -> File {
    toml::from_str(include_str!("../cases/tekun.toml")).unwrap()
}

fn yuan(s: &str) -> Money {
    Money::parse_yuan(s).unwrap()
}

fn snapshot(c: &Case) -> Snapshot {
    Snapshot {
        id: 1,
        category: c
            .category
            .as_deref()
            .map_or(Category::Tekun, |s| Category::parse(s).unwrap()),
        township: c.township.clone().unwrap_or_else(|| "500235003".into()),
        support_mode: match c.mode.as_deref() {
            None | Some("dispersed") => SupportMode::Dispersed,
            Some("centralised") => SupportMode::Centralised,
            Some(other) => panic!("{}: unknown mode {other}", c.name),
        },
        members: c
            .members
            .iter()
            .map(|m| Member {
                birth: NaiveDate::parse_from_str(&m.birth, "%Y-%m-%d").unwrap(),
                disability: m.disability.as_ref().map(|d| Disability {
                    kind: DisabilityKind::parse(&d.kind).unwrap(),
                    grade: DisabilityGrade::parse(&d.grade).unwrap(),
                }),
                serious_illness: false,
                school_stage: None,
                studying_until: None,
                self_care: m
                    .self_care
                    .as_deref()
                    .map_or(SelfCare::Full, |s| SelfCare::parse(s).unwrap()),
                boarding: false,
            })
            .collect(),
        months: Vec::new(),
        assets: Assets::default(),
    }
}

fn tier_code(t: CareTier) -> &'static str {
    match t {
        CareTier::Full => "full",
        CareTier::Half => "half",
        CareTier::SelfCare => "self",
    }
}

#[test]
fn every_tekun_case_computes_what_was_worked_out_by_hand() {
    let file = file();
    let params = Parameters::yunyang();
    let mut failures = Vec::new();
    for c in &file.case {
        let r = Resolved::new(&params, Month::parse(&c.month).unwrap()).unwrap();
        let h = snapshot(c);
        let fast = tekun::tekun(&h, &r, &mut Off);
        let (explained, explanation) = tekun::explain(&h, &r);
        assert_eq!(
            fast, explained,
            "{}: the explained and fast paths disagree",
            c.name
        );
        let text = explanation.render();
        // The illustrative flag is the same with and without the explanation.
        let flagged = explanation.uses_illustrative();
        assert_eq!(fast.uses_illustrative(&r), flagged, "{}", c.name);
        assert_eq!(
            doudi_policy::batch::evaluate(&h, &r, false).illustrative,
            doudi_policy::batch::evaluate(&h, &r, true).illustrative,
            "{}: doudi eval says different things with and without --explain",
            c.name
        );
        if let Some(want) = c.illustrative
            && want != flagged
        {
            failures.push(format!(
                "{}: illustrative {flagged}, want {want}\n{text}",
                c.name
            ));
        }
        for words in &c.explains {
            if !text.contains(words.as_str()) {
                failures.push(format!("{}: does not say “{words}”\n{text}", c.name));
            }
        }
        assert!(
            text.contains(&format!("依据 {}", c.clause)),
            "{}: cites {}\n{text}",
            c.name,
            c.clause
        );
        let e = &c.expect;
        let got = (
            fast.applicable,
            fast.basic,
            fast.care,
            fast.total,
            fast.people
                .iter()
                .map(|p| tier_code(p.tier))
                .collect::<Vec<_>>(),
            fast.payee.as_ref().map(|p| p.label()),
        );
        let want = (
            e.applicable,
            yuan(&e.basic),
            yuan(&e.care),
            yuan(&e.total),
            e.tiers.iter().map(String::as_str).collect::<Vec<_>>(),
            e.payee.clone(),
        );
        if got != want {
            failures.push(format!(
                "{} ({}): got {got:?}, want {want:?}\n{text}",
                c.name, c.clause
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(file.case.len() >= 20);
}

#[test]
fn every_route_sends_a_centralisation_to_the_institution_of_2_2_b() {
    let r = Resolved::new(&Parameters::yunyang(), Month::new(2019, 6).unwrap()).unwrap();
    for c in &file().route {
        let got = tekun::institution_for(&c.township, &r);
        assert_eq!(
            (got.name.as_str(), got.county_home),
            (c.expect.institution.as_str(), c.expect.county_home),
            "{}",
            c.name
        );
    }
}

#[test]
fn every_kpi_case_compares_the_rate_with_the_year_target_exactly() {
    let params = Parameters::yunyang();
    let mut failures = Vec::new();
    for c in &file().kpi {
        let r = Resolved::new(&params, tekun::assessment_month(c.year)).unwrap();
        let fast = tekun::centralisation(&c.township, c.disabled, c.centralised, &r, &mut Off);
        let (explained, explanation) =
            tekun::explain_centralisation(&c.township, c.disabled, c.centralised, c.year, &params)
                .unwrap();
        assert_eq!(
            fast, explained,
            "{}: the explained and fast paths disagree",
            c.name
        );
        let text = explanation.render();
        assert!(text.contains("依据 2.2.b"), "{text}");
        let got = (fast.met, fast.share, fast.shortfall);
        let want = (
            c.expect.met,
            c.expect.share.as_deref().map(|s| Ratio::parse(s).unwrap()),
            c.expect.shortfall,
        );
        if got != want {
            failures.push(format!("{}: got {got:?}, want {want:?}\n{text}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_centralised_explanation_says_the_institution_receives_the_money() {
    let file = file();
    let c = file
        .case
        .iter()
        .find(|c| c.name == "a_centralised_tekun_of_qinglong_is_paid_to_the_county_nursing_home")
        .unwrap();
    let r = Resolved::new(&Parameters::yunyang(), Month::parse(&c.month).unwrap()).unwrap();
    let text = tekun::explain(&snapshot(c), &r).1.render();
    assert!(
        text.contains("集中供养：供养金由云阳县城乡敬老院领取用于供养，不发给本人"),
        "{text}"
    );
    assert!(text.contains("青龙街道（500235002）"), "{text}");
    assert!(
        text.contains("¥636.00 × 130% = ¥826.80，按四舍五入到元为 ¥827.00"),
        "{text}"
    );
}

#[test]
fn a_tekun_paid_once_explains_every_tier_it_fits() {
    let file = file();
    let c = file
        .case
        .iter()
        .find(|c| c.name == "a_fully_dependent_disabled_child_is_paid_once_at_the_highest_tier")
        .unwrap();
    let r = Resolved::new(&Parameters::yunyang(), Month::parse(&c.month).unwrap()).unwrap();
    let text = tekun::explain(&snapshot(c), &r).1.render();
    assert!(
        text.contains("全失能→全护理¥300.00、一、二级智力残疾→半护理¥200.00、未满16岁→半护理¥200.00，一人只享受一档，取最高 → 全护理¥300.00"),
        "{text}"
    );
}
