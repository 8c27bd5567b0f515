export const USERS_KEY = ["users"] as const;
export const INVITES_KEY = ["invites"] as const;
export const AUDIT_KEY = ["audit-logs"] as const;
export const WHATSAPP_KEY = ["whatsapp-status"] as const;
export const JOBS_KEY = ["jobs"] as const;
