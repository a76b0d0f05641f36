//! Seeded fuzz runs on the stable toolchain: random and mutated inputs, seeded with a corpus of
//! nasty cases, for the parsers an outsider's bytes reach: identity numbers, months, CSV and
//! XLSX household files, the bank's results and the rural registry. The property is only that each input gives a value or an error: a
//! panic fails the test (and names the input's index, reproduced by the fixed seed).
//!
//! `DOUDI_FUZZ_RUNS` sets the number of inputs per target (defaults keep the suite fast),
//! `DOUDI_FUZZ_SEED` another seed; for example
//! `DOUDI_FUZZ_RUNS=200000 cargo test -p doudi-exchange --test it --release -- fuzz`.

use chrono::NaiveDate;
use doudi_core::{IdNumber, Month, TownshipTable};
use doudi_exchange::bank::{BankLine, bank_table, parse_results};
use doudi_exchange::rural::parse_rural;
use doudi_exchange::{Refused, parse_households, read, template_table, to_csv, to_xlsx};

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

/// A bank file sent back with two result columns, as the bank returns it.
fn results_csv() -> Vec<u8> {
    let line = |id| BankLine {
        id,
        household_number: "A1",
        payee: "张三",
        bank_account: "6217000000000000001",
        program: "城市低保",
        amount: doudi_core::Money::from_fen(50_000),
        status: "待发放",
    };
    let mut text = String::from_utf8(to_csv(&bank_table(&[line(1), line(2)]).unwrap())).unwrap();
    text = text.replacen('\n', ",结果,失败原因\n", 1);
    text.replace(",待发放\n", ",待发放,失败,账户已销户\n")
        .into_bytes()
}

/// Checks what a list reader promises: refused with rows only when there are bad rows, each
/// named by one of the sheet's data rows.
fn check_refusal(refused: Refused, sheet: &read::Sheet, i: usize) {
    if let Refused::Rows(rows) = refused {
        assert!(!rows.is_empty(), "input {i}: refused without a row");
        assert!(
            rows.iter()
                .all(|r| sheet.rows.iter().any(|(row, _)| *row == r.row)),
            "input {i}: {rows:?}"
        );
    }
}

#[test]
fn reading_mutated_bank_results_never_panics_and_never_half_accepts() {
    let (gb, _, _) =
        encoding_rs::GB18030.encode("名册编号,结果,失败原因\n3,失败,账户冻结\n合计,1笔,\n");
    let corpus: Vec<Vec<u8>> = vec![
        results_csv(),
        gb.into_owned(),
        "名册编号,结果\n1,成功\n1,成功\n".as_bytes().to_vec(),
        "结果,名册编号,结果\n成功,1,失败\n".as_bytes().to_vec(),
    ];
    let mut rng = Rng::new(seed() ^ 4);
    for i in 0..runs(3_000) {
        let base = &corpus[rng.below(corpus.len())];
        let input = rng.mutate(base, TOKENS);
        let Ok(sheet) = read::read_csv(&input) else {
            continue;
        };
        match parse_results(&sheet) {
            Ok(results) => {
                let mut ids: Vec<i64> = results.iter().map(|r| r.payment).collect();
                ids.sort_unstable();
                ids.dedup();
                assert_eq!(ids.len(), results.len(), "input {i}: a repeated line");
                assert!(results.iter().all(|r| r.payment > 0), "input {i}");
                assert!(
                    results
                        .iter()
                        .filter_map(|r| r.failure.as_deref())
                        .all(|f| !f.contains('\0')),
                    "input {i}: a NUL reached the results"
                );
            }
            Err(refused) => check_refusal(refused, &sheet, i),
        }
    }
}

#[test]
fn reading_mutated_rural_registries_never_panics() {
    let corpus: Vec<Vec<u8>> = vec![
        "姓名,身份证号码,村\n张某,500235195612150133,某村\n李某,11010519491231002X,外县\n"
            .as_bytes()
            .to_vec(),
        "身份证号\n500235195612150133\n500235195612150133\n\n"
            .as_bytes()
            .to_vec(),
        encoding_rs::GB18030
            .encode("身份证号码\n５００２３５１９５６１２１５０１３３\n")
            .0
            .into_owned(),
    ];
    let mut rng = Rng::new(seed() ^ 5);
    for i in 0..runs(3_000) {
        let base = &corpus[rng.below(corpus.len())];
        let input = rng.mutate(base, TOKENS);
        let Ok(sheet) = read::read_csv(&input) else {
            continue;
        };
        match parse_rural(&sheet, today()) {
            Ok(registry) => {
                let mut ids = registry.ids.clone();
                ids.sort();
                ids.dedup();
                assert_eq!(ids.len(), registry.ids.len(), "input {i}: a person twice");
                assert!(
                    registry.ids.len() + registry.duplicates + registry.blank <= sheet.rows.len()
                );
            }
            Err(refused) => check_refusal(refused, &sheet, i),
        }
    }
}

#[test]
fn reading_mutated_xlsx_results_and_registries_never_panics() {
    let results = read::read_csv(&results_csv()).unwrap();
    let table = doudi_exchange::Table {
        headers: results.headers.clone(),
        rows: results
            .rows
            .iter()
            .map(|(_, cells)| {
                cells
                    .iter()
                    .map(|c| doudi_exchange::write::OutCell::Text(c.text.clone()))
                    .collect()
            })
            .collect(),
    };
    let xlsx = to_xlsx(&table, false).unwrap();
    let mut rng = Rng::new(seed() ^ 6);
    for i in 0..runs(300) {
        let input = rng.mutate(&xlsx, TOKENS);
        match read::read_xlsx(&input) {
            Ok(sheet) => {
                if let Err(refused) = parse_results(&sheet) {
                    check_refusal(refused, &sheet, i);
                }
                if let Err(refused) = parse_rural(&sheet, today()) {
                    check_refusal(refused, &sheet, i);
                }
            }
            Err(e) => assert!(
                !e.to_string().contains(read::XLSX_PANICKED),
                "input {i}: calamine panicked on a file the checks let through"
            ),
        }
    }
}
