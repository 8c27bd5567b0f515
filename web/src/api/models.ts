// Named aliases for the generated OpenAPI types. Derived from `paths` and the schemas (never
// hand-written), so the only thing this file knows is which endpoint returns what and what the
// server calls each schema. Runtime lists and labels of the enums live in ./enums.
import type { components, paths } from "./types";

type Schemas = components["schemas"];

type JsonOf<T> = T extends { content: { "application/json": infer B } } ? B : never;
type Ok<Op> = Op extends { responses: infer R }
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer B }
      ? JsonOf<B>
      : R extends { 202: infer C }
        ? JsonOf<C>
        : never
  : never;
type Body<Op> = Op extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;
type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

// The API's enums, each one named schema.
export type ActionKind = Schemas["ActionKind"];
export type EventKind = Schemas["EventKind"];
export type EventStatus = Schemas["EventStatus"];
export type ActionStatus = Schemas["ActionStatus"];
export type Author = Schemas["Author"];
export type BudgetTiming = Schemas["BudgetTiming"];
export type Channel = Schemas["Channel"];
export type ConversationMode = Schemas["ConversationMode"];
export type ConversationStage = Schemas["ConversationStage"];
export type CtaType = Schemas["CtaType"];
export type DecisionEngine = Schemas["DecisionEngine"];
export type DeliveryStatus = Schemas["DeliveryStatus"];
export type Direction = Schemas["Direction"];
export type EmojiPolicy = Schemas["EmojiPolicy"];
export type EngineMode = Schemas["EngineMode"];
export type EscalationPriority = Schemas["EscalationPriority"];
export type Formality = Schemas["Formality"];
export type GuardAction = Schemas["GuardAction"];
export type InboxSort = Schemas["InboxSort"];
export type JobKind = Schemas["JobKind"];
export type JobStatus = Schemas["JobStatus"];
export type KnowledgeKind = Schemas["KnowledgeKind"];
export type EscalationTrigger = Schemas["EscalationTrigger"];
export type HandoverReason = Schemas["HandoverReason"];
export type Requirement = Schemas["Requirement"];
export type PlacementKind = Schemas["PlacementKind"];
export type Placement = Schemas["PlacementView"];
/** A channel of a member's choice: the keys of `ChannelChoice`. */
export type NotificationChannel = keyof Schemas["ChannelChoice"];
export type NotificationKind = Schemas["NotificationKind"];
export type SmtpTls = Schemas["SmtpTls"];
export type LeadSource = Schemas["LeadSource"];
export type LeadStatus = Schemas["LeadStatus"];
export type LlmProvider = Schemas["LlmProvider"];
export type MediaStatus = Schemas["MediaStatus"];
export type MessageType = Schemas["MessageType"];
export type NumberStatus = Schemas["NumberStatus"];
export type Persuasion = Schemas["Persuasion"];
export type QualityRating = Schemas["QualityRating"];
export type ReasonCode = Schemas["ReasonCode"];
export type ExpectationKind = Schemas["ExpectationKind"];
export type AgentTestRunStatus = Schemas["AgentTestRunStatus"];
export type ReplyLanguage = Schemas["ReplyLanguage"];
export type Role = Schemas["Role"];
export type ScanStatus = Schemas["ScanStatus"];
export type Trigger = Schemas["Trigger"];
export type AutomationEvent = Schemas["AutomationEvent"];
export type AutomationActionType = Schemas["AutomationActionType"];
export type CancelOn = Schemas["CancelOn"];
export type RunStatus = Schemas["RunStatus"];
export type RunReason = Schemas["RunReason"];
export type ActionOutcome = Schemas["ActionOutcome"];
export type Glue = Schemas["Glue"];
export type Operator = Schemas["Operator"];

/** One WebSocket message, `{"type": "...", "data": {...}}`. */
export type RealtimeEvent = Schemas["RealtimeEvent"];
export type RealtimeEventType = RealtimeEvent["type"];

export type AuthResponse = Ok<paths["/api/v1/auth/login"]["post"]>;
export type LoginBody = Body<paths["/api/v1/auth/login"]["post"]>;
export type Me = Ok<paths["/api/v1/auth/me"]["get"]>;
export type SessionUser = Me["user"];
export type SignupBody = Body<paths["/api/v1/auth/signup"]["post"]>;
export type Org = Ok<paths["/api/v1/org"]["get"]>;
export type UpdateOrgBody = Body<paths["/api/v1/org"]["put"]>;
export type UserPage = Ok<paths["/api/v1/users"]["get"]>;
export type User = UserPage["items"][number];
export type UpdateUserBody = Body<paths["/api/v1/users/{id}"]["patch"]>;
export type InvitePage = Ok<paths["/api/v1/invites"]["get"]>;
export type Invite = InvitePage["items"][number];
export type CreateInviteBody = Body<paths["/api/v1/invites"]["post"]>;
export type CreatedInvite = Ok<paths["/api/v1/invites"]["post"]>;
export type InviteLookup = Ok<paths["/api/v1/invites/{token}"]["get"]>;
export type TwoFactorStatus = Me["two_factor"];
export type SessionPage = Ok<paths["/api/v1/auth/sessions"]["get"]>;
export type AccountSession = SessionPage["items"][number];
export type TwoFactorSetup = Ok<paths["/api/v1/auth/2fa/setup"]["post"]>;
export type RecoveryCodes = Ok<paths["/api/v1/auth/2fa/enable"]["post"]>;
export type SecuritySettings = Ok<paths["/api/v1/settings/security"]["get"]>;
export type AuditPage = Ok<paths["/api/v1/audit-logs"]["get"]>;
export type AuditEntry = AuditPage["items"][number];

export type WhatsappStatus = Ok<paths["/api/v1/settings/whatsapp/status"]["get"]>;
export type WhatsappConnectBody = Body<paths["/api/v1/settings/whatsapp/connect"]["post"]>;
export type WhatsappConfigBody = Body<paths["/api/v1/settings/whatsapp/config"]["put"]>;

export type ConversationPage = Ok<paths["/api/v1/conversations"]["get"]>;
export type Conversation = ConversationPage["items"][number];
/** The inbox's filters: the list's query without its paging. */
export type ConversationFilters = Omit<
  Query<paths["/api/v1/conversations"]["get"]>,
  "limit" | "cursor"
>;
export type ConversationDetail = Ok<paths["/api/v1/conversations/{id}"]["get"]>;
export type MessagePage = Ok<paths["/api/v1/conversations/{id}/messages"]["get"]>;
export type Message = MessagePage["items"][number];
export type SendMessageBody = Body<paths["/api/v1/messages/send"]["post"]>;
export type SendMessageResult = Ok<paths["/api/v1/messages/send"]["post"]>;
/** A file in the inbox: an upload's answer, and the fields of a media message's `media`. */
export type MediaView = Schemas["MediaView"];
export type TranscriptionSettings = Ok<paths["/api/v1/settings/transcription"]["get"]>;
export type TranscriptionSettingsBody = Body<paths["/api/v1/settings/transcription"]["put"]>;
export type SandboxInboundBody = Body<paths["/api/v1/sandbox/inbound"]["post"]>;
export type SandboxAccepted = Ok<paths["/api/v1/sandbox/inbound"]["post"]>;

export type ActionPage = Ok<paths["/api/v1/actions"]["get"]>;
export type ActionItem = ActionPage["items"][number];
export type ActionCounts = Ok<paths["/api/v1/actions/counts"]["get"]>;
export type ActionFilters = Omit<Query<paths["/api/v1/actions"]["get"]>, "limit" | "cursor">;
export type CalendarList = Ok<paths["/api/v1/calendar"]["get"]>;
export type CalendarEvent = CalendarList["items"][number];
export type CalendarChange = Ok<paths["/api/v1/calendar/{id}"]["patch"]>;
export type CalendarChangeBody = Body<paths["/api/v1/calendar/{id}"]["patch"]>;
export type FeedToken = Ok<paths["/api/v1/calendar/feed-token"]["post"]>;
export type CannedReplyList = Ok<paths["/api/v1/canned-replies"]["get"]>;
export type CannedReply = CannedReplyList["items"][number];
export type CannedReplyBody = Body<paths["/api/v1/canned-replies"]["post"]>;

export type JobPage = Ok<paths["/api/v1/jobs"]["get"]>;
export type Job = JobPage["items"][number];

export type AgentProfile = Ok<paths["/api/v1/agent/profile"]["get"]>;
export type UpdateAgentProfileBody = Body<paths["/api/v1/agent/profile"]["put"]>;
export type ProfileVersionPage = Ok<paths["/api/v1/agent/profile/versions"]["get"]>;
export type ProfileVersion = ProfileVersionPage["items"][number];
export type CtaList = Ok<paths["/api/v1/ctas"]["get"]>;
export type Cta = CtaList["items"][number];
export type CtaBody = Body<paths["/api/v1/ctas"]["post"]>;
export type KnowledgePage = Ok<paths["/api/v1/knowledge"]["get"]>;
export type KnowledgeEntry = KnowledgePage["items"][number];
export type KnowledgeQuery = Query<paths["/api/v1/knowledge"]["get"]>;
export type KnowledgeCreated = Ok<paths["/api/v1/knowledge"]["post"]>;
export type KnowledgeUpload = Schemas["KnowledgeUpload"];
export type KnowledgeScan = Ok<paths["/api/v1/knowledge/scans/{id}"]["get"]>;
export type DecisionPage = Ok<paths["/api/v1/conversations/{id}/decisions"]["get"]>;
export type Decision = DecisionPage["items"][number];
/** One guardrail's verdict on a decision's draft reply. */
export type Guardrail = Decision["guardrails"][number];

export type OnboardingView = Ok<paths["/api/v1/onboarding"]["get"]>;
export type OnboardingAnswers = OnboardingView["answers"];
export type OnboardingUpdateBody = Body<paths["/api/v1/onboarding"]["put"]>;
export type OnboardingCta = Schemas["OnboardingCta"];
export type GeneratedProfile = Ok<paths["/api/v1/onboarding/generate"]["post"]>;

export type LlmSettings = Ok<paths["/api/v1/settings/llm"]["get"]>;
export type LlmSettingsBody = Body<paths["/api/v1/settings/llm"]["put"]>;
export type ConnectionTest = Ok<paths["/api/v1/settings/llm/test"]["post"]>;

export type NotificationList = Ok<paths["/api/v1/notifications"]["get"]>;
export type NotificationItem = NotificationList["items"][number];
export type ReadNotificationsBody = Body<paths["/api/v1/notifications/read"]["post"]>;
export type NotificationPreferences = Ok<paths["/api/v1/notifications/preferences"]["get"]>;
export type ChannelChoice = Schemas["ChannelChoice"];
export type PushSubscriptionBody = Body<paths["/api/v1/push/subscriptions"]["post"]>;
export type EmailSettings = Ok<paths["/api/v1/settings/email"]["get"]>;
export type EmailSettingsBody = Body<paths["/api/v1/settings/email"]["put"]>;
export type EmailTest = Ok<paths["/api/v1/settings/email/test"]["post"]>;
export type PasswordResetBody = Body<paths["/api/v1/auth/password-reset"]["post"]>;
export type PasswordResetConfirmBody = Body<paths["/api/v1/auth/password-reset/confirm"]["post"]>;

// ----- Agent tests -----
export type Expectation = Schemas["Expectation"];
export type AgentTest = Schemas["AgentTestView"];
export type AgentTestBody = Body<paths["/api/v1/agent/tests"]["post"]>;
export type AgentTestStarter = Schemas["AgentTestStarterView"];
export type AgentTestRun = Schemas["AgentTestRunView"];
export type AgentTestRunBody = Body<paths["/api/v1/agent/tests/run"]["post"]>;
export type AutomationList = Ok<paths["/api/v1/automations"]["get"]>;
export type Automation = AutomationList["items"][number];
export type AutomationBody = Schemas["AutomationRequest"];
export type RuleCondition = Schemas["RuleCondition"];
export type RuleAction = Schemas["RuleAction"];
export type RunPage = Ok<paths["/api/v1/automations/runs"]["get"]>;
export type AutomationRun = RunPage["items"][number];
export type DryRunBody = Body<paths["/api/v1/automations/{id}/dry-run"]["post"]>;
export type DryRunResult = Ok<paths["/api/v1/automations/{id}/dry-run"]["post"]>;
