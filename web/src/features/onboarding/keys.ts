export const ONBOARDING_KEY = ["onboarding"] as const;
