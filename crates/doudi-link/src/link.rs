//! Linking a department feed to the registry: blocking, comparison, the model, decisions and
//! the optional one-to-one resolution.

#![allow(
    clippy::float_arithmetic,
    reason = "probabilities and log-weights are real numbers; no money is computed here"
)]

use crate::block::Indexes;
use crate::compare::{Comparison, Level, Pattern, Row, compare};
use crate::model::{Counts, Model};
use crate::rng::Rng;
use crate::{DeptRecord, Person};

/// Records are blocked, compared and sampled in blocks of this size, each with its own
/// generator, so that results do not depend on the number of threads.
const BLOCK: usize = 4096;

/// How linkage decides.
#[derive(Clone, Debug)]
pub struct Config {
    /// A link whose posterior probability is at least this is accepted.
    pub accept: f64,
    /// A link below `accept` but at least this goes to the review queue; below, it is rejected.
    pub review: f64,
    /// Each registry person at most once per feed (greedy by weight).
    pub one_to_one: bool,
    /// Random record–person pairs sampled to estimate u.
    pub u_samples: usize,
    /// Upper bound on EM iterations.
    pub max_em_iterations: usize,
    /// m of the conflict level (a valid number that is someone else's); see [`crate::model`].
    pub conflict_m: f64,
    /// Seed of the u sampling.
    pub seed: u64,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            accept: 0.99,
            review: 0.5,
            one_to_one: true,
            u_samples: 500_000,
            max_em_iterations: 200,
            conflict_m: 1e-12,
            seed: 0x5eed,
            threads: 0,
        }
    }
}

fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Runs `f` over contiguous chunks of `items` on up to `threads` threads, results in order.
fn par_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(usize, &[T]) -> R + Sync,
) -> Vec<R> {
    let chunk = items.len().div_ceil(threads.max(1)).max(1);
    if threads < 2 || items.len() <= chunk {
        return vec![f(0, items)];
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(i, c)| {
                let f = &f;
                s.spawn(move || f(i * chunk, c))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker thread"))
            .collect()
    })
}

/// The registry, normalised and indexed for blocking. Built once, used for every feed.
pub struct Registry {
    ids: Vec<u64>,
    rows: Vec<Row>,
    indexes: Indexes,
}

impl Registry {
    /// Normalises and indexes the registry on all cores.
    pub fn new(people: &[Person]) -> Registry {
        Registry::with_threads(people, 0)
    }

    /// Normalises and indexes the registry on `threads` threads (0: one per core).
    pub fn with_threads(people: &[Person], threads_wanted: usize) -> Registry {
        let threads = threads(threads_wanted);
        let rows: Vec<Row> = par_chunks(people, threads, |_, c| {
            c.iter().map(Row::of_person).collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect();
        let indexes = Indexes::build(&rows, threads);
        Registry {
            ids: people.iter().map(|p| p.id).collect(),
            rows,
            indexes,
        }
    }

    /// The number of people.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Approximate bytes held by the normalised rows and the indexes.
    pub fn bytes(&self) -> usize {
        self.ids.len() * (8 + size_of::<Row>()) + self.indexes.bytes()
    }
}

/// What happens to a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Probability at or above the accept threshold, and no equally strong rival.
    Accept,
    /// In the grey zone (or tied with another person): a caseworker decides.
    Review,
}

/// One field's part in a link's weight: its level and that level's weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evidence {
    /// The level (its field is [`Level::field`]).
    pub level: Level,
    /// log2(m/u) of the level: positive speaks for the link, negative against.
    pub weight: f64,
}

/// A department record linked to a registry person, with the evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The department record's id.
    pub record: u64,
    /// The registry person's id.
    pub person: u64,
    /// The match weight, the sum of the evidence weights.
    pub weight: f64,
    /// The posterior probability of a match.
    pub probability: f64,
    /// Accept or review.
    pub decision: Decision,
    /// The field levels.
    pub comparison: Comparison,
    weights: [f32; 5],
}

impl Link {
    /// Per field (in [`crate::Field::ALL`] order), the level and its weight.
    pub fn evidence(&self) -> [Evidence; 5] {
        let levels = self.comparison.levels();
        std::array::from_fn(|i| Evidence {
            level: levels[i],
            weight: f64::from(self.weights[i]),
        })
    }
}

/// The outcome of linking one feed.
#[derive(Debug)]
pub struct Linkage {
    /// At most one link per record, sorted by record id; rejected pairs are absent.
    pub links: Vec<Link>,
    /// The fitted model.
    pub model: Model,
    pairs: Vec<Pair>,
}

#[derive(Clone, Copy, Debug)]
struct Pair {
    record: u32,
    person: u32,
    pattern: Pattern,
}

impl Linkage {
    /// The number of candidate pairs blocking produced.
    pub fn candidate_pairs(&self) -> usize {
        self.pairs.len()
    }

    /// Every candidate pair as (position in the records, position in the registry's people).
    pub fn candidates(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.pairs
            .iter()
            .map(|p| (p.record as usize, p.person as usize))
    }
}

/// Links a department feed to the registry.
pub fn link(registry: &Registry, records: &[DeptRecord], config: &Config) -> Linkage {
    let threads = threads(config.threads);
    let total = records.len().max(1);
    let people = registry.rows.len();
    let blocks: Vec<&[DeptRecord]> = records.chunks(BLOCK).collect();
    let parts = par_chunks(&blocks, threads, |first_block, chunk| {
        let mut pairs = Vec::new();
        let mut counts = Counts::new();
        let mut found = Vec::new();
        let mut rows = Vec::with_capacity(BLOCK);
        for (b, block) in chunk.iter().enumerate() {
            let block_index = first_block + b;
            let base = block_index * BLOCK;
            rows.clear();
            rows.extend(block.iter().map(Row::of_record));
            for (i, row) in rows.iter().enumerate() {
                registry.indexes.candidates(row, &mut found);
                for &p in &found {
                    let pattern = compare(row, &registry.rows[p as usize]).pattern();
                    counts.patterns[pattern as usize] += 1;
                    pairs.push(Pair {
                        record: (base + i) as u32,
                        person: p,
                        pattern,
                    });
                }
            }
            if people > 0 {
                let mut rng = Rng::new(config.seed ^ (block_index as u64).wrapping_mul(0x9e37));
                let samples = config.u_samples * block.len() / total;
                for _ in 0..samples.max(1) {
                    let r = &rows[rng.index(rows.len())];
                    let p = &registry.rows[rng.index(people)];
                    counts.add_random(compare(r, p).pattern());
                }
            }
        }
        (pairs, counts)
    });
    let mut counts = Counts::new();
    let mut pairs = Vec::with_capacity(parts.iter().map(|(p, _)| p.len()).sum());
    for (p, c) in parts {
        pairs.extend(p);
        counts.merge(&c);
    }
    let model = Model::fit(&counts, config.conflict_m, config.max_em_iterations);
    let links = decide(registry, records, &pairs, &model, config);
    Linkage {
        links,
        model,
        pairs,
    }
}

/// Picks at most one person per record (and, one-to-one, one record per person).
fn decide(
    registry: &Registry,
    records: &[DeptRecord],
    pairs: &[Pair],
    model: &Model,
    config: &Config,
) -> Vec<Link> {
    let weights = model.pattern_weights();
    let review_weight = {
        // The weight at which the probability reaches the review threshold.
        let odds = (config.review / (1.0 - config.review)).log2();
        odds - (model.prior / (1.0 - model.prior)).log2()
    };
    let mut kept: Vec<(f64, usize)> = pairs
        .iter()
        .enumerate()
        .map(|(i, p)| (weights[p.pattern as usize], i))
        .filter(|(w, _)| *w >= review_weight)
        .collect();
    // Strongest first; ties in record then registry order, so the outcome is deterministic.
    kept.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // A record whose two strongest candidates weigh the same cannot be decided by the model.
    let mut best = vec![f64::NEG_INFINITY; records.len()];
    let mut tied = vec![false; records.len()];
    for &(w, i) in &kept {
        let r = pairs[i].record as usize;
        if w == best[r] {
            tied[r] = true;
        } else if best[r] == f64::NEG_INFINITY {
            best[r] = w;
        }
    }
    let mut record_done = vec![false; records.len()];
    let mut person_used = vec![false; if config.one_to_one { registry.len() } else { 0 }];
    let mut links = Vec::new();
    for (w, i) in kept {
        let p = pairs[i];
        let (r, person) = (p.record as usize, p.person as usize);
        if record_done[r] || (config.one_to_one && person_used[person]) {
            continue;
        }
        record_done[r] = true;
        if config.one_to_one {
            person_used[person] = true;
        }
        let probability = model.probability(w);
        let comparison = Comparison::from_pattern(p.pattern);
        let levels = comparison.levels();
        links.push(Link {
            record: records[r].id,
            person: registry.ids[person],
            weight: w,
            probability,
            decision: if probability >= config.accept && !tied[r] {
                Decision::Accept
            } else {
                Decision::Review
            },
            comparison,
            weights: std::array::from_fn(|f| model.weight(levels[f]) as f32),
        });
    }
    links.sort_by_key(|l| l.record);
    links
}
