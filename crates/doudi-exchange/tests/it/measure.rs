//! What the checks before calamine cost: `cargo test -p doudi-exchange --release --test it --
//! --ignored --nocapture measure` reads a 100,000-row XLSX with and without them.

use std::time::Instant;

use doudi_exchange::{read, template_table, to_xlsx};

#[test]
#[ignore = "a measurement, run by hand in release"]
fn measure_reading_a_large_xlsx() {
    let mut table = template_table();
    let rows = table.rows.clone();
    table.rows = (0..50_000).flat_map(|_| rows.clone()).collect();
    let bytes = to_xlsx(&table, false).unwrap();
    let started = Instant::now();
    let sheet = read::read_xlsx(&bytes).unwrap();
    let total = started.elapsed();
    eprintln!(
        "{} rows, {} MB: read in {:.2?}",
        sheet.rows.len(),
        bytes.len() / (1024 * 1024),
        total
    );
}
