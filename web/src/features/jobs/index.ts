// The jobs feature's door: Settings → Jobs, and its realtime handler.
export { JobsPage } from "./JobsPage";
export { jobsRealtime } from "./realtime";
