//! `doudi audit`: checks the hash chain of the audit trail and lists its newest entries, for a
//! data-protection officer with access to the server.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use doudi_core::{Actor, Role, Scope};
use doudi_store::{AuditAction, AuditFilter, Page};

use crate::{DbArgs, open};

/// The audit subcommands.
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the whole keyed chain: exits 0 with a summary when it is intact, non-zero naming
    /// the first entry that was edited, deleted or inserted, or, against the anchor file
    /// (--audit-anchor, default beside the key file), a trail cut short, emptied or replaced.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the newest entries, newest first (tab-separated). The listing is itself recorded.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Only this actor (login name).
        #[arg(long)]
        actor: Option<String>,
        /// Only this action (read, list, create, update, delete, import, login, …).
        #[arg(long)]
        action: Option<String>,
        /// Only this target (household:123), or every target of a kind (household).
        #[arg(long)]
        target: Option<String>,
    },
}

/// Runs an audit subcommand.
pub async fn run(command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify { db } => {
            let store = open(&db.db).await?;
            let path = crate::anchor::path_for(&db.db);
            let anchor = match &path {
                Some(path) => crate::anchor::read(path)?,
                None => None,
            };
            let report = store
                .verify_audit(anchor.as_ref())
                .await
                .context("reading the audit trail")?;
            if let Some(broken) = &report.broken {
                bail!(
                    "audit trail BROKEN at entry {}: {broken} ({} entries read)",
                    broken.seq(),
                    report.entries
                );
            }
            match &report.head {
                Some((seq, hash)) => outln!(
                    "audit trail intact: {} entries, head entry {seq} MAC {hash}",
                    report.entries
                ),
                None => outln!("audit trail intact: no entries yet"),
            }
            match (&path, report.anchored) {
                (Some(path), Some(seq)) => {
                    outln!("anchor {} checked: entry {seq} as noted", path.display())
                }
                (Some(path), None) => outln!(
                    "no anchor yet at {} (this run writes one): from now on a cut tail is found",
                    path.display()
                ),
                (None, _) => outln!(
                    "no audit anchor (give --audit-anchor FILE or a key file): a cut or emptied \
                     trail cannot be detected"
                ),
            }
            Ok(())
        }
        AuditCommand::List {
            db,
            limit,
            actor,
            action,
            target,
        } => {
            let store = open(&db.db).await?;
            let action = action
                .map(|a| AuditAction::parse(&a).map_err(|e| anyhow::anyhow!("{e}")))
                .transpose()?;
            let filter = AuditFilter {
                actor,
                action,
                target,
                ..AuditFilter::default()
            };
            let page = store
                .audit_entries(&command_line_auditor(), &filter, Page { offset: 0, limit })
                .await
                .context("reading the audit trail")?;
            outln!("seq\tat (UTC)\tactor\trole\tclient\taction\ttarget\tdetail\thash");
            for e in &page.rows {
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    e.seq,
                    doudi_store::audit::canonical_time(e.at),
                    e.actor_name,
                    e.actor_role,
                    e.client,
                    e.action,
                    e.target,
                    e.detail,
                    &e.hash[..e.hash.len().min(16)]
                );
            }
            errln!("{} of {} matching entries", page.rows.len(), page.total);
            Ok(())
        }
    }
}

/// Whoever runs `doudi audit list` on the server: an auditor without an account, recorded as
/// `command-line`.
fn command_line_auditor() -> Actor {
    Actor {
        user_id: 0,
        username: "command-line".into(),
        display_name: "命令行审计".into(),
        role: Role::Auditor,
        scope: Scope::County,
        department: None,
        client: String::new(),
        purpose: String::new(),
    }
}
