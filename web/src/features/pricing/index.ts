export { RateCardPage } from "./RateCardPage";
export { formatMoney } from "./rateCard";
export type { ConversationCost, MessageCost } from "./api";
