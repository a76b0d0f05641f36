//! Linkage benchmark: generates a registry and a department feed with known truth, links them
//! (timing only the linkage), scores the links against the truth and writes them as CSV.
//!
//! ```text
//! cargo run --release -p doudi-link --example linkbench -- \
//!     --registry 100000 --dept 50000 --out links.csv [--seed 1] [--threads 0] [--many-to-one]
//! ```

#![allow(
    clippy::float_arithmetic,
    reason = "rates, seconds and megabytes for a report"
)]

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use doudi_link::synth::{Errors, RecordKind, SynthConfig, generate};
use doudi_link::{Config, Decision, Registry, link};

struct Args {
    registry: usize,
    dept: usize,
    out: Option<String>,
    seed: u64,
    threads: usize,
    one_to_one: bool,
    show: usize,
    print_model: bool,
    accept: Option<f64>,
    review: Option<f64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        registry: 100_000,
        dept: 50_000,
        out: None,
        seed: 1,
        threads: 0,
        one_to_one: true,
        show: 0,
        print_model: false,
        accept: None,
        review: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{v}: {e}"));
        match flag.as_str() {
            "--registry" => args.registry = number(value()?)? as usize,
            "--dept" => args.dept = number(value()?)? as usize,
            "--out" => args.out = Some(value()?),
            "--seed" => args.seed = number(value()?)?,
            "--threads" => args.threads = number(value()?)? as usize,
            "--many-to-one" => args.one_to_one = false,
            "--show" => args.show = number(value()?)? as usize,
            "--model" => args.print_model = true,
            "--accept" => args.accept = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--review" => args.review = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "-h" | "--help" => {
                return Err(
                    "usage: linkbench --registry N --dept N [--out links.csv] [--seed S] \
                            [--threads T] [--many-to-one] [--accept P] [--review P] [--model] [--show N]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

/// Peak resident set size in kB (VmHWM), if the system reports it.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU seconds (user + system) this process has used, from /proc/self/stat.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is the 12th, stime 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn peak() -> String {
    peak_kb().map_or("unknown".into(), |kb| {
        format!("{:.1} MB", kb as f64 / 1024.0)
    })
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let data = generate(SynthConfig {
        registry: args.registry,
        dept: args.dept,
        seed: args.seed,
    });
    let generation = started.elapsed();
    println!(
        "generated {} registry people, {} records in {:.3} s (peak memory so far {})",
        data.registry.len(),
        data.records.len(),
        generation.as_secs_f64(),
        peak()
    );

    let defaults = Config::default();
    let config = Config {
        one_to_one: args.one_to_one,
        threads: args.threads,
        accept: args.accept.unwrap_or(defaults.accept),
        review: args.review.unwrap_or(defaults.review),
        ..defaults
    };
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let registry = Registry::with_threads(&data.registry, args.threads);
    let indexed = started.elapsed();
    let cpu_indexed = cpu_seconds();
    let peak_indexed = peak();
    let linkage = link(&registry, &data.records, &config);
    let total = started.elapsed();
    let peak_linked = peak();
    let cpu = match (cpu_before, cpu_indexed, cpu_seconds()) {
        (Some(a), Some(b), Some(c)) => format!("{:.2} s = {:.2} + {:.2}", c - a, b - a, c - b),
        _ => "unknown".into(),
    };
    println!(
        "linkage {:.3} s (registry normalised and indexed {:.3} s, feed linked {:.3} s; \
         CPU time {cpu})",
        total.as_secs_f64(),
        indexed.as_secs_f64(),
        (total - indexed).as_secs_f64()
    );

    // Quality against the truth: accepted links only.
    let position: HashMap<u64, usize> = data
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i))
        .collect();
    let (mut tp, mut fp, mut review) = (0u64, 0u64, 0u64);
    let mut hard_negatives_linked = 0u64;
    let mut correct = vec![false; data.records.len()];
    for l in &linkage.links {
        if l.decision == Decision::Review {
            review += 1;
            continue;
        }
        let i = position[&l.record];
        if data.truth[i] == Some(l.person) {
            tp += 1;
            correct[i] = true;
        } else {
            fp += 1;
            if fp as usize <= args.show {
                let person = data.registry.iter().find(|p| p.id == l.person);
                println!(
                    "false link {:?}\n  record {:?}\n  person {:?}\n  weight {:.2} p {:.6}",
                    data.kinds[i], data.records[i], person, l.weight, l.probability
                );
                for e in l.evidence() {
                    println!("  {:?} {:.2}", e.level, e.weight);
                }
            }
            if data.kinds[i] == RecordKind::HardNegative {
                hard_negatives_linked += 1;
            }
        }
    }
    let positives = data.truth.iter().filter(|t| t.is_some()).count() as u64;
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / positives.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    // Pair completeness: true pairs among the candidates.
    let ids: Vec<u64> = data.registry.iter().map(|p| p.id).collect();
    let found = linkage
        .candidates()
        .filter(|&(r, p)| data.truth[r] == Some(ids[p]))
        .count() as u64;
    println!(
        "candidate pairs {} ({:.2} per record), pair completeness {:.5}",
        linkage.candidate_pairs(),
        linkage.candidate_pairs() as f64 / data.records.len().max(1) as f64,
        found as f64 / positives.max(1) as f64
    );
    println!(
        "precision {precision:.5} recall {recall:.5} F1 {f1:.5} (accepted {}, review {review}, \
         true positives {tp}, false positives {fp}, of which hard negatives {hard_negatives_linked}, \
         records of registry people {positives})",
        tp + fp
    );
    let model = &linkage.model;
    println!(
        "model: records matching {:.4} (pair prior {:.2e}), EM iterations {}, seed pairs {}, u pairs {}",
        model.match_fraction, model.prior, model.iterations, model.seed_pairs, model.u_pairs
    );
    if args.print_model {
        for (f, field) in doudi_link::Field::ALL.iter().enumerate() {
            let cells: Vec<String> = (0..model.m[f].len())
                .map(|l| {
                    format!(
                        "{:.2e}/{:.2e}={:+.1}",
                        model.m[f][l],
                        model.u[f][l],
                        (model.m[f][l] / model.u[f][l]).log2()
                    )
                })
                .collect();
            println!("  {field:?}: {}", cells.join("  "));
        }
    }
    // Recall per error kind, to see which errors cost links.
    let mut missed_by_kind = Vec::new();
    for (flag, name) in Errors::ALL {
        let (mut n, mut ok) = (0u64, 0u64);
        for (i, k) in data.kinds.iter().enumerate() {
            if let RecordKind::Match(e) = k
                && e.contains(flag)
            {
                n += 1;
                ok += u64::from(correct[i]);
            }
        }
        if n > ok {
            missed_by_kind.push(format!("{name} {}/{n}", n - ok));
        }
    }
    if !missed_by_kind.is_empty() {
        println!("missed by error kind: {}", missed_by_kind.join(", "));
    }
    println!(
        "registry rows and indexes {:.1} MB; peak memory (VmHWM) {} (after indexing \
         {peak_indexed}, after linking {peak_linked})",
        registry.bytes() as f64 / 1e6,
        peak()
    );

    if let Some(path) = args.out {
        let file = std::fs::File::create(&path).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        });
        let mut out = std::io::BufWriter::new(file);
        let written = (|| -> std::io::Result<()> {
            writeln!(out, "dept_record_id,person_id,probability")?;
            for l in &linkage.links {
                if l.decision == Decision::Accept {
                    writeln!(out, "{},{},{:.6}", l.record, l.person, l.probability)?;
                }
            }
            out.flush()
        })();
        if let Err(e) = written {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
        println!("wrote {path}");
    }
}
