export const USERS_KEY = ["users"] as const;
export const INVITES_KEY = ["invites"] as const;
export const ASSIGNMENT_KEY = ["settings", "assignment"] as const;
