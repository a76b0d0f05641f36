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

fn non_negative(what: &str, fen: i64) -> Result<Money, String> {
    if fen < 0 {
        Err(format!("{what} must not be negative ({fen})"))
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
}
