//! What both backends share apart from SQL: rows as the database returns them and their
//! conversion into domain types, validation the store adds to the domain checks, the
//! classification of a search, history entries, and the mapping of constraint violations.
//!
//! Nothing here talks to a database; the SQL lives in `shared_impl.rs`, which `sqlite.rs` and
//! `postgres.rs` each include with their own `Db` type.

use std::collections::{HashMap, HashSet};
use std::fmt::Display;

use chrono::{DateTime, FixedOffset, NaiveDate, SubsecRound, Utc};
use doudi_core::{
    Actor, Asset, AssetKind, BankAccount, Category, Department, Disability, DisabilityGrade,
    DisabilityKind, Division, DivisionCode, DivisionKind, Employment, Expense, ExpenseKind,
    HealthInsurance, Household, HouseholdFields, HouseholdId, Housing, IdNumber, Income,
    IncomeKind, Month, Need, NewHousehold, Person, PersonFields, PersonId, PersonName, Phone,
    PovertyCause, Relation, Role, SchoolStage, Scope, SelfCare, SpecialDisease, Survey,
    UnknownValue, WorkCapacity,
};

use crate::audit::{AuditAction, AuditFilter};
use crate::keys::{Column, Keys, OpenError};
use crate::{
    FinanceChange, HistoryEntry, HouseholdFilter, HouseholdSummary, StoreError, UserRecord,
};

/// The columns of `households` that [`HouseholdRow`] reads, in its order.
pub(crate) const HOUSEHOLD_COLUMNS: &str = "id, number, township, community, category, \
     enrolled_on, exited_on, address, phone, bank_account, housing, causes, needs, version";

/// The columns of `persons` that [`PersonRow`] reads, in its order.
pub(crate) const PERSON_COLUMNS: &str = "id, household_id, name, id_number, relation, \
     disability_kind, disability_grade, serious_illness, disease, special_disease, self_care, \
     work_capacity, willing_to_work, employment, school_stage, boarding, insurance, \
     family_doctor, health_record, phone";

/// The columns of `persons` that [`PersonValues`] writes (without `id`, `household_id` and
/// `position`), in its order.
pub(crate) const PERSON_VALUE_COLUMNS: &str = "name, initials, id_number, id_number_bidx, \
     id_tail_bidx, relation, disability_kind, disability_grade, serious_illness, disease, special_disease, \
     self_care, work_capacity, willing_to_work, employment, school_stage, boarding, insurance, \
     family_doctor, health_record, phone";

/// How many columns a comma-separated column list names.
pub(crate) const fn count_columns(list: &str) -> usize {
    let bytes = list.as_bytes();
    let mut columns = 1;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b',' {
            columns += 1;
        }
        i += 1;
    }
    columns
}

/// The columns of `users` that [`UserRow`] reads, in its order.
pub(crate) const USER_COLUMNS: &str = "id, username, display_name, role, scope, department, \
     password_hash, must_change_password, disabled, failed_logins, locked_until";

// ---- time ----

/// The current time, to the microsecond: PostgreSQL keeps no more, and both backends should
/// hand back what they were given.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Today's date in China (UTC+8), which decides whether an exit date has passed.
pub(crate) fn today() -> NaiveDate {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    Utc::now().with_timezone(&china).date_naive()
}

/// The date against which stored identity numbers are re-parsed: they were checked when filed,
/// so only their form matters when reading them back.
fn far_future() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).expect("valid date")
}

// ---- permissions and scope ----

/// The actor may read household data, or the call is [`StoreError::Forbidden`].
pub(crate) fn require_read(actor: &Actor) -> Result<(), StoreError> {
    if actor.may_read_households() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

/// The actor may write household data, or the call is [`StoreError::Forbidden`].
pub(crate) fn require_write(actor: &Actor) -> Result<(), StoreError> {
    if actor.may_write_households() {
        Ok(())
    } else {
        Err(StoreError::Forbidden)
    }
}

/// Whether a household filed under `community` lies in the actor's scope.
pub(crate) fn covers(actor: &Actor, community: &str) -> bool {
    community.starts_with(actor.scope.prefix())
}

// ---- corrupt data ----

/// A stored value that does not parse. The message names the place, never the value, which may
/// be personal.
pub(crate) fn corrupt(table: &str, column: &str, id: impl Display) -> StoreError {
    StoreError::Corrupt(format!("{table}.{column} of row {id}"))
}

/// Decrypts a sealed value of `table.column` in row `id`: a value sealed under another key is
/// [`StoreError::Key`], one that does not decrypt is corrupt (altered, or not sealed at all).
pub(crate) fn unseal(
    keys: &Keys,
    sealed: &str,
    column: Column,
    table: &str,
    column_name: &str,
    id: i64,
) -> Result<String, StoreError> {
    keys.open(column, sealed).map_err(|e| match e {
        OpenError::OtherKey(other) => StoreError::Key(format!(
            "{table}.{column_name} of row {id} was encrypted with the data key {other}, \
             not with the key given ({}): open the database with its own key",
            keys.id()
        )),
        OpenError::Damaged => StoreError::Corrupt(format!(
            "{table}.{column_name} of row {id} does not decrypt (altered, or not encrypted)"
        )),
    })
}

fn vocab<T>(
    parse: impl Fn(&str) -> Result<T, UnknownValue>,
    value: &str,
    table: &str,
    column: &str,
    id: i64,
) -> Result<T, StoreError> {
    parse(value).map_err(|_| corrupt(table, column, id))
}

fn opt_vocab<T>(
    parse: impl Fn(&str) -> Result<T, UnknownValue>,
    value: Option<&str>,
    table: &str,
    column: &str,
    id: i64,
) -> Result<Option<T>, StoreError> {
    value
        .map(|v| vocab(parse, v, table, column, id))
        .transpose()
}

/// Stable codes, sorted and without duplicates, joined with commas, as `households.causes` and
/// `households.needs` hold them.
pub(crate) fn join_codes<T: Copy + Ord>(items: &[T], code: impl Fn(T) -> &'static str) -> String {
    let mut items = items.to_vec();
    items.sort();
    items.dedup();
    items.into_iter().map(code).collect::<Vec<_>>().join(",")
}

pub(crate) fn split_codes<T: Ord>(
    s: &str,
    parse: impl Fn(&str) -> Result<T, UnknownValue>,
    column: &str,
    id: i64,
) -> Result<Vec<T>, StoreError> {
    let mut out = s
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| vocab(&parse, p, "households", column, id))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// The scope as `users.scope` holds it: '' for the county, else the division code.
pub(crate) fn scope_code(scope: &Scope) -> &str {
    scope.prefix()
}

// ---- rows ----

/// A row of `households`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct HouseholdRow {
    pub(crate) id: i64,
    pub(crate) number: String,
    pub(crate) township: String,
    pub(crate) community: String,
    pub(crate) category: String,
    pub(crate) enrolled_on: NaiveDate,
    pub(crate) exited_on: Option<NaiveDate>,
    pub(crate) address: String,
    pub(crate) phone: Option<String>,
    pub(crate) bank_account: Option<String>,
    pub(crate) housing: String,
    pub(crate) causes: String,
    pub(crate) needs: String,
    pub(crate) version: i64,
}

impl HouseholdRow {
    /// The household this row stores, its phone and bank account decrypted.
    pub(crate) fn into_household(self, keys: &Keys) -> Result<Household, StoreError> {
        let id = self.id;
        let t = "households";
        let code = |column: &str, value: &str| {
            DivisionCode::parse(value).map_err(|_| corrupt(t, column, id))
        };
        let fields = HouseholdFields {
            township: code("township", &self.township)?,
            community: code("community", &self.community)?,
            category: vocab(Category::parse, &self.category, t, "category", id)?,
            enrolled_on: self.enrolled_on,
            exited_on: self.exited_on,
            address: self.address,
            phone: self
                .phone
                .map(|p| {
                    let p = unseal(keys, &p, Column::HouseholdPhone, t, "phone", id)?;
                    Phone::parse(&p).map_err(|_| corrupt(t, "phone", id))
                })
                .transpose()?,
            bank_account: self
                .bank_account
                .map(|b| {
                    let b = unseal(
                        keys,
                        &b,
                        Column::HouseholdBankAccount,
                        t,
                        "bank_account",
                        id,
                    )?;
                    BankAccount::parse(&b).map_err(|_| corrupt(t, "bank_account", id))
                })
                .transpose()?,
            housing: vocab(Housing::parse, &self.housing, t, "housing", id)?,
            causes: split_codes(&self.causes, PovertyCause::parse, "causes", id)?,
            needs: split_codes(&self.needs, Need::parse, "needs", id)?,
            number: self.number,
        };
        Ok(Household {
            id: HouseholdId(id),
            version: self.version,
            fields,
        })
    }
}

/// A row of `persons`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PersonRow {
    pub(crate) id: i64,
    pub(crate) household_id: i64,
    pub(crate) name: String,
    pub(crate) id_number: String,
    pub(crate) relation: String,
    pub(crate) disability_kind: Option<String>,
    pub(crate) disability_grade: Option<String>,
    pub(crate) serious_illness: bool,
    pub(crate) disease: String,
    pub(crate) special_disease: Option<String>,
    pub(crate) self_care: String,
    pub(crate) work_capacity: String,
    pub(crate) willing_to_work: bool,
    pub(crate) employment: String,
    pub(crate) school_stage: Option<String>,
    pub(crate) boarding: bool,
    pub(crate) insurance: String,
    pub(crate) family_doctor: bool,
    pub(crate) health_record: bool,
    pub(crate) phone: Option<String>,
}

impl PersonRow {
    /// The member this row stores, its identity number and phone decrypted.
    pub(crate) fn into_person(self, keys: &Keys) -> Result<Person, StoreError> {
        let id = self.id;
        let t = "persons";
        let disability = match (
            self.disability_kind.as_deref(),
            self.disability_grade.as_deref(),
        ) {
            (Some(kind), Some(grade)) => Some(Disability {
                kind: vocab(DisabilityKind::parse, kind, t, "disability_kind", id)?,
                grade: vocab(DisabilityGrade::parse, grade, t, "disability_grade", id)?,
            }),
            (None, None) => None,
            _ => return Err(corrupt(t, "disability_grade", id)),
        };
        let fields = PersonFields {
            name: PersonName::parse(&self.name).map_err(|_| corrupt(t, "name", id))?,
            id_number: IdNumber::parse(
                &unseal(
                    keys,
                    &self.id_number,
                    Column::PersonIdNumber,
                    t,
                    "id_number",
                    id,
                )?,
                far_future(),
            )
            .map_err(|_| corrupt(t, "id_number", id))?,
            relation: vocab(Relation::parse, &self.relation, t, "relation", id)?,
            disability,
            serious_illness: self.serious_illness,
            disease: self.disease,
            special_disease: opt_vocab(
                SpecialDisease::parse,
                self.special_disease.as_deref(),
                t,
                "special_disease",
                id,
            )?,
            self_care: vocab(SelfCare::parse, &self.self_care, t, "self_care", id)?,
            work_capacity: vocab(
                WorkCapacity::parse,
                &self.work_capacity,
                t,
                "work_capacity",
                id,
            )?,
            willing_to_work: self.willing_to_work,
            employment: vocab(Employment::parse, &self.employment, t, "employment", id)?,
            school_stage: opt_vocab(
                SchoolStage::parse,
                self.school_stage.as_deref(),
                t,
                "school_stage",
                id,
            )?,
            boarding: self.boarding,
            insurance: vocab(HealthInsurance::parse, &self.insurance, t, "insurance", id)?,
            family_doctor: self.family_doctor,
            health_record: self.health_record,
            phone: self
                .phone
                .map(|p| {
                    let p = unseal(keys, &p, Column::PersonPhone, t, "phone", id)?;
                    Phone::parse(&p).map_err(|_| corrupt(t, "phone", id))
                })
                .transpose()?,
        };
        Ok(Person {
            id: PersonId(id),
            household: HouseholdId(self.household_id),
            fields,
        })
    }
}

/// A row of `incomes` or `expenses`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MoneyRow {
    pub(crate) person_id: i64,
    pub(crate) month: String,
    pub(crate) kind: String,
    pub(crate) amount_fen: i64,
}

impl MoneyRow {
    fn month(&self, table: &str) -> Result<Month, StoreError> {
        Month::parse(&self.month).map_err(|_| corrupt(table, "month", self.person_id))
    }

    /// The income this row stores.
    pub(crate) fn into_income(self) -> Result<Income, StoreError> {
        Ok(Income {
            person: PersonId(self.person_id),
            month: self.month("incomes")?,
            kind: vocab(
                IncomeKind::parse,
                &self.kind,
                "incomes",
                "kind",
                self.person_id,
            )?,
            amount: doudi_core::Money::from_fen(self.amount_fen),
        })
    }

    /// The expense this row stores.
    pub(crate) fn into_expense(self) -> Result<Expense, StoreError> {
        Ok(Expense {
            person: PersonId(self.person_id),
            month: self.month("expenses")?,
            kind: vocab(
                ExpenseKind::parse,
                &self.kind,
                "expenses",
                "kind",
                self.person_id,
            )?,
            amount: doudi_core::Money::from_fen(self.amount_fen),
        })
    }
}

/// A row of `assets`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct AssetRow {
    pub(crate) household_id: i64,
    pub(crate) kind: String,
    pub(crate) description: String,
    pub(crate) value_fen: i64,
}

impl AssetRow {
    /// The asset this row stores.
    pub(crate) fn into_asset(self) -> Result<Asset, StoreError> {
        Ok(Asset {
            kind: vocab(
                AssetKind::parse,
                &self.kind,
                "assets",
                "kind",
                self.household_id,
            )?,
            description: self.description,
            value: doudi_core::Money::from_fen(self.value_fen),
        })
    }
}

/// A row of `surveys`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SurveyRow {
    pub(crate) family_situation: String,
    pub(crate) poverty_cause: String,
    pub(crate) help_needed: String,
    pub(crate) surveyed_by: String,
    pub(crate) surveyed_on: NaiveDate,
}

impl From<SurveyRow> for Survey {
    fn from(r: SurveyRow) -> Survey {
        Survey {
            family_situation: r.family_situation,
            poverty_cause: r.poverty_cause,
            help_needed: r.help_needed,
            surveyed_by: r.surveyed_by,
            surveyed_on: r.surveyed_on,
        }
    }
}

/// A row of `divisions`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DivisionRow {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) parent: Option<String>,
}

impl DivisionRow {
    /// The division this row stores.
    pub(crate) fn into_division(self) -> Result<Division, StoreError> {
        let t = "divisions";
        let code = DivisionCode::parse(&self.code).map_err(|_| corrupt(t, "code", &self.code))?;
        let parent = self
            .parent
            .map(|p| DivisionCode::parse(&p).map_err(|_| corrupt(t, "parent", &self.code)))
            .transpose()?;
        let kind = DivisionKind::parse(&self.kind).map_err(|_| corrupt(t, "kind", &self.code))?;
        Ok(Division {
            code,
            name: self.name,
            kind,
            parent,
        })
    }
}

/// A row of `change_log`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ChangeRow {
    pub(crate) id: i64,
    pub(crate) at: DateTime<Utc>,
    pub(crate) actor_name: String,
    pub(crate) actor_role: String,
    pub(crate) action: String,
    pub(crate) subject: String,
    pub(crate) field: String,
    pub(crate) old_value: String,
    pub(crate) new_value: String,
}

impl ChangeRow {
    /// The history entry this row stores.
    pub(crate) fn into_entry(self) -> Result<HistoryEntry, StoreError> {
        Ok(HistoryEntry {
            at: self.at,
            actor_name: self.actor_name,
            actor_role: vocab(
                Role::parse,
                &self.actor_role,
                "change_log",
                "actor_role",
                self.id,
            )?,
            action: self.action,
            subject: self.subject,
            field: self.field,
            old: self.old_value,
            new: self.new_value,
        })
    }
}

/// A row of `users`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct UserRow {
    pub(crate) id: i64,
    pub(crate) username: String,
    pub(crate) display_name: String,
    pub(crate) role: String,
    pub(crate) scope: String,
    pub(crate) department: Option<String>,
    pub(crate) password_hash: String,
    pub(crate) must_change_password: bool,
    pub(crate) disabled: bool,
    pub(crate) failed_logins: i64,
    pub(crate) locked_until: Option<DateTime<Utc>>,
}

impl UserRow {
    /// The user this row stores.
    pub(crate) fn into_user(self) -> Result<UserRecord, StoreError> {
        let scope = if self.scope.is_empty() {
            Scope::County
        } else {
            Scope::Division(
                DivisionCode::parse(&self.scope).map_err(|_| corrupt("users", "scope", self.id))?,
            )
        };
        Ok(UserRecord {
            id: self.id,
            role: vocab(Role::parse, &self.role, "users", "role", self.id)?,
            department: opt_vocab(
                Department::parse,
                self.department.as_deref(),
                "users",
                "department",
                self.id,
            )?,
            username: self.username,
            display_name: self.display_name,
            scope,
            password_hash: self.password_hash,
            must_change_password: self.must_change_password,
            disabled: self.disabled,
            failed_logins: self.failed_logins,
            locked_until: self.locked_until,
        })
    }
}

/// A row of the household list, before its head and member count are added.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SummaryRow {
    pub(crate) id: i64,
    pub(crate) number: String,
    pub(crate) township: String,
    pub(crate) community: String,
    pub(crate) category: String,
    pub(crate) causes: String,
    pub(crate) enrolled_on: NaiveDate,
    pub(crate) exited_on: Option<NaiveDate>,
    /// The household's phone, sealed.
    pub(crate) phone: Option<String>,
}

/// What the household list needs of each member.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MemberBrief {
    pub(crate) id: i64,
    pub(crate) household_id: i64,
    pub(crate) position: i32,
    pub(crate) name: String,
    pub(crate) id_number: String,
    pub(crate) relation: String,
}

/// The list rows, each with its head (the member whose relation is head, else the first filed)
/// and its number of members. `members` may come in any order.
pub(crate) fn summaries(
    rows: Vec<SummaryRow>,
    members: Vec<MemberBrief>,
    keys: &Keys,
    with_phone: bool,
) -> Result<Vec<HouseholdSummary>, StoreError> {
    let mut by_household: HashMap<i64, (i64, Option<MemberBrief>)> = HashMap::new();
    for m in members {
        let entry = by_household.entry(m.household_id).or_insert((0, None));
        entry.0 += 1;
        let better = match &entry.1 {
            None => true,
            Some(best) => {
                let rank = |b: &MemberBrief| (b.relation != Relation::Head.code(), b.position);
                rank(&m) < rank(best)
            }
        };
        if better {
            entry.1 = Some(m);
        }
    }
    rows.into_iter()
        .map(|r| {
            let t = "households";
            let (count, head) = by_household.remove(&r.id).unwrap_or((0, None));
            let head = head.ok_or_else(|| corrupt(t, "members", r.id))?;
            let code = |column: &str, value: &str| {
                DivisionCode::parse(value).map_err(|_| corrupt(t, column, r.id))
            };
            Ok(HouseholdSummary {
                id: HouseholdId(r.id),
                township: code("township", &r.township)?,
                community: code("community", &r.community)?,
                category: vocab(Category::parse, &r.category, t, "category", r.id)?,
                head_name: PersonName::parse(&head.name)
                    .map_err(|_| corrupt("persons", "name", head.household_id))?,
                head_id_number: IdNumber::parse(
                    &unseal(
                        keys,
                        &head.id_number,
                        Column::PersonIdNumber,
                        "persons",
                        "id_number",
                        head.id,
                    )?,
                    far_future(),
                )
                .map_err(|_| corrupt("persons", "id_number", head.id))?,
                members: count,
                causes: split_codes(&r.causes, PovertyCause::parse, "causes", r.id)?,
                enrolled_on: r.enrolled_on,
                exited_on: r.exited_on,
                contact_phone: match (&r.phone, with_phone) {
                    (Some(sealed), true) => {
                        let p = unseal(keys, sealed, Column::HouseholdPhone, t, "phone", r.id)?;
                        Some(Phone::parse(&p).map_err(|_| corrupt(t, "phone", r.id))?)
                    }
                    _ => None,
                },
                number: r.number,
            })
        })
        .collect()
}

// ---- values to write ----

/// The values of a member as `persons` stores them, in [`PERSON_VALUE_COLUMNS`] order: the
/// identity number and phone sealed, the identity number's blind indexes beside it.
pub(crate) struct PersonValues<'a> {
    pub(crate) name: &'a str,
    pub(crate) initials: String,
    pub(crate) id_number: String,
    pub(crate) id_number_bidx: String,
    pub(crate) id_tail_bidx: String,
    pub(crate) relation: &'static str,
    pub(crate) disability_kind: Option<&'static str>,
    pub(crate) disability_grade: Option<&'static str>,
    pub(crate) serious_illness: bool,
    pub(crate) disease: &'a str,
    pub(crate) special_disease: Option<&'static str>,
    pub(crate) self_care: &'static str,
    pub(crate) work_capacity: &'static str,
    pub(crate) willing_to_work: bool,
    pub(crate) employment: &'static str,
    pub(crate) school_stage: Option<&'static str>,
    pub(crate) boarding: bool,
    pub(crate) insurance: &'static str,
    pub(crate) family_doctor: bool,
    pub(crate) health_record: bool,
    pub(crate) phone: Option<String>,
}

impl<'a> PersonValues<'a> {
    /// The values of these fields, sealed with `keys`.
    pub(crate) fn of(p: &'a PersonFields, keys: &Keys) -> PersonValues<'a> {
        let id = p.id_number.as_str();
        PersonValues {
            name: p.name.as_str(),
            initials: p.name.initials(),
            id_number: keys.seal(Column::PersonIdNumber, id),
            id_number_bidx: keys.id_number_index(id),
            id_tail_bidx: keys.id_tail_index(id),
            relation: p.relation.code(),
            disability_kind: p.disability.map(|d| d.kind.code()),
            disability_grade: p.disability.map(|d| d.grade.code()),
            serious_illness: p.serious_illness,
            disease: p.disease.as_str(),
            special_disease: p.special_disease.map(SpecialDisease::code),
            self_care: p.self_care.code(),
            work_capacity: p.work_capacity.code(),
            willing_to_work: p.willing_to_work,
            employment: p.employment.code(),
            school_stage: p.school_stage.map(SchoolStage::code),
            boarding: p.boarding,
            insurance: p.insurance.code(),
            family_doctor: p.family_doctor,
            health_record: p.health_record,
            phone: p
                .phone
                .as_ref()
                .map(|phone| keys.seal(Column::PersonPhone, phone.as_str())),
        }
    }
}

/// Household fields as the store keeps them: number and address trimmed, causes and needs
/// sorted without duplicates.
pub(crate) fn normalise_fields(fields: &HouseholdFields) -> HouseholdFields {
    let mut f = fields.clone();
    f.number = f.number.trim().to_owned();
    f.address = f.address.trim().to_owned();
    f.causes.sort();
    f.causes.dedup();
    f.needs.sort();
    f.needs.dedup();
    f
}

// ---- validation ----

fn invalid(message: impl Display) -> StoreError {
    StoreError::Invalid(message.to_string())
}

/// Checks a survey: somebody must have done it.
pub(crate) fn check_survey(survey: &Survey) -> Result<(), StoreError> {
    if survey.surveyed_by.trim().is_empty() {
        return Err(invalid("三清调查应注明调查人"));
    }
    Ok(())
}

/// Checks an amount that cannot be negative.
pub(crate) fn check_amount(what: &str, amount: doudi_core::Money) -> Result<(), StoreError> {
    if amount.is_negative() {
        return Err(invalid(format_args!("{what}金额不能为负数：{amount}")));
    }
    Ok(())
}

/// Checks a new household: the domain's rules, then what the store's keys also demand (no
/// expense or asset twice, no negative amounts, a named surveyor).
pub(crate) fn check_new_household(h: &NewHousehold) -> Result<(), StoreError> {
    h.check().map_err(invalid)?;
    for i in &h.incomes {
        check_amount("收入", i.amount)?;
    }
    let mut expenses = HashSet::new();
    for e in &h.expenses {
        check_amount("支出", e.amount)?;
        if !expenses.insert((e.person, e.month, e.kind)) {
            return Err(invalid(format_args!(
                "成员第{}位{}的{}重复",
                e.person.0 + 1,
                e.month,
                e.kind.label()
            )));
        }
    }
    let mut assets = HashSet::new();
    for a in &h.assets {
        check_amount("财产", a.value)?;
        if !assets.insert((a.kind, a.description.trim())) {
            return Err(invalid(format_args!(
                "财产“{} {}”重复",
                a.kind.label(),
                a.description.trim()
            )));
        }
    }
    if let Some(s) = &h.survey {
        check_survey(s)?;
    }
    Ok(())
}

/// The township must be one of the county's (the seeded code table).
pub(crate) fn unknown_township(code: &DivisionCode) -> StoreError {
    invalid(format_args!("乡镇（街道）代码{code}不在区划表中"))
}

// ---- search ----

/// What the search text of a household filter asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Search {
    /// A member with exactly this identity number.
    IdNumber(String),
    /// A member whose identity number ends with these 4 to 8 characters: the candidates come
    /// from the blind index of the last four, and are decrypted to compare the rest.
    IdSuffix(String),
    /// A member whose pinyin initials start with these lower-case letters.
    Initials(String),
    /// A member whose name contains this text; the value is a LIKE pattern (escape `\`).
    Name(String),
}

/// What the search box of the household list asks for: a member (by identity number, its last
/// digits, pinyin initials or name), and the household's own file number, address or phone.
/// A household matches when any of them does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HouseholdSearch {
    /// A member.
    pub(crate) person: Option<Search>,
    /// The file number contains this (an upper-cased LIKE pattern, escape `\`).
    pub(crate) number: Option<String>,
    /// The address contains this (a LIKE pattern, escape `\`).
    pub(crate) address: Option<String>,
    /// The household's or a member's phone.
    pub(crate) phone: Option<PhoneSearch>,
}

/// A phone number searched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PhoneSearch {
    /// Ends with these 4 to 8 digits.
    Tail(String),
    /// Is this whole number.
    Whole(String),
}

/// Classifies the search text as staff type it: digits are the last 4 to 8 of an identity number
/// or a phone, a whole identity number or phone, or part of a file number; letters are pinyin
/// initials or part of a file number; Chinese is part of a name or (two characters or more) of
/// an address; anything else part of a file number. A query too short to mean anything says so
/// instead of listing everyone.
pub(crate) fn classify_search(
    query: &str,
    today: NaiveDate,
) -> Result<Option<HouseholdSearch>, StoreError> {
    let q = query.trim();
    if q.is_empty() {
        return Ok(None);
    }
    let normalised = IdNumber::normalise(q);
    let number = |text: &str| Some(format!("%{}%", escape_like(&text.to_uppercase())));
    let id_like = normalised.chars().all(|c| c.is_ascii_digit() || c == 'X')
        && normalised.chars().any(|c| c.is_ascii_digit());
    if id_like {
        let digits_only = normalised.chars().all(|c| c.is_ascii_digit());
        let n = normalised.chars().count();
        return match n {
            0..=3 => Err(invalid(
                "请至少输入4位数字：身份证号码或电话号码的后4至8位，或户编号的一部分",
            )),
            15 | 18 => IdNumber::parse(&normalised, today)
                .map(|id| {
                    Some(HouseholdSearch {
                        person: Some(Search::IdNumber(id.as_str().to_owned())),
                        ..HouseholdSearch::default()
                    })
                })
                .map_err(invalid),
            4..=8 => Ok(Some(HouseholdSearch {
                person: Some(Search::IdSuffix(normalised.clone())),
                number: number(&normalised),
                phone: digits_only.then(|| PhoneSearch::Tail(normalised.clone())),
                address: None,
            })),
            _ => Ok(Some(HouseholdSearch {
                number: number(&normalised),
                phone: (digits_only && n == 11).then(|| PhoneSearch::Whole(normalised.clone())),
                ..HouseholdSearch::default()
            })),
        };
    }
    if q.chars().all(|c| c.is_ascii_alphabetic()) {
        if q.chars().count() < 2 {
            return Err(invalid("请至少输入2个拼音首字母（如 zs）或户编号的一部分"));
        }
        return Ok(Some(HouseholdSearch {
            person: Some(Search::Initials(q.to_ascii_lowercase())),
            number: number(q),
            ..HouseholdSearch::default()
        }));
    }
    if q.is_ascii() {
        if q.chars().count() < 2 {
            return Err(invalid("查询内容太短，请至少输入2个字符"));
        }
        return Ok(Some(HouseholdSearch {
            number: number(q),
            ..HouseholdSearch::default()
        }));
    }
    let pattern = format!("%{}%", escape_like(q));
    Ok(Some(HouseholdSearch {
        person: Some(Search::Name(pattern.clone())),
        address: (q.chars().count() >= 2).then_some(pattern),
        ..HouseholdSearch::default()
    }))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The smallest string greater than every string starting with `prefix` (ASCII only): the
/// exclusive end of a prefix range.
pub(crate) fn prefix_end(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut() {
        *last += 1;
    }
    String::from_utf8(bytes).expect("an ASCII prefix stays ASCII")
}

/// The end (exclusive) of the range of division codes that start with `code` (digits): the
/// next number of the same length, so 500235009 gives 500235010. Digits compare alike under
/// every collation, where a punctuation mark after them (`:` from `prefix_end`) is ignored by
/// many (zh_CN, en_US). None for all nines: every code at or above it starts with it.
pub(crate) fn code_end(code: &str) -> Option<String> {
    let mut digits = code.as_bytes().to_vec();
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return String::from_utf8(digits).ok();
        }
    }
    None
}

// ---- history ----

/// One history entry to write.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub(crate) action: &'static str,
    pub(crate) subject: String,
    pub(crate) field: String,
    pub(crate) old: String,
    pub(crate) new: String,
}

/// Creation.
pub(crate) const CREATED: &str = "新建";
/// Change.
pub(crate) const CHANGED: &str = "修改";
/// Deletion.
pub(crate) const DELETED: &str = "删除";

/// The entry that records a household's creation.
pub(crate) fn creation(number: &str) -> Change {
    Change {
        action: CREATED,
        subject: "家庭".into(),
        field: "户编号".into(),
        old: String::new(),
        new: number.to_owned(),
    }
}

/// Entries for the fields that differ between two descriptions.
pub(crate) fn field_changes(
    subject: &str,
    old: &[(&'static str, &'static str, String)],
    new: &[(&'static str, &'static str, String)],
) -> Vec<Change> {
    doudi_core::diff(old, new)
        .into_iter()
        .map(|c| Change {
            action: CHANGED,
            subject: subject.to_owned(),
            field: c.label.to_owned(),
            old: c.old,
            new: c.new,
        })
        .collect()
}

/// How history names a member: 成员 张*三.
pub(crate) fn member_subject(p: &PersonFields) -> String {
    format!("成员 {}", p.name.masked())
}

/// A member in one line, masked: 张*三（配偶，500235********1234）.
pub(crate) fn member_line(p: &PersonFields) -> String {
    format!(
        "{}（{}，{}）",
        p.name.masked(),
        p.relation.label(),
        p.id_number.masked()
    )
}

/// The entry for a change of money: created, changed or deleted depending on which side is
/// missing.
pub(crate) fn money_change(
    subject: String,
    field: &str,
    old: Option<doudi_core::Money>,
    new: Option<doudi_core::Money>,
) -> Option<Change> {
    let action = match (old, new) {
        (None, Some(_)) => CREATED,
        (Some(_), None) => DELETED,
        (Some(o), Some(n)) if o != n => CHANGED,
        _ => return None,
    };
    Some(Change {
        action,
        subject,
        field: field.to_owned(),
        old: old.map_or(String::new(), |m| m.to_string()),
        new: new.map_or(String::new(), |m| m.to_string()),
    })
}

// ---- constraint violations ----

/// Which uniqueness rule a database error broke, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unique {
    HouseholdNumber,
    IdNumber,
    Username,
    /// A second open case of one type for a household (`cases_one_open_per_type`, 0007).
    OpenCase,
    /// A second open entitlement period for a household (`entitlements_one_open`, 0007).
    OpenEntitlement,
    PendingReview,
    Other,
}

/// Which uniqueness rule `e` broke. PostgreSQL names the constraint; SQLite names the column
/// (`UNIQUE constraint failed: persons.id_number_bidx`), so both are looked for. (Since
/// migration 0004 the identity number's constraint, `persons_id_number_key`, is on its blind
/// index.)
pub(crate) fn unique_violation(e: &sqlx::Error) -> Option<Unique> {
    let db = e.as_database_error()?;
    if !db.is_unique_violation() {
        return None;
    }
    let name = db.constraint().unwrap_or_default();
    let message = db.message();
    let is = |constraint: &str, column: &str| name == constraint || message.contains(column);
    Some(if is("households_number_key", "households.number") {
        Unique::HouseholdNumber
    } else if is("persons_id_number_key", "persons.id_number") {
        Unique::IdNumber
    } else if is("users_username_key", "users.username") {
        Unique::Username
    } else if is(
        "cases_one_open_per_type",
        "cases.household_id, cases.case_type",
    ) {
        Unique::OpenCase
    } else if is("entitlements_one_open", "entitlements.household_id") {
        Unique::OpenEntitlement
    } else if is(
        "review_proposals_one_pending",
        "review_proposals.entitlement_id",
    ) {
        Unique::PendingReview
    } else {
        Unique::Other
    })
}

/// Whether `e` broke a foreign key.
pub(crate) fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|db| db.is_foreign_key_violation())
}

/// A duplicate found by the database itself (a race the earlier checks could not see), said
/// as precisely as the error allows.
pub(crate) fn duplicate_from(e: sqlx::Error) -> StoreError {
    match unique_violation(&e) {
        Some(Unique::HouseholdNumber) => StoreError::Duplicate("户编号已被登记".into()),
        Some(Unique::IdNumber) => StoreError::Duplicate("身份证号码已在其他家庭中登记".into()),
        Some(Unique::Username) => StoreError::Duplicate("登录名已被使用".into()),
        Some(Unique::OpenCase) => StoreError::Duplicate(
            "该户已有一件同类申请在办（数据库拒绝了第二件），请勿重复提交".into(),
        ),
        Some(Unique::OpenEntitlement) => StoreError::Duplicate(
            "该户已有一段未终止的待遇期（数据库拒绝了第二段），须先终止原待遇期".into(),
        ),
        Some(Unique::PendingReview) => {
            StoreError::Duplicate("该待遇已有一项复核在等待县民政局审批，请勿重复提交".into())
        }
        Some(Unique::Other) => StoreError::Duplicate("记录重复".into()),
        None => StoreError::Database(e),
    }
}

/// The message for an identity number filed in another household.
pub(crate) fn id_number_filed(id: &IdNumber, household_number: &str) -> StoreError {
    StoreError::Duplicate(format!(
        "身份证号码 {} 已在户 {household_number} 中登记",
        id.masked()
    ))
}

/// The message for an identity number filed in a household outside the actor's scope: that it
/// is registered, and nothing that identifies where.
pub(crate) fn id_number_filed_elsewhere(id: &IdNumber) -> StoreError {
    StoreError::Duplicate(format!(
        "身份证号码 {} 已在系统中登记（不在您的工作范围内）；如需核实，请联系县民政局",
        id.masked()
    ))
}

/// The message for a household number already filed.
pub(crate) fn number_filed(number: &str) -> StoreError {
    StoreError::Duplicate(format!("户编号 {number} 已被登记"))
}

// ---- audit details ----
//
// What an audit entry says about a call, without personal data: ids, division codes,
// vocabulary labels, field labels and counts, never a name, number, address or search text.

/// At most 200 characters of a value that comes from outside (a client address, a purpose).
pub(crate) fn clip(s: &str) -> String {
    s.trim().chars().take(200).collect()
}

/// A household list's filter: codes and labels, and only whether a search was made, never what
/// was searched for (which may be a name or an identity number).
/// An account's role, scope and department, for the audit trail (codes and labels only).
pub(crate) fn describe_assignment(
    role: Role,
    scope: &Scope,
    department: Option<Department>,
) -> String {
    let mut out = role.label().to_owned();
    if let Some(d) = department {
        out.push_str(&format!("（{}）", d.label()));
    }
    match scope {
        Scope::County => out.push_str("，全县"),
        Scope::Division(code) => out.push_str(&format!("，区划{code}")),
    }
    out
}

pub(crate) fn describe_filter(filter: &HouseholdFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(t) = &filter.township {
        parts.push(format!("乡镇（街道）{t}"));
    }
    if let Some(c) = &filter.community {
        parts.push(format!("社区{c}"));
    }
    if let Some(c) = filter.category {
        parts.push(format!("类别{}", c.label()));
    }
    if let Some(c) = filter.cause {
        parts.push(format!("致贫原因{}", c.label()));
    }
    if filter
        .query
        .as_deref()
        .is_some_and(|q| !q.trim().is_empty())
    {
        parts.push("按姓名或身份证号码搜索".into());
    }
    if filter.include_exited {
        parts.push("含已退出".into());
    }
    if parts.is_empty() {
        "全部".into()
    } else {
        parts.join("，")
    }
}

/// The labels of the fields a change touched, each once: 住址、联系电话.
pub(crate) fn changed_fields(changes: &[Change]) -> String {
    let mut seen = HashSet::new();
    let labels: Vec<&str> = changes
        .iter()
        .map(|c| c.field.as_str())
        .filter(|f| seen.insert(*f))
        .collect();
    if labels.is_empty() {
        "无变化".into()
    } else {
        labels.join("、")
    }
}

/// The audit action and detail of a change to finances: the kind and month, never the member's
/// name or an asset's description (which may be a plate or a house number).
pub(crate) fn finance_audit(change: &FinanceChange) -> (AuditAction, String) {
    match change {
        FinanceChange::PutIncome(i) => (
            AuditAction::Update,
            format!(
                "登记收入（{} {}，person:{}）",
                i.month,
                i.kind.label(),
                i.person.0
            ),
        ),
        FinanceChange::DeleteIncome {
            person,
            month,
            kind,
        } => (
            AuditAction::Delete,
            format!("删除收入（{month} {}，person:{}）", kind.label(), person.0),
        ),
        FinanceChange::PutExpense(e) => (
            AuditAction::Update,
            format!(
                "登记支出（{} {}，person:{}）",
                e.month,
                e.kind.label(),
                e.person.0
            ),
        ),
        FinanceChange::DeleteExpense {
            person,
            month,
            kind,
        } => (
            AuditAction::Delete,
            format!("删除支出（{month} {}，person:{}）", kind.label(), person.0),
        ),
        FinanceChange::PutAsset(a) => (
            AuditAction::Update,
            format!("登记财产（{}）", a.kind.label()),
        ),
        FinanceChange::DeleteAsset { kind, .. } => {
            (AuditAction::Delete, format!("删除财产（{}）", kind.label()))
        }
    }
}

/// Whether a target is of the form the store writes (`household:12`, `households`), and so safe
/// to repeat in an audit detail.
fn is_target(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':')
}

/// An audit page's filter, for the entry that records the reading of the trail.
pub(crate) fn describe_audit_filter(filter: &AuditFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if filter.actor.is_some() {
        parts.push("按操作人".into());
    }
    if let Some(a) = filter.action {
        parts.push(format!("操作{}", a.label()));
    }
    match filter.target.as_deref().map(str::trim) {
        Some(t) if is_target(t) => parts.push(format!("对象{t}")),
        Some(_) => parts.push("按对象".into()),
        None => {}
    }
    if let Some(from) = filter.from {
        parts.push(format!("自{}", from.format("%Y-%m-%d %H:%M")));
    }
    if let Some(until) = filter.until {
        parts.push(format!("至{}", until.format("%Y-%m-%d %H:%M")));
    }
    if parts.is_empty() {
        "查询审计记录".into()
    } else {
        format!("查询审计记录：{}", parts.join("，"))
    }
}

// ---- rule snapshots ----

/// One member as `Store::snapshots` reads it, borrowed from the database row.
pub(crate) struct PersonFacts<'a> {
    pub(crate) id: i64,
    pub(crate) household: i64,
    /// The identity number, sealed; the rules need the birth date in it.
    pub(crate) id_number: &'a str,
    pub(crate) disability_kind: Option<&'a str>,
    pub(crate) disability_grade: Option<&'a str>,
    pub(crate) serious_illness: bool,
    pub(crate) school_stage: Option<&'a str>,
    pub(crate) self_care: &'a str,
    pub(crate) boarding: bool,
    pub(crate) head: bool,
    pub(crate) position: i64,
}

/// The columns of `persons` (aliased `p`) that [`PersonFacts`] reads, in its order.
pub(crate) const PERSON_FACT_COLUMNS: &str = "p.id, p.household_id, p.id_number, \
     p.disability_kind, p.disability_grade, p.serious_illness, p.school_stage, p.self_care, \
     p.boarding, p.relation = 'head', CAST(p.position AS BIGINT)";

/// The savings and vehicles of each household in `assets` (aliased `a`): household id, savings
/// in fen, number of vehicles.
pub(crate) const ASSET_FACT_COLUMNS: &str = "a.household_id, \
     CAST(SUM(CASE WHEN a.kind = 'savings' THEN a.value_fen ELSE 0 END) AS BIGINT), \
     CAST(SUM(CASE WHEN a.kind = 'vehicle' THEN 1 ELSE 0 END) AS BIGINT)";

/// Puts rule snapshots together from whole-table scans: households (by id), then members,
/// monthly figures and assets in any order.
pub(crate) struct SnapshotBuilder {
    keys: std::sync::Arc<Keys>,
    /// Today, for reading back identity numbers (which are never born in the future).
    today: NaiveDate,
    snapshots: Vec<doudi_core::facts::Snapshot>,
    /// Each snapshot's members' order keys: not the head, position, id.
    keys_of_members: Vec<Vec<(bool, i64, i64)>>,
    /// The snapshot each member belongs to.
    owner: HashMap<i64, usize>,
}

impl SnapshotBuilder {
    /// A builder that opens identity numbers with `keys`.
    pub(crate) fn new(keys: std::sync::Arc<Keys>) -> SnapshotBuilder {
        SnapshotBuilder {
            keys,
            today: today(),
            snapshots: Vec::new(),
            keys_of_members: Vec::new(),
            owner: HashMap::new(),
        }
    }

    fn index(&self, household: i64) -> Option<usize> {
        self.snapshots
            .binary_search_by_key(&household, |s| s.id)
            .ok()
    }

    /// A household; they must come in id order.
    pub(crate) fn household(
        &mut self,
        id: i64,
        category: &str,
        township: String,
    ) -> Result<(), StoreError> {
        use doudi_core::facts::{Assets, Snapshot, SupportMode};
        if self.snapshots.last().is_some_and(|s| s.id >= id) {
            return Err(StoreError::Corrupt("households read out of order".into()));
        }
        self.snapshots.push(Snapshot {
            id,
            category: vocab(Category::parse, category, "households", "category", id)?,
            township,
            support_mode: SupportMode::Dispersed,
            members: Vec::new(),
            months: Vec::new(),
            assets: Assets::default(),
        });
        self.keys_of_members.push(Vec::new());
        Ok(())
    }

    /// A member; members of households not read (exited, out of scope) are skipped.
    pub(crate) fn person(&mut self, p: PersonFacts<'_>) -> Result<(), StoreError> {
        let id = p.id;
        let Some(i) = self.index(p.household) else {
            return Ok(());
        };
        // The birth date is in the identity number, which only the key opens: nothing derived
        // from it is stored in the clear.
        let number = unseal(
            &self.keys,
            p.id_number,
            Column::PersonIdNumber,
            "persons",
            "id_number",
            id,
        )?;
        let birth = IdNumber::parse(&number, self.today)
            .map(|n| n.birth_date())
            .map_err(|_| corrupt("persons", "id_number", id))?;
        let disability = match (p.disability_kind, p.disability_grade) {
            (Some(k), Some(g)) => Some(Disability {
                kind: vocab(DisabilityKind::parse, k, "persons", "disability_kind", id)?,
                grade: vocab(DisabilityGrade::parse, g, "persons", "disability_grade", id)?,
            }),
            _ => None,
        };
        let school_stage = opt_vocab(
            SchoolStage::parse,
            p.school_stage,
            "persons",
            "school_stage",
            id,
        )?;
        self.snapshots[i].members.push(doudi_core::facts::Member {
            birth,
            disability,
            serious_illness: p.serious_illness,
            school_stage,
            studying_until: None,
            self_care: vocab(SelfCare::parse, p.self_care, "persons", "self_care", id)?,
            boarding: p.boarding,
        });
        self.keys_of_members[i].push((!p.head, p.position, id));
        self.owner.insert(id, i);
        Ok(())
    }

    /// An income (`kind` empty) or an expense of a member in a month.
    pub(crate) fn figure(
        &mut self,
        table: &str,
        person: i64,
        month: &str,
        kind: &str,
        fen: i64,
    ) -> Result<(), StoreError> {
        use doudi_core::facts::MonthFigures;
        let Some(&i) = self.owner.get(&person) else {
            return Ok(());
        };
        let month = Month::parse(month).map_err(|_| corrupt(table, "month", person))?;
        let kind = match kind {
            "" => None,
            k => Some(vocab(ExpenseKind::parse, k, table, "kind", person)?),
        };
        let months = &mut self.snapshots[i].months;
        let at = match months.binary_search_by(|f| f.month.cmp(&month)) {
            Ok(at) => at,
            Err(at) => {
                months.insert(
                    at,
                    MonthFigures {
                        month,
                        income: doudi_core::Money::ZERO,
                        medical: doudi_core::Money::ZERO,
                        tuition: doudi_core::Money::ZERO,
                    },
                );
                at
            }
        };
        let amount = doudi_core::Money::from_fen(fen);
        let f = &mut months[at];
        // Each amount is at most ¥10⁹; a month's sum is held at i64::MAX rather than wrapped
        // (which would read as a negative income).
        match kind {
            None => f.income = f.income.saturating_add(amount),
            Some(ExpenseKind::Medical) => f.medical = f.medical.saturating_add(amount),
            Some(ExpenseKind::Tuition) => f.tuition = f.tuition.saturating_add(amount),
        }
        Ok(())
    }

    /// A household's savings and number of vehicles.
    pub(crate) fn assets(
        &mut self,
        household: i64,
        savings: i64,
        vehicles: i64,
    ) -> Result<(), StoreError> {
        if let Some(i) = self.index(household) {
            self.snapshots[i].assets = doudi_core::facts::Assets {
                savings: doudi_core::Money::from_fen(savings),
                vehicles: u32::try_from(vehicles)
                    .map_err(|_| corrupt("assets", "kind", household))?,
            };
        }
        Ok(())
    }

    /// The snapshots, by household id, each with its head first and then its members in the
    /// order they were filed (as `Store::records` gives them).
    pub(crate) fn finish(mut self) -> Vec<doudi_core::facts::Snapshot> {
        for (s, keys) in self.snapshots.iter_mut().zip(&self.keys_of_members) {
            if !keys.is_sorted() {
                let mut keyed: Vec<_> = keys.iter().zip(std::mem::take(&mut s.members)).collect();
                keyed.sort_by_key(|(k, _)| **k);
                s.members = keyed.into_iter().map(|(_, m)| m).collect();
            }
        }
        self.snapshots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_lists_the_head_first_then_the_members_in_filing_order() {
        let keys = std::sync::Arc::new(Keys::from_bytes(&[7; 32]));
        let mut b = SnapshotBuilder::new(keys.clone());
        b.household(1, "dibao", "500235002".into()).unwrap();
        let member = |id: i64, number: &str, head: bool, position: i64| {
            (
                id,
                keys.seal(Column::PersonIdNumber, number),
                head,
                position,
            )
        };
        // Rows come in id order: here the head was filed after the child.
        for (id, sealed, head, position) in [
            member(10, "500235195612150133", false, 1),
            member(11, "11010519491231002X", true, 0),
        ] {
            b.person(PersonFacts {
                id,
                household: 1,
                id_number: &sealed,
                disability_kind: None,
                disability_grade: None,
                serious_illness: false,
                school_stage: None,
                self_care: "full",
                boarding: false,
                head,
                position,
            })
            .unwrap();
        }
        let s = b.finish();
        let births: Vec<String> = s[0].members.iter().map(|m| m.birth.to_string()).collect();
        assert_eq!(births, ["1949-12-31", "1956-12-15"]);
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
    }

    fn check(query: &str, expected: Option<HouseholdSearch>) {
        assert_eq!(
            classify_search(query, today()).unwrap(),
            expected,
            "query {query:?}"
        );
    }

    fn person(search: Search) -> HouseholdSearch {
        HouseholdSearch {
            person: Some(search),
            ..HouseholdSearch::default()
        }
    }

    #[test]
    fn a_search_is_an_id_number_a_tail_a_phone_initials_a_file_number_a_name_or_an_address() {
        check("", None);
        check("  ", None);
        check(
            "11010519491231002x",
            Some(person(Search::IdNumber("11010519491231002X".into()))),
        );
        check(
            "110105491231002",
            Some(person(Search::IdNumber("11010519491231002X".into()))),
        );
        check(
            "002x",
            Some(HouseholdSearch {
                person: Some(Search::IdSuffix("002X".into())),
                number: Some("%002X%".into()),
                ..HouseholdSearch::default()
            }),
        );
        check(
            "１２３４",
            Some(HouseholdSearch {
                person: Some(Search::IdSuffix("1234".into())),
                number: Some("%1234%".into()),
                phone: Some(PhoneSearch::Tail("1234".into())),
                address: None,
            }),
        );
        check(
            "13800001234",
            Some(HouseholdSearch {
                number: Some("%13800001234%".into()),
                phone: Some(PhoneSearch::Whole("13800001234".into())),
                ..HouseholdSearch::default()
            }),
        );
        check(
            "ZSF",
            Some(HouseholdSearch {
                person: Some(Search::Initials("zsf".into())),
                number: Some("%ZSF%".into()),
                ..HouseholdSearch::default()
            }),
        );
        check(
            "ql-0001",
            Some(HouseholdSearch {
                number: Some("%QL-0001%".into()),
                ..HouseholdSearch::default()
            }),
        );
        check(
            "张三",
            Some(HouseholdSearch {
                person: Some(Search::Name("%张三%".into())),
                address: Some("%张三%".into()),
                ..HouseholdSearch::default()
            }),
        );
        check("张", Some(person(Search::Name("%张%".into()))));
        check(
            "50%_号",
            Some(HouseholdSearch {
                person: Some(Search::Name("%50\\%\\_号%".into())),
                address: Some("%50\\%\\_号%".into()),
                ..HouseholdSearch::default()
            }),
        );
    }

    #[test]
    fn a_wrong_id_number_or_a_query_too_short_to_mean_anything_is_explained() {
        assert!(matches!(
            classify_search("110105194912310021", today()),
            Err(StoreError::Invalid(m)) if m.contains("校验位")
        ));
        for short in ["123", "z", "-"] {
            assert!(
                matches!(classify_search(short, today()), Err(StoreError::Invalid(m)) if m.contains("至少")),
                "{short}"
            );
        }
    }

    #[test]
    fn column_lists_are_counted_by_their_commas() {
        assert_eq!(
            count_columns(PERSON_VALUE_COLUMNS),
            21,
            "as many as PersonValues has"
        );
        assert_eq!(count_columns("a"), 1);
    }

    #[test]
    fn a_division_code_range_ends_at_the_next_number_of_the_same_length() {
        assert_eq!(code_end("500235001").as_deref(), Some("500235002"));
        assert_eq!(code_end("500235009").as_deref(), Some("500235010"));
        assert_eq!(code_end("500235099999").as_deref(), Some("500235100000"));
        assert_eq!(code_end("999"), None);
        for inside in ["500235009", "500235009001", "500235009999"] {
            assert!(inside >= "500235009" && inside < code_end("500235009").unwrap().as_str());
        }
        assert!("500235010001" >= code_end("500235009").unwrap().as_str());
    }

    #[test]
    fn a_prefix_range_ends_just_after_the_prefix() {
        assert_eq!(prefix_end("zs"), "zt");
        assert_eq!(prefix_end("z"), "{");
        assert_eq!(prefix_end("4329"), "432:");
        assert!("zsf".as_bytes() < prefix_end("zs").as_bytes());
    }
}
