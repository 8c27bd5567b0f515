import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { WhatsappConfigBody, WhatsappConnectBody, WhatsappStatus } from "../../api/models";
import { WHATSAPP_KEY } from "./keys";

/** The number's true connection status, as Meta last answered. */
export function useWhatsappStatus() {
  return useQuery({
    queryKey: WHATSAPP_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/settings/whatsapp/status")),
  });
}

export function useConnectWhatsapp({
  onSuccess,
}: { onSuccess?: (status: WhatsappStatus) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WhatsappConnectBody) =>
      unwrap(api.POST("/api/v1/settings/whatsapp/connect", { body })),
    onSuccess: (status) => {
      client.setQueryData(WHATSAPP_KEY, status);
      onSuccess?.(status);
    },
  });
}

/** Changes the connection (blank secrets keep the stored ones); Meta verifies it again. */
export function useSaveWhatsappConfig({
  onSuccess,
}: { onSuccess?: (status: WhatsappStatus) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: WhatsappConfigBody) =>
      unwrap(api.PUT("/api/v1/settings/whatsapp/config", { body })),
    onSuccess: (status) => {
      client.setQueryData(WHATSAPP_KEY, status);
      onSuccess?.(status);
    },
  });
}

export function useDisconnectWhatsapp({ onSuccess }: { onSuccess?: () => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/v1/settings/whatsapp/disconnect")),
    onSuccess: () => {
      onSuccess?.();
      void client.invalidateQueries({ queryKey: WHATSAPP_KEY });
    },
  });
}
