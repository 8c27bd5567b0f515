export const USERS_KEY = ["users"] as const;
export const INVITES_KEY = ["invites"] as const;
export const AUDIT_KEY = ["audit-logs"] as const;
export const WHATSAPP_KEY = ["whatsapp-status"] as const;
export const JOBS_KEY = ["jobs"] as const;
export const AGENT_KEY = ["agent"] as const;
export const AGENT_PROFILE_KEY = ["agent", "profile"] as const;
export const AGENT_VERSIONS_KEY = ["agent", "versions"] as const;
export function agentVersionKey(version: number) {
  return ["agent", "version", version] as const;
}
export const CTAS_KEY = ["ctas"] as const;
export const KNOWLEDGE_KEY = ["knowledge"] as const;
