//! A real S3-compatible server for the media tests: `s3s` speaking the S3 protocol over a
//! temporary directory (`s3s-fs`), SigV4 authentication on, on a free port. The server under
//! test reaches it exactly as it reaches MinIO in production; the tests read the directory to
//! see which objects the bucket holds.

use closer_server::config::MediaArgs;
use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use std::path::{Path, PathBuf};

pub const BUCKET: &str = "closer-media";
const ACCESS_KEY: &str = "closer-test-access";
const SECRET_KEY: &str = "closer-test-secret-key-0123456789";

pub struct S3Server {
    pub endpoint: String,
    root: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl S3Server {
    pub async fn start() -> S3Server {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(root.path().join(BUCKET)).expect("the bucket");
        let fs = s3s_fs::FileSystem::new(root.path()).expect("s3s-fs over the temp dir");
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    continue;
                };
                let service = service.clone();
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(socket), service)
                        .await;
                });
            }
        });
        S3Server {
            endpoint,
            root,
            task,
        }
    }

    /// The server's settings for this bucket, as an operator would give them.
    pub fn media_args(&self) -> MediaArgs {
        MediaArgs {
            media_s3_bucket: Some(BUCKET.into()),
            media_s3_endpoint: Some(self.endpoint.clone()),
            media_s3_region: "us-east-1".into(),
            media_s3_access_key_id: Some(ACCESS_KEY.into()),
            media_s3_secret_access_key: Some(SECRET_KEY.into()),
            media_s3_path_style: true,
        }
    }

    /// The same bucket with a wrong secret: every request is refused.
    pub fn media_args_with_wrong_secret(&self) -> MediaArgs {
        MediaArgs {
            media_s3_secret_access_key: Some("not-the-secret".into()),
            ..self.media_args()
        }
    }

    /// The bucket's objects (keys), sorted.
    pub fn objects(&self) -> Vec<String> {
        let bucket = self.root.path().join(BUCKET);
        let mut keys: Vec<String> = files_under(&bucket)
            .into_iter()
            .map(|p| {
                p.strip_prefix(&bucket)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        keys.sort();
        keys
    }

    /// Parts of multipart uploads neither completed nor aborted.
    pub fn pending_parts(&self) -> Vec<PathBuf> {
        files_under(self.root.path())
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(".upload"))
            })
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}
