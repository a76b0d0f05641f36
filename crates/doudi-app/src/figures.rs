//! The departments' figures per township (2.4, 2.5, 2.7): aggregates only — how many members
//! have signed with a family doctor and have an electronic health record, how many students
//! there are, how many zero-employment households — so that a department officer is measured
//! on the whole county without reading anyone's file. The read is recorded under the officer.

use std::collections::BTreeMap;

use doudi_core::discovery::zero_employment;
use doudi_core::{Actor, Money, Month, Role};
use doudi_policy::Resolved;
use doudi_policy::education::Term;
use doudi_store::{AuditAction, HouseholdFilter, StoreError};

use crate::{App, Error};

/// One township's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TownshipFigures {
    /// Township code.
    pub township: String,
    /// Households not exited.
    pub households: u32,
    /// Their members.
    pub members: u32,
    /// Members signed with a family doctor (2.4).
    pub family_doctor: u32,
    /// Members with an electronic health record (2.4).
    pub health_record: u32,
    /// Members with a special disease of 2.4.
    pub special_disease: u32,
    /// Members at school or kindergarten (2.5).
    pub students: u32,
    /// Zero-employment households (2.7).
    pub zero_employment: u32,
    /// Inpatient stays admitted this year and settled (2.4).
    pub stays: u32,
    /// Their total cost.
    pub stay_total: Money,
    /// Their out-of-catalogue cost.
    pub out_of_catalogue: Money,
    /// Whether out-of-catalogue ÷ total is above the ceiling in force today (2.4: 15%),
    /// decided exactly.
    pub out_over_limit: bool,
    /// Education items owed this term and not delivered (2.5).
    pub undelivered_items: u32,
    /// Their value.
    pub undelivered_value: Money,
}

impl TownshipFigures {
    /// Out-of-catalogue ÷ total, for display; `None` without stays.
    pub fn out_share(&self) -> Option<doudi_policy::params::Ratio> {
        doudi_policy::share(self.out_of_catalogue.fen(), self.stay_total.fen())
    }
}

impl App {
    /// The figures of every township of the actor's scope (department officers: the county),
    /// townships in code order. Only counts leave this function.
    pub async fn township_figures(&self, actor: &Actor) -> Result<Vec<TownshipFigures>, Error> {
        if !matches!(
            actor.role,
            Role::DepartmentOfficer
                | Role::CountyApprover
                | Role::Auditor
                | Role::TownshipCaseworker
                | Role::System
        ) {
            return Err(StoreError::Forbidden.into());
        }
        let today = self.today();
        // Read as the system, within the actor's scope, and recorded under the actor: the
        // figures need every member, which a department's view would not give.
        let reader = Actor {
            scope: actor.scope.clone(),
            ..Actor::system("各乡镇部门工作指标")
        };
        let records = self
            .store()
            .records(&reader, &HouseholdFilter::default())
            .await?;
        self.store()
            .record_audit(
                actor,
                AuditAction::List,
                "households",
                &format!("查看各乡镇部门工作指标（{}户，仅统计数字）", records.len()),
            )
            .await?;
        let mut by: BTreeMap<String, TownshipFigures> = BTreeMap::new();
        for r in &records {
            let township = r.household.fields.township.to_string();
            let f = by
                .entry(township.clone())
                .or_insert_with(|| TownshipFigures {
                    township,
                    ..TownshipFigures::default()
                });
            f.households += 1;
            for m in &r.members {
                f.members += 1;
                f.family_doctor += u32::from(m.fields.family_doctor);
                f.health_record += u32::from(m.fields.health_record);
                f.special_disease += u32::from(m.fields.special_disease.is_some());
                f.students += u32::from(m.fields.school_stage.is_some());
            }
            f.zero_employment += u32::from(zero_employment(r, today));
        }
        // 2.4: this year's stays, by the township of the household.
        let year = chrono::Datelike::year(&today);
        let stays = self.stays(&reader, year, None).await?;
        let limit = Resolved::new(self.parameters(), Month::of(today))
            .map_err(|e| Error::Rules(e.to_string()))?
            .medical_out_of_catalogue_limit;
        for st in &stays {
            if let Some(f) = by.get_mut(&st.township) {
                f.stays += 1;
                f.stay_total = f.stay_total.saturating_add(Money::from_fen(st.total_fen));
                f.out_of_catalogue = f
                    .out_of_catalogue
                    .saturating_add(Money::from_fen(st.total_fen - st.in_catalogue_fen));
            }
        }
        // 2.5: what this term owes and has not delivered.
        let book = self.term_book(&reader, Term::of(Month::of(today))).await?;
        for (township, (items, value)) in book.undelivered_by_township() {
            if let Some(f) = by.get_mut(&township) {
                f.undelivered_items = items;
                f.undelivered_value = value;
            }
        }
        for f in by.values_mut() {
            f.out_over_limit =
                !doudi_policy::within(f.out_of_catalogue.fen(), f.stay_total.fen(), limit);
        }
        Ok(by.into_values().collect())
    }
}
