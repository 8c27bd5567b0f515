/** The signed-in member's live sessions. */
export const SESSIONS_KEY = ["auth", "sessions"] as const;
/** The organisation's security rules. */
export const SECURITY_SETTINGS_KEY = ["settings", "security"] as const;
