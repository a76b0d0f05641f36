//! Pairing many at a time (3.3, 4.3 帮困不漏户、户户见干部): the households of a community (or a
//! township) without a cadre shared among cadres — a unit's, or any whose scope covers them —
//! with no cadre over a given number of households; and a leaving cadre's households handed
//! over, to one cadre or shared the same way, with none left unpaired. Each is shown as a plan
//! first and applied in one transaction.

use std::collections::{BTreeMap, HashSet};

use doudi_core::{Actor, DivisionCode, HouseholdId};
use doudi_store::{HouseholdFilter, PairingFilter, StoreError};

use crate::{App, Error};

/// A cadre as the sharing sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cadre {
    /// User id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// The code prefix of their scope ("" for the county).
    pub scope: String,
    /// Households they are paired with now.
    pub load: i64,
}

/// A household to pair: id, file number, community code.
pub type ToPair = (HouseholdId, String, String);

/// One pairing of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The household.
    pub household: HouseholdId,
    /// Its file number.
    pub number: String,
    /// The cadre's user id.
    pub cadre: i64,
    /// The cadre's display name.
    pub cadre_name: String,
}

/// A plan: the pairings to make, and the households no cadre could take (with why).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Pairings to make.
    pub assignments: Vec<Assignment>,
    /// Households left: file number and why.
    pub left: Vec<(String, String)>,
}

/// Shares `households` among `cadres`: each household goes to the least-loaded cadre whose
/// scope covers its community and who has fewer than `cap` households (ties: the cadre listed
/// first); a household no cadre can take is left, saying why. Pure, for tests and plans.
pub fn distribute(households: &[ToPair], cadres: &[Cadre], cap: i64) -> Plan {
    let mut loads: Vec<i64> = cadres.iter().map(|c| c.load).collect();
    let mut plan = Plan::default();
    for (household, number, community) in households {
        let covering: Vec<usize> = (0..cadres.len())
            .filter(|&i| community.starts_with(cadres[i].scope.as_str()))
            .collect();
        let best = covering
            .iter()
            .copied()
            .filter(|&i| loads[i] < cap)
            .min_by_key(|&i| (loads[i], i));
        match best {
            Some(i) => {
                loads[i] += 1;
                plan.assignments.push(Assignment {
                    household: *household,
                    number: number.clone(),
                    cadre: cadres[i].id,
                    cadre_name: cadres[i].name.clone(),
                });
            }
            None if covering.is_empty() => plan
                .left
                .push((number.clone(), "没有工作范围覆盖该户的干部".into())),
            None => plan.left.push((
                number.clone(),
                format!("可结对的干部都已结对{cap}户（上限）"),
            )),
        }
    }
    plan
}

/// Which cadres share the households: a unit's, or every cadre whose scope meets the actor's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sharing {
    /// Only the cadres of this unit.
    pub unit: Option<i64>,
    /// Only this cadre.
    pub cadre: Option<i64>,
    /// No cadre over this many households.
    pub cap: i64,
}

impl App {
    /// The cadres who would share households: enabled cadres whose scope meets the actor's,
    /// those of `sharing.unit` or only `sharing.cadre` if given, with their loads.
    async fn sharing_cadres(&self, actor: &Actor, sharing: Sharing) -> Result<Vec<Cadre>, Error> {
        let mut cadres: Vec<Cadre> = self
            .store()
            .cadre_loads(actor)
            .await?
            .into_iter()
            .map(|(id, _, name, scope, load)| Cadre {
                id,
                name,
                scope,
                load,
            })
            .collect();
        if let Some(unit) = sharing.unit {
            let units = self.store().units(actor).await?;
            let Some(u) = units.iter().find(|u| u.id == unit) else {
                return Err(StoreError::NotFound.into());
            };
            let members: HashSet<i64> = u.members.iter().map(|(id, ..)| *id).collect();
            cadres.retain(|c| members.contains(&c.id));
        }
        if let Some(one) = sharing.cadre {
            cadres.retain(|c| c.id == one);
            if cadres.is_empty() {
                return Err(Error::invalid("cadre", "接手干部：不是在用的结对帮扶干部"));
            }
        }
        Ok(cadres)
    }

    /// The plan that pairs every household without a cadre in `place` (a community or a
    /// township of the actor's scope; `None`: the whole scope) with the sharing cadres.
    pub async fn assignment_plan(
        &self,
        actor: &Actor,
        place: Option<DivisionCode>,
        sharing: Sharing,
    ) -> Result<Plan, Error> {
        if !actor.may_manage_pairings() {
            return Err(StoreError::Forbidden.into());
        }
        check_cap(sharing.cap)?;
        let filter = match &place {
            Some(code) if code.is_community() => HouseholdFilter {
                community: Some(code.clone()),
                ..HouseholdFilter::default()
            },
            Some(code) => HouseholdFilter {
                township: Some(code.clone()),
                ..HouseholdFilter::default()
            },
            None => HouseholdFilter::default(),
        };
        let page = self
            .store()
            .households(
                actor,
                &filter,
                doudi_store::Page {
                    offset: 0,
                    limit: 500,
                },
            )
            .await?;
        let mut households: Vec<ToPair> = Vec::new();
        let paired: HashSet<HouseholdId> = self
            .store()
            .pairings(actor, PairingFilter::default())
            .await?
            .into_iter()
            .map(|p| p.household)
            .collect();
        let mut offset = 0;
        let mut rows = page.rows;
        loop {
            households.extend(
                rows.iter()
                    .filter(|r| !paired.contains(&r.id))
                    .map(|r| (r.id, r.number.clone(), r.community.to_string())),
            );
            offset += rows.len() as i64;
            if rows.is_empty() || offset >= page.total {
                break;
            }
            rows = self
                .store()
                .households(actor, &filter, doudi_store::Page { offset, limit: 500 })
                .await?
                .rows;
        }
        let cadres = self.sharing_cadres(actor, sharing).await?;
        Ok(distribute(&households, &cadres, sharing.cap))
    }

    /// Makes the plan's pairings now (computed again, so that it is today's plan), all or
    /// none; returns the plan applied.
    pub async fn assign(
        &self,
        actor: &Actor,
        place: Option<DivisionCode>,
        sharing: Sharing,
    ) -> Result<Plan, Error> {
        let plan = self.assignment_plan(actor, place, sharing).await?;
        let pairs: Vec<(HouseholdId, i64)> = plan
            .assignments
            .iter()
            .map(|a| (a.household, a.cadre))
            .collect();
        if !pairs.is_empty() {
            self.store().assign(actor, &pairs).await?;
        }
        Ok(plan)
    }

    /// The plan that hands a leaving cadre's households (in the actor's scope) over to the
    /// sharing cadres (never back to the one leaving); households that have another cadre
    /// already need no one.
    pub async fn handover_plan(
        &self,
        actor: &Actor,
        from: i64,
        sharing: Sharing,
    ) -> Result<Plan, Error> {
        if !actor.may_manage_pairings() {
            return Err(StoreError::Forbidden.into());
        }
        check_cap(sharing.cap)?;
        let all = self
            .store()
            .pairings(actor, PairingFilter::default())
            .await?;
        let mut cadres_of: BTreeMap<HouseholdId, Vec<i64>> = BTreeMap::new();
        for p in &all {
            cadres_of.entry(p.household).or_default().push(p.cadre);
        }
        let theirs: Vec<&doudi_store::Pairing> = all.iter().filter(|p| p.cadre == from).collect();
        if theirs.is_empty() {
            return Err(Error::invalid(
                "from",
                "移交干部：在您的工作范围内没有与该干部结对的家庭",
            ));
        }
        let needing: Vec<ToPair> = theirs
            .iter()
            .filter(|p| cadres_of.get(&p.household).is_some_and(|c| c.len() == 1))
            .map(|p| (p.household, p.household_number.clone(), p.community.clone()))
            .collect();
        let mut cadres = self.sharing_cadres(actor, sharing).await?;
        cadres.retain(|c| c.id != from);
        Ok(distribute(&needing, &cadres, sharing.cap))
    }

    /// Hands the cadre's households over by today's plan, all or none: refused while any
    /// household would be left without a cadre.
    pub async fn hand_over(
        &self,
        actor: &Actor,
        from: i64,
        sharing: Sharing,
    ) -> Result<Plan, Error> {
        let plan = self.handover_plan(actor, from, sharing).await?;
        if !plan.left.is_empty() {
            return Err(Error::Rules(format!(
                "有{}户找不到接手的干部（如户 {}：{}），没有移交任何家庭；请提高上限或换用其他干部",
                plan.left.len(),
                plan.left[0].0,
                plan.left[0].1
            )));
        }
        let pairs: Vec<(HouseholdId, i64)> = plan
            .assignments
            .iter()
            .map(|a| (a.household, a.cadre))
            .collect();
        self.store().hand_over(actor, from, &pairs).await?;
        Ok(plan)
    }
}

fn check_cap(cap: i64) -> Result<(), Error> {
    if (1..=1000).contains(&cap) {
        Ok(())
    } else {
        Err(Error::invalid("cap", "每名干部结对户数上限：应为1到1000"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cadre(id: i64, scope: &str, load: i64) -> Cadre {
        Cadre {
            id,
            name: format!("干部{id}"),
            scope: scope.into(),
            load,
        }
    }

    fn households(n: i64, community: &str) -> Vec<ToPair> {
        (1..=n)
            .map(|i| (HouseholdId(i), format!("QL-{i:04}"), community.into()))
            .collect()
    }

    #[test]
    fn households_go_to_the_least_loaded_cadre_and_none_over_the_cap() {
        let plan = distribute(
            &households(5, "500235002001"),
            &[cadre(1, "500235002", 2), cadre(2, "500235002", 0)],
            3,
        );
        let to: Vec<i64> = plan.assignments.iter().map(|a| a.cadre).collect();
        // 2 takes three (0→3), 1 takes one (2→3); the fifth is left at the cap.
        assert_eq!(to, [2, 2, 1, 2]);
        assert_eq!(plan.left.len(), 1);
        assert!(plan.left[0].1.contains("上限"), "{:?}", plan.left);
    }

    #[test]
    fn a_cadre_takes_only_households_their_scope_covers() {
        let mut list = households(1, "500235002001");
        list.extend(
            households(1, "500235003001")
                .into_iter()
                .map(|(_, n, c)| (HouseholdId(9), n.replace("QL", "RH"), c)),
        );
        let plan = distribute(&list, &[cadre(1, "500235002", 0)], 10);
        assert_eq!(plan.assignments.len(), 1);
        assert_eq!(
            plan.left,
            [(
                "RH-0001".to_owned(),
                "没有工作范围覆盖该户的干部".to_owned()
            )]
        );
    }

    #[test]
    fn every_household_is_paired_when_the_cadres_have_room() {
        let plan = distribute(
            &households(100, "500235002001"),
            &[
                cadre(1, "", 0),
                cadre(2, "500235002", 0),
                cadre(3, "500235002001", 0),
            ],
            34,
        );
        assert!(plan.left.is_empty());
        assert_eq!(plan.assignments.len(), 100);
    }
}
