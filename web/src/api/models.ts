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
