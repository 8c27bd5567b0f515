import { ExternalLink } from "lucide-react";
import type { ReactNode } from "react";
import { Link } from "react-router";
import type { ConversationDetail } from "../../api/models";
import { Badge } from "../../components/ui/Badge";
import { cn } from "../../lib/cn";
import { formatDateTime, humanize, initials } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { ScheduledFollowup } from "../followups";
import { formatMoney, type ConversationCost } from "../pricing";
import { AgentMemory, HandoffBrief, LatestDecisions } from "./AgentPanel";
import { contactName } from "./ConversationList";
import { formatPhone, windowStatus } from "./format";
import { ModeBadge } from "./ModeBadge";

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-start justify-between gap-3 py-1.5">
      <dt className="shrink-0 text-xs font-medium text-gray-500">{label}</dt>
      <dd className="min-w-0 text-right text-sm break-words text-gray-900">{children}</dd>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="border-t border-gray-200 px-4 py-3">
      <h3 className="mb-1 text-xs font-semibold tracking-wide text-gray-500 uppercase">{title}</h3>
      {children}
    </section>
  );
}

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | null {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
}

function text(value: unknown): string | null {
  if (typeof value === "string" && value.trim()) return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

const CAMPAIGN_FIELDS: Array<[string, string]> = [
  ["headline", "Ad headline"],
  ["body", "Ad text"],
  ["source_type", "Source type"],
  ["source_id", "Source ID"],
  ["media_type", "Media"],
  ["ctwa_clid", "Click ID"],
];

/** The broadcast the conversation came from or answered, linked to its stats. */
function Broadcast({ broadcast }: { broadcast: ConversationDetail["broadcast"] }) {
  if (!broadcast) return null;
  return (
    <dl data-testid="broadcast">
      <Item label="Broadcast">
        <Link
          to={`/broadcasts/${broadcast.campaign_id}`}
          className="text-brand-700 hover:underline"
        >
          {broadcast.name}
        </Link>
      </Item>
      <Item label="Sent">{formatDateTime(broadcast.sent_at)}</Item>
      <Item label="Replied">
        {broadcast.replied_at ? formatDateTime(broadcast.replied_at) : "Not yet"}
      </Item>
    </dl>
  );
}

function Campaign({ campaign }: { campaign: unknown }) {
  const c = asObject(campaign);
  if (!c) return <p className="text-sm text-gray-500">No ad or campaign attribution.</p>;
  const url = text(c.source_url);
  const known = new Set(["source_url", ...CAMPAIGN_FIELDS.map(([k]) => k)]);
  const extra = Object.entries(c).filter(([k, v]) => !known.has(k) && text(v));
  return (
    <dl data-testid="campaign">
      {CAMPAIGN_FIELDS.map(([key, label]) =>
        text(c[key]) ? (
          <Item key={key} label={label}>
            {text(c[key])}
          </Item>
        ) : null,
      )}
      {extra.map(([key, value]) => (
        <Item key={key} label={humanize(key)}>
          {text(value)}
        </Item>
      ))}
      {url && (
        <Item label="Ad link">
          <a
            href={url}
            target="_blank"
            rel="noreferrer noopener"
            className="inline-flex items-center gap-1 text-brand-700 hover:underline"
          >
            Open <ExternalLink className="size-3" aria-hidden="true" />
          </a>
        </Item>
      )}
    </dl>
  );
}

/** What the conversation cost: Meta's messages by the rate card, and the model's tokens. */
function CostSummary({ cost }: { cost: ConversationCost }) {
  return (
    <dl data-testid="conversation-cost">
      <Item label="WhatsApp (Meta)">{formatMoney(cost.meta, cost.currency)}</Item>
      <Item label="AI model">{formatMoney(cost.model, "USD")}</Item>
      {cost.total !== null && cost.total !== undefined && (
        <Item label="Total">
          <span className="font-medium text-gray-900">{formatMoney(cost.total, "USD")}</span>
        </Item>
      )}
      {cost.unpriced_messages > 0 && (
        <p className="mt-1 text-xs text-amber-700">
          {cost.unpriced_messages} billed message{cost.unpriced_messages === 1 ? " has" : "s have"}{" "}
          no price on your rate card.
        </p>
      )}
    </dl>
  );
}

/** The right pane: who the lead is, where they came from, and the conversation's state. */
export function ContactPanel({
  conversation: c,
  className,
}: {
  conversation: ConversationDetail;
  className?: string;
}) {
  const now = useNow();
  const serviceWindow = windowStatus(c.window_open_until, now);
  const name = contactName(c);
  return (
    <div className={cn("text-sm", className)} data-testid="contact-panel">
      <div className="flex items-center gap-3 px-4 py-4">
        <span
          aria-hidden="true"
          className="flex size-11 shrink-0 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-800"
        >
          {initials(name)}
        </span>
        <div className="min-w-0">
          <p className="truncate font-semibold text-gray-900">{name}</p>
          {c.contact.phone && (
            <p className="truncate text-gray-500">{formatPhone(c.contact.phone)}</p>
          )}
        </div>
      </div>
      <HandoffBrief handoff={c.handoff} />
      <Section title="Status">
        <dl>
          <Item label="Channel">
            {c.channel === "sandbox" ? (
              <Badge tone="amber">Sandbox</Badge>
            ) : c.channel === "whatsapp" ? (
              "WhatsApp"
            ) : (
              humanize(c.channel)
            )}
          </Item>
          <Item label="Mode">
            <ModeBadge mode={c.mode} />
          </Item>
          <Item label="Stage">{humanize(c.stage)}</Item>
          <Item label="Lead status">{humanize(c.lead_status)}</Item>
          {c.priority && <Item label="Priority">{humanize(c.priority)}</Item>}
          {c.needs_human && (
            <Item label="Attention">
              <Badge tone="red">Needs human</Badge>
            </Item>
          )}
          <Item label="Service window">
            <span
              data-testid="window-status"
              className={serviceWindow.open ? "text-brand-700" : "text-gray-500"}
            >
              {serviceWindow.label}
            </span>
          </Item>
        </dl>
      </Section>
      <Section title="Agent memory">
        <AgentMemory state={c.state} />
      </Section>
      <Section title="Follow-up">
        <ScheduledFollowup conversationId={c.id} />
      </Section>
      <Section title="Latest decisions">
        <LatestDecisions conversationId={c.id} />
      </Section>
      <Section title="Source">
        <dl>
          <Item label="Lead source">{humanize(c.lead_source)}</Item>
        </dl>
        <Campaign campaign={c.campaign} />
        <Broadcast broadcast={c.broadcast} />
      </Section>
      <Section title="Cost">
        <CostSummary cost={c.cost} />
      </Section>
    </div>
  );
}
