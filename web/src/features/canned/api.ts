import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { CannedReplyBody } from "../../api/models";
import { CANNED_REPLIES_KEY } from "./keys";

/** The organisation's canned replies, by shortcut. */
export function useCannedReplies() {
  return useQuery({
    queryKey: CANNED_REPLIES_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/canned-replies")),
    staleTime: 60_000,
  });
}

/** Creates one (no id) or saves one (with its id). */
export function useSaveCannedReply(id: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CannedReplyBody) =>
      id
        ? unwrap(api.PUT("/api/v1/canned-replies/{id}", { params: { path: { id } }, body }))
        : unwrap(api.POST("/api/v1/canned-replies", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: CANNED_REPLIES_KEY }),
  });
}

export function useDeleteCannedReply() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/canned-replies/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: CANNED_REPLIES_KEY }),
  });
}
