// The calendar's door: its page and its realtime handler.
export { CalendarPage } from "./CalendarPage";
export { calendarRealtime } from "./realtime";
