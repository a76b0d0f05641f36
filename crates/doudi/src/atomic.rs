//! Writing a file so that it is either whole or absent: the bytes go to a temporary file in the
//! same folder, which is flushed to disk and then renamed over the target. A rename within one
//! file system is atomic, so a reader (a bank's import, an auditor) never sees half a file, and a
//! process killed mid-way leaves at most a hidden temporary file, never a valid-looking partial
//! one at the target path.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The temporary file beside `target`: hidden, named after the target and this process, so that
/// two processes writing the same target do not share one.
pub(crate) fn temporary(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "doudi".into());
    target.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Writes `bytes` to `target` atomically (see the module). On any failure the temporary file is
/// removed and `target` is left as it was.
pub(crate) fn write(target: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temporary(target);
    let result = write_then_rename(&tmp, target, bytes);
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", target.display()))
}

fn write_then_rename(tmp: &Path, target: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(tmp)
        .with_context(|| format!("creating the temporary file {}", tmp.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(tmp, target)?;
    // The rename itself is durable only once the folder is flushed (POSIX); where a folder
    // cannot be opened for that (Windows), the rename is still atomic.
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A file written bit by bit that appears at its target only when [`Streaming::commit`] is
/// called: until then the bytes go to a hidden temporary file beside it, which is removed if the
/// writer is dropped uncommitted (an error on the way). A process killed while writing leaves
/// the target as it was (at most the temporary file stays behind).
pub(crate) struct Streaming {
    tmp: PathBuf,
    target: PathBuf,
    file: Option<std::io::BufWriter<File>>,
}

impl Streaming {
    /// Starts writing `target`.
    pub(crate) fn create(target: &Path) -> Result<Streaming> {
        let tmp = temporary(target);
        let file = File::create(&tmp)
            .with_context(|| format!("creating the temporary file {}", tmp.display()))?;
        Ok(Streaming {
            tmp,
            target: target.to_owned(),
            file: Some(std::io::BufWriter::new(file)),
        })
    }

    /// Flushes everything to disk and renames the file into place.
    pub(crate) fn commit(mut self) -> Result<()> {
        let result = (|| -> Result<()> {
            let file = self.file.take().context("the file was already committed")?;
            let file = file.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            drop(file);
            fs::rename(&self.tmp, &self.target)?;
            if let Some(dir) = self.target.parent().filter(|d| !d.as_os_str().is_empty())
                && let Ok(dir) = File::open(dir)
            {
                let _ = dir.sync_all();
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&self.tmp);
        }
        result.with_context(|| format!("writing {}", self.target.display()))
    }
}

impl Write for Streaming {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(file) => file.write(buf),
            None => Err(std::io::Error::other("the file was already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Streaming {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("doudi-atomic-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_streamed_file_appears_only_when_committed() {
        let dir = scratch("streamed");
        let target = dir.join("decisions.jsonl");
        let mut out = Streaming::create(&target).unwrap();
        out.write_all(b"{}\n").unwrap();
        assert!(!target.exists(), "nothing at the target while writing");
        out.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"{}\n");
        let mut abandoned = Streaming::create(&target).unwrap();
        abandoned.write_all(b"half").unwrap();
        drop(abandoned);
        assert_eq!(
            fs::read(&target).unwrap(),
            b"{}\n",
            "an abandoned write changes nothing"
        );
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "only the target");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_file_is_written_whole_and_no_temporary_file_remains() {
        let dir = scratch("whole");
        let target = dir.join("bank.csv");
        write(&target, b"a,b\n1,2\n").unwrap();
        write(&target, b"a,b\n3,4\n").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"a,b\n3,4\n");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "only the target");
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_target_as_it_was_and_no_temporary_file() {
        let dir = scratch("failed");
        // The rename onto a non-empty folder fails after every byte was written.
        let target = dir.join("bank.csv");
        fs::create_dir_all(target.join("occupied")).unwrap();
        let err = write(&target, b"a,b\n1,2\n").unwrap_err();
        assert!(format!("{err:#}").contains("bank.csv"), "{err:#}");
        assert!(target.is_dir(), "the target is untouched");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("bank.csv")],
            "no temporary file left"
        );
        // A folder that does not exist: nothing is created anywhere.
        assert!(write(&dir.join("missing/bank.csv"), b"x").is_err());
        assert!(!dir.join("missing").exists());
        fs::remove_dir_all(dir).unwrap();
    }
}
