import { AlertCircle, Download, FileText, Loader2 } from "lucide-react";
import type { Message } from "../../api/models";
import { cn } from "../../lib/cn";
import { formatBytes, type MessageFile } from "./format";

/**
 * A picture, a player or a download chip for a media message's file, from its signed link;
 * nothing while it has none (the placeholder and [`FileStatus`] show then).
 */
export function Attachment({ message, file }: { message: Message; file: MessageFile }) {
  if (!file.url) return null;
  switch (message.type) {
    case "image":
    case "sticker":
      return (
        <a
          href={file.url}
          target="_blank"
          rel="noreferrer"
          className="mb-1 block"
          title="Open the full image"
          data-testid="media-image"
        >
          <img
            src={file.url}
            alt={file.file_name ?? (message.type === "sticker" ? "Sticker" : "Image from the chat")}
            loading="lazy"
            className={cn(
              "max-h-72 rounded-md object-contain",
              message.type === "sticker" ? "w-32" : "w-full max-w-xs bg-black/5",
            )}
          />
        </a>
      );
    case "video":
      return (
        <video
          controls
          preload="metadata"
          src={file.url}
          className="mb-1 max-h-72 w-full max-w-xs rounded-md bg-black"
          data-testid="media-video"
        />
      );
    case "audio":
    case "voice":
      return (
        <div className="mb-1 space-y-1" data-testid="media-audio">
          <audio controls preload="metadata" src={file.url} className="h-10 w-64 max-w-full" />
          {message.type === "voice" && file.transcript && (
            <p
              className="max-w-xs border-l-2 border-gray-300 pl-2 text-sm text-gray-700 italic"
              data-testid="voice-transcript"
            >
              <span className="not-italic font-medium text-gray-500">Transcript: </span>
              {file.transcript}
            </p>
          )}
        </div>
      );
    default:
      return <DocumentChip file={file} />;
  }
}

/** Under a file's placeholder while it has no link: loading, or why it cannot be shown. */
export function FileStatus({ file }: { file: MessageFile }) {
  if (file.url) return null;
  const pending = file.status === "pending";
  return (
    <p
      data-testid={pending ? "media-pending" : "media-unavailable"}
      className="mb-1 flex items-center gap-1.5 text-xs text-gray-500"
    >
      {pending ? (
        <Loader2 className="size-3.5 shrink-0 animate-spin" aria-hidden="true" />
      ) : (
        <AlertCircle className="size-3.5 shrink-0" aria-hidden="true" />
      )}
      {pending
        ? "Loading the file…"
        : file.status === "refused"
          ? "Not shown: not a file WhatsApp carries"
          : "The file could not be loaded"}
    </p>
  );
}

/** A document: its name and size, downloaded on click. */
function DocumentChip({ file }: { file: MessageFile }) {
  const name = file.file_name ?? "Document";
  return (
    <a
      href={file.url ?? undefined}
      download={name}
      className="mb-1 flex max-w-xs items-center gap-2.5 rounded-md bg-black/5 px-2.5 py-2 text-sm hover:bg-black/10"
      data-testid="document-chip"
      title={`Download ${name}`}
    >
      <FileText className="size-5 shrink-0 text-gray-500" aria-hidden="true" />
      <span className="min-w-0 flex-1">
        <span className="block truncate font-medium text-gray-900">{name}</span>
        <span className="block text-xs text-gray-500">
          {[formatBytes(file.size_bytes), file.mime_type.split("/")[1]?.toUpperCase()]
            .filter(Boolean)
            .join(" · ")}
        </span>
      </span>
      <Download className="size-4 shrink-0 text-gray-500" aria-hidden="true" />
    </a>
  );
}
