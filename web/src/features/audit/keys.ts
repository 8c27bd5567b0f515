export const AUDIT_KEY = ["audit-logs"] as const;
