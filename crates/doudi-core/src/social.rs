//! Social forces (社会力量, 3.1, 3.2): who takes part, what they offer, how households' needs are
//! published without anything that identifies them, and how offers are proposed for needs.
//!
//! **Urgency rule** ([`urgency`], documented here and shown on the needs page): a need is
//! 紧急 (urgent) when the household is tekun (特困) or a member has a grade one or two disability;
//! 较急 (pressing) when a member has a serious illness or any other disability, or the household
//! lives in an unsafe house or has none; otherwise 一般 (ordinary).
//!
//! **Matching rule** ([`propose`]): a need is proposed at most one offer. Offers whose kind
//! serves the need's kind ([`serves`]) and that still have capacity are candidates: first those
//! in the need's township, then county-wide ones, each in offer order (earliest first). Needs are
//! served most urgent first, then in need order. Offers are indexed by (kind, township), so the
//! work is about proportional to the number of needs.

use std::collections::HashMap;

use crate::household::{Category, Housing, Need};
use crate::person::DisabilityGrade;
use crate::vocabulary;

vocabulary! {
    /// The kinds of participants (3.2).
    ParticipantKind, "参与主体类型" {
        Enterprise = ("enterprise", "企业"),
        Organisation = ("organisation", "社会组织"),
        Foundation = ("foundation", "基金会"),
        Volunteer = ("volunteer", "志愿者"),
    }
}

vocabulary! {
    /// What an offer gives (3.2).
    OfferKind, "帮扶资源类型" {
        Money = ("money", "资金"),
        Goods = ("goods", "物资"),
        Services = ("services", "服务"),
        Jobs = ("jobs", "就业岗位"),
        Training = ("training", "技能培训"),
        Pairing = ("pairing", "结对帮扶"),
    }
}

vocabulary! {
    /// How urgent a published need is (see the module's rule).
    Urgency, "紧急程度" {
        Ordinary = ("ordinary", "一般"),
        Pressing = ("pressing", "较急"),
        Urgent = ("urgent", "紧急"),
    }
}

vocabulary! {
    /// The household's size as published: a bracket, never the members.
    SizeBracket, "家庭规模" {
        One = ("1", "1人户"),
        Two = ("2", "2人户"),
        ThreeFour = ("3-4", "3至4人户"),
        FivePlus = ("5+", "5人及以上户"),
    }
}

vocabulary! {
    /// Where a match stands.
    MatchState, "对接状态" {
        Confirmed = ("confirmed", "已确认待交付"),
        Delivered = ("delivered", "已交付待确认"),
        Acknowledged = ("acknowledged", "已确认收到"),
    }
}

/// Whether an offer of this kind can meet a need of that kind.
pub fn serves(offer: OfferKind, need: Need) -> bool {
    use Need as N;
    use OfferKind as O;
    match offer {
        O::Money => matches!(
            need,
            N::Living | N::Medical | N::Education | N::Housing | N::Other
        ),
        O::Goods => matches!(need, N::Living | N::Housing | N::Other),
        O::Services => matches!(need, N::Medical | N::Care | N::Emotional | N::Other),
        O::Jobs => matches!(need, N::Employment),
        O::Training => matches!(need, N::Employment | N::Education),
        O::Pairing => matches!(need, N::Emotional | N::Care | N::Living | N::Other),
    }
}

/// The size bracket of a household of `members` people (0 counts as one).
pub fn size_bracket(members: usize) -> SizeBracket {
    match members {
        0 | 1 => SizeBracket::One,
        2 => SizeBracket::Two,
        3 | 4 => SizeBracket::ThreeFour,
        _ => SizeBracket::FivePlus,
    }
}

/// What urgency reads of one member.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemberFacts {
    /// The disability grade, if disabled.
    pub disability: Option<DisabilityGrade>,
    /// Whether the member has a serious illness.
    pub serious_illness: bool,
}

/// The urgency of a household's needs (the module's rule).
pub fn urgency(category: Category, housing: Housing, members: &[MemberFacts]) -> Urgency {
    let severe = members.iter().any(|m| {
        matches!(
            m.disability,
            Some(DisabilityGrade::One | DisabilityGrade::Two)
        )
    });
    if category == Category::Tekun || severe {
        return Urgency::Urgent;
    }
    let pressing = members
        .iter()
        .any(|m| m.serious_illness || m.disability.is_some())
        || matches!(housing, Housing::Unsafe | Housing::Homeless);
    if pressing {
        Urgency::Pressing
    } else {
        Urgency::Ordinary
    }
}

/// A published need as matching sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedFacts {
    /// The need's opaque id.
    pub id: String,
    /// What kind of help.
    pub kind: Need,
    /// The township (9-digit code).
    pub township: String,
    /// How urgent.
    pub urgency: Urgency,
}

/// An offer as matching sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferFacts {
    /// The offer's id.
    pub id: i64,
    /// What it gives.
    pub kind: OfferKind,
    /// Its township, or `None` for county-wide.
    pub township: Option<String>,
    /// How many more households it can serve.
    pub capacity_left: u32,
}

/// An offer proposed for a need, with the reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The need's opaque id.
    pub need: String,
    /// The offer.
    pub offer: i64,
    /// Why, in Chinese.
    pub reasons: Vec<String>,
}

/// Proposes at most one offer for each need (the module's rule).
pub fn propose(needs: &[NeedFacts], offers: &[OfferFacts]) -> Vec<Proposal> {
    // Index: (offer kind, township or "" for county-wide) → offer positions, earliest first.
    let mut index: HashMap<(OfferKind, &str), Vec<usize>> = HashMap::new();
    for (i, o) in offers.iter().enumerate() {
        if o.capacity_left > 0 {
            index
                .entry((o.kind, o.township.as_deref().unwrap_or("")))
                .or_default()
                .push(i);
        }
    }
    let mut left: Vec<u32> = offers.iter().map(|o| o.capacity_left).collect();
    // Per bucket, the first position that may still have capacity.
    let mut cursor: HashMap<(OfferKind, &str), usize> = HashMap::new();
    let mut order: Vec<usize> = (0..needs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(needs[i].urgency));
    let mut proposals = Vec::new();
    for i in order {
        let need = &needs[i];
        let mut chosen: Option<(usize, bool)> = None;
        'places: for (place, local) in [(need.township.as_str(), true), ("", false)] {
            for &kind in OfferKind::ALL {
                if !serves(kind, need.kind) {
                    continue;
                }
                let key = (kind, place);
                let Some(bucket) = index.get(&key) else {
                    continue;
                };
                let at = cursor.entry(key).or_insert(0);
                while *at < bucket.len() && left[bucket[*at]] == 0 {
                    *at += 1;
                }
                if let Some(&o) = bucket.get(*at) {
                    chosen = Some((o, local));
                    break 'places;
                }
            }
        }
        if let Some((o, local)) = chosen {
            left[o] -= 1;
            let offer = &offers[o];
            proposals.push(Proposal {
                need: need.id.clone(),
                offer: offer.id,
                reasons: vec![
                    format!("“{}”可满足“{}”需求", offer.kind.label(), need.kind.label()),
                    if local {
                        "同一乡镇（街道）".to_owned()
                    } else {
                        "面向全县".to_owned()
                    },
                    format!("紧急程度：{}", need.urgency.label()),
                    format!("尚可帮扶{}户", left[o] + 1),
                ],
            });
        }
    }
    proposals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(id: &str, kind: Need, township: &str, urgency: Urgency) -> NeedFacts {
        NeedFacts {
            id: id.into(),
            kind,
            township: township.into(),
            urgency,
        }
    }

    fn offer(id: i64, kind: OfferKind, township: Option<&str>, left: u32) -> OfferFacts {
        OfferFacts {
            id,
            kind,
            township: township.map(Into::into),
            capacity_left: left,
        }
    }

    #[test]
    fn a_need_is_proposed_an_offer_of_a_kind_that_serves_it() {
        let needs = [need("a", Need::Employment, "500235001", Urgency::Ordinary)];
        let offers = [
            offer(1, OfferKind::Goods, None, 5),
            offer(2, OfferKind::Jobs, None, 5),
        ];
        let p = propose(&needs, &offers);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].offer, 2);
        assert!(p[0].reasons.iter().any(|r| r.contains("就业帮扶")));
    }

    #[test]
    fn an_offer_in_the_same_township_comes_before_a_county_wide_one() {
        let needs = [need("a", Need::Living, "500235001", Urgency::Ordinary)];
        let offers = [
            offer(1, OfferKind::Money, None, 5),
            offer(2, OfferKind::Money, Some("500235002"), 5),
            offer(3, OfferKind::Money, Some("500235001"), 5),
        ];
        let p = propose(&needs, &offers);
        assert_eq!(p[0].offer, 3);
        assert!(p[0].reasons.contains(&"同一乡镇（街道）".to_owned()));
    }

    #[test]
    fn an_offer_of_another_township_is_never_proposed() {
        let needs = [need("a", Need::Living, "500235001", Urgency::Urgent)];
        let offers = [offer(2, OfferKind::Money, Some("500235002"), 5)];
        assert!(propose(&needs, &offers).is_empty());
    }

    #[test]
    fn capacity_runs_out_and_the_most_urgent_need_is_served_first() {
        let needs = [
            need("ordinary", Need::Care, "500235001", Urgency::Ordinary),
            need("urgent", Need::Care, "500235001", Urgency::Urgent),
            need("pressing", Need::Care, "500235001", Urgency::Pressing),
        ];
        let offers = [offer(1, OfferKind::Services, None, 2)];
        let p = propose(&needs, &offers);
        let served: Vec<&str> = p.iter().map(|p| p.need.as_str()).collect();
        assert_eq!(served, ["urgent", "pressing"]);
    }

    #[test]
    fn urgency_follows_the_documented_rule() {
        let none = MemberFacts::default();
        let severe = MemberFacts {
            disability: Some(DisabilityGrade::Two),
            serious_illness: false,
        };
        let ill = MemberFacts {
            disability: None,
            serious_illness: true,
        };
        assert_eq!(
            urgency(Category::Tekun, Housing::Owned, &[none]),
            Urgency::Urgent
        );
        assert_eq!(
            urgency(Category::Dibao, Housing::Owned, &[none, severe]),
            Urgency::Urgent
        );
        assert_eq!(
            urgency(Category::Dibao, Housing::Owned, &[ill]),
            Urgency::Pressing
        );
        assert_eq!(
            urgency(Category::Dibao, Housing::Unsafe, &[none]),
            Urgency::Pressing
        );
        assert_eq!(
            urgency(Category::Dibao, Housing::Owned, &[none, none]),
            Urgency::Ordinary
        );
    }

    #[test]
    fn the_size_is_published_as_a_bracket() {
        assert_eq!(size_bracket(1), SizeBracket::One);
        assert_eq!(size_bracket(2), SizeBracket::Two);
        assert_eq!(size_bracket(4), SizeBracket::ThreeFour);
        assert_eq!(size_bracket(9), SizeBracket::FivePlus);
    }
}
