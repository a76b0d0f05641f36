//! The data key on the command line: where it comes from (`--key-file`, `DOUDI_KEY_FILE`,
//! `DOUDI_KEY`, or the demo's key file beside its SQLite file), `doudi keys generate` and
//! `doudi keys rotate`.
//!
//! The key is 32 random bytes written as 64 hexadecimal characters. It never enters the
//! database, is never printed, and a key file is created readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use doudi_core::Actor;
use doudi_store::Keys;

use crate::DbArgs;

/// `doudi keys …`.
#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a new data key file (readable by its owner only). It does not touch any database:
    /// give it to `doudi keys rotate`, or as --key-file to a new database.
    Generate {
        /// Where to write the key (refused if the file exists).
        file: PathBuf,
    },
    /// Re-encrypt every identity number, phone and bank account and rebuild the search index
    /// under a new key, in one transaction; afterwards the database opens only with the new key.
    /// The audit trail is re-chained under the new key and its anchor rewritten (beside the new
    /// key file unless --audit-anchor is given). A server still running with the old key
    /// refuses every write from then on: restart it with the new key.
    Rotate {
        #[command(flatten)]
        db: DbArgs,
        /// The new key file (create it with `doudi keys generate FILE`).
        #[arg(long)]
        new_key_file: PathBuf,
    },
}

/// What to say when no key was given.
const NO_KEY: &str = "no data key: identity numbers, phones and bank accounts are stored \
     encrypted, and the key is not kept in the database. Give the key file with --key-file FILE \
     or DOUDI_KEY_FILE=FILE, or the key itself in DOUDI_KEY (64 hexadecimal characters or \
     base64). A new database needs a new key: `doudi keys generate FILE` creates one. (无数据密钥：\
     请用 --key-file 或 DOUDI_KEY_FILE 指定密钥文件，或在 DOUDI_KEY 中提供密钥。)";

/// The key given on the command line or in the environment, if any: the key file first, then
/// `DOUDI_KEY`.
pub fn given(key_file: Option<&Path>) -> Result<Option<Keys>> {
    if let Some(path) = key_file {
        return read_key_file(path).map(Some);
    }
    match std::env::var("DOUDI_KEY") {
        Ok(text) if !text.trim().is_empty() => Keys::parse(&text)
            .map(Some)
            .context("reading the data key from DOUDI_KEY"),
        _ => Ok(None),
    }
}

/// The key given, or the clear refusal to go on without one.
pub fn required(given: Option<Keys>) -> Result<Keys> {
    given.ok_or_else(|| anyhow::anyhow!(NO_KEY))
}

/// Reads a key file. A file that others may read is used, with a warning.
pub fn read_key_file(path: &Path) -> Result<Keys> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the data key file {}", path.display()))?;
    warn_if_shared(path);
    Keys::parse(&text).with_context(|| format!("reading the data key file {}", path.display()))
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        errln!(
            "warning: the data key file {} can be read by other users; `chmod 600` it",
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

/// Writes a new random key to `path`, which must not exist, readable by its owner only.
pub fn write_new_key_file(path: &Path) -> Result<Keys> {
    let (text, keys) = Keys::generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| {
        format!(
            "creating the key file {} (an existing key file is never overwritten)",
            path.display()
        )
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing the key file {}", path.display()))?;
    Ok(keys)
}

/// The demo's key file: beside a SQLite database file (`doudi-demo.db` → `doudi-demo.key`);
/// none for other databases, which need a key given like any other.
pub fn demo_key_path(url: &str) -> Option<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") {
        return None;
    }
    Some(Path::new(path).with_extension("key"))
}

/// The key of a demo database: the one given, else the demo key file beside the SQLite file,
/// created on first use. Says where the key is.
pub fn demo_keys(given: Option<Keys>, url: &str) -> Result<Keys> {
    if let Some(keys) = given {
        return Ok(keys);
    }
    let Some(path) = demo_key_path(url) else {
        bail!("{NO_KEY}");
    };
    if path.exists() {
        errln!("demo data key: {}", path.display());
        read_key_file(&path)
    } else {
        let keys = write_new_key_file(&path)?;
        errln!(
            "demo data key: created {} (readable by you only); the demo database opens only \
             with it, so keep the two together",
            path.display()
        );
        Ok(keys)
    }
}

/// Runs `doudi keys …`.
pub async fn run(command: KeysCommand, given: Option<Keys>) -> Result<()> {
    match command {
        KeysCommand::Generate { file } => {
            let keys = write_new_key_file(&file)?;
            outln!(
                "wrote a new data key to {} (key id {}); keep it safe, apart from the database \
                 and its backups",
                file.display(),
                keys.id()
            );
            Ok(())
        }
        KeysCommand::Rotate { db, new_key_file } => {
            let current = required(given)?;
            let new = read_key_file(&new_key_file)?;
            let store = crate::open_with(&db.db, current).await?;
            let rotation = store
                .rotate_keys(&Actor::system("数据密钥轮换"), &new)
                .await
                .context("rotating the data key")?;
            // The trail was re-chained under the new key: its anchor starts again, where runs
            // with the new key file look for it.
            crate::anchor::forget_all();
            let anchor = crate::anchor::path_for_new_key(&new_key_file);
            crate::anchor::reset(store.as_ref(), &anchor).await?;
            outln!(
                "re-encrypted {} people and {} households under key {} (was {}); from now on \
                 the database opens only with {}",
                rotation.people,
                rotation.households,
                rotation.new_key_id,
                rotation.old_key_id,
                new_key_file.display()
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_key_lives_beside_a_sqlite_file_only() {
        assert_eq!(
            demo_key_path("sqlite://doudi-demo.db"),
            Some(PathBuf::from("doudi-demo.key"))
        );
        assert_eq!(
            demo_key_path("sqlite:///var/lib/doudi/demo.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/doudi/demo.key"))
        );
        assert_eq!(demo_key_path("sqlite::memory:"), None);
        assert_eq!(demo_key_path("postgres://root@127.0.0.1/doudi"), None);
    }

    #[test]
    fn a_key_file_is_created_for_its_owner_only_and_never_overwritten() {
        let dir = std::env::temp_dir().join(format!("doudi-keys-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.key");
        let _ = std::fs::remove_file(&path);
        let keys = write_new_key_file(&path).unwrap();
        assert_eq!(read_key_file(&path).unwrap().id(), keys.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_new_key_file(&path).is_err());
        assert_eq!(read_key_file(&path).unwrap().id(), keys.id());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
