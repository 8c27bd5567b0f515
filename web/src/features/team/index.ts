// The team feature's door: Settings → Team (members, invitations, round-robin assignment) and
// the member's own "available" switch in the user menu.
export { TeamPage } from "./TeamPage";
export { useMembers } from "./api";
export { AvailabilitySwitch } from "./AvailabilitySwitch";
export { teamRealtime } from "./realtime";
