// Sending a file from the composer: the upload (with its progress, which fetch cannot report)
// and the send by media id through the same send path as a text reply.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, CSRF_HEADER, unwrap } from "../../api/client";
import { ApiError, toApiError } from "../../api/errors";
import type { MediaView } from "../../api/models";
import { useMessageSent } from "./api";
import { conversationKey } from "./keys";

/** What the attach button offers: the types WhatsApp carries (the server checks again). */
export const ATTACH_ACCEPT = [
  "image/jpeg",
  "image/png",
  "video/mp4",
  "video/3gpp",
  "audio/aac",
  "audio/mpeg",
  "audio/mp4",
  "audio/ogg",
  "application/pdf",
  "text/plain",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.ms-excel",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
].join(",");

const MB = 1024 * 1024;

/**
 * WhatsApp's (and the server's) limit for a file sent from the composer: 5 MB for an image,
 * 16 MB for a document. The server refuses a bigger one with 413 all the same; saying so
 * before the upload spares the lead's time on a slow connection.
 */
export function attachLimit(file: Pick<File, "type">): { bytes: number; label: string } {
  return file.type.startsWith("image/")
    ? { bytes: 5 * MB, label: "5 MB" }
    : { bytes: 16 * MB, label: "16 MB" };
}

/** Uploads a file, reporting progress from 0 to 1; resolves with the stored file. */
export function uploadMedia(
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<MediaView> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/media");
    xhr.setRequestHeader(CSRF_HEADER, "1");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 201) resolve(xhr.response as MediaView);
      else reject(toApiError(xhr.status, xhr.response));
    };
    xhr.onerror = () => reject(toApiError(0, null));
    xhr.onabort = () => reject(new ApiError(0, "aborted", "The upload was cancelled."));
    signal?.addEventListener("abort", () => xhr.abort());
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

/** Sends an uploaded file, with an optional caption, as a human's reply. */
export function useSendMedia(id: string) {
  const client = useQueryClient();
  const sent = useMessageSent(id);
  return useMutation({
    mutationFn: ({ mediaId, caption }: { mediaId: string; caption: string }) =>
      unwrap(
        api.POST("/api/v1/messages/send", {
          body: { conversation_id: id, media_id: mediaId, caption: caption || undefined },
        }),
      ),
    onSuccess: ({ message }) => sent(message),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 422 && error.code !== "validation_failed")
        void client.invalidateQueries({ queryKey: conversationKey(id) });
    },
  });
}
