import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../../api/client";
import type { AgentProfile, CtaBody, UpdateAgentProfileBody } from "../../../api/models";
import {
  AGENT_PROFILE_KEY,
  AGENT_VERSIONS_KEY,
  agentVersionKey,
  CTAS_KEY,
  KNOWLEDGE_KEY,
} from "../keys";

export function useAgentProfile() {
  return useQuery({
    queryKey: AGENT_PROFILE_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/agent/profile")),
  });
}

/** A new current profile from the server: show it, and let the history catch up. */
function useStoreProfile() {
  const client = useQueryClient();
  return (profile: AgentProfile) => {
    client.setQueryData(AGENT_PROFILE_KEY, profile);
    client.setQueryData(agentVersionKey(profile.version), profile);
    void client.invalidateQueries({ queryKey: AGENT_VERSIONS_KEY });
  };
}

export function useSaveProfile() {
  const store = useStoreProfile();
  return useMutation({
    mutationFn: (body: UpdateAgentProfileBody) =>
      unwrap(api.PUT("/api/v1/agent/profile", { body })),
    onSuccess: store,
  });
}

export function useProfileVersions() {
  return useQuery({
    queryKey: AGENT_VERSIONS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/agent/profile/versions")),
  });
}

export function useProfileVersion(version: number | null) {
  return useQuery({
    queryKey: agentVersionKey(version ?? 0),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/agent/profile/versions/{version}", {
          params: { path: { version: version! } },
        }),
      ),
    enabled: version !== null,
    // A saved version never changes.
    staleTime: Infinity,
  });
}

export function useRollback() {
  const store = useStoreProfile();
  return useMutation({
    mutationFn: (version: number) =>
      unwrap(
        api.POST("/api/v1/agent/profile/versions/{version}/rollback", {
          params: { path: { version } },
        }),
      ),
    onSuccess: store,
  });
}

export function useCtas() {
  return useQuery({ queryKey: CTAS_KEY, queryFn: () => unwrap(api.GET("/api/v1/ctas")) });
}

export function useSaveCta() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: CtaBody }) =>
      id
        ? unwrap(api.PUT("/api/v1/ctas/{id}", { params: { path: { id } }, body }))
        : unwrap(api.POST("/api/v1/ctas", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: CTAS_KEY }),
  });
}

export function useDeleteCta() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/ctas/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: CTAS_KEY }),
  });
}

export function useAddFaq() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (content: string) =>
      unwrap(api.POST("/api/v1/knowledge", { body: { kind: "faq", content } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: KNOWLEDGE_KEY }),
  });
}

export function useDeleteKnowledge() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/knowledge/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: KNOWLEDGE_KEY }),
  });
}
