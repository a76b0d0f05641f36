//! Exchange out (5.3): the lists departments are owed, read through the same scope and
//! department view as every other read. The first is the education bureau's: every student of
//! a dibao or tekun household in its part of the county, with what 2.5 owes them in a term.

use doudi_core::facts::Snapshot;
use doudi_core::{Actor, HouseholdId, Money, SchoolStage};
use doudi_policy::education::{self, Term};
use doudi_policy::explain::Off;
use doudi_store::{HouseholdFilter, StoreError};

use crate::{App, Error};

/// A student and what the term owes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudentOwed {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Township and community codes.
    pub township: String,
    /// Community code.
    pub community: String,
    /// The student's name, as the actor's list shows it (masked).
    pub name: String,
    /// The identity number, as the list shows it (masked).
    pub id_number: String,
    /// Stage of schooling.
    pub stage: SchoolStage,
    /// Boards at school.
    pub boarding: bool,
    /// Each item owed: its label and value for the term (a loan: the yearly ceiling).
    pub items: Vec<(&'static str, Money)>,
    /// The value of everything waived, paid or given (loans excluded).
    pub total: Money,
}

impl App {
    /// The students owed education aid in `term` in the actor's part of the county (the
    /// education bureau's officers, the county, auditors, township and community workers),
    /// names and numbers masked as lists show them; the read is audited as a bulk read.
    pub async fn education_roll(
        &self,
        actor: &Actor,
        term: Term,
    ) -> Result<Vec<StudentOwed>, Error> {
        if !actor.may_read_households() {
            return Err(StoreError::Forbidden.into());
        }
        let r = term
            .resolve(self.parameters())
            .map_err(|e| Error::Rules(e.to_string()))?;
        let records = self
            .store()
            .records(actor, &HouseholdFilter::default())
            .await?;
        let mut out = Vec::new();
        for record in &records {
            let snapshot = Snapshot::from_record(record);
            for s in education::students(&snapshot, term, &r, &mut Off) {
                let Some(m) = record.members.get(s.member) else {
                    continue;
                };
                out.push(StudentOwed {
                    household: record.household.id,
                    number: record.household.fields.number.clone(),
                    township: record.household.fields.township.to_string(),
                    community: record.household.fields.community.to_string(),
                    // Masked, as every list is (`Actor::visibility(Purpose::List)`).
                    name: m.fields.name.masked(),
                    id_number: m.fields.id_number.masked(),
                    stage: s.decision.stage,
                    boarding: m.fields.boarding,
                    items: s
                        .decision
                        .items
                        .iter()
                        .map(|i| (i.kind.label(), i.amount))
                        .collect(),
                    total: s.decision.total,
                });
            }
        }
        out.sort_by(|a, b| (&a.number, &a.id_number).cmp(&(&b.number, &b.id_number)));
        Ok(out)
    }
}
