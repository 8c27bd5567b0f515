// Named aliases for the generated OpenAPI types. Derived from `paths` (not hand-written), so
// the only thing this file knows is which endpoint returns what.
import type { paths } from "./types";

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

export type AuthResponse = Ok<paths["/api/v1/auth/login"]["post"]>;
export type Me = Ok<paths["/api/v1/auth/me"]["get"]>;
export type SessionUser = Me["user"];
export type Role = SessionUser["role"];
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
export type AuditPage = Ok<paths["/api/v1/audit-logs"]["get"]>;
export type AuditEntry = AuditPage["items"][number];

export const ROLES = ["owner", "admin", "agent", "viewer"] as const satisfies readonly Role[];

export type WhatsappStatus = Ok<paths["/api/v1/settings/whatsapp/status"]["get"]>;
export type WhatsappConnectBody = Body<paths["/api/v1/settings/whatsapp/connect"]["post"]>;
export type WhatsappConfigBody = Body<paths["/api/v1/settings/whatsapp/config"]["put"]>;

export type ConversationPage = Ok<paths["/api/v1/conversations"]["get"]>;
export type Conversation = ConversationPage["items"][number];
export type ConversationDetail = Ok<paths["/api/v1/conversations/{id}"]["get"]>;
export type MessagePage = Ok<paths["/api/v1/conversations/{id}/messages"]["get"]>;
export type Message = MessagePage["items"][number];
export type SendMessageBody = Body<paths["/api/v1/messages/send"]["post"]>;
export type SendMessageResult = Ok<paths["/api/v1/messages/send"]["post"]>;
export type SandboxInboundBody = Body<paths["/api/v1/sandbox/inbound"]["post"]>;
export type SandboxAccepted = Ok<paths["/api/v1/sandbox/inbound"]["post"]>;

export type JobPage = Ok<paths["/api/v1/jobs"]["get"]>;
export type Job = JobPage["items"][number];

export type AgentProfile = Ok<paths["/api/v1/agent/profile"]["get"]>;
/** The engine that writes the agent's replies (the API types it as a string). */
export type AgentMode = "rules" | "llm";
export type UpdateAgentProfileBody = Body<paths["/api/v1/agent/profile"]["put"]>;
export type ProfileVersionPage = Ok<paths["/api/v1/agent/profile/versions"]["get"]>;
export type ProfileVersion = ProfileVersionPage["items"][number];
export type CtaList = Ok<paths["/api/v1/ctas"]["get"]>;
export type Cta = CtaList["items"][number];
export type CtaBody = Body<paths["/api/v1/ctas"]["post"]>;
export type KnowledgePage = Ok<paths["/api/v1/knowledge"]["get"]>;
export type KnowledgeEntry = KnowledgePage["items"][number];
export type KnowledgeCreated = Ok<paths["/api/v1/knowledge"]["post"]>;
export type DecisionPage = Ok<paths["/api/v1/conversations/{id}/decisions"]["get"]>;
export type Decision = DecisionPage["items"][number];
/** One entry of a decision's `guardrails` (the API types the list as free-form JSON). */
export interface GuardrailResult {
  rule: string;
  action: "passed" | "repaired" | "blocked" | string;
  detail?: string | null;
}
