import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { SandboxInboundBody } from "../../api/models";
import { CONVERSATION_LISTS_KEY, conversationKey, messagesKey } from "../inbox";

/** Writes as a sandbox lead: the message goes through the same pipeline as WhatsApp's. */
export function useSendAsLead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SandboxInboundBody) => unwrap(api.POST("/api/v1/sandbox/inbound", { body })),
    onSuccess: ({ conversation_id }) => {
      void client.invalidateQueries({ queryKey: messagesKey(conversation_id) });
      void client.invalidateQueries({ queryKey: conversationKey(conversation_id) });
      void client.invalidateQueries({ queryKey: CONVERSATION_LISTS_KEY });
    },
  });
}
