//! The household as a decision froze it: every fact the rules read, in stable codes, versioned,
//! so that a decision can be evaluated again years later from what was stored and give the same
//! amount (ARCHITECTURE.md: "a decision is frozen").
//!
//! The format is serde-derived from [`Snapshot`] field by field; a new field the rules start
//! reading is a new `format` number, and [`FrozenHousehold::snapshot`] keeps reading the old
//! ones. Names and identity numbers are never in it: a member is a birth date and the facts the
//! classified extras read.

use chrono::NaiveDate;
use doudi_core::facts::{Assets, Member, MonthFigures, Snapshot, SupportMode};
use doudi_core::{
    Category, Disability, DisabilityGrade, DisabilityKind, Money, Month, SchoolStage, SelfCare,
};
use doudi_policy::Resolved;
use doudi_policy::batch;
use doudi_policy::params::Parameters;
use doudi_store::casework::StoredDecision;
use serde::{Deserialize, Serialize};

/// The format written today.
pub const FORMAT: u32 = 2;

/// A household as the rules read it when a decision was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrozenHousehold {
    /// The format of this record ([`FORMAT`] when written today).
    pub format: u32,
    /// The household's registry id.
    pub household: i64,
    /// The household's version the computation read.
    pub version: i64,
    /// `dibao` or `tekun` (the category the case applied for, for an application).
    pub category: String,
    /// The township's 9-digit code.
    pub township: String,
    /// `dispersed` or `centralised` (2.2).
    pub support_mode: String,
    /// The members counted (members excluded by 4.2.c are not).
    pub members: Vec<FrozenMember>,
    /// Income and deductible expenses per month, oldest first.
    pub months: Vec<FrozenMonth>,
    /// Savings and other financial assets, in fen.
    pub savings_fen: i64,
    /// Motor vehicles.
    pub vehicles: u32,
}

/// One member as the rules read them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrozenMember {
    /// Birth date.
    pub birth: NaiveDate,
    /// Certified disability: kind and grade codes.
    pub disability: Option<FrozenDisability>,
    /// Seriously ill.
    pub serious_illness: bool,
    /// School stage code while studying.
    pub school_stage: Option<String>,
    /// Last day of school, if known.
    pub studying_until: Option<NaiveDate>,
    /// Self-care code.
    pub self_care: String,
    /// Boards at school.
    pub boarding: bool,
}

/// A certified disability, by codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrozenDisability {
    /// Kind code (`physical`, `visual`…).
    pub kind: String,
    /// Grade code (`1` … `4`).
    pub grade: String,
}

/// One month's figures, in fen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrozenMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Income of all members.
    pub income_fen: i64,
    /// Self-paid medical costs.
    pub medical_fen: i64,
    /// Tuition.
    pub tuition_fen: i64,
}

/// Why a stored record cannot be read back.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrozenError {
    /// Not JSON of this shape (or a format written before format 2, which did not keep every
    /// fact the rules read).
    #[error("frozen household is not readable: {0}")]
    Shape(String),
    /// A format this build does not know.
    #[error("frozen household has format {0}, which this version does not read")]
    Format(u32),
    /// A code that is not in its vocabulary.
    #[error("frozen household has an unknown {field} code {code:?}")]
    Code {
        /// Which field.
        field: &'static str,
        /// The code found.
        code: String,
    },
}

fn support_code(mode: SupportMode) -> &'static str {
    match mode {
        SupportMode::Dispersed => "dispersed",
        SupportMode::Centralised => "centralised",
    }
}

fn code<T>(
    field: &'static str,
    text: &str,
    parse: impl Fn(&str) -> Result<T, doudi_core::UnknownValue>,
) -> Result<T, FrozenError> {
    parse(text).map_err(|_| FrozenError::Code {
        field,
        code: text.to_owned(),
    })
}

impl FrozenHousehold {
    /// Freezes a snapshot read at household `version`.
    pub fn of(s: &Snapshot, version: i64) -> FrozenHousehold {
        FrozenHousehold {
            format: FORMAT,
            household: s.id,
            version,
            category: s.category.code().to_owned(),
            township: s.township.clone(),
            support_mode: support_code(s.support_mode).to_owned(),
            members: s
                .members
                .iter()
                .map(|m| FrozenMember {
                    birth: m.birth,
                    disability: m.disability.map(|d| FrozenDisability {
                        kind: d.kind.code().to_owned(),
                        grade: d.grade.code().to_owned(),
                    }),
                    serious_illness: m.serious_illness,
                    school_stage: m.school_stage.map(|x| x.code().to_owned()),
                    studying_until: m.studying_until,
                    self_care: m.self_care.code().to_owned(),
                    boarding: m.boarding,
                })
                .collect(),
            months: s
                .months
                .iter()
                .map(|f| FrozenMonth {
                    month: f.month.to_string(),
                    income_fen: f.income.fen(),
                    medical_fen: f.medical.fen(),
                    tuition_fen: f.tuition.fen(),
                })
                .collect(),
            savings_fen: s.assets.savings.fen(),
            vehicles: s.assets.vehicles,
        }
    }

    /// As stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Reads a stored record.
    pub fn from_json(text: &str) -> Result<FrozenHousehold, FrozenError> {
        let frozen: FrozenHousehold =
            serde_json::from_str(text).map_err(|e| FrozenError::Shape(e.to_string()))?;
        if frozen.format != FORMAT {
            return Err(FrozenError::Format(frozen.format));
        }
        Ok(frozen)
    }

    /// The snapshot the rules read, exactly as it was frozen.
    pub fn snapshot(&self) -> Result<Snapshot, FrozenError> {
        let support_mode = match self.support_mode.as_str() {
            "dispersed" => SupportMode::Dispersed,
            "centralised" => SupportMode::Centralised,
            other => {
                return Err(FrozenError::Code {
                    field: "support_mode",
                    code: other.to_owned(),
                });
            }
        };
        let members = self
            .members
            .iter()
            .map(|m| {
                Ok(Member {
                    birth: m.birth,
                    disability: m
                        .disability
                        .as_ref()
                        .map(|d| {
                            Ok::<_, FrozenError>(Disability {
                                kind: code("disability.kind", &d.kind, DisabilityKind::parse)?,
                                grade: code("disability.grade", &d.grade, DisabilityGrade::parse)?,
                            })
                        })
                        .transpose()?,
                    serious_illness: m.serious_illness,
                    school_stage: m
                        .school_stage
                        .as_deref()
                        .map(|s| code("school_stage", s, SchoolStage::parse))
                        .transpose()?,
                    studying_until: m.studying_until,
                    self_care: code("self_care", &m.self_care, SelfCare::parse)?,
                    boarding: m.boarding,
                })
            })
            .collect::<Result<Vec<_>, FrozenError>>()?;
        let months = self
            .months
            .iter()
            .map(|f| {
                Ok(MonthFigures {
                    month: Month::parse(&f.month).map_err(|_| FrozenError::Code {
                        field: "months.month",
                        code: f.month.clone(),
                    })?,
                    income: Money::from_fen(f.income_fen),
                    medical: Money::from_fen(f.medical_fen),
                    tuition: Money::from_fen(f.tuition_fen),
                })
            })
            .collect::<Result<Vec<_>, FrozenError>>()?;
        Ok(Snapshot {
            id: self.household,
            category: code("category", &self.category, Category::parse)?,
            township: self.township.clone(),
            support_mode,
            members,
            months,
            assets: Assets {
                savings: Money::from_fen(self.savings_fen),
                vehicles: self.vehicles,
            },
        })
    }
}

/// What evaluating a stored decision again gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replay {
    /// The monthly amount the rules give today from what was frozen, in fen.
    pub monthly_fen: i64,
    /// Whether the parameter values in force in the decision's month are still those it was
    /// made with (the digest matches).
    pub same_parameters: bool,
}

/// Evaluates a stored decision again from what it froze, with the parameters of its month.
pub fn replay(d: &StoredDecision, params: &Parameters) -> Result<Replay, crate::Error> {
    let frozen = FrozenHousehold::from_json(&d.snapshot_json)
        .map_err(|e| crate::Error::Rules(format!("决定{}：{e}", d.id)))?;
    let snapshot = frozen
        .snapshot()
        .map_err(|e| crate::Error::Rules(format!("决定{}：{e}", d.id)))?;
    let r = Resolved::new(params, d.params_month)
        .map_err(|e| crate::Error::Rules(format!("决定{}：{e}", d.id)))?;
    let outcome = batch::evaluate(&snapshot, &r, false);
    let monthly_fen = if d.case_type.is_some_and(|t| t.monthly_category().is_none()) {
        0
    } else {
        outcome.total_fen
    };
    Ok(Replay {
        monthly_fen,
        same_parameters: crate::casework::params_version(&r) == d.params_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn snapshot() -> Snapshot {
        Snapshot {
            id: 42,
            category: Category::Tekun,
            township: "500235001".into(),
            support_mode: SupportMode::Centralised,
            members: vec![
                Member {
                    birth: day(1950, 2, 3),
                    disability: Some(Disability {
                        kind: DisabilityKind::Physical,
                        grade: DisabilityGrade::Two,
                    }),
                    serious_illness: true,
                    school_stage: None,
                    studying_until: None,
                    self_care: SelfCare::None,
                    boarding: false,
                },
                Member {
                    birth: day(2010, 9, 1),
                    disability: None,
                    serious_illness: false,
                    school_stage: Some(SchoolStage::SeniorHigh),
                    studying_until: Some(day(2028, 6, 30)),
                    self_care: SelfCare::Full,
                    boarding: true,
                },
            ],
            months: vec![MonthFigures {
                month: Month::new(2026, 10).unwrap(),
                income: Money::from_fen(30_050),
                medical: Money::from_fen(1_000),
                tuition: Money::from_fen(0),
            }],
            assets: Assets {
                savings: Money::from_fen(1_234_567),
                vehicles: 1,
            },
        }
    }

    #[test]
    fn a_frozen_household_reads_back_as_the_very_snapshot_the_rules_read() {
        let s = snapshot();
        let text = FrozenHousehold::of(&s, 7).to_json();
        let back = FrozenHousehold::from_json(&text).unwrap();
        assert_eq!(back.version, 7);
        assert_eq!(back.snapshot().unwrap(), s);
    }

    #[test]
    fn the_frozen_text_uses_stable_codes_not_rust_debug_text() {
        let text = FrozenHousehold::of(&snapshot(), 1).to_json();
        assert!(text.contains(r#""kind":"physical","grade":"2""#), "{text}");
        assert!(text.contains(r#""support_mode":"centralised""#), "{text}");
        assert!(text.contains(r#""studying_until":"2028-06-30""#), "{text}");
        assert!(!text.contains("Physical"), "{text}");
    }

    #[test]
    fn a_record_of_an_unknown_format_or_code_is_refused_by_name() {
        let mut f = FrozenHousehold::of(&snapshot(), 1);
        f.format = 9;
        assert_eq!(
            FrozenHousehold::from_json(&f.to_json()),
            Err(FrozenError::Format(9))
        );
        let mut f = FrozenHousehold::of(&snapshot(), 1);
        f.members[0].self_care = "sometimes".into();
        assert!(matches!(
            f.snapshot(),
            Err(FrozenError::Code {
                field: "self_care",
                ..
            })
        ));
        assert!(matches!(
            FrozenHousehold::from_json("{\"household\": 1}"),
            Err(FrozenError::Shape(_))
        ));
    }
}
