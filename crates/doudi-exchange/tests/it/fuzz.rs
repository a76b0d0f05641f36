//! Seeded fuzz runs on the stable toolchain: random and mutated inputs, seeded with a corpus of
//! nasty cases, for the parsers an outsider's bytes reach: identity numbers, months, CSV and
//! XLSX household files. The property is only that each input gives a value or an error: a
//! panic fails the test (and names the input's index, reproduced by the fixed seed).
//!
//! `DOUDI_FUZZ_RUNS` sets the number of inputs per target (defaults keep the suite fast),
//! `DOUDI_FUZZ_SEED` another seed; for example
//! `DOUDI_FUZZ_RUNS=200000 cargo test -p doudi-exchange --test it --release -- fuzz`.

use chrono::NaiveDate;
use doudi_core::{IdNumber, Month, TownshipTable};
use doudi_exchange::{parse_households, read, template_table, to_csv};

use crate::support::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

/// Pieces that parsers choke on, spliced into inputs.
const TOKENS: &[&[u8]] = &[
    "年".as_bytes(),
    "月".as_bytes(),
    "２".as_bytes(),
    "Ｘ".as_bytes(),
    "é".as_bytes(),
    "\u{feff}".as_bytes(),
    b"\0",
    b"\xff",
    b"\xe5\xb9",
    b"-",
    b"/",
    b".",
    b"X",
    b"x",
    b" ",
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b":",
    "：".as_bytes(),
    b"99999999999999999999",
    b"-0",
    b"19000101",
    b"99991231",
    b"20260230",
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn identity_number_parsing_never_panics() {
    let corpus: Vec<&[u8]> = vec![
        b"500235195612150133",
        b"50023519561215013X",
        b"500235561215013",
        "５００２３５１９５６１２１５０１３３".as_bytes(),
        "年年年年年年年年年年年年年年年年年年".as_bytes(),
        b"",
        b"X00000000000000000",
        b"000000000000000000",
        b"500235999912310133",
        b"50023500000000013X",
        b"5002351956121501\xe5\xb9",
    ];
    let mut rng = Rng::new(seed());
    for i in 0..runs(20_000) {
        let base = corpus[rng.below(corpus.len())];
        let input = if i % 10 == 0 {
            (0..rng.below(40)).map(|_| rng.next() as u8).collect()
        } else {
            rng.mutate(base, TOKENS)
        };
        let input = text(&input);
        if let Ok(id) = IdNumber::parse(&input, today()) {
            // A parsed number is valid by construction: every accessor works.
            let _ = (id.area_code(), id.birth_date(), id.sex(), id.masked());
            assert_eq!(id.as_str().len(), 18, "input {i}: {input:?}");
        }
    }
}

#[test]
fn month_parsing_never_panics_and_round_trips() {
    let corpus: Vec<&[u8]> = vec![
        b"2026-05",
        b"2026-5",
        b"2026/05",
        b"202605",
        b"2026.05",
        "年月".as_bytes(),
        "２０２６０５".as_bytes(),
        b"9999-12",
        b"1900-01",
        b"",
        b"-",
        b"000000",
    ];
    let mut rng = Rng::new(seed() ^ 1);
    for i in 0..runs(20_000) {
        let base = corpus[rng.below(corpus.len())];
        let input = text(&rng.mutate(base, TOKENS));
        if let Ok(month) = Month::parse(&input) {
            assert_eq!(
                Month::parse(&month.to_string()),
                Ok(month),
                "input {i}: {input:?}"
            );
            let _ = (month.first_day(), month.minus(1), month.minus(10_000));
        }
    }
}

#[test]
fn reading_mutated_csv_files_never_panics() {
    let template = to_csv(&template_table());
    let header_only: Vec<u8> = template.split(|b| *b == b'\n').next().unwrap().to_vec();
    let corpus: Vec<Vec<u8>> = vec![
        template.clone(),
        header_only,
        "户编号,工资性收入:年月\nA1,1\n".as_bytes().to_vec(),
        b"\"\"\"\n,\n".to_vec(),
    ];
    let divisions = TownshipTable::yunyang().townships;
    let mut rng = Rng::new(seed() ^ 2);
    for i in 0..runs(1_500) {
        let base = &corpus[rng.below(corpus.len())];
        let input = rng.mutate(base, TOKENS);
        if let Ok(sheet) = read::read_csv(&input) {
            let outcome = parse_households(&sheet, &divisions, today());
            if let Ok(parsed) = outcome {
                assert!(parsed.households.len() <= parsed.rows_read, "input {i}");
            }
        }
    }
}

#[test]
fn reading_mutated_xlsx_files_never_panics() {
    let template = template_xlsx();
    let sheet = template_sheet_xml();
    let divisions = TownshipTable::yunyang().townships;
    let xml_tokens: &[&[u8]] = &[
        b"<c r=\"XFD1048576\"><v>1</v></c>",
        b"<c r=\"A99999999999\"><v>1</v></c>",
        b"<c t=\"s\"><v>4294967295</v></c>",
        b"<row r=\"0\">",
        b"</row>",
        b"<v>",
        b"</c>",
        b"r=\"",
        b"t=\"e\"",
        b"&#0;",
        b"&amp;",
        "年月".as_bytes(),
        b"\0",
    ];
    let mut rng = Rng::new(seed() ^ 3);
    for i in 0..runs(300) {
        // Mutating the ZIP itself mostly tests the checksum; mutating the worksheet inside a
        // sound ZIP reaches calamine's XML reading.
        let input = if i % 3 == 0 {
            rng.mutate(&template, TOKENS)
        } else {
            xlsx_with_sheet(&rng.mutate(&sheet, xml_tokens))
        };
        match read::read_xlsx(&input) {
            Ok(sheet) => {
                let _ = parse_households(&sheet, &divisions, today());
            }
            Err(e) if e.to_string().contains(read::XLSX_PANICKED) => {
                if let Ok(dir) = std::env::var("DOUDI_FUZZ_DUMP") {
                    std::fs::write(format!("{dir}/xlsx-{i}.xlsx"), &input).unwrap();
                }
                panic!("input {i}: calamine panicked on a file the checks let through");
            }
            Err(e) => assert!(
                !e.to_string().contains(read::XLSX_PANICKED),
                "input {i}: calamine panicked on a file the checks let through"
            ),
        }
    }
}
