// Notifications' door: the bell, the member's and the organisation's settings pages, and the
// realtime handler.
export { EmailSettingsPage } from "./EmailSettingsPage";
export { NotificationBell } from "./NotificationBell";
export { NotificationSettingsPage } from "./NotificationSettingsPage";
export { notificationsRealtime } from "./realtime";
