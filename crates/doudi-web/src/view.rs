//! Small helpers for showing data: division names, times in China, URL encoding, and the
//! member × month income table of the household page.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use doudi_core::{Division, DivisionCode, Income, Money, Month, Person, PersonId, Scope};
use doudi_store::Store;

use crate::error::AppError;

/// The townships and communities, by code, for showing names instead of codes.
pub struct Divisions {
    all: Vec<Division>,
    names: HashMap<String, usize>,
}

impl Divisions {
    /// Loads the divisions (one small query).
    pub async fn load(store: &dyn Store) -> Result<Divisions, AppError> {
        Ok(Divisions::new(store.divisions().await?))
    }

    /// Indexes a list of divisions.
    pub fn new(all: Vec<Division>) -> Divisions {
        let names = all
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.to_string(), i))
            .collect();
        Divisions { all, names }
    }

    /// The name of a division, or its code if it is unknown.
    pub fn name<'a>(&'a self, code: &'a DivisionCode) -> &'a str {
        self.names
            .get(code.as_str())
            .map_or(code.as_str(), |&i| self.all[i].name.as_str())
    }

    /// A community's township and name in words (青龙街道 复兴社区), its code where unknown.
    pub fn place(&self, community: &str) -> String {
        let name = |code: &str| self.get(code).map_or(code, |d| d.name.as_str()).to_owned();
        match community.get(..9) {
            Some(township) => format!("{} {}", name(township), name(community)),
            None => name(community),
        }
    }

    /// The division with this code.
    pub fn get(&self, code: &str) -> Option<&Division> {
        self.names.get(code).map(|&i| &self.all[i])
    }

    /// The townships an actor with this scope works in: all of them for the county, else the one
    /// its township or community lies in.
    pub fn townships_in<'a>(&'a self, scope: &'a Scope) -> impl Iterator<Item = &'a Division> {
        self.all.iter().filter(move |d| {
            !d.code.is_community()
                && (d.code.as_str().starts_with(scope.prefix())
                    || scope.prefix().starts_with(d.code.as_str()))
        })
    }

    /// The communities of a township that an actor with this scope works in.
    pub fn communities_in<'a>(
        &'a self,
        township: &'a DivisionCode,
        scope: &'a Scope,
    ) -> impl Iterator<Item = &'a Division> {
        self.all.iter().filter(move |d| {
            d.code.is_community() && township.contains(&d.code) && scope.covers(&d.code)
        })
    }

    /// The only township of a scope, when the scope lies within one.
    pub fn scope_township(scope: &Scope) -> Option<DivisionCode> {
        match scope {
            Scope::County => None,
            Scope::Division(code) => Some(code.township()),
        }
    }
}

/// A moment as caseworkers in Chongqing read it (UTC+8): `2026-11-28 14:03`.
pub fn china_time(at: DateTime<Utc>) -> String {
    (at + TimeDelta::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Percent-encodes a query-string value (everything but unreserved characters).
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An amount per person for display: the total divided by the number of people, rounded to the
/// nearest fen, halves away from zero. It is shown for orientation only; decisions are computed
/// by doudi-policy with the rounding its rules name.
pub fn per_capita_for_display(total: Money, people: usize) -> Money {
    if people == 0 {
        return Money::ZERO;
    }
    let n = people as i64;
    let fen = total.fen();
    let rounded = (fen.abs() * 2 + n) / (2 * n);
    Money::from_fen(if fen < 0 { -rounded } else { rounded })
}

/// One row of the income table.
pub struct IncomeRow {
    /// The member's masked name.
    pub name: String,
    /// One cell per month: the member's income of all kinds that month, if any was recorded.
    pub cells: Vec<Option<String>>,
    /// The member's total over the months shown.
    pub total: String,
}

/// Monthly incomes as a member × month table, with totals per month and per capita.
pub struct IncomeTable {
    /// The months, oldest first.
    pub months: Vec<String>,
    /// One row per member.
    pub rows: Vec<IncomeRow>,
    /// Household total per month.
    pub totals: Vec<String>,
    /// Household total per month divided by the number of members.
    pub per_capita: Vec<String>,
    /// Total over all months.
    pub grand_total: String,
    /// Per capita over all months, averaged per month.
    pub monthly_per_capita: String,
}

impl IncomeTable {
    /// Builds the table from a household's members and incomes.
    pub fn new(members: &[Person], incomes: &[Income]) -> IncomeTable {
        let months: Vec<Month> = incomes
            .iter()
            .map(|i| i.month)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let sum = |person: Option<PersonId>, month: Option<Month>| -> Option<Money> {
            let mut found = false;
            let total = incomes
                .iter()
                .filter(|i| person.is_none_or(|p| i.person == p))
                .filter(|i| month.is_none_or(|m| i.month == m))
                .inspect(|_| found = true)
                .map(|i| i.amount)
                .sum();
            found.then_some(total)
        };
        let rows = members
            .iter()
            .map(|p| IncomeRow {
                name: p.fields.name.masked(),
                cells: months
                    .iter()
                    .map(|m| sum(Some(p.id), Some(*m)).map(|a| a.to_string()))
                    .collect(),
                total: sum(Some(p.id), None).unwrap_or(Money::ZERO).to_string(),
            })
            .collect();
        let month_totals: Vec<Money> = months
            .iter()
            .map(|m| sum(None, Some(*m)).unwrap_or(Money::ZERO))
            .collect();
        let grand = sum(None, None).unwrap_or(Money::ZERO);
        let people = members.len();
        IncomeTable {
            months: months.iter().map(ToString::to_string).collect(),
            rows,
            totals: month_totals.iter().map(ToString::to_string).collect(),
            per_capita: month_totals
                .iter()
                .map(|t| per_capita_for_display(*t, people).to_string())
                .collect(),
            grand_total: grand.to_string(),
            monthly_per_capita: per_capita_for_display(grand, people * months.len().max(1))
                .to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_capita_rounds_halves_away_from_zero() {
        assert_eq!(
            per_capita_for_display(Money::from_fen(100), 3),
            Money::from_fen(33)
        );
        assert_eq!(
            per_capita_for_display(Money::from_fen(5), 2),
            Money::from_fen(3)
        );
        assert_eq!(
            per_capita_for_display(Money::from_fen(-5), 2),
            Money::from_fen(-3)
        );
        assert_eq!(per_capita_for_display(Money::from_fen(7), 0), Money::ZERO);
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(url_encode("张 三&x=1"), "%E5%BC%A0%20%E4%B8%89%26x%3D1");
        assert_eq!(url_encode("/households?page=2"), "%2Fhouseholds%3Fpage%3D2");
    }

    #[test]
    fn times_are_shown_in_china() {
        let at = DateTime::parse_from_rfc3339("2026-11-28T20:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(china_time(at), "2026-11-29 04:30");
    }
}
