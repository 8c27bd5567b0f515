import type { CampaignStatus, PreflightIssue, RecipientReason, RecipientStatus } from "./api";

type Tone = "gray" | "green" | "amber" | "red" | "blue" | "violet";

export const STATUS_TONE: Record<CampaignStatus, Tone> = {
  draft: "gray",
  scheduled: "blue",
  running: "green",
  paused: "amber",
  completed: "violet",
  cancelled: "red",
};

export const RECIPIENT_TONE: Record<RecipientStatus, Tone> = {
  pending: "gray",
  sending: "blue",
  sent: "blue",
  delivered: "green",
  read: "green",
  replied: "violet",
  retrying: "amber",
  failed: "red",
  skipped: "gray",
};

export const REASON_LABEL: Record<RecipientReason, string> = {
  opted_out: "Opted out",
  marketing_opted_out: "Stopped promotions",
  us_marketing_block: "US number (no marketing)",
  no_phone: "No phone",
  duplicate_phone: "Duplicate phone",
  marketing_capped: "Marketing cap reached",
  missing_variable: "Missing variable",
  send_interrupted: "Send interrupted",
  cancelled: "Campaign cancelled",
  provider_error: "Meta refused",
  marketing_cap_exhausted: "Marketing cap retries ran out",
  too_many_attempts: "Too many attempts",
  lead_gone: "Lead deleted",
  human_owns_conversation: "A person owns the conversation",
  send_policy: "Send policy",
};

export const ISSUE_LABEL: Record<PreflightIssue, string> = {
  template_not_approved: "The template is not approved by Meta.",
  whatsapp_not_connected: "WhatsApp is not connected.",
  empty_audience: "Nobody in the audience can receive it.",
  over_messaging_limit: "More recipients than today's messaging limit has room for.",
  template_quality_low: "The template's quality is low: Meta may pause it.",
  some_excluded: "Part of the audience is excluded (see below).",
};

/** The order statuses read in, start to end. */
export const RECIPIENT_ORDER: RecipientStatus[] = [
  "pending",
  "sending",
  "retrying",
  "sent",
  "delivered",
  "read",
  "replied",
  "failed",
  "skipped",
];
