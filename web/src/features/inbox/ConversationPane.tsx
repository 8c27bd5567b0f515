import { ArrowLeft, Bot, CheckCircle2, Hand, PanelRight, Pause } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { ApiError, errorMessage } from "../../api/errors";
import type { ConversationDetail, ConversationMode } from "../../api/models";
import { useSession } from "../auth";
import { useMembers } from "../team";
import { useDocumentVisible } from "../../lib/useDocumentVisible";
import { Badge } from "../../components/ui/Badge";
import { Button, buttonClasses } from "../../components/ui/Button";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { RowMenu } from "../../components/ui/Menu";
import { Select } from "../../components/ui/Select";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { cn } from "../../lib/cn";
import { useAssign, useConversation, useMarkRead, useSetMode } from "./api";
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

/** A change of mode the header offers, by the mode it leads to. */
interface ModeControl {
  to: ConversationMode;
  label: string;
  title: string;
  icon: ReactNode;
}

const TAKE_OVER: ModeControl = {
  to: "human",
  label: "Take over",
  title: "Silence the bot and answer yourself",
  icon: <Hand className="size-3.5" aria-hidden="true" />,
};
const HAND_BACK: ModeControl = {
  to: "bot",
  label: "Hand back to bot",
  title: "The bot answers the lead again",
  icon: <Bot className="size-3.5" aria-hidden="true" />,
};
const PAUSE: ModeControl = {
  to: "paused",
  label: "Pause",
  title: "The bot stays silent and nobody owns the conversation (e.g. while the lead travels)",
  icon: <Pause className="size-3.5" aria-hidden="true" />,
};
const CLOSE: ModeControl = {
  to: "closed",
  label: "Close",
  title: "Resolved: the lead's next message reopens it for the bot",
  icon: <CheckCircle2 className="size-3.5" aria-hidden="true" />,
};
const REOPEN: ModeControl = { ...HAND_BACK, label: "Reopen", title: "Reopen it for the bot" };

/**
 * What the header offers in each mode: the likely next step first, then the rest. A closed
 * conversation is reopened or taken over, never paused (the server refuses that too).
 */
const MODE_CONTROLS: Record<ConversationMode, readonly ModeControl[]> = {
  bot: [TAKE_OVER, PAUSE, CLOSE],
  human: [HAND_BACK, PAUSE, CLOSE],
  paused: [HAND_BACK, TAKE_OVER, CLOSE],
  closed: [REOPEN, TAKE_OVER],
};

/**
 * The mode buttons: the likely next step first, the rest beside it when the header has room
 * (the pane's width, not the screen's, decides: the lead's details take room on wide screens),
 * else in a "⋯" menu.
 */
function ModeControls({ conversation: c }: { conversation: ConversationDetail }) {
  const setMode = useSetMode(c.id);
  const { toast } = useToast();
  const change = (to: ConversationMode) =>
    setMode.mutate(to, {
      onError: (error) =>
        toast({ tone: "error", title: "That didn't work", description: errorMessage(error) }),
    });
  const [first, ...rest] = MODE_CONTROLS[c.mode];
  const pendingTo = setMode.isPending ? setMode.variables : undefined;
  return (
    <div className="flex shrink-0 items-center gap-1.5" data-testid="mode-controls">
      {first && (
        <Button
          size="sm"
          variant={first.to === "human" ? "primary" : "secondary"}
          loading={pendingTo === first.to}
          disabled={setMode.isPending}
          onClick={() => change(first.to)}
          title={first.title}
          aria-label={first.label}
        >
          {first.icon}
          <span className="hidden @xs:inline">{first.label}</span>
        </Button>
      )}
      {/* Wrapped: a Button's own display class would win over `hidden` on it. */}
      <div className="hidden items-center gap-1.5 @xl:flex">
        {rest.map((control) => (
          <Button
            key={control.to}
            size="sm"
            variant="ghost"
            loading={pendingTo === control.to}
            disabled={setMode.isPending}
            onClick={() => change(control.to)}
            title={control.title}
          >
            {control.icon}
            {control.label}
          </Button>
        ))}
      </div>
      <span className="@xl:hidden">
        <RowMenu
          label="More conversation actions"
          actions={rest.map((control) => ({
            label: control.label,
            icon: control.icon,
            disabled: setMode.isPending,
            onSelect: () => change(control.to),
          }))}
        />
      </span>
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
  const [details, setDetails] = useState(false);
  const name = contactName(c);

  return (
    <header className="@container flex items-center gap-2 border-b border-gray-200 bg-white px-3 py-2.5 sm:px-4">
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
      {canAct && <ModeControls conversation={c} />}
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

/** What the mode means for the person reading, under the header. */
const MODE_BANNERS: Partial<
  Record<ConversationMode, { text: string; icon: ReactNode; className: string }>
> = {
  human: {
    text: "You're in control — the bot is silent",
    icon: <Hand className="size-3.5" aria-hidden="true" />,
    className: "border-blue-100 bg-blue-50 text-blue-800",
  },
  paused: {
    text: "Paused — the bot stays silent and nobody owns it. Hand it back or take over when the lead is back.",
    icon: <Pause className="size-3.5" aria-hidden="true" />,
    className: "border-amber-100 bg-amber-50 text-amber-900",
  },
  closed: {
    text: "Closed — the lead's next message reopens it for the bot.",
    icon: <CheckCircle2 className="size-3.5" aria-hidden="true" />,
    className: "border-gray-200 bg-gray-100 text-gray-700",
  },
};

function ModeBanner({ mode }: { mode: ConversationMode }) {
  const banner = MODE_BANNERS[mode];
  if (!banner) return null;
  return (
    <div
      className={cn(
        "flex items-center gap-2 border-b px-4 py-1.5 text-xs font-medium",
        banner.className,
      )}
      data-testid={`${mode}-banner`}
    >
      {banner.icon}
      <span className="min-w-0">{banner.text}</span>
    </div>
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
        <ModeBanner mode={c.mode} />
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
