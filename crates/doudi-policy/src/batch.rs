//! Evaluating many households at once: every household for a month, in parallel, with or
//! without explanations, and what-if comparisons of two parameter sets.

use std::collections::BTreeMap;

use doudi_core::{Category, Money};
use serde::Serialize;

use crate::Resolved;
use crate::dibao::{self, DibaoDecision};
use crate::explain::{Explanation, Off};
use crate::snapshot::Snapshot;
use crate::tekun::{self, TekunDecision};

/// What one household is owed in a month under its category's rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Household id.
    pub id: i64,
    /// Township code.
    pub township: String,
    /// The rule applied: `dibao` (2.1.a) for dibao households, `tekun` (2.2.a) for tekun ones.
    pub program: &'static str,
    /// Whether the household qualifies.
    pub eligible: bool,
    /// Why not, in Chinese.
    pub refusal: Option<&'static str>,
    /// Monthly amount in fen: the base part (dibao gap top-up, tekun basic support).
    pub base_fen: i64,
    /// Monthly amount in fen: the extras (classified extras, tekun care subsidy).
    pub extras_fen: i64,
    /// Monthly total in fen.
    pub total_fen: i64,
    /// Whether an illustrative parameter value was used: the same with and without the
    /// explanation (both come from the parameters the decision cited).
    pub illustrative: bool,
    /// The months of the income window with no income record, counted as no income
    /// (`YYYY-MM`, oldest first; dibao only, left out when there are none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub months_without_income: Vec<String>,
    /// The explanation, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

fn tekun_outcome(
    h: &Snapshot,
    d: &TekunDecision,
    explanation: Option<Explanation>,
    illustrative: bool,
) -> Outcome {
    Outcome {
        id: h.id,
        township: h.township.clone(),
        program: "tekun",
        eligible: d.applicable && !d.people.is_empty(),
        refusal: (!d.applicable).then_some("不是城市特困人员家庭"),
        base_fen: d.basic.fen(),
        extras_fen: d.care.fen(),
        total_fen: d.total.fen(),
        illustrative,
        months_without_income: Vec::new(),
        explanation,
    }
}

fn outcome(
    h: &Snapshot,
    r: &Resolved,
    d: DibaoDecision,
    explanation: Option<Explanation>,
    illustrative: bool,
) -> Outcome {
    let months_without_income = if d.missing_months > 0 {
        dibao::months_without_income(h, r, false)
            .iter()
            .map(ToString::to_string)
            .collect()
    } else {
        Vec::new()
    };
    Outcome {
        id: h.id,
        township: h.township.clone(),
        program: "dibao",
        eligible: d.eligible,
        refusal: d.refusal.map(dibao::Refusal::label),
        base_fen: d.base.fen(),
        extras_fen: d.extras.fen(),
        total_fen: d.total.fen(),
        illustrative,
        months_without_income,
        explanation,
    }
}

/// The monthly total a household is owed, without explanation: the fast path.
#[inline]
pub fn monthly_total(h: &Snapshot, r: &Resolved) -> Money {
    match h.category {
        Category::Dibao => dibao::dibao(h, r, &mut Off).total,
        Category::Tekun => tekun::tekun(h, r, &mut Off).total,
    }
}

/// Evaluates one household under its category's rule. Whether an illustrative value was
/// used comes from the parameters the decision cited, so it is the same with and without the
/// explanation.
pub fn evaluate(h: &Snapshot, r: &Resolved, explain: bool) -> Outcome {
    match (h.category, explain) {
        (Category::Dibao, true) => {
            let (d, e) = dibao::explain(h, r, false);
            let illustrative = e.uses_illustrative();
            outcome(h, r, d, Some(e), illustrative)
        }
        (Category::Dibao, false) => {
            let d = dibao::dibao(h, r, &mut Off);
            outcome(h, r, d, None, d.uses_illustrative(r))
        }
        (Category::Tekun, true) => {
            let (d, e) = tekun::explain(h, r);
            let illustrative = e.uses_illustrative();
            tekun_outcome(h, &d, Some(e), illustrative)
        }
        (Category::Tekun, false) => {
            let d = tekun::tekun(h, r, &mut Off);
            let illustrative = d.uses_illustrative(r);
            tekun_outcome(h, &d, None, illustrative)
        }
    }
}

/// Runs `f` over every household on `threads` threads, keeping the input order.
pub fn par_map<O: Send>(
    households: &[Snapshot],
    threads: usize,
    f: impl Fn(&Snapshot) -> O + Sync,
) -> Vec<O> {
    let threads = threads.max(1);
    if threads == 1 || households.len() < 1024 {
        return households.iter().map(&f).collect();
    }
    let chunk = households.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = households
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).collect::<Vec<O>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("an evaluation thread panicked"))
            .collect()
    })
}

/// Evaluates every household for the month of `r`.
pub fn evaluate_all(
    households: &[Snapshot],
    r: &Resolved,
    explain: bool,
    threads: usize,
) -> Vec<Outcome> {
    par_map(households, threads, |h| evaluate(h, r, explain))
}

/// `f` summed over every household, on `threads` threads.
fn par_sum(
    households: &[Snapshot],
    threads: usize,
    f: impl Fn(&Snapshot) -> Money + Sync,
) -> Money {
    let threads = threads.max(1);
    let chunk = households.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = households
            .chunks(chunk)
            .map(|part| s.spawn(|| part.iter().map(&f).fold(Money::ZERO, Money::saturating_add)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("an evaluation thread panicked"))
            .fold(Money::ZERO, Money::saturating_add)
    })
}

/// The sum of monthly totals over all households, in parallel, without building outcomes:
/// what a budget needs.
pub fn total_budget(households: &[Snapshot], r: &Resolved, threads: usize) -> Money {
    par_sum(households, threads, |h| monthly_total(h, r))
}

/// The dibao rule (2.1.a) applied to every household whatever its category, summed: the
/// benchmark comparable with other engines' "dibao for a million households".
pub fn dibao_budget(households: &[Snapshot], r: &Resolved, threads: usize) -> Money {
    par_sum(households, threads, |h| dibao::dibao(h, r, &mut Off).total)
}

/// The sum of monthly totals with every household's full explanation built (and then
/// dropped, as a streaming writer would after writing it): what explanations cost.
pub fn explained_budget(households: &[Snapshot], r: &Resolved, threads: usize) -> Money {
    par_sum(households, threads, |h| {
        let o = evaluate(h, r, true);
        debug_assert!(o.explanation.is_some());
        Money::from_fen(o.total_fen)
    })
}

/// How a proposed parameter change moves one township (or the county).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Movement {
    /// Households evaluated.
    pub households: u64,
    /// Households that gain.
    pub gain: u64,
    /// Households that lose.
    pub lose: u64,
    /// Households that newly qualify.
    pub newly_eligible: u64,
    /// Households that no longer qualify.
    pub no_longer_eligible: u64,
    /// Monthly budget now, in fen.
    pub before_fen: i64,
    /// Monthly budget under the change, in fen.
    pub after_fen: i64,
}

impl Movement {
    /// The monthly budget change in fen.
    pub fn change_fen(&self) -> i64 {
        self.after_fen.saturating_sub(self.before_fen)
    }

    fn add(&mut self, before: (bool, Money), after: (bool, Money)) {
        self.households += 1;
        // Held at the ends of i64 rather than wrapped (see `Money::saturating_add`).
        self.before_fen = self.before_fen.saturating_add(before.1.fen());
        self.after_fen = self.after_fen.saturating_add(after.1.fen());
        match after.1.cmp(&before.1) {
            std::cmp::Ordering::Greater => self.gain += 1,
            std::cmp::Ordering::Less => self.lose += 1,
            std::cmp::Ordering::Equal => {}
        }
        match (before.0, after.0) {
            (false, true) => self.newly_eligible += 1,
            (true, false) => self.no_longer_eligible += 1,
            _ => {}
        }
    }

    fn merge(&mut self, o: &Movement) {
        self.households += o.households;
        self.gain += o.gain;
        self.lose += o.lose;
        self.newly_eligible += o.newly_eligible;
        self.no_longer_eligible += o.no_longer_eligible;
        self.before_fen = self.before_fen.saturating_add(o.before_fen);
        self.after_fen = self.after_fen.saturating_add(o.after_fen);
    }
}

/// What-if: every household under the current and the proposed parameters for one month, by
/// township and in total.
pub fn simulate(
    households: &[Snapshot],
    now: &Resolved,
    proposed: &Resolved,
    threads: usize,
) -> (BTreeMap<String, Movement>, Movement) {
    let decide = |h: &Snapshot, r: &Resolved| match h.category {
        Category::Dibao => {
            let d = dibao::dibao(h, r, &mut Off);
            (d.eligible, d.total)
        }
        Category::Tekun => {
            let d = tekun::tekun(h, r, &mut Off);
            (d.applicable, d.total)
        }
    };
    let pairs = par_map(households, threads, |h| {
        (decide(h, now), decide(h, proposed))
    });
    let mut by_township: BTreeMap<String, Movement> = BTreeMap::new();
    for (h, (before, after)) in households.iter().zip(pairs) {
        by_township
            .entry(h.township.clone())
            .or_default()
            .add(before, after);
    }
    let mut total = Movement::default();
    for m in by_township.values() {
        total.merge(m);
    }
    (by_township, total)
}
