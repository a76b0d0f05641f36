//! Employment help (2.7): the zero-employment households of the reader's part of the county —
//! a member of working age can and will work, and nobody is employed — with the members who
//! could work, and how many such households each township has. The human-resources officer
//! reads it through the department's view (the members able to work), the county and
//! townships through their scope.

use doudi_core::discovery::{able_and_willing, zero_employment};
use doudi_core::{Actor, HouseholdId, WorkCapacity};
use doudi_store::{HouseholdFilter, StoreError};

use crate::{App, Error};

/// A zero-employment household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZeroEmployment {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// Its township code.
    pub township: String,
    /// Its community code.
    pub community: String,
    /// The members of working age able and willing to work: name (as lists show it), age and
    /// work capacity.
    pub able: Vec<(String, u32, WorkCapacity)>,
}

impl App {
    /// The zero-employment households the actor may read, by file number (2.7).
    pub async fn zero_employment(&self, actor: &Actor) -> Result<Vec<ZeroEmployment>, Error> {
        if !actor.may_read_households() {
            return Err(StoreError::Forbidden.into());
        }
        let today = self.today();
        let records = self
            .store()
            .records(actor, &HouseholdFilter::default())
            .await?;
        let mut out: Vec<ZeroEmployment> = records
            .iter()
            .filter(|r| zero_employment(r, today))
            .map(|r| ZeroEmployment {
                household: r.household.id,
                number: r.household.fields.number.clone(),
                township: r.household.fields.township.to_string(),
                community: r.household.fields.community.to_string(),
                able: r
                    .members
                    .iter()
                    .filter(|m| able_and_willing(&m.fields, today))
                    .map(|m| {
                        (
                            // Masked, as every list is (`Actor::visibility(Purpose::List)`).
                            m.fields.name.masked(),
                            doudi_core::person::age_on(m.fields.id_number.birth_date(), today),
                            m.fields.work_capacity,
                        )
                    })
                    .collect(),
            })
            .collect();
        out.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(out)
    }
}
