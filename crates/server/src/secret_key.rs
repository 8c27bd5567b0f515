//! The key for secrets at rest: from CLOSER_SECRET_KEY, or generated once into the data dir.

use anyhow::Context;
use closer_store::secret_box::{KEY_LEN, SecretBox};
use std::io::Write;
use std::path::Path;

pub fn load_or_create(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<SecretBox> {
    if let Some(text) = configured {
        let key = SecretBox::parse_key(text).context("CLOSER_SECRET_KEY")?;
        return Ok(SecretBox::new(&key));
    }
    let path = data_dir.join("secret.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let key = SecretBox::parse_key(&text).with_context(|| format!("{}", path.display()))?;
        return Ok(SecretBox::new(&key));
    }
    let key: [u8; KEY_LEN] = SecretBox::generate_key();
    write_private(&path, hex::encode(key).as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new secret key; back it up with the database");
    Ok(SecretBox::new(&key))
}

/// Creates the file readable by its owner only (0600) before any byte is written.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_then_reuses() {
        let dir = std::env::temp_dir().join(format!("closer-key-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = load_or_create(None, &dir).unwrap();
        let sealed = a.seal("x");
        let b = load_or_create(None, &dir).unwrap();
        assert_eq!(b.open(&sealed).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
