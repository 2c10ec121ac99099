//! Where index generations live on disk. `OOGST_DATA_DIR/index/CURRENT` names the active
//! generation; a rebuild writes a fresh generation next to it and swaps `CURRENT` with an
//! atomic rename, so a crash mid-rebuild leaves the old index in place.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::schema::SCHEMA_VERSION;

const CURRENT: &str = "CURRENT";
/// Suffix of a generation set aside because it could not be opened.
const DAMAGED: &str = ".damaged";

pub struct IndexStore {
    root: PathBuf,
}

impl IndexStore {
    pub fn new(root: impl Into<PathBuf>) -> IndexStore {
        IndexStore { root: root.into() }
    }

    /// The active generation, if there is one built with this schema version.
    pub fn current(&self) -> io::Result<Option<PathBuf>> {
        let name = match fs::read_to_string(self.root.join(CURRENT)) {
            Ok(name) => name.trim().to_string(),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let path = self.root.join(&name);
        let usable = name.starts_with(&version_prefix()) && path.join("meta.json").is_file();
        Ok(usable.then_some(path))
    }

    /// An empty directory for a new generation.
    pub fn new_generation(&self) -> io::Result<PathBuf> {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.9f");
        let path = self.root.join(format!("{}{stamp}", version_prefix()));
        fs::create_dir_all(&path)?;
        Ok(path)
    }

    /// Makes `generation` the active one and removes every other generation.
    pub fn activate(&self, generation: &Path) -> io::Result<()> {
        let name = generation
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| io::Error::other("index generation has no name"))?;
        let temporary = self.root.join("CURRENT.tmp");
        {
            let mut file = fs::File::create(&temporary)?;
            file.write_all(name.as_bytes())?;
            file.sync_all()?;
        }
        fs::rename(&temporary, self.root.join(CURRENT))?;
        self.remove_generations(|other| other != name && !other.ends_with(DAMAGED))
    }

    /// Moves a damaged generation out of use, to `{name}.damaged` next to it, where it stays
    /// for inspection until another generation is set aside.
    pub fn set_aside(&self, generation: &Path) -> io::Result<PathBuf> {
        self.remove_generations(|other| other.ends_with(DAMAGED))?;
        let mut aside = generation.as_os_str().to_owned();
        aside.push(DAMAGED);
        fs::rename(generation, &aside)?;
        Ok(aside.into())
    }

    fn remove_generations(&self, remove: impl Fn(&str) -> bool) -> io::Result<()> {
        for entry in fs::read_dir(&self.root)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() && remove(&entry.file_name().to_string_lossy()) {
                fs::remove_dir_all(entry.path())?;
            }
        }
        Ok(())
    }
}

fn version_prefix() -> String {
    format!("v{SCHEMA_VERSION}-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_swaps_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(dir.path());
        assert_eq!(store.current().unwrap(), None);
        let first = store.new_generation().unwrap();
        fs::write(first.join("meta.json"), "{}").unwrap();
        store.activate(&first).unwrap();
        assert_eq!(store.current().unwrap(), Some(first.clone()));
        let second = store.new_generation().unwrap();
        fs::write(second.join("meta.json"), "{}").unwrap();
        store.activate(&second).unwrap();
        assert_eq!(store.current().unwrap(), Some(second));
        assert!(!first.exists());
    }

    #[test]
    fn a_generation_set_aside_stays_until_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = IndexStore::new(dir.path());
        let first = store.new_generation().unwrap();
        fs::write(first.join("meta.json"), "{}").unwrap();
        store.activate(&first).unwrap();
        let aside = store.set_aside(&first).unwrap();
        assert_eq!(store.current().unwrap(), None, "a generation set aside is not used");
        let second = store.new_generation().unwrap();
        store.activate(&second).unwrap();
        assert!(aside.join("meta.json").is_file(), "activation keeps the damaged generation");
        let again = store.set_aside(&second).unwrap();
        assert!(!aside.exists() && again.is_dir(), "only the last damaged generation is kept");
    }
}
