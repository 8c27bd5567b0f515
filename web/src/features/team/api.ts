import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { CreateInviteBody, CreatedInvite, UpdateUserBody, User } from "../../api/models";
import { useCursorList } from "../../lib/useCursorList";
import { ME_KEY } from "../auth";
import { ASSIGNMENT_KEY, INVITES_KEY, USERS_KEY } from "./keys";

const PAGE_SIZE = 50;

export function useMembers() {
  return useCursorList(USERS_KEY, (cursor) =>
    unwrap(api.GET("/api/v1/users", { params: { query: { limit: PAGE_SIZE, cursor } } })),
  );
}

/** Changes a member's role or deactivates/reactivates them. */
export function useUpdateMember({
  onSuccess,
  onError,
}: {
  onSuccess?: (updated: User, body: UpdateUserBody) => void;
  onError?: (error: unknown) => void;
} = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateUserBody }) =>
      unwrap(api.PATCH("/api/v1/users/{id}", { params: { path: { id } }, body })),
    onSuccess: (updated, { body }) => {
      void client.invalidateQueries({ queryKey: USERS_KEY });
      onSuccess?.(updated, body);
    },
    onError,
  });
}

export function useRemoveMember({ onSuccess }: { onSuccess?: () => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/users/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: USERS_KEY });
      onSuccess?.();
    },
  });
}

export function useInvites() {
  return useCursorList(INVITES_KEY, (cursor) =>
    unwrap(api.GET("/api/v1/invites", { params: { query: { limit: PAGE_SIZE, cursor } } })),
  );
}

export function useCreateInvite({
  onSuccess,
}: { onSuccess?: (invite: CreatedInvite) => unknown } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateInviteBody) => unwrap(api.POST("/api/v1/invites", { body })),
    onSuccess: (invite) => {
      void client.invalidateQueries({ queryKey: INVITES_KEY });
      return onSuccess?.(invite);
    },
  });
}

export function useRevokeInvite({ onSuccess }: { onSuccess?: () => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      // The revoke endpoint shares its path with the public lookup; the segment is the invite id.
      unwrap(api.DELETE("/api/v1/invites/{token}", { params: { path: { token: id } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: INVITES_KEY });
      onSuccess?.();
    },
  });
}

/** Whether handovers go round the available members (owner/admin). */
export function useAssignmentSettings(enabled: boolean) {
  return useQuery({
    queryKey: ASSIGNMENT_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/settings/assignment")),
    enabled,
  });
}

export function useSaveAssignmentSettings({
  onSuccess,
  onError,
}: { onSuccess?: (roundRobin: boolean) => void; onError?: (error: unknown) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (roundRobin: boolean) =>
      unwrap(api.PUT("/api/v1/settings/assignment", { body: { round_robin: roundRobin } })),
    onSuccess: (saved) => {
      client.setQueryData(ASSIGNMENT_KEY, saved);
      onSuccess?.(saved.round_robin);
    },
    onError,
  });
}

/** Marks a member available for new conversations, or away (their own, or anyone's for a manager). */
export function useSetAvailability({
  onSuccess,
  onError,
}: { onSuccess?: (updated: User) => void; onError?: (error: unknown) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, available }: { id: string; available: boolean }) =>
      unwrap(api.PATCH("/api/v1/users/{id}", { params: { path: { id } }, body: { available } })),
    onSuccess: (updated) => {
      void client.invalidateQueries({ queryKey: USERS_KEY });
      void client.invalidateQueries({ queryKey: ME_KEY });
      onSuccess?.(updated);
    },
    onError,
  });
}
