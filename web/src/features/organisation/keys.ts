export const ORG_KEY = ["org"] as const;
