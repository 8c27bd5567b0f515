import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { LlmSettings, LlmSettingsBody } from "../../api/models";
import { LLM_SETTINGS_KEY } from "./keys";

/** The LLM provider settings (never the key itself: only whether one is saved). */
export function useLlmSettings({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: LLM_SETTINGS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/settings/llm")),
    enabled,
  });
}

export function useSaveLlmSettings({
  onSuccess,
}: { onSuccess?: (settings: LlmSettings) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: LlmSettingsBody) => unwrap(api.PUT("/api/v1/settings/llm", { body })),
    onSuccess: (updated) => {
      client.setQueryData(LLM_SETTINGS_KEY, updated);
      onSuccess?.(updated);
    },
  });
}

/** Tries settings (saved or not) against the provider; the answer says how it went. */
export function useTestLlmConnection() {
  return useMutation({
    mutationFn: (body: LlmSettingsBody) => unwrap(api.POST("/api/v1/settings/llm/test", { body })),
  });
}
