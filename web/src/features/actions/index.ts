// The action center's door: its page, the sidebar's count and its realtime handler.
export { ActionCountBadge } from "./ActionCountBadge";
export { ActionsPage } from "./ActionsPage";
export { actionsRealtime } from "./realtime";
