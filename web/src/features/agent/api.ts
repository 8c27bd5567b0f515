import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type {
  AgentProfile,
  AgentTestBody,
  AgentTestRun,
  AgentTestRunBody,
  CtaBody,
  KnowledgeQuery,
  KnowledgeScan,
  KnowledgeUpload,
  UpdateAgentProfileBody,
} from "../../api/models";
import { useCursorList } from "../../lib/useCursorList";
import {
  AGENT_PROFILE_KEY,
  AGENT_TEST_RUNS_KEY,
  AGENT_TEST_STARTERS_KEY,
  AGENT_TESTS_KEY,
  agentTestRunKey,
  AGENT_VERSIONS_KEY,
  agentVersionKey,
  CTAS_KEY,
  KNOWLEDGE_KEY,
  LATEST_SCAN_KEY,
  scanKey,
} from "./keys";
import { scanIsActive } from "./scan";

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

/** Every CTA (a handful: one per type). */
export function fetchCtas() {
  return unwrap(api.GET("/api/v1/ctas"));
}

/** Updates CTA `id`, or creates one when `id` is null. Callers refetch `CTAS_KEY`. */
export function saveCta(id: string | null, body: CtaBody) {
  return id
    ? unwrap(api.PUT("/api/v1/ctas/{id}", { params: { path: { id } }, body }))
    : unwrap(api.POST("/api/v1/ctas", { body }));
}

export function useCtas() {
  return useQuery({ queryKey: CTAS_KEY, queryFn: fetchCtas });
}

export function useSaveCta() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: CtaBody }) => saveCta(id, body),
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

/** One page of the knowledge base, newest first. */
export function fetchKnowledgePage(query: KnowledgeQuery) {
  return unwrap(api.GET("/api/v1/knowledge", { params: { query } }));
}

/** The knowledge base, with "Load more". */
export function useKnowledgeEntries() {
  return useCursorList(KNOWLEDGE_KEY, (cursor) => fetchKnowledgePage({ limit: 50, cursor }));
}

/** FAQ entries from pasted text, or from a faq.txt sent as the file itself (multipart). */
export function useAddFaq() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (source: string | File) => {
      if (typeof source === "string")
        return unwrap(api.POST("/api/v1/knowledge", { body: { kind: "faq", content: source } }));
      const form = new FormData();
      form.append("kind", "faq");
      form.append("file", source, source.name);
      // openapi-fetch sends FormData as it is (the browser writes the multipart boundary);
      // the generated type describes the upload's fields, the binary part as a string, hence
      // the cast.
      return unwrap(api.POST("/api/v1/knowledge", { body: form as unknown as KnowledgeUpload }));
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: KNOWLEDGE_KEY }),
  });
}

/** How often a running scan is asked for its progress. */
const SCAN_POLL_MS = 1_000;

/** The organisation's most recent website scan, or null before the first. */
export function useLatestScan() {
  return useQuery({
    queryKey: LATEST_SCAN_KEY,
    queryFn: async () => {
      const page = await unwrap(
        api.GET("/api/v1/knowledge/scans", { params: { query: { limit: 1 } } }),
      );
      return page.items[0] ?? null;
    },
  });
}

/**
 * One scan, polled while it is queued or running. When it finishes, the knowledge list is
 * refetched (its pages are in it now) and the latest-scan query learns the outcome.
 */
export function useScan(id: string | null) {
  const client = useQueryClient();
  return useQuery({
    queryKey: scanKey(id ?? ""),
    queryFn: async () => {
      const known =
        client.getQueryData<KnowledgeScan>(scanKey(id!)) ??
        client.getQueryData<KnowledgeScan | null>(LATEST_SCAN_KEY);
      const wasActive = known?.id === id && scanIsActive(known.status);
      const scan = await unwrap(
        api.GET("/api/v1/knowledge/scans/{id}", { params: { path: { id: id! } } }),
      );
      if (wasActive && !scanIsActive(scan.status)) {
        client.setQueryData(LATEST_SCAN_KEY, scan);
        void client.invalidateQueries({ queryKey: KNOWLEDGE_KEY });
      }
      return scan;
    },
    enabled: id !== null,
    refetchInterval: (query) => (scanIsActive(query.state.data?.status) ? SCAN_POLL_MS : false),
  });
}

export function useStartScan() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (url: string) => unwrap(api.POST("/api/v1/knowledge/scan", { body: { url } })),
    onSuccess: (scan) => {
      client.setQueryData(scanKey(scan.id), scan);
      client.setQueryData(LATEST_SCAN_KEY, scan);
    },
    // Another scan is under way (409): show that one.
    onError: () => void client.invalidateQueries({ queryKey: LATEST_SCAN_KEY }),
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

// ----- Agent tests -----

export function useAgentTests() {
  return useQuery({
    queryKey: AGENT_TESTS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/agent/tests")),
  });
}

/** Starter cases from the FAQ and the CTAs (offered, not saved). */
export function useAgentTestStarters() {
  return useQuery({
    queryKey: AGENT_TEST_STARTERS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/agent/tests/starters")),
  });
}

/** Updates test `id`, or creates one when `id` is null. */
export function useSaveAgentTest() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: AgentTestBody }) =>
      id
        ? unwrap(api.PUT("/api/v1/agent/tests/{id}", { params: { path: { id } }, body }))
        : unwrap(api.POST("/api/v1/agent/tests", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: AGENT_TESTS_KEY }),
  });
}

export function useDeleteAgentTest() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/agent/tests/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: AGENT_TESTS_KEY }),
  });
}

/** The latest runs, newest first. */
export function useAgentTestRuns() {
  return useQuery({
    queryKey: AGENT_TEST_RUNS_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/agent/tests/runs")),
  });
}

/** How often a running run is asked for its results. */
const RUN_POLL_MS = 1_000;

/** One run, polled while it runs; once it settles the runs list learns it too. */
export function useAgentTestRun(id: string | null) {
  const client = useQueryClient();
  return useQuery({
    queryKey: agentTestRunKey(id ?? ""),
    queryFn: async () => {
      const run = await unwrap(
        api.GET("/api/v1/agent/tests/runs/{id}", { params: { path: { id: id! } } }),
      );
      if (run.status !== "running")
        void client.invalidateQueries({ queryKey: AGENT_TEST_RUNS_KEY, exact: true });
      return run;
    },
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data?.status === "running" ? RUN_POLL_MS : false),
  });
}

export function useRunAgentTests() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: AgentTestRunBody) => unwrap(api.POST("/api/v1/agent/tests/run", { body })),
    onSuccess: (run: AgentTestRun) => {
      client.setQueryData(agentTestRunKey(run.id), run);
      void client.invalidateQueries({ queryKey: AGENT_TEST_RUNS_KEY, exact: true });
    },
  });
}
