export const NOTIFICATIONS_KEY = ["notifications"] as const;
export const NOTIFICATION_LIST_KEY = ["notifications", "list"] as const;
export const NOTIFICATION_PREFERENCES_KEY = ["notifications", "preferences"] as const;
export const EMAIL_SETTINGS_KEY = ["settings", "email"] as const;
