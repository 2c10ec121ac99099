//! The key that signs session tokens and form tokens.

use std::io;
use std::path::Path;

use crate::config::Config;

pub const MIN_SECRET_CHARS: usize = 32;

/// `OOGST_SECRET`, or a random key kept in the data folder so sessions survive restarts.
pub fn load_or_create(config: &Config) -> io::Result<Vec<u8>> {
    if !config.secret.is_empty() {
        if config.secret.len() < MIN_SECRET_CHARS {
            return Err(io::Error::other(format!("OOGST_SECRET must be at least {MIN_SECRET_CHARS} characters")));
        }
        return Ok(config.secret.as_bytes().to_vec());
    }
    let path = config.data_dir.join("secret.key");
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing.trim().len() >= MIN_SECRET_CHARS => Ok(existing.trim().as_bytes().to_vec()),
        Ok(_) => Err(io::Error::other(format!("{} is too short; delete it to make a new one", path.display()))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => create(&path),
        Err(error) => Err(error),
    }
}

fn create(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Write;
    let secret = hex::encode(rand::random::<[u8; 32]>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(secret.as_bytes())?;
    Ok(secret.into_bytes())
}
