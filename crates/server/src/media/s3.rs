//! Media in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2), through `object_store`.
//! Requests go out on our own reqwest client (the one the rest of the program uses) and are
//! signed with ring, so neither a second HTTP stack nor aws-lc is built.

use super::{Chunks, FileStream, MediaStore, check_key};
use crate::config::MediaArgs;
use axum::body::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http_body_util::BodyExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::client::{
    ClientOptions, HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpResponse,
    HttpResponseBody, HttpService,
};
use object_store::path::Path;
use object_store::{MultipartUpload, ObjectStoreExt, PutPayload, RetryConfig};
use std::time::Duration;

/// How much of an incoming file is gathered before it is sent on. A file that fits is one
/// PUT; a larger one goes up as a multipart upload of parts this size (S3 wants at least
/// 5 MiB per part but the last), so at most one part is held in memory.
const PART_BYTES: usize = 8 * 1024 * 1024;

/// The bucket, as the configuration names it.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Settings {
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: String,
    /// Access key id and secret, or none for the instance's own credentials.
    pub credentials: Option<(String, String)>,
    pub path_style: bool,
}

impl S3Settings {
    /// The bucket the arguments name, `None` when they name none (the data directory is
    /// used); half a configuration is an error at start rather than a surprise later.
    pub fn from_args(args: &MediaArgs) -> anyhow::Result<Option<S3Settings>> {
        let Some(bucket) = given(&args.media_s3_bucket) else {
            if given(&args.media_s3_endpoint).is_some()
                || given(&args.media_s3_access_key_id).is_some()
            {
                anyhow::bail!(
                    "CLOSER_MEDIA_S3_BUCKET is required when an S3 endpoint or key is set"
                );
            }
            return Ok(None);
        };
        let credentials = match (
            given(&args.media_s3_access_key_id),
            given(&args.media_s3_secret_access_key),
        ) {
            (Some(id), Some(secret)) => Some((id.to_owned(), secret.to_owned())),
            (None, None) => None,
            _ => anyhow::bail!(
                "CLOSER_MEDIA_S3_ACCESS_KEY_ID and CLOSER_MEDIA_S3_SECRET_ACCESS_KEY go together"
            ),
        };
        let endpoint = given(&args.media_s3_endpoint).map(|e| e.trim_end_matches('/').to_owned());
        if let Some(e) = &endpoint {
            let url = reqwest::Url::parse(e)
                .map_err(|err| anyhow::anyhow!("CLOSER_MEDIA_S3_ENDPOINT {e:?}: {err}"))?;
            anyhow::ensure!(
                matches!(url.scheme(), "http" | "https"),
                "CLOSER_MEDIA_S3_ENDPOINT must be an http(s) URL"
            );
        }
        Ok(Some(S3Settings {
            bucket: bucket.to_owned(),
            endpoint,
            region: args.media_s3_region.trim().to_owned(),
            credentials,
            path_style: args.media_s3_path_style,
        }))
    }
}

/// A setting that is set, trimmed; empty is unset.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Files in an S3-compatible bucket, keyed `org/media` like the directory.
#[derive(Debug)]
pub struct S3MediaStore {
    bucket: String,
    store: AmazonS3,
}

impl S3MediaStore {
    pub fn new(settings: &S3Settings) -> anyhow::Result<S3MediaStore> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_virtual_hosted_style_request(!settings.path_style)
            .with_http_connector(Connector)
            // A few quick retries: a job retries for longer, and a request should not hang.
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(30),
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &settings.endpoint {
            // A plain-http endpoint is the operator's choice (MinIO on a private network).
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        if let Some((id, secret)) = &settings.credentials {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        let store = builder
            .build()
            .map_err(|e| anyhow::anyhow!("the S3 media bucket: {e}"))?;
        Ok(S3MediaStore {
            bucket: settings.bucket.clone(),
            store,
        })
    }

    fn path(key: &str) -> std::io::Result<Path> {
        check_key(key)?;
        Path::parse(key).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    }

    /// Sends a large file as parts: `first`, then the rest as it comes.
    async fn send_parts(
        upload: &mut Box<dyn MultipartUpload>,
        first: Vec<Bytes>,
        chunks: &mut Chunks<'_>,
    ) -> std::io::Result<()> {
        let (mut part, mut ended) = (first, false);
        loop {
            if !part.is_empty() {
                upload
                    .put_part(PutPayload::from_iter(part))
                    .await
                    .map_err(io_error)?;
            }
            if ended {
                return Ok(());
            }
            (part, ended) = gather(chunks).await?;
        }
    }
}

/// Reads up to [`PART_BYTES`] (a little more: whole chunks) from `chunks`; true when the
/// file ended.
async fn gather(chunks: &mut Chunks<'_>) -> std::io::Result<(Vec<Bytes>, bool)> {
    let mut part = Vec::new();
    let mut size = 0;
    while size < PART_BYTES {
        match chunks.next().await {
            Some(chunk) => {
                let chunk = chunk?;
                size += chunk.len();
                part.push(chunk);
            }
            None => return Ok((part, true)),
        }
    }
    Ok((part, false))
}

/// A missing object is `NotFound`, as a missing file is.
fn io_error(err: object_store::Error) -> std::io::Error {
    match err {
        object_store::Error::NotFound { .. } => {
            std::io::Error::new(std::io::ErrorKind::NotFound, err)
        }
        other => std::io::Error::other(other),
    }
}

#[async_trait::async_trait]
impl MediaStore for S3MediaStore {
    async fn put_stream(&self, key: &str, mut chunks: Chunks<'_>) -> std::io::Result<()> {
        let path = Self::path(key)?;
        let (first, ended) = gather(&mut chunks).await?;
        if ended {
            self.store
                .put(&path, PutPayload::from_iter(first))
                .await
                .map_err(io_error)?;
            return Ok(());
        }
        let mut upload = self.store.put_multipart(&path).await.map_err(io_error)?;
        match Self::send_parts(&mut upload, first, &mut chunks).await {
            Ok(()) => upload.complete().await.map(|_| ()).map_err(io_error),
            Err(e) => {
                // Nothing half-uploaded is left in the bucket (nor billed).
                if let Err(abort) = upload.abort().await {
                    tracing::warn!(key, error = %abort, "could not abort a multipart upload");
                }
                Err(e)
            }
        }
    }

    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let found = self.store.get(&Self::path(key)?).await.map_err(io_error)?;
        Ok(found.bytes().await.map_err(io_error)?.to_vec())
    }

    async fn open(&self, key: &str) -> std::io::Result<FileStream> {
        let found = self.store.get(&Self::path(key)?).await.map_err(io_error)?;
        Ok(Box::pin(found.into_stream().map_err(io_error)))
    }

    async fn delete(&self, key: &str) -> std::io::Result<()> {
        match self.store.delete(&Self::path(key)?).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            done => done.map_err(io_error),
        }
    }

    fn describe(&self) -> String {
        format!("the S3 bucket {}", self.bucket)
    }
}

/// Makes `object_store`'s requests with reqwest 0.12.
#[derive(Debug)]
struct Connector;

impl HttpConnector for Connector {
    fn connect(&self, _: &ClientOptions) -> object_store::Result<HttpClient> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            // Per read, not per request: a large file streams for as long as it flows.
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| object_store::Error::Generic {
                store: "S3",
                source: Box::new(e),
            })?;
        Ok(HttpClient::new(Reqwest(client)))
    }
}

#[derive(Debug)]
struct Reqwest(reqwest::Client);

fn http_error(err: reqwest::Error) -> HttpError {
    let kind = if err.is_timeout() {
        HttpErrorKind::Timeout
    } else if err.is_connect() {
        HttpErrorKind::Connect
    } else if err.is_body() || err.is_decode() {
        HttpErrorKind::Interrupted
    } else if err.is_request() {
        HttpErrorKind::Request
    } else {
        HttpErrorKind::Unknown
    };
    HttpError::new(kind, err)
}

#[async_trait::async_trait]
impl HttpService for Reqwest {
    async fn call(&self, req: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = req.into_parts();
        let url = reqwest::Url::parse(&parts.uri.to_string())
            .map_err(|e| HttpError::new(HttpErrorKind::Request, e))?;
        // A request body is one part at most, already in memory.
        let bytes = match body.as_bytes() {
            Some(bytes) => bytes.clone(),
            None => body.collect().await?.to_bytes(),
        };
        let mut request = reqwest::Request::new(parts.method, url);
        *request.headers_mut() = parts.headers;
        *request.body_mut() = Some(reqwest::Body::from(bytes));
        let response = self.0.execute(request).await.map_err(http_error)?;
        let (parts, body) = axum::http::Response::<reqwest::Body>::from(response).into_parts();
        Ok(HttpResponse::from_parts(
            parts,
            HttpResponseBody::new(body.map_err(http_error)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> MediaArgs {
        MediaArgs {
            media_s3_region: "us-east-1".into(),
            media_s3_path_style: true,
            ..MediaArgs::default()
        }
    }

    #[test]
    fn the_data_directory_unless_a_bucket_is_named() {
        assert_eq!(S3Settings::from_args(&args()).unwrap(), None);
        let blank = MediaArgs {
            media_s3_bucket: Some("  ".into()),
            ..args()
        };
        assert_eq!(S3Settings::from_args(&blank).unwrap(), None);
        let full = MediaArgs {
            media_s3_bucket: Some("media".into()),
            media_s3_endpoint: Some("http://minio:9000/".into()),
            media_s3_access_key_id: Some("id".into()),
            media_s3_secret_access_key: Some("secret".into()),
            ..args()
        };
        let s = S3Settings::from_args(&full).unwrap().unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://minio:9000"));
        assert_eq!(s.credentials, Some(("id".into(), "secret".into())));
        assert!(S3MediaStore::new(&s).is_ok());
    }

    #[test]
    fn half_a_configuration_is_refused_at_start() {
        let no_bucket = MediaArgs {
            media_s3_endpoint: Some("http://minio:9000".into()),
            ..args()
        };
        assert!(S3Settings::from_args(&no_bucket).is_err());
        let no_secret = MediaArgs {
            media_s3_bucket: Some("media".into()),
            media_s3_access_key_id: Some("id".into()),
            ..args()
        };
        assert!(S3Settings::from_args(&no_secret).is_err());
        let not_http = MediaArgs {
            media_s3_bucket: Some("media".into()),
            media_s3_endpoint: Some("ftp://minio".into()),
            ..args()
        };
        assert!(S3Settings::from_args(&not_http).is_err());
    }
}
