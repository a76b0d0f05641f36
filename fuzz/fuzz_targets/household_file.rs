//! A household import file, read three ways: as CSV, as an XLSX file, and as the worksheet XML
//! inside the template's sound ZIP (so that the bytes reach calamine's XML reading instead of
//! stopping at the ZIP's checksums). Each gives households, row errors or a refused file, never
//! a panic; calamine panicking on a file `read_xlsx`'s checks let through is a failure too (the
//! seeded fuzz tests in `crates/doudi-exchange/tests/it/fuzz.rs` hold the same line).

#![no_main]

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use chrono::NaiveDate;
use doudi_core::{Division, TownshipTable};
use doudi_exchange::{Sheet, parse_households, read, template_table, to_xlsx};
use libfuzzer_sys::fuzz_target;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date")
}

fn divisions() -> &'static [Division] {
    static DIVISIONS: OnceLock<Vec<Division>> = OnceLock::new();
    DIVISIONS.get_or_init(|| TownshipTable::yunyang().townships)
}

/// The XLSX template as written for users, and the name of its first worksheet's part.
fn template() -> &'static (Vec<u8>, String) {
    static TEMPLATE: OnceLock<(Vec<u8>, String)> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let xlsx = to_xlsx(&template_table(), false).expect("the template writes");
        let archive = zip::ZipArchive::new(Cursor::new(&xlsx)).expect("the template is a ZIP");
        let mut names: Vec<&str> = archive
            .file_names()
            .filter(|n| n.starts_with("xl/worksheets/sheet"))
            .collect();
        names.sort_unstable();
        let part = names[0].to_owned();
        (xlsx, part)
    })
}

/// The template with its first worksheet replaced by `sheet` (stored, not compressed).
fn xlsx_with_sheet(sheet: &[u8]) -> Vec<u8> {
    let (xlsx, part) = template();
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).expect("the template is a ZIP");
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i).expect("a part");
        if file.name() == part {
            continue;
        }
        writer.raw_copy_file(file).expect("copied");
    }
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file(part.as_str(), options).expect("a part");
    writer.write_all(sheet).expect("written");
    writer.finish().expect("finished").into_inner()
}

fn households(sheet: &Sheet) {
    if let Ok(parsed) = parse_households(sheet, divisions(), today()) {
        assert!(parsed.households.len() <= parsed.rows_read);
    }
}

fn xlsx(bytes: &[u8]) {
    match read::read_xlsx(bytes) {
        Ok(sheet) => households(&sheet),
        Err(e) => assert!(
            !e.to_string().contains(read::XLSX_PANICKED),
            "calamine panicked on a file the checks let through"
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(sheet) = read::read_csv(data) {
        households(&sheet);
    }
    if data.starts_with(b"PK") {
        xlsx(data);
    } else {
        xlsx(&xlsx_with_sheet(data));
    }
});
