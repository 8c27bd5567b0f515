//! Media on the Cloud API: an inbound media id → its short-lived URL → the bytes (both calls
//! with the access token), and an upload that gives the id a media message is sent by.

use crate::client::{GraphClient, SendError};
use serde::Deserialize;

/// What `GET /{media-id}` says about a file. The URL works for 5 minutes, with the token.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MediaInfo {
    pub url: String,
    pub mime_type: Option<String>,
    pub sha256: Option<String>,
    pub file_size: Option<u64>,
}

#[derive(Deserialize)]
struct Uploaded {
    id: String,
}

impl GraphClient {
    /// Where an inbound file can be downloaded from, with its type and size.
    pub async fn media_info(&self, media_id: &str, token: &str) -> Result<MediaInfo, SendError> {
        let url = format!("{}/{media_id}", self.base());
        let value = self.call(self.http().get(url).bearer_auth(token)).await?;
        serde_json::from_value(value.clone()).map_err(|_| SendError::Unexpected {
            status: 200,
            body: value.to_string(),
        })
    }

    /// The file at a media URL, read up to `max_bytes` (more is an error: nothing larger is
    /// kept, so nothing larger is read).
    pub async fn download_media(
        &self,
        url: &str,
        token: &str,
        max_bytes: u64,
    ) -> Result<Vec<u8>, SendError> {
        let transport = |e: reqwest::Error| SendError::Transport(e.to_string());
        let mut resp = self
            .http()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = resp.text().await.unwrap_or_default();
            return Err(SendError::Unexpected {
                status,
                body: body.chars().take(500).collect(),
            });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > max_bytes {
                return Err(SendError::TooLarge(max_bytes));
            }
        }
        Ok(bytes)
    }

    /// Uploads a file for the number to send (`POST /{phone-number-id}/media`); the answer is
    /// Meta's media id.
    pub async fn upload_media(
        &self,
        phone_number_id: &str,
        token: &str,
        bytes: Vec<u8>,
        mime_type: &str,
        file_name: &str,
    ) -> Result<String, SendError> {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str(mime_type)
            .map_err(|e| SendError::Transport(e.to_string()))?;
        let form = reqwest::multipart::Form::new()
            .text("messaging_product", "whatsapp")
            .text("type", mime_type.to_owned())
            .part("file", part);
        let url = format!("{}/{phone_number_id}/media", self.base());
        let value = self
            .call(self.http().post(url).bearer_auth(token).multipart(form))
            .await?;
        serde_json::from_value::<Uploaded>(value.clone())
            .map(|u| u.id)
            .map_err(|_| SendError::Unexpected {
                status: 200,
                body: value.to_string(),
            })
    }
}
