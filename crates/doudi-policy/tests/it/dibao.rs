//! The dibao cases of `tests/cases/dibao.toml`, each checked with and without explanations.

use chrono::NaiveDate;
use doudi_core::{
    Category, Disability, DisabilityGrade, DisabilityKind, Money, Month, SchoolStage, SelfCare,
};
use doudi_policy::Resolved;
use doudi_policy::batch;
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
    /// Words the rendered explanation must contain.
    #[serde(default)]
    explains: Vec<String>,
    /// Words the rendered explanation must not contain.
    #[serde(default)]
    not_explains: Vec<String>,
    /// Parameters the explanation must cite, by key.
    #[serde(default)]
    cites: Vec<String>,
    /// Parameters the explanation must not cite, by key.
    #[serde(default)]
    not_cites: Vec<String>,
    /// Whether the decision used an illustrative value (checked on both paths).
    #[serde(default)]
    illustrative: Option<bool>,
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
        let text = explanation.render();
        assert!(text.contains(&format!(
            "依据 {}",
            if expenditure { "2.1.b" } else { "2.1.a" }
        )));
        // The illustrative flag is the same with and without the explanation.
        let flagged = explanation.uses_illustrative();
        assert_eq!(
            fast.uses_illustrative(&r),
            flagged,
            "{}: the fast path and the explanation disagree on illustrative values",
            c.name
        );
        if !expenditure {
            let plain = batch::evaluate(&h, &r, false);
            let explained = batch::evaluate(&h, &r, true);
            assert_eq!(
                (plain.illustrative, &plain.months_without_income),
                (explained.illustrative, &explained.months_without_income),
                "{}: doudi eval says different things with and without --explain",
                c.name
            );
            assert_eq!(plain.illustrative, flagged, "{}", c.name);
        }
        if let Some(want) = c.illustrative
            && want != flagged
        {
            failures.push(format!(
                "{}: illustrative {flagged}, want {want}\n{text}",
                c.name
            ));
        }
        let mut cited = Vec::new();
        explanation.walk(&mut |_, _, citations| {
            cited.extend(citations.iter().map(|c| c.key));
        });
        for key in &c.cites {
            if !cited.contains(&key.as_str()) {
                failures.push(format!("{}: does not cite {key}\n{text}", c.name));
            }
        }
        for key in &c.not_cites {
            if cited.contains(&key.as_str()) {
                failures.push(format!("{}: cites {key}\n{text}", c.name));
            }
        }
        for words in &c.explains {
            if !text.contains(words.as_str()) {
                failures.push(format!("{}: does not say “{words}”\n{text}", c.name));
            }
        }
        for words in &c.not_explains {
            if text.contains(words.as_str()) {
                failures.push(format!("{}: says “{words}”\n{text}", c.name));
            }
        }
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

/// A household of `members` adults with the given figures for the months before 2026-11.
fn household(members: usize, figures: &[(u32, i64, i64)]) -> (Snapshot, Month) {
    let month = Month::new(2026, 11).unwrap();
    let mut months: Vec<MonthFigures> = figures
        .iter()
        .map(|&(back, income, medical)| MonthFigures {
            month: month.minus(back),
            income: Money::from_fen(income),
            medical: Money::from_fen(medical),
            tuition: Money::ZERO,
        })
        .collect();
    months.sort_by_key(|f| f.month);
    let h = Snapshot {
        id: 1,
        category: Category::Dibao,
        township: "500235002".into(),
        support_mode: SupportMode::Dispersed,
        members: vec![
            Member {
                birth: date("1980-01-01"),
                disability: None,
                serious_illness: false,
                school_stage: None,
                studying_until: None,
                self_care: SelfCare::Full,
                boarding: false,
            };
            members
        ],
        months,
        assets: Assets::default(),
    };
    (h, month)
}

/// The decision on both paths, checked to agree.
fn both(h: &Snapshot, r: &Resolved, expenditure: bool) -> dibao::DibaoDecision {
    let fast = if expenditure {
        dibao::expenditure_dibao(h, r, &mut Off)
    } else {
        dibao::dibao(h, r, &mut Off)
    };
    let (explained, e) = dibao::explain(h, r, expenditure);
    assert_eq!(fast, explained, "{}", e.render());
    fast
}

#[test]
fn incomes_summing_past_i64_leave_the_household_refused_not_paid() {
    // Two monthly incomes of 5×10¹⁸ fen (as a registry month summing many incomes could
    // hold) once wrapped to a negative income and a payment of about ¥1.4×10¹⁶ a month.
    let (h, month) = household(
        1,
        &[
            (2, 5_000_000_000_000_000_000, 0),
            (1, 5_000_000_000_000_000_000, 0),
        ],
    );
    let r = Resolved::new(&Parameters::yunyang(), month).unwrap();
    let d = both(&h, &r, false);
    assert!(!d.eligible);
    assert_eq!(d.refusal, Some(Refusal::IncomeNotBelowStandard));
    assert_eq!(d.total, Money::ZERO);
}

#[test]
fn expenditure_type_decisions_do_not_flip_on_overflow() {
    let r = Resolved::new(&Parameters::yunyang(), Month::new(2026, 11).unwrap()).unwrap();
    let huge = 5_000_000_000_000_000_000;
    // Income far above the standard and nothing to deduct: refused.
    let (h, _) = household(1, &[(2, huge, 0), (1, huge, 0)]);
    assert_eq!(
        both(&h, &r, true).refusal,
        Some(Refusal::IncomeNotBelowStandard)
    );
    // The same income with as much spent on treatment: nothing is left, so it qualifies.
    let (h, _) = household(1, &[(2, huge, huge), (1, huge, huge)]);
    let d = both(&h, &r, true);
    assert!(d.eligible);
    assert_eq!(d.total, Money::from_yuan(735));
    // Half of it spent: 5×10¹⁸ fen is left, refused.
    let (h, _) = household(1, &[(2, huge, huge), (1, huge, 0)]);
    assert_eq!(
        both(&h, &r, true).refusal,
        Some(Refusal::IncomeNotBelowStandard)
    );
}

#[test]
fn the_largest_values_the_edges_admit_compute_exactly() {
    // Every amount at ¥10⁹ (the most a parameter, the registry or a JSON line admits), the
    // longest window, and a thousand members fitting every group.
    let params = Parameters::yunyang();
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let mut p = params
        .with_change("dibao.income_window_months", from, "120", "测试")
        .unwrap()
        .with_change("dibao.extras_stack", from, "true", "测试")
        .unwrap();
    for key in [
        "dibao.standard",
        "dibao.extra_severe_disability",
        "dibao.extra_serious_illness",
        "dibao.extra_aged",
        "dibao.extra_preschool",
        "dibao.extra_student",
        "dibao.extra_disabled",
    ] {
        p = p.with_change(key, from, "1000000000", "测试").unwrap();
    }
    let r = Resolved::new(&p, Month::new(2026, 11).unwrap()).unwrap();
    let figures: Vec<(u32, i64, i64)> = (1..=120)
        .map(|k| (k, Money::MAX_INPUT.fen(), Money::MAX_INPUT.fen()))
        .collect();
    let (mut h, _) = household(1000, &figures);
    for m in &mut h.members {
        m.birth = date("1940-01-01");
        m.disability = Some(Disability {
            kind: DisabilityKind::Physical,
            grade: DisabilityGrade::parse("1").unwrap(),
        });
        m.serious_illness = true;
        m.school_stage = Some(SchoolStage::Higher);
    }
    // Ordinary dibao: 120 months of ¥10⁹ against ¥10⁹ × 1,000 × 120: the gap is 999 × 120
    // months of ¥10⁹, ÷ 120 = ¥9.99×10¹¹ a month; extras, stacked: 1,000 × ¥10⁹ × (severe
    // disability, illness, age, student, and the disabled person's additional amount).
    let d = both(&h, &r, false);
    assert!(d.eligible);
    assert_eq!(d.base, Money::from_yuan(999 * 1_000_000_000));
    assert_eq!(d.extras, Money::from_yuan(5_000 * 1_000_000_000));
    assert_eq!(d.total, Money::from_yuan(5_999 * 1_000_000_000));
    // Expenditure type: everything deducted, the whole standard for a thousand.
    let d = both(&h, &r, true);
    assert_eq!(d.counted_income, Money::ZERO);
}
