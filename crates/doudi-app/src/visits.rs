//! Visits to households, visit campaigns and coverage as use cases (3.3, 4.3
//! "帮困不漏户、户户见干部"): the one reading of a visit from a form or JSON (field errors in
//! Chinese, attachments checked by type, size and count), campaign progress per township and
//! per cadre, and coverage: every current household without a paired cadre or without a visit
//! in the last N days.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use doudi_core::visits::{
    ATTACHMENT_TYPES, DEFAULT_COVERAGE_DAYS, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, VisitKind,
    attachment_matches,
};
use doudi_core::{Actor, HouseholdId, Need};
use doudi_store::StoreError;
use doudi_store::visits::{
    Campaign, CoveredHousehold, NewAttachment, NewCampaign, NewVisit, Visit, VisitFilter,
    may_create_campaigns, may_record_visits,
};

use crate::{App, Error};

/// A visit as typed in a form or sent as JSON: every value as text, checked here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VisitInput {
    /// The day of the visit (any form `parse_day` reads); empty means today.
    pub visited_on: String,
    /// The kind's code or Chinese label.
    pub kind: String,
    /// What was found.
    pub found: String,
    /// The needs raised, codes or labels.
    pub needs: Vec<String>,
    /// The client's draft id; empty: a new one is made (a form without JavaScript carries the
    /// one its page was rendered with).
    pub draft_id: String,
    /// Photos or files.
    pub attachments: Vec<NewAttachment>,
}

/// A fresh draft id: 32 hexadecimal digits from the operating system's random numbers.
pub fn new_draft_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides random numbers");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a draft id is well formed: 8 to 64 letters, digits or hyphens.
fn good_draft(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl VisitInput {
    /// The visit, or every field at fault.
    pub fn parse(&self, household: HouseholdId, today: NaiveDate) -> Result<NewVisit, Error> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let visited_on = if self.visited_on.trim().is_empty() {
            Some(today)
        } else {
            match doudi_core::date::parse_day(&self.visited_on) {
                Ok(d) if d > today => {
                    problems.push(("visited_on", "走访日期：不能晚于今天".to_owned()));
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(("visited_on", format!("走访日期：{e}")));
                    None
                }
            }
        };
        let kind = match VisitKind::parse(self.kind.trim()) {
            Ok(k) => Some(k),
            Err(_) => {
                problems.push((
                    "kind",
                    "走访类型：请选择日常走访、节日慰问或回访".to_owned(),
                ));
                None
            }
        };
        let found = self.found.trim();
        if found.is_empty() {
            problems.push(("found", "走访情况：请填写走访中了解到的情况".to_owned()));
        } else if found.chars().count() > 2000 {
            problems.push(("found", "走访情况：最多2000字".to_owned()));
        }
        let mut needs = Vec::new();
        for n in self.needs.iter().filter(|n| !n.trim().is_empty()) {
            match Need::parse(n.trim()) {
                Ok(n) if !needs.contains(&n) => needs.push(n),
                Ok(_) => {}
                Err(_) => problems.push(("needs", format!("提出的需求：无法识别「{}」", n.trim()))),
            }
        }
        let draft_id = match self.draft_id.trim() {
            "" => new_draft_id(),
            d if good_draft(d) => d.to_owned(),
            _ => {
                problems.push(("draft_id", "草稿编号：格式不对，请刷新页面".to_owned()));
                String::new()
            }
        };
        if self.attachments.len() > MAX_ATTACHMENTS {
            problems.push((
                "attachments",
                format!("附件：每次走访最多{MAX_ATTACHMENTS}个"),
            ));
        }
        for a in &self.attachments {
            if a.bytes.is_empty() {
                problems.push((
                    "attachments",
                    format!("附件「{}」：文件是空的", a.file_name),
                ));
            } else if a.bytes.len() > MAX_ATTACHMENT_BYTES {
                problems.push((
                    "attachments",
                    format!("附件「{}」：超过2兆字节，请压缩后再上传", a.file_name),
                ));
            } else if !ATTACHMENT_TYPES.contains(&a.media_type.as_str())
                || !attachment_matches(&a.media_type, &a.bytes)
            {
                problems.push((
                    "attachments",
                    format!("附件「{}」：只能上传照片或PDF文件", a.file_name),
                ));
            }
        }
        match (visited_on, kind) {
            (Some(visited_on), Some(kind)) if problems.is_empty() => Ok(NewVisit {
                household,
                visited_on,
                kind,
                found: found.to_owned(),
                needs,
                draft_id,
                attachments: self.attachments.clone(),
            }),
            _ => Err(Error::Fields(problems)),
        }
    }
}

/// A campaign as typed: every value as text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CampaignInput {
    /// Its name.
    pub name: String,
    /// The kind of visit that counts.
    pub kind: String,
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
}

impl CampaignInput {
    /// The campaign, or every field at fault.
    pub fn parse(&self) -> Result<NewCampaign, Error> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            problems.push(("name", "活动名称：请填写，如“2027年春节走访”".to_owned()));
        } else if name.chars().count() > 100 {
            problems.push(("name", "活动名称：最多100字".to_owned()));
        }
        let kind = VisitKind::parse(self.kind.trim()).ok();
        if kind.is_none() {
            problems.push((
                "kind",
                "走访类型：请选择日常走访、节日慰问或回访".to_owned(),
            ));
        }
        let day = |text: &str, field: &'static str, label: &str, problems: &mut Vec<_>| {
            match doudi_core::date::parse_day(text) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push((field, format!("{label}：{e}")));
                    None
                }
            }
        };
        let from = day(&self.from, "from", "开始日期", &mut problems);
        let to = day(&self.to, "to", "结束日期", &mut problems);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            problems.push(("to", "结束日期：不能早于开始日期".to_owned()));
        }
        match (kind, from, to) {
            (Some(kind), Some(from), Some(to)) if problems.is_empty() => Ok(NewCampaign {
                name: name.to_owned(),
                kind,
                from,
                to,
            }),
            _ => Err(Error::Fields(problems)),
        }
    }
}

/// Counts of a group of households: how many, and how many are covered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// The households of the group.
    pub households: usize,
    /// Those visited (campaign) or without a cadre (coverage).
    pub first: usize,
    /// Those without a recent visit (coverage; unused for campaigns).
    pub second: usize,
}

/// Coverage of the reader's scope (4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    /// The days looked back.
    pub days: u32,
    /// The first day that counts as recent.
    pub since: NaiveDate,
    /// Per township code: households, without a cadre, without a recent visit.
    pub townships: BTreeMap<String, Tally>,
    /// Every current household without a paired cadre.
    pub unpaired: Vec<CoveredHousehold>,
    /// Every current household without a visit since `since`.
    pub unvisited: Vec<CoveredHousehold>,
    /// All current households of the scope.
    pub households: usize,
}

/// A campaign's progress (3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The campaign.
    pub campaign: Campaign,
    /// All current households of the scope, and those visited.
    pub total: Tally,
    /// Per township code.
    pub townships: BTreeMap<String, Tally>,
    /// Per paired cadre (display name; households without a cadre under 未结对).
    pub cadres: BTreeMap<String, Tally>,
    /// Per responsible unit (by the communities it is paired with; households of no unit's
    /// community under 未分配责任单位), for those who read units; empty for others.
    pub units: BTreeMap<String, Tally>,
    /// The households not yet visited.
    pub pending: Vec<CoveredHousehold>,
}

/// The group name of households without a cadre.
pub const NO_CADRE: &str = "（未结对）";

/// The group name of households of no responsible unit's community.
pub const NO_UNIT: &str = "（未分配责任单位）";

impl App {
    /// Records a visit to a household, dated as typed (today if empty). A resend with the same
    /// draft id returns the visit already kept.
    pub async fn record_visit(
        &self,
        actor: &Actor,
        household: HouseholdId,
        input: &VisitInput,
    ) -> Result<Visit, Error> {
        // The role first: a role that may not record learns nothing from a form's errors.
        if !may_record_visits(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let visit = input.parse(household, self.today())?;
        Ok(self.store().record_visit(actor, &visit).await?)
    }

    /// The visits of the actor's scope matching the filter.
    pub async fn visits(&self, actor: &Actor, filter: &VisitFilter) -> Result<Vec<Visit>, Error> {
        Ok(self.store().visits(actor, filter).await?)
    }

    /// Coverage today: every current household without a cadre or without a visit in the last
    /// `days` days (default 90), with counts per township.
    pub async fn coverage(&self, actor: &Actor, days: Option<u32>) -> Result<Coverage, Error> {
        let days = days.unwrap_or(DEFAULT_COVERAGE_DAYS);
        if !(1..=3660).contains(&days) {
            return Err(Error::invalid("days", "天数：请填写1至3660之间的整数"));
        }
        let today = self.today();
        let since = today
            .checked_sub_days(Days::new(u64::from(days)))
            .unwrap_or(NaiveDate::MIN);
        let all = self.store().coverage(actor, today, since, None).await?;
        let mut townships: BTreeMap<String, Tally> = BTreeMap::new();
        let mut unpaired = Vec::new();
        let mut unvisited = Vec::new();
        let households = all.len();
        for h in all {
            let t = townships.entry(h.township.clone()).or_default();
            t.households += 1;
            if h.cadres.is_empty() {
                t.first += 1;
                unpaired.push(h.clone());
            }
            if h.last_visit.is_none() {
                t.second += 1;
                unvisited.push(h);
            }
        }
        Ok(Coverage {
            days,
            since,
            townships,
            unpaired,
            unvisited,
            households,
        })
    }

    /// The figures of [`App::coverage`] without its lists, counted in the database: for the work
    /// list, shown on every visit to it.
    pub async fn coverage_counts(
        &self,
        actor: &Actor,
    ) -> Result<doudi_store::visits::CoverageCounts, Error> {
        let today = self.today();
        let since = today
            .checked_sub_days(Days::new(u64::from(DEFAULT_COVERAGE_DAYS)))
            .unwrap_or(NaiveDate::MIN);
        Ok(self.store().coverage_counts(actor, today, since).await?)
    }

    /// Creates a campaign.
    pub async fn create_campaign(
        &self,
        actor: &Actor,
        input: &CampaignInput,
    ) -> Result<Campaign, Error> {
        if !may_create_campaigns(actor) {
            return Err(StoreError::Forbidden.into());
        }
        let campaign = input.parse()?;
        Ok(self.store().create_campaign(actor, &campaign).await?)
    }

    /// Every campaign.
    pub async fn campaigns(&self, actor: &Actor) -> Result<Vec<Campaign>, Error> {
        Ok(self.store().campaigns(actor).await?)
    }

    /// A campaign's progress in the actor's scope: the current households visited with a visit
    /// of its kind within its days, per township and per cadre.
    pub async fn campaign_progress(&self, actor: &Actor, id: i64) -> Result<Progress, Error> {
        let campaign = self.store().campaign(actor, id).await?;
        let day = campaign.to.min(self.today());
        let all = self
            .store()
            .coverage(actor, day, campaign.from, Some(campaign.kind))
            .await?;
        // Which units answer for each community (3.3: every household has a responsible unit).
        let mut unit_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let by_unit = doudi_store::units::may_read_units(actor);
        if by_unit {
            for u in self.store().units(actor).await? {
                for c in &u.communities {
                    unit_of
                        .entry(c.as_str().to_owned())
                        .or_default()
                        .push(u.name.clone());
                }
            }
        }
        let mut units: BTreeMap<String, Tally> = BTreeMap::new();
        let mut total = Tally::default();
        let mut townships: BTreeMap<String, Tally> = BTreeMap::new();
        let mut cadres: BTreeMap<String, Tally> = BTreeMap::new();
        let mut pending = Vec::new();
        for h in all {
            let visited = usize::from(h.last_visit.is_some());
            total.households += 1;
            total.first += visited;
            let t = townships.entry(h.township.clone()).or_default();
            t.households += 1;
            t.first += visited;
            let names = if h.cadres.is_empty() {
                vec![NO_CADRE.to_owned()]
            } else {
                h.cadres.clone()
            };
            for name in names {
                let c = cadres.entry(name).or_default();
                c.households += 1;
                c.first += visited;
            }
            if by_unit {
                let names = unit_of
                    .get(&h.community)
                    .cloned()
                    .unwrap_or_else(|| vec![NO_UNIT.to_owned()]);
                for name in names {
                    let u = units.entry(name).or_default();
                    u.households += 1;
                    u.first += visited;
                }
            }
            if visited == 0 {
                pending.push(h);
            }
        }
        Ok(Progress {
            campaign,
            total,
            townships,
            cadres,
            units,
            pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    #[test]
    fn a_visit_without_what_was_found_names_the_field() {
        let input = VisitInput {
            kind: "routine".into(),
            ..VisitInput::default()
        };
        let Err(Error::Fields(f)) = input.parse(HouseholdId(1), today()) else {
            panic!("refused");
        };
        assert_eq!(f[0].0, "found");
        assert!(f[0].1.starts_with("走访情况"));
    }

    #[test]
    fn a_visit_dated_tomorrow_is_refused() {
        let input = VisitInput {
            visited_on: "2026-12-05".into(),
            kind: "节日慰问".into(),
            found: "生活正常".into(),
            ..VisitInput::default()
        };
        assert!(input.parse(HouseholdId(1), today()).is_err());
    }

    #[test]
    fn a_file_that_is_not_a_photo_or_pdf_is_refused() {
        let input = VisitInput {
            kind: "routine".into(),
            found: "生活正常".into(),
            attachments: vec![NewAttachment {
                file_name: "a.html".into(),
                media_type: "image/png".into(),
                bytes: b"<html>".to_vec(),
            }],
            ..VisitInput::default()
        };
        let Err(Error::Fields(f)) = input.parse(HouseholdId(1), today()) else {
            panic!("refused");
        };
        assert_eq!(f[0].0, "attachments");
    }

    #[test]
    fn an_empty_draft_id_gets_a_fresh_one() {
        let input = VisitInput {
            kind: "routine".into(),
            found: "生活正常".into(),
            needs: vec!["medical".into(), "医疗救助".into()],
            ..VisitInput::default()
        };
        let v = input.parse(HouseholdId(1), today()).unwrap();
        assert_eq!(v.draft_id.len(), 32);
        assert_eq!(v.needs, vec![Need::Medical]);
        assert_eq!(v.visited_on, today());
    }
}
