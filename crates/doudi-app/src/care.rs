//! Tekun care (2.2.b): where a tekun person is supported, and how far each township has come in
//! moving 失能 tekun into centralised care against the year's target.

use chrono::{Datelike, NaiveDate};
use doudi_core::{Actor, HouseholdId, Month, PersonId};
use doudi_policy::tekun::{self, CentralisationKpi};
use doudi_store::StoreError;

use crate::{App, Error};

/// The years a caseworker may ask about: the policy's months run from 1900 to 9999.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// Where a tekun person is now supported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Care {
    /// In centralised care (an institution) rather than dispersed (at home).
    pub centralised: bool,
    /// The institution 2.2.b names for the township; empty for dispersed care.
    pub institution: String,
}

/// One township's centralisation of 失能 tekun.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TownshipKpi {
    /// The township's 9-digit code.
    pub township: String,
    /// The rule's figures.
    pub kpi: CentralisationKpi,
}

impl App {
    /// Records a member's change of support mode from `since`; a centralisation goes to the
    /// institution 2.2.b names for the household's township (青龙、双江: the county home;
    /// elsewhere the township's own).
    pub async fn record_care(
        &self,
        actor: &Actor,
        household: HouseholdId,
        person: PersonId,
        centralised: bool,
        since: NaiveDate,
    ) -> Result<Care, Error> {
        let record = self.store().household(actor, household).await?;
        if !record.members.iter().any(|m| m.id == person) {
            return Err(StoreError::NotFound.into());
        }
        let institution = if centralised {
            let r = self.resolved(Month::of(since))?;
            tekun::institution_for(record.household.fields.township.as_str(), &r).name
        } else {
            String::new()
        };
        self.store()
            .record_care(actor, person, centralised, &institution, since)
            .await?;
        Ok(Care {
            centralised,
            institution,
        })
    }

    /// The share of 失能 tekun in centralised care per township of the actor's scope now,
    /// against the target of `year` (this year when `None`).
    pub async fn care_kpi(
        &self,
        actor: &Actor,
        year: Option<i32>,
    ) -> Result<Vec<TownshipKpi>, Error> {
        let year = year.unwrap_or_else(|| self.today().year());
        if !YEARS.contains(&year) {
            return Err(Error::invalid(
                "year",
                format!("年度应在{}至{}之间，如 2020", YEARS.start(), YEARS.end()),
            ));
        }
        let month = Month::new(year, 12).ok_or_else(|| Error::invalid("year", "考核年度无效"))?;
        let r = self.resolved(month)?;
        let counts = self.store().care_counts(actor).await?;
        Ok(counts
            .iter()
            .map(|c| TownshipKpi {
                township: c.township.as_str().to_owned(),
                kpi: tekun::centralisation(
                    c.township.as_str(),
                    c.disabled,
                    c.centralised,
                    &r,
                    &mut doudi_policy::explain::Off,
                ),
            })
            .collect())
    }
}

/// Reads a year given as text (a query parameter); [`App::care_kpi`] checks its range.
pub fn parse_year(text: &str) -> Result<i32, Error> {
    text.trim()
        .parse::<i32>()
        .map_err(|_| Error::invalid("year", "年度应为数字，如 2020"))
}
