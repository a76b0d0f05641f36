//! Closed vocabularies (categories, causes of poverty, disability kinds …) with a stable code for
//! storage and the API and a Chinese label for people.

/// Declares a closed vocabulary: an enum whose variants each carry a stable code and a label.
///
/// Every vocabulary gets `ALL`, `code()`, `label()` and `parse()`, which accepts either the code
/// or the label, so that a spreadsheet written in Chinese and a JSON request written in codes both
/// work.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = $label] $variant ),+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// What this vocabulary is called, in Chinese, for error messages.
            pub const WHAT: &'static str = $what;

            /// The stable code used in storage and the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a stable code or a Chinese label.
            pub fn parse(s: &str) -> Result<$name, $crate::labels::UnknownValue> {
                let t = s.trim();
                $( if t == $code || t == $label { return Ok($name::$variant); } )+
                Err($crate::labels::UnknownValue {
                    what: $what,
                    found: t.to_owned(),
                    allowed: Self::ALL.iter().map(|v| v.label()).collect::<Vec<_>>().join("、"),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// A value that is not in a vocabulary; the message lists what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}“{found}”无法识别，可选：{allowed}")]
pub struct UnknownValue {
    /// The vocabulary's Chinese name.
    pub what: &'static str,
    /// What was given.
    pub found: String,
    /// The allowed labels, joined for display.
    pub allowed: String,
}

/// Parses a list of vocabulary values separated by `、`, `,`, `，`, `;` or `；`, without duplicates.
pub fn parse_list<T: Copy + Ord>(
    s: &str,
    parse: impl Fn(&str) -> Result<T, UnknownValue>,
) -> Result<Vec<T>, UnknownValue> {
    let mut out: Vec<T> = s
        .split(['、', ',', '，', ';', '；', '|'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(parse)
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Joins vocabulary values with `、` for display and files.
pub fn join_labels<T: Copy>(items: &[T], label: impl Fn(T) -> &'static str) -> String {
    items
        .iter()
        .map(|v| label(*v))
        .collect::<Vec<_>>()
        .join("、")
}
