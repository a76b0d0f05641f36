//! The social-forces platform (3.1, 3.2) as use cases: participants register (a
//! social-organisation account) and are verified by the county approver; verified participants
//! post offers; needs raised in households' files are published de-identified; matching
//! ([`doudi_core::social::propose`]) proposes offers for open needs with its reasons, and a
//! caseworker confirms; the participant records delivery and the household's cadre (or a
//! caseworker) acknowledges it. The store checks every role and scope.

use doudi_core::social::{NeedFacts, OfferFacts, OfferKind, ParticipantKind, propose};
use doudi_core::{Actor, Money};
use doudi_store::StoreError;
use doudi_store::social::{
    Match, NewMatch, NewOffer, NewParticipant, Offer, Participant, PublicNeed, may_read_social,
};

use crate::{App, Error};

/// A participant's registration as typed in a form or sent as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParticipantInput {
    /// `enterprise`, `organisation`, `foundation`, `volunteer` (or the Chinese label).
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Contact person and phone.
    pub contact: String,
    /// Unified social credit code, or empty.
    pub credit_code: String,
}

impl ParticipantInput {
    /// Checks every field, naming each one at fault.
    pub fn parse(&self) -> Result<NewParticipant, Error> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let kind = ParticipantKind::parse(&self.kind)
            .map_err(|e| problems.push(("kind", format!("参与主体类型：{e}"))))
            .ok();
        if self.name.trim().is_empty() {
            problems.push(("name", "名称：请填写".into()));
        }
        if self.contact.trim().is_empty() {
            problems.push(("contact", "联系人及电话：请填写".into()));
        }
        let code = self.credit_code.trim().to_ascii_uppercase();
        if !code.is_empty()
            && (code.len() != 18 || !code.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            problems.push(("credit_code", "统一社会信用代码：应为18位字母或数字".into()));
        }
        if !problems.is_empty() {
            return Err(Error::Fields(problems));
        }
        Ok(NewParticipant {
            kind,
            name: self.name.trim().to_owned(),
            contact: self.contact.trim().to_owned(),
            credit_code: (!code.is_empty()).then_some(code),
        })
    }
}

/// An offer as typed in a form or sent as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfferInput {
    /// `money`, `goods`, `services`, `jobs`, `training`, `pairing` (or the Chinese label).
    pub kind: String,
    /// What exactly.
    pub description: String,
    /// The township code (9 digits), or empty for the whole county.
    pub township: String,
    /// How many households.
    pub capacity: String,
    /// For money offers, the amount in yuan.
    pub amount_yuan: String,
    /// Valid until (YYYY-MM-DD).
    pub valid_until: String,
}

impl OfferInput {
    /// Checks every field, naming each one at fault.
    pub fn parse(&self) -> Result<NewOffer, Error> {
        let mut problems: Vec<(&'static str, String)> = Vec::new();
        let kind = OfferKind::parse(&self.kind)
            .map_err(|e| problems.push(("kind", format!("资源类型：{e}"))))
            .ok();
        if self.description.trim().is_empty() {
            problems.push(("description", "资源说明：请填写".into()));
        }
        let township = match self.township.trim() {
            "" => None,
            t if t.len() == 9 && t.bytes().all(|b| b.is_ascii_digit()) => Some(t.to_owned()),
            _ => {
                problems.push(("township", "所在乡镇（街道）：应为9位代码或全县".into()));
                None
            }
        };
        let capacity = match self.capacity.trim().parse::<u32>() {
            Ok(c) if (1..=100_000).contains(&c) => c,
            _ => {
                problems.push(("capacity", "可帮扶户数：应为1至100000的整数".into()));
                1
            }
        };
        let amount = match self.amount_yuan.trim() {
            "" => Money::ZERO,
            text => Money::parse_non_negative_yuan(text).unwrap_or_else(|e| {
                problems.push(("amount_yuan", format!("金额：{e}")));
                Money::ZERO
            }),
        };
        if kind == Some(OfferKind::Money) && amount == Money::ZERO {
            problems.push(("amount_yuan", "金额：资金类资源请填写捐赠金额".into()));
        }
        if kind.is_some_and(|k| k != OfferKind::Money) && amount != Money::ZERO {
            problems.push(("amount_yuan", "金额：只有资金类资源填写金额".into()));
        }
        let valid_until = doudi_core::date::parse_day(&self.valid_until)
            .map_err(|e| problems.push(("valid_until", format!("有效期至：{e}"))))
            .ok();
        match (kind, valid_until) {
            (Some(kind), Some(valid_until)) if problems.is_empty() => Ok(NewOffer {
                kind,
                description: self.description.trim().to_owned(),
                township,
                capacity,
                amount,
                valid_until,
            }),
            _ => Err(Error::Fields(problems)),
        }
    }
}

/// An offer proposed for an open need, with the reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProposalView {
    /// The need, de-identified.
    pub need: PublicNeed,
    /// The offer.
    pub offer: Offer,
    /// Why, in Chinese.
    pub reasons: Vec<String>,
}

impl App {
    /// Registers the actor's participant record.
    pub async fn register_participant(
        &self,
        actor: &Actor,
        input: &ParticipantInput,
    ) -> Result<Participant, Error> {
        if actor.role != doudi_core::Role::SocialOrganisation {
            return Err(StoreError::Forbidden.into());
        }
        Ok(self
            .store()
            .register_participant(actor, &input.parse()?)
            .await?)
    }

    /// Posts an offer of the actor's participant.
    pub async fn add_offer(&self, actor: &Actor, input: &OfferInput) -> Result<Offer, Error> {
        if actor.role != doudi_core::Role::SocialOrganisation {
            return Err(StoreError::Forbidden.into());
        }
        Ok(self.store().add_offer(actor, &input.parse()?).await?)
    }

    /// Edits one of the actor's offers.
    pub async fn update_offer(
        &self,
        actor: &Actor,
        id: i64,
        input: &OfferInput,
    ) -> Result<Offer, Error> {
        if actor.role != doudi_core::Role::SocialOrganisation {
            return Err(StoreError::Forbidden.into());
        }
        Ok(self
            .store()
            .update_offer(actor, id, &input.parse()?)
            .await?)
    }

    /// Offers for the open needs (of the actor's scope's townships for a caseworker), with the
    /// reasons; the caseworker confirms each.
    pub async fn social_proposals(&self, actor: &Actor) -> Result<Vec<ProposalView>, Error> {
        if !may_read_social(actor) || actor.role == doudi_core::Role::SocialOrganisation {
            return Err(StoreError::Forbidden.into());
        }
        let prefix = actor.scope.prefix().to_owned();
        let needs: Vec<PublicNeed> = self
            .store()
            .open_needs(actor)
            .await?
            .into_iter()
            .filter(|n| n.township.starts_with(&prefix) || prefix.starts_with(&n.township))
            .collect();
        let today = self.today();
        let offers: Vec<Offer> = self
            .store()
            .offers(actor)
            .await?
            .into_iter()
            .filter(|o| o.open && o.fields.valid_until >= today)
            .collect();
        let need_facts: Vec<NeedFacts> = needs
            .iter()
            .map(|n| NeedFacts {
                id: n.token.clone(),
                kind: n.kind,
                township: n.township.clone(),
                urgency: n.urgency,
            })
            .collect();
        let offer_facts: Vec<OfferFacts> = offers
            .iter()
            .map(|o| OfferFacts {
                id: o.id,
                kind: o.fields.kind,
                township: o.fields.township.clone(),
                capacity_left: o.capacity_left(),
            })
            .collect();
        let proposals = propose(&need_facts, &offer_facts);
        Ok(proposals
            .into_iter()
            .filter_map(|p| {
                let need = needs.iter().find(|n| n.token == p.need)?.clone();
                let offer = offers.iter().find(|o| o.id == p.offer)?.clone();
                Some(ProposalView {
                    need,
                    offer,
                    reasons: p.reasons,
                })
            })
            .take(500)
            .collect())
    }

    /// Confirms a proposal.
    pub async fn confirm_social_match(&self, actor: &Actor, m: &NewMatch) -> Result<Match, Error> {
        Ok(self.store().confirm_match(actor, m).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields_of(e: Error) -> Vec<&'static str> {
        match e {
            Error::Fields(problems) => problems.into_iter().map(|(f, _)| f).collect(),
            other => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn a_bad_offer_is_refused_naming_every_field_at_fault() {
        let input = OfferInput {
            kind: "gold".into(),
            capacity: "0".into(),
            amount_yuan: "-3".into(),
            valid_until: "明天".into(),
            township: "青龙".into(),
            ..OfferInput::default()
        };
        assert_eq!(
            fields_of(input.parse().unwrap_err()),
            [
                "kind",
                "description",
                "township",
                "capacity",
                "amount_yuan",
                "valid_until"
            ]
        );
    }

    #[test]
    fn a_money_offer_needs_an_amount_and_no_other_offer_has_one() {
        let money = OfferInput {
            kind: "money".into(),
            description: "助困金".into(),
            capacity: "2".into(),
            valid_until: "2099-12-31".into(),
            ..OfferInput::default()
        };
        assert_eq!(fields_of(money.parse().unwrap_err()), ["amount_yuan"]);
        let goods = OfferInput {
            kind: "物资".into(),
            amount_yuan: "100".into(),
            ..money.clone()
        };
        assert_eq!(fields_of(goods.parse().unwrap_err()), ["amount_yuan"]);
        let ok = OfferInput {
            amount_yuan: "1000".into(),
            ..money
        }
        .parse()
        .unwrap();
        assert_eq!((ok.amount, ok.township), (Money::from_yuan(1_000), None));
    }

    #[test]
    fn a_registration_names_its_missing_fields_and_upper_cases_the_credit_code() {
        assert_eq!(
            fields_of(ParticipantInput::default().parse().unwrap_err()),
            ["kind", "name", "contact"]
        );
        let p = ParticipantInput {
            kind: "基金会".into(),
            name: "云阳县慈善会".into(),
            contact: "刘洋".into(),
            credit_code: "91500235ma5u000000".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(p.credit_code.as_deref(), Some("91500235MA5U000000"));
        assert_eq!(p.kind, Some(ParticipantKind::Foundation));
    }
}
