//! The `media_fetch` job: a lead's file from Meta (media id → short-lived URL → bytes, both
//! with the number's access token) into the media store, checked against WhatsApp's types and
//! limits; then a voice note's transcript when the organisation has a speech-to-text provider.
//! Idempotent: a stored file is not fetched again, a transcribed one not transcribed again.

use super::transcribe::{self, Provider};
use super::{SharedMediaStore, metered, refusal_of, response_chunks, storage_key};
use crate::worker::JobFailure;
use closer_domain::media::{self, MediaStatus};
use closer_domain::messaging::MessageType;
use closer_store::Store;
use closer_store::events::RealtimeEvent;
use closer_store::media::MediaRecord;
use closer_whatsapp::{GraphClient, SendError};
use uuid::Uuid;

/// What the job needs besides the store.
pub struct Fetcher<'a> {
    pub store: &'a Store,
    pub graph: &'a GraphClient,
    pub files: &'a SharedMediaStore,
    pub egress: &'a closer_egress::EgressPolicy,
}

impl Fetcher<'_> {
    /// One attempt; `last` when no attempt follows (a transcription that fails then lets the
    /// agent answer without it).
    pub async fn run(&self, org_id: Uuid, media_id: Uuid, last: bool) -> Result<(), JobFailure> {
        let mut record = self.store.org(org_id).media(media_id).await?;
        match record.status {
            MediaStatus::Pending => match self.fetch(&record).await? {
                Some(stored) => record = stored,
                None => return Ok(()),
            },
            MediaStatus::Stored => {}
            MediaStatus::Failed | MediaStatus::Refused | MediaStatus::Erased => return Ok(()),
        }
        if record.kind == MessageType::Voice && record.transcript.is_none() {
            self.transcribe(&record, last).await?;
        }
        Ok(())
    }

    /// The bytes into the media store; `None` when the file was refused (recorded on it).
    async fn fetch(&self, record: &MediaRecord) -> Result<Option<MediaRecord>, JobFailure> {
        let scope = self.store.org(record.org_id);
        let (_, secrets) = scope
            .whatsapp_with_secrets()
            .await?
            .ok_or_else(|| JobFailure::permanent("WhatsApp is not connected"))?;
        let provider_id = record
            .provider_media_id
            .as_deref()
            .ok_or_else(|| JobFailure::permanent("the message named no media id"))?;
        let token = &secrets.access_token;
        let info = self
            .graph
            .media_info(provider_id, token)
            .await
            .map_err(graph_failure)?;
        let mime_type = info
            .mime_type
            .clone()
            .unwrap_or_else(|| record.mime_type.clone());
        // Meta states the size up front: a file we would refuse is not downloaded at all.
        let announced = info.file_size.unwrap_or(1).max(1);
        if let Err(refusal) = media::check(record.kind, &mime_type, announced) {
            return self.refuse(record, &refusal.to_string()).await;
        }
        let response = self
            .graph
            .open_media(&info.url, token)
            .await
            .map_err(graph_failure)?;
        // Streamed into the store and cut off at the kind's limit: a file is never held whole
        // in memory, and one larger than Meta said is refused without a byte kept.
        let (chunks, tally) = metered(response_chunks(response), media::max_bytes(record.kind));
        let key = storage_key(record.org_id, record.id);
        if let Err(e) = self.files.put_stream(&key, chunks).await {
            return match refusal_of(&e) {
                Some(refusal) => self.refuse(record, &refusal.to_string()).await,
                None => Err(JobFailure::retry(format!(
                    "the file could not be fetched and stored: {e}"
                ))),
            };
        }
        let size = tally.lock().unwrap_or_else(|e| e.into_inner()).size;
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        let stored = self
            .store
            .media_stored(record, &key, &media::essence(&mime_type), size)
            .await?;
        if stored.status == MediaStatus::Erased {
            // The lead was erased while the file was on its way: it is not kept.
            self.files
                .delete(&key)
                .await
                .map_err(|e| JobFailure::retry(format!("could not delete the file: {e}")))?;
            return Ok(None);
        }
        announce(self.store, &stored).await;
        Ok(Some(stored))
    }

    async fn refuse(
        &self,
        record: &MediaRecord,
        why: &str,
    ) -> Result<Option<MediaRecord>, JobFailure> {
        tracing::info!(media = %record.id, why, "an inbound file was refused");
        let refused = self
            .store
            .media_not_stored(record, MediaStatus::Refused, why)
            .await?;
        announce(self.store, &refused).await;
        if refused.kind == MessageType::Voice {
            self.store.voice_note_ready(&refused).await?;
            self.store.wake_workers().await;
        }
        Ok(None)
    }

    /// The voice note's words, when the organisation transcribes. Whatever happens, the agent
    /// then answers: with the transcript, or (after the last attempt) without it.
    async fn transcribe(&self, record: &MediaRecord, last: bool) -> Result<(), JobFailure> {
        let scope = self.store.org(record.org_id);
        let Some((settings, key)) = scope.transcription_settings_with_key().await? else {
            return Ok(());
        };
        let key_name = record.storage_key.clone().unwrap_or_default();
        let audio = self
            .files
            .get(&key_name)
            .await
            .map_err(|e| JobFailure::retry(format!("the media store lost the file: {e}")))?;
        let provider = Provider {
            base_url: &settings.base_url,
            model: &settings.model,
            api_key: key.as_deref(),
        };
        match transcribe::transcribe(self.egress, &provider, audio, &record.mime_type).await {
            Ok(text) => {
                let heard = self.store.media_transcribed(record, &text).await?;
                announce(self.store, &heard).await;
            }
            Err(e) if e.retryable && !last => return Err(JobFailure::retry(e.message)),
            Err(e) => {
                tracing::warn!(media = %record.id, error = %e.message, "a voice note could not be transcribed");
            }
        }
        self.store.voice_note_ready(record).await?;
        self.store.wake_workers().await;
        Ok(())
    }
}

/// The job is out of attempts: the file is failed, and a voice note is answered without it.
pub async fn gave_up(store: &Store, org_id: Uuid, media_id: Uuid, why: &str) {
    let done = async {
        let record = store.org(org_id).media(media_id).await?;
        if record.status != MediaStatus::Pending {
            return Ok(());
        }
        let failed = store
            .media_not_stored(&record, MediaStatus::Failed, why)
            .await?;
        announce(store, &failed).await;
        if failed.kind == MessageType::Voice {
            store.voice_note_ready(&failed).await?;
            store.wake_workers().await;
        }
        Ok::<_, closer_store::StoreError>(())
    };
    if let Err(err) = done.await {
        tracing::error!(media = %media_id, error = %err, "could not mark a file failed");
    }
}

fn graph_failure(err: SendError) -> JobFailure {
    if err.is_retryable() {
        JobFailure::retry(err.to_string())
    } else {
        JobFailure::permanent(err.to_string())
    }
}

/// The transcript shows the file's new state.
async fn announce(store: &Store, record: &MediaRecord) {
    let (Some(conversation_id), Some(message_id)) = (record.conversation_id, record.message_id)
    else {
        return;
    };
    crate::announce::publish(
        store,
        record.org_id,
        vec![RealtimeEvent::MessageUpdated {
            conversation_id,
            message_id,
        }],
    )
    .await;
}
