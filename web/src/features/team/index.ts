// The team feature's door: Settings → Team (members and invitations).
export { TeamPage } from "./TeamPage";
export { useMembers } from "./api";
