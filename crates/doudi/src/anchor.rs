//! The audit trail's anchor on the command line and in the server: after a process has written
//! to the database, the trail's head (its number of entries and last MAC) is written to a file
//! outside the database, which `doudi audit verify` checks, so that a trail cut short or emptied
//! is found (see `doudi_store::audit`).
//!
//! Where: `--audit-anchor FILE` (`DOUDI_AUDIT_ANCHOR`); else beside the key file
//! (`KEYFILE.audit-anchor`), or beside the demo's key file; with the key only in `DOUDI_KEY` and
//! no path given there is no anchor, and `audit verify` says that a cut tail cannot be seen.
//!
//! When: every command anchors the stores it opened as it ends; the server anchors once a
//! second while it runs and as it stops. So the entries of the last second (or, after a kill,
//! since the last tick) are not yet anchored: cutting exactly those is not detected.
//!
//! The anchor only moves forward over a trail that still holds the anchored entry with its
//! MAC: a process never re-anchors a trail that was cut or replaced (it warns instead), so a
//! later `verify` still sees the tampering.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use doudi_store::{AuditAnchor, Store};

/// The `--audit-anchor` path given, if any.
static GIVEN: OnceLock<Option<PathBuf>> = OnceLock::new();
/// The key file given, if any (the default anchor lives beside it).
static KEY_FILE: OnceLock<Option<PathBuf>> = OnceLock::new();
/// The stores this process opened, with their anchor files, to anchor as it ends.
static OPENED: Mutex<Vec<(Arc<dyn Store>, PathBuf)>> = Mutex::new(Vec::new());

/// Remembers the options the anchor path comes from (once, at start-up).
pub(crate) fn configure(given: Option<PathBuf>, key_file: Option<PathBuf>) {
    let _ = GIVEN.set(given);
    let _ = KEY_FILE.set(key_file);
}

/// The anchor file of a key file.
pub(crate) fn beside(key_file: &Path) -> PathBuf {
    let mut name = key_file.as_os_str().to_owned();
    name.push(".audit-anchor");
    PathBuf::from(name)
}

/// The anchor file for the database at `url`, if there is one (see the module).
pub(crate) fn path_for(url: &str) -> Option<PathBuf> {
    if let Some(given) = GIVEN.get().cloned().flatten() {
        return Some(given);
    }
    if let Some(key_file) = KEY_FILE.get().cloned().flatten() {
        return Some(beside(&key_file));
    }
    crate::keys::demo_key_path(url)
        .filter(|k| k.is_file())
        .map(|k| beside(&k))
}

/// The anchor file after a rotation to `new_key_file`: the one given, else beside the new key.
pub(crate) fn path_for_new_key(new_key_file: &Path) -> PathBuf {
    GIVEN
        .get()
        .cloned()
        .flatten()
        .unwrap_or_else(|| beside(new_key_file))
}

/// Whether this process anchors nothing (a benchmark's throwaway databases must not move the
/// anchor of the registry whose key file it may have been given).
static DISABLED: OnceLock<()> = OnceLock::new();

/// Anchors nothing in this process.
pub(crate) fn disable() {
    let _ = DISABLED.set(());
}

/// Registers an opened store, to be anchored when the process ends.
pub(crate) fn register(store: &Arc<dyn Store>, url: &str) {
    if DISABLED.get().is_none()
        && let Some(path) = path_for(url)
        && let Ok(mut opened) = OPENED.lock()
    {
        opened.push((store.clone(), path));
    }
}

/// Forgets the stores opened so far (a key rotation anchors its own new chain).
pub(crate) fn forget_all() {
    if let Ok(mut opened) = OPENED.lock() {
        opened.clear();
    }
}

/// Reads the anchor file.
pub(crate) fn read(path: &Path) -> Result<Option<AuditAnchor>> {
    AuditAnchor::read(path).map_err(|e| anyhow::anyhow!("{e}"))
}

/// Moves the anchor at `path` forward to the trail's head, if the trail still holds the
/// anchored entry with its MAC; else leaves it and says why.
pub(crate) async fn advance(store: &dyn Store, path: &Path) -> Result<()> {
    let anchored = read(path)?;
    if let Some(a) = &anchored
        && a.seq > 0
    {
        let mac = store
            .audit_mac_at(a.seq)
            .await
            .context("reading the audit trail")?;
        if mac.as_deref() != Some(a.mac.as_str()) {
            bail!(
                "the audit trail no longer holds entry {} as anchored in {}: the anchor is left \
                 as it is; run `doudi audit verify`",
                a.seq,
                path.display()
            );
        }
    }
    let head = store
        .audit_head()
        .await
        .context("reading the audit trail")?;
    match head {
        Some(head) if anchored.as_ref().is_none_or(|a| head.seq > a.seq) => head
            .write(path)
            .with_context(|| format!("writing the audit anchor {}", path.display())),
        _ => Ok(()),
    }
}

/// Writes the trail's head to `path` whatever the file held (after a key rotation re-chained
/// the trail under the new key).
pub(crate) async fn reset(store: &dyn Store, path: &Path) -> Result<()> {
    if let Some(head) = store
        .audit_head()
        .await
        .context("reading the audit trail")?
    {
        head.write(path)
            .with_context(|| format!("writing the audit anchor {}", path.display()))?;
    }
    Ok(())
}

/// Anchors every store this process opened; problems are warnings (the command's own result
/// stands).
pub(crate) async fn finish() {
    let opened = OPENED
        .lock()
        .map(|mut o| std::mem::take(&mut *o))
        .unwrap_or_default();
    for (store, path) in opened {
        if let Err(e) = advance(store.as_ref(), &path).await {
            errln!("warning: {e:#}");
        }
    }
}

/// Anchors the server's store once a second while it runs.
pub(crate) fn every_second(store: Arc<dyn Store>, path: PathBuf) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut warned = false;
        loop {
            tick.tick().await;
            match advance(store.as_ref(), &path).await {
                Ok(()) => warned = false,
                Err(e) if !warned => {
                    tracing::warn!("audit anchor: {e:#}");
                    warned = true;
                }
                Err(_) => {}
            }
        }
    });
}
