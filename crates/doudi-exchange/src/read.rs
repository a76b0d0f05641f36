//! Reading household files: CSV (UTF-8, or GB18030 as Excel in China saves it) and XLSX into
//! [`NewHousehold`]s, with every problem reported by row, column and reason.
//!
//! A household is accepted only when every one of its rows is good; nothing about a bad
//! household is half-taken.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

use chrono::NaiveDate;
use doudi_core::date::parse_day;
use doudi_core::household::parse_household_number;
use doudi_core::labels::parse_list;
use doudi_core::{
    Asset, BankAccount, CarriedEntitlement, Category, Disability, DisabilityGrade, DisabilityKind,
    Division, DivisionCode, DivisionKind, Employment, Expense, HealthInsurance, HouseholdFields,
    Housing, IdNumber, Income, Money, Month, Need, NewHousehold, PersonFields, PersonId,
    PersonName, Phone, PovertyCause, Relation, SchoolStage, SelfCare, SpecialDisease, Survey,
    WorkCapacity, age_on,
};

use crate::layout::{COLUMNS, Col, ColSpec, DynamicCol, spec};
use crate::write::unneutralised;

/// One cell as read, in text, with a note when a spreadsheet stored a long number as a float.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// The cell's text, trimmed.
    pub text: String,
    /// The spreadsheet stored this as a number too long to keep exactly (an identity number or
    /// account typed into a numeric cell): its digits are not trustworthy.
    pub lossy_number: bool,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell {
            text: s.trim().to_owned(),
            lossy_number: false,
        }
    }
}

/// A sheet of cells: the header row, then data rows with their 1-based row numbers in the file.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    /// Header texts.
    pub headers: Vec<String>,
    /// Data rows: (row number as the user sees it, cells).
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// A problem at one place in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// The row as the user sees it (the header is row 1).
    pub row: usize,
    /// The column header ("" when the problem is the whole row).
    pub column: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "第{}行：{}", self.row, self.message)
        } else {
            write!(f, "第{}行「{}」列：{}", self.row, self.column, self.message)
        }
    }
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Not a readable CSV.
    #[error("无法读取CSV文件：{0}")]
    Csv(String),
    /// Not a readable spreadsheet.
    #[error("无法读取Excel文件：{0}")]
    Xlsx(String),
    /// Neither .csv nor .xlsx.
    #[error("不支持的文件类型“{0}”（仅支持 .csv 和 .xlsx）")]
    UnknownFormat(String),
    /// The file has no rows.
    #[error("文件为空（没有表头行）")]
    Empty,
    /// The header row is wrong: missing, unknown or repeated columns.
    #[error("表头有误：{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("；"))]
    Header(Vec<RowError>),
}

/// Reads a CSV file. A UTF-8 byte-order mark is skipped; a file that is not UTF-8 is read as
/// GB18030, which is what Excel in China writes.
pub fn read_csv(bytes: &[u8]) -> Result<Sheet, FileError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s.trim_start_matches('\u{feff}')),
        Err(_) => encoding_rs::GB18030.decode(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheet = Sheet::default();
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line() as usize);
                if first {
                    // `unneutralised`: the `'` our CSV writer puts before a text that a
                    // spreadsheet would run as a formula is not part of the text.
                    sheet.headers = record
                        .iter()
                        .map(|h| unneutralised(h.trim()).to_owned())
                        .collect();
                    first = false;
                } else if record.iter().any(|c| !c.trim().is_empty()) {
                    sheet.rows.push((
                        line,
                        record
                            .iter()
                            .map(|c| Cell::from(unneutralised(c)))
                            .collect(),
                    ));
                }
            }
            Err(e) => return Err(FileError::Csv(e.to_string())),
        }
    }
    if first {
        return Err(FileError::Empty);
    }
    Ok(sheet)
}

/// The largest XLSX file read (a county's whole registry of 300,000 members is about 40 MB).
pub const MAX_XLSX_BYTES: usize = 256 * 1024 * 1024;

/// The most that the parts of an XLSX file may expand to, as its ZIP directory declares them:
/// a few hundred kilobytes can otherwise expand to gigabytes (a "zip bomb").
pub const MAX_XLSX_EXPANDED: u64 = 2 * 1024 * 1024 * 1024;

/// The most columns a household file may use; the layout has fewer than a hundred, plus a
/// column per income, expense and asset kind per month.
pub const MAX_COLUMNS: u32 = 2048;

/// Reads the first worksheet of an XLSX file.
///
/// The worksheet is read cell by cell into the rows that hold something, never as calamine's
/// dense range: a 1.5 KB file with one cell in A1 and one in XFD1048576 declares a range of
/// seventeen billion cells, and allocating it aborted the process. Before that, the file's size
/// and the sizes its ZIP directory declares are checked, and a cell beyond [`MAX_COLUMNS`] is
/// refused by its place. calamine's own parsing of a damaged file can still overflow an
/// integer, which panics in a debug build; that is caught and reported as a damaged file.
pub fn read_xlsx(bytes: &[u8]) -> Result<Sheet, FileError> {
    if bytes.len() > MAX_XLSX_BYTES {
        return Err(FileError::Xlsx(format!(
            "文件过大（{} MB，最大 {} MB），请分成几个文件导入",
            bytes.len() / (1024 * 1024),
            MAX_XLSX_BYTES / (1024 * 1024)
        )));
    }
    check_zip(bytes)?;
    check_parts(bytes)?;
    std::panic::catch_unwind(|| read_xlsx_cells(bytes))
        .unwrap_or_else(|_| Err(FileError::Xlsx(XLSX_PANICKED.into())))
}

/// What a file that made calamine panic is told. The checks before calamine runs are meant to
/// leave nothing that does; the fuzz tests fail when they see this message.
pub const XLSX_PANICKED: &str = "文件内容已损坏，无法解析（请用 Excel 打开后另存为 .xlsx 再导入）";

/// Checks that the bytes are a ZIP archive whose parts, as declared, expand to at most
/// [`MAX_XLSX_EXPANDED`].
fn check_zip(bytes: &[u8]) -> Result<(), FileError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        FileError::Xlsx(format!(
            "不是有效的 .xlsx 文件（文件不完整或不是 Excel 文件：{e}）"
        ))
    })?;
    let mut expanded: u64 = 0;
    for i in 0..archive.len() {
        let part = archive
            .by_index_raw(i)
            .map_err(|e| FileError::Xlsx(format!("文件的第{}个部件已损坏：{e}", i + 1)))?;
        expanded = expanded.saturating_add(part.size());
    }
    if expanded > MAX_XLSX_EXPANDED {
        return Err(FileError::Xlsx(format!(
            "文件解压后过大（声明为 {} MB，最大 {} MB），可能已损坏或为恶意文件",
            expanded / (1024 * 1024),
            MAX_XLSX_EXPANDED / (1024 * 1024)
        )));
    }
    Ok(())
}

/// Expands every part of the archive once, counting what it really expands to (the declared
/// sizes can lie), and checks what calamine trusts in the worksheets:
/// - every cell reference (`r="…"`, `ref="…"`): calamine adds up a reference's digits in a
///   `u32` without checking, so `A99999999999` overflowed and panicked (Excel's own limits are
///   three letters, XFD, and seven digits, 1048576);
/// - every shared-string cell's index: calamine indexes the table of shared strings without
///   checking, so `<c t="s"><v>99999</v></c>` panicked.
///
/// It costs a second expansion and parse of the worksheet: on a 100,000-row file (6 MB) reading
/// took 2.1 s instead of 1.4 s in a release build (`tests/it/measure.rs`).
fn check_parts(bytes: &[u8]) -> Result<(), FileError> {
    let damaged = |e: &dyn std::fmt::Display| FileError::Xlsx(format!("文件已损坏：{e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
    let mut expanded: u64 = 0;
    let mut shared_strings: Option<usize> = None;
    // The highest shared-string index a cell uses, and where.
    let mut highest: Option<(usize, String)> = None;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|e| damaged(&e))?;
        let name = part.name().to_owned();
        let mut counted = Counted {
            inner: part,
            count: &mut expanded,
        };
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            if let Some(found) = scan_worksheet(std::io::BufReader::new(&mut counted))?
                && highest.as_ref().is_none_or(|(h, _)| found.0 > *h)
            {
                highest = Some(found);
            }
        } else if name.ends_with("sharedStrings.xml") {
            shared_strings = Some(count_shared_strings(std::io::BufReader::new(&mut counted)));
        }
        // Whatever the scan left unread still counts towards the size.
        std::io::copy(&mut counted, &mut std::io::sink()).map_err(|e| damaged(&e))?;
    }
    if let Some((index, place)) = highest
        && index >= shared_strings.unwrap_or(0)
    {
        return Err(FileError::Xlsx(format!(
            "单元格{place}引用的共享文本（第{}项）不存在，文件已损坏",
            index.saturating_add(1)
        )));
    }
    Ok(())
}

/// A part being expanded, counting its bytes against [`MAX_XLSX_EXPANDED`].
struct Counted<'c, R> {
    inner: R,
    count: &'c mut u64,
}

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.count = self.count.saturating_add(n as u64);
        if *self.count > MAX_XLSX_EXPANDED {
            return Err(std::io::Error::other(format!(
                "解压后超过 {} MB，可能为恶意文件",
                MAX_XLSX_EXPANDED / (1024 * 1024)
            )));
        }
        Ok(n)
    }
}

/// How many `<si>` entries the shared-string table has (what calamine reads into its table).
fn count_shared_strings(reader: impl std::io::BufRead) -> usize {
    use quick_xml::events::Event;
    let mut xml = calamine_like(reader);
    let mut buf = Vec::new();
    let mut count = 0;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"si" => {
                count += 1;
            }
            // A broken table is calamine's to report.
            Ok(Event::Eof) | Err(_) => return count,
            _ => {}
        }
    }
}

/// An XML reader configured as calamine configures its own, so that both see the same events
/// (calamine does not check end tags, for one).
fn calamine_like<R: std::io::BufRead>(reader: R) -> quick_xml::Reader<R> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// Checks a worksheet's references; returns the highest shared-string index its cells use,
/// with the cell's place. It follows calamine's reading of cells step by step: everything
/// before `<sheetData>` is skipped (a `<c>` there is no cell to calamine, and what it holds is
/// not read), cells end at `</sheetData>`, a `<v>` is all the text up to the next end tag of the
/// same name, whatever lies between, and an `<f>` or `<is>` is skipped the way calamine skips
/// it (nested elements of the same name included). XML that calamine would refuse is left for
/// calamine to report. Cell references are checked on every element, wherever it is. Nothing
/// is allocated per cell: this runs over every cell of a file before calamine reads it again.
fn scan_worksheet(reader: impl std::io::BufRead) -> Result<Option<(usize, String)>, FileError> {
    use quick_xml::events::Event;
    use quick_xml::name::QName;
    let mut xml = calamine_like(reader);
    let mut buf = Vec::new();
    let mut inner = Vec::new();
    let mut text = String::new();
    let mut highest: Option<(usize, String)> = None;
    let mut stage = Stage::BeforeCells;
    // Inside a cell: whether it holds a shared string. Its reference, if it has one, is in
    // `place`, and its position among the cells in `cells`.
    let mut cell: Option<bool> = None;
    let mut place: Vec<u8> = Vec::new();
    let mut cells: u64 = 0;
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => return Ok(highest),
            Ok(event) => event,
        };
        match (event, cell) {
            (Event::Start(e), None) => {
                let mut shared = false;
                place.clear();
                for attribute in e.attributes().with_checks(false) {
                    let Ok(attribute) = attribute else { break };
                    match attribute.key.as_ref() {
                        b"r" | b"ref" => {
                            check_reference(&attribute.value)?;
                            place.clear();
                            place.extend_from_slice(&attribute.value);
                        }
                        b"t" => shared = attribute.value.as_ref() == b"s",
                        _ => {}
                    }
                }
                match (stage, e.local_name().as_ref()) {
                    (Stage::BeforeCells, b"sheetData") => stage = Stage::Cells,
                    (Stage::Cells, b"c") => {
                        cells += 1;
                        cell = Some(shared);
                    }
                    _ => {}
                }
            }
            (Event::End(e), None)
                if stage == Stage::Cells && e.local_name().as_ref() == b"sheetData" =>
            {
                stage = Stage::AfterCells;
            }
            (Event::Start(e), Some(shared)) => match e.local_name().as_ref() {
                b"v" => {
                    // Everything up to the next end tag of the same name.
                    text.clear();
                    loop {
                        inner.clear();
                        match xml.read_event_into(&mut inner) {
                            Ok(Event::Text(t)) => match t.unescape() {
                                Ok(t) => text.push_str(&t),
                                Err(_) => return Ok(highest),
                            },
                            Ok(Event::End(end)) if end.name() == e.name() => break,
                            Ok(Event::Eof) | Err(_) => return Ok(highest),
                            Ok(_) => {}
                        }
                    }
                    if shared {
                        // calamine reads a number, or 0 when it is not one; the larger of two
                        // readings is kept, to be safe.
                        let index = text
                            .parse::<usize>()
                            .unwrap_or(0)
                            .max(text.trim().parse::<usize>().unwrap_or(0));
                        if highest.as_ref().is_none_or(|(h, _)| index > *h) {
                            let shown = if place.is_empty() {
                                format!("（第{cells}个）")
                            } else {
                                String::from_utf8_lossy(&place).into_owned()
                            };
                            highest = Some((index, shown));
                        }
                    }
                }
                b"f" => {
                    let name = e.name().as_ref().to_vec();
                    if xml.read_to_end_into(QName(&name), &mut inner).is_err() {
                        return Ok(highest);
                    }
                }
                b"is" => {
                    let name = e.name().as_ref().to_vec();
                    if !skip_inline_string(&mut xml, &name) {
                        return Ok(highest);
                    }
                }
                // calamine refuses anything else in a cell.
                _ => return Ok(highest),
            },
            (Event::End(e), Some(_)) if e.local_name().as_ref() == b"c" => cell = None,
            _ => {}
        }
    }
}

/// Where calamine's reading of a worksheet is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Before `<sheetData>`: calamine skips what it finds, cells included.
    BeforeCells,
    /// Within `<sheetData>`: the cells calamine reads.
    Cells,
    /// After `</sheetData>`: calamine has stopped reading.
    AfterCells,
}

/// Skips an inline string (`<is>`, whose name is `closing`) as calamine reads one; false where
/// calamine would refuse it.
fn skip_inline_string<R: std::io::BufRead>(xml: &mut quick_xml::Reader<R>, closing: &[u8]) -> bool {
    use quick_xml::events::Event;
    use quick_xml::name::QName;
    let mut buf = Vec::new();
    let mut inner = Vec::new();
    let (mut rich, mut phonetic) = (false, false);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"r" => rich = true,
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"rPh" => phonetic = true,
            Ok(Event::End(e)) if e.name().as_ref() == closing => return true,
            Ok(Event::End(e)) if e.local_name().as_ref() == b"rPh" => phonetic = false,
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"t" && !phonetic => {
                loop {
                    inner.clear();
                    match xml.read_event_into(&mut inner) {
                        Ok(Event::Text(t)) if t.unescape().is_err() => return false,
                        Ok(Event::End(end)) if end.name() == e.name() => break,
                        Ok(Event::Eof) | Err(_) => return false,
                        Ok(_) => {}
                    }
                }
                // A plain string ends here: calamine skips to the end of the `<is>`.
                if !rich {
                    return xml.read_to_end_into(QName(closing), &mut inner).is_ok();
                }
            }
            Ok(Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// Refuses a cell reference (or a range of two) beyond Excel's limits, or a range whose end
/// comes before its start (calamine subtracts one from the other without checking).
fn check_reference(value: &[u8]) -> Result<(), FileError> {
    let shown = || -> String { String::from_utf8_lossy(value).chars().take(24).collect() };
    let too_far = || {
        FileError::Xlsx(format!(
            "单元格位置“{}”超出 Excel 的范围（最多 XFD 列、1048576 行），文件可能已损坏",
            shown()
        ))
    };
    // `XFD1048576:XFD1048576` is 21 bytes.
    if value.len() > 32 {
        return Err(too_far());
    }
    // As calamine reads a piece: letters are the column, digits the row; anything else is an
    // error calamine reports. Counting every letter and digit bounds the sums it makes.
    let mut positions = [(0u64, 0u64); 2];
    let mut pieces = 0;
    for piece in value.split(|b| *b == b':') {
        let (mut letters, mut digits, mut column, mut row) = (0, 0, 0u64, 0u64);
        for &b in piece {
            if b.is_ascii_alphabetic() {
                letters += 1;
                column = column
                    .saturating_mul(26)
                    .saturating_add(u64::from(b.to_ascii_uppercase() - b'A') + 1);
            } else if b.is_ascii_digit() {
                digits += 1;
                row = row.saturating_mul(10).saturating_add(u64::from(b - b'0'));
            }
        }
        if letters > 3 || digits > 7 {
            return Err(too_far());
        }
        if let Some(slot) = positions.get_mut(pieces) {
            *slot = (row, column);
        }
        pieces += 1;
    }
    let [start, end] = positions;
    if pieces == 2 && (end.0 < start.0 || end.1 < start.1) {
        return Err(FileError::Xlsx(format!(
            "单元格区域“{}”的终点在起点之前，文件可能已损坏",
            shown()
        )));
    }
    Ok(())
}

fn read_xlsx_cells(bytes: &[u8]) -> Result<Sheet, FileError> {
    use calamine::{Data, Reader, Xlsx};
    let xlsx = |e: calamine::XlsxError| FileError::Xlsx(e.to_string());
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(xlsx)?;
    let name = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(FileError::Empty)?;
    let mut reader = book.worksheet_cells_reader(&name).map_err(xlsx)?;
    // Rows by their 0-based index, each a map of column to cell: only what the file holds.
    let mut rows: BTreeMap<u32, BTreeMap<u32, Cell>> = BTreeMap::new();
    while let Some(cell) = reader.next_cell().map_err(xlsx)? {
        let (row, col) = cell.get_position();
        let cell = xlsx_cell(Data::from(cell.get_value().clone()));
        if cell.text.is_empty() {
            continue;
        }
        if col >= MAX_COLUMNS {
            return Err(FileError::Xlsx(format!(
                "第{}行第{}列有内容，超出了可读的范围（最多{}列）",
                u64::from(row) + 1,
                u64::from(col) + 1,
                MAX_COLUMNS
            )));
        }
        rows.entry(row).or_default().insert(col, cell);
    }
    let mut rows = rows.into_iter().map(|(row, cells)| {
        let width = cells.keys().next_back().map_or(0, |c| *c as usize + 1);
        let mut dense = vec![Cell::default(); width];
        for (col, cell) in cells {
            dense[col as usize] = cell;
        }
        (row as usize + 1, dense)
    });
    let (_, header) = rows.next().ok_or(FileError::Empty)?;
    Ok(Sheet {
        headers: header.into_iter().map(|c| c.text).collect(),
        rows: rows.collect(),
    })
}

/// A spreadsheet value as the text of a cell.
fn xlsx_cell(d: calamine::Data) -> Cell {
    use calamine::Data;
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::from(s.as_str()),
        Data::Int(n) => Cell {
            text: n.to_string(),
            lossy_number: false,
        },
        Data::Float(f) => Cell {
            // Fifteen or more digits cannot survive a double: an identity number or an
            // account number typed into a numeric cell.
            text: format!("{f}"),
            lossy_number: f.abs() >= 1e15,
        },
        Data::Bool(b) => Cell::from(if b { "是" } else { "否" }),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => Cell {
                text: t.date().to_string(),
                lossy_number: false,
            },
            None => Cell::from("#日期无效"),
        },
        Data::Error(e) => Cell {
            text: format!("#{e:?}"),
            lossy_number: false,
        },
        Data::Empty => Cell::default(),
    }
}

/// Reads a file by its extension (.csv or .xlsx).
pub fn read_file(name: &str, bytes: &[u8]) -> Result<Sheet, FileError> {
    let lower = name.to_lowercase();
    if lower.ends_with(".csv") {
        read_csv(bytes)
    } else if lower.ends_with(".xlsx") {
        read_xlsx(bytes)
    } else {
        Err(FileError::UnknownFormat(
            name.rsplit('.').next().unwrap_or("").to_owned(),
        ))
    }
}

/// A household read from a file, with the rows it came from.
#[derive(Clone, Debug)]
pub struct ParsedHousehold {
    /// Its rows, head first.
    pub rows: Vec<usize>,
    /// The household.
    pub household: NewHousehold,
    /// The benefit it already receives, as filed (to be confirmed before it is paid).
    pub carried: Option<CarriedEntitlement>,
}

/// The outcome of reading a file: the good households and every problem found.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Households whose every row is good.
    pub households: Vec<ParsedHousehold>,
    /// Every problem, by row.
    pub errors: Vec<RowError>,
    /// Rows of households that were rejected (a household with one bad row is rejected whole).
    pub rejected_rows: Vec<usize>,
    /// How many data rows the file had.
    pub rows_read: usize,
}

impl Parsed {
    /// Rejects households whose number or a member's identity number is already filed.
    pub fn reject_filed(&mut self, filed_numbers: &HashSet<String>, filed_ids: &HashSet<String>) {
        let mut keep = Vec::with_capacity(self.households.len());
        for h in std::mem::take(&mut self.households) {
            let mut bad = false;
            if filed_numbers.contains(&h.household.fields.number) {
                self.errors.push(RowError {
                    row: h.rows[0],
                    column: spec(Col::Number).header.into(),
                    message: format!("户编号{}已在系统中登记", h.household.fields.number),
                });
                bad = true;
            }
            for (m, row) in h.household.members.iter().zip(&h.rows) {
                if filed_ids.contains(m.id_number.as_str()) {
                    self.errors.push(RowError {
                        row: *row,
                        column: spec(Col::IdNumber).header.into(),
                        message: format!("身份证号码{}已在系统中登记", m.id_number.masked()),
                    });
                    bad = true;
                }
            }
            if bad {
                self.rejected_rows.extend(&h.rows);
            } else {
                keep.push(h);
            }
        }
        self.households = keep;
        self.errors.sort_by_key(|a| a.row);
        self.rejected_rows.sort_unstable();
    }

    /// Rejects the households whose community `allowed` refuses (outside the importer's scope,
    /// say), each with `why` on its head's row in the community column.
    pub fn reject_communities(
        &mut self,
        allowed: impl Fn(&doudi_core::DivisionCode) -> bool,
        why: &str,
    ) {
        let mut keep = Vec::with_capacity(self.households.len());
        for h in std::mem::take(&mut self.households) {
            if allowed(&h.household.fields.community) {
                keep.push(h);
            } else {
                self.errors.push(RowError {
                    row: h.rows[0],
                    column: spec(Col::Community).header.into(),
                    message: why.to_owned(),
                });
                self.rejected_rows.extend(&h.rows);
            }
        }
        self.households = keep;
        self.errors.sort_by_key(|a| a.row);
        self.rejected_rows.sort_unstable();
    }
}

/// Where each column of a sheet sits.
struct Columns {
    fixed: HashMap<Col, usize>,
    dynamic: Vec<(usize, DynamicCol)>,
}

fn map_headers(headers: &[String]) -> Result<Columns, FileError> {
    let mut fixed = HashMap::new();
    let mut dynamic = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        if let Some(prev) = seen.insert(h.to_owned(), i) {
            errors.push(header_error(format!(
                "第{}列与第{}列的表头“{h}”重复",
                i + 1,
                prev + 1
            )));
            continue;
        }
        if let Some(spec) = COLUMNS
            .iter()
            .find(|s| s.header == h || s.aliases.contains(&h))
        {
            if fixed.insert(spec.col, i).is_some() {
                errors.push(header_error(format!("列“{}”出现了两次", spec.header)));
            }
        } else if let Some(d) = DynamicCol::parse(h) {
            dynamic.push((i, d));
        } else {
            errors.push(header_error(format!(
                "第{}列的表头“{h}”无法识别（收入、支出列应写作“工资性收入:2026-05”的形式）",
                i + 1
            )));
        }
    }
    for s in COLUMNS
        .iter()
        .filter(|s| s.required && !fixed.contains_key(&s.col))
    {
        errors.push(header_error(format!("缺少必需的列“{}”", s.header)));
    }
    if errors.is_empty() {
        Ok(Columns { fixed, dynamic })
    } else {
        Err(FileError::Header(errors))
    }
}

fn header_error(message: String) -> RowError {
    RowError {
        row: 1,
        column: String::new(),
        message,
    }
}

/// Resolves township and community names or codes.
struct Places<'a> {
    townships: HashMap<&'a str, &'a Division>,
    communities: HashMap<(&'a str, &'a str), &'a Division>,
}

impl<'a> Places<'a> {
    fn new(divisions: &'a [Division]) -> Places<'a> {
        let mut townships = HashMap::new();
        let mut communities = HashMap::new();
        for d in divisions {
            if d.kind == DivisionKind::Community {
                let parent = d.parent.as_ref().map_or("", DivisionCode::as_str);
                communities.insert((parent, d.code.as_str()), d);
                communities.insert((parent, d.name.as_str()), d);
            } else {
                townships.insert(d.code.as_str(), d);
                townships.insert(d.name.as_str(), d);
            }
        }
        Places {
            townships,
            communities,
        }
    }
}

/// The cells of one row, by column.
struct Row<'r> {
    number: usize,
    cells: &'r [Cell],
    columns: &'r Columns,
    errors: Vec<RowError>,
}

impl<'r> Row<'r> {
    fn cell(&self, col: Col) -> &'r Cell {
        static EMPTY: Cell = Cell {
            text: String::new(),
            lossy_number: false,
        };
        self.columns
            .fixed
            .get(&col)
            .and_then(|i| self.cells.get(*i))
            .unwrap_or(&EMPTY)
    }

    fn text(&self, col: Col) -> &'r str {
        &self.cell(col).text
    }

    fn fail(&mut self, col: Col, message: impl Into<String>) {
        self.errors.push(RowError {
            row: self.number,
            column: spec(col).header.into(),
            message: message.into(),
        });
    }

    /// Parses a required cell; records an error and returns None when empty or bad.
    fn required<T, E: std::fmt::Display>(
        &mut self,
        col: Col,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let text = self.text(col);
        if text.is_empty() {
            self.fail(col, "必填，不能为空");
            return None;
        }
        self.optional(col, parse).flatten()
    }

    /// Parses an optional cell: `Some(None)` when empty, `None` when bad (error recorded).
    fn optional<T, E: std::fmt::Display>(
        &mut self,
        col: Col,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        let text = self.text(col);
        if text.is_empty() {
            return Some(None);
        }
        match parse(text) {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                self.fail(col, e.to_string());
                None
            }
        }
    }

    fn flag(&mut self, col: Col) -> Option<bool> {
        self.optional(col, parse_yes_no).map(|v| v.unwrap_or(false))
    }

    fn date(&mut self, col: Col, today: NaiveDate, required: bool) -> Option<Option<NaiveDate>> {
        let parsed = if required {
            self.required(col, parse_day).map(Some)
        } else {
            self.optional(col, parse_day)
        };
        match parsed {
            Some(Some(d)) if d > today => {
                self.fail(col, format!("日期{d}晚于今天"));
                None
            }
            other => other,
        }
    }
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s {
        "是" | "Y" | "y" | "yes" | "true" | "1" | "√" => Ok(true),
        "否" | "N" | "n" | "no" | "false" | "0" | "×" => Ok(false),
        other => Err(format!("“{other}”应为 是 或 否")),
    }
}

/// What one row holds, before rows are grouped into households.
struct RowData {
    number: usize,
    household_number: String,
    is_head: bool,
    member: Option<PersonFields>,
    incomes: Vec<(doudi_core::IncomeKind, doudi_core::Month, Money)>,
    expenses: Vec<(doudi_core::ExpenseKind, doudi_core::Month, Money)>,
    assets: Vec<(doudi_core::AssetKind, Money)>,
    errors: Vec<RowError>,
}

/// Turns a sheet into households. `divisions` resolves township and community names or codes;
/// `today` judges future dates and, for a blank work-capacity cell, age.
pub fn parse_households(
    sheet: &Sheet,
    divisions: &[Division],
    today: NaiveDate,
) -> Result<Parsed, FileError> {
    let columns = map_headers(&sheet.headers)?;
    let places = Places::new(divisions);
    let mut parsed = Parsed {
        rows_read: sheet.rows.len(),
        ..Parsed::default()
    };

    // Rows of one household, in file order, keyed by household number in order of appearance.
    let mut groups: BTreeMap<usize, Vec<RowData>> = BTreeMap::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut id_rows: HashMap<String, usize> = HashMap::new();
    let mut cells_of: HashMap<usize, &[Cell]> = HashMap::new();

    // Each row on its own first, on every core: cells into a member, incomes and assets.
    let parse_row = |(number, cells): &(usize, Vec<Cell>)| {
        let mut row = Row {
            number: *number,
            cells,
            columns: &columns,
            errors: Vec::new(),
        };
        // PostgreSQL's text cannot hold a NUL, and no cell has a use for control characters:
        // refused here by place rather than as a database error for the whole file.
        for (i, cell) in cells.iter().enumerate() {
            if cell
                .text
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            {
                row.errors.push(RowError {
                    row: *number,
                    column: sheet
                        .headers
                        .get(i)
                        .filter(|h| !h.is_empty())
                        .cloned()
                        .unwrap_or_else(|| format!("第{}列", i + 1)),
                    message: "含有控制字符（如空字符 NUL），请删除后重新导入".into(),
                });
            }
        }
        // Rows group by the number as the one rule reads it, so `Ａ-1` and `A-1` are one household.
        let text = row.text(Col::Number);
        let household_number = parse_household_number(text).unwrap_or_else(|_| text.to_owned());
        if household_number.is_empty() {
            row.fail(Col::Number, "必填，不能为空");
        }
        let member = parse_member(&mut row, today);
        let (incomes, expenses, assets) = parse_dynamic(&mut row);
        let is_head = member
            .as_ref()
            .is_some_and(|m| m.relation == Relation::Head)
            || Relation::parse(row.text(Col::Relation)) == Ok(Relation::Head);
        RowData {
            number: *number,
            household_number,
            is_head,
            member,
            incomes,
            expenses,
            assets,
            errors: row.errors,
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = sheet.rows.len().div_ceil(threads).max(4096);
    let parsed_rows: Vec<RowData> = std::thread::scope(|s| {
        let parts: Vec<_> = sheet
            .rows
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(parse_row).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("a parsing thread panicked"))
            .collect()
    });
    for ((number, cells), mut data) in sheet.rows.iter().zip(parsed_rows) {
        if let Some(m) = &data.member
            && let Some(first) = id_rows.insert(m.id_number.as_str().to_owned(), *number)
        {
            data.errors.push(RowError {
                row: *number,
                column: spec(Col::IdNumber).header.into(),
                message: format!("身份证号码{}与第{first}行重复", m.id_number.masked()),
            });
        }
        let key = group_of.len();
        let group = *group_of.entry(data.household_number.clone()).or_insert(key);
        cells_of.insert(*number, cells.as_slice());
        groups.entry(group).or_default().push(data);
    }

    for (_, mut rows) in groups {
        let head_index = rows.iter().position(|r| r.is_head);
        let mut group_errors: Vec<RowError> = Vec::new();
        let Some(head_index) = head_index else {
            group_errors.push(RowError {
                row: rows[0].number,
                column: spec(Col::Relation).header.into(),
                message: format!(
                    "户编号{}没有户主行（每户应有且仅有一名户主）",
                    rows[0].household_number
                ),
            });
            finish_bad(&mut parsed, rows, group_errors);
            continue;
        };
        // Head first, others in file order.
        let head = rows.remove(head_index);
        rows.insert(0, head);
        for extra in rows.iter().skip(1).filter(|r| r.is_head) {
            group_errors.push(RowError {
                row: extra.number,
                column: spec(Col::Relation).header.into(),
                message: format!(
                    "户编号{}有多名户主（第{}行已是户主）",
                    extra.household_number, rows[0].number
                ),
            });
        }
        let head_cells = cells_of[&rows[0].number];
        let mut head_row = Row {
            number: rows[0].number,
            cells: head_cells,
            columns: &columns,
            errors: Vec::new(),
        };
        let fields = parse_household_fields(&mut head_row, &places, today);
        let survey = parse_survey(&mut head_row, today);
        let carried = parse_carried(&mut head_row, today);
        group_errors.append(&mut head_row.errors);
        // Household columns on other rows must be blank or repeat the head's value.
        for r in rows.iter().skip(1) {
            let cells = cells_of[&r.number];
            let row = Row {
                number: r.number,
                cells,
                columns: &columns,
                errors: Vec::new(),
            };
            for s in COLUMNS.iter().filter(|s| s.household) {
                let v = row.text(s.col);
                if !v.is_empty() && v != head_row.text(s.col) {
                    group_errors.push(RowError {
                        row: r.number,
                        column: s.header.into(),
                        message: format!(
                            "与户主行（第{}行）填写的“{}”不一致",
                            rows[0].number,
                            head_row.text(s.col)
                        ),
                    });
                }
            }
            if !r.assets.is_empty() {
                group_errors.push(RowError {
                    row: r.number,
                    column: r.assets[0].0.label().into(),
                    message: "家庭财产请填写在户主行".into(),
                });
            }
        }
        let any_row_bad = rows
            .iter()
            .any(|r| !r.errors.is_empty() || r.member.is_none());
        match (fields, survey, carried) {
            (Some(fields), Some(survey), Some(carried))
                if group_errors.is_empty() && !any_row_bad =>
            {
                let numbers: Vec<usize> = rows.iter().map(|r| r.number).collect();
                let household = assemble(fields, survey, rows);
                if let Err(e) = household.check() {
                    parsed.errors.push(RowError {
                        row: numbers[0],
                        column: String::new(),
                        message: e.to_string(),
                    });
                    parsed.rejected_rows.extend(numbers);
                } else {
                    parsed.households.push(ParsedHousehold {
                        rows: numbers,
                        household,
                        carried,
                    });
                }
            }
            _ => finish_bad(&mut parsed, rows, group_errors),
        }
    }
    parsed.errors.sort_by_key(|a| a.row);
    parsed.rejected_rows.sort_unstable();
    Ok(parsed)
}

fn finish_bad(parsed: &mut Parsed, rows: Vec<RowData>, mut group_errors: Vec<RowError>) {
    for r in rows {
        parsed.rejected_rows.push(r.number);
        parsed.errors.extend(r.errors);
    }
    parsed.errors.append(&mut group_errors);
}

fn assemble(fields: HouseholdFields, survey: Option<Survey>, rows: Vec<RowData>) -> NewHousehold {
    let mut household = NewHousehold {
        fields,
        members: Vec::with_capacity(rows.len()),
        incomes: Vec::new(),
        assets: Vec::new(),
        expenses: Vec::new(),
        survey,
    };
    household.assets = rows[0]
        .assets
        .iter()
        .map(|&(kind, value)| Asset {
            kind,
            description: kind.label().to_owned(),
            value,
        })
        .collect();
    for (i, r) in rows.into_iter().enumerate() {
        let person = PersonId(i as i64);
        household
            .members
            .push(r.member.expect("good rows have a member"));
        household
            .incomes
            .extend(r.incomes.iter().map(|&(kind, month, amount)| Income {
                person,
                month,
                kind,
                amount,
            }));
        household
            .expenses
            .extend(r.expenses.iter().map(|&(kind, month, amount)| Expense {
                person,
                month,
                kind,
                amount,
            }));
    }
    household
}

fn parse_member(row: &mut Row<'_>, today: NaiveDate) -> Option<PersonFields> {
    let name = row.required(Col::Name, PersonName::parse);
    let id_number = if row.cell(Col::IdNumber).lossy_number {
        row.fail(
            Col::IdNumber,
            "Excel把身份证号码存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写",
        );
        None
    } else {
        row.required(Col::IdNumber, |s| IdNumber::parse(s, today))
    };
    let relation = row.required(Col::Relation, Relation::parse);
    let disability_kind = row.optional(Col::DisabilityKind, DisabilityKind::parse);
    let disability_grade = row.optional(Col::DisabilityGrade, |s| {
        DisabilityGrade::parse(s.trim_end_matches('级'))
            .or_else(|_| DisabilityGrade::parse(&format!("{}级", s.trim_end_matches('级'))))
    });
    let disability = match (disability_kind, disability_grade) {
        (Some(Some(kind)), Some(Some(grade))) => Some(Some(Disability { kind, grade })),
        (Some(None), Some(None)) => Some(None),
        (Some(Some(_)), Some(None)) => {
            row.fail(Col::DisabilityGrade, "填写了残疾类别时必须填写残疾等级");
            None
        }
        (Some(None), Some(Some(_))) => {
            row.fail(Col::DisabilityKind, "填写了残疾等级时必须填写残疾类别");
            None
        }
        _ => None,
    };
    let serious_illness = row.flag(Col::SeriousIllness);
    let special_disease = row.optional(Col::SpecialDisease, SpecialDisease::parse);
    let self_care = row
        .optional(Col::SelfCare, SelfCare::parse)
        .map(|v| v.unwrap_or(SelfCare::Full));
    let work_capacity = row.optional(Col::WorkCapacity, WorkCapacity::parse);
    let willing_to_work = row.flag(Col::WillingToWork);
    let employment = row
        .optional(Col::Employment, Employment::parse)
        .map(|v| v.unwrap_or(Employment::NotInLabourForce));
    let school_stage = row.optional(Col::SchoolStage, SchoolStage::parse);
    let boarding = row.flag(Col::Boarding);
    if boarding == Some(true) && matches!(school_stage, Some(None)) {
        row.fail(Col::Boarding, "寄宿仅适用于在校学生（请填写就学阶段）");
    }
    let insurance = row
        .optional(Col::Insurance, HealthInsurance::parse)
        .map(|v| v.unwrap_or(HealthInsurance::Resident));
    let family_doctor = row.flag(Col::FamilyDoctor);
    let health_record = row.flag(Col::HealthRecord);
    let phone = row.optional(Col::PersonPhone, Phone::parse);
    let disease = row.text(Col::Disease).to_owned();
    if !row.errors.is_empty() {
        return None;
    }
    let id_number = id_number?;
    let work_capacity = work_capacity?.unwrap_or_else(|| {
        let age = age_on(id_number.birth_date(), today);
        if (16..60).contains(&age) {
            WorkCapacity::Full
        } else {
            WorkCapacity::None
        }
    });
    Some(PersonFields {
        name: name?,
        id_number,
        relation: relation?,
        disability: disability?,
        serious_illness: serious_illness?,
        disease,
        special_disease: special_disease?,
        self_care: self_care?,
        work_capacity,
        willing_to_work: willing_to_work?,
        employment: employment?,
        school_stage: school_stage?,
        boarding: boarding?,
        insurance: insurance?,
        family_doctor: family_doctor?,
        health_record: health_record?,
        phone: phone?,
    })
}

type DynamicValues = (
    Vec<(doudi_core::IncomeKind, doudi_core::Month, Money)>,
    Vec<(doudi_core::ExpenseKind, doudi_core::Month, Money)>,
    Vec<(doudi_core::AssetKind, Money)>,
);

fn parse_dynamic(row: &mut Row<'_>) -> DynamicValues {
    let (mut incomes, mut expenses, mut assets) = (Vec::new(), Vec::new(), Vec::new());
    for &(i, col) in &row.columns.dynamic {
        let Some(cell) = row.cells.get(i) else {
            continue;
        };
        if cell.text.is_empty() {
            continue;
        }
        match Money::parse_non_negative_yuan(&cell.text) {
            Ok(amount) => match col {
                DynamicCol::Income(kind, month) => incomes.push((kind, month, amount)),
                DynamicCol::Expense(kind, month) => expenses.push((kind, month, amount)),
                DynamicCol::Asset(kind) => assets.push((kind, amount)),
            },
            Err(e) => row.errors.push(RowError {
                row: row.number,
                column: col.header(),
                message: e.to_string(),
            }),
        }
    }
    (incomes, expenses, assets)
}

fn parse_household_fields(
    row: &mut Row<'_>,
    places: &Places<'_>,
    today: NaiveDate,
) -> Option<HouseholdFields> {
    let number = row.required(Col::Number, parse_household_number);
    let township = row.required(Col::Township, |s| {
        places
            .townships
            .get(s)
            .map(|d| d.code.clone())
            .ok_or_else(|| format!("乡镇（街道）“{s}”不在云阳县区划表中"))
    });
    let community = match &township {
        Some(t) => row.required(Col::Community, |s| {
            places
                .communities
                .get(&(t.as_str(), s))
                .map(|d| d.code.clone())
                .ok_or_else(|| {
                    format!("社区“{s}”不在该乡镇（街道）下（可先用 doudi community add 添加社区）")
                })
        }),
        None => None,
    };
    let category = row.required(Col::Category, Category::parse);
    let enrolled_on = row.date(Col::EnrolledOn, today, true).flatten();
    let exited_on = row.date(Col::ExitedOn, today, false);
    let address = row.required(Col::Address, |s| Ok::<_, String>(s.to_owned()));
    let phone = if row.cell(Col::HouseholdPhone).lossy_number {
        row.fail(
            Col::HouseholdPhone,
            "Excel把号码存成了数字，精度已丢失；请设为文本格式",
        );
        None
    } else {
        row.optional(Col::HouseholdPhone, Phone::parse)
    };
    let bank_account = if row.cell(Col::BankAccount).lossy_number {
        row.fail(
            Col::BankAccount,
            "Excel把银行账号存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写",
        );
        None
    } else {
        row.optional(Col::BankAccount, BankAccount::parse)
    };
    let housing = row.required(Col::Housing, Housing::parse);
    let causes = row
        .optional(Col::Causes, |s| parse_list(s, PovertyCause::parse))
        .map(Option::unwrap_or_default);
    let needs = row
        .optional(Col::Needs, |s| parse_list(s, Need::parse))
        .map(Option::unwrap_or_default);
    let fields = HouseholdFields {
        number: number?,
        township: township?,
        community: community?,
        category: category?,
        enrolled_on: enrolled_on?,
        exited_on: exited_on?,
        address: address?,
        phone: phone?,
        bank_account: bank_account?,
        housing: housing?,
        causes: causes?,
        needs: needs?,
    };
    if let Err(e) = fields.check() {
        row.errors.push(RowError {
            row: row.number,
            column: String::new(),
            message: e.to_string(),
        });
        return None;
    }
    Some(fields)
}

/// The benefit a household already receives (the 现享 columns of the head's row): all of
/// program, amount, first month and reference, or none of them. `None` when something is wrong
/// (said on the row).
fn parse_carried(row: &mut Row<'_>, today: NaiveDate) -> Option<Option<CarriedEntitlement>> {
    let cols = [
        Col::CarriedProgram,
        Col::CarriedAmount,
        Col::CarriedFrom,
        Col::CarriedReference,
    ];
    if cols.iter().all(|c| row.text(*c).is_empty()) {
        return Some(None);
    }
    let program = row.required(Col::CarriedProgram, |s| {
        let c = Category::parse(s).map_err(|e| e.to_string())?;
        Ok::<_, String>(c)
    });
    let monthly = row.required(Col::CarriedAmount, |s| {
        let m = Money::parse_yuan(s).map_err(|e| e.to_string())?;
        if m.fen() <= 0 {
            return Err("现享月金额应大于0".to_owned());
        }
        if m > Money::MAX_INPUT {
            return Err("现享月金额过大".to_owned());
        }
        Ok(m)
    });
    let current = Month::of(today);
    let from = row.required(Col::CarriedFrom, |s| {
        let m = Month::parse(s).map_err(|e| e.to_string())?;
        if m > current {
            return Err(format!("起始月份{m}晚于本月{current}"));
        }
        Ok(m)
    });
    let reference = row.required(Col::CarriedReference, |s| {
        if s.chars().count() > 100 {
            return Err("原批准文号最多100个字".to_owned());
        }
        Ok::<_, String>(s.to_owned())
    });
    Some(Some(CarriedEntitlement {
        program: program?,
        monthly: monthly?,
        from: from?,
        reference: reference?,
    }))
}

fn parse_survey(row: &mut Row<'_>, today: NaiveDate) -> Option<Option<Survey>> {
    let texts =
        [Col::SurveyFamily, Col::SurveyCause, Col::SurveyNeed].map(|c| row.text(c).to_owned());
    let surveyed_on = row.date(Col::SurveyedOn, today, false)?;
    if texts.iter().all(String::is_empty) {
        return Some(None);
    }
    let Some(surveyed_on) = surveyed_on else {
        row.fail(Col::SurveyedOn, "填写了三清内容时必须填写调查日期");
        return None;
    };
    let surveyed_by = row.text(Col::SurveyedBy).to_owned();
    if surveyed_by.is_empty() {
        row.fail(Col::SurveyedBy, "填写了三清内容时必须填写调查人");
        return None;
    }
    let [family_situation, poverty_cause, help_needed] = texts;
    Some(Some(Survey {
        family_situation,
        poverty_cause,
        help_needed,
        surveyed_by,
        surveyed_on,
    }))
}

/// The spec of every fixed column, for documentation.
pub fn column_specs() -> &'static [ColSpec] {
    COLUMNS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str) -> Result<Option<(usize, String)>, FileError> {
        scan_worksheet(xml.as_bytes())
    }

    #[test]
    fn references_within_excel_pass_and_longer_ones_are_refused() {
        let good = r#"<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row r="1" spans="1:3"><c r="XFD1048576" s="1"><v>1</v></c></row></sheetData><selection sqref="A1 B2"/></worksheet>"#;
        assert_eq!(scan(good).unwrap(), None);
        for bad in [
            r#"<row r="1"><c r="A99999999999"><v>1</v></c></row>"#,
            r#"<row r="1"><c r="AAAA1"/></row>"#,
            "<mergeCell\nref=\"A1:B123456789\"/>",
            r#"<row r="99999999999"/>"#,
            r#"<c r="A12345678X9999999999"/>"#,
            r#"<c r="A99999999999999999999999999999"/>"#,
            r#"<c r="ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ1"/>"#,
        ] {
            let message = scan(bad).unwrap_err().to_string();
            assert!(message.contains("超出 Excel 的范围"), "{bad}: {message}");
        }
        let message = scan(r#"<dimension ref="B2:A1"/>"#).unwrap_err().to_string();
        assert!(message.contains("终点在起点之前"), "{message}");
    }

    #[test]
    fn the_highest_shared_string_index_is_found_with_its_cell() {
        let xml = r#"<sheetData><row r="1"><c r="A1" t="s"><v>3</v></c><c r="B1" t="s"><v>12</v></c><c r="C1"><v>99</v></c><c t="s"><v>x</v></c></row></sheetData>"#;
        assert_eq!(scan(xml).unwrap(), Some((12, "B1".to_owned())));
        assert_eq!(
            count_shared_strings(&b"<sst><si><t>a</t></si><si/><si><r><t>b</t></r></si></sst>"[..]),
            3
        );
    }

    #[test]
    fn a_cell_before_the_sheet_data_does_not_hide_the_shared_strings_of_the_cells_after_it() {
        // Found by the household_file fuzz target: calamine skips everything before
        // `<sheetData>`, so it read the shared string 102 of a table of 80 and panicked, while
        // the scan took the first `<c>` for a cell and stopped at the `<sheetData>` inside it.
        assert_eq!(
            scan(r#"<c><sheetData><c t="s"><v>102</v>"#).unwrap(),
            Some((102, "（第1个）".to_owned()))
        );
        // Nor does a value before `<sheetData>` swallow the cells.
        assert_eq!(
            scan(r#"<c><v><sheetData><c r="A1" t="s"><v>7</v></c></sheetData></v></c>"#).unwrap(),
            Some((7, "A1".to_owned()))
        );
        // Cells before `<sheetData>` or after `</sheetData>` are not read by calamine.
        assert_eq!(
            scan(r#"<c t="s"><v>5</v></c><sheetData></sheetData><c t="s"><v>9</v></c>"#).unwrap(),
            None
        );
    }

    #[test]
    fn a_formula_with_a_formula_inside_is_skipped_whole_as_calamine_skips_it() {
        // calamine skips an `<f>` to its matching end tag, nested `<f>`s included, and goes on
        // to the cells after it; the scan stopped at the first `</f>`.
        let xml = r#"<sheetData><c><f><f></f><c t="s"><v>5</v></c></f></c><c r="B1" t="s"><v>9</v></c></sheetData>"#;
        assert_eq!(scan(xml).unwrap(), Some((9, "B1".to_owned())));
    }

    #[test]
    fn an_inline_string_is_skipped_as_calamine_reads_it() {
        // A plain inline string ends at its first `<t>`: calamine skips to the `</is>`.
        let xml = r#"<sheetData><c r="A1" t="inlineStr"><is><t>户编号</t><is></is></is></c><c r="B1" t="s"><v>4</v></c></sheetData>"#;
        assert_eq!(scan(xml).unwrap(), Some((4, "B1".to_owned())));
    }
}
