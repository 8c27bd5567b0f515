//! Speech-to-text for voice notes: an OpenAI-compatible `POST {base_url}/audio/transcriptions`
//! (multipart: the file and the model), reached only where the egress guard allows.

use closer_egress::EgressPolicy;
use serde::Deserialize;
use std::time::Duration;

/// A minute of speech takes a few seconds; a slow provider gets a minute before the attempt
/// is retried.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where and how to transcribe, with the opened key.
pub struct Provider<'a> {
    pub base_url: &'a str,
    pub model: &'a str,
    pub api_key: Option<&'a str>,
}

#[derive(Deserialize)]
struct Transcription {
    text: String,
}

/// Why a transcription did not come back.
#[derive(Debug)]
pub struct TranscribeError {
    /// A later attempt may work (unreachable, timeout, rate limit, the provider's 5xx).
    pub retryable: bool,
    pub message: String,
}

impl TranscribeError {
    fn new(retryable: bool, message: impl Into<String>) -> Self {
        TranscribeError {
            retryable,
            message: message.into(),
        }
    }
}

/// The words of an audio file.
pub async fn transcribe(
    egress: &EgressPolicy,
    provider: &Provider<'_>,
    audio: Vec<u8>,
    mime_type: &str,
) -> Result<String, TranscribeError> {
    let url = format!(
        "{}/audio/transcriptions",
        provider.base_url.trim_end_matches('/')
    );
    let parsed = reqwest::Url::parse(&url)
        .map_err(|_| TranscribeError::new(false, "the speech-to-text URL is not valid"))?;
    egress
        .check_url(&parsed)
        .map_err(|refused| TranscribeError::new(false, refused.to_string()))?;
    let client = egress
        .client_builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| TranscribeError::new(true, e.to_string()))?;
    // The provider picks the decoder by the file name's extension.
    let ext = match closer_domain::media::essence(mime_type).as_str() {
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" => "m4a",
        "audio/aac" => "aac",
        "audio/amr" => "amr",
        _ => "ogg",
    };
    let part = reqwest::multipart::Part::bytes(audio)
        .file_name(format!("voice-note.{ext}"))
        .mime_str(&closer_domain::media::essence(mime_type))
        .map_err(|e| TranscribeError::new(false, e.to_string()))?;
    let form = reqwest::multipart::Form::new()
        .text("model", provider.model.to_owned())
        .text("response_format", "json")
        .part("file", part);
    let mut req = client.post(parsed).multipart(form);
    if let Some(key) = provider.api_key {
        req = req.bearer_auth(key);
    }
    let resp = req.send().await.map_err(|e| {
        let refused = closer_egress::refusal(&e).map(|r| r.to_string());
        match refused {
            Some(why) => TranscribeError::new(false, why),
            None => TranscribeError::new(true, format!("could not reach the provider: {e}")),
        }
    })?;
    let status = resp.status();
    let body = resp
        .text()
        .await
        .map_err(|e| TranscribeError::new(true, e.to_string()))?;
    if !status.is_success() {
        let retryable = status.is_server_error() || status.as_u16() == 429;
        let short: String = body.chars().take(300).collect();
        return Err(TranscribeError::new(
            retryable,
            format!("the provider answered HTTP {}: {short}", status.as_u16()),
        ));
    }
    let parsed: Transcription = serde_json::from_str(&body).map_err(|_| {
        TranscribeError::new(false, "the provider's answer has no transcription text")
    })?;
    Ok(parsed.text.trim().to_owned())
}
