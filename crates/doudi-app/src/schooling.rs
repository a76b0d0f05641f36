//! Education aid delivered (2.5): for a term, every student of a dibao or tekun household in
//! the reader's part of the county with the school they attend and each item the rules say
//! they are owed, delivered or not; what each school still owes; and recording a school and a
//! delivery. What is owed is derived from the file by the engine each time (never stored), so
//! a student whose stage changes owes what the new stage gives.
//!
//! **Invariant:** an item is recorded delivered only if the engine says the student is owed it
//! in that term, and at the value the engine gives (a loan is applied for by the student, so it
//! is never undelivered).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use doudi_core::facts::Snapshot;
use doudi_core::{Actor, HouseholdId, HouseholdRecord, Money, PersonId, SchoolStage};
use doudi_policy::Resolved;
use doudi_policy::education::{self, ItemKind, Nature, Term};
use doudi_policy::explain::Off;
use doudi_store::delivery::{DeliveryRecord, NewDelivery, may_read_education};
use doudi_store::{HouseholdFilter, StoreError};

use crate::medical::clip;
use crate::{App, Error};

/// One item a student is owed in the term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemLine {
    /// What.
    pub kind: ItemKind,
    /// Its value for the term (a loan: the yearly ceiling).
    pub amount: Money,
    /// Its delivery, if recorded.
    pub delivered: Option<DeliveryRecord>,
}

impl ItemLine {
    /// Whether it is owed and not delivered (a loan never is: the student applies for it).
    pub fn undelivered(&self) -> bool {
        self.delivered.is_none() && self.kind.nature() != Nature::Loan
    }
}

/// A student of the term with their school and items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentLine {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Township code.
    pub township: String,
    /// The student.
    pub person: PersonId,
    /// Name, masked.
    pub name: String,
    /// Identity number, masked.
    pub id_number: String,
    /// Stage.
    pub stage: SchoolStage,
    /// Boards at school.
    pub boarding: bool,
    /// The school recorded for the term, if any.
    pub school: Option<String>,
    /// The items owed.
    pub items: Vec<ItemLine>,
    /// Why: the rules' explanation of what the student is owed (2.5).
    pub explanation: String,
}

impl StudentLine {
    /// The value still to deliver.
    pub fn undelivered_value(&self) -> Money {
        self.items
            .iter()
            .filter(|i| i.undelivered())
            .fold(Money::ZERO, |a, i| a.saturating_add(i.amount))
    }
}

/// What one school still owes in the term.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchoolOwes {
    /// The school ("" when students have none recorded).
    pub school: String,
    /// Students with something undelivered.
    pub students: u32,
    /// Items undelivered.
    pub items: u32,
    /// Their value.
    pub value: Money,
    /// Items delivered.
    pub delivered: u32,
}

/// A term's education aid in the reader's part of the county.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermBook {
    /// The term.
    pub term: Term,
    /// Students, by file number.
    pub students: Vec<StudentLine>,
}

impl TermBook {
    /// What each school still owes, schools by name (students without a school last).
    pub fn schools(&self) -> Vec<SchoolOwes> {
        let mut by: BTreeMap<String, SchoolOwes> = BTreeMap::new();
        for s in &self.students {
            let school = s.school.clone().unwrap_or_default();
            let e = by.entry(school.clone()).or_insert_with(|| SchoolOwes {
                school,
                ..SchoolOwes::default()
            });
            let open: Vec<&ItemLine> = s.items.iter().filter(|i| i.undelivered()).collect();
            e.students += u32::from(!open.is_empty());
            e.items += open.len() as u32;
            e.value = open.iter().fold(e.value, |a, i| a.saturating_add(i.amount));
            e.delivered += s.items.iter().filter(|i| i.delivered.is_some()).count() as u32;
        }
        let mut out: Vec<SchoolOwes> = by.into_values().collect();
        out.sort_by_key(|s| (s.school.is_empty(), s.school.clone()));
        out
    }

    /// Undelivered items per township: township code → (items, value).
    pub fn undelivered_by_township(&self) -> BTreeMap<String, (u32, Money)> {
        let mut by: BTreeMap<String, (u32, Money)> = BTreeMap::new();
        for s in &self.students {
            let e = by.entry(s.township.clone()).or_insert((0, Money::ZERO));
            for i in s.items.iter().filter(|i| i.undelivered()) {
                e.0 += 1;
                e.1 = e.1.saturating_add(i.amount);
            }
        }
        by
    }
}

/// The students of one household owed aid in `term` (`r` resolved for it), each with their
/// school, what they are owed with the explanation, and the deliveries recorded.
fn lines_of(
    record: &HouseholdRecord,
    term: Term,
    r: &Resolved,
    schools: &HashMap<PersonId, String>,
    delivered: &HashMap<(PersonId, String), DeliveryRecord>,
) -> Vec<StudentLine> {
    let snapshot = Snapshot::from_record(record);
    let mut out = Vec::new();
    for s in education::students(&snapshot, term, r, &mut Off) {
        let (Some(m), Some(facts)) = (record.members.get(s.member), snapshot.members.get(s.member))
        else {
            continue;
        };
        let student = education::Student {
            stage: s.decision.stage,
            boarding: facts.boarding,
            category: snapshot.category,
        };
        out.push(StudentLine {
            household: record.household.id,
            number: record.household.fields.number.clone(),
            township: record.household.fields.township.to_string(),
            person: m.id,
            // Masked, as every list is (`Actor::visibility(Purpose::List)`).
            name: m.fields.name.masked(),
            id_number: m.fields.id_number.masked(),
            stage: s.decision.stage,
            boarding: m.fields.boarding,
            school: schools.get(&m.id).cloned(),
            items: s
                .decision
                .items
                .iter()
                .map(|i| ItemLine {
                    kind: i.kind,
                    amount: i.amount,
                    delivered: delivered.get(&(m.id, i.kind.code().to_owned())).cloned(),
                })
                .collect(),
            explanation: education::explain(&student, term, r).1.render(),
        });
    }
    out
}

/// What a term's file rows are checked against: its parameters, the schools recorded and the
/// items delivered.
type TermParts = (
    Resolved,
    HashMap<PersonId, String>,
    HashMap<(PersonId, String), DeliveryRecord>,
);

/// A term as files write it: `2026-autumn`, `2026年秋季学期`, `2026秋季`, `2026秋`.
fn term_from_text(text: &str) -> Option<Term> {
    let t = text.trim();
    if let Some(term) = Term::parse(t) {
        return Some(term);
    }
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let year: i32 = digits.parse().ok()?;
    let rest = t[digits.len()..].trim_start_matches('年');
    let season = if rest.starts_with('秋') {
        "autumn"
    } else if rest.starts_with('春') {
        "spring"
    } else {
        return None;
    };
    Term::parse(&format!("{year}-{season}"))
}

impl App {
    /// Every student owed aid in `term` in the actor's part of the county, with their school
    /// and each item delivered or not (the education commission's officers through the
    /// department's view, the county, auditors and townships through their scope).
    pub async fn term_book(&self, actor: &Actor, term: Term) -> Result<TermBook, Error> {
        if !may_read_education(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let r = term
            .resolve(self.parameters())
            .map_err(|e| Error::Rules(e.to_string()))?;
        let code = term.code();
        let records = self
            .store()
            .records(actor, &HouseholdFilter::default())
            .await?;
        let schools: HashMap<PersonId, String> = self
            .store()
            .enrolments(actor, &code, None)
            .await?
            .into_iter()
            .map(|e| (e.person, e.school))
            .collect();
        let delivered: HashMap<(PersonId, String), DeliveryRecord> = self
            .store()
            .deliveries(actor, &code, None)
            .await?
            .into_iter()
            .map(|d| ((d.person, d.item.clone()), d))
            .collect();
        let mut students = Vec::new();
        for record in &records {
            students.extend(lines_of(record, term, &r, &schools, &delivered));
        }
        students.sort_by(|a, b| (&a.number, &a.id_number).cmp(&(&b.number, &b.id_number)));
        Ok(TermBook { term, students })
    }

    /// The student `person` of `household` as the term book shows them, if they are owed aid
    /// in `term` (reads that household only).
    async fn student_of(
        &self,
        actor: &Actor,
        household: HouseholdId,
        person: PersonId,
        term: Term,
    ) -> Result<StudentLine, Error> {
        if !may_read_education(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let r = term
            .resolve(self.parameters())
            .map_err(|e| Error::Rules(e.to_string()))?;
        let record = self.store().household(actor, household).await?;
        let code = term.code();
        let schools: HashMap<PersonId, String> = self
            .store()
            .enrolments(actor, &code, Some(household))
            .await?
            .into_iter()
            .filter(|e| e.person == person)
            .map(|e| (e.person, e.school))
            .collect();
        let delivered: HashMap<(PersonId, String), DeliveryRecord> = self
            .store()
            .deliveries(actor, &code, Some(household))
            .await?
            .into_iter()
            .filter(|d| d.person == person)
            .map(|d| ((d.person, d.item.clone()), d))
            .collect();
        lines_of(&record, term, &r, &schools, &delivered)
            .into_iter()
            .find(|s| s.person == person)
            .ok_or_else(|| {
                Error::invalid(
                    "person",
                    format!("该成员在{term}不是应享教育资助的在校（园）学生"),
                )
            })
    }

    /// Records the school a student attends in `term`.
    pub async fn enrol(
        &self,
        actor: &Actor,
        household: HouseholdId,
        person: PersonId,
        term: Term,
        school: &str,
    ) -> Result<(), Error> {
        let school = school.trim();
        if school.is_empty() || school.chars().count() > 60 {
            return Err(Error::invalid("school", "学校：应为1到60个字"));
        }
        self.student_of(actor, household, person, term).await?;
        Ok(self
            .store()
            .enrol(actor, person, &term.code(), school)
            .await?)
    }

    /// Records an item delivered to a student in `term` at the value the rules give (2.5):
    /// refused if the student is not owed it, if it is a loan, or if the day is after today.
    #[allow(
        clippy::too_many_arguments,
        reason = "one argument per field of the form"
    )]
    pub async fn deliver(
        &self,
        actor: &Actor,
        household: HouseholdId,
        person: PersonId,
        term: Term,
        item: &str,
        delivered_on: NaiveDate,
        note: &str,
    ) -> Result<i64, Error> {
        if delivered_on > self.today() {
            return Err(Error::invalid("delivered_on", "发放日期：不能晚于今天"));
        }
        if note.chars().count() > 200 {
            return Err(Error::invalid("note", "备注：最多200个字"));
        }
        let student = self.student_of(actor, household, person, term).await?;
        let Some(line) = student.items.iter().find(|i| i.kind.code() == item.trim()) else {
            return Err(Error::invalid(
                "item",
                format!(
                    "资助项目：该学生在{term}不享受“{}”",
                    item.chars().take(30).collect::<String>()
                ),
            ));
        };
        if line.kind.nature() == Nature::Loan {
            return Err(Error::invalid(
                "item",
                "资助项目：助学贷款由学生本人申请办理，不作发放登记",
            ));
        }
        if line.delivered.is_some() {
            return Err(Error::invalid("item", "资助项目：本学期已登记发放"));
        }
        Ok(self
            .store()
            .record_delivery(
                actor,
                &NewDelivery {
                    person,
                    term: term.code(),
                    item: line.kind.code().to_owned(),
                    amount_fen: line.amount.fen(),
                    delivered_on,
                    note: note.trim().to_owned(),
                },
            )
            .await?)
    }

    /// Records every delivery of a school's file (CSV or XLSX: identity number, term, item,
    /// day, note), all or none: each must be an item the rules say the student is owed that
    /// term, not a loan, not recorded before nor twice in the file; every bad row is named with
    /// its column. Returns how many were recorded.
    pub async fn import_deliveries(
        &self,
        actor: &Actor,
        name: &str,
        bytes: &[u8],
    ) -> Result<usize, Error> {
        use doudi_exchange::columns::{DELIVERY_COLUMNS, parse_rows};
        if !doudi_store::delivery::may_deliver_education(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let rows = doudi_exchange::read::read_file(name, bytes)
            .map_err(|e| crate::payments::refused(e.into()))
            .and_then(|sheet| {
                parse_rows(&sheet, DELIVERY_COLUMNS).map_err(crate::payments::refused)
            })?;
        let today = self.today();
        let mut errors: Vec<(&'static str, String)> = Vec::new();
        let mut books: HashMap<Term, TermParts> = HashMap::new();
        let mut households: HashMap<HouseholdId, HouseholdRecord> = HashMap::new();
        let mut out: Vec<NewDelivery> = Vec::new();
        for r in &rows {
            let mut bad = |field: &str, message: String| {
                errors.push((
                    "file",
                    format!("第{}行「{}」列：{message}", r.row, r.column(field)),
                ));
            };
            if r.lossy_id {
                bad(
                    "id_number",
                    "Excel把身份证号码存成了数字，后几位已丢失；请把该列设为“文本”格式后重新导出"
                        .into(),
                );
                continue;
            }
            let id = match doudi_core::IdNumber::parse(r.get("id_number"), today) {
                Ok(id) => Some(id),
                Err(e) => {
                    bad("id_number", e.to_string());
                    None
                }
            };
            let term = term_from_text(r.get("term"));
            if term.is_none() {
                bad(
                    "term",
                    format!(
                        "“{}”不是学期（应如 2026-autumn 或 2026年秋季学期）",
                        clip(r.get("term"))
                    ),
                );
            }
            let day = match doudi_core::date::parse_day(r.get("delivered_on")) {
                Ok(d) if d > today => {
                    bad("delivered_on", "不能晚于今天".into());
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    bad("delivered_on", e.to_string());
                    None
                }
            };
            let note = r.get("note");
            if note.chars().count() > 200 {
                bad("note", "最多200个字".into());
            }
            let (Some(id), Some(term), Some(day)) = (id, term, day) else {
                continue;
            };
            let Some(found) = self.store().patient(actor, &id).await? else {
                bad(
                    "id_number",
                    "不是本县（您的辖区内）低保或特困家庭的成员".into(),
                );
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(slot) =
                households.entry(found.household)
            {
                slot.insert(self.store().household(actor, found.household).await?);
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = books.entry(term) {
                let code = term.code();
                let resolved = term
                    .resolve(self.parameters())
                    .map_err(|e| Error::Rules(e.to_string()))?;
                let schools = self
                    .store()
                    .enrolments(actor, &code, None)
                    .await?
                    .into_iter()
                    .map(|e| (e.person, e.school))
                    .collect();
                let delivered = self
                    .store()
                    .deliveries(actor, &code, None)
                    .await?
                    .into_iter()
                    .map(|d| ((d.person, d.item.clone()), d))
                    .collect();
                slot.insert((resolved, schools, delivered));
            }
            let (resolved, schools, delivered) = &books[&term];
            let Some(student) = lines_of(
                &households[&found.household],
                term,
                resolved,
                schools,
                delivered,
            )
            .into_iter()
            .find(|s| s.person == found.person) else {
                bad(
                    "id_number",
                    format!("该学生在{term}不享受教育资助（档案中不是在校或在园学生）"),
                );
                continue;
            };
            let wanted = r.get("item").trim();
            let Some(line) = student
                .items
                .iter()
                .find(|i| i.kind.code() == wanted || i.kind.label() == wanted)
            else {
                bad("item", format!("该学生在{term}不享受“{}”", clip(wanted)));
                continue;
            };
            if line.kind.nature() == Nature::Loan {
                bad("item", "助学贷款由学生本人申请办理，不作发放登记".into());
                continue;
            }
            if line.delivered.is_some() {
                bad("item", format!("{}在{term}已登记发放", line.kind.label()));
                continue;
            }
            let code = line.kind.code().to_owned();
            if out
                .iter()
                .any(|d| d.person == found.person && d.term == term.code() && d.item == code)
            {
                errors.push(("file", format!("第{}行：与前面一行是同一项发放", r.row)));
                continue;
            }
            out.push(NewDelivery {
                person: found.person,
                term: term.code(),
                item: code,
                amount_fen: line.amount.fen(),
                delivered_on: day,
                note: note.trim().to_owned(),
            });
        }
        if !errors.is_empty() {
            return Err(Error::Fields(errors));
        }
        Ok(self.store().record_deliveries(actor, &out).await?.len())
    }

    /// Withdraws a delivery recorded by mistake.
    pub async fn withdraw_delivery(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<(), Error> {
        Ok(self.store().withdraw_delivery(actor, id, reason).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use doudi_policy::education::Season;

    #[test]
    fn a_term_is_read_as_files_write_it() {
        let autumn = Some(Term {
            year: 2026,
            season: Season::Autumn,
        });
        for t in ["2026-autumn", "2026年秋季学期", "2026秋季", "2026秋"] {
            assert_eq!(term_from_text(t), autumn, "{t}");
        }
        assert_eq!(
            term_from_text("2027年春季学期"),
            Some(Term {
                year: 2027,
                season: Season::Spring
            })
        );
        for t in ["", "秋季", "2026夏", "1999-autumn"] {
            assert_eq!(term_from_text(t), None, "{t}");
        }
    }
}
