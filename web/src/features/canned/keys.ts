export const CANNED_REPLIES_KEY = ["canned-replies"] as const;
