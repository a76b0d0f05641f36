//! Explanations: a tree of steps, each citing its clause, the facts it used, every parameter
//! with value, date and source, and the arithmetic, so a caseworker can answer "why this
//! amount?" and a household can check it.
//!
//! Computations are written once, generic over [`Trace`]: with [`Off`] every recording call is
//! compiled away, with [`Explanation`] the tree is built.
//!
//! The tree is complete when built, but its words are put together only when it is shown: a
//! line is a [`Text`], usually a template with its values (money, counts, months) kept as they
//! are, and a step names the parameters it used by [`P`], resolved against the month's
//! citations that the root of the tree holds. Building the explanations of a million households
//! is then a matter of recording numbers, not of formatting Chinese (see `doudi bench policy`);
//! rendering as text or JSON gives the same words either way.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use chrono::NaiveDate;
use doudi_core::{Money, Month};
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::params::{Fraction, Ratio};
use crate::{Citation, P, ParamSet, Resolved};

/// One value in a line of an explanation, kept as it is until the line is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An amount, shown like `1,234.56元`'s [`Money`] display.
    Money(Money),
    /// A whole number.
    Int(i64),
    /// Fixed words.
    Str(&'static str),
    /// A month.
    Month(Month),
    /// A day.
    Date(NaiveDate),
    /// A ratio (a multiple or a share).
    Ratio(Ratio),
    /// Named amounts, joined with 、 (`高龄60.00元、重病100.00元`).
    Items(Box<[(&'static str, Money)]>),
    /// Words put together elsewhere.
    Text(String),
    /// An exact quotient of fen, shown with its decimals (`¥166.6833…`), never rounded.
    Exact(Fraction),
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Money(m) => m.fmt(f),
            Arg::Int(n) => n.fmt(f),
            Arg::Str(s) => f.write_str(s),
            Arg::Month(m) => m.fmt(f),
            Arg::Date(d) => d.fmt(f),
            Arg::Ratio(r) => r.fmt(f),
            Arg::Items(items) => {
                for (i, (name, amount)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str("、")?;
                    }
                    write!(f, "{name}{amount}")?;
                }
                Ok(())
            }
            Arg::Text(s) => f.write_str(s),
            Arg::Exact(q) => q.fmt(f),
        }
    }
}

macro_rules! arg_from {
    ($($t:ty => |$v:ident| $e:expr;)+) => {
        $(impl From<$t> for Arg {
            #[inline]
            fn from($v: $t) -> Arg {
                $e
            }
        })+
    };
}

arg_from! {
    Money => |m| Arg::Money(m);
    i64 => |n| Arg::Int(n);
    i32 => |n| Arg::Int(i64::from(n));
    u32 => |n| Arg::Int(i64::from(n));
    usize => |n| Arg::Int(i64::try_from(n).unwrap_or(i64::MAX));
    &'static str => |s| Arg::Str(s);
    Month => |m| Arg::Month(m);
    NaiveDate => |d| Arg::Date(d);
    Ratio => |r| Arg::Ratio(r);
    String => |s| Arg::Text(s);
    Fraction => |q| Arg::Exact(q);
}

/// One piece of words in an explanation: fixed words, a single value, words already put
/// together, or a template whose `{}` holes are filled with its values when shown.
#[derive(Clone, Debug)]
pub enum Text {
    /// Fixed words.
    Static(&'static str),
    /// A single value.
    Value(Arg),
    /// A template and its values, one per `{}`.
    Template(&'static str, Box<[Arg]>),
}

impl Text {
    /// Nothing.
    pub const EMPTY: Text = Text::Static("");

    /// Whether it shows as nothing.
    pub fn is_empty(&self) -> bool {
        match self {
            Text::Static(s) => s.is_empty(),
            Text::Value(Arg::Text(s)) => s.is_empty(),
            Text::Value(_) => false,
            Text::Template(t, _) => t.is_empty(),
        }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::EMPTY
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::Static(s) => f.write_str(s),
            Text::Value(a) => a.fmt(f),
            Text::Template(template, args) => {
                let mut args = args.iter();
                let mut parts = template.split("{}");
                if let Some(first) = parts.next() {
                    f.write_str(first)?;
                }
                for part in parts {
                    if let Some(a) = args.next() {
                        a.fmt(f)?;
                    }
                    f.write_str(part)?;
                }
                Ok(())
            }
        }
    }
}

/// Two texts are equal when they show the same words.
impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Text {}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl From<&'static str> for Text {
    #[inline]
    fn from(s: &'static str) -> Text {
        Text::Static(s)
    }
}

impl From<String> for Text {
    #[inline]
    fn from(s: String) -> Text {
        Text::Value(Arg::Text(s))
    }
}

impl From<Arg> for Text {
    #[inline]
    fn from(a: Arg) -> Text {
        Text::Value(a)
    }
}

macro_rules! text_from_value {
    ($($t:ty),+) => {
        $(impl From<$t> for Text {
            #[inline]
            fn from(v: $t) -> Text {
                Text::Value(Arg::from(v))
            }
        })+
    };
}

text_from_value!(Money, i64, i32, u32, usize, Month, NaiveDate, Ratio);

/// The number of `{}` holes in a template (for the check in [`text!`](crate::text)).
#[doc(hidden)]
pub const fn holes(template: &str) -> usize {
    let bytes = template.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && bytes[i + 1] == b'}' {
            n += 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    n
}

/// A [`Text`] from a template with `{}` holes and one value per hole, checked when compiled:
/// `text!("{} × {}人", standard, size)`. The values are kept; the words are put together only
/// when the text is shown.
#[macro_export]
macro_rules! text {
    ($template:literal) => {
        $crate::explain::Text::Static($template)
    };
    ($template:literal, $($arg:expr),+ $(,)?) => {{
        const _: () = assert!(
            $crate::explain::holes($template) == [$(stringify!($arg)),+].len(),
            "a text! template needs one value per hole"
        );
        $crate::explain::Text::Template(
            $template,
            ::std::boxed::Box::new([$($crate::explain::Arg::from($arg)),+]),
        )
    }};
}

/// One step of an explanation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The clause the step applies (e.g. `2.1.b`).
    pub clause: &'static str,
    /// What the step decides.
    pub title: Text,
    /// The outcome of the step, in words.
    pub result: Text,
    /// Facts about the household it used.
    pub facts: Vec<(&'static str, Text)>,
    /// Parameters it used, resolved through the citations of the tree's root.
    pub parameters: Vec<P>,
    /// The arithmetic, one line per operation.
    pub arithmetic: Vec<Text>,
    /// Sub-steps.
    pub steps: Vec<Explanation>,
    /// The month's citations, held by the root of a tree (shared by every explanation of the
    /// month).
    citations: Option<Arc<[Citation]>>,
}

impl Explanation {
    /// A step.
    pub fn new(clause: &'static str, title: impl Into<Text>) -> Explanation {
        Explanation {
            clause,
            title: title.into(),
            ..Explanation::default()
        }
    }

    /// The root of a tree, citing the parameters of `r`.
    pub fn root(clause: &'static str, title: impl Into<Text>, r: &Resolved) -> Explanation {
        Explanation {
            citations: Some(r.citations()),
            ..Explanation::new(clause, title)
        }
    }

    fn table(&self) -> &[Citation] {
        self.citations.as_deref().unwrap_or(&[])
    }

    /// The citation of a parameter a step of this tree used. Only the root holds citations:
    /// ask the root about any of its steps.
    ///
    /// # Panics
    ///
    /// When called on a step that is not a root.
    pub fn citation(&self, p: P) -> &Citation {
        &self
            .citations
            .as_ref()
            .expect("citations are asked of the root of an explanation")[p as usize]
    }

    /// Whether this step or any sub-step used an illustrative parameter value.
    pub fn uses_illustrative(&self) -> bool {
        fn walk(e: &Explanation, table: &[Citation]) -> bool {
            e.parameters
                .iter()
                .any(|p| table.get(*p as usize).is_some_and(|c| c.illustrative))
                || e.steps.iter().any(|s| walk(s, table))
        }
        walk(self, self.table())
    }

    /// Plain Chinese for a caseworker, indented by depth.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out, 0, self.table());
        out
    }

    fn render_into(&self, out: &mut String, depth: usize, table: &[Citation]) {
        // Writing into a String cannot fail.
        let pad = "  ".repeat(depth);
        let _ = write!(out, "{pad}【{}】", self.title);
        if !self.result.is_empty() {
            let _ = write!(out, "：{}", self.result);
        }
        let _ = writeln!(out, "（依据 {}）", self.clause);
        for (label, value) in &self.facts {
            let _ = writeln!(out, "{pad}  · {label}：{value}");
        }
        for p in &self.parameters {
            match table.get(*p as usize) {
                Some(c) => {
                    let flag = if c.illustrative {
                        "；⚠示例值，待县里确认"
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        out,
                        "{pad}  · 参数 {}＝{}（{}起施行；来源：{}{flag}）",
                        c.label, c.value, c.from, c.source
                    );
                }
                None => {
                    let _ = writeln!(out, "{pad}  · 参数 {}", crate::DEFS[*p as usize].label);
                }
            }
        }
        for line in &self.arithmetic {
            let _ = writeln!(out, "{pad}  = {line}");
        }
        for s in &self.steps {
            s.render_into(out, depth + 1, table);
        }
    }

    /// Visits every step, depth first, with its depth and the citations of its parameters.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(usize, &'a Explanation, Vec<&'a Citation>)) {
        fn go<'a>(
            e: &'a Explanation,
            depth: usize,
            table: &'a [Citation],
            f: &mut impl FnMut(usize, &'a Explanation, Vec<&'a Citation>),
        ) {
            let cited = e
                .parameters
                .iter()
                .filter_map(|p| table.get(*p as usize))
                .collect();
            f(depth, e, cited);
            for s in &e.steps {
                go(s, depth + 1, table, f);
            }
        }
        go(self, 0, self.table(), f);
    }
}

/// The JSON of a step: parameters appear as whole citations (key, label, value, date, source,
/// illustrative), looked up in the root's table.
struct WithCitations<'a>(&'a Explanation, &'a [Citation]);

struct Cited<'a>(&'a [P], &'a [Citation]);

struct Steps<'a>(&'a [Explanation], &'a [Citation]);

impl Serialize for Cited<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for p in self.0 {
            match self.1.get(*p as usize) {
                Some(c) => seq.serialize_element(c)?,
                None => seq.serialize_element(crate::DEFS[*p as usize].key)?,
            }
        }
        seq.end()
    }
}

impl Serialize for Steps<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for step in self.0 {
            seq.serialize_element(&WithCitations(step, self.1))?;
        }
        seq.end()
    }
}

impl Serialize for WithCitations<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, table) = (self.0, self.1);
        let mut st = s.serialize_struct("Explanation", 7)?;
        st.serialize_field("clause", e.clause)?;
        st.serialize_field("title", &e.title)?;
        st.serialize_field("result", &e.result)?;
        st.serialize_field("facts", &e.facts)?;
        st.serialize_field("parameters", &Cited(&e.parameters, table))?;
        st.serialize_field("arithmetic", &e.arithmetic)?;
        st.serialize_field("steps", &Steps(&e.steps, table))?;
        st.end()
    }
}

impl Serialize for Explanation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WithCitations(self, self.table()).serialize(s)
    }
}

/// Where a computation records its reasoning.
pub trait Trace: Sized {
    /// Whether anything is recorded; lets callers skip building strings.
    const ON: bool;
    /// A sub-step.
    fn sub(&self, clause: &'static str, title: impl Into<Text>) -> Self;
    /// Attaches a finished sub-step.
    fn attach(&mut self, child: Self);
    /// Records into the current step.
    fn with(&mut self, f: impl FnOnce(&mut Explanation));

    /// Cites parameters: adds them to `used`, which a decision keeps on both paths, and, when
    /// explaining, lists them in this step. A computation cites through here only, so the fast
    /// path knows the same set of parameters as the explanation shows (and so whether an
    /// illustrative value went into the decision).
    #[inline(always)]
    fn cite_params(&mut self, used: &mut ParamSet, ps: &[P]) {
        used.add(ParamSet::of(ps));
        self.with(|e| e.cite_all(ps));
    }
}

/// Records nothing; every call compiles to nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Off;

impl Trace for Off {
    const ON: bool = false;
    #[inline(always)]
    fn sub(&self, _: &'static str, _: impl Into<Text>) -> Off {
        Off
    }
    #[inline(always)]
    fn attach(&mut self, _: Off) {}
    #[inline(always)]
    fn with(&mut self, _: impl FnOnce(&mut Explanation)) {}
}

impl Trace for Explanation {
    const ON: bool = true;
    fn sub(&self, clause: &'static str, title: impl Into<Text>) -> Explanation {
        Explanation::new(clause, title)
    }
    fn attach(&mut self, child: Explanation) {
        self.steps.push(child);
    }
    fn with(&mut self, f: impl FnOnce(&mut Explanation)) {
        f(self);
    }
}

impl Explanation {
    /// Adds a fact.
    pub fn fact(&mut self, label: &'static str, value: impl Into<Text>) {
        self.facts.push((label, value.into()));
    }

    /// Adds an arithmetic line.
    pub fn calc(&mut self, line: impl Into<Text>) {
        self.arithmetic.push(line.into());
    }

    /// Cites a parameter.
    pub fn cite(&mut self, p: P) {
        self.parameters.push(p);
    }

    /// Cites parameters.
    pub fn cite_all(&mut self, ps: &[P]) {
        self.parameters.extend_from_slice(ps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_fills_its_holes_in_order() {
        let t = crate::text!("{} × {}人 = {}", Money::from_fen(12345), 3u32, "合计");
        assert_eq!(
            t.to_string(),
            format!("{} × 3人 = 合计", Money::from_fen(12345))
        );
    }

    #[test]
    fn named_amounts_are_joined_with_the_chinese_comma() {
        let a = Arg::Items(Box::new([
            ("高龄", Money::from_fen(6000)),
            ("重病", Money::from_fen(10000)),
        ]));
        assert_eq!(
            a.to_string(),
            format!(
                "高龄{}、重病{}",
                Money::from_fen(6000),
                Money::from_fen(10000)
            )
        );
    }

    #[test]
    fn holes_are_counted_in_a_template() {
        assert_eq!(holes("{} 与 {}：{}"), 3);
        assert_eq!(holes("没有"), 0);
    }

    #[test]
    fn texts_are_equal_when_they_show_the_same_words() {
        assert_eq!(Text::from("3"), Text::from(3i64));
        assert!(Text::EMPTY.is_empty());
        assert!(!Text::from(Money::ZERO).is_empty());
    }
}
