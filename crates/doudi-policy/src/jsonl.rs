//! Households as JSON lines, the input format of `doudi eval --input`, described by the JSON
//! Schema in `schema/household.schema.json` (served by the web app at
//! `/api/schemas/household.json`).

use chrono::NaiveDate;
use doudi_core::{
    Category, Disability, DisabilityGrade, DisabilityKind, Money, Month, SchoolStage, SelfCare,
};
use serde::Deserialize;

use crate::snapshot::{Assets, Member, MonthFigures, Snapshot, SupportMode};

/// The published JSON Schema of one line.
pub const SCHEMA: &str = include_str!("../schema/household.schema.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HouseholdLine {
    id: i64,
    category: String,
    township: String,
    #[serde(default)]
    support_mode: Option<String>,
    members: Vec<MemberLine>,
    #[serde(default)]
    months: Vec<MonthLine>,
    #[serde(default)]
    assets: Option<AssetsLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberLine {
    birth: NaiveDate,
    #[serde(default)]
    disability: Option<DisabilityLine>,
    #[serde(default)]
    serious_illness: bool,
    #[serde(default)]
    school_stage: Option<String>,
    #[serde(default)]
    studying_until: Option<NaiveDate>,
    #[serde(default)]
    self_care: Option<String>,
    #[serde(default)]
    boarding: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisabilityLine {
    kind: String,
    grade: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MonthLine {
    month: String,
    #[serde(default)]
    income_fen: i64,
    #[serde(default)]
    medical_fen: i64,
    #[serde(default)]
    tuition_fen: i64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AssetsLine {
    #[serde(default)]
    savings_fen: i64,
    #[serde(default)]
    vehicles: u32,
}

/// An amount of money read from a line: never negative and never more than
/// [`Money::MAX_INPUT`] (¥10⁹), the bound the registry puts on every amount. Bounding each
/// amount at the edge is what keeps the rules' sums far from overflowing (see `dibao.rs`).
fn non_negative(what: &str, fen: i64) -> Result<Money, String> {
    if fen < 0 {
        Err(format!("{what} must not be negative ({fen})"))
    } else if fen > Money::MAX_INPUT.fen() {
        Err(format!(
            "{what} is {fen} fen, more than the most one amount may be ({} fen = {})",
            Money::MAX_INPUT.fen(),
            Money::MAX_INPUT
        ))
    } else {
        Ok(Money::from_fen(fen))
    }
}

/// Parses one line into a snapshot; the error says which field is wrong.
pub fn parse_line(line: &str) -> Result<Snapshot, String> {
    let h: HouseholdLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let category = Category::parse(&h.category).map_err(|e| format!("category: {e}"))?;
    if h.township.len() != 9 || !h.township.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "township: expected a 9-digit code, got {:?}",
            h.township
        ));
    }
    if crate::township_table().get(&h.township).is_none() {
        return Err(format!(
            "township: {} is not a street, town or township of {} ({}…) in the division table (version {})",
            h.township,
            doudi_core::division::COUNTY_NAME,
            doudi_core::division::COUNTY_CODE,
            crate::township_table().version
        ));
    }
    let support_mode = match h.support_mode.as_deref() {
        None | Some("dispersed") => SupportMode::Dispersed,
        Some("centralised") => SupportMode::Centralised,
        Some(other) => {
            return Err(format!(
                "support_mode: expected dispersed or centralised, got {other:?}"
            ));
        }
    };
    if h.members.is_empty() {
        return Err("members: a household has at least one member".into());
    }
    let members = h
        .members
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let at = |field: &str, e: String| format!("members[{i}].{field}: {e}");
            Ok(Member {
                birth: m.birth,
                disability: m
                    .disability
                    .map(|d| {
                        Ok::<_, String>(Disability {
                            kind: DisabilityKind::parse(&d.kind)
                                .map_err(|e| at("disability.kind", e.to_string()))?,
                            grade: DisabilityGrade::parse(&d.grade)
                                .map_err(|e| at("disability.grade", e.to_string()))?,
                        })
                    })
                    .transpose()?,
                serious_illness: m.serious_illness,
                school_stage: m
                    .school_stage
                    .map(|s| SchoolStage::parse(&s).map_err(|e| at("school_stage", e.to_string())))
                    .transpose()?,
                studying_until: m.studying_until,
                self_care: m.self_care.map_or(Ok(SelfCare::Full), |s| {
                    SelfCare::parse(&s).map_err(|e| at("self_care", e.to_string()))
                })?,
                boarding: m.boarding,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut months = h
        .months
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            Ok(MonthFigures {
                month: Month::parse(&m.month).map_err(|e| format!("months[{i}].month: {e}"))?,
                income: non_negative(&format!("months[{i}].income_fen"), m.income_fen)?,
                medical: non_negative(&format!("months[{i}].medical_fen"), m.medical_fen)?,
                tuition: non_negative(&format!("months[{i}].tuition_fen"), m.tuition_fen)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    months.sort_by_key(|m| m.month);
    if let Some(pair) = months.windows(2).find(|w| w[0].month == w[1].month) {
        return Err(format!("months: {} appears twice", pair[0].month));
    }
    let assets = h.assets.unwrap_or_default();
    Ok(Snapshot {
        id: h.id,
        category,
        township: h.township,
        support_mode,
        members,
        months,
        assets: Assets {
            savings: non_negative("assets.savings_fen", assets.savings_fen)?,
            vehicles: assets.vehicles,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_in_the_published_format_parses() {
        let h = parse_line(r#"{"id":7,"category":"dibao","township":"500235002","members":[{"birth":"1980-01-01","disability":{"kind":"physical","grade":"2"}},{"birth":"2015-05-01","school_stage":"primary"}],"months":[{"month":"2026-10","income_fen":120000}],"assets":{"savings_fen":500000}}"#).unwrap();
        assert_eq!(h.members.len(), 2);
        assert_eq!(h.months[0].income, Money::from_yuan(1200));
        assert!(serde_json::from_str::<serde_json::Value>(SCHEMA).is_ok());
    }

    #[test]
    fn a_bad_field_is_named() {
        let e = parse_line(r#"{"id":7,"category":"dibao","township":"500235002","members":[{"birth":"1980-01-01","self_care":"sometimes"}]}"#).unwrap_err();
        assert!(e.starts_with("members[0].self_care:"), "{e}");
        let e = parse_line(r#"{"id":7,"category":"dibao","township":"500235002","members":[{"birth":"1980-01-01"}],"months":[{"month":"2026-10","income_fen":-1}]}"#).unwrap_err();
        assert!(
            e.contains("months[0].income_fen must not be negative"),
            "{e}"
        );
        let e = parse_line(
            r#"{"id":7,"category":"dibao","township":"500235002","members":[],"extra":1}"#,
        )
        .unwrap_err();
        assert!(e.contains("unknown field `extra`"), "{e}");
    }

    #[test]
    fn an_amount_above_a_billion_yuan_is_refused_naming_its_field() {
        // Two incomes of 5×10¹⁸ fen once summed past i64::MAX into a negative income.
        let e = parse_line(r#"{"id":7,"category":"dibao","township":"500235002","members":[{"birth":"1980-01-01"}],"months":[{"month":"2026-09","income_fen":5000000000000000000},{"month":"2026-10","income_fen":5000000000000000000}]}"#).unwrap_err();
        assert!(
            e.starts_with("months[0].income_fen is 5000000000000000000 fen, more than the most one amount may be (100000000000 fen = ¥1,000,000,000.00)"),
            "{e}"
        );
        for (field, line) in [
            (
                "months[1].medical_fen",
                r#"{"id":7,"category":"dibao","township":"500235002","members":[{"birth":"1980-01-01"}],"months":[{"month":"2026-09"},{"month":"2026-10","medical_fen":100000000001}]}"#,
            ),
            (
                "months[0].tuition_fen",
                r#"{"id":7,"category":"dibao","township":"500235002","members":[{"birth":"1980-01-01"}],"months":[{"month":"2026-10","tuition_fen":9223372036854775807}]}"#,
            ),
            (
                "assets.savings_fen",
                r#"{"id":7,"category":"dibao","township":"500235002","members":[{"birth":"1980-01-01"}],"assets":{"savings_fen":100000000001}}"#,
            ),
        ] {
            let e = parse_line(line).unwrap_err();
            assert!(e.starts_with(&format!("{field} is ")), "{field}: {e}");
        }
        // Exactly ¥10⁹ is still an amount.
        let h = parse_line(r#"{"id":7,"category":"dibao","township":"500235002","members":[{"birth":"1980-01-01"}],"months":[{"month":"2026-10","income_fen":100000000000}]}"#).unwrap();
        assert_eq!(h.months[0].income, Money::MAX_INPUT);
    }

    #[test]
    fn the_published_schema_bounds_every_amount_like_the_parser() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
        let props = &schema["properties"];
        for field in [
            &props["months"]["items"]["properties"]["income_fen"],
            &props["months"]["items"]["properties"]["medical_fen"],
            &props["months"]["items"]["properties"]["tuition_fen"],
            &props["assets"]["properties"]["savings_fen"],
        ] {
            assert_eq!(field["maximum"], Money::MAX_INPUT.fen(), "{field}");
            assert_eq!(field["minimum"], 0, "{field}");
        }
    }

    #[test]
    fn a_nine_digit_township_outside_yunyang_is_refused() {
        let line = |township: &str| {
            format!(
                r#"{{"id":7,"category":"dibao","township":"{township}","members":[{{"birth":"1980-01-01"}}]}}"#
            )
        };
        for outside in ["110101001", "500235999", "500236001"] {
            let e = parse_line(&line(outside)).unwrap_err();
            assert!(
                e.starts_with(&format!(
                    "township: {outside} is not a street, town or township of 云阳县"
                )),
                "{e}"
            );
        }
        assert!(parse_line(&line("500235242")).is_ok(), "清水土家族乡");
    }
}

/// One inpatient stay per line for `doudi eval --rule medical` (2.4): `{"id":1,
/// "hospital":"云阳县人民医院","level":"county","in_county":true,"total_fen":1000000,
/// "in_catalogue_fen":900000,"admitted":"2026-10-01","category":"dibao",
/// "special_disease":null,"critical_deductible_met_fen":0,"assistance_paid_fen":0}`.
pub fn parse_stay(
    line: &str,
) -> Result<(i64, crate::medical::Stay, crate::medical::UsedThisYear), String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct StayLine {
        id: i64,
        #[serde(default)]
        hospital: String,
        level: String,
        #[serde(default)]
        in_county: bool,
        total_fen: i64,
        in_catalogue_fen: i64,
        admitted: NaiveDate,
        category: String,
        #[serde(default)]
        special_disease: Option<String>,
        #[serde(default)]
        critical_deductible_met_fen: i64,
        #[serde(default)]
        assistance_paid_fen: i64,
    }
    let s: StayLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let level = match s.level.as_str() {
        "township" => crate::medical::Level::Township,
        "county" => crate::medical::Level::County,
        "municipal" => crate::medical::Level::Municipal,
        other => {
            return Err(format!(
                "level: expected township, county or municipal, got {other:?}"
            ));
        }
    };
    let stay = crate::medical::Stay {
        hospital: s.hospital,
        level,
        in_county: s.in_county,
        total: non_negative("total_fen", s.total_fen)?,
        in_catalogue: non_negative("in_catalogue_fen", s.in_catalogue_fen)?,
        admitted: s.admitted,
        category: Category::parse(&s.category).map_err(|e| format!("category: {e}"))?,
        special_disease: s
            .special_disease
            .map(|d| {
                doudi_core::SpecialDisease::parse(&d).map_err(|e| format!("special_disease: {e}"))
            })
            .transpose()?,
    };
    stay.check().map_err(|e| e.to_string())?;
    let used = crate::medical::UsedThisYear {
        critical_deductible_met: non_negative(
            "critical_deductible_met_fen",
            s.critical_deductible_met_fen,
        )?,
        assistance_paid: non_negative("assistance_paid_fen", s.assistance_paid_fen)?,
    };
    Ok((s.id, stay, used))
}

/// One application per line for `doudi eval --rule temporary` (2.8): `{"id":1,
/// "kind":"emergency","tier":2,"per_capita_income_fen":1200000,"applied":"2026-11-02",
/// "previous_grants":["2026-03-01"],"case_decision":{"amount_fen":2000000,
/// "reference":"青龙街道2026年第3次集体研究纪要","decided_on":"2026-11-05","reason":"…"}}`.
/// The month of `applied` selects the parameters.
pub fn parse_application(
    line: &str,
) -> Result<(i64, Month, crate::temporary::Application), String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CaseLine {
        amount_fen: i64,
        reference: String,
        decided_on: NaiveDate,
        #[serde(default)]
        reason: String,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ApplicationLine {
        id: i64,
        kind: String,
        tier: u8,
        per_capita_income_fen: i64,
        applied: NaiveDate,
        #[serde(default)]
        previous_grants: Vec<NaiveDate>,
        #[serde(default)]
        case_decision: Option<CaseLine>,
    }
    let a: ApplicationLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let kind = match a.kind.as_str() {
        "emergency" => crate::temporary::Kind::Emergency,
        "expenditure" => crate::temporary::Kind::Expenditure,
        other => {
            return Err(format!(
                "kind: expected emergency or expenditure, got {other:?}"
            ));
        }
    };
    let tier = crate::temporary::Tier::from_number(a.tier)
        .ok_or_else(|| format!("tier: expected 1, 2 or 3, got {}", a.tier))?;
    let case_decision = a
        .case_decision
        .map(|c| {
            Ok::<_, String>(crate::temporary::CaseDecision {
                amount: non_negative("case_decision.amount_fen", c.amount_fen)?,
                reference: c.reference,
                decided_on: c.decided_on,
                reason: c.reason,
            })
        })
        .transpose()?;
    Ok((
        a.id,
        Month::of(a.applied),
        crate::temporary::Application {
            kind,
            tier,
            per_capita_income: non_negative("per_capita_income_fen", a.per_capita_income_fen)?,
            previous_grants: a.previous_grants,
            case_decision,
        },
    ))
}

#[cfg(test)]
mod event_tests {
    use super::*;

    #[test]
    fn a_stay_line_and_an_application_line_parse() {
        let (id, stay, used) = parse_stay(r#"{"id":3,"level":"county","in_county":true,"total_fen":1000000,"in_catalogue_fen":900000,"admitted":"2026-10-01","category":"dibao"}"#).unwrap();
        assert_eq!(
            (id, stay.total, used.assistance_paid),
            (3, Money::from_yuan(10_000), Money::ZERO)
        );
        let e = parse_stay(r#"{"id":3,"level":"county","total_fen":100,"in_catalogue_fen":200,"admitted":"2026-10-01","category":"dibao"}"#).unwrap_err();
        assert!(e.contains("目录内费用不能超过"), "{e}");
        let (_, month, a) = parse_application(r#"{"id":4,"kind":"emergency","tier":2,"per_capita_income_fen":1200000,"applied":"2026-11-02"}"#).unwrap();
        assert_eq!(month.to_string(), "2026-11");
        assert_eq!(a.tier, crate::temporary::Tier::Two);
        assert!(parse_application(r#"{"id":4,"kind":"emergency","tier":4,"per_capita_income_fen":0,"applied":"2026-11-02"}"#).unwrap_err().starts_with("tier:"));
    }

    #[test]
    fn event_amounts_above_a_billion_yuan_are_refused_naming_the_field() {
        let e = parse_stay(r#"{"id":3,"level":"county","total_fen":9223372036854775807,"in_catalogue_fen":0,"admitted":"2026-10-01","category":"dibao"}"#).unwrap_err();
        assert!(e.starts_with("total_fen is 9223372036854775807 fen"), "{e}");
        let e = parse_application(r#"{"id":4,"kind":"emergency","tier":2,"per_capita_income_fen":100000000001,"applied":"2026-11-02"}"#).unwrap_err();
        assert!(e.starts_with("per_capita_income_fen is "), "{e}");
    }
}
