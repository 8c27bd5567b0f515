export const USERS_KEY = ["users"] as const;
export const INVITES_KEY = ["invites"] as const;
