//! Dated parameters: every number the rules use, each value with the date it takes effect, the
//! document it comes from and whether that source is official or the value only illustrative.
//!
//! Parameters live in a TOML file that a county administrator can edit (the Yunyang default is
//! embedded, `data/yunyang.toml`). Next year's standard is a new entry, never a code change.
//! A computation for month M uses, for each parameter, the value in force on the first day of M.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use doudi_core::{Money, Month};
use serde::Deserialize;
use toml::Spanned;

/// The largest count a parameter file may give (months, years, people).
pub const MAX_COUNT: i64 = 1_000_000;

/// The largest whole-yuan amount a parameter file may give, as the registry caps amounts.
const MAX_YUAN: i64 = 1_000_000_000;

/// An exact ratio in parts per ten thousand (basis points): `1.3` is 13,000, `15%` is 1,500.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ratio(pub i64);

impl Ratio {
    /// Parses `1.3`, `0.8`, `15%`, `12.5%` exactly (at most four decimals of the fraction).
    pub fn parse(s: &str) -> Result<Ratio, String> {
        let t = s.trim();
        let (number, scale) = match t.strip_suffix('%') {
            Some(p) => (p.trim(), 100),
            None => (t, 10_000),
        };
        let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
        let digits_ok = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit());
        let max_frac = if scale == 100 { 2 } else { 4 };
        if !digits_ok || frac.len() > max_frac {
            return Err(format!(
                "“{t}”不是有效比例（如 1.3 或 15%，最多万分之一精度）"
            ));
        }
        let whole: i64 = whole.parse().map_err(|_| format!("“{t}”过大"))?;
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| format!("“{t}”无效"))?
        };
        let frac_scaled = frac_value * 10_i64.pow((max_frac - frac.len()) as u32);
        // At most 1,000 times: the largest ratio the documents use is 48 times, and the bound
        // keeps every amount × ratio (at most ¥10⁹ × 1,000) inside i64 fen once rounded.
        whole
            .checked_mul(scale)
            .and_then(|bp| bp.checked_add(frac_scaled))
            .filter(|bp| *bp <= Ratio::MAX.0)
            .map(Ratio)
            .ok_or_else(|| format!("比例“{t}”过大（最多1000倍）"))
    }

    /// The largest ratio a parameter may hold: 1,000 times.
    pub const MAX: Ratio = Ratio(1_000 * 10_000);

    /// `amount × ratio`, exact in fen before rounding: returns (numerator, 10,000) so the caller
    /// names the rounding.
    pub fn of(self, amount: Money) -> Fraction {
        Fraction {
            numerator: i128::from(amount.fen()) * i128::from(self.0),
            denominator: 10_000,
        }
    }
}

impl fmt::Display for Ratio {
    /// As a percentage (`130%`, `12.5%`), or from twice upwards as a multiple (`24倍`), which is
    /// how the documents write tiers and limits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 20_000 {
            let (times, frac) = (self.0 / 10_000, self.0 % 10_000);
            return if frac == 0 {
                write!(f, "{times}倍")
            } else {
                write!(
                    f,
                    "{times}.{}倍",
                    format!("{frac:04}").trim_end_matches('0')
                )
            };
        }
        let whole = self.0 / 100;
        let frac = self.0 % 100;
        if frac == 0 {
            write!(f, "{whole}%")
        } else {
            write!(f, "{whole}.{}%", format!("{frac:02}").trim_end_matches('0'))
        }
    }
}

/// An exact quotient of fen, waiting for a named rounding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    /// Numerator in fen.
    pub numerator: i128,
    /// Denominator (positive).
    pub denominator: i128,
}

/// Shown as an amount exactly when it is a whole number of fen or a few decimals more
/// (`¥166.675`), and otherwise cut after two more decimals with an ellipsis (`¥166.6833…`),
/// so that a line never claims an equality that only holds after rounding.
impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, d) = (
            self.numerator.unsigned_abs(),
            self.denominator.unsigned_abs().max(1),
        );
        let sign = if (self.numerator < 0) != (self.denominator < 0) && self.numerator != 0 {
            "-"
        } else {
            ""
        };
        let (whole, mut rest) = (n / d, n % d);
        match i64::try_from(whole) {
            Ok(fen) => write!(f, "{sign}{}", Money::from_fen(fen))?,
            Err(_) => write!(f, "{sign}{whole}分")?,
        }
        for _ in 0..2 {
            if rest == 0 {
                return Ok(());
            }
            rest *= 10;
            write!(f, "{}", rest / d)?;
            rest %= d;
        }
        if rest != 0 {
            f.write_str("…")?;
        }
        Ok(())
    }
}

impl Fraction {
    /// `fen / n`.
    pub fn new(numerator: i64, denominator: i64) -> Fraction {
        assert!(denominator > 0, "a denominator is positive");
        Fraction {
            numerator: i128::from(numerator),
            denominator: i128::from(denominator),
        }
    }

    /// Whether the quotient is a whole number of fen.
    pub fn is_exact(self) -> bool {
        self.numerator % self.denominator == 0
    }

    /// Rounds by a named rule.
    ///
    /// # Panics
    ///
    /// When the result does not fit in `i64` fen; see [`Fraction::try_round`].
    #[inline]
    pub fn round(self, rule: Rounding) -> Money {
        self.try_round(rule).expect("amounts fit in i64 fen")
    }

    /// Rounds by a named rule; `None` when the result does not fit in `i64` fen.
    #[inline]
    pub fn try_round(self, rule: Rounding) -> Option<Money> {
        let unit: i128 = match rule {
            Rounding::FenHalfUp | Rounding::FenUp | Rounding::FenDown => 1,
            Rounding::YuanHalfUp | Rounding::YuanUp => 100,
        };
        let d = self.denominator * unit;
        let n = self.numerator;
        // The same arithmetic in i64 when it cannot overflow (every monthly amount), which is
        // several times faster than i128 division; i128 otherwise.
        let small = |x: i128| i64::try_from(x).ok().filter(|v| v.unsigned_abs() < 1 << 60);
        let q = match (small(n), small(d)) {
            (Some(n), Some(d)) => i128::from(match rule {
                Rounding::FenHalfUp | Rounding::YuanHalfUp => (2 * n + d).div_euclid(2 * d),
                Rounding::FenUp | Rounding::YuanUp => -((-n).div_euclid(d)),
                Rounding::FenDown => n.div_euclid(d),
            }),
            _ => match rule {
                Rounding::FenHalfUp | Rounding::YuanHalfUp => (2 * n + d).div_euclid(2 * d),
                Rounding::FenUp | Rounding::YuanUp => -((-n).div_euclid(d)),
                Rounding::FenDown => n.div_euclid(d),
            },
        };
        q.checked_mul(unit)
            .and_then(|fen| i64::try_from(fen).ok())
            .map(Money::from_fen)
    }
}

/// A named rounding rule; every rounding in doudi names the rule it follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// To the fen, halves up (0.5 fen → 1 fen).
    FenHalfUp,
    /// Up to the next fen (in the household's favour).
    FenUp,
    /// Down to the fen (an average of what was received).
    FenDown,
    /// To the yuan, halves up.
    YuanHalfUp,
    /// Up to the next yuan.
    YuanUp,
}

impl Rounding {
    fn parse(s: &str) -> Result<Rounding, String> {
        match s {
            "fen_half_up" => Ok(Rounding::FenHalfUp),
            "fen_up" => Ok(Rounding::FenUp),
            "fen_down" => Ok(Rounding::FenDown),
            "yuan_half_up" => Ok(Rounding::YuanHalfUp),
            "yuan_up" => Ok(Rounding::YuanUp),
            other => Err(format!(
                "舍入规则“{other}”无法识别，可选：fen_half_up、fen_up、fen_down、yuan_half_up、yuan_up"
            )),
        }
    }

    /// The rule in Chinese, as explanations show it.
    pub fn label(self) -> &'static str {
        match self {
            Rounding::FenHalfUp => "四舍五入到分",
            Rounding::FenUp => "向上取整到分",
            Rounding::FenDown => "向下取整到分",
            Rounding::YuanHalfUp => "四舍五入到元",
            Rounding::YuanUp => "向上取整到元",
        }
    }
}

/// Whether a value's source is a government document or a placeholder the county must confirm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// A government source says so.
    Official,
    /// A placeholder the county must confirm; shown as such wherever it is used.
    Illustrative,
}

impl Status {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Official => "正式",
            Status::Illustrative => "示例值（待县里确认）",
        }
    }
}

/// The kind of value a parameter holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Yuan, written as a string ("546" or "546.50").
    Money,
    /// A ratio ("1.3", "15%").
    Ratio,
    /// A whole number.
    Count,
    /// true or false.
    Flag,
    /// A rounding rule name.
    Rounding,
    /// A list of division codes.
    Codes,
    /// A text.
    Text,
}

/// One value of a parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Money.
    Money(Money),
    /// A ratio.
    Ratio(Ratio),
    /// A whole number.
    Count(i64),
    /// A flag.
    Flag(bool),
    /// A rounding rule.
    Rounding(Rounding),
    /// Division codes.
    Codes(Vec<String>),
    /// A text.
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Money(m) => write!(f, "{m}"),
            Value::Ratio(r) => write!(f, "{r}"),
            Value::Count(n) => write!(f, "{n}"),
            Value::Flag(b) => f.write_str(if *b { "是" } else { "否" }),
            Value::Rounding(r) => f.write_str(r.label()),
            Value::Codes(c) => f.write_str(&c.join("、")),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// One dated value of a parameter, with its provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// First day the value is in force.
    pub from: NaiveDate,
    /// Last day it is in force, if it ends without a successor.
    pub until: Option<NaiveDate>,
    /// The value.
    pub value: Value,
    /// The document or page it comes from.
    pub source: String,
    /// Official or illustrative.
    pub status: Status,
    /// The line of the parameter file it was read from.
    pub line: usize,
}

/// A parameter the rules use.
#[derive(Clone, Copy, Debug)]
pub struct Def {
    /// Its key in the file, `group.name`.
    pub key: &'static str,
    /// The kind of value.
    pub kind: Kind,
    /// Chinese label with unit.
    pub label: &'static str,
    /// The clause it serves.
    pub clause: &'static str,
}

/// A problem in a parameter file, with its line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("第{line}行：{message}")]
pub struct ParamError {
    /// 1-based line (0 when the problem is the whole file).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    from: Spanned<toml::value::Datetime>,
    until: Option<Spanned<toml::value::Datetime>>,
    value: Spanned<toml::Value>,
    status: Spanned<String>,
    source: String,
    #[allow(dead_code)]
    note: Option<String>,
}

type RawFile = BTreeMap<String, Spanned<BTreeMap<String, Spanned<Vec<Spanned<RawEntry>>>>>>;

/// A validated parameter set.
#[derive(Clone, Debug)]
pub struct Parameters {
    entries: Vec<Vec<Entry>>,
}

fn line_of(text: &str, offset: usize) -> usize {
    // Bytes, not a `str` slice: an offset inside a character must not panic.
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn to_date(d: &toml::value::Datetime) -> Option<NaiveDate> {
    let date = d.date?;
    if d.time.is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
}

/// The most months an income window may span: ten years. Bounding it keeps the window's sums
/// (at most this many months of at most ¥10⁹ each) far inside the arithmetic's range.
pub const MAX_WINDOW_MONTHS: i64 = 120;

/// Checks what only some parameters require of their values.
fn check_value(key: &str, value: &Value) -> Result<(), String> {
    match (key, value) {
        ("dibao.income_window_months" | "dibao.expenditure_window_months", Value::Count(n))
            if !(1..=MAX_WINDOW_MONTHS).contains(n) =>
        {
            Err(format!(
                "收入计算月数应为1至{MAX_WINDOW_MONTHS}个月，实际为 {n}"
            ))
        }
        _ => Ok(()),
    }
}

fn parse_value(kind: Kind, v: &toml::Value) -> Result<Value, String> {
    match (kind, v) {
        (Kind::Money, toml::Value::String(s)) => {
            let m = Money::parse_yuan(s).map_err(|e| e.to_string())?;
            if m.is_negative() {
                return Err(format!("金额不能为负数：{s}"));
            }
            Ok(Value::Money(m))
        }
        (Kind::Money, toml::Value::Integer(n)) if (0..=MAX_YUAN).contains(n) => {
            Ok(Value::Money(Money::from_yuan(*n)))
        }
        (Kind::Money, toml::Value::Integer(n)) if *n > MAX_YUAN => {
            Err(format!("金额{n}超出允许范围（最大 {MAX_YUAN} 元）"))
        }
        (Kind::Money, toml::Value::Integer(n)) => Err(format!("金额不能为负数：{n}")),
        (Kind::Money, toml::Value::Float(_)) => {
            Err("金额请写成字符串（如 \"546.50\"），避免浮点误差".into())
        }
        (Kind::Ratio, toml::Value::String(s)) => Ratio::parse(s).map(Value::Ratio),
        (Kind::Ratio, toml::Value::Integer(n)) if *n >= 0 => {
            Ratio::parse(&n.to_string()).map(Value::Ratio)
        }
        (Kind::Ratio, toml::Value::Float(_)) => {
            Err("比例请写成字符串（如 \"1.3\" 或 \"15%\"）".into())
        }
        (Kind::Count, toml::Value::Integer(n)) if (0..=MAX_COUNT).contains(n) => {
            Ok(Value::Count(*n))
        }
        (Kind::Count, toml::Value::Integer(n)) if *n > MAX_COUNT => {
            Err(format!("数量{n}过大（最大 {MAX_COUNT}）"))
        }
        (Kind::Flag, toml::Value::Boolean(b)) => Ok(Value::Flag(*b)),
        (Kind::Rounding, toml::Value::String(s)) => Rounding::parse(s).map(Value::Rounding),
        (Kind::Text, toml::Value::String(s)) => Ok(Value::Text(s.clone())),
        (Kind::Codes, toml::Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                toml::Value::String(s) if s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) => {
                    match crate::township_table().get(s) {
                        Some(_) => Ok(s.clone()),
                        None => Err(format!(
                            "区划代码“{s}”不是{}的街道、镇或乡（区划表 {} 版）",
                            doudi_core::division::COUNTY_NAME,
                            crate::township_table().version
                        )),
                    }
                }
                other => Err(format!("区划代码应为9位数字字符串，实际为 {}", show(other))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Codes),
        (kind, other) => Err(format!(
            "值 {} 的类型不对（此参数应为{}）",
            show(other),
            kind_label(kind)
        )),
    }
}

fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(f) => format!("{f}"),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => format!("{d:?}"),
        toml::Value::Array(_) => "列表".into(),
        toml::Value::Table(_) => "表".into(),
    }
}

fn kind_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Money => "金额字符串，如 \"546\"",
        Kind::Ratio => "比例字符串，如 \"1.3\" 或 \"15%\"",
        Kind::Count => "非负整数",
        Kind::Flag => "true 或 false",
        Kind::Rounding => "舍入规则名",
        Kind::Codes => "区划代码列表",
        Kind::Text => "文字",
    }
}

impl Parameters {
    /// The Yunyang default set shipped in the binary.
    pub fn yunyang() -> Parameters {
        Parameters::parse(include_str!("../data/yunyang.toml"))
            .expect("the embedded Yunyang parameters are valid")
    }

    /// Parses and validates a parameter file. Every problem is reported with its line: unknown
    /// keys, missing parameters, values of the wrong kind, negative amounts, overlapping or
    /// unordered dates, gaps.
    pub fn parse(text: &str) -> Result<Parameters, Vec<ParamError>> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            vec![ParamError {
                line: e.span().map_or(0, |s| line_of(text, s.start)),
                message: e.message().to_owned(),
            }]
        })?;
        let mut errors = Vec::new();
        let mut entries: Vec<Vec<Entry>> = vec![Vec::new(); crate::DEFS.len()];
        let mut seen = vec![false; crate::DEFS.len()];
        for (group, table) in &raw {
            for (name, list) in table.get_ref() {
                let key = format!("{group}.{name}");
                let line = line_of(text, list.span().start);
                let Some(index) = crate::DEFS.iter().position(|d| d.key == key) else {
                    errors.push(ParamError {
                        line,
                        message: format!("未知参数“{key}”"),
                    });
                    continue;
                };
                seen[index] = true;
                let def = crate::DEFS[index];
                for raw_entry in list.get_ref() {
                    let line = line_of(text, raw_entry.span().start);
                    let e = raw_entry.get_ref();
                    let at = |s: &std::ops::Range<usize>| line_of(text, s.start);
                    let Some(from) = to_date(e.from.get_ref()) else {
                        errors.push(ParamError {
                            line: at(&e.from.span()),
                            message: format!("{key} 的 from 应为日期，如 2021-09-01"),
                        });
                        continue;
                    };
                    let until = match &e.until {
                        None => None,
                        Some(u) => match to_date(u.get_ref()) {
                            Some(d) if d >= from => Some(d),
                            Some(d) => {
                                errors.push(ParamError {
                                    line: at(&u.span()),
                                    message: format!("{key} 的 until {d} 早于 from {from}"),
                                });
                                continue;
                            }
                            None => {
                                errors.push(ParamError {
                                    line: at(&u.span()),
                                    message: format!("{key} 的 until 应为日期"),
                                });
                                continue;
                            }
                        },
                    };
                    let status = match e.status.get_ref().as_str() {
                        "official" => Status::Official,
                        "illustrative" => Status::Illustrative,
                        other => {
                            errors.push(ParamError {
                                line: at(&e.status.span()),
                                message: format!(
                                    "{key} 的 status “{other}”应为 official 或 illustrative"
                                ),
                            });
                            continue;
                        }
                    };
                    if status == Status::Official && e.source.trim().is_empty() {
                        errors.push(ParamError {
                            line,
                            message: format!("{key}：正式（official）取值必须注明来源 source"),
                        });
                        continue;
                    }
                    match parse_value(def.kind, e.value.get_ref())
                        .and_then(|v| check_value(def.key, &v).map(|()| v))
                    {
                        Ok(value) => entries[index].push(Entry {
                            from,
                            until,
                            value,
                            source: e.source.clone(),
                            status,
                            line,
                        }),
                        Err(message) => errors.push(ParamError {
                            line: at(&e.value.span()),
                            message: format!("{key}：{message}"),
                        }),
                    }
                }
            }
        }
        for (index, list) in entries.iter_mut().enumerate() {
            let key = crate::DEFS[index].key;
            if !seen[index] || list.is_empty() {
                if !seen[index] {
                    errors.push(ParamError {
                        line: 0,
                        message: format!("缺少参数“{key}”（{}）", crate::DEFS[index].label),
                    });
                }
                continue;
            }
            list.sort_by_key(|e| e.from);
            for pair in list.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                if a.from == b.from {
                    errors.push(ParamError {
                        line: b.line,
                        message: format!("{key} 在 {} 有两个取值（与第{}行重复）", b.from, a.line),
                    });
                } else if let Some(until) = a.until {
                    if until >= b.from {
                        errors.push(ParamError {
                            line: b.line,
                            message: format!(
                                "{key} 的取值时段重叠：第{}行至 {until}，本行自 {} 起",
                                a.line, b.from
                            ),
                        });
                    } else if until.succ_opt() != Some(b.from) {
                        errors.push(ParamError {
                            line: b.line,
                            message: format!("{key} 在 {until} 与 {} 之间没有取值", b.from),
                        });
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(Parameters { entries })
        } else {
            errors.sort_by_key(|e| e.line);
            Err(errors)
        }
    }

    /// The entry of parameter `index` in force on `date`.
    pub fn at(&self, index: usize, date: NaiveDate) -> Option<&Entry> {
        let list = &self.entries[index];
        let i = list.partition_point(|e| e.from <= date);
        let e = list.get(i.checked_sub(1)?)?;
        match e.until {
            Some(until) if until < date => None,
            _ => Some(e),
        }
    }

    /// Every entry of parameter `index`, oldest first.
    pub fn history(&self, index: usize) -> &[Entry] {
        &self.entries[index]
    }

    /// Replaces parameter `key`'s values from `from` on with `value`, as a proposed change for
    /// what-if simulation (nothing is adopted).
    pub fn with_change(
        &self,
        key: &str,
        from: NaiveDate,
        value: &str,
        source: &str,
    ) -> Result<Parameters, String> {
        let index = crate::DEFS
            .iter()
            .position(|d| d.key == key)
            .ok_or_else(|| format!("未知参数“{key}”"))?;
        let def = crate::DEFS[index];
        let parsed =
            parse_value(def.kind, &toml::Value::String(value.to_owned())).or_else(|e| {
                // A count or a flag is written on the command line as text too.
                value
                    .parse::<i64>()
                    .ok()
                    .map(toml::Value::Integer)
                    .or_else(|| value.parse::<bool>().ok().map(toml::Value::Boolean))
                    .map_or(Err(e), |v| parse_value(def.kind, &v))
            })?;
        check_value(def.key, &parsed)?;
        let mut next = self.clone();
        let list = &mut next.entries[index];
        list.retain(|e| e.from < from);
        if let Some(last) = list.last_mut()
            && last.until.is_none_or(|u| u >= from)
        {
            last.until = from.pred_opt();
        }
        list.push(Entry {
            from,
            until: None,
            value: parsed,
            source: source.to_owned(),
            status: Status::Illustrative,
            line: 0,
        });
        Ok(next)
    }

    /// The first day of month `m`, on which the month's values are read.
    pub fn reading_day(m: Month) -> NaiveDate {
        m.first_day()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_parse_exactly_from_decimals_and_percentages() {
        assert_eq!(Ratio::parse("1.3"), Ok(Ratio(13_000)));
        assert_eq!(Ratio::parse("15%"), Ok(Ratio(1_500)));
        assert_eq!(Ratio::parse("12.5%"), Ok(Ratio(1_250)));
        assert_eq!(Ratio::parse("0.0001"), Ok(Ratio(1)));
        assert!(Ratio::parse("0.00001").is_err());
        assert!(Ratio::parse("-1").is_err());
        assert_eq!(Ratio(13_000).to_string(), "130%");
        assert_eq!(Ratio(1_250).to_string(), "12.5%");
        assert_eq!(Ratio(240_000).to_string(), "24倍");
        assert_eq!(Ratio(25_000).to_string(), "2.5倍");
    }

    #[test]
    fn rounding_in_i64_agrees_with_rounding_in_i128_on_every_rule() {
        // The reference: the rules computed in i128 only.
        let reference = |n: i128, d: i128, rule: Rounding| -> i128 {
            let unit = match rule {
                Rounding::YuanHalfUp | Rounding::YuanUp => 100,
                _ => 1,
            };
            let d = d * unit;
            let q = match rule {
                Rounding::FenHalfUp | Rounding::YuanHalfUp => (2 * n + d).div_euclid(2 * d),
                Rounding::FenUp | Rounding::YuanUp => -((-n).div_euclid(d)),
                Rounding::FenDown => n.div_euclid(d),
            };
            q * unit
        };
        let rules = [
            Rounding::FenHalfUp,
            Rounding::FenUp,
            Rounding::FenDown,
            Rounding::YuanHalfUp,
            Rounding::YuanUp,
        ];
        let numerators = [
            0,
            1,
            -1,
            3,
            -3,
            5,
            149,
            150,
            151,
            -150,
            300_003,
            1 << 40,
            (1 << 59) + 1,
            (1 << 61) + 7,
            -(1 << 61) - 7,
            i64::MAX / 3,
        ];
        for n in numerators {
            for d in [1, 2, 3, 6, 12, 10_000] {
                for rule in rules {
                    let got = std::panic::catch_unwind(|| Fraction::new(n, d).round(rule).fen());
                    let want = reference(i128::from(n), i128::from(d), rule);
                    match (got, i64::try_from(want)) {
                        (Ok(got), Ok(want)) => assert_eq!(got, want, "{n} / {d} by {rule:?}"),
                        (Err(_), Err(_)) => {}
                        (got, want) => panic!("{n} / {d} by {rule:?}: {got:?} against {want:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn a_ratio_above_a_thousand_times_is_refused_not_overflowed() {
        assert_eq!(Ratio::parse("1000"), Ok(Ratio::MAX));
        assert_eq!(Ratio::parse("100000%"), Ok(Ratio::MAX));
        for bad in [
            "1000.0001",
            "100000.01%",
            "922337203685477",
            "92233720368547758%",
        ] {
            let e = Ratio::parse(bad).unwrap_err();
            assert!(e.contains("过大（最多1000倍）"), "{bad}: {e}");
        }
        // The largest amount times the largest ratio still rounds to an amount.
        assert_eq!(
            Ratio::MAX.of(Money::MAX_INPUT).round(Rounding::FenHalfUp),
            Money::from_fen(100_000_000_000_000)
        );
    }

    #[test]
    fn a_fraction_shows_its_exact_value_or_an_ellipsis() {
        assert_eq!(Fraction::new(100_005, 6).to_string(), "¥166.675");
        assert_eq!(Fraction::new(50_005, 3).to_string(), "¥166.6833…");
        assert_eq!(Fraction::new(16_668, 1).to_string(), "¥166.68");
        assert_eq!(Fraction::new(-3, 2).to_string(), "-¥0.015");
    }

    #[test]
    fn half_a_fen_rounds_by_the_named_rule() {
        let half = Fraction::new(300_003, 6); // 50,000.5 fen
        assert_eq!(half.round(Rounding::FenHalfUp), Money::from_fen(50_001));
        assert_eq!(half.round(Rounding::FenDown), Money::from_fen(50_000));
        assert_eq!(half.round(Rounding::FenUp), Money::from_fen(50_001));
        assert_eq!(
            Fraction::new(82_680, 1).round(Rounding::YuanHalfUp),
            Money::from_yuan(827)
        );
        assert_eq!(
            Fraction::new(93_210, 1).round(Rounding::YuanHalfUp),
            Money::from_yuan(932)
        );
        assert_eq!(
            Fraction::new(-3, 2).round(Rounding::FenHalfUp),
            Money::from_fen(-1)
        );
        assert_eq!(
            Fraction::new(-3, 2).round(Rounding::FenUp),
            Money::from_fen(-1)
        );
    }
}
