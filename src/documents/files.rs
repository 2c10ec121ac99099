//! Uploaded files, stored once by content: `files/ab/abcdef…` (SHA-256). The server builds
//! every path itself, so no uploaded name ever reaches the file system.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> FileStore {
        FileStore { root: root.into() }
    }

    /// The path of a stored file; `hash` must be what `put` returned.
    pub fn path(&self, hash: &str) -> Option<PathBuf> {
        let valid = hash.len() == 64 && hash.bytes().all(|byte| byte.is_ascii_hexdigit());
        valid.then(|| self.root.join(&hash[..2]).join(hash))
    }

    /// Stores the bytes (once: the same content twice is one file) and returns their hash.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let hash = hex::encode(Sha256::digest(bytes));
        let target = self.path(&hash).expect("a SHA-256 hex digest is a valid hash");
        if target.exists() {
            return Ok(hash);
        }
        let folder = target.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder)?;
        // Write aside, then rename: a crash never leaves a half file under the real name.
        let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
        temporary.write_all(bytes)?;
        temporary.as_file().sync_all()?;
        temporary.persist(&target).map_err(|error| error.error)?;
        Ok(hash)
    }

    /// Deletes a stored file; one that is not there is no error.
    pub fn remove(&self, hash: &str) -> std::io::Result<()> {
        match self.path(hash).map(std::fs::remove_file) {
            Some(Err(error)) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }
}

/// A file size as people read it: "850 bytes", "21 kB", "1,4 MB" (Dutch decimal comma).
/// Units of 1024, like the upload limit `OOGST_MAX_UPLOAD_MB`, so a limit of 25 reads "25 MB".
pub fn readable_size(bytes: u64) -> String {
    const UNIT: f64 = 1024.0;
    let kilobytes = bytes as f64 / UNIT;
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    // Rounded as shown, so 1023.7 kB reads "1 MB" rather than "1024 kB".
    if kilobytes.round() < UNIT {
        return format!("{} kB", kilobytes.round());
    }
    let megabytes = kilobytes / UNIT;
    let (amount, unit) =
        if (megabytes * 10.0).round() < UNIT * 10.0 { (megabytes, "MB") } else { (megabytes / UNIT, "GB") };
    let shown = format!("{amount:.1}");
    format!("{} {unit}", shown.trim_end_matches(".0").replace('.', ","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_content_is_stored_once_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let first = store.put(b"verslag").unwrap();
        assert_eq!(store.put(b"verslag").unwrap(), first);
        assert_eq!(std::fs::read(store.path(&first).unwrap()).unwrap(), b"verslag");
        assert!(store.path("../../etc/passwd").is_none());
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(readable_size(0), "0 bytes");
        assert_eq!(readable_size(850), "850 bytes");
        assert_eq!(readable_size(21 * 1024 + 300), "21 kB");
        assert_eq!(readable_size(1024 * 1024 - 100), "1 MB");
        assert_eq!(readable_size(1_468_006), "1,4 MB");
        assert_eq!(readable_size(25 * 1024 * 1024), "25 MB");
        assert_eq!(readable_size(3 * 1024 * 1024 * 1024 / 2), "1,5 GB");
    }
}
