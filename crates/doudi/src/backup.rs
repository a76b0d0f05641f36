//! `doudi backup` and `doudi restore`: a consistent copy of a live database, and putting one
//! back, checked against its manifest before it is used.
//!
//! A backup is two files: the copy (SQLite: a database file; PostgreSQL: a `pg_dump` custom
//! archive) and `COPY.manifest` beside it (see `doudi_store::maintenance`). Both are written under
//! temporary names and renamed into place, so a backup killed half-way leaves no file that looks
//! whole. The data key is not in either: the manifest names its id, and a restore refuses a key
//! with another id before it writes anything. Keep the key apart from the backups (a backup and
//! its key together are the whole registry).
//!
//! A restore writes only where nothing is: a SQLite file that does not exist, or a PostgreSQL
//! database with no tables. The copy is checked (SQLite: integrity check) and compared with the
//! manifest, table by table and up to the audit trail's last entry, before it is put in place
//! (SQLite) or declared good (PostgreSQL, restored in one transaction by `pg_restore`). The
//! restore is then recorded in the restored trail, and the audit anchor is written for it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use doudi_core::Actor;
use doudi_store::{AuditAction, Manifest};

use crate::atomic::temporary;
use crate::{DbArgs, open};

/// `doudi backup`.
#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The backup file to write (must not exist); its manifest is written beside it as
    /// FILE.manifest.
    #[arg(long)]
    out: PathBuf,
}

/// `doudi restore`.
#[derive(Args)]
pub struct RestoreArgs {
    /// The database to restore into: a SQLite file that does not exist yet, or an empty
    /// PostgreSQL database.
    #[command(flatten)]
    db: DbArgs,
    /// The backup file (its manifest FILE.manifest must be beside it).
    #[arg(long)]
    from: PathBuf,
    /// Write the audit anchor afresh for the restored trail, when the anchor file holds a later
    /// entry than the backup (restoring a database over its own newer past).
    #[arg(long)]
    reset_anchor: bool,
}

/// Where a backup's manifest lives.
fn manifest_path(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_owned();
    name.push(".manifest");
    PathBuf::from(name)
}

/// Flushes a file's bytes to disk.
fn sync(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("flushing {} to disk", path.display()))
}

/// Takes a backup.
pub async fn backup(args: BackupArgs) -> Result<()> {
    let manifest_file = manifest_path(&args.out);
    for path in [&args.out, &manifest_file] {
        if path.exists() {
            bail!(
                "{} already exists: a backup never overwrites a file; choose a new name",
                path.display()
            );
        }
    }
    let store = open(&args.db.db).await?;
    let tmp = temporary(&args.out);
    let _ = std::fs::remove_file(&tmp);
    let taken = store
        .backup(&Actor::system("数据库备份"), &tmp)
        .await
        .context("taking the backup");
    let manifest = match taken {
        Ok(m) => m,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    sync(&tmp)?;
    std::fs::rename(&tmp, &args.out)
        .with_context(|| format!("moving the backup into place at {}", args.out.display()))?;
    crate::atomic::write(&manifest_file, manifest.to_text().as_bytes())?;
    let rows: i64 = manifest.tables.values().sum();
    outln!(
        "backup written: {} ({} tables, {rows} rows, audit trail to entry {}), manifest {}",
        args.out.display(),
        manifest.tables.len(),
        manifest.audit.as_ref().map_or(0, |a| a.seq),
        manifest_file.display()
    );
    outln!(
        "it opens only with the data key {} (not in the backup): keep that key safe and apart \
         from the backups",
        manifest.key_id
    );
    Ok(())
}

/// The SQLite file a `sqlite:` URL names.
fn sqlite_file(url: &str) -> Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.contains(":memory:") {
        bail!("a restore needs a database file, not {url}");
    }
    Ok(PathBuf::from(path))
}

/// Restores a backup.
pub async fn restore(args: RestoreArgs) -> Result<()> {
    let manifest_file = manifest_path(&args.from);
    let text = std::fs::read_to_string(&manifest_file).with_context(|| {
        format!(
            "reading the backup's manifest {} (written beside the backup by `doudi backup`)",
            manifest_file.display()
        )
    })?;
    let manifest =
        Manifest::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", manifest_file.display()))?;
    let keys = crate::keys::required(crate::data_key())?;
    if keys.id() != manifest.key_id {
        bail!(
            "the backup needs the data key {}, but the key given is {}: give the key the backup \
             was taken with (--key-file or DOUDI_KEY)",
            manifest.key_id,
            keys.id()
        );
    }
    let url = &args.db.db;
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let backend = if postgres { "postgres" } else { "sqlite" };
    if manifest.backend != backend {
        bail!(
            "the backup is of a {} database and cannot be restored into a {backend} one",
            manifest.backend
        );
    }
    let anchor_file = crate::anchor::path_for(url);
    if let Some(path) = &anchor_file
        && let Some(anchored) = crate::anchor::read(path)?
        && !args.reset_anchor
    {
        let backup_head = manifest.audit.as_ref();
        let later = backup_head.is_none_or(|b| {
            anchored.seq > b.seq || (anchored.seq == b.seq && anchored.mac != b.mac)
        });
        if later {
            bail!(
                "the audit anchor {} notes entry {}, which this backup (to entry {}) does not \
                 hold: it is the anchor of a later or another trail. Restore with --reset-anchor \
                 to write the anchor afresh for the restored trail, or give the restored \
                 database its own anchor with --audit-anchor",
                path.display(),
                anchored.seq,
                backup_head.map_or(0, |b| b.seq)
            );
        }
    }

    if postgres {
        restore_postgres(&args.from, url, &manifest).await?;
    } else {
        restore_sqlite(&args.from, url, &manifest).await?;
    }

    let store = open(url).await?;
    let detail = format!(
        "从{}的备份恢复，审计日志至第{}条",
        manifest.taken_at.format("%Y-%m-%d %H:%M:%S UTC"),
        manifest.audit.as_ref().map_or(0, |a| a.seq)
    );
    store
        .record_audit(
            &Actor::system("数据库恢复"),
            AuditAction::Restore,
            "database",
            &detail,
        )
        .await
        .context("recording the restore in the audit trail")?;
    if let Some(path) = &anchor_file
        && (args.reset_anchor || !path.exists())
    {
        crate::anchor::reset(store.as_ref(), path).await?;
    }
    let rows: i64 = manifest.tables.values().sum();
    outln!(
        "restored {} tables, {rows} rows and the audit trail to entry {} from {} (taken {}), \
         each table checked against the manifest",
        manifest.tables.len(),
        manifest.audit.as_ref().map_or(0, |a| a.seq),
        args.from.display(),
        manifest.taken_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    Ok(())
}

/// Copies the backup beside the target under a temporary name, checks it, and renames it into
/// place: the target is either the whole checked copy or absent.
async fn restore_sqlite(from: &Path, url: &str, manifest: &Manifest) -> Result<()> {
    let target = sqlite_file(url)?;
    if target.exists() {
        bail!(
            "{} already exists: a restore writes only a new file (move the old one away first)",
            target.display()
        );
    }
    let tmp = temporary(&target);
    let _ = std::fs::remove_file(&tmp);
    let result = async {
        std::fs::copy(from, &tmp)
            .with_context(|| format!("copying {} to {}", from.display(), tmp.display()))?;
        sync(&tmp)?;
        let (copy, taken_at) = (tmp.clone(), manifest.taken_at);
        let found = tokio::task::spawn_blocking(move || {
            doudi_store::maintenance::sqlite_file_manifest(&copy, taken_at, true)
        })
        .await?
        .context("checking the copied backup")?;
        let differences = manifest.differences(&found);
        if !differences.is_empty() {
            bail!(
                "the backup does not match its manifest: {}",
                differences.join("; ")
            );
        }
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("moving the restored file to {}", target.display()))?;
        Ok(())
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Restores a `pg_dump` archive into an empty database in one transaction, then compares it
/// with the manifest.
async fn restore_postgres(from: &Path, url: &str, manifest: &Manifest) -> Result<()> {
    let tables = doudi_store::maintenance::pg_table_count(url)
        .await
        .context("looking into the target database")?;
    if tables > 0 {
        bail!(
            "the target database already has {tables} tables: a restore writes only into an \
             empty database (create a new one: CREATE DATABASE …)"
        );
    }
    let (from, target) = (from.to_owned(), url.to_owned());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("pg_restore")
            .args([
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
            ])
            .arg("--dbname")
            .arg(&target)
            .arg(&from)
            .stdin(std::process::Stdio::null())
            .output()
    })
    .await?
    .context("running pg_restore (is the PostgreSQL client installed?)")?;
    if !out.status.success() {
        bail!(
            "pg_restore failed, and restored nothing: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let store = open(url).await?;
    let found = store
        .manifest()
        .await
        .context("reading the restored database")?;
    let differences = manifest.differences(&found);
    if !differences.is_empty() {
        bail!(
            "the restored database does not match the backup's manifest (drop it and restore \
             again): {}",
            differences.join("; ")
        );
    }
    Ok(())
}
