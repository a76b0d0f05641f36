//! Employment help (2.7): job vacancies and public-welfare posts (公益性岗位), referrals of members
//! to them and their outcomes, and the one score that ranks openings for a member who is able
//! and willing to work ([`match_score`]). Storage and pages are elsewhere.

use crate::person::WorkCapacity;
use crate::vocabulary;

vocabulary! {
    /// What an opening is (2.7).
    OpeningKind, "岗位类型" {
        /// A job vacancy of an employer (an enterprise too).
        Job = ("job", "就业岗位"),
        /// A public-welfare post (公益性岗位).
        PublicWelfare = ("public_post", "公益性岗位"),
    }
}

vocabulary! {
    /// What came of a referral (2.7).
    ReferralState, "推荐结果" {
        /// Referred, waiting for the outcome.
        Referred = ("referred", "已推荐"),
        /// Hired: the member is recorded as employed.
        Hired = ("hired", "已录用"),
        /// Not hired, with the reason.
        NotHired = ("not_hired", "未录用"),
        /// The member did not attend.
        Absent = ("absent", "未到岗面试"),
    }
}

/// The most hours a week counted as suitable for a member with partial capacity to work.
pub const PARTIAL_HOURS: u32 = 30;

/// What matching reads of an opening.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpeningFacts {
    /// Its kind.
    pub kind: OpeningKind,
    /// The township (9-digit code) it is in.
    pub township: String,
    /// The community (12-digit code) it is in, if it is in one.
    pub community: Option<String>,
    /// Hours a week.
    pub hours_per_week: u32,
    /// Skills wanted, free-text keywords separated by spaces or punctuation.
    pub skills: String,
    /// Suitable for partial capacity to work.
    pub partial_ok: bool,
    /// Suitable for a disabled person.
    pub disability_ok: bool,
}

/// What matching reads of a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateFacts {
    /// The member's township (9-digit code).
    pub township: String,
    /// The member's community (12-digit code).
    pub community: String,
    /// Capacity to work (full or partial: [`crate::discovery::able_and_willing`] has passed).
    pub capacity: WorkCapacity,
    /// Whether the member has a certified disability.
    pub disabled: bool,
    /// What the member has learnt: the training courses completed, in words.
    pub skills: String,
}

/// An opening's fit for a member: the score and its reasons in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    /// Higher is better; 0 to 100.
    pub score: u32,
    /// Why, one phrase per part of the score.
    pub reasons: Vec<String>,
}

/// The keywords of a free text: split at spaces and Chinese or Latin punctuation.
pub fn keywords(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| {
            c.is_whitespace()
                || matches!(c, ',' | '，' | '、' | ';' | '；' | '/' | '|' | '。' | '.')
        })
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The score of `opening` for `member` (2.7), `None` when it does not suit them at all: a member
/// with partial capacity is not offered an opening not marked suitable for it that takes more
/// than [`PARTIAL_HOURS`] hours a week, and a disabled member is not offered one not marked
/// suitable for disability with more than [`PARTIAL_HOURS`] hours either.
///
/// The score, out of 100:
/// - distance: the same community 40, the same township 25, elsewhere in the county 0;
/// - hours: for partial capacity, an opening marked suitable 20, or one of at most
///   [`PARTIAL_HOURS`] hours 10; for full capacity 20;
/// - disability: for a disabled member, an opening marked suitable for disability 20, otherwise
///   0; for everyone else 20;
/// - skills: 10 for each keyword wanted that the member's skills contain, at most 20; an opening
///   that wants no skills 10.
pub fn match_score(member: &CandidateFacts, opening: &OpeningFacts) -> Option<Fit> {
    let partial = member.capacity == WorkCapacity::Partial;
    let long = opening.hours_per_week > PARTIAL_HOURS;
    if partial && long && !opening.partial_ok {
        return None;
    }
    if member.disabled && long && !opening.disability_ok {
        return None;
    }
    let mut score = 0;
    let mut reasons = Vec::new();
    if opening.community.as_deref() == Some(member.community.as_str()) {
        score += 40;
        reasons.push("岗位在本社区".to_owned());
    } else if opening.township == member.township {
        score += 25;
        reasons.push("岗位在本乡镇（街道）".to_owned());
    } else {
        reasons.push("岗位在其他乡镇（街道）".to_owned());
    }
    if partial {
        if opening.partial_ok {
            score += 20;
            reasons.push("岗位适合部分劳动能力".to_owned());
        } else {
            score += 10;
            reasons.push(format!(
                "每周{}小时，部分劳动能力可以承担",
                opening.hours_per_week
            ));
        }
    } else {
        score += 20;
        reasons.push(format!("每周{}小时", opening.hours_per_week));
    }
    if member.disabled {
        if opening.disability_ok {
            score += 20;
            reasons.push("岗位适合残疾人".to_owned());
        } else {
            reasons.push("岗位未注明适合残疾人".to_owned());
        }
    } else {
        score += 20;
    }
    let wanted = keywords(&opening.skills);
    if wanted.is_empty() {
        score += 10;
        reasons.push("不要求技能".to_owned());
    } else {
        let had: Vec<&String> = wanted
            .iter()
            .filter(|w| member.skills.contains(w.as_str()))
            .collect();
        if had.is_empty() {
            reasons.push(format!("要求技能「{}」，未有培训记录", wanted.join("、")));
        } else {
            score += (10 * had.len() as u32).min(20);
            reasons.push(format!(
                "技能相符：{}",
                had.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ));
        }
    }
    if opening.kind == OpeningKind::PublicWelfare {
        reasons.push("公益性岗位（依据 2.7，托底安置）".to_owned());
    }
    Some(Fit { score, reasons })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOWN: &str = "500235101";
    const HERE: &str = "500235101001";

    fn member(capacity: WorkCapacity, disabled: bool, skills: &str) -> CandidateFacts {
        CandidateFacts {
            township: TOWN.into(),
            community: HERE.into(),
            capacity,
            disabled,
            skills: skills.into(),
        }
    }

    fn opening(community: Option<&str>, township: &str, hours: u32) -> OpeningFacts {
        OpeningFacts {
            kind: OpeningKind::Job,
            township: township.into(),
            community: community.map(str::to_owned),
            hours_per_week: hours,
            skills: String::new(),
            partial_ok: false,
            disability_ok: false,
        }
    }

    fn score(m: &CandidateFacts, o: &OpeningFacts) -> Option<u32> {
        match_score(m, o).map(|f| f.score)
    }

    #[test]
    fn a_nearer_opening_scores_higher_same_community_then_township_then_county_2_7() {
        let m = member(WorkCapacity::Full, false, "");
        let here = score(&m, &opening(Some(HERE), TOWN, 40)).unwrap();
        let town = score(&m, &opening(Some("500235101002"), TOWN, 40)).unwrap();
        let away = score(&m, &opening(None, "500235102", 40)).unwrap();
        assert_eq!((here, town, away), (90, 75, 50));
    }

    #[test]
    fn partial_capacity_is_not_offered_long_hours_unless_the_opening_suits_it() {
        let m = member(WorkCapacity::Partial, false, "");
        assert_eq!(score(&m, &opening(Some(HERE), TOWN, 40)), None);
        assert_eq!(score(&m, &opening(Some(HERE), TOWN, 20)), Some(80));
        let suited = OpeningFacts {
            partial_ok: true,
            ..opening(Some(HERE), TOWN, 40)
        };
        assert_eq!(score(&m, &suited), Some(90));
    }

    #[test]
    fn a_disabled_member_is_ranked_to_openings_suitable_for_disability() {
        let m = member(WorkCapacity::Full, true, "");
        let suitable = OpeningFacts {
            disability_ok: true,
            ..opening(Some(HERE), TOWN, 40)
        };
        assert_eq!(score(&m, &suitable), Some(90));
        assert_eq!(score(&m, &opening(Some(HERE), TOWN, 40)), None);
        assert_eq!(score(&m, &opening(Some(HERE), TOWN, 20)), Some(70));
        let fit = match_score(&m, &suitable).unwrap();
        assert!(fit.reasons.iter().any(|r| r.contains("适合残疾人")));
    }

    #[test]
    fn skills_from_training_count_ten_points_each_up_to_twenty() {
        let wanted = OpeningFacts {
            skills: "电工、焊工 保洁".into(),
            ..opening(Some(HERE), TOWN, 40)
        };
        let none = member(WorkCapacity::Full, false, "");
        let one = member(WorkCapacity::Full, false, "初级电工培训");
        let all = member(WorkCapacity::Full, false, "电工 焊工 保洁");
        assert_eq!(score(&none, &wanted), Some(80));
        assert_eq!(score(&one, &wanted), Some(90));
        assert_eq!(score(&all, &wanted), Some(100));
        let fit = match_score(&one, &wanted).unwrap();
        assert!(
            fit.reasons.contains(&"技能相符：电工".to_owned()),
            "{fit:?}"
        );
    }

    #[test]
    fn keywords_split_at_chinese_and_latin_punctuation() {
        assert_eq!(
            keywords(" 电工，焊工、电工 ;保洁 "),
            ["保洁", "焊工", "电工"]
        );
    }
}
