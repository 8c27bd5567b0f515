export const JOBS_KEY = ["jobs"] as const;
