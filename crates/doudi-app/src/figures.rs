//! The departments' figures per township (2.4, 2.5, 2.7): aggregates only — how many members
//! have signed with a family doctor and have an electronic health record, how many students
//! there are, how many zero-employment households — so that a department officer is measured
//! on the whole county without reading anyone's file. The read is recorded under the officer.

use std::collections::BTreeMap;

use doudi_core::discovery::zero_employment;
use doudi_core::{Actor, Role};
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
        Ok(by.into_values().collect())
    }
}
