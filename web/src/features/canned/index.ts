// Canned replies: Settings → Canned replies, and the list the inbox's composer offers.
export { useCannedReplies } from "./api";
export { CannedRepliesPage } from "./CannedRepliesPage";
