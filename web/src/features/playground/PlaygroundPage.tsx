import {
  ArrowUpRight,
  Bot,
  FlaskConical,
  MessageCircle,
  RefreshCw,
  SendHorizontal,
  Users,
} from "lucide-react";
import { useState, type FormEvent, type ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { errorMessage, fieldErrors } from "../../api/errors";
import { useSession } from "../auth";
import { ListSection } from "../../components/ListSection";
import { Page } from "../../components/Page";
import { Button, buttonClasses } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { initials } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { RealtimeIndicator } from "../../realtime/RealtimeIndicator";
import {
  contactName,
  DecisionCard,
  formatPhone,
  LeadBubble,
  ModeBadge,
  previewText,
  relativeTime,
  Transcript,
  useConversation,
  useConversationList,
  useDecisions,
  windowStatus,
} from "../inbox";
import { useSendAsLead } from "./api";
import {
  normalizePhone,
  phoneDigits,
  phoneProblem,
  randomName,
  randomPhone,
  withPlus,
} from "./identity";

function Phone({
  conversationId,
  businessName,
  onSend,
  sending,
  error,
}: {
  conversationId: string | null;
  businessName: string;
  /** `replyId` is the id of the reply button the lead tapped. */
  onSend: (text: string, replyId?: string) => Promise<boolean>;
  sending: boolean;
  error: string | null;
}) {
  const [text, setText] = useState("");
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = text.trim();
    if (!body || sending) return;
    if (await onSend(body)) setText("");
  };
  const empty = (
    <div className="flex h-full flex-col items-center justify-center px-8 text-center">
      <div className="rounded-lg bg-[#fff5c4] px-3 py-2 text-xs text-gray-700 shadow-xs">
        Write as the lead. Your message goes through the same pipeline as a real WhatsApp message,
        and the replies arrive here.
      </div>
    </div>
  );
  return (
    <div
      className="mx-auto w-full max-w-[380px] rounded-[2.75rem] bg-gray-900 p-3 shadow-xl ring-1 ring-gray-950"
      data-testid="simulator-phone"
    >
      <div className="flex h-[600px] flex-col overflow-hidden rounded-[2.1rem] bg-[#efeae2]">
        <div className="flex items-center gap-3 bg-[#008069] px-4 pt-5 pb-3 text-white">
          <span
            aria-hidden="true"
            className="flex size-9 shrink-0 items-center justify-center rounded-full bg-white/20 text-xs font-semibold"
          >
            {initials(businessName)}
          </span>
          <div className="min-w-0">
            <p className="truncate text-sm font-semibold">{businessName}</p>
            <p className="text-xs text-white/80">Business account</p>
          </div>
        </div>
        {conversationId ? (
          <Transcript
            conversationId={conversationId}
            label="Phone messages"
            renderMessage={(m) => (
              <LeadBubble
                message={m}
                onTap={(b) => {
                  if (!sending) void onSend(b.title, b.id);
                }}
              />
            )}
            empty={empty}
          />
        ) : (
          <div className="min-h-0 flex-1" role="log" aria-label="Phone messages">
            {empty}
          </div>
        )}
        {error && (
          <p role="alert" className="bg-red-50 px-3 py-1.5 text-xs text-red-700">
            {error}
          </p>
        )}
        <form onSubmit={submit} className="flex items-center gap-2 px-2 pt-1 pb-3">
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-label="Message as the lead"
            placeholder="Message"
            className="h-10 min-w-0 flex-1 rounded-full border-0 bg-white px-4 text-sm text-gray-900 shadow-xs placeholder:text-gray-400 focus:ring-2 focus:ring-[#008069]/40 focus:outline-none"
          />
          <button
            type="submit"
            aria-label="Send as the lead"
            disabled={!text.trim() || sending}
            className="flex size-10 shrink-0 items-center justify-center rounded-full bg-[#008069] text-white shadow-xs hover:bg-[#006d59] disabled:opacity-60"
          >
            <SendHorizontal className="size-4" aria-hidden="true" />
          </button>
        </form>
      </div>
    </div>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-center justify-between gap-3 py-1.5 text-sm">
      <dt className="text-gray-500">{label}</dt>
      <dd className="min-w-0 text-right text-gray-900">{children}</dd>
    </div>
  );
}

function BusinessSide({ conversationId }: { conversationId: string | null }) {
  const detail = useConversation(conversationId ?? undefined);
  const now = useNow();
  let body: ReactNode;
  if (!conversationId)
    body = (
      <EmptyState
        icon={MessageCircle}
        title="No conversation yet"
        description="Send a message as the lead. The conversation opens here and in your inbox."
      />
    );
  else if (detail.isPending) body = <LoadingState label="Loading conversation…" />;
  else if (detail.isError)
    body = <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  else {
    const c = detail.data;
    body = (
      <div className="px-5 py-4">
        <dl className="divide-y divide-gray-100" data-testid="business-conversation">
          <Detail label="Lead">{contactName(c)}</Detail>
          <Detail label="Mode">
            <ModeBadge mode={c.mode} />
          </Detail>
          <Detail label="Service window">{windowStatus(c.window_open_until, now).label}</Detail>
        </dl>
        <p className="mt-3 text-xs text-gray-500">
          Take over and reply from the inbox: your replies arrive on the phone.
        </p>
      </div>
    );
  }
  return (
    <Card>
      <CardHeader
        title="Business side"
        description="What your team sees of this conversation."
        actions={
          conversationId ? (
            <Link
              to={`/inbox/${conversationId}`}
              className={buttonClasses("secondary", "sm")}
              data-testid="open-in-inbox"
            >
              Open in inbox
              <ArrowUpRight className="size-3.5" aria-hidden="true" />
            </Link>
          ) : null
        }
      />
      {body}
    </Card>
  );
}

/** The agent's decisions in the playing conversation, newest first, each with its reply. */
function AgentDecisions({ conversationId }: { conversationId: string | null }) {
  const decisions = useDecisions(conversationId ?? undefined, { limit: 20 });
  return (
    <section aria-label="Agent decisions">
      <ListSection
        list={decisions}
        items={decisions.data?.items ?? []}
        title="Agent decisions"
        description="Why the agent said what it said, newest first."
        unavailable={
          conversationId ? undefined : (
            <EmptyState
              icon={Bot}
              title="No decisions yet"
              description="Each time the agent thinks about the lead's messages, its decision appears here: the reason code, the engine, the call-to-action, the guardrails, tokens and cost."
            />
          )
        }
        loading="Loading decisions…"
        empty={
          <EmptyState
            icon={Bot}
            title="No decisions yet"
            description="The agent decides a moment after the lead writes, unless a human has taken over. Its reply arrives on the phone."
          />
        }
      >
        {(items) => (
          <ol className="space-y-3 p-4" aria-label="Agent decisions">
            {items.map((d) => (
              <li key={d.id}>
                <DecisionCard decision={d} />
              </li>
            ))}
          </ol>
        )}
      </ListSection>
    </section>
  );
}

function SandboxLeads({
  currentId,
  onOpen,
}: {
  currentId: string | null;
  onOpen: (c: { id: string; phone: string; name: string }) => void;
}) {
  const list = useConversationList({ channel: "sandbox" }, { limit: 20 });
  const now = useNow();
  return (
    <ListSection
      list={list}
      // The latest leads only: older ones are in the inbox.
      loadMore={false}
      title="Sandbox leads"
      description="Leads you have played, newest first."
      loading="Loading sandbox leads…"
      empty={
        <EmptyState
          icon={Users}
          title="No sandbox leads yet"
          description="Every lead you play appears here, so you can pick the conversation up again."
        />
      }
    >
      {(items) => (
        <ul className="divide-y divide-gray-100" aria-label="Sandbox leads">
          {items.map((c) => (
            <li key={c.id} className="flex items-center gap-3 px-5 py-2.5">
              <div className="min-w-0 flex-1">
                <p className="flex items-baseline gap-2 text-sm">
                  <span className="truncate font-medium text-gray-900">{contactName(c)}</span>
                  <span className="shrink-0 text-xs text-gray-400">
                    {relativeTime(c.last_message?.at ?? c.updated_at, now)}
                  </span>
                </p>
                <p className="truncate text-xs text-gray-500">
                  {formatPhone(c.contact.phone)} · {previewText(c.last_message)}
                </p>
              </div>
              {c.id === currentId ? (
                <span className="text-xs font-medium text-brand-700">On the phone</span>
              ) : (
                <Button
                  variant="secondary"
                  size="sm"
                  aria-label={`Continue as ${contactName(c)}`}
                  onClick={() =>
                    onOpen({ id: c.id, phone: c.contact.phone ?? "", name: c.contact.name ?? "" })
                  }
                >
                  Continue
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </ListSection>
  );
}

/** Chat with your own agent as a lead would, through the sandbox channel. */
export function PlaygroundPage() {
  const { org } = useSession();
  const [params, setParams] = useSearchParams();
  const conversationId = params.get("conversation");
  const [phone, setPhone] = useState(() => randomPhone());
  const [name, setName] = useState(() => randomName());
  const [phoneError, setPhoneError] = useState<string | null>(null);
  const send = useSendAsLead();
  const detail = useConversation(conversationId ?? undefined);

  // Opened on a conversation (a link, or "Continue"): play that lead.
  const [adopted, setAdopted] = useState<string | null>(null);
  const loaded = detail.data;
  if (loaded && conversationId === loaded.id && adopted !== loaded.id) {
    setAdopted(loaded.id);
    if (loaded.contact.phone) setPhone(withPlus(loaded.contact.phone));
    setName(loaded.contact.name ?? "");
  }

  const setConversation = (id: string | null) =>
    setParams(id ? { conversation: id } : {}, { replace: true });

  const newLead = () => {
    setPhone(randomPhone());
    setName(randomName());
    setPhoneError(null);
    send.reset();
    setAdopted(null);
    setConversation(null);
  };

  const onSend = async (text: string, replyId?: string): Promise<boolean> => {
    const problem = phoneProblem(phone);
    setPhoneError(problem);
    if (problem) return false;
    try {
      const result = await send.mutateAsync({
        phone: normalizePhone(phone),
        name: name.trim() || undefined,
        text,
        reply_id: replyId,
      });
      setAdopted(result.conversation_id);
      if (result.conversation_id !== conversationId) setConversation(result.conversation_id);
      return true;
    } catch {
      return false;
    }
  };

  const fields = fieldErrors(send.error);
  const phoneMessage = phoneError ?? fields.phone ?? null;
  const sendError =
    send.error && !fields.phone && !fields.name ? (fields.text ?? errorMessage(send.error)) : null;

  return (
    <Page
      title="Playground"
      description="Chat with your own agent exactly as a lead would. Works without a WhatsApp connection."
      actions={<RealtimeIndicator />}
    >
      <div className="grid gap-6 lg:grid-cols-[400px_minmax(0,1fr)]">
        <div className="space-y-4">
          <Card className="p-4">
            <div className="flex items-end gap-2">
              <Field label="Lead's phone" error={phoneMessage} className="min-w-0 flex-1">
                <Input
                  value={phone}
                  inputMode="tel"
                  autoComplete="off"
                  onChange={(e) => {
                    setPhone(e.target.value);
                    setPhoneError(null);
                    // A different number is a different lead.
                    if (
                      conversationId &&
                      phoneDigits(e.target.value) !== phoneDigits(detail.data?.contact.phone)
                    ) {
                      setAdopted(null);
                      setConversation(null);
                    }
                  }}
                />
              </Field>
              <Field label="Name" error={fields.name} optional className="min-w-0 flex-1">
                <Input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
              </Field>
            </div>
            <div className="mt-3 flex items-center justify-between gap-2">
              <p className="flex items-center gap-1.5 text-xs text-gray-500">
                <FlaskConical className="size-3.5 text-amber-600" aria-hidden="true" />
                Sandbox: nothing is sent to WhatsApp.
              </p>
              <Button variant="secondary" size="sm" onClick={newLead}>
                <RefreshCw className="size-3.5" aria-hidden="true" />
                New lead
              </Button>
            </div>
          </Card>
          <Phone
            conversationId={conversationId}
            businessName={org.name}
            onSend={onSend}
            sending={send.isPending}
            error={sendError}
          />
        </div>
        <div className="space-y-6">
          <BusinessSide conversationId={conversationId} />
          <AgentDecisions conversationId={conversationId} />
          <SandboxLeads
            currentId={conversationId}
            onOpen={(c) => {
              setPhone(withPlus(c.phone));
              setName(c.name);
              setPhoneError(null);
              send.reset();
              setAdopted(c.id);
              setConversation(c.id);
            }}
          />
        </div>
      </div>
    </Page>
  );
}
