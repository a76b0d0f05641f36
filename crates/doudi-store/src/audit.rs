//! The audit trail (5.4): who read or changed which household, when, from where and why.
//!
//! Every entry is appended by the store itself, in the same transaction as the change it records
//! (a rolled-back write leaves no entry), and after every read of household data. Entries form a
//! keyed chain: [`entry_mac`] is HMAC-SHA256, under a key derived from the data key (which never
//! enters the database), over a canonical serialisation of the entry's fields and the MAC of the
//! entry before it. [`crate::Store::verify_audit`] finds an entry that was edited (its MAC no
//! longer matches), deleted (a gap in `seq`) or inserted (the next entry no longer links to it)
//! and names it; someone who can write the database but lacks the data key cannot recompute the
//! MACs after an edit, as they could the plain SHA-256 of the first version ([`legacy_hash`]).
//!
//! What the chain cannot show by itself is that its newest entries were cut off or the whole
//! trail emptied. Against that, the head (count and last MAC) is written to an *anchor* file
//! outside the database ([`AuditAnchor`]), which `verify_audit` checks: fewer entries than the
//! anchor, or another MAC at the anchored entry, is tampering; entries after it are fine.
//!
//! A trail written under the unkeyed scheme is re-chained with the key on the first start
//! ([`crate::connect`]), after its SHA-256 chain verified, and the re-chaining is itself
//! recorded; a key rotation re-chains the trail under the new key likewise.
//!
//! **Invariant:** an entry's detail never holds personal data: no name, identity number, phone,
//! bank account, address or search text; only ids, division codes, vocabulary labels and counts.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::Keys;

/// Reads' audit entries waiting to be appended, all that arrived while the batch before them
/// was being written going in one write transaction (group commit): under a busy morning's
/// reads, one transaction per read would queue every read behind the writers. A read still
/// returns only after its own entry is committed, and fails if it could not be. Each store
/// holds one queue, shared by its clones.
#[derive(Default)]
pub(crate) struct ReadQueue {
    pending: std::sync::Mutex<Vec<QueuedRead>>,
    /// Held by the one who writes a batch, until its entries' outcomes are sent.
    turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// One read's entry in the [`ReadQueue`], and where its outcome goes.
pub(crate) struct QueuedRead {
    pub actor: doudi_core::Actor,
    pub action: AuditAction,
    pub target: String,
    pub detail: String,
    done: tokio::sync::oneshot::Sender<Result<(), String>>,
}

impl fmt::Debug for ReadQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReadQueue")
    }
}

impl ReadQueue {
    /// Queues an entry; the receiver gets its outcome once a batch holding it was written.
    pub(crate) fn push(
        &self,
        actor: &doudi_core::Actor,
        action: AuditAction,
        target: &str,
        detail: &str,
    ) -> tokio::sync::oneshot::Receiver<Result<(), String>> {
        let (done, outcome) = tokio::sync::oneshot::channel();
        self.lock().push(QueuedRead {
            actor: actor.clone(),
            action,
            target: target.to_owned(),
            detail: detail.to_owned(),
            done,
        });
        outcome
    }

    /// Waits for the turn to write a batch (turns are given in the order asked).
    pub(crate) async fn turn(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.turn.clone().lock_owned().await
    }

    /// Takes every queued entry, for the holder of the turn to write.
    pub(crate) fn take(&self) -> Vec<QueuedRead> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<QueuedRead>> {
        // Nothing panics while holding it (a push or a take), so it is never poisoned; and if
        // it were, the queue inside is still whole.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl QueuedRead {
    /// Sends the entry's outcome to its read (which may have gone: then nobody waits for it).
    pub(crate) fn finish(self, outcome: Result<(), String>) {
        let _ = self.done.send(outcome);
    }
}

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
        Backup = ("backup", "备份数据库"),
        Restore = ("restore", "从备份恢复"),
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
    /// The MAC of the entry before (or [`GENESIS_HASH`]).
    pub prev_hash: String,
    /// [`entry_mac`] of this entry.
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

    /// The MAC this entry should have under `keys`, from its fields and `prev_hash`.
    pub fn expected_mac(&self, keys: &Keys) -> String {
        entry_mac(keys, self)
    }
}

/// The timestamp as it is hashed: RFC 3339 in UTC with exactly six fractional digits.
pub fn canonical_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The canonical serialisation of the entry after a version tag: every field but `hash` in a
/// fixed order, each as its length in bytes, a colon, the value and a newline, so that no two
/// different entries serialise alike.
fn canonical(e: &AuditEntry, tag: &[u8]) -> Vec<u8> {
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
    let mut out = tag.to_vec();
    for f in fields {
        out.extend_from_slice(f.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(f.as_bytes());
        out.push(b'\n');
    }
    out
}

/// HMAC-SHA256, in lower-case hex, of the entry's canonical serialisation under the audit key
/// derived from the data key ([`Keys::audit_mac`]).
pub fn entry_mac(keys: &Keys, e: &AuditEntry) -> String {
    keys.audit_mac(&canonical(e, b"doudi-audit-v2\n"))
}

/// The unkeyed SHA-256 of the first version of the chain, which anyone could recompute: only
/// read to check a trail written under it before it is re-chained with the key.
pub fn legacy_hash(e: &AuditEntry) -> String {
    Sha256::digest(canonical(e, b"doudi-audit-v1\n"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The head of the trail noted outside the database: how many entries there were (the last
/// `seq`) and that entry's MAC. Written after entries are appended, atomically (a temporary
/// file renamed over it), and checked by [`crate::Store::verify_audit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditAnchor {
    /// The last entry's `seq`, which is also the number of entries.
    pub seq: i64,
    /// Its MAC.
    pub mac: String,
}

/// The first line of an anchor file.
const ANCHOR_TAG: &str = "doudi-audit-anchor v1";

impl AuditAnchor {
    /// The file's text.
    pub fn to_text(&self) -> String {
        format!("{ANCHOR_TAG}\nseq {}\nmac {}\n", self.seq, self.mac)
    }

    /// Reads an anchor's text; the error says what is wrong.
    pub fn parse(text: &str) -> Result<AuditAnchor, String> {
        let mut lines = text.lines().map(str::trim);
        if lines.next() != Some(ANCHOR_TAG) {
            return Err(format!("the first line is not \"{ANCHOR_TAG}\""));
        }
        let seq = lines
            .next()
            .and_then(|l| l.strip_prefix("seq "))
            .and_then(|n| n.trim().parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .ok_or("line 2 is not \"seq <number of entries>\"")?;
        let mac = lines
            .next()
            .and_then(|l| l.strip_prefix("mac "))
            .map(str::trim)
            .filter(|m| m.len() == 64 && m.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or("line 3 is not \"mac <64 hexadecimal characters>\"")?;
        Ok(AuditAnchor {
            seq,
            mac: mac.to_ascii_lowercase(),
        })
    }

    /// Reads the anchor file; `None` when there is none yet.
    pub fn read(path: &Path) -> Result<Option<AuditAnchor>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => AuditAnchor::parse(&text)
                .map(Some)
                .map_err(|e| format!("the audit anchor {}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("reading the audit anchor {}: {e}", path.display())),
        }
    }

    /// Writes the anchor file atomically: a temporary file beside it, flushed to disk, renamed
    /// over it, so that a crash leaves the old anchor or the new one, never a broken one.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "audit-anchor".into());
        let tmp: PathBuf = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(self.to_text().as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
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
    /// The trail ends before the anchored entry: its newest entries were cut off, or (with
    /// `last` 0) the whole trail was emptied.
    Truncated {
        /// The anchored number of entries.
        anchored: i64,
        /// The last entry present (0 when none is).
        last: i64,
    },
    /// The anchored entry has another MAC than the anchor noted: the trail up to it was
    /// replaced (or the anchor belongs to another database or key).
    AnchorMismatch {
        /// The anchored entry.
        seq: i64,
    },
}

impl AuditBreak {
    /// What is wrong, in Chinese, for the auditor's page.
    pub fn chinese(&self) -> String {
        match self {
            AuditBreak::Edited { seq } => format!("第{seq}条记录被改动：内容与其校验码不符"),
            AuditBreak::Truncated { anchored, last: 0 } => {
                format!("日志被清空：数据库外的锚点记有{anchored}条")
            }
            AuditBreak::Truncated { anchored, last } => format!(
                "第{}至{anchored}条记录被截去：日志止于第{last}条，数据库外的锚点记有{anchored}条",
                last + 1
            ),
            AuditBreak::AnchorMismatch { seq } => {
                format!("第{seq}条记录不是锚点所记的那一条：此前的日志被替换")
            }
            AuditBreak::Missing { after, next } => {
                format!("第{after}条与第{next}条之间的记录缺失（被删除）")
            }
            AuditBreak::Unlinked { seq } => format!(
                "第{seq}条记录与第{}条不相连：其前有记录被插入或替换",
                seq - 1
            ),
        }
    }

    /// The entry the break is named by.
    pub fn seq(&self) -> i64 {
        match self {
            AuditBreak::Edited { seq }
            | AuditBreak::Unlinked { seq }
            | AuditBreak::AnchorMismatch { seq } => *seq,
            AuditBreak::Missing { after, .. } => after + 1,
            AuditBreak::Truncated { last, .. } => last + 1,
        }
    }
}

impl fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditBreak::Edited { seq } => write!(
                f,
                "entry {seq} was altered: its contents no longer match its MAC"
            ),
            AuditBreak::Truncated { anchored, last: 0 } => write!(
                f,
                "the trail was emptied: the anchor outside the database records {anchored} entries"
            ),
            AuditBreak::Truncated { anchored, last } => write!(
                f,
                "entries {} to {anchored} were cut off: the trail ends at entry {last}, the anchor \
                 outside the database records {anchored} entries",
                last + 1
            ),
            AuditBreak::AnchorMismatch { seq } => write!(
                f,
                "entry {seq} is not the entry the anchor outside the database recorded: the trail \
                 up to it was replaced"
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
    /// The last entry's `seq` and MAC (when there are entries).
    pub head: Option<(i64, String)>,
    /// The anchored entry checked against the anchor, when an anchor was given.
    pub anchored: Option<i64>,
    /// The first break, if the chain is broken.
    pub broken: Option<AuditBreak>,
}

impl AuditReport {
    /// Whether the whole chain verified.
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// Walks the chain in `seq` order, one entry at a time, remembering only the entry before (and
/// the anchored entry's MAC).
#[derive(Debug)]
pub(crate) struct ChainCheck<'k> {
    keys: &'k Keys,
    anchor: Option<AuditAnchor>,
    at_anchor: Option<String>,
    last: Option<(i64, String)>,
    entries: u64,
    broken: Option<AuditBreak>,
}

impl<'k> ChainCheck<'k> {
    /// A check under `keys`, against `anchor` when given.
    pub(crate) fn new(keys: &'k Keys, anchor: Option<&AuditAnchor>) -> ChainCheck<'k> {
        ChainCheck {
            keys,
            anchor: anchor.cloned(),
            at_anchor: None,
            last: None,
            entries: 0,
            broken: None,
        }
    }

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
        } else if entry_mac(self.keys, e) != e.hash {
            Some(AuditBreak::Edited { seq: e.seq })
        } else {
            None
        };
        if self.anchor.as_ref().is_some_and(|a| a.seq == e.seq) {
            self.at_anchor = Some(e.hash.clone());
        }
        self.entries += 1;
        self.last = Some((e.seq, e.hash.clone()));
        self.broken.is_none()
    }

    /// The report: the first break, or else what the anchor says of the end of the trail.
    pub(crate) fn finish(mut self) -> AuditReport {
        if self.broken.is_none()
            && let Some(anchor) = &self.anchor
        {
            let last = self.last.as_ref().map_or(0, |(s, _)| *s);
            self.broken = if last < anchor.seq {
                Some(AuditBreak::Truncated {
                    anchored: anchor.seq,
                    last,
                })
            } else if anchor.seq > 0 && self.at_anchor.as_deref() != Some(anchor.mac.as_str()) {
                Some(AuditBreak::AnchorMismatch { seq: anchor.seq })
            } else {
                None
            };
        }
        AuditReport {
            entries: self.entries,
            head: self.last,
            anchored: self.anchor.map(|a| a.seq),
            broken: self.broken,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_break_is_said_in_chinese_with_the_entries_it_concerns() {
        let cases = [
            (AuditBreak::Edited { seq: 7 }, "第7条"),
            (
                AuditBreak::Truncated {
                    anchored: 9,
                    last: 0,
                },
                "日志被清空",
            ),
            (
                AuditBreak::Truncated {
                    anchored: 9,
                    last: 5,
                },
                "第6至9条",
            ),
            (AuditBreak::AnchorMismatch { seq: 4 }, "第4条"),
            (
                AuditBreak::Missing { after: 2, next: 5 },
                "第2条与第5条之间",
            ),
            (AuditBreak::Unlinked { seq: 3 }, "与第2条不相连"),
        ];
        for (b, words) in cases {
            let text = b.chinese();
            assert!(text.contains(words), "{text}");
            assert!(!text.chars().any(|c| c.is_ascii_alphabetic()), "{text}");
        }
    }

    fn keys() -> Keys {
        Keys::from_bytes(&[7; 32])
    }

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
        e.hash = entry_mac(&keys(), &e);
        e
    }

    #[test]
    fn the_mac_changes_with_every_field_and_fields_cannot_trade_characters() {
        let e = entry(1, GENESIS_HASH);
        let mut moved = e.clone();
        moved.actor_name = "qinglon".into();
        moved.actor_role = "gtownship_caseworker".into();
        assert_ne!(entry_mac(&keys(), &moved), e.hash);
        let mut later = e.clone();
        later.at += chrono::TimeDelta::microseconds(1);
        assert_ne!(entry_mac(&keys(), &later), e.hash);
        assert_eq!(e.hash.len(), 64);
    }

    #[test]
    fn the_mac_needs_the_key_and_is_not_the_plain_hash() {
        let e = entry(1, GENESIS_HASH);
        assert_ne!(entry_mac(&Keys::from_bytes(&[8; 32]), &e), e.hash);
        assert_ne!(legacy_hash(&e), e.hash);
    }

    #[test]
    fn a_chain_checks_out_until_an_entry_is_missing() {
        let k = keys();
        let first = entry(1, GENESIS_HASH);
        let second = entry(2, &first.hash);
        let third = entry(3, &second.hash);
        let mut check = ChainCheck::new(&k, None);
        assert!(check.next(&first));
        assert!(!check.next(&third));
        let report = check.finish();
        assert_eq!(
            report.broken,
            Some(AuditBreak::Missing { after: 1, next: 3 })
        );
        assert_eq!(report.broken.unwrap().seq(), 2);
    }

    #[test]
    fn an_anchor_finds_a_cut_tail_and_a_replaced_head_but_accepts_later_entries() {
        let k = keys();
        let first = entry(1, GENESIS_HASH);
        let second = entry(2, &first.hash);
        let anchor = AuditAnchor {
            seq: 2,
            mac: second.hash.clone(),
        };
        let run = |entries: &[&AuditEntry], anchor: &AuditAnchor| {
            let mut check = ChainCheck::new(&k, Some(anchor));
            for e in entries {
                check.next(e);
            }
            check.finish().broken
        };
        assert_eq!(run(&[&first, &second], &anchor), None);
        let third = entry(3, &second.hash);
        assert_eq!(run(&[&first, &second, &third], &anchor), None);
        assert_eq!(
            run(&[&first], &anchor),
            Some(AuditBreak::Truncated {
                anchored: 2,
                last: 1
            })
        );
        assert_eq!(
            run(&[], &anchor),
            Some(AuditBreak::Truncated {
                anchored: 2,
                last: 0
            })
        );
        let other = AuditAnchor {
            seq: 2,
            mac: first.hash.clone(),
        };
        assert_eq!(
            run(&[&first, &second], &other),
            Some(AuditBreak::AnchorMismatch { seq: 2 })
        );
    }

    #[test]
    fn an_anchor_file_reads_back_and_a_damaged_one_is_named() {
        let a = AuditAnchor {
            seq: 42,
            mac: "ab".repeat(32),
        };
        assert_eq!(AuditAnchor::parse(&a.to_text()), Ok(a));
        assert!(
            AuditAnchor::parse("doudi-audit-anchor v1\nseq x\n")
                .unwrap_err()
                .contains("line 2")
        );
        assert!(AuditAnchor::parse("").unwrap_err().contains("first line"));
        assert!(
            AuditAnchor::parse("doudi-audit-anchor v1\nseq 1\nmac 00\n")
                .unwrap_err()
                .contains("line 3")
        );
    }
}
