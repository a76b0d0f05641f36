//! The county's other files, read as a sheet the way the seeded fuzz tests read them (CSV, or
//! XLSX when the bytes are a ZIP): a department's feed of every kind, the bank's results and
//! the rural registry; and each line of the text as a line of the published JSON-lines input
//! (`doudi eval`). Each gives records or a refusal naming the sheet's own rows, never a panic.

#![no_main]

use chrono::NaiveDate;
use doudi_core::discovery::FeedKind;
use doudi_exchange::bank::parse_results;
use doudi_exchange::feed::{FeedMapping, parse_feed};
use doudi_exchange::rural::parse_rural;
use doudi_exchange::{Refused, Sheet, read};
use doudi_policy::jsonl::parse_line;
use libfuzzer_sys::fuzz_target;

/// What a list reader promises: refused with rows only when there are bad rows, each one of
/// the sheet's data rows.
fn check_refusal(refused: &Refused, sheet: &Sheet) {
    if let Refused::Rows(rows) = refused {
        assert!(!rows.is_empty(), "refused without a row");
        assert!(
            rows.iter()
                .all(|r| sheet.rows.iter().any(|(row, _)| *row == r.row)),
            "a refusal names a row the sheet does not have"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date");
    let sheet = if data.starts_with(b"PK") {
        read::read_xlsx(data)
    } else {
        read::read_csv(data)
    };
    if let Ok(sheet) = sheet {
        let mapping = FeedMapping::default();
        for kind in FeedKind::ALL {
            match parse_feed(&sheet, *kind, &mapping, today) {
                Ok(records) => assert!(records.len() <= sheet.rows.len()),
                Err(refused) => check_refusal(&refused, &sheet),
            }
        }
        match parse_results(&sheet) {
            Ok(results) => assert!(results.iter().all(|r| r.payment > 0)),
            Err(refused) => check_refusal(&refused, &sheet),
        }
        match parse_rural(&sheet, today) {
            Ok(registry) => assert!(registry.ids.len() <= sheet.rows.len()),
            Err(refused) => check_refusal(&refused, &sheet),
        }
    }
    for line in String::from_utf8_lossy(data).lines().take(64) {
        let _ = parse_line(line);
    }
});
