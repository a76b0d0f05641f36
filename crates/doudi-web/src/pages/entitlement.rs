//! "Why this amount?": what a household is owed under each rule of the policy engine, with the
//! explanation tree in plain Chinese (2.1.a, 2.1.b, 2.2.a, 2.5), and calculators for the rules
//! that need an event the registry does not hold: temporary assistance (2.8) and an inpatient
//! stay (2.4). Nothing here changes any data.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use doudi_core::date::parse_day;
use doudi_core::{Category, HouseholdId, Money, SpecialDisease};
use doudi_policy::explain::Explanation;
use doudi_policy::{Resolved, dibao, education, medical, temporary};

use super::{Chrome, ok};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::extract::{PathParams, QueryPairs};

/// One line of a flattened explanation tree.
pub(crate) struct Line {
    /// Nesting depth (0 to 4), for indentation classes.
    pub depth: usize,
    /// title, fact, param, calc.
    pub kind: &'static str,
    /// The text.
    pub text: String,
    /// Uses an illustrative value.
    pub illustrative: bool,
}

/// Flattens an explanation into lines for the template (askama has no recursion).
pub(crate) fn lines(e: &Explanation) -> Vec<Line> {
    let mut out = Vec::new();
    e.walk(&mut |depth, e, cited| {
        let result = if e.result.is_empty() {
            String::new()
        } else {
            format!("：{}", e.result)
        };
        out.push(Line {
            depth: depth.min(4),
            kind: "title",
            text: format!("{}{result}（依据 {}）", e.title, e.clause),
            illustrative: false,
        });
        let d = (depth + 1).min(4);
        for (label, value) in &e.facts {
            out.push(Line {
                depth: d,
                kind: "fact",
                text: format!("{label}：{value}"),
                illustrative: false,
            });
        }
        for p in cited {
            out.push(Line {
                depth: d,
                kind: "param",
                text: format!(
                    "{}＝{}（{}起施行；来源：{}）",
                    p.label, p.value, p.from, p.source
                ),
                illustrative: p.illustrative,
            });
        }
        for a in &e.arithmetic {
            out.push(Line {
                depth: d,
                kind: "calc",
                text: a.to_string(),
                illustrative: false,
            });
        }
    });
    out
}

struct Section {
    anchor: &'static str,
    heading: String,
    summary: String,
    illustrative: bool,
    lines: Vec<Line>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).into(),
            label: (*l).into(),
            selected: *v == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "entitlement.html")]
struct EntitlementPage {
    chrome: Chrome,
    id: i64,
    month: String,
    sections: Vec<Section>,
    temporary: Option<Section>,
    temporary_error: String,
    t_kind: Vec<Choice>,
    t_tier: Vec<Choice>,
    t_income: String,
    t_granted: String,
    t_case_amount: String,
    t_case_reference: String,
    medical: Option<Section>,
    medical_error: String,
    m_level: Vec<Choice>,
    m_in_county: bool,
    m_admitted: String,
    m_total: String,
    m_in_catalogue: String,
    m_special: Vec<Choice>,
}

fn section(anchor: &'static str, heading: String, summary: String, e: &Explanation) -> Section {
    Section {
        anchor,
        heading,
        summary,
        illustrative: e.uses_illustrative(),
        lines: lines(e),
    }
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.trim())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    CurrentUser(session): CurrentUser,
    PathParams(id): PathParams<i64>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let doudi_app::entitlement::Evaluation {
        month,
        record,
        snapshot,
        resolved: r,
        monthly,
    } = state
        .app
        .entitlement(&session.actor, HouseholdId(id), Some(get(&pairs, "month")))
        .await?;
    let today = state.today();
    let params = state.app.parameters();

    let mut sections = Vec::new();
    let program = if monthly.program == "tekun" {
        "城市特困人员救助供养"
    } else {
        "城市低保"
    };
    let summary = if monthly.eligible {
        format!(
            "每月 {}（基本 {} + {} {}）",
            Money::from_fen(monthly.total_fen),
            Money::from_fen(monthly.base_fen),
            if monthly.program == "tekun" {
                "照料护理补贴"
            } else {
                "分类救助"
            },
            Money::from_fen(monthly.extras_fen)
        )
    } else {
        format!("不符合：{}", monthly.refusal.unwrap_or(""))
    };
    if let Some(e) = &monthly.explanation {
        sections.push(section("monthly", format!("{month} {program}"), summary, e));
    }
    if record.household.fields.category == Category::Dibao {
        let (d, e) = dibao::explain(&snapshot, &r, true);
        let summary = if d.eligible {
            format!("如本月申请，每月 {}", d.total)
        } else {
            format!("不符合：{}", d.refusal.map_or("", dibao::Refusal::label))
        };
        sections.push(section(
            "expenditure",
            format!("支出型低保测算（如在{month}申请）"),
            summary,
            &e,
        ));
    }
    let term = education::Term::of(month);
    let term_params = term
        .resolve(params)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let (students, e) = education::explain_students(&snapshot, term, &term_params);
    if !students.is_empty() {
        let total: Money = students.iter().map(|s| s.decision.total).sum();
        sections.push(section(
            "education",
            format!("{term}教育资助"),
            format!("在校（园）学生{}人，合计 {total}", students.len()),
            &e,
        ));
    }

    // Temporary assistance calculator (2.8).
    let t_kind = get(&pairs, "t_kind");
    let mut temporary_error = String::new();
    let temporary = if t_kind.is_empty() {
        None
    } else {
        match temporary_application(&pairs, today) {
            Ok(a) => {
                let (d, e) = temporary::explain(&a, &r);
                let summary = if d.granted {
                    format!("可救助 {}", d.amount)
                } else {
                    format!(
                        "不予救助：{}",
                        d.refusal.map_or("", temporary::Refusal::label)
                    )
                };
                Some(section(
                    "temporary",
                    format!("临时救助测算（{}）", a.kind.label()),
                    summary,
                    &e,
                ))
            }
            Err(message) => {
                temporary_error = message;
                None
            }
        }
    };

    // Inpatient stay calculator (2.4).
    let mut medical_error = String::new();
    let medical = if get(&pairs, "m_total").is_empty() {
        None
    } else {
        match medical_stay(&pairs, record.household.fields.category) {
            Ok(stay) => match Resolved::new(params, stay.month()) {
                Ok(stay_params) => {
                    let (d, e) =
                        medical::explain(&stay, &medical::UsedThisYear::default(), &stay_params);
                    Some(section(
                        "medical",
                        format!("住院费用测算（{}）", stay.level.label()),
                        format!("个人自付 {}", d.self_pay),
                        &e,
                    ))
                }
                Err(e) => {
                    medical_error = e.to_string();
                    None
                }
            },
            Err(message) => {
                medical_error = message;
                None
            }
        }
    };

    let mut chrome = Chrome::new(
        &session,
        format!("户 {} 救助测算", record.household.fields.number),
        "households",
    )
    .crumb("家庭档案", "/households")
    .crumb(
        format!("户 {}", record.household.fields.number),
        format!("/households/{id}"),
    );
    chrome.title = format!("{month} 应享待遇与测算");
    let page = EntitlementPage {
        chrome: chrome.here(),
        id,
        month: month.to_string(),
        sections,
        temporary,
        temporary_error,
        t_kind: choices(
            &[
                ("emergency", "急难型（2.8.a）"),
                ("expenditure", "支出型（2.8.b）"),
            ],
            t_kind,
        ),
        t_tier: choices(
            &[("1", "一档"), ("2", "二档"), ("3", "三档")],
            get(&pairs, "t_tier"),
        ),
        t_income: get(&pairs, "t_income").to_owned(),
        t_granted: get(&pairs, "t_granted").to_owned(),
        t_case_amount: get(&pairs, "t_case_amount").to_owned(),
        t_case_reference: get(&pairs, "t_case_reference").to_owned(),
        medical,
        medical_error,
        m_level: choices(
            &[
                ("township", "乡镇卫生院"),
                ("county", "县级医院"),
                ("municipal", "市级及以上医院"),
            ],
            get(&pairs, "m_level"),
        ),
        m_in_county: get(&pairs, "m_in_county") == "on" || get(&pairs, "m_total").is_empty(),
        m_admitted: get(&pairs, "m_admitted").to_owned(),
        m_total: get(&pairs, "m_total").to_owned(),
        m_in_catalogue: get(&pairs, "m_in_catalogue").to_owned(),
        m_special: std::iter::once(Choice {
            value: String::new(),
            label: "无".into(),
            selected: get(&pairs, "m_special").is_empty(),
        })
        .chain(SpecialDisease::ALL.iter().map(|d| Choice {
            value: d.code().into(),
            label: d.label().into(),
            selected: get(&pairs, "m_special") == d.code(),
        }))
        .collect(),
    };
    ok(&page)
}

fn temporary_application(
    pairs: &[(String, String)],
    today: NaiveDate,
) -> Result<temporary::Application, String> {
    let kind = match get(pairs, "t_kind") {
        "emergency" => temporary::Kind::Emergency,
        "expenditure" => temporary::Kind::Expenditure,
        _ => return Err("请选择临时救助类型".into()),
    };
    let tier = get(pairs, "t_tier")
        .parse()
        .ok()
        .and_then(temporary::Tier::from_number)
        .ok_or("请选择救助档次")?;
    let per_capita_income = Money::parse_non_negative_yuan(get(pairs, "t_income"))
        .map_err(|e| format!("家庭人均可支配收入：{e}"))?;
    let previous_grants = match get(pairs, "t_granted") {
        "" => Vec::new(),
        s => vec![parse_day(s).map_err(|e| format!("本年度已获救助日期：{e}"))?],
    };
    if previous_grants.iter().any(|d| *d > today) {
        return Err("本年度已获救助日期不能晚于今天".into());
    }
    let case_decision = match get(pairs, "t_case_amount") {
        "" => None,
        s => Some(temporary::CaseDecision {
            amount: Money::parse_non_negative_yuan(s)
                .map_err(|e| format!("“一事一议”金额：{e}"))?,
            reference: get(pairs, "t_case_reference").to_owned(),
            decided_on: today,
            reason: String::new(),
        }),
    };
    Ok(temporary::Application {
        kind,
        tier,
        per_capita_income,
        previous_grants,
        case_decision,
    })
}

fn medical_stay(pairs: &[(String, String)], category: Category) -> Result<medical::Stay, String> {
    let level = match get(pairs, "m_level") {
        "township" => medical::Level::Township,
        "county" => medical::Level::County,
        "municipal" => medical::Level::Municipal,
        _ => return Err("请选择医院级别".into()),
    };
    let admitted = parse_day(get(pairs, "m_admitted")).map_err(|e| format!("入院日期：{e}"))?;
    let total = Money::parse_non_negative_yuan(get(pairs, "m_total"))
        .map_err(|e| format!("住院总费用：{e}"))?;
    let in_catalogue = Money::parse_non_negative_yuan(get(pairs, "m_in_catalogue"))
        .map_err(|e| format!("医保目录内费用：{e}"))?;
    let special_disease = match get(pairs, "m_special") {
        "" => None,
        s => Some(SpecialDisease::parse(s).map_err(|e| e.to_string())?),
    };
    let stay = medical::Stay {
        hospital: level.label().to_owned(),
        level,
        in_county: get(pairs, "m_in_county") == "on",
        total,
        in_catalogue,
        admitted,
        category,
        special_disease,
    };
    stay.check().map_err(|e| e.to_string())?;
    Ok(stay)
}
