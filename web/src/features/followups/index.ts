export { FollowupsPage } from "./FollowupsPage";
export { ScheduledFollowup } from "./ScheduledFollowup";
export { followupsRealtime } from "./realtime";
