// Query keys of Settings → Agent: the profile and its versions, CTAs, the knowledge base.

export const AGENT_PROFILE_KEY = ["agent", "profile"] as const;
export const AGENT_VERSIONS_KEY = ["agent", "versions"] as const;
export function agentVersionKey(version: number) {
  return ["agent", "version", version] as const;
}
export const CTAS_KEY = ["ctas"] as const;
export const KNOWLEDGE_KEY = ["knowledge"] as const;
export const SCANS_KEY = ["knowledge-scans"] as const;
export const LATEST_SCAN_KEY = [...SCANS_KEY, "latest"] as const;
export function scanKey(id: string) {
  return [...SCANS_KEY, id] as const;
}
export const AGENT_TESTS_KEY = ["agent", "tests"] as const;
export const AGENT_TEST_STARTERS_KEY = ["agent", "tests", "starters"] as const;
export const AGENT_TEST_RUNS_KEY = ["agent", "test-runs"] as const;
export function agentTestRunKey(id: string) {
  return [...AGENT_TEST_RUNS_KEY, id] as const;
}
