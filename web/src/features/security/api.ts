import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { SecuritySettings } from "../../api/models";
import { ME_KEY } from "../auth";
import { SECURITY_SETTINGS_KEY, SESSIONS_KEY } from "./keys";

/** Where the member is signed in. */
export function useSessions() {
  return useQuery({
    queryKey: SESSIONS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/auth/sessions")),
  });
}

export function useRevokeSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/auth/sessions/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
}

export function useRevokeOtherSessions() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/sessions/revoke-others")),
    onSuccess: () => void client.invalidateQueries({ queryKey: SESSIONS_KEY }),
  });
}

/** A new secret for the authenticator app; two-factor stays off until a code confirms it. */
export function useStartTwoFactorSetup() {
  return useMutation({ mutationFn: () => unwrap(api.POST("/api/v1/auth/2fa/setup")) });
}

/** Confirms the setup with a code; answers the recovery codes. */
export function useEnableTwoFactor() {
  return useMutation({
    mutationFn: (code: string) => unwrap(api.POST("/api/v1/auth/2fa/enable", { body: { code } })),
  });
}

export function useDisableTwoFactor() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (password: string) =>
      unwrap(api.POST("/api/v1/auth/2fa/disable", { body: { password } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ME_KEY }),
  });
}

export function useRegenerateRecoveryCodes() {
  return useMutation({
    mutationFn: (code: string) =>
      unwrap(api.POST("/api/v1/auth/2fa/recovery-codes", { body: { code } })),
  });
}

/** The organisation's rules (readable by anyone allowed in; owners change them). */
export function useSecuritySettings(enabled: boolean) {
  return useQuery({
    queryKey: SECURITY_SETTINGS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/settings/security")),
    enabled,
  });
}

export function useSaveSecuritySettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SecuritySettings) => unwrap(api.PUT("/api/v1/settings/security", { body })),
    onSuccess: (saved) => {
      client.setQueryData(SECURITY_SETTINGS_KEY, saved);
      void client.invalidateQueries({ queryKey: ME_KEY });
    },
  });
}
