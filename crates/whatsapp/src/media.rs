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

    /// The file at a media URL, as a response whose body is read chunk by chunk: the caller
    /// streams it into the media store and stops at its size limit, so a file is never held
    /// whole in memory and nothing past the limit is read.
    pub async fn open_media(&self, url: &str, token: &str) -> Result<reqwest::Response, SendError> {
        let resp = self
            .http()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| SendError::Transport(e.to_string()))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = resp.text().await.unwrap_or_default();
            return Err(SendError::Unexpected {
                status,
                body: body.chars().take(500).collect(),
            });
        }
        Ok(resp)
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
