//! The Fellegi–Sunter model: u-probabilities from random pairs, m-probabilities and the prior
//! by expectation–maximisation over the candidate pairs, seeded from the pairs whose identity
//! numbers agree exactly.
//!
//! EM reads the pairs whose record has a usable number, where the number anchors the two
//! classes. The prior of a record–person pair is the share of records that match, over the
//! registry's size: like u, a property of all pairs, so that weights and prior agree. A missing value is
//! given m = u (weight 0): records lack a field as often whether or not they match, and
//! estimating it from pairs found by name alone taught EM that strangers who share a common
//! name are matches.
//!
//! EM runs on the histogram of comparison patterns (at most 1 890 of them), not on the pairs,
//! so it costs nothing next to blocking however many pairs there are.
//!
//! One m-probability is not estimated: that of [`IdLevel::Conflict`] (the record's number passes
//! its check and is someone else's). A single error cannot produce a valid number, so a true
//! match only shows this level after two errors that happen to satisfy the check; and EM cannot
//! learn that from data in which people who share a name and birth date with a registry person
//! agree on the fields EM reads as evidence. It is fixed by configuration instead.
//!
//! [`IdLevel::Conflict`]: crate::IdLevel::Conflict

#![allow(
    clippy::float_arithmetic,
    reason = "probabilities and log-weights are real numbers; no money is computed here"
)]

use crate::compare::{LEVELS, Level, PATTERNS, Pattern, level_indices};

/// Position of [`crate::IdLevel::Conflict`] among the identity-number levels.
const CONFLICT: usize = crate::IdLevel::Conflict as usize;
/// Positions of the identity-number levels whose pairs do not teach the other fields.
const TEACH_NUMBER_ONLY: [usize; 3] = [
    crate::IdLevel::OneDigit as usize,
    crate::IdLevel::Swap as usize,
    crate::IdLevel::Different as usize,
];
/// Positions of the identity-number levels that seed EM as near-certain matches.
const SEED_LEVELS: [usize; 2] = [
    crate::IdLevel::Exact as usize,
    crate::IdLevel::Legacy as usize,
];

/// A fitted model: per field and level, m and u, and the prior.
#[derive(Clone, Debug)]
pub struct Model {
    /// Probability that a record–person pair is a match: `match_fraction` over the registry.
    pub prior: f64,
    /// Share of the feed's records whose person is in the registry, from EM.
    pub match_fraction: f64,
    /// P(level | match), per field in [`crate::Field::ALL`] order, per level in enum order.
    pub m: [Vec<f64>; 5],
    /// P(level | non-match), from random pairs.
    pub u: [Vec<f64>; 5],
    /// EM iterations until convergence (or the limit).
    pub iterations: usize,
    /// Candidate pairs whose identity numbers agree exactly (the seed).
    pub seed_pairs: u64,
    /// Random pairs sampled for u.
    pub u_pairs: u64,
}

/// Counts gathered while blocking: levels of random pairs, patterns of candidate pairs.
#[derive(Clone, Debug)]
pub(crate) struct Counts {
    pub u: [Vec<u64>; 5],
    pub u_pairs: u64,
    pub patterns: Vec<u64>,
    /// Records with a usable identity number.
    pub records_with_number: u64,
    /// Registry people.
    pub people: u64,
}

impl Counts {
    pub(crate) fn new() -> Counts {
        Counts {
            u: LEVELS.map(|n| vec![0; n]),
            u_pairs: 0,
            patterns: vec![0; PATTERNS],
            records_with_number: 0,
            people: 0,
        }
    }

    pub(crate) fn add_random(&mut self, pattern: Pattern) {
        for (f, l) in level_indices(pattern).into_iter().enumerate() {
            self.u[f][l] += 1;
        }
        self.u_pairs += 1;
    }

    pub(crate) fn merge(&mut self, other: &Counts) {
        for (a, b) in self.u.iter_mut().zip(&other.u) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.u_pairs += other.u_pairs;
        self.records_with_number += other.records_with_number;
        for (x, y) in self.patterns.iter_mut().zip(&other.patterns) {
            *x += y;
        }
    }
}

impl Model {
    /// The match weight of one level: log2(m/u).
    pub fn weight(&self, level: Level) -> f64 {
        let f = level.field() as usize;
        let l = level.index();
        (self.m[f][l] / self.u[f][l]).log2()
    }

    /// The weight of every pattern, the sum of its levels' weights.
    pub(crate) fn pattern_weights(&self) -> Vec<f64> {
        let per_level: Vec<Vec<f64>> = (0..5)
            .map(|f| {
                self.m[f]
                    .iter()
                    .zip(&self.u[f])
                    .map(|(m, u)| (m / u).log2())
                    .collect()
            })
            .collect();
        (0..PATTERNS)
            .map(|p| {
                level_indices(p as Pattern)
                    .iter()
                    .enumerate()
                    .map(|(f, &l)| per_level[f][l])
                    .sum()
            })
            .collect()
    }

    /// log2 of the prior odds of a match for a record–person pair.
    pub fn prior_odds(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    /// The posterior probability of a match for a pair of this weight, under the prior.
    pub fn probability(&self, weight: f64) -> f64 {
        1.0 / (1.0 + (-(weight + self.prior_odds())).exp2())
    }

    /// Fits m and the prior by EM over the pattern histogram; u from the random-pair counts.
    pub(crate) fn fit(counts: &Counts, conflict_m: f64, max_iterations: usize) -> Model {
        let u: [Vec<f64>; 5] = std::array::from_fn(|f| {
            let n = counts.u_pairs as f64 + 0.5 * LEVELS[f] as f64;
            counts.u[f].iter().map(|&c| (c as f64 + 0.5) / n).collect()
        });
        let patterns: Vec<([usize; 5], f64)> = counts
            .patterns
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(p, &c)| (level_indices(p as Pattern), c as f64))
            .collect();
        // A missing value says nothing either way: m = u, weight 0 (records lack a field as
        // often whether or not they match).
        let missing: [f64; 5] = std::array::from_fn(|f| u[f][LEVELS[f] - 1]);

        // Seed: the pairs whose numbers agree exactly are taken as matches.
        let mut seed: [Vec<f64>; 5] = LEVELS.map(|n| vec![0.0; n]);
        let mut seed_pairs = 0.0;
        for (l, c) in &patterns {
            if SEED_LEVELS.contains(&l[0]) {
                for f in 0..5 {
                    seed[f][l[f]] += c;
                }
                seed_pairs += c;
            }
        }
        // The identity number cannot be learnt from pairs chosen for agreeing on it: start
        // from a plausible error mix and let EM move it.
        seed[0] = vec![0.88, 0.03, 0.04, 0.03, 0.01, 0.0, 0.0];
        let mut m = normalise(seed, &missing, conflict_m);
        let anchored: Vec<&([usize; 5], f64)> = patterns
            .iter()
            .filter(|(l, _)| l[0] != LEVELS[0] - 1)
            .collect();
        let anchored_total: f64 = anchored.iter().map(|(_, c)| c).sum();
        let mut prior = if seed_pairs > 0.0 && anchored_total > 0.0 {
            (seed_pairs / anchored_total).clamp(1e-6, 1.0 - 1e-6)
        } else {
            0.5
        };

        // EM over the pairs whose record has a usable number: there the number anchors the
        // classes. Where it is missing, candidates were found by name alone, and non-matches
        // sharing a common name would pass for matches and inflate m.
        let posterior = |m: &[Vec<f64>; 5], prior: f64, l: &[usize; 5]| {
            let mut pm = prior;
            let mut pu = 1.0 - prior;
            for f in 0..5 {
                pm *= m[f][l[f]];
                pu *= u[f][l[f]];
            }
            pm / (pm + pu)
        };
        let mut iterations = 0;
        while iterations < max_iterations {
            iterations += 1;
            let mut acc: [Vec<f64>; 5] = LEVELS.map(|n| vec![0.0; n]);
            let mut matched = 0.0;
            for (l, c) in &anchored {
                let p = posterior(&m, prior, l) * c;
                // Pairs whose numbers differ teach only the number. The neighbour a stranger's
                // mistyped number lands on shares its birth digits (number and birth date are
                // not independent there), and the other candidates of a record with a mistyped
                // number were found by name: the other fields would learn that strangers who
                // share a name or a birth date are matches.
                let fields = if TEACH_NUMBER_ONLY.contains(&l[0]) {
                    1
                } else {
                    5
                };
                for f in 0..fields {
                    acc[f][l[f]] += p;
                }
                matched += p;
            }
            let next_m = normalise(acc, &missing, conflict_m);
            let next_prior = (matched / anchored_total.max(1.0)).clamp(1e-6, 1.0 - 1e-6);
            let change = m
                .iter()
                .flatten()
                .zip(next_m.iter().flatten())
                .map(|(a, b)| (a - b).abs())
                .fold((prior - next_prior).abs(), f64::max);
            m = next_m;
            prior = next_prior;
            if change < 1e-7 {
                break;
            }
        }
        // The prior of a record–person pair: the share of records that have their person in
        // the registry (estimated where the number anchors the classes, and taken to hold for
        // records without a number too), spread over the registry. Like u, it is a property
        // of all pairs, not of the candidates blocking happened to produce.
        let matched: f64 = anchored
            .iter()
            .map(|(l, c)| posterior(&m, prior, l) * c)
            .sum();
        let match_fraction = if counts.records_with_number > 0 {
            (matched / counts.records_with_number as f64).min(1.0)
        } else {
            0.5
        };
        let pair_prior = (match_fraction / counts.people.max(1) as f64).clamp(1e-12, 1.0 - 1e-12);
        Model {
            prior: pair_prior,
            match_fraction,
            m,
            u,
            iterations,
            seed_pairs: seed_pairs as u64,
            u_pairs: counts.u_pairs,
        }
    }
}

/// Expected counts to probabilities: each field's missing level gets its fixed share (m = u),
/// the identity number's conflict level its fixed m, and the other levels share the rest in
/// proportion to their counts, with one pseudo-pair spread over them so that no level is
/// impossible.
fn normalise(mut acc: [Vec<f64>; 5], missing: &[f64; 5], conflict_m: f64) -> [Vec<f64>; 5] {
    for (f, levels) in acc.iter_mut().enumerate() {
        let last = levels.len() - 1;
        let fixed = |l: usize| l == last || (f == 0 && l == CONFLICT);
        let free = (0..levels.len()).filter(|&l| !fixed(l)).count() as f64;
        let sum: f64 = (0..levels.len())
            .filter(|&l| !fixed(l))
            .map(|l| levels[l])
            .sum::<f64>()
            + 1.0;
        let share = 1.0 - missing[f] - if f == 0 { conflict_m } else { 0.0 };
        for (l, x) in levels.iter_mut().enumerate() {
            *x = if l == last {
                missing[f]
            } else if f == 0 && l == CONFLICT {
                conflict_m
            } else {
                (*x + 1.0 / free) / sum * share
            };
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{Agreement, BirthLevel, Comparison, IdLevel, NameLevel};

    fn pattern(id: IdLevel, name: NameLevel, birth: BirthLevel) -> Pattern {
        Comparison {
            id,
            name,
            birth,
            sex: Agreement::Same,
            community: Agreement::Same,
        }
        .pattern()
    }

    #[test]
    fn probabilities_sum_to_one_and_the_conflict_level_stays_fixed() {
        let mut counts = Counts::new();
        for _ in 0..1000 {
            counts.add_random(
                Comparison {
                    id: IdLevel::Conflict,
                    name: NameLevel::Different,
                    birth: BirthLevel::Different,
                    sex: Agreement::Different,
                    community: Agreement::Different,
                }
                .pattern(),
            );
        }
        counts.patterns[pattern(IdLevel::Exact, NameLevel::Exact, BirthLevel::Exact) as usize] =
            900;
        counts.patterns[Comparison {
            id: IdLevel::Conflict,
            name: NameLevel::Different,
            birth: BirthLevel::Different,
            sex: Agreement::Different,
            community: Agreement::Different,
        }
        .pattern() as usize] = 100;
        counts.records_with_number = 1000;
        counts.people = 1000;
        let model = Model::fit(&counts, 1e-12, 100);
        for f in 0..5 {
            let m: f64 = model.m[f].iter().sum();
            let u: f64 = model.u[f].iter().sum();
            assert!(
                (m - 1.0).abs() < 1e-9 && (u - 1.0).abs() < 1e-9,
                "field {f}"
            );
        }
        assert_eq!(model.m[0][CONFLICT], 1e-12);
        assert!(model.weight(Level::Id(IdLevel::Conflict)) < -30.0);
        assert!(model.weight(Level::Id(IdLevel::Exact)) > 5.0);
        assert!(
            (model.match_fraction - 0.9).abs() < 0.01,
            "match fraction {}",
            model.match_fraction
        );
        assert!((model.prior * 1000.0 - model.match_fraction).abs() < 1e-9);
    }
}
