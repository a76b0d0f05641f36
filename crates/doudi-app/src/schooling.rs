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
/// school, what they are owed with the explanation, and the deliveries (taken out of
/// `delivered`).
fn lines_of(
    record: &HouseholdRecord,
    term: Term,
    r: &Resolved,
    schools: &HashMap<PersonId, String>,
    delivered: &mut HashMap<(PersonId, String), DeliveryRecord>,
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
                    delivered: delivered.remove(&(m.id, i.kind.code().to_owned())),
                })
                .collect(),
            explanation: education::explain(&student, term, r).1.render(),
        });
    }
    out
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
            .enrolments(actor, &code)
            .await?
            .into_iter()
            .map(|e| (e.person, e.school))
            .collect();
        let mut delivered: HashMap<(PersonId, String), DeliveryRecord> = self
            .store()
            .deliveries(actor, &code)
            .await?
            .into_iter()
            .map(|d| ((d.person, d.item.clone()), d))
            .collect();
        let mut students = Vec::new();
        for record in &records {
            students.extend(lines_of(record, term, &r, &schools, &mut delivered));
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
            .enrolments(actor, &code)
            .await?
            .into_iter()
            .filter(|e| e.person == person)
            .map(|e| (e.person, e.school))
            .collect();
        let mut delivered: HashMap<(PersonId, String), DeliveryRecord> = self
            .store()
            .deliveries(actor, &code)
            .await?
            .into_iter()
            .filter(|d| d.person == person)
            .map(|d| ((d.person, d.item.clone()), d))
            .collect();
        lines_of(&record, term, &r, &schools, &mut delivered)
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
