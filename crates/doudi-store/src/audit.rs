//! The audit trail (5.4): who read or changed which household, when, from where and why.
//!
//! Every entry is appended by the store itself, in the same transaction as the change it records
//! (a rolled-back write leaves no entry), and after every read of household data. Entries form a
//! hash chain: [`entry_hash`] is SHA-256 over a canonical serialisation of the entry's fields and
//! the hash of the entry before it, so that [`crate::Store::verify_audit`] finds an entry that
//! was edited (its hash no longer matches), deleted (a gap in `seq`) or inserted (the next entry
//! no longer links to it) and names it.
//!
//! What the chain cannot show by itself: that the newest entries were cut off, or that someone
//! with write access to the database rewrote the whole tail of the chain consistently. Against
//! both, note the head (`seq` and `hash`) that `doudi audit verify` prints somewhere outside the
//! database, and compare it later with that entry in `doudi audit list`.
//!
//! **Invariant:** an entry's detail never holds personal data: no name, identity number, phone,
//! bank account, address or search text; only ids, division codes, vocabulary labels and counts.

use std::fmt;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

doudi_core::vocabulary! {
    /// What an audit entry records.
    AuditAction, "审计操作" {
        Read = ("read", "查看"),
        List = ("list", "列表查询"),
        BulkRead = ("bulk_read", "批量读取"),
        ReadDenied = ("read_denied", "拒绝访问"),
        Create = ("create", "新建"),
        Update = ("update", "修改"),
        Delete = ("delete", "删除"),
        Import = ("import", "导入"),
        Export = ("export", "导出"),
        Login = ("login", "登录"),
        LoginFailed = ("login_failed", "登录失败"),
        Logout = ("logout", "退出登录"),
        Unmask = ("unmask", "查看完整信息"),
        RotateKeys = ("rotate_keys", "轮换数据密钥"),
    }
}

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the audit trail, as stored. Role and action are kept as their stored codes, so
/// that verification reads back exactly what was hashed, whatever the vocabulary has become.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When (UTC, to the microsecond).
    pub at: DateTime<Utc>,
    /// User id of the actor (0 for the system).
    pub actor_user_id: i64,
    /// Login name of the actor.
    pub actor_name: String,
    /// Role code of the actor (see [`doudi_core::Role`]).
    pub actor_role: String,
    /// The purpose the actor gave; empty when none.
    pub purpose: String,
    /// The client address of the request; empty for the command line.
    pub client: String,
    /// Action code (see [`AuditAction`]).
    pub action: String,
    /// What was acted on: `household:123`, `person:45`, `households`, `import`, `user:7`.
    pub target: String,
    /// A short description without personal data.
    pub detail: String,
    /// The hash of the entry before (or [`GENESIS_HASH`]).
    pub prev_hash: String,
    /// [`entry_hash`] of this entry.
    pub hash: String,
}

impl AuditEntry {
    /// The Chinese label of the action, or its code when unknown.
    pub fn action_label(&self) -> &str {
        match AuditAction::parse(&self.action) {
            Ok(action) => action.label(),
            Err(_) => &self.action,
        }
    }

    /// The Chinese label of the role, or its code when unknown.
    pub fn role_label(&self) -> &str {
        match doudi_core::Role::parse(&self.actor_role) {
            Ok(role) => role.label(),
            Err(_) => &self.actor_role,
        }
    }

    /// The hash this entry should have, computed from its fields and `prev_hash`.
    pub fn expected_hash(&self) -> String {
        entry_hash(self)
    }
}

/// The timestamp as it is hashed: RFC 3339 in UTC with exactly six fractional digits.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// SHA-256, in lower-case hex, over the canonical serialisation of the entry: a version tag,
/// then every field but `hash` in a fixed order, each as its length in bytes, a colon, the value
/// and a newline, so that no two different entries serialise alike.
pub fn entry_hash(e: &AuditEntry) -> String {
    let seq = e.seq.to_string();
    let at = canonical_time(e.at);
    let user = e.actor_user_id.to_string();
    let fields: [&str; 11] = [
        &seq,
        &at,
        &user,
        &e.actor_name,
        &e.actor_role,
        &e.purpose,
        &e.client,
        &e.action,
        &e.target,
        &e.detail,
        &e.prev_hash,
    ];
    let mut hasher = Sha256::new();
    hasher.update(b"doudi-audit-v1\n");
    for f in fields {
        hasher.update(f.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(f.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Which audit entries the auditor's page shows. Every filter is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this actor (login name, exactly).
    pub actor: Option<String>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only this target (`household:123`); a kind without an id (`household`) selects every
    /// target of that kind.
    pub target: Option<String>,
    /// Only entries at or after this moment.
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this moment.
    pub until: Option<DateTime<Utc>>,
}

/// A page of the audit trail, newest first, and how many entries match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditPage {
    /// How many entries match the filter.
    pub total: i64,
    /// This page's entries, newest first.
    pub rows: Vec<AuditEntry>,
}

/// Where the chain is broken: the first entry, in `seq` order, that does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditBreak {
    /// The entry's fields no longer give its hash: it was edited (or forged).
    Edited {
        /// The entry.
        seq: i64,
    },
    /// Entries are missing between two entries (or before the first): they were deleted.
    Missing {
        /// The last intact entry before the gap (0 when the gap is at the start).
        after: i64,
        /// The next entry present.
        next: i64,
    },
    /// The entry does not link to the one before it: an entry was inserted or replaced before
    /// it (or the one it linked to was removed and the rest renumbered).
    Unlinked {
        /// The entry whose `prev_hash` does not match.
        seq: i64,
    },
}

impl AuditBreak {
    /// The entry the break is named by.
    pub fn seq(&self) -> i64 {
        match self {
            AuditBreak::Edited { seq } | AuditBreak::Unlinked { seq } => *seq,
            AuditBreak::Missing { after, .. } => after + 1,
        }
    }
}

impl fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditBreak::Edited { seq } => write!(
                f,
                "entry {seq} was altered: its contents no longer match its hash"
            ),
            AuditBreak::Missing { after, next } if after + 1 == next - 1 => write!(
                f,
                "entry {} is missing (deleted) between entries {after} and {next}",
                after + 1
            ),
            AuditBreak::Missing { after, next } => write!(
                f,
                "entries {} to {} are missing (deleted) between entries {after} and {next}",
                after + 1,
                next - 1
            ),
            AuditBreak::Unlinked { seq } => write!(
                f,
                "entry {seq} does not link to entry {}: an entry was inserted or replaced before it",
                seq - 1
            ),
        }
    }
}

/// What [`crate::Store::verify_audit`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// How many entries were checked.
    pub entries: u64,
    /// The last entry's `seq` and hash (when there are entries), to note outside the database.
    pub head: Option<(i64, String)>,
    /// The first break, if the chain is broken.
    pub broken: Option<AuditBreak>,
}

impl AuditReport {
    /// Whether the whole chain verified.
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// Walks the chain in `seq` order, one entry at a time, remembering only the entry before.
#[derive(Debug, Default)]
pub(crate) struct ChainCheck {
    last: Option<(i64, String)>,
    entries: u64,
    broken: Option<AuditBreak>,
}

impl ChainCheck {
    /// Checks the next entry; false once the chain is broken (there is nothing more to learn).
    pub(crate) fn next(&mut self, e: &AuditEntry) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let (last_seq, last_hash) = self
            .last
            .as_ref()
            .map_or((0, GENESIS_HASH), |(s, h)| (*s, h.as_str()));
        self.broken = if e.seq != last_seq + 1 {
            Some(AuditBreak::Missing {
                after: last_seq,
                next: e.seq,
            })
        } else if e.prev_hash != last_hash {
            Some(AuditBreak::Unlinked { seq: e.seq })
        } else if entry_hash(e) != e.hash {
            Some(AuditBreak::Edited { seq: e.seq })
        } else {
            None
        };
        self.entries += 1;
        self.last = Some((e.seq, e.hash.clone()));
        self.broken.is_none()
    }

    /// The report.
    pub(crate) fn finish(self) -> AuditReport {
        AuditReport {
            entries: self.entries,
            head: self.last,
            broken: self.broken,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, prev: &str) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at: DateTime::from_timestamp(1_780_000_000, 123_456_000).unwrap(),
            actor_user_id: 2,
            actor_name: "qinglong".into(),
            actor_role: "township_caseworker".into(),
            purpose: String::new(),
            client: "192.0.2.7".into(),
            action: "read".into(),
            target: "household:1".into(),
            detail: String::new(),
            prev_hash: prev.into(),
            hash: String::new(),
        };
        e.hash = entry_hash(&e);
        e
    }

    #[test]
    fn the_hash_changes_with_every_field_and_fields_cannot_trade_characters() {
        let e = entry(1, GENESIS_HASH);
        let mut moved = e.clone();
        moved.actor_name = "qinglon".into();
        moved.actor_role = "gtownship_caseworker".into();
        assert_ne!(entry_hash(&moved), e.hash);
        let mut later = e.clone();
        later.at += chrono::TimeDelta::microseconds(1);
        assert_ne!(entry_hash(&later), e.hash);
        assert_eq!(e.hash.len(), 64);
    }

    #[test]
    fn a_chain_checks_out_until_an_entry_is_missing() {
        let first = entry(1, GENESIS_HASH);
        let second = entry(2, &first.hash);
        let third = entry(3, &second.hash);
        let mut check = ChainCheck::default();
        assert!(check.next(&first));
        assert!(!check.next(&third));
        let report = check.finish();
        assert_eq!(
            report.broken,
            Some(AuditBreak::Missing { after: 1, next: 3 })
        );
        assert_eq!(report.broken.unwrap().seq(), 2);
    }
}
