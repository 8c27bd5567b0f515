//! Media in the inbox: which files WhatsApp carries (its accepted content types and size limits
//! per kind), what a person may upload to send, and where a file is in its life.

use crate::messaging::MessageType;

text_enum!(
    /// Where an inbound or uploaded file is: waiting to be fetched from Meta, kept in the media
    /// store, given up after its last attempt, refused (a type or size WhatsApp does not
    /// carry, so it was never kept), or erased with its lead's personal data.
    MediaStatus {
        Pending = "pending",
        Stored = "stored",
        Failed = "failed",
        Refused = "refused",
        Erased = "erased",
    }
);

/// The most a person may upload to send: WhatsApp's limit for audio and video, and more than
/// an image needs; larger documents are better sent as a link.
pub const UPLOAD_MAX_BYTES: u64 = 16 * 1024 * 1024;

const MB: u64 = 1024 * 1024;

/// The content type without its parameters, lower case (`audio/ogg; codecs=opus` → `audio/ogg`).
pub fn essence(mime_type: &str) -> String {
    mime_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The content types WhatsApp accepts for a kind of message (Meta's "supported media types").
pub fn accepted_types(kind: MessageType) -> &'static [&'static str] {
    match kind {
        MessageType::Image => &["image/jpeg", "image/png"],
        MessageType::Audio | MessageType::Voice => &[
            "audio/aac",
            "audio/amr",
            "audio/mpeg",
            "audio/mp4",
            "audio/ogg",
        ],
        MessageType::Video => &["video/mp4", "video/3gpp"],
        MessageType::Sticker => &["image/webp"],
        MessageType::Document => &[
            "text/plain",
            "application/pdf",
            "application/msword",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.ms-excel",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.ms-powerpoint",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ],
        _ => &[],
    }
}

/// WhatsApp's size limit for a kind (an animated sticker may be 500 KB).
pub fn max_bytes(kind: MessageType) -> u64 {
    match kind {
        MessageType::Image => 5 * MB,
        MessageType::Audio | MessageType::Voice | MessageType::Video => 16 * MB,
        MessageType::Document => 100 * MB,
        MessageType::Sticker => 500 * 1024,
        _ => 0,
    }
}

/// Whether a message of this kind carries a file.
pub fn is_media(kind: MessageType) -> bool {
    matches!(
        kind,
        MessageType::Image
            | MessageType::Audio
            | MessageType::Voice
            | MessageType::Video
            | MessageType::Document
            | MessageType::Sticker
    )
}

/// Why a file cannot travel as WhatsApp media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaRefusal {
    /// A content type WhatsApp does not carry (for this kind).
    Type(String),
    /// Larger than the kind's limit (bytes).
    TooLarge {
        size: u64,
        max: u64,
    },
    Empty,
}

impl std::fmt::Display for MediaRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MediaRefusal::Type(t) => write!(f, "WhatsApp does not carry files of type {t}"),
            MediaRefusal::TooLarge { max, .. } => {
                write!(f, "is larger than WhatsApp's limit of {}", human_size(*max))
            }
            MediaRefusal::Empty => f.write_str("is empty"),
        }
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", bytes / 1024)
    }
}

/// Checks a file WhatsApp delivered (or is to deliver) as a message of `kind`.
pub fn check(kind: MessageType, mime_type: &str, size: u64) -> Result<(), MediaRefusal> {
    let essence = essence(mime_type);
    if !accepted_types(kind).contains(&essence.as_str()) {
        return Err(MediaRefusal::Type(essence));
    }
    if size == 0 {
        return Err(MediaRefusal::Empty);
    }
    let max = max_bytes(kind);
    if size > max {
        return Err(MediaRefusal::TooLarge { size, max });
    }
    Ok(())
}

/// The kind of message a person's upload goes out as, by its content type: images, video,
/// audio and documents (stickers are not sent from the composer). The upload limit applies
/// on top of the kind's own.
pub fn upload_kind(mime_type: &str, size: u64) -> Result<MessageType, MediaRefusal> {
    let essence = essence(mime_type);
    let kind = [
        MessageType::Image,
        MessageType::Video,
        MessageType::Audio,
        MessageType::Document,
    ]
    .into_iter()
    .find(|k| accepted_types(*k).contains(&essence.as_str()))
    .ok_or_else(|| MediaRefusal::Type(essence.clone()))?;
    if size > UPLOAD_MAX_BYTES {
        return Err(MediaRefusal::TooLarge {
            size,
            max: UPLOAD_MAX_BYTES,
        });
    }
    check(kind, mime_type, size)?;
    Ok(kind)
}

/// A file name safe to hand back in `Content-Disposition`: no path, no quotes or control
/// characters, at most 200 characters; `None` when nothing is left.
pub fn safe_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    (!cleaned.is_empty() && cleaned != "." && cleaned != "..").then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn whatsapp_types_and_limits() {
        assert!(check(MessageType::Voice, "audio/ogg; codecs=opus", 10_000).is_ok());
        assert!(check(MessageType::Image, "IMAGE/JPEG", 1).is_ok());
        assert_eq!(
            check(MessageType::Image, "image/gif", 10),
            Err(MediaRefusal::Type("image/gif".into()))
        );
        assert!(matches!(
            check(MessageType::Image, "image/png", 5 * MB + 1),
            Err(MediaRefusal::TooLarge { .. })
        ));
        assert!(check(MessageType::Document, "application/pdf", 90 * MB).is_ok());
        assert_eq!(
            check(MessageType::Sticker, "image/webp", 0),
            Err(MediaRefusal::Empty)
        );
    }

    #[test]
    fn uploads_pick_their_kind_and_stay_under_16_mb() {
        assert_eq!(upload_kind("image/png", 100), Ok(MessageType::Image));
        assert_eq!(
            upload_kind("application/pdf", 100),
            Ok(MessageType::Document)
        );
        assert_eq!(upload_kind("video/mp4", 100), Ok(MessageType::Video));
        assert!(matches!(
            upload_kind("application/pdf", UPLOAD_MAX_BYTES + 1),
            Err(MediaRefusal::TooLarge { max, .. }) if max == UPLOAD_MAX_BYTES
        ));
        assert!(matches!(
            upload_kind("application/x-msdownload", 10),
            Err(MediaRefusal::Type(_))
        ));
        assert!(upload_kind("image/webp", 10).is_err());
    }

    #[test]
    fn file_names_lose_paths_and_quotes() {
        assert_eq!(safe_file_name("../../etc/pass\"wd"), Some("passwd".into()));
        assert_eq!(
            safe_file_name("C:\\docs\\quote.pdf"),
            Some("quote.pdf".into())
        );
        assert_eq!(safe_file_name(".."), None);
        assert_eq!(safe_file_name("  "), None);
    }

    proptest! {
        #[test]
        fn an_accepted_upload_is_within_every_limit(mime in "[a-z]{1,12}/[a-z0-9.+-]{1,40}", size in 0u64..40 * MB) {
            if let Ok(kind) = upload_kind(&mime, size) {
                prop_assert!(size <= UPLOAD_MAX_BYTES && size <= max_bytes(kind) && size > 0);
                prop_assert!(accepted_types(kind).contains(&essence(&mime).as_str()));
            }
        }

        #[test]
        fn a_safe_name_never_escapes_or_breaks_a_header(name in ".{0,300}") {
            if let Some(n) = safe_file_name(&name) {
                prop_assert!(!n.contains('/') && !n.contains('\\') && !n.contains('"'));
                prop_assert!(!n.chars().any(char::is_control));
                prop_assert!(n.chars().count() <= 200);
            }
        }
    }
}
