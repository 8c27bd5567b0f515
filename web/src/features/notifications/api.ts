import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type {
  EmailSettings,
  EmailSettingsBody,
  NotificationPreferences,
  ReadNotificationsBody,
} from "../../api/models";
import {
  EMAIL_SETTINGS_KEY,
  NOTIFICATION_LIST_KEY,
  NOTIFICATION_PREFERENCES_KEY,
  NOTIFICATIONS_KEY,
} from "./keys";

/** How many of the newest notifications the bell's panel shows. */
const PANEL_SIZE = 30;

/** The member's newest notifications and their unread count (the bell). */
export function useNotifications() {
  return useQuery({
    queryKey: NOTIFICATION_LIST_KEY,
    queryFn: () =>
      unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: PANEL_SIZE } } })),
  });
}

/** Marks some (`ids`) or all of the member's notifications read. */
export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: ReadNotificationsBody) =>
      unwrap(api.POST("/api/v1/notifications/read", { body })),
    onSettled: () => client.invalidateQueries({ queryKey: NOTIFICATION_LIST_KEY }),
  });
}

export function useNotificationPreferences() {
  return useQuery({
    queryKey: NOTIFICATION_PREFERENCES_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/notifications/preferences")),
  });
}

export function useSaveNotificationPreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NotificationPreferences) =>
      unwrap(api.PUT("/api/v1/notifications/preferences", { body })),
    onSuccess: (saved) => client.setQueryData(NOTIFICATION_PREFERENCES_KEY, saved),
  });
}

export function useEmailSettings({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: EMAIL_SETTINGS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/settings/email")),
    enabled,
  });
}

export function useSaveEmailSettings({
  onSuccess,
}: { onSuccess?: (settings: EmailSettings) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: EmailSettingsBody) => unwrap(api.PUT("/api/v1/settings/email", { body })),
    onSuccess: (saved) => {
      client.setQueryData(EMAIL_SETTINGS_KEY, saved);
      onSuccess?.(saved);
    },
  });
}

/** Sends one real test email to the member asking, through the saved mail server. */
export function useTestEmail() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/settings/email/test")),
  });
}

/** Everything the notification feature shows, refetched (e.g. after a resync). */
export function refetchAll(client: ReturnType<typeof useQueryClient>) {
  return client.invalidateQueries({ queryKey: NOTIFICATIONS_KEY });
}
