export const ACTIONS_KEY = ["actions"] as const;
export const ACTION_COUNTS_KEY = ["actions", "counts"] as const;
