//! Writing household files in the import layout: exports (so that an export can be edited in
//! Excel and imported again), the template, and the error file of a partial import.

use std::collections::{BTreeSet, HashMap};

use doudi_core::labels::join_labels;
use doudi_core::{
    AssetKind, Division, HouseholdRecord, Money, Need, PersonFields, PovertyCause, Relation,
};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::layout::{COLUMNS, Col, DynamicCol};
use crate::read::{RowError, Sheet};

/// A cell to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutCell {
    /// Text, written as text (identity and account numbers keep every digit).
    Text(String),
    /// Money, written as a number of yuan with two decimals.
    Money(Money),
}

/// A table to write: headers and rows.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Header texts.
    pub headers: Vec<String>,
    /// Rows of cells, as many as headers.
    pub rows: Vec<Vec<OutCell>>,
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_owned()
}

fn member_cells(m: &PersonFields) -> HashMap<Col, String> {
    HashMap::from([
        (Col::Name, m.name.as_str().to_owned()),
        (Col::IdNumber, m.id_number.as_str().to_owned()),
        (Col::Relation, m.relation.label().to_owned()),
        (
            Col::DisabilityKind,
            m.disability
                .map_or(String::new(), |d| d.kind.label().to_owned()),
        ),
        (
            Col::DisabilityGrade,
            m.disability
                .map_or(String::new(), |d| d.grade.label().to_owned()),
        ),
        (Col::SeriousIllness, yes_no(m.serious_illness)),
        (Col::Disease, m.disease.clone()),
        (
            Col::SpecialDisease,
            m.special_disease
                .map_or(String::new(), |d| d.label().to_owned()),
        ),
        (Col::SelfCare, m.self_care.label().to_owned()),
        (Col::WorkCapacity, m.work_capacity.label().to_owned()),
        (Col::WillingToWork, yes_no(m.willing_to_work)),
        (Col::Employment, m.employment.label().to_owned()),
        (
            Col::SchoolStage,
            m.school_stage
                .map_or(String::new(), |s| s.label().to_owned()),
        ),
        (Col::Boarding, yes_no(m.boarding)),
        (Col::Insurance, m.insurance.label().to_owned()),
        (Col::FamilyDoctor, yes_no(m.family_doctor)),
        (Col::HealthRecord, yes_no(m.health_record)),
        (
            Col::PersonPhone,
            m.phone
                .as_ref()
                .map_or(String::new(), |p| p.as_str().to_owned()),
        ),
    ])
}

/// Lays out households in the import layout, one row per member, with a column for every
/// income and expense month and asset kind that occurs.
pub fn export_table(records: &[HouseholdRecord], divisions: &[Division]) -> Table {
    let names: HashMap<&str, &str> = divisions
        .iter()
        .map(|d| (d.code.as_str(), d.name.as_str()))
        .collect();
    let name_of = |code: &doudi_core::DivisionCode| {
        names
            .get(code.as_str())
            .map_or_else(|| code.to_string(), |n| (*n).to_owned())
    };
    let mut dynamic: BTreeSet<(u8, String, DynamicCol)> = BTreeSet::new();
    for r in records {
        for i in &r.incomes {
            let c = DynamicCol::Income(i.kind, i.month);
            dynamic.insert((0, format!("{}{}", i.month, i.kind.code()), c));
        }
        for e in &r.expenses {
            let c = DynamicCol::Expense(e.kind, e.month);
            dynamic.insert((1, format!("{}{}", e.month, e.kind.code()), c));
        }
        for a in &r.assets {
            dynamic.insert((2, a.kind.code().to_owned(), DynamicCol::Asset(a.kind)));
        }
    }
    let dynamic: Vec<DynamicCol> = dynamic.into_iter().map(|(_, _, c)| c).collect();
    let dynamic_index: HashMap<DynamicCol, usize> = dynamic
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, COLUMNS.len() + i))
        .collect();
    let mut table = Table {
        headers: COLUMNS
            .iter()
            .map(|c| c.header.to_owned())
            .chain(dynamic.iter().map(|c| c.header()))
            .collect(),
        rows: Vec::new(),
    };
    for r in records {
        let h = &r.household.fields;
        let survey = r.surveys.first();
        let household_cells: HashMap<Col, String> = HashMap::from([
            (Col::Number, h.number.clone()),
            (Col::Township, name_of(&h.township)),
            (Col::Community, name_of(&h.community)),
            (Col::Category, h.category.label().to_owned()),
            (Col::EnrolledOn, h.enrolled_on.to_string()),
            (
                Col::ExitedOn,
                h.exited_on.map_or(String::new(), |d| d.to_string()),
            ),
            (Col::Address, h.address.clone()),
            (
                Col::HouseholdPhone,
                h.phone
                    .as_ref()
                    .map_or(String::new(), |p| p.as_str().to_owned()),
            ),
            (
                Col::BankAccount,
                h.bank_account
                    .as_ref()
                    .map_or(String::new(), |b| b.as_str().to_owned()),
            ),
            (Col::Housing, h.housing.label().to_owned()),
            (Col::Causes, join_labels(&h.causes, PovertyCause::label)),
            (Col::Needs, join_labels(&h.needs, Need::label)),
            (
                Col::SurveyFamily,
                survey.map_or(String::new(), |s| s.family_situation.clone()),
            ),
            (
                Col::SurveyCause,
                survey.map_or(String::new(), |s| s.poverty_cause.clone()),
            ),
            (
                Col::SurveyNeed,
                survey.map_or(String::new(), |s| s.help_needed.clone()),
            ),
            (
                Col::SurveyedBy,
                survey.map_or(String::new(), |s| s.surveyed_by.clone()),
            ),
            (
                Col::SurveyedOn,
                survey.map_or(String::new(), |s| s.surveyed_on.to_string()),
            ),
        ]);
        for m in &r.members {
            let is_head = m.fields.relation == Relation::Head;
            let cells = member_cells(&m.fields);
            let mut row: Vec<OutCell> = COLUMNS
                .iter()
                .map(|c| {
                    let v = if c.household {
                        if c.col == Col::Number || is_head {
                            household_cells.get(&c.col).cloned()
                        } else {
                            None
                        }
                    } else {
                        cells.get(&c.col).cloned()
                    };
                    OutCell::Text(v.unwrap_or_default())
                })
                .collect();
            row.resize(table.headers.len(), OutCell::Text(String::new()));
            for i in r.incomes.iter().filter(|i| i.person == m.id) {
                row[dynamic_index[&DynamicCol::Income(i.kind, i.month)]] = OutCell::Money(i.amount);
            }
            for e in r.expenses.iter().filter(|e| e.person == m.id) {
                row[dynamic_index[&DynamicCol::Expense(e.kind, e.month)]] =
                    OutCell::Money(e.amount);
            }
            if is_head {
                let mut by_kind: HashMap<AssetKind, Money> = HashMap::new();
                for a in &r.assets {
                    *by_kind.entry(a.kind).or_default() += a.value;
                }
                for (kind, value) in by_kind {
                    row[dynamic_index[&DynamicCol::Asset(kind)]] = OutCell::Money(value);
                }
            }
            table.rows.push(row);
        }
    }
    table
}

/// The template: every fixed column, two months of wage income and the savings column, with an
/// example household of two.
pub fn template_table() -> Table {
    let mut headers: Vec<String> = COLUMNS.iter().map(|c| c.header.to_owned()).collect();
    headers.extend(
        [
            "工资性收入:2026-09",
            "工资性收入:2026-10",
            "自付医疗费:2026-10",
            "存款",
        ]
        .map(String::from),
    );
    let head: Vec<OutCell> = COLUMNS
        .iter()
        .map(|c| OutCell::Text(c.example.to_owned()))
        .chain(["1200", "1200", "", "3000"].map(|s| OutCell::Text(s.into())))
        .collect();
    let spouse: Vec<OutCell> = COLUMNS
        .iter()
        .map(|c| {
            OutCell::Text(match c.col {
                Col::Number => "QL-000001".into(),
                Col::Name => "王五".into(),
                Col::IdNumber => "500235198203050020".into(),
                Col::Relation => "配偶".into(),
                Col::SeriousIllness => "是".into(),
                Col::Disease => "尿毒症".into(),
                Col::SelfCare => "半失能".into(),
                Col::WorkCapacity => "无劳动能力".into(),
                Col::WillingToWork | Col::FamilyDoctor | Col::HealthRecord => "否".into(),
                Col::Employment => "不适用".into(),
                Col::Insurance => "城乡居民医保".into(),
                _ => String::new(),
            })
        })
        .chain(["", "", "850.50", ""].map(|s| OutCell::Text(s.into())))
        .collect();
    Table {
        headers,
        rows: vec![head, spouse],
    }
}

fn cell_text(c: &OutCell) -> String {
    match c {
        OutCell::Text(s) => neutralised(s),
        // A money cell is a number ("-12.50" included), which a spreadsheet reads as a number.
        OutCell::Money(m) => m.to_yuan_string(),
    }
}

/// What a spreadsheet would take for the start of a formula when it opens a CSV file: `=`, `+`,
/// `-`, `@`, and a tab or carriage return (which some spreadsheets skip before looking).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as a CSV file may carry it: a text that a spreadsheet would run as a formula
/// (`=HYPERLINK(…)` typed into an address, say) gets a leading `'`, which Excel reads as "this
/// is text" and does not show; [`crate::read::read_csv`] removes it again, so an export imports
/// as it was. A plain number ("-3", "-12.50") is left alone: a spreadsheet reads it as the
/// number it is, and no formula can hide in it. XLSX needs none of this: its cells are typed.
pub fn neutralised(text: &str) -> String {
    let risky = text.starts_with(FORMULA_STARTS) && !is_plain_number(text);
    if risky {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The inverse of [`neutralised`], for reading a CSV cell back.
pub fn unneutralised(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => text,
    }
}

/// An optional minus, digits, optionally a point and more digits: a number and nothing else.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Writes a table as CSV in UTF-8 with a byte-order mark, so that Excel shows Chinese right.
/// Every text cell (headers too) goes through [`neutralised`], so that no cell runs as a formula.
pub fn to_csv(table: &Table) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(table.headers.iter().map(|h| neutralised(h)))
            .expect("writing to memory");
        for row in &table.rows {
            w.write_record(row.iter().map(cell_text))
                .expect("writing to memory");
        }
        w.flush().expect("writing to memory");
    }
    out
}

/// Writes a table as XLSX: bold frozen header, text cells stored as text, money as numbers.
/// With `notes`, a second sheet 填写说明 explains every column.
pub fn to_xlsx(table: &Table, notes: bool) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#DDEBF7");
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("0.00");
    let sheet = book.add_worksheet();
    sheet.set_name("家庭成员")?;
    for (c, h) in table.headers.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, h, &header)?;
        sheet.set_column_width(c, (h.chars().count() as f64).mul_add(2.0, 2.0).max(10.0))?;
        sheet.set_column_format(c, &text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                OutCell::Text(s) if s.is_empty() => {}
                OutCell::Text(s) => {
                    sheet.write_string_with_format(r, c, s, &text)?;
                }
                OutCell::Money(m) => {
                    sheet.write_number_with_format(r, c, money_as_excel_number(*m), &money)?;
                }
            }
        }
    }
    if notes {
        let help = book.add_worksheet();
        help.set_name("填写说明")?;
        help.write_string_with_format(0, 0, "列名", &header)?;
        help.write_string_with_format(0, 1, "是否必填", &header)?;
        help.write_string_with_format(0, 2, "填写要求", &header)?;
        help.set_column_width(0, 18)?;
        help.set_column_width(1, 10)?;
        help.set_column_width(2, 90)?;
        for (i, c) in COLUMNS.iter().enumerate() {
            let r = i as u32 + 1;
            help.write_string(r, 0, c.header)?;
            help.write_string(r, 1, if c.required { "必填" } else { "选填" })?;
            let scope = if c.household {
                "（家庭信息，填写在户主行）"
            } else {
                ""
            };
            help.write_string(r, 2, format!("{}{scope}", c.help))?;
        }
        let r = COLUMNS.len() as u32 + 1;
        help.write_string(r, 0, "收入类型:年-月")?;
        help.write_string(r, 1, "选填")?;
        help.write_string(r, 2, "成员某月收入（元），列名如“工资性收入:2026-05”；收入类型：工资性收入、经营性收入、财产性收入、转移性收入、养老金、其他收入")?;
        help.write_string(r + 1, 0, "支出类型:年-月")?;
        help.write_string(r + 1, 1, "选填")?;
        help.write_string(
            r + 1,
            2,
            "成员某月自付医疗费或学费（元），列名如“自付医疗费:2026-05”“学费:2026-09”",
        )?;
        help.write_string(r + 2, 0, "存款/机动车/房产/经营实体/其他财产")?;
        help.write_string(r + 2, 1, "选填")?;
        help.write_string(r + 2, 2, "家庭财产价值（元），填写在户主行")?;
    }
    book.save_to_buffer()
}

/// Excel stores numbers as doubles; this converts for display in a spreadsheet only. Nothing
/// is computed with the result, and reading a file back parses the decimal text exactly.
#[allow(clippy::float_arithmetic)]
fn money_as_excel_number(m: Money) -> f64 {
    m.fen() as f64 / 100.0
}

/// The error file of a partial import: the rejected rows as they were, with a last column
/// 错误原因 giving every reason found for that row (or for its household).
pub fn error_table(sheet: &Sheet, rejected_rows: &[usize], errors: &[RowError]) -> Table {
    let mut reasons: HashMap<usize, Vec<String>> = HashMap::new();
    for e in errors {
        reasons
            .entry(e.row)
            .or_default()
            .push(if e.column.is_empty() {
                e.message.clone()
            } else {
                format!("「{}」{}", e.column, e.message)
            });
    }
    let rejected: BTreeSet<usize> = rejected_rows.iter().copied().collect();
    let mut headers = vec!["原行号".to_owned()];
    headers.extend(sheet.headers.iter().cloned());
    headers.push("错误原因".into());
    let rows = sheet
        .rows
        .iter()
        .filter(|(n, _)| rejected.contains(n))
        .map(|(n, cells)| {
            let mut row = vec![OutCell::Text(n.to_string())];
            row.extend(cells.iter().map(|c| OutCell::Text(c.text.clone())));
            row.resize(headers.len() - 1, OutCell::Text(String::new()));
            let why = reasons.get(n).map_or_else(
                || "同户其他行有错误，整户未导入".to_owned(),
                |r| r.join("；"),
            );
            row.push(OutCell::Text(why));
            row
        })
        .collect();
    Table { headers, rows }
}
