import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { TranscriptionSettings, TranscriptionSettingsBody } from "../../api/models";

export const TRANSCRIPTION_SETTINGS_KEY = ["settings", "transcription"] as const;

/** The speech-to-text provider (never the key itself: only whether one is saved). */
export function useTranscriptionSettings() {
  return useQuery({
    queryKey: TRANSCRIPTION_SETTINGS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/settings/transcription")),
  });
}

export function useSaveTranscriptionSettings({
  onSuccess,
}: { onSuccess?: (settings: TranscriptionSettings) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TranscriptionSettingsBody) =>
      unwrap(api.PUT("/api/v1/settings/transcription", { body })),
    onSuccess: (updated) => {
      client.setQueryData(TRANSCRIPTION_SETTINGS_KEY, updated);
      onSuccess?.(updated);
    },
  });
}
