// The inbox feature's door: the inbox page, its realtime handler, and the conversation pieces
// the playground shows (the same conversations, through the sandbox channel).
export { useConversation, useConversationList, useDecisions } from "./api";
export { contactName } from "./ConversationList";
export { DecisionCard } from "./Decisions";
export { priorityTone } from "./agent";
export { formatPhone, previewText, relativeTime, windowStatus } from "./format";
export { InboxPage } from "./InboxPage";
export { CONVERSATION_LISTS_KEY, conversationKey, messagesKey } from "./keys";
export { BusinessBubble, LeadBubble } from "./MessageBubble";
export { ModeBadge } from "./ModeBadge";
export { inboxRealtime } from "./realtime";
export { Transcript } from "./Transcript";
