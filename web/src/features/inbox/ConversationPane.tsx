import { ArrowLeft, Hand, PanelRight, Play } from "lucide-react";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { ApiError, errorMessage } from "../../api/errors";
import type { ConversationDetail } from "../../api/models";
import { useSession } from "../auth";
import { useMembers } from "../team";
import { useDocumentVisible } from "../../lib/useDocumentVisible";
import { Badge } from "../../components/ui/Badge";
import { Button, buttonClasses } from "../../components/ui/Button";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Select } from "../../components/ui/Select";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { useAssign, useConversation, useMarkRead, useRelease, useTakeover } from "./api";
import { Composer } from "./Composer";
import { ContactPanel } from "./ContactPanel";
import { contactName } from "./ConversationList";
import { BusinessBubble } from "./MessageBubble";
import { ModeBadge } from "./ModeBadge";
import { Transcript } from "./Transcript";
import { formatPhone } from "./format";

const NOBODY = "nobody";

/** Who the conversation is assigned to: any active member, or nobody. */
function AssigneePicker({
  conversation: c,
  disabled,
}: {
  conversation: ConversationDetail;
  disabled: boolean;
}) {
  const { user } = useSession();
  const members = useMembers();
  const assign = useAssign(c.id);
  const { toast } = useToast();
  const options = [
    { value: NOBODY, label: "Unassigned" },
    ...members.items
      .filter((m) => m.active && m.role !== "viewer")
      .map((m) => ({ value: m.id, label: m.id === user.id ? `${m.name} (you)` : m.name })),
  ];
  // Someone since removed, or not listed yet: still shown as assigned.
  if (c.assignee_id && !options.some((o) => o.value === c.assignee_id))
    options.push({ value: c.assignee_id, label: "A former member" });
  return (
    <div
      className="flex items-center gap-2 border-b border-gray-200 bg-white px-4 py-1.5 text-xs text-gray-600"
      data-testid="assignee-picker"
    >
      <span>Assigned to</span>
      <div className="w-48">
        <Select
          size="sm"
          aria-label="Assignee"
          value={c.assignee_id ?? NOBODY}
          disabled={disabled || assign.isPending}
          onValueChange={(v) =>
            assign.mutate(v === NOBODY ? null : v, {
              onError: (error) =>
                toast({
                  tone: "error",
                  title: "Couldn't assign",
                  description: errorMessage(error),
                }),
            })
          }
          options={options}
          className="h-7 text-xs"
        />
      </div>
    </div>
  );
}

function Header({
  conversation: c,
  canAct,
}: {
  conversation: ConversationDetail;
  canAct: boolean;
}) {
  const takeover = useTakeover(c.id);
  const release = useRelease(c.id);
  const { toast } = useToast();
  const [details, setDetails] = useState(false);
  const name = contactName(c);
  const onError = (error: unknown) =>
    toast({ tone: "error", title: "That didn't work", description: errorMessage(error) });

  return (
    <header className="flex items-center gap-2 border-b border-gray-200 bg-white px-3 py-2.5 sm:px-4">
      <Link
        to="/inbox"
        aria-label="Back to conversations"
        className="-ml-1 rounded-md p-1.5 text-gray-500 hover:bg-gray-100 md:hidden"
      >
        <ArrowLeft className="size-5" />
      </Link>
      <div className="min-w-0 flex-1">
        <h2
          className="truncate text-base font-semibold text-gray-900"
          data-testid="conversation-title"
        >
          {name}
        </h2>
        <div className="mt-0.5 flex min-w-0 items-center gap-1.5">
          <ModeBadge mode={c.mode} />
          {c.channel === "sandbox" && <Badge tone="amber">Sandbox</Badge>}
          {c.contact.phone && c.contact.name && (
            <span className="hidden truncate text-xs text-gray-500 sm:inline">
              {formatPhone(c.contact.phone)}
            </span>
          )}
        </div>
      </div>
      {canAct &&
        (c.mode === "human" ? (
          <Button
            variant="secondary"
            size="sm"
            loading={release.isPending}
            onClick={() => release.mutate(undefined, { onError })}
            title="Hand the conversation back to the bot"
          >
            <Play className="size-3.5" aria-hidden="true" />
            Release
          </Button>
        ) : (
          <Button
            size="sm"
            loading={takeover.isPending}
            onClick={() => takeover.mutate(undefined, { onError })}
            title="Pause the bot and answer yourself"
          >
            <Hand className="size-3.5" aria-hidden="true" />
            Take over
          </Button>
        ))}
      <Dialog open={details} onOpenChange={setDetails}>
        <Button
          variant="ghost"
          size="sm"
          className="xl:hidden"
          onClick={() => setDetails(true)}
          aria-label="Lead details"
        >
          <PanelRight className="size-4" aria-hidden="true" />
        </Button>
        <DialogContent title="Lead details">
          <ContactPanel conversation={c} className="-mx-6 -mb-6" />
        </DialogContent>
      </Dialog>
    </header>
  );
}

/** Marks the conversation read while it is open on screen and has unread lead messages. */
function useAutoRead(c: ConversationDetail | undefined) {
  const markRead = useMarkRead(c?.id ?? "");
  const visible = useDocumentVisible();
  const unread = c?.unread_count ?? 0;
  const { mutate, isPending } = markRead;
  useEffect(() => {
    if (visible && c && unread > 0 && !isPending) mutate();
    // Only a change in the unread count, the conversation or visibility should call again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [c?.id, unread, visible]);
}

/** The middle pane (header, transcript, composer) and, on wide screens, the lead's details. */
export function ConversationPane({ id }: { id: string }) {
  const { user } = useSession();
  const detail = useConversation(id);
  const canAct = user.role !== "viewer";
  useAutoRead(detail.data);

  if (detail.isPending) return <LoadingState label="Loading conversation…" className="flex-1" />;
  if (detail.isError) {
    if (detail.error instanceof ApiError && detail.error.status === 404)
      return (
        <EmptyState
          className="flex-1 justify-center"
          title="Conversation not found"
          description="It may have been removed, or it belongs to another organisation."
          action={
            <Link to="/inbox" className={buttonClasses("secondary", "sm")}>
              Back to the inbox
            </Link>
          }
        />
      );
    return (
      <ErrorState
        className="flex-1 justify-center"
        error={detail.error}
        onRetry={() => void detail.refetch()}
      />
    );
  }
  const c = detail.data;

  return (
    <div className="flex min-w-0 flex-1">
      <section aria-label="Conversation" className="flex min-w-0 flex-1 flex-col bg-gray-50">
        <Header conversation={c} canAct={canAct} />
        <AssigneePicker conversation={c} disabled={!canAct} />
        {c.mode === "human" && (
          <div
            className="flex items-center gap-2 border-b border-blue-100 bg-blue-50 px-4 py-1.5 text-xs font-medium text-blue-800"
            data-testid="human-banner"
          >
            <Hand className="size-3.5" aria-hidden="true" />
            You&apos;re in control — the bot is paused
          </div>
        )}
        <Transcript
          conversationId={c.id}
          label={`Messages with ${contactName(c)}`}
          renderMessage={(m) => (
            <BusinessBubble
              message={m}
              humanLabel={m.sent_by?.id === user.id ? "You" : (m.sent_by?.name ?? undefined)}
            />
          )}
        />
        <Composer
          conversation={c}
          disabledReason={canAct ? undefined : "Viewers can read conversations but not reply"}
        />
      </section>
      <aside
        aria-label="Lead details"
        className="hidden w-80 shrink-0 overflow-y-auto border-l border-gray-200 bg-white xl:block"
      >
        <ContactPanel conversation={c} />
      </aside>
    </div>
  );
}
