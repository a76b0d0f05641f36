//! Malformed files: each gives a clear error, or rows with their errors, and never a panic, an
//! abort or an allocation of gigabytes (issue 10, item 4: 3 of 27 malformed files crashed the
//! import; a 1.5 KB XLSX aborted the process).

use chrono::NaiveDate;
use doudi_core::{Division, TownshipTable};
use doudi_exchange::read::{self, FileError};
use doudi_exchange::{parse_households, read_file};

use crate::support::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn divisions() -> Vec<Division> {
    TownshipTable::yunyang().townships
}

/// Reads a file the way `doudi import` does, through to households; the message of the error,
/// or the row errors.
fn import(name: &str, bytes: &[u8]) -> Result<Vec<String>, String> {
    let sheet = read_file(name, bytes).map_err(|e| e.to_string())?;
    let parsed = parse_households(&sheet, &divisions(), today()).map_err(|e| e.to_string())?;
    Ok(parsed.errors.iter().map(ToString::to_string).collect())
}

fn refused(name: &str, bytes: &[u8]) -> String {
    match import(name, bytes) {
        Err(message) => {
            assert!(
                !message.contains(read::XLSX_PANICKED),
                "{name}: calamine panicked (the checks before it missed something)"
            );
            message
        }
        Ok(errors) => panic!("{name} was read, with row errors {errors:?}"),
    }
}

#[test]
fn an_xlsx_declaring_seventeen_billion_cells_is_refused_by_place_without_allocating_them() {
    // One cell in A1 and one in the last cell of a sheet, XFD1048576: calamine's dense range
    // of this 1.5 KB file is 16384 × 1048576 cells.
    let xml = sheet_xml(
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>户编号</t></is></c></row>\
         <row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
    );
    let message = refused("huge.xlsx", &xlsx_with_sheet(&xml));
    assert!(
        message.contains("第1048576行第16384列") && message.contains("超出"),
        "{message}"
    );
}

#[test]
fn a_declared_dimension_of_the_whole_sheet_is_harmless() {
    let xml = String::from_utf8(sheet_xml(
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>户编号</t></is></c></row>\
         <row r=\"1048576\"><c r=\"A1048576\"><v>1</v></c></row>",
    ))
    .unwrap()
    .replace(
        "<sheetData>",
        "<dimension ref=\"A1:XFD1048576\"/><sheetData>",
    );
    let sheet = read::read_xlsx(&xlsx_with_sheet(xml.as_bytes())).unwrap();
    assert_eq!(sheet.headers, vec!["户编号"]);
    assert_eq!(sheet.rows.len(), 1);
    assert_eq!(sheet.rows[0].0, 1_048_576, "the row keeps its number");
}

#[test]
fn an_xlsx_whose_parts_declare_gigabytes_is_refused_before_expanding() {
    let mut bytes = template_xlsx();
    // Patch the uncompressed size of every entry of the central directory (signature
    // PK\x01\x02, size at offset 24) to almost 4 GB, as a zip bomb declares it.
    let mut i = 0;
    let mut patched = 0;
    while i + 28 <= bytes.len() {
        if bytes[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
            bytes[i + 24..i + 28].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
            patched += 1;
            i += 46;
        } else {
            i += 1;
        }
    }
    assert!(patched > 1);
    let message = refused("bomb.xlsx", &bytes);
    assert!(message.contains("解压后过大"), "{message}");
}

#[test]
fn broken_xlsx_files_each_give_an_error_naming_the_problem() {
    let template = template_xlsx();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        (
            "binary garbage",
            (0..1500u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        ("truncated zip", template[..template.len() / 2].to_vec()),
        (
            "a CSV named .xlsx",
            "户编号,姓名\nA1,张三\n".as_bytes().to_vec(),
        ),
        ("a zip without a workbook", {
            use std::io::Write;
            let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            w.start_file("hello.txt", zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(b"hello").unwrap();
            w.finish().unwrap().into_inner()
        }),
        ("truncated worksheet XML", {
            let xml = template_sheet_xml();
            xlsx_with_sheet(&xml[..xml.len() / 2])
        }),
        (
            "a worksheet that is not XML",
            xlsx_with_sheet(b"\xff\xfe\x00garbage<<<"),
        ),
        (
            "a row number beyond u32",
            xlsx_with_sheet(&sheet_xml(
                "<row r=\"99999999999\"><c r=\"A99999999999\"><v>1</v></c></row>",
            )),
        ),
        (
            "a column beyond u32",
            xlsx_with_sheet(&sheet_xml(
                "<row r=\"1\"><c r=\"ZZZZZZZZZZZZ1\"><v>1</v></c></row>",
            )),
        ),
        ("an empty worksheet", xlsx_with_sheet(&sheet_xml(""))),
    ];
    for (what, bytes) in cases {
        let message = refused("file.xlsx", &bytes);
        assert!(
            message.contains("Excel") || message.contains("文件") || message.contains("表头"),
            "{what}: {message}"
        );
    }
}

#[test]
fn a_shared_string_past_the_table_after_a_stray_cell_before_the_sheet_data_is_refused_not_a_panic()
{
    // Found by the household_file fuzz target (fuzz/): a `<c>` before `<sheetData>` hid the
    // cells after it from the checks, and calamine panicked on the shared string 102.
    let xml = br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c><sheetData><row r="1"><c r="A1" t="s"><v>102</v></c></row></sheetData></c></worksheet>"#;
    let message = refused("stray.xlsx", &xlsx_with_sheet(xml));
    assert!(message.contains("共享文本"), "{message}");
}

#[test]
fn odd_but_readable_xlsx_cells_become_row_errors_not_crashes() {
    let cases = [
        // A shared string index past the end of the table.
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>99999</v></c></row>",
        // A cell without a reference, a negative index, a formula error, a date out of range.
        "<row r=\"1\"><c t=\"inlineStr\"><is><t>户编号</t></is></c><c t=\"s\"><v>-1</v></c></row>\
         <row r=\"2\"><c t=\"e\"><v>#DIV/0!</v></c><c s=\"1\"><v>1e308</v></c></row>",
        // A header of a month no calendar has.
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>工资性收入:年月</t></is></c></row>",
    ];
    for rows in cases {
        // Either outcome is fine, as long as calamine did not panic on the way.
        if let Err(message) = import("odd.xlsx", &xlsx_with_sheet(&sheet_xml(rows))) {
            assert!(!message.contains(read::XLSX_PANICKED), "{rows}: {message}");
        }
    }
}

#[test]
fn a_csv_header_with_a_month_written_in_chinese_is_a_header_error() {
    let csv = "户编号,乡镇（街道）,社区,救助类别,纳入日期,住址,住房情况,姓名,身份证号码,与户主关系,工资性收入:年月\n";
    let message = refused("file.csv", csv.as_bytes());
    assert!(
        message.contains("工资性收入:年月") && message.contains("无法识别"),
        "{message}"
    );
    // The same with the full-width colon, and with a month of six multi-byte characters.
    for header in ["工资性收入：年月", "工资性收入:２０２６年５月", "年月"] {
        let csv = format!("户编号,{header}\n");
        let message = refused("file.csv", csv.as_bytes());
        assert!(message.contains("表头"), "{header}: {message}");
    }
}

#[test]
fn broken_csv_files_each_give_an_error_or_row_errors() {
    let header =
        "户编号,乡镇（街道）,社区,救助类别,纳入日期,住址,住房情况,姓名,身份证号码,与户主关系";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("only a byte-order mark", b"\xef\xbb\xbf".to_vec()),
        ("binary garbage", (0..1500u32).map(|i| (i * 7919 % 251) as u8).collect()),
        ("an unbalanced quote", format!("{header}\nA1,\"青龙街道\n").into_bytes()),
        ("a NUL in a cell", format!("{header}\nA1,青龙街道,复兴社区,城市低保,2024-03-01,滨江\0路,自有住房,张三,500235198001011234,户主\n").into_bytes()),
        ("a row of a thousand columns", format!("{header}\n{}\n", "x,".repeat(1000)).into_bytes()),
        ("a one-megabyte cell", format!("{header}\nA1,{}\n", "年".repeat(350_000)).into_bytes()),
        ("UTF-16", "户编号,姓名\n".encode_utf16().flat_map(u16::to_le_bytes).collect()),
        ("an XLSX named .csv", template_xlsx()),
    ];
    for (what, bytes) in cases {
        match import("file.csv", &bytes) {
            Err(message) => assert!(!message.is_empty(), "{what}"),
            Ok(errors) => assert!(!errors.is_empty(), "{what}: read without a single error"),
        }
    }
}

#[test]
fn a_nul_in_a_cell_is_refused_by_row_and_column() {
    let csv = "户编号,乡镇（街道）,社区,救助类别,纳入日期,住址,住房情况,姓名,身份证号码,与户主关系\n\
               A1,青龙街道,复兴社区,城市低保,2024-03-01,滨江\0路,自有住房,张三,500235198001011234,户主\n";
    let sheet = read::read_csv(csv.as_bytes()).unwrap();
    let parsed = parse_households(&sheet, &divisions(), today()).unwrap();
    assert!(parsed.households.is_empty());
    let errors: Vec<String> = parsed.errors.iter().map(ToString::to_string).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("第2行「住址」列") && e.contains("控制字符")),
        "{errors:?}"
    );
}

#[test]
fn a_file_that_is_neither_csv_nor_xlsx_is_named() {
    assert!(matches!(
        read_file("households.xls", b"\xd0\xcf\x11\xe0"),
        Err(FileError::UnknownFormat(ext)) if ext == "xls"
    ));
}
