//! A seeded fuzz run over parameter files (`doudi params check`, `--params`): mutated copies of
//! the default set, and sets with hostile values, must each parse into a set or into errors,
//! never panic; a set that parses resolves for months from its start without panicking (the
//! crate's invariant: a parsed set resolves for every month from its first date).
//!
//! `DOUDI_FUZZ_RUNS` sets the number of inputs (default 500, a few seconds), `DOUDI_FUZZ_SEED` the seed.

use doudi_core::Month;
use doudi_policy::Resolved;
use doudi_policy::params::Parameters;

/// The default parameter set.
const DEFAULT: &str = include_str!("../../data/yunyang.toml");

/// A tiny seeded generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Values that parsers of amounts, ratios and dates choke on.
const VALUES: &[&str] = &[
    "\"0\"",
    "\"-1\"",
    "\"9999999999999999999\"",
    "\"9223372036854775807\"",
    "\"0.001\"",
    "\"1e400\"",
    "\"NaN\"",
    "\"\"",
    "\"年月\"",
    "\"100%\"",
    "\"-100%\"",
    "\"99999999999%\"",
    "\"1.3.4\"",
    "\"１２\"",
    "\"\\u0000\"",
    "0",
    "-1",
    "9223372036854775807",
    "1.25",
    "true",
    "[]",
    "{}",
    "2026-13-01",
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2026-02-29",
];

/// Replaces the value of a `key = value` line by a hostile one, or mutates bytes.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(lines.len());
        match rng.below(6) {
            0..=2 => {
                if let Some((key, _)) = lines[i].split_once('=') {
                    lines[i] = format!("{key}= {}", VALUES[rng.below(VALUES.len())]);
                }
            }
            3 => {
                lines.remove(i);
            }
            4 => {
                let copy = lines[i].clone();
                lines.insert(rng.below(lines.len()), copy);
            }
            _ => {
                let mut bytes = lines[i].clone().into_bytes();
                if !bytes.is_empty() {
                    let at = rng.below(bytes.len());
                    bytes[at] = rng.next() as u8;
                }
                lines[i] = String::from_utf8_lossy(&bytes).into_owned();
            }
        }
    }
    lines.join("\n")
}

#[test]
fn parameter_files_never_panic_and_a_parsed_set_resolves() {
    let runs: usize = std::env::var("DOUDI_FUZZ_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let mut rng = Rng(std::env::var("DOUDI_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026u64)
        .max(1));
    let months: Vec<Month> = [(2023, 1), (2026, 5), (2026, 12), (9999, 12)]
        .iter()
        .filter_map(|(y, m)| Month::new(*y, *m))
        .collect();
    let mut parsed = 0;
    for i in 0..runs {
        let text = mutate(&mut rng, DEFAULT);
        let outcome = std::panic::catch_unwind(|| {
            if let Ok(params) = Parameters::parse(&text) {
                for m in &months {
                    if let Ok(r) = Resolved::new(&params, *m) {
                        let _ = r.citations();
                    }
                }
                true
            } else {
                false
            }
        });
        match outcome {
            Ok(ok) => parsed += usize::from(ok),
            Err(_) => panic!("input {i} panicked:\n{text}"),
        }
    }
    // The run is only useful if some mutants still parse and reach resolution.
    assert!(parsed > 0, "no mutant parsed");
}

/// The default set with the value on `line` (1-based) replaced.
fn with_value(line: usize, value: &str) -> String {
    DEFAULT
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                format!("value = {value}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

/// The line of the first `value = …` line equal to `text`.
fn line_of(text: &str) -> usize {
    DEFAULT
        .lines()
        .position(|l| l.trim() == text)
        .unwrap_or_else(|| panic!("{text} is in the default set"))
        + 1
}

#[test]
fn an_amount_ratio_or_count_too_large_for_the_arithmetic_is_an_error_on_its_line() {
    let money = line_of("value = \"546\"");
    let ratio = line_of("value = \"1.3\"");
    let count = line_of("value = 6");
    for (line, value) in [
        (money, "9223372036854775807"),
        (money, "1000000001"),
        (ratio, "\"99999999999999999%\""),
        (ratio, "\"1000.0001\""),
        (ratio, "922337203685478"),
        (count, "9223372036854775807"),
    ] {
        let errors = Parameters::parse(&with_value(line, value)).expect_err(value);
        assert!(
            errors.iter().any(|e| (line - 4..=line).contains(&e.line)
                && (e.message.contains("超出") || e.message.contains("过大"))),
            "{value}: {errors:?}"
        );
    }
    // The largest values allowed still parse. (The count here is the income window, which its
    // own rule bounds to 1–120 months, so only the amount and the ratio are tried at the edge.)
    for (line, value) in [(money, "1000000000"), (ratio, "\"1000\"")] {
        assert!(
            Parameters::parse(&with_value(line, value)).is_ok(),
            "{value}"
        );
    }
}
