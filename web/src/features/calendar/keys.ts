export const CALENDAR_KEY = ["calendar"] as const;
export const FEED_KEY = ["calendar", "feed"] as const;
