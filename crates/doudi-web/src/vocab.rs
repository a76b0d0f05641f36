//! One trait over doudi-core's closed vocabularies, so that forms, JSON conversions and the
//! OpenAPI document treat every vocabulary alike: select options from `ALL`, parsing with the
//! vocabulary's own Chinese error message, and an OpenAPI string enum of the stable codes.

use doudi_core::{
    AssetKind, Category, Department, DisabilityGrade, DisabilityKind, Employment, ExpenseKind,
    HealthInsurance, Housing, IncomeKind, Need, PovertyCause, Relation, Role, SchoolStage,
    SelfCare, SpecialDisease, UnknownValue, WorkCapacity,
};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};

/// A closed vocabulary of doudi-core: every value has a stable code and a Chinese label.
pub trait Vocabulary: Copy + PartialEq + 'static {
    /// Every value, in display order.
    const ALL: &'static [Self];
    /// What the vocabulary is called, in Chinese.
    const WHAT: &'static str;
    /// The stable code.
    fn code(self) -> &'static str;
    /// The Chinese label.
    fn label(self) -> &'static str;
    /// Parses a code or a label.
    fn parse(s: &str) -> Result<Self, UnknownValue>;
}

macro_rules! vocabularies {
    ($($t:ty),* $(,)?) => {
        $(impl Vocabulary for $t {
            const ALL: &'static [Self] = <$t>::ALL;
            const WHAT: &'static str = <$t>::WHAT;
            fn code(self) -> &'static str { <$t>::code(self) }
            fn label(self) -> &'static str { <$t>::label(self) }
            fn parse(s: &str) -> Result<Self, UnknownValue> { <$t>::parse(s) }
        })*
    };
}

vocabularies!(
    AssetKind,
    Category,
    Department,
    DisabilityGrade,
    DisabilityKind,
    Employment,
    ExpenseKind,
    HealthInsurance,
    Housing,
    IncomeKind,
    Need,
    PovertyCause,
    Relation,
    Role,
    SchoolStage,
    SelfCare,
    SpecialDisease,
    WorkCapacity,
    doudi_store::AuditAction,
);

/// Codes and labels as an OpenAPI description: `dibao`（城市低保）、`tekun`（城市特困）.
fn describe<T: Vocabulary>() -> String {
    let values: Vec<String> = T::ALL
        .iter()
        .map(|v| format!("`{}`（{}）", v.code(), v.label()))
        .collect();
    format!("{}，取值：{}", T::WHAT, values.join("、"))
}

/// The OpenAPI schema of one value of a vocabulary: a string enum of its stable codes.
pub fn schema<T: Vocabulary>() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(T::ALL.iter().map(|v| v.code())))
        .description(Some(describe::<T>()))
        .build()
}

/// The OpenAPI schema of a list of values of a vocabulary.
pub fn list_schema<T: Vocabulary>() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(schema::<T>())
        .description(Some(describe::<T>()))
        .build()
}
