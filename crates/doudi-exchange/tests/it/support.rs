//! A seeded generator for the fuzz runs, and XLSX files built around a worksheet's XML.

use std::io::{Cursor, Read, Write};

use doudi_exchange::{template_table, to_xlsx};

/// A tiny seeded generator (xorshift64*): deterministic, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Mutates bytes the way fuzzers do: flip, insert, delete, duplicate or splice in a
    /// token, a few times.
    pub fn mutate(&mut self, input: &[u8], tokens: &[&[u8]]) -> Vec<u8> {
        let mut out = input.to_vec();
        for _ in 0..1 + self.below(4) {
            let at = self.below(out.len() + 1);
            match self.below(6) {
                0 if !out.is_empty() => {
                    let i = at.min(out.len() - 1);
                    out[i] ^= 1 << self.below(8);
                }
                1 => out.insert(at, self.next() as u8),
                2 if at < out.len() => {
                    let end = (at + 1 + self.below(8)).min(out.len());
                    out.drain(at..end);
                }
                3 => {
                    let token = self.pick(tokens);
                    out.splice(at..at, token.iter().copied());
                }
                4 if at < out.len() => {
                    let end = (at + 1 + self.below(16)).min(out.len());
                    let copy = out[at..end].to_vec();
                    out.splice(at..at, copy);
                }
                _ => out.truncate(at),
            }
        }
        out
    }
}

/// How many inputs a fuzz run tries: `DOUDI_FUZZ_RUNS`, or a number cheap enough for every run
/// of the test suite.
pub fn runs(default: usize) -> usize {
    std::env::var("DOUDI_FUZZ_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The seed: `DOUDI_FUZZ_SEED`, or a fixed one so that a failure repeats.
pub fn seed() -> u64 {
    std::env::var("DOUDI_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_2026)
}

/// The XLSX template, as written for users.
pub fn template_xlsx() -> Vec<u8> {
    to_xlsx(&template_table(), false).expect("the template writes")
}

/// The name of the first worksheet's part in an XLSX file.
pub fn sheet_part(xlsx: &[u8]) -> String {
    let archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut names: Vec<&str> = archive
        .file_names()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
        .collect();
    names.sort_unstable();
    names[0].to_owned()
}

/// The template's first worksheet XML.
pub fn template_sheet_xml() -> Vec<u8> {
    let xlsx = template_xlsx();
    let part = sheet_part(&xlsx);
    let mut archive = zip::ZipArchive::new(Cursor::new(&xlsx)).unwrap();
    let mut xml = Vec::new();
    archive
        .by_name(&part)
        .unwrap()
        .read_to_end(&mut xml)
        .unwrap();
    xml
}

/// The template with its first worksheet replaced by `sheet`.
pub fn xlsx_with_sheet(sheet: &[u8]) -> Vec<u8> {
    let xlsx = template_xlsx();
    let part = sheet_part(&xlsx);
    let mut archive = zip::ZipArchive::new(Cursor::new(&xlsx)).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let file = archive.by_index_raw(i).unwrap();
        if file.name() == part {
            continue;
        }
        writer.raw_copy_file(file).unwrap();
    }
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file(part, options).unwrap();
    writer.write_all(sheet).unwrap();
    writer.finish().unwrap().into_inner()
}

/// A worksheet XML holding the given `<row>` elements.
pub fn sheet_xml(rows: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <sheetData>{rows}</sheetData></worksheet>"
    )
    .into_bytes()
}
