export { BroadcastsPage } from "./BroadcastsPage";
export { CampaignPage } from "./CampaignPage";
export { campaignsRealtime } from "./realtime";
