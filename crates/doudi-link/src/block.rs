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
    /// Per entry, the fingerprint in the high half and the value in the low half, so that a
    /// lookup touches one cache line for both.
    entries: Vec<u64>,
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
        let mut packed = vec![0u64; entries.len()];
        for (k, v) in entries {
            let h = mix(k);
            let slot = &mut next[(h >> shift) as usize];
            packed[*slot as usize] = (h << 32) | u64::from(v);
            *slot += 1;
        }
        Index {
            shift,
            starts,
            entries: packed,
        }
    }

    /// Appends the positions stored under `k` to `out`.
    pub(crate) fn get_into(&self, k: u64, out: &mut Vec<u32>) {
        let h = mix(k);
        let b = (h >> self.shift) as usize;
        let (from, to) = (self.starts[b] as usize, self.starts[b + 1] as usize);
        for &e in &self.entries[from..to] {
            if e >> 32 == h & 0xffff_ffff {
                out.push(e as u32);
            }
        }
    }

    /// How many values are stored under `k`.
    pub(crate) fn count(&self, k: u64) -> u32 {
        let h = mix(k);
        let b = (h >> self.shift) as usize;
        let (from, to) = (self.starts[b] as usize, self.starts[b + 1] as usize);
        self.entries[from..to]
            .iter()
            .filter(|&&e| e >> 32 == h & 0xffff_ffff)
            .count() as u32
    }

    /// Bytes held, for the memory report.
    pub(crate) fn bytes(&self) -> usize {
        self.starts.len() * 4 + self.entries.len() * 8
    }
}

/// The kinds of blocking key. Each is a separate index, so a key of one kind never meets
/// another kind's.
pub(crate) mod kind {
    pub const NAME_YEAR_MONTH: u64 = 1;
    pub const NAME_YEAR_DAY: u64 = 2;
    pub const NAME_MONTH_DAY: u64 = 3;
    pub const MASKED_ID_INITIALS: u64 = 4;
    pub const NAME: u64 = 5;
}

/// Name pinyin with two of the three parts of a birth date. Together the three pairs find a
/// date that is exact or has any one part wrong; (year, month) looked up with the day as the
/// month finds day and month swapped. They are finer than pinyin + year (which they cover
/// except for two parts wrong at once) and so give far fewer candidates for common names.
fn name_date(kind: u64, pinyin: u32, a: u16, b: u8) -> u64 {
    key(kind, u64::from(pinyin), (u64::from(a) << 8) | u64::from(b))
}

/// The number with its birth-date digits masked (area code, sequence, check character),
/// with the name's pinyin initials: finds a number whose birth digits are wrong beyond repair.
/// With the surname's pinyin alone a county's common surnames made blocks of dozens at a
/// million people; the initials keep them near one and still survive traditional characters
/// and homophones.
pub(crate) fn masked_id_initials(row: &Row) -> Option<u64> {
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
        kind::MASKED_ID_INITIALS,
        masked,
        u64::from(row.name.initials),
    ))
}

/// The registry's indexes, one per key kind, and the number index.
pub(crate) struct Indexes {
    pub by_number: Index,
    pub by_name_year_month: Index,
    pub by_name_year_day: Index,
    pub by_name_month_day: Index,
    pub by_masked_id: Index,
    /// Name pinyin alone, for records with neither number nor birth date.
    pub by_name: Index,
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
        let name_index = |kind: u64| {
            Index::build(
                rows.iter()
                    .enumerate()
                    .filter(|(_, r)| !r.name.is_missing() && (kind == kind::NAME || r.birth != 0))
                    .map(|(i, r)| {
                        let d = Date::unpack(r.birth);
                        let (a, b) = match kind {
                            kind::NAME_YEAR_MONTH => (d.year, d.month),
                            kind::NAME_YEAR_DAY => (d.year, d.day),
                            kind::NAME_MONTH_DAY => (u16::from(d.month), d.day),
                            _ => (0, 0),
                        };
                        (name_date(kind, r.name.pinyin, a, b), n(i))
                    })
                    .collect(),
            )
        };
        let masked = || {
            Index::build(
                rows.iter()
                    .enumerate()
                    .filter_map(|(i, r)| masked_id_initials(r).map(|k| (k, n(i))))
                    .collect(),
            )
        };
        if threads < 2 {
            return Indexes {
                by_number: number(),
                by_name_year_month: name_index(kind::NAME_YEAR_MONTH),
                by_name_year_day: name_index(kind::NAME_YEAR_DAY),
                by_name_month_day: name_index(kind::NAME_MONTH_DAY),
                by_masked_id: masked(),
                by_name: name_index(kind::NAME),
            };
        }
        std::thread::scope(|s| {
            let a = s.spawn(|| {
                (
                    number(),
                    name_index(kind::NAME_YEAR_MONTH),
                    masked(),
                    name_index(kind::NAME),
                )
            });
            let year_day = name_index(kind::NAME_YEAR_DAY);
            let month_day = name_index(kind::NAME_MONTH_DAY);
            let (by_number, by_name_year_month, by_masked_id, by_name) =
                a.join().expect("index thread");
            Indexes {
                by_number,
                by_name_year_month,
                by_name_year_day: year_day,
                by_name_month_day: month_day,
                by_masked_id,
                by_name,
            }
        })
    }

    pub(crate) fn bytes(&self) -> usize {
        self.by_number.bytes()
            + self.by_name_year_month.bytes()
            + self.by_name_year_day.bytes()
            + self.by_name_month_day.bytes()
            + self.by_masked_id.bytes()
            + self.by_name.bytes()
    }

    /// How many registry people share the row's name pinyin (0 without a name).
    pub(crate) fn name_frequency(&self, r: &Row) -> u32 {
        if r.name.is_missing() {
            0
        } else {
            self.by_name
                .count(name_date(kind::NAME, r.name.pinyin, 0, 0))
        }
    }

    /// The registry positions a record could be, deduplicated, into `out` (cleared first).
    pub(crate) fn candidates(&self, r: &Row, out: &mut Vec<u32>) {
        out.clear();
        match r.id.form {
            // A number that passes its check names its person: anyone else found under another
            // key would compare as a conflict, which is never accepted.
            IdForm::Valid => {
                self.by_number.get_into(r.id.body(), out);
                return;
            }
            IdForm::Legacy => self.by_number.get_into(r.id.body(), out),
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
                let ym = |m| name_date(kind::NAME_YEAR_MONTH, py, b.year, m);
                self.by_name_year_month.get_into(ym(b.month), out);
                if b.day <= 12 && b.day != b.month {
                    self.by_name_year_month.get_into(ym(b.day), out);
                }
                self.by_name_year_day
                    .get_into(name_date(kind::NAME_YEAR_DAY, py, b.year, b.day), out);
                self.by_name_month_day.get_into(
                    name_date(kind::NAME_MONTH_DAY, py, b.month.into(), b.day),
                    out,
                );
            } else if r.id.form == IdForm::Missing {
                // Neither number nor date: everyone with the name's pinyin.
                self.by_name.get_into(name_date(kind::NAME, py, 0, 0), out);
            }
            if let Some(k) = masked_id_initials(r) {
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
