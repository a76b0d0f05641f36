//! Blocking: the keys under which a record looks for registry people, and the static hash
//! index that holds them.
//!
//! The index is built once per registry by a counting sort into buckets (no per-key
//! allocation): a bucket array of offsets, and per entry a 32-bit fingerprint and the person's
//! position. A lookup reads one bucket (about one entry) and keeps the fingerprints that match;
//! a fingerprint collision (2^-32) only adds a candidate that scoring then rejects.

use crate::compare::Row;
use crate::date::Date;
use crate::hash::{key, mix};
use crate::id::{IdForm, repair_candidates};

/// A multimap from 64-bit keys to person positions, built once.
pub(crate) struct Index {
    shift: u32,
    starts: Vec<u32>,
    fingerprints: Vec<u32>,
    values: Vec<u32>,
}

impl Index {
    /// Builds the index from `(key, person position)` entries.
    pub(crate) fn build(entries: Vec<(u64, u32)>) -> Index {
        let bits = entries.len().max(2).next_power_of_two().trailing_zeros();
        let buckets = 1usize << bits;
        let shift = 64 - bits;
        let mut starts = vec![0u32; buckets + 1];
        for &(k, _) in &entries {
            starts[(mix(k) >> shift) as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut fingerprints = vec![0u32; entries.len()];
        let mut values = vec![0u32; entries.len()];
        for (k, v) in entries {
            let h = mix(k);
            let slot = &mut next[(h >> shift) as usize];
            fingerprints[*slot as usize] = h as u32;
            values[*slot as usize] = v;
            *slot += 1;
        }
        Index {
            shift,
            starts,
            fingerprints,
            values,
        }
    }

    /// Appends the positions stored under `k` to `out`.
    pub(crate) fn get_into(&self, k: u64, out: &mut Vec<u32>) {
        let h = mix(k);
        let b = (h >> self.shift) as usize;
        let (from, to) = (self.starts[b] as usize, self.starts[b + 1] as usize);
        for i in from..to {
            if self.fingerprints[i] == h as u32 {
                out.push(self.values[i]);
            }
        }
    }

    /// Bytes held, for the memory report.
    pub(crate) fn bytes(&self) -> usize {
        (self.starts.len() + self.fingerprints.len() + self.values.len()) * 4
    }
}

/// The kinds of blocking key. Each is a separate index, so a key of one kind never meets
/// another kind's.
pub(crate) mod kind {
    pub const BIRTH_NAME: u64 = 1;
    pub const NAME_YEAR: u64 = 2;
    pub const NAME_MONTH_DAY: u64 = 3;
    pub const MASKED_ID_SURNAME: u64 = 4;
}

pub(crate) fn birth_name(birth: u32, pinyin: u32) -> u64 {
    key(kind::BIRTH_NAME, u64::from(birth), u64::from(pinyin))
}

pub(crate) fn name_year(pinyin: u32, year: u16) -> u64 {
    key(kind::NAME_YEAR, u64::from(pinyin), u64::from(year))
}

pub(crate) fn name_month_day(pinyin: u32, month: u8, day: u8) -> u64 {
    key(
        kind::NAME_MONTH_DAY,
        u64::from(pinyin),
        u64::from(month) * 32 + u64::from(day),
    )
}

/// The number with its birth-date digits masked (area code, sequence, check character),
/// with the surname's pinyin.
pub(crate) fn masked_id_surname(row: &Row) -> Option<u64> {
    if row.id.form == IdForm::Missing || row.name.is_missing() {
        return None;
    }
    let masked = row.id.chars[..6]
        .iter()
        .chain(&row.id.chars[14..])
        .fold(0u64, |acc, &c| {
            acc * 11 + if c == b'X' { 10 } else { u64::from(c - b'0') }
        });
    Some(key(
        kind::MASKED_ID_SURNAME,
        masked,
        u64::from(row.name.surname),
    ))
}

/// The registry's indexes, one per key kind, and the number index.
pub(crate) struct Indexes {
    pub by_number: Index,
    pub by_birth_name: Index,
    pub by_name_year: Index,
    pub by_name_month_day: Index,
    pub by_masked_id: Index,
}

impl Indexes {
    pub(crate) fn build(rows: &[Row], threads: usize) -> Indexes {
        let n = |i: usize| i as u32;
        let number = || {
            Index::build(
                rows.iter()
                    .enumerate()
                    .filter(|(_, r)| matches!(r.id.form, IdForm::Valid | IdForm::Legacy))
                    .map(|(i, r)| (r.id.body(), n(i)))
                    .collect(),
            )
        };
        let by_name = |f: &(dyn Fn(&Row) -> u64 + Sync)| {
            Index::build(
                rows.iter()
                    .enumerate()
                    .filter(|(_, r)| !r.name.is_missing() && r.birth != 0)
                    .map(|(i, r)| (f(r), n(i)))
                    .collect(),
            )
        };
        let birth_name_f = |r: &Row| birth_name(r.birth, r.name.pinyin);
        let name_year_f = |r: &Row| name_year(r.name.pinyin, Date::unpack(r.birth).year);
        let name_md_f = |r: &Row| {
            let d = Date::unpack(r.birth);
            name_month_day(r.name.pinyin, d.month, d.day)
        };
        let masked = || {
            Index::build(
                rows.iter()
                    .enumerate()
                    .filter_map(|(i, r)| masked_id_surname(r).map(|k| (k, n(i))))
                    .collect(),
            )
        };
        if threads < 2 {
            return Indexes {
                by_number: number(),
                by_birth_name: by_name(&birth_name_f),
                by_name_year: by_name(&name_year_f),
                by_name_month_day: by_name(&name_md_f),
                by_masked_id: masked(),
            };
        }
        std::thread::scope(|s| {
            let a = s.spawn(|| (number(), by_name(&birth_name_f), masked()));
            let year = by_name(&name_year_f);
            let md = by_name(&name_md_f);
            let (by_number, by_birth_name, by_masked_id) = a.join().expect("index thread");
            Indexes {
                by_number,
                by_birth_name,
                by_name_year: year,
                by_name_month_day: md,
                by_masked_id,
            }
        })
    }

    pub(crate) fn bytes(&self) -> usize {
        self.by_number.bytes()
            + self.by_birth_name.bytes()
            + self.by_name_year.bytes()
            + self.by_name_month_day.bytes()
            + self.by_masked_id.bytes()
    }

    /// The registry positions a record could be, deduplicated, into `out` (cleared first).
    pub(crate) fn candidates(&self, r: &Row, out: &mut Vec<u32>) {
        out.clear();
        match r.id.form {
            IdForm::Valid | IdForm::Legacy => self.by_number.get_into(r.id.body(), out),
            IdForm::BadCheck => {
                for body in repair_candidates(&r.id) {
                    self.by_number.get_into(body, out);
                }
            }
            IdForm::Missing => {}
        }
        if !r.name.is_missing() {
            let py = r.name.pinyin;
            if r.birth != 0 {
                let b = Date::unpack(r.birth);
                self.by_birth_name.get_into(birth_name(r.birth, py), out);
                if b.day <= 12
                    && b.day != b.month
                    && let Some(swapped) = Date::new(b.year, b.day, b.month)
                {
                    self.by_birth_name
                        .get_into(birth_name(swapped.packed(), py), out);
                }
                self.by_name_year.get_into(name_year(py, b.year), out);
                self.by_name_month_day
                    .get_into(name_month_day(py, b.month, b.day), out);
            } else if r.id.form == IdForm::Missing {
                // Neither number nor date: every birth year under the name's pinyin.
                for year in Date::MIN_YEAR..=Date::MAX_YEAR {
                    self.by_name_year.get_into(name_year(py, year), out);
                }
            }
            if let Some(k) = masked_id_surname(r) {
                self.by_masked_id.get_into(k, out);
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_returns_every_value_stored_under_a_key_and_nothing_else() {
        let entries: Vec<(u64, u32)> = (0..1000u32).map(|i| (u64::from(i % 100), i)).collect();
        let index = Index::build(entries);
        let mut out = Vec::new();
        index.get_into(7, &mut out);
        out.sort_unstable();
        assert_eq!(out, (0..10).map(|j| 7 + 100 * j).collect::<Vec<u32>>());
        out.clear();
        index.get_into(100, &mut out);
        assert!(out.is_empty());
    }
}
