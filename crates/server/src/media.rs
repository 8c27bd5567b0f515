//! Media in the inbox, server side: where the bytes are kept ([`MediaStore`]), the signed
//! short-lived links the transcript plays and downloads them by, the job that fetches a lead's
//! file from Meta, and speech-to-text for voice notes.

pub mod fetch;
pub mod transcribe;

use axum::body::Bytes;
use closer_store::secret_box::SecretBox;
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

/// Where files are kept. The data directory by default ([`FsMediaStore`]); an S3-compatible
/// bucket (MinIO) is the next implementation — keys are already `org/media` paths, and nothing
/// else in the program knows how the bytes are kept.
#[async_trait::async_trait]
pub trait MediaStore: Send + Sync + std::fmt::Debug {
    /// Keeps `bytes` under `key`, replacing what was there (a retried fetch writes the same).
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()>;
    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
    /// The file as a stream of chunks, so serving it never holds it whole in memory. A store
    /// that cannot stream hands it over in one chunk.
    async fn open(&self, key: &str) -> std::io::Result<FileStream> {
        let bytes = Bytes::from(self.get(key).await?);
        Ok(Box::pin(futures_util::stream::once(async { Ok(bytes) })))
    }
    /// Lets the file go; one that is not there is already gone.
    async fn delete(&self, key: &str) -> std::io::Result<()>;
}

pub type SharedMediaStore = Arc<dyn MediaStore>;

/// A file read chunk by chunk.
pub type FileStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = std::io::Result<Bytes>> + Send>>;

/// How much of a file is read at a time when it is served.
const CHUNK: usize = 64 * 1024;

/// The key a file is kept under: its organisation, then its id.
pub fn storage_key(org_id: Uuid, media_id: Uuid) -> String {
    format!("{org_id}/{media_id}")
}

/// Files under `<data dir>/media`.
#[derive(Debug, Clone)]
pub struct FsMediaStore {
    root: PathBuf,
}

impl FsMediaStore {
    pub fn new(root: PathBuf) -> Self {
        FsMediaStore { root }
    }

    /// Keys are ours (`uuid/uuid`), never a sender's text; anything else is refused so a key
    /// can never name a path outside the root.
    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        let ok = key.split('/').count() == 2
            && key
                .split('/')
                .all(|part| !part.is_empty() && part.parse::<Uuid>().is_ok());
        if !ok {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a media key",
            ));
        }
        Ok(self.root.join(key))
    }
}

#[async_trait::async_trait]
impl MediaStore for FsMediaStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Written aside and renamed: a reader never sees half a file.
        let partial = path.with_extension("partial");
        tokio::fs::write(&partial, bytes).await?;
        tokio::fs::rename(&partial, &path).await
    }

    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(key)?).await
    }

    async fn open(&self, key: &str) -> std::io::Result<FileStream> {
        use tokio::io::AsyncReadExt;
        let file = tokio::fs::File::open(self.path(key)?).await?;
        let chunks = futures_util::stream::try_unfold(file, |mut file| async move {
            let mut buf = vec![0u8; CHUNK];
            let n = file.read(&mut buf).await?;
            if n == 0 {
                return Ok(None);
            }
            buf.truncate(n);
            Ok(Some((Bytes::from(buf), file)))
        });
        Ok(Box::pin(chunks))
    }

    async fn delete(&self, key: &str) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            done => done,
        }
    }
}

/// How long a signed link works: long enough to play a voice note or open a document, short
/// enough that a copied link soon stops working.
pub const LINK_SECONDS: i64 = 15 * 60;

/// The signature of a link to `media_id` valid until `expires` (Unix seconds): a keyed hash
/// with the server's secret key. The `media-url|` prefix keeps it apart from the other keyed
/// hashes (phone numbers never start so).
fn signature(secrets: &SecretBox, media_id: Uuid, expires: i64) -> String {
    secrets.fingerprint(&format!("media-url|{media_id}|{expires}"))
}

/// A link to the file that works without a bearer token until it expires (an `<img>` or
/// `<audio>` cannot send one). Rounded up to the next 5 minutes so one page of messages
/// gives the same links on every refetch and the browser's cache keeps working.
pub fn signed_path(secrets: &SecretBox, media_id: Uuid) -> String {
    let now = chrono::Utc::now().timestamp();
    let expires = (now + LINK_SECONDS).div_euclid(300) * 300 + 300;
    format!(
        "/api/v1/media/{media_id}?expires={expires}&sig={}",
        signature(secrets, media_id, expires)
    )
}

/// Whether a link's signature is ours and still valid.
pub fn link_is_valid(secrets: &SecretBox, media_id: Uuid, expires: i64, sig: &str) -> bool {
    let now = chrono::Utc::now().timestamp();
    if expires < now || expires > now + LINK_SECONDS + 600 {
        return false;
    }
    let expected = signature(secrets, media_id, expires);
    // Constant time: a signature is a secret until it matches.
    expected.len() == sig.len()
        && expected
            .bytes()
            .zip(sig.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_root() {
        let store = FsMediaStore::new(PathBuf::from("/data/media"));
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(store.path(&format!("{a}/{b}")).is_ok());
        assert!(store.path("../etc/passwd").is_err());
        assert!(store.path(&format!("{a}/../{b}")).is_err());
        assert!(store.path(&format!("/{a}")).is_err());
    }

    #[test]
    fn links_are_signed_and_expire() {
        let secrets = SecretBox::new(&[7u8; 32]);
        let id = Uuid::now_v7();
        let path = signed_path(&secrets, id);
        let query = path.split_once('?').unwrap().1;
        let q: std::collections::HashMap<_, _> = form_urlencoded::parse(query.as_bytes()).collect();
        let expires: i64 = q["expires"].parse().unwrap();
        assert!(link_is_valid(&secrets, id, expires, &q["sig"]));
        assert!(!link_is_valid(&secrets, Uuid::now_v7(), expires, &q["sig"]));
        assert!(!link_is_valid(&secrets, id, expires + 300, &q["sig"]));
        let past = chrono::Utc::now().timestamp() - 10;
        let sig = signature(&secrets, id, past);
        assert!(!link_is_valid(&secrets, id, past, &sig));
        let other = SecretBox::new(&[8u8; 32]);
        assert!(!link_is_valid(&other, id, expires, &q["sig"]));
    }
}
