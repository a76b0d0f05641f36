//! Administrative divisions: the county's streets, towns and townships (乡级), and the
//! communities (社区) beneath them.
//!
//! Division codes get revised, so the township table is versioned data
//! (`data/divisions-yunyang-2023.tsv`, embedded), not code. Communities live in the database:
//! the county adds them as they are created.

use std::fmt;

/// The statistical code of the county this build ships for (云阳县).
pub const COUNTY_CODE: &str = "500235";
/// The county's name.
pub const COUNTY_NAME: &str = "云阳县";

const YUNYANG_2023: &str = include_str!("../data/divisions-yunyang-2023.tsv");

/// A township (9 digits) or community (12 digits) statistical division code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct DivisionCode(String);

/// Why a string is not a division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    /// Not 9 or 12 ASCII digits.
    #[error("区划代码“{0}”应为9位（乡镇街道）或12位（社区）数字")]
    Malformed(String),
}

impl DivisionCode {
    /// Parses a 9-digit township or 12-digit community code.
    pub fn parse(s: &str) -> Result<DivisionCode, DivisionCodeError> {
        let t = s.trim();
        if (t.len() == 9 || t.len() == 12) && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(DivisionCode(t.to_owned()))
        } else {
            Err(DivisionCodeError::Malformed(t.to_owned()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a community (12-digit) code.
    pub fn is_community(&self) -> bool {
        self.0.len() == 12
    }

    /// The township a community belongs to, or the township itself.
    pub fn township(&self) -> DivisionCode {
        DivisionCode(self.0[..9].to_owned())
    }

    /// Whether `other` is this division or lies within it.
    pub fn contains(&self, other: &DivisionCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::vocabulary! {
    /// The kind of a division.
    DivisionKind, "区划类型" {
        Street = ("street", "街道"),
        Town = ("town", "镇"),
        Township = ("township", "乡"),
        Community = ("community", "社区"),
    }
}

/// A division with its name and place in the hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Division {
    /// Its code.
    pub code: DivisionCode,
    /// Its name, such as 青龙街道 or 复兴社区.
    pub name: String,
    /// Street, town, township or community.
    pub kind: DivisionKind,
    /// The township a community belongs to; `None` for townships (their parent is the county).
    pub parent: Option<DivisionCode>,
}

/// The township-level divisions of one version of the code table.
#[derive(Clone, Debug)]
pub struct TownshipTable {
    /// The version of the code table, such as "2023".
    pub version: String,
    /// Where the table comes from.
    pub source: String,
    /// The townships in code order.
    pub townships: Vec<Division>,
}

impl TownshipTable {
    /// The table shipped with this build (统计用区划代码 2023).
    pub fn yunyang() -> TownshipTable {
        TownshipTable::parse(YUNYANG_2023).expect("the embedded division table is valid")
    }

    /// The township with this 9-digit code, if the table has it (a community code is read as
    /// its township).
    pub fn get(&self, code: &str) -> Option<&Division> {
        let code = code.get(..9)?;
        self.townships
            .binary_search_by(|d| d.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.townships[i])
    }

    /// Parses a table: `# source: …; version: …` header, then `code<TAB>name<TAB>kind` lines.
    pub fn parse(text: &str) -> Result<TownshipTable, String> {
        let mut version = String::new();
        let mut source = String::new();
        let mut townships = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if let Some(comment) = line.strip_prefix('#') {
                for part in comment.split(';') {
                    if let Some(v) = part.trim().strip_prefix("version:") {
                        version = v.trim().to_owned();
                    } else if let Some(s) = part.trim().strip_prefix("source:") {
                        source = s.trim().to_owned();
                    }
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [code, name, kind] = fields[..] else {
                return Err(format!("第{}行：应有3列（代码、名称、类型）", i + 1));
            };
            let code = DivisionCode::parse(code).map_err(|e| format!("第{}行：{e}", i + 1))?;
            if code.is_community() {
                return Err(format!("第{}行：乡级区划代码应为9位", i + 1));
            }
            let kind = DivisionKind::parse(kind).map_err(|e| format!("第{}行：{e}", i + 1))?;
            townships.push(Division {
                code,
                name: name.to_owned(),
                kind,
                parent: None,
            });
        }
        if version.is_empty() {
            return Err("区划表缺少版本（# version: …）".into());
        }
        townships.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(TownshipTable {
            version,
            source,
            townships,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yunyang_has_forty_two_streets_towns_and_townships() {
        let table = TownshipTable::yunyang();
        assert_eq!(table.version, "2023");
        assert_eq!(table.townships.len(), 42);
        let count = |k| table.townships.iter().filter(|d| d.kind == k).count();
        assert_eq!(
            (
                count(DivisionKind::Street),
                count(DivisionKind::Town),
                count(DivisionKind::Township)
            ),
            (4, 31, 7)
        );
        assert!(
            table
                .townships
                .iter()
                .all(|d| d.code.as_str().starts_with(COUNTY_CODE))
        );
        let qinglong = table
            .townships
            .iter()
            .find(|d| d.code.as_str() == "500235002")
            .unwrap();
        assert_eq!(qinglong.name, "青龙街道");
        assert_eq!(
            table.get("500235002").map(|d| d.name.as_str()),
            Some("青龙街道")
        );
        assert_eq!(
            table.get("500235002001").map(|d| d.name.as_str()),
            Some("青龙街道")
        );
        assert!(
            table.get("110101001").is_none(),
            "a township outside Yunyang"
        );
        assert!(table.get("500235").is_none());
    }

    #[test]
    fn a_community_lies_within_its_township() {
        let community = DivisionCode::parse("500235002001").unwrap();
        let township = DivisionCode::parse("500235002").unwrap();
        assert!(township.contains(&community));
        assert_eq!(community.township(), township);
        assert!(DivisionCode::parse("50023500").is_err());
    }
}
