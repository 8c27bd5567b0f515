//! Media in the inbox, server side: where the bytes are kept ([`MediaStore`]), the signed
//! short-lived links the transcript plays and downloads them by, the job that fetches a lead's
//! file from Meta, and speech-to-text for voice notes.

pub mod fetch;
pub mod s3;
pub mod transcribe;

use axum::body::Bytes;
use closer_domain::media::MediaRefusal;
use closer_store::secret_box::SecretBox;
use futures_util::StreamExt;
use sha2::Digest;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Where files are kept: the data directory by default ([`FsMediaStore`]), or an
/// S3-compatible bucket when one is configured ([`s3::S3MediaStore`]). Keys are `org/media`
/// paths, and nothing else in the program knows how the bytes are kept.
#[async_trait::async_trait]
pub trait MediaStore: Send + Sync + std::fmt::Debug {
    /// Keeps the file read from `chunks` under `key`, replacing what was there (a retried
    /// fetch writes the same). When the stream fails — a size limit, a broken connection —
    /// the error is returned and nothing is kept: no partial file is left behind.
    async fn put_stream(&self, key: &str, chunks: Chunks<'_>) -> std::io::Result<()>;
    /// Keeps `bytes` under `key`.
    async fn put(&self, key: &str, bytes: Bytes) -> std::io::Result<()> {
        self.put_stream(
            key,
            Box::pin(futures_util::stream::once(async { Ok(bytes) })),
        )
        .await
    }
    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>>;
    /// The file as a stream of chunks, so serving it never holds it whole in memory.
    async fn open(&self, key: &str) -> std::io::Result<FileStream>;
    /// Lets the file go; one that is not there is already gone.
    async fn delete(&self, key: &str) -> std::io::Result<()>;
    /// Where the files are, for the log line at start.
    fn describe(&self) -> String;
}

pub type SharedMediaStore = Arc<dyn MediaStore>;

/// A file read chunk by chunk (on its way in, it may borrow the request it comes from).
pub type Chunks<'a> =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'a>>;

/// A file read chunk by chunk from the store.
pub type FileStream = Chunks<'static>;

/// How much of a file is read at a time when it is served.
const CHUNK: usize = 64 * 1024;

/// The key a file is kept under: its organisation, then its id.
pub fn storage_key(org_id: Uuid, media_id: Uuid) -> String {
    format!("{org_id}/{media_id}")
}

/// Keys are ours (`uuid/uuid`), never a sender's text; anything else is refused so a key can
/// never name a path outside the store's root or prefix.
fn check_key(key: &str) -> std::io::Result<()> {
    let ok = key.split('/').count() == 2
        && key
            .split('/')
            .all(|part| !part.is_empty() && part.parse::<Uuid>().is_ok());
    if ok {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a media key",
        ))
    }
}

/// The store the configuration names: an S3-compatible bucket when one is set, otherwise
/// `<data dir>/media`.
pub fn store_from(
    args: &crate::config::MediaArgs,
    data_dir: &std::path::Path,
) -> anyhow::Result<SharedMediaStore> {
    Ok(match s3::S3Settings::from_args(args)? {
        Some(settings) => Arc::new(s3::S3MediaStore::new(&settings)?),
        None => Arc::new(FsMediaStore::new(data_dir.join("media"))),
    })
}

/// Why a file stream was cut short: the file broke one of WhatsApp's limits.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(MediaRefusal);

/// The refusal behind a failed [`MediaStore::put_stream`] of a [`metered`] stream, if a limit
/// (and not the store or the connection) stopped it.
pub fn refusal_of(err: &std::io::Error) -> Option<MediaRefusal> {
    err.get_ref()
        .and_then(|inner| inner.downcast_ref::<Refused>())
        .map(|refused| refused.0.clone())
}

/// What went through a [`metered`] stream so far.
#[derive(Default)]
pub struct Tally {
    pub size: u64,
    sha256: sha2::Sha256,
}

impl Tally {
    /// The SHA-256 of the file, hex (once the stream has ended).
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256.clone().finalize())
    }
}

/// `chunks`, counted and hashed on the way, failing as soon as more than `max` bytes have come
/// (or at the end, when none came): the store then keeps nothing, and nothing past the limit
/// is read from the sender.
pub fn metered<'a, S>(chunks: S, max: u64) -> (Chunks<'a>, Arc<Mutex<Tally>>)
where
    S: futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'a,
{
    let tally = Arc::new(Mutex::new(Tally::default()));
    let counted = tally.clone();
    let refused = |why| std::io::Error::new(std::io::ErrorKind::InvalidData, Refused(why));
    let stream =
        futures_util::stream::unfold((Box::pin(chunks), false), move |(mut chunks, done)| {
            let counted = counted.clone();
            async move {
                if done {
                    return None;
                }
                let next = chunks.next().await;
                let mut tally = counted.lock().unwrap_or_else(|e| e.into_inner());
                let item = match next {
                    Some(Ok(bytes)) => {
                        tally.size += bytes.len() as u64;
                        tally.sha256.update(&bytes);
                        if tally.size > max {
                            let size = tally.size;
                            Err(refused(MediaRefusal::TooLarge { size, max }))
                        } else {
                            Ok(bytes)
                        }
                    }
                    Some(Err(e)) => Err(e),
                    None if tally.size == 0 => Err(refused(MediaRefusal::Empty)),
                    None => return None,
                };
                let done = item.is_err();
                Some((item, (chunks, done)))
            }
        });
    (Box::pin(stream), tally)
}

/// The body of an HTTP response, chunk by chunk as it arrives.
pub fn response_chunks(
    response: reqwest::Response,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send {
    futures_util::stream::try_unfold(response, |mut response| async move {
        match response.chunk().await.map_err(std::io::Error::other)? {
            Some(chunk) => Ok(Some((chunk, response))),
            None => Ok(None),
        }
    })
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

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
}

/// Writes every chunk to `file`.
async fn write_all(file: &mut tokio::fs::File, mut chunks: Chunks<'_>) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    while let Some(chunk) = chunks.next().await {
        file.write_all(&chunk?).await?;
    }
    file.flush().await
}

#[async_trait::async_trait]
impl MediaStore for FsMediaStore {
    async fn put_stream(&self, key: &str, chunks: Chunks<'_>) -> std::io::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Written aside (under a name of its own: a retried fetch may overlap the first) and
        // renamed: a reader never sees half a file, and a failed write leaves nothing.
        let partial = path.with_extension(format!("{}.partial", Uuid::now_v7().simple()));
        let mut file = tokio::fs::File::create(&partial).await?;
        let written = write_all(&mut file, chunks).await;
        drop(file);
        match written {
            Ok(()) => tokio::fs::rename(&partial, &path).await,
            Err(e) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(e)
            }
        }
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

    fn describe(&self) -> String {
        format!("the directory {}", self.root.display())
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

    fn chunks(parts: &[&'static [u8]]) -> Chunks<'static> {
        let items: Vec<std::io::Result<Bytes>> =
            parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        Box::pin(futures_util::stream::iter(items))
    }

    async fn drain(mut s: Chunks<'_>) -> Result<Vec<u8>, std::io::Error> {
        let mut out = Vec::new();
        while let Some(chunk) = s.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

    #[tokio::test]
    async fn metered_streams_count_hash_and_stop_at_the_limit() {
        let (s, tally) = metered(chunks(&[b"abc", b"def"]), 6);
        assert_eq!(drain(s).await.unwrap(), b"abcdef");
        {
            let t = tally.lock().unwrap();
            assert_eq!(t.size, 6);
            assert_eq!(t.sha256_hex(), hex::encode(sha2::Sha256::digest(b"abcdef")));
        }

        let (s, _) = metered(chunks(&[b"abc", b"def", b"never read"]), 5);
        let err = drain(s).await.unwrap_err();
        assert_eq!(
            refusal_of(&err),
            Some(MediaRefusal::TooLarge { size: 6, max: 5 })
        );
        let (s, _) = metered(chunks(&[]), 5);
        assert_eq!(
            refusal_of(&drain(s).await.unwrap_err()),
            Some(MediaRefusal::Empty)
        );
        // A broken connection is not a refusal.
        let broken: Chunks<'static> = Box::pin(futures_util::stream::iter(vec![Err(
            std::io::Error::other("reset"),
        )]));
        let (s, _) = metered(broken, 5);
        assert_eq!(refusal_of(&drain(s).await.unwrap_err()), None);
    }

    #[tokio::test]
    async fn a_failed_write_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsMediaStore::new(dir.path().to_path_buf());
        let key = storage_key(Uuid::now_v7(), Uuid::now_v7());
        let (s, _) = metered(chunks(&[b"abc", b"def"]), 4);
        assert!(store.put_stream(&key, s).await.is_err());
        let org = dir.path().join(key.split('/').next().unwrap());
        assert_eq!(std::fs::read_dir(&org).unwrap().count(), 0);
        store.put(&key, Bytes::from_static(b"whole")).await.unwrap();
        assert_eq!(store.get(&key).await.unwrap(), b"whole");
        assert_eq!(
            drain(store.open(&key).await.unwrap()).await.unwrap(),
            b"whole"
        );
        store.delete(&key).await.unwrap();
        store.delete(&key).await.unwrap();
        assert_eq!(std::fs::read_dir(&org).unwrap().count(), 0);
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
