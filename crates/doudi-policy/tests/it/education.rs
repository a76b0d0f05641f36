//! The education cases of `tests/cases/education.toml` (2.5), each checked with and without
//! explanations, and the household helper that lists every student.

use chrono::NaiveDate;
use doudi_core::{Category, Money, Month, SchoolStage, SelfCare};
use doudi_policy::education::{self, ItemKind, Season, Student, Term};
use doudi_policy::explain::Off;
use doudi_policy::params::Parameters;
use doudi_policy::snapshot::{Assets, Member, Snapshot, SupportMode};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    case: Vec<Case>,
    term: Vec<TermCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    term: Option<String>,
    #[serde(default)]
    month: Option<String>,
    stage: String,
    #[serde(default)]
    boarding: bool,
    #[serde(default)]
    category: Option<String>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    term: Option<String>,
    items: Vec<String>,
    total: String,
    #[serde(default)]
    loan: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermCase {
    month: String,
    term: String,
}

fn term(s: &str) -> Term {
    let (year, season) = s.split_once('-').unwrap();
    let season = match season {
        "spring" => Season::Spring,
        "autumn" => Season::Autumn,
        other => panic!("unknown season {other}"),
    };
    Term {
        year: year.parse().unwrap(),
        season,
    }
}

fn yuan(s: &str) -> Money {
    Money::parse_yuan(s).unwrap()
}

fn show(items: &[education::Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i.kind.code(),
                i.amount.to_yuan_string().trim_end_matches(".00")
            )
        })
        .collect()
}

#[test]
fn every_education_case_computes_what_was_worked_out_by_hand() {
    let file: File = toml::from_str(include_str!("../cases/education.toml")).unwrap();
    let params = Parameters::yunyang();
    let mut failures = Vec::new();
    for c in &file.case {
        let t = match (&c.term, &c.month) {
            (Some(t), None) => term(t),
            (None, Some(m)) => Term::of(Month::parse(m).unwrap()),
            _ => panic!("{}: give a term or a month", c.name),
        };
        let r = t.resolve(&params).unwrap();
        let s = Student {
            stage: SchoolStage::parse(&c.stage).unwrap(),
            boarding: c.boarding,
            category: c
                .category
                .as_deref()
                .map_or(Category::Dibao, |s| Category::parse(s).unwrap()),
        };
        let fast = education::education(&s, t, &r, &mut Off);
        let (explained, explanation) = education::explain(&s, t, &r);
        assert_eq!(
            fast, explained,
            "{}: the explained and fast paths disagree",
            c.name
        );
        let text = explanation.render();
        assert!(text.contains("依据 2.5"), "{text}");
        let e = &c.expect;
        let got = (fast.term, show(&fast.items), fast.total, fast.loan_ceiling);
        let want = (
            e.term.as_deref().map_or(t, term),
            e.items.clone(),
            yuan(&e.total),
            e.loan.as_deref().map(yuan),
        );
        if got != want {
            failures.push(format!("{}: got {got:?}, want {want:?}\n{text}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(file.case.len() >= 15);
}

#[test]
fn every_month_maps_to_its_term() {
    let file: File = toml::from_str(include_str!("../cases/education.toml")).unwrap();
    for c in &file.term {
        assert_eq!(
            Term::of(Month::parse(&c.month).unwrap()),
            term(&c.term),
            "{}",
            c.month
        );
    }
}

#[test]
fn a_non_boarder_explanation_says_why_nothing_is_owed() {
    let t = term("2021-autumn");
    let r = t.resolve(&Parameters::yunyang()).unwrap();
    let s = Student {
        stage: SchoolStage::Primary,
        boarding: false,
        category: Category::Dibao,
    };
    let text = education::explain(&s, t, &r).1.render();
    assert!(
        text.contains("【寄宿生生活补助】：非寄宿生，不享受寄宿生生活补助"),
        "{text}"
    );
    assert!(
        text.contains("【教育资助（2021年秋季学期，小学）】：本学期无资助项目"),
        "{text}"
    );
}

#[test]
fn a_term_explanation_shows_the_halving_and_the_missing_textbooks() {
    let t = term("2021-spring");
    let r = t.resolve(&Parameters::yunyang()).unwrap();
    let s = Student {
        stage: SchoolStage::SeniorHigh,
        boarding: false,
        category: Category::Dibao,
    };
    let text = education::explain(&s, t, &r).1.render();
    assert!(
        text.contains("¥2,000.00/年 ÷ 2 = ¥1,000.00/学期（四舍五入到分）"),
        "{text}"
    );
    assert!(text.contains("本学期不在免费提供教科书期间"), "{text}");
    assert!(text.contains("参数读取月份：2021-03"), "{text}");
}

#[test]
#[should_panic(expected = "term's first month")]
fn parameters_of_another_month_than_the_terms_first_are_a_programming_error() {
    let r =
        doudi_policy::Resolved::new(&Parameters::yunyang(), Month::new(2021, 4).unwrap()).unwrap();
    let s = Student {
        stage: SchoolStage::SeniorHigh,
        boarding: false,
        category: Category::Dibao,
    };
    education::education(&s, term("2021-spring"), &r, &mut Off);
}

fn member(birth: &str, stage: Option<SchoolStage>, boarding: bool, until: Option<&str>) -> Member {
    Member {
        birth: NaiveDate::parse_from_str(birth, "%Y-%m-%d").unwrap(),
        disability: None,
        serious_illness: false,
        school_stage: stage,
        studying_until: until.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
        self_care: SelfCare::Full,
        boarding,
    }
}

#[test]
fn every_student_of_a_household_is_listed_with_their_items() {
    let h = Snapshot {
        id: 7,
        category: Category::Dibao,
        township: "500235003".into(),
        support_mode: SupportMode::Dispersed,
        members: vec![
            member("1980-04-01", None, false, None),
            member("2016-05-01", Some(SchoolStage::Preschool), false, None),
            member("2009-03-01", Some(SchoolStage::Junior), true, None),
            // Left senior high in July 2019: not a student in the autumn term.
            member(
                "2001-02-01",
                Some(SchoolStage::SeniorHigh),
                false,
                Some("2019-07-10"),
            ),
            member(
                "2003-06-01",
                Some(SchoolStage::SeniorHigh),
                false,
                Some("2022-07-10"),
            ),
        ],
        months: Vec::new(),
        assets: Assets::default(),
    };
    let t = term("2019-autumn");
    let r = t.resolve(&Parameters::yunyang()).unwrap();
    let fast = education::students(&h, t, &r, &mut Off);
    let (explained, explanation) = education::explain_students(&h, t, &r);
    assert_eq!(fast, explained);
    let got: Vec<(usize, Vec<String>, Money)> = fast
        .iter()
        .map(|s| (s.member, show(&s.decision.items), s.decision.total))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                1,
                vec![
                    "preschool_fees 600".to_owned(),
                    "preschool_living 300".to_owned()
                ],
                Money::from_yuan(900)
            ),
            (
                2,
                vec!["boarding_subsidy 625".to_owned()],
                Money::from_yuan(625)
            ),
            (
                4,
                vec![
                    "senior_tuition 700".to_owned(),
                    "senior_grant 1000".to_owned(),
                    "textbooks 300".to_owned()
                ],
                Money::from_yuan(2_000)
            ),
        ]
    );
    let text = explanation.render();
    assert!(
        text.contains("在校（园）学生3人，本学期资助合计 ¥3,525.00"),
        "{text}"
    );
    assert!(fast.iter().all(|s| {
        s.decision
            .items
            .iter()
            .all(|i| i.kind != ItemKind::StudentLoan)
    }));
}
