// The API's enums at runtime: the lists of values a page offers (selects, radio groups) and
// how each value reads. The types come from the OpenAPI document (./models); nothing here
// repeats a value the compiler does not check against it:
// - every list is `as const satisfies readonly X[]`, so it holds nothing the server does not
//   know, and goes through `exhaustive<X>()`, so it cannot miss a value the server added;
// - every label map is a `Record<X, string>`, which must name every value.
// A value added on the server therefore breaks the build until the web lists and names it.
import type {
  ActionOutcome,
  AutomationActionType,
  AutomationEvent,
  CancelOn,
  Glue,
  Operator,
  RunReason,
  RunStatus,
  ActionKind,
  AgentTestRunStatus,
  ExpectationKind,
  ReasonCode,
  ActionStatus,
  Author,
  BudgetTiming,
  ConversationMode,
  ConversationStage,
  CtaType,
  DecisionEngine,
  DeliveryStatus,
  EmojiPolicy,
  EventKind,
  EventStatus,
  EngineMode,
  EscalationPriority,
  EscalationTrigger,
  Formality,
  HandoverReason,
  InboxSort,
  JobStatus,
  KnowledgeKind,
  LeadSource,
  LeadStatus,
  LlmProvider,
  MediaStatus,
  MessageType,
  NotificationChannel,
  NotificationKind,
  NumberStatus,
  Persuasion,
  PlacementKind,
  QualityRating,
  RealtimeEventType,
  ReplyLanguage,
  Requirement,
  Role,
  ScanStatus,
  SmtpTls,
} from "./models";

/**
 * `A` when it lists every member of `T`; otherwise a type that names the missing members,
 * which `A` is not assignable to.
 */
export type Exhaustive<T, A extends readonly T[]> = [Exclude<T, A[number]>] extends [never]
  ? A
  : { missing: Exclude<T, A[number]> };

/**
 * Returns `list` unchanged, and fails to compile unless it names every value of `T`
 * (the error names the missing ones).
 */
export function exhaustive<T>() {
  return <const A extends readonly T[]>(list: A & Exhaustive<T, A>): A => list;
}

/** Whether `value` is one of `list`'s values, narrowing it (for values read from free JSON). */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (list as readonly string[]).includes(value);
}

/** Whether `value` is a key of a label map, narrowing it (for values read from free JSON). */
export function isKeyOf<K extends string>(map: Record<K, unknown>, value: unknown): value is K {
  return typeof value === "string" && Object.hasOwn(map, value);
}

/** A select's or radio group's options: `values` in order, each with its label. */
export function optionsOf<T extends string>(
  values: readonly T[],
  labels: Record<T, string>,
  descriptions?: Record<T, string>,
): { value: T; label: string; description?: string }[] {
  return values.map((value) => ({
    value,
    label: labels[value],
    description: descriptions?.[value],
  }));
}

// ----- Roles -----

export const ROLES = exhaustive<Role>()([
  "owner",
  "admin",
  "agent",
  "viewer",
] as const satisfies readonly Role[]);

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  agent: "Agent",
  viewer: "Viewer",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Full access, including billing and deleting the organisation",
  admin: "Manage settings, team and the agent",
  agent: "Work the inbox, take over conversations, manage leads",
  viewer: "Read-only access",
};

// ----- Calls-to-action -----

export const CTA_TYPES = exhaustive<CtaType>()([
  "book_call",
  "payment",
  "app_download",
  "send_docs",
  "visit_website",
  "fill_form",
  "schedule_demo",
  "join_webinar",
] as const satisfies readonly CtaType[]);

export const CTA_LABELS: Record<CtaType, string> = {
  book_call: "Book a call",
  payment: "Payment",
  app_download: "App download",
  send_docs: "Send documents",
  visit_website: "Visit website",
  fill_form: "Fill a form",
  schedule_demo: "Schedule a demo",
  join_webinar: "Join a webinar",
};

// ----- Conversations and messages -----

export const CONVERSATION_MODES = exhaustive<ConversationMode>()([
  "bot",
  "human",
  "paused",
  "closed",
] as const satisfies readonly ConversationMode[]);

export const CONVERSATION_MODE_LABELS: Record<ConversationMode, string> = {
  bot: "Bot",
  human: "Human",
  paused: "Paused",
  closed: "Closed",
};

export const CONVERSATION_STAGES = exhaustive<ConversationStage>()([
  "new",
  "initial_contact",
  "discovery",
  "qualification",
  "objection_handling",
  "cta_offered",
  "cta_in_progress",
  "negotiation",
  "closed_won",
  "closed_lost",
  "human_takeover",
  "archived",
] as const satisfies readonly ConversationStage[]);

export const CONVERSATION_STAGE_LABELS: Record<ConversationStage, string> = {
  new: "New",
  initial_contact: "Initial contact",
  discovery: "Discovery",
  qualification: "Qualification",
  objection_handling: "Objection handling",
  cta_offered: "Offer made",
  cta_in_progress: "Offer in progress",
  negotiation: "Negotiation",
  closed_won: "Won",
  closed_lost: "Lost",
  human_takeover: "Human takeover",
  archived: "Archived",
};

/** The inbox's orders. */
export const INBOX_SORTS = exhaustive<InboxSort>()([
  "recent",
  "priority",
  "waiting",
] as const satisfies readonly InboxSort[]);

export const INBOX_SORT_LABELS: Record<InboxSort, string> = {
  recent: "Newest activity",
  priority: "Most urgent",
  waiting: "Waiting longest",
};

/** A request for a person's priorities, most urgent first. */
export const ESCALATION_PRIORITIES = exhaustive<EscalationPriority>()([
  "critical",
  "high",
  "medium",
  "low",
] as const satisfies readonly EscalationPriority[]);

export const ESCALATION_PRIORITY_LABELS: Record<EscalationPriority, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
};

export const LEAD_STATUS_VALUES = exhaustive<LeadStatus>()([
  "new",
  "qualifying",
  "qualified",
  "engaged",
  "hot",
  "won",
  "lost",
  "dropped",
  "needs_human",
  "opted_out",
] as const satisfies readonly LeadStatus[]);

export const LEAD_STATUS_LABELS: Record<LeadStatus, string> = {
  new: "New",
  qualifying: "Qualifying",
  qualified: "Qualified",
  engaged: "Engaged",
  hot: "Hot",
  won: "Won",
  lost: "Lost",
  dropped: "Dropped",
  needs_human: "Needs human",
  opted_out: "Opted out",
};

export const LEAD_SOURCES = exhaustive<LeadSource>()([
  "organic_inbound",
  "click_to_chat_ad",
  "website_widget",
  "form_to_whatsapp",
  "referral_link",
  "qr_code",
  "import",
  "manual",
  "unknown",
] as const satisfies readonly LeadSource[]);

export const LEAD_SOURCE_LABELS: Record<LeadSource, string> = {
  organic_inbound: "Wrote in",
  click_to_chat_ad: "WhatsApp ad",
  website_widget: "Website widget",
  form_to_whatsapp: "Form",
  referral_link: "Referral link",
  qr_code: "QR code",
  import: "Import",
  manual: "Added by hand",
  unknown: "Unknown",
};

export const AUTHOR_LABELS: Record<Author, string> = {
  lead: "Lead",
  bot: "Bot",
  human: "Human",
  system: "System",
  note: "Private note",
};

/** A message's kind, as its placeholder names it when there is no text to show. */
export const MESSAGE_TYPE_LABELS: Record<MessageType, string> = {
  text: "Text",
  image: "Image",
  audio: "Audio",
  voice: "Voice message",
  video: "Video",
  document: "Document",
  sticker: "Sticker",
  location: "Location",
  contacts: "Contact card",
  template: "Template",
  interactive: "Interactive message",
  button_reply: "Button reply",
  list_reply: "List reply",
  reaction: "Reaction",
  system: "System message",
  unsupported: "Unsupported message",
};

export const MEDIA_STATUS_LABELS: Record<MediaStatus, string> = {
  pending: "Loading",
  stored: "Stored",
  failed: "Could not be loaded",
  refused: "Not a file WhatsApp carries",
  erased: "Erased with the lead's data",
};

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  queued: "Queued",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Failed",
};

/** Every type of WebSocket event, to tell them from types this build does not know. */
export const REALTIME_EVENT_TYPES = exhaustive<RealtimeEventType>()([
  "message:received",
  "message:sent",
  "message:status",
  "message:updated",
  "conversation:updated",
  "conversation:takeover_started",
  "conversation:takeover_ended",
  "conversation:mode_changed",
  "action:conversations_flagged",
  "action:human_attention_required",
  "followup:updated",
  "lead:created",
  "lead:updated",
  "lead:deleted",
  "leads:bulk",
  "pipeline:moved",
  "action:created",
  "action:updated",
  "calendar:created",
  "calendar:updated",
  "notification:created",
  "notification:read",
  "campaign:updated",
  "campaign:progress",
  "sequence:updated",
  "sequence:enrollment_updated",
  "resync",
  "conversation:assigned",
  "user:availability",
] as const satisfies readonly RealtimeEventType[]);

// ----- The action center -----

export const ACTION_KINDS = exhaustive<ActionKind>()([
  "human_attention",
  "booking",
  "cta_accepted",
  "send_failed",
  "agent_alert",
] as const satisfies readonly ActionKind[]);

export const ACTION_KIND_LABELS: Record<ActionKind, string> = {
  human_attention: "Needs a human",
  booking: "Booking",
  cta_accepted: "CTA accepted",
  send_failed: "Failed send",
  agent_alert: "Agent alert",
};

export const ACTION_STATUSES = exhaustive<ActionStatus>()([
  "open",
  "claimed",
  "snoozed",
  "resolved",
] as const satisfies readonly ActionStatus[]);

export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: "Open",
  claimed: "Claimed",
  snoozed: "Snoozed",
  resolved: "Resolved",
};

// ----- The calendar -----

export const EVENT_KINDS = exhaustive<EventKind>()([
  "call",
  "demo",
  "meeting",
] as const satisfies readonly EventKind[]);

export const EVENT_KIND_LABELS: Record<EventKind, string> = {
  call: "Call",
  demo: "Demo",
  meeting: "Meeting",
};

export const EVENT_STATUS_LABELS: Record<EventStatus, string> = {
  booked: "Booked",
  rescheduled: "Rescheduled",
  cancelled: "Cancelled",
  done: "Done",
};

// ----- The agent -----

export const ENGINE_MODES = exhaustive<EngineMode>()([
  "rules",
  "llm",
] as const satisfies readonly EngineMode[]);

export const ENGINE_MODE_LABELS: Record<EngineMode, string> = {
  rules: "Rules",
  llm: "LLM",
};

/** The engine's badge colour, wherever a profile's or version's engine shows. */
export const ENGINE_MODE_TONES: Record<EngineMode, "violet" | "gray"> = {
  rules: "gray",
  llm: "violet",
};

export const DECISION_ENGINE_LABELS: Record<DecisionEngine, string> = {
  llm: "LLM",
  rules: "Rules",
  fallback: "Fallback",
};

export const BUDGET_TIMINGS = exhaustive<BudgetTiming>()([
  "early",
  "mid",
  "late",
  "never",
] as const satisfies readonly BudgetTiming[]);

export const BUDGET_TIMING_LABELS: Record<BudgetTiming, string> = {
  early: "Early",
  mid: "Midway",
  late: "Late",
  never: "Never",
};

export const REPLY_LANGUAGES = exhaustive<ReplyLanguage>()([
  "en",
  "hi-en",
  "hi",
] as const satisfies readonly ReplyLanguage[]);

export const REPLY_LANGUAGE_LABELS: Record<ReplyLanguage, string> = {
  en: "English",
  "hi-en": "Hinglish",
  hi: "Hindi",
};

export const EMOJI_POLICIES = exhaustive<EmojiPolicy>()([
  "never",
  "sparingly",
  "frequent",
] as const satisfies readonly EmojiPolicy[]);

export const EMOJI_POLICY_LABELS: Record<EmojiPolicy, string> = {
  never: "Never",
  sparingly: "Sparingly",
  frequent: "Often",
};

export const FORMALITIES = exhaustive<Formality>()([
  "formal",
  "professional",
  "casual",
] as const satisfies readonly Formality[]);

export const FORMALITY_LABELS: Record<Formality, string> = {
  formal: "Formal",
  professional: "Professional",
  casual: "Casual",
};

export const PERSUASIONS = exhaustive<Persuasion>()([
  "soft",
  "moderate",
  "firm",
] as const satisfies readonly Persuasion[]);

export const PERSUASION_LABELS: Record<Persuasion, string> = {
  soft: "Soft",
  moderate: "Moderate",
  firm: "Firm",
};

export const KNOWLEDGE_KIND_LABELS: Record<KnowledgeKind, string> = {
  faq: "FAQ",
  web: "Web",
  setup: "Setup answers",
};

export const REQUIREMENTS = exhaustive<Requirement>()([
  "required",
  "optional",
  "ask_early",
  "ask_late",
  "never",
] as const satisfies readonly Requirement[]);

export const REQUIREMENT_LABELS: Record<Requirement, string> = {
  required: "Required",
  optional: "Optional",
  ask_early: "Ask early",
  ask_late: "Ask late",
  never: "Never ask",
};

/** The escalation rules the code checks; anything else in the list only the model reads. */
export const ESCALATION_TRIGGERS = exhaustive<EscalationTrigger>()([
  "payment_failure",
  "angry_sentiment",
  "human_requested",
  "complex_question_3x",
  "compliance_risk",
  "declining_sentiment",
] as const satisfies readonly EscalationTrigger[]);

export const ESCALATION_TRIGGER_LABELS: Record<EscalationTrigger, string> = {
  payment_failure: "A payment or booking fails",
  angry_sentiment: "The lead is angry",
  human_requested: "The lead asks for a person",
  complex_question_3x: "The lead is confused three times in a row",
  compliance_risk: "A legal or compliance question comes up",
  declining_sentiment: "The lead's mood keeps falling",
};

/** Why the agent handed a conversation over: one of the owner's rules, or its own reasons. */
export const HANDOVER_REASON_LABELS: Record<HandoverReason, string> = {
  ...ESCALATION_TRIGGER_LABELS,
  call_requested: "The lead asked for a call at a time",
  unanswered_question: "The agent could not answer the lead's question",
  nothing_left_to_offer: "The agent has nothing left to offer",
};

/** Rules the owner cannot switch off (closer_domain::agent::EscalationTrigger::always_on). */
export const ALWAYS_ON_TRIGGERS: readonly EscalationTrigger[] = [
  "human_requested",
  "compliance_risk",
];

export const PLACEMENT_KIND_LABELS: Record<PlacementKind, string> = {
  document: "Document",
  knowledge: "Knowledge base",
  organisation: "Organisation",
};

export const SCAN_STATUS_LABELS: Record<ScanStatus, string> = {
  queued: "Queued",
  running: "Scanning",
  done: "Done",
  failed: "Failed",
};

// ----- Settings -----

/** In the order the jobs page offers them: failures first. */
export const JOB_STATUSES = exhaustive<JobStatus>()([
  "dead",
  "pending",
  "running",
  "done",
  "cancelled",
] as const satisfies readonly JobStatus[]);

export const JOB_STATUS_LABELS: Record<JobStatus, string> = {
  dead: "Failed for good",
  pending: "Pending",
  running: "Running",
  done: "Done",
  cancelled: "Cancelled",
};

export const LLM_PROVIDERS = exhaustive<LlmProvider>()([
  "openai",
  "anthropic",
] as const satisfies readonly LlmProvider[]);

export const LLM_PROVIDER_LABELS: Record<LlmProvider, string> = {
  openai: "OpenAI-compatible",
  anthropic: "Anthropic",
};

export const NUMBER_STATUS_LABELS: Record<NumberStatus, string> = {
  connected: "Connected",
  token_invalid: "Token invalid",
  disconnected: "Not connected",
};

export const QUALITY_RATING_LABELS: Record<QualityRating, string> = {
  green: "Green",
  yellow: "Yellow",
  red: "Red",
  unknown: "Unknown",
};

// ----- Notifications -----

export const NOTIFICATION_KINDS = exhaustive<NotificationKind>()([
  "handoff",
  "booking",
  "cta_accepted",
  "mention",
  "daily_digest",
] as const satisfies readonly NotificationKind[]);

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  handoff: "Needs a human",
  booking: "Booking",
  cta_accepted: "CTA accepted",
  mention: "Mentions",
  daily_digest: "Daily digest",
};

export const NOTIFICATION_KIND_DESCRIPTIONS: Record<NotificationKind, string> = {
  handoff: "The agent handed a conversation over to the team.",
  booking: "A lead booked a call or a demo.",
  cta_accepted: "A lead accepted a call to action.",
  mention: "A teammate named you with @ in a private note.",
  daily_digest:
    "Each morning at 08:00: new leads, today's bookings, open actions and handovers waiting.",
};

export const NOTIFICATION_CHANNELS = exhaustive<NotificationChannel>()([
  "in_app",
  "email",
  "push",
] as const satisfies readonly NotificationChannel[]);

export const NOTIFICATION_CHANNEL_LABELS: Record<NotificationChannel, string> = {
  in_app: "In app",
  email: "Email",
  push: "Push",
};

export const SMTP_TLS_MODES = exhaustive<SmtpTls>()([
  "starttls",
  "tls",
  "none",
] as const satisfies readonly SmtpTls[]);

export const SMTP_TLS_LABELS: Record<SmtpTls, string> = {
  starttls: "STARTTLS (usually port 587)",
  tls: "TLS (usually port 465)",
  none: "None (a local relay only)",
};

// ----- Agent tests -----

export const EXPECTATION_KINDS = exhaustive<ExpectationKind>()([
  "reply_contains",
  "reply_not_contains",
  "slot",
  "cta_offered",
  "handoff",
  "silent",
  "reason_code",
] as const satisfies readonly ExpectationKind[]);

export const EXPECTATION_KIND_LABELS: Record<ExpectationKind, string> = {
  reply_contains: "Reply contains",
  reply_not_contains: "Reply does not contain",
  slot: "Remembers a detail",
  cta_offered: "Offers a call-to-action",
  handoff: "Hands over to a person",
  silent: "Stays silent",
  reason_code: "Reason code is",
};

export const AGENT_TEST_RUN_STATUS_LABELS: Record<AgentTestRunStatus, string> = {
  running: "Running",
  done: "Done",
  failed: "Could not finish",
};

export const REASON_CODES = exhaustive<ReasonCode>()([
  "initial_greeting",
  "qualification_question",
  "discovery",
  "value_proposition",
  "objection_handling",
  "cta_push",
  "pricing_discussion",
  "soft_nudge",
  "value_add",
  "social_proof",
  "clarification_request",
  "confirmation",
  "stay_silent",
  "schedule_followup",
  "exit_graceful",
  "needs_human",
] as const satisfies readonly ReasonCode[]);
// ----- Automations -----

export const AUTOMATION_EVENTS = exhaustive<AutomationEvent>()([
  "message_received",
  "conversation_created",
  "lead_created",
  "lead_updated",
  "tag_added",
  "stage_changed",
  "cta_accepted",
  "handoff",
  "campaign_replied",
  "no_reply_for",
] as const satisfies readonly AutomationEvent[]);

export const AUTOMATION_EVENT_LABELS: Record<AutomationEvent, string> = {
  message_received: "A message is received",
  conversation_created: "A conversation starts",
  lead_created: "A lead is created",
  lead_updated: "A lead is updated",
  tag_added: "A tag is added",
  stage_changed: "The stage changes",
  cta_accepted: "A CTA is accepted",
  handoff: "The agent hands over",
  campaign_replied: "A broadcast is replied to",
  no_reply_for: "No reply for a while",
};

export const AUTOMATION_ACTION_TYPES = exhaustive<AutomationActionType>()([
  "send_text",
  "send_template",
  "add_tag",
  "remove_tag",
  "set_stage",
  "set_field",
  "assign",
  "add_note",
  "pause_bot",
  "start_sequence",
  "stop_sequence",
  "webhook",
] as const satisfies readonly AutomationActionType[]);

export const AUTOMATION_ACTION_LABELS: Record<AutomationActionType, string> = {
  send_text: "Send a text",
  send_template: "Send a template",
  add_tag: "Add a tag",
  remove_tag: "Remove a tag",
  set_stage: "Move to a stage",
  set_field: "Set a field",
  assign: "Assign",
  add_note: "Add a note",
  pause_bot: "Pause the bot",
  start_sequence: "Start a sequence",
  stop_sequence: "Stop the sequence",
  webhook: "Call a webhook",
};

export const CANCEL_ON_VALUES = exhaustive<CancelOn>()([
  "moved_on",
  "never",
] as const satisfies readonly CancelOn[]);

export const CANCEL_ON_LABELS: Record<CancelOn, string> = {
  moved_on: "Cancel if the conversation moved on",
  never: "Always run",
};

export const RUN_STATUSES = exhaustive<RunStatus>()([
  "scheduled",
  "executed",
  "no_match",
  "skipped",
  "cancelled",
  "failed",
] as const satisfies readonly RunStatus[]);

export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  scheduled: "Scheduled",
  executed: "Executed",
  no_match: "No match",
  skipped: "Skipped",
  cancelled: "Cancelled",
  failed: "Failed",
};

export const RUN_REASON_LABELS: Record<RunReason, string> = {
  caused_by_rule: "caused by a rule (loop guard)",
  rate_capped: "the conversation reached its hourly cap",
  moved_on: "the conversation moved on",
  no_conversation: "the lead has no conversation",
  rule_disabled: "the rule was disabled or deleted",
};

export const ACTION_OUTCOME_LABELS: Record<ActionOutcome, string> = {
  done: "Done",
  skipped: "Skipped",
  failed: "Failed",
};

export const GLUES = exhaustive<Glue>()(["and", "or"] as const satisfies readonly Glue[]);

export const GLUE_LABELS: Record<Glue, string> = { and: "and", or: "or" };

export const OPERATORS = exhaustive<Operator>()([
  "equal_to",
  "not_equal_to",
  "contains",
  "does_not_contain",
  "starts_with",
  "in",
  "not_in",
  "greater_than",
  "less_than",
  "between",
  "within_last_days",
  "all_of",
  "is_present",
  "is_not_present",
] as const satisfies readonly Operator[]);

export const OPERATOR_LABELS: Record<Operator, string> = {
  equal_to: "is",
  not_equal_to: "is not",
  contains: "contains",
  does_not_contain: "does not contain",
  starts_with: "starts with",
  in: "is any of",
  not_in: "is none of",
  greater_than: "is greater than",
  less_than: "is less than",
  between: "is between",
  within_last_days: "is within the last days",
  all_of: "has all of",
  is_present: "is present",
  is_not_present: "is empty",
};
