//! Explanations: a tree of steps, each citing its clause, the facts it used, every parameter
//! with value, date and source, and the arithmetic, so a caseworker can answer "why this
//! amount?" and a household can check it.
//!
//! Computations are written once, generic over [`Trace`]: with [`Off`] every recording call is
//! compiled away, with [`Explanation`] the tree is built.

use serde::Serialize;

use crate::Citation;

/// One step of an explanation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The clause the step applies (e.g. `2.1.b`).
    pub clause: &'static str,
    /// What the step decides.
    pub title: String,
    /// The outcome of the step, in words.
    pub result: String,
    /// Facts about the household it used.
    pub facts: Vec<(String, String)>,
    /// Parameters it used (shared with every other explanation of the month).
    pub parameters: Vec<std::sync::Arc<Citation>>,
    /// The arithmetic, one line per operation.
    pub arithmetic: Vec<String>,
    /// Sub-steps.
    pub steps: Vec<Explanation>,
}

impl Explanation {
    /// A step.
    pub fn new(clause: &'static str, title: impl Into<String>) -> Explanation {
        Explanation {
            clause,
            title: title.into(),
            ..Explanation::default()
        }
    }

    /// Whether this step or any sub-step used an illustrative parameter value.
    pub fn uses_illustrative(&self) -> bool {
        self.parameters.iter().any(|p| p.illustrative)
            || self.steps.iter().any(Explanation::uses_illustrative)
    }

    /// Plain Chinese for a caseworker, indented by depth.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.render_into(&mut out, 0);
        out
    }

    fn render_into(&self, out: &mut String, depth: usize) {
        let pad = "  ".repeat(depth);
        out.push_str(&format!(
            "{pad}【{}】{}（依据 {}）\n",
            self.title,
            if self.result.is_empty() {
                String::new()
            } else {
                format!("：{}", self.result)
            },
            self.clause
        ));
        for (label, value) in &self.facts {
            out.push_str(&format!("{pad}  · {label}：{value}\n"));
        }
        for p in &self.parameters {
            let flag = if p.illustrative {
                "；⚠示例值，待县里确认"
            } else {
                ""
            };
            out.push_str(&format!(
                "{pad}  · 参数 {}＝{}（{}起施行；来源：{}{flag}）\n",
                p.label, p.value, p.from, p.source
            ));
        }
        for line in &self.arithmetic {
            out.push_str(&format!("{pad}  = {line}\n"));
        }
        for s in &self.steps {
            s.render_into(out, depth + 1);
        }
    }
}

/// Where a computation records its reasoning.
pub trait Trace: Sized {
    /// Whether anything is recorded; lets callers skip building strings.
    const ON: bool;
    /// A sub-step.
    fn sub(&self, clause: &'static str, title: &str) -> Self;
    /// Attaches a finished sub-step.
    fn attach(&mut self, child: Self);
    /// Records into the current step.
    fn with(&mut self, f: impl FnOnce(&mut Explanation));
}

/// Records nothing; every call compiles to nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Off;

impl Trace for Off {
    const ON: bool = false;
    #[inline(always)]
    fn sub(&self, _: &'static str, _: &str) -> Off {
        Off
    }
    #[inline(always)]
    fn attach(&mut self, _: Off) {}
    #[inline(always)]
    fn with(&mut self, _: impl FnOnce(&mut Explanation)) {}
}

impl Trace for Explanation {
    const ON: bool = true;
    fn sub(&self, clause: &'static str, title: &str) -> Explanation {
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
    pub fn fact(&mut self, label: impl Into<String>, value: impl ToString) {
        self.facts.push((label.into(), value.to_string()));
    }

    /// Adds an arithmetic line.
    pub fn calc(&mut self, line: impl Into<String>) {
        self.arithmetic.push(line.into());
    }
}
