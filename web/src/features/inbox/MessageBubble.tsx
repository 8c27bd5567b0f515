import {
  AlertCircle,
  Ban,
  Bot,
  Check,
  CheckCheck,
  Clock,
  Contact,
  FileText,
  Image as ImageIcon,
  MapPin,
  Mic,
  Music,
  Smile,
  Sticker,
  Lock,
  UserRound,
  Video,
  type LucideIcon,
} from "lucide-react";
import type { DeliveryStatus, Message, MessageType } from "../../api/models";
import { cn } from "../../lib/cn";
import { formatMoney } from "../pricing";
import { Attachment, FileStatus } from "./Attachment";
import {
  clockTime,
  deliveryInfo,
  failureText,
  mediaCaption,
  mediaLabel,
  messageFile,
  replyButtons,
  type ReplyButton,
} from "./format";

/** The delivery ticks of an outbound message: clock, one tick, two ticks, two blue, or failed. */
export function DeliveryTicks({
  status,
  className,
}: {
  status: DeliveryStatus;
  className?: string;
}) {
  const info = deliveryInfo(status);
  const Icon =
    info.glyph === "clock"
      ? Clock
      : info.glyph === "tick"
        ? Check
        : info.glyph === "double-tick"
          ? CheckCheck
          : AlertCircle;
  return (
    <span
      role="img"
      aria-label={info.label}
      title={info.label}
      data-testid="delivery-status"
      data-status={info.status}
      className={cn(
        "inline-flex shrink-0",
        info.tone === "blue" && "text-sky-500",
        info.tone === "red" && "text-red-600",
        info.tone === "muted" && "text-gray-400",
        className,
      )}
    >
      <Icon className={info.glyph === "clock" ? "size-3" : "size-3.5"} aria-hidden="true" />
    </span>
  );
}

const MEDIA_ICONS: Partial<Record<MessageType, LucideIcon>> = {
  image: ImageIcon,
  voice: Mic,
  audio: Music,
  video: Video,
  document: FileText,
  sticker: Sticker,
  location: MapPin,
  contacts: Contact,
  unsupported: Ban,
};

/** A labelled placeholder for media ("Image", "Voice message", "Document: file.pdf"). */
function MediaPlaceholder({ message, dark }: { message: Message; dark?: boolean }) {
  const label = mediaLabel(message);
  if (!label) return null;
  const Icon = MEDIA_ICONS[message.type] ?? FileText;
  return (
    <div
      data-testid="media-placeholder"
      className={cn(
        "mb-1 flex items-center gap-2 rounded-md px-2.5 py-2 text-sm font-medium",
        dark ? "bg-black/5 text-gray-700" : "bg-gray-100 text-gray-700",
      )}
    >
      <Icon className="size-4 shrink-0 text-gray-500" aria-hidden="true" />
      <span className="min-w-0 break-words">{label}</span>
    </div>
  );
}

/** The text of a bubble: media placeholder and caption, reaction, or plain text. */
function Body({ message }: { message: Message }) {
  if (message.deleted) {
    return (
      <p className="flex items-center gap-1.5 text-sm text-gray-500 italic">
        <Ban className="size-3.5" aria-hidden="true" />
        This message was deleted
      </p>
    );
  }
  if (message.type === "reaction") {
    return (
      <p className="flex items-center gap-1.5 text-sm text-gray-700">
        <Smile className="size-3.5 text-gray-400" aria-hidden="true" />
        Reacted {message.text || "(removed)"}
      </p>
    );
  }
  const placeholder = mediaLabel(message);
  const text = placeholder ? mediaCaption(message) : message.text;
  const file = messageFile(message);
  return (
    <>
      {file?.url ? (
        <Attachment message={message} file={file} />
      ) : (
        placeholder && <MediaPlaceholder message={message} dark />
      )}
      {file && <FileStatus file={file} />}
      {message.type === "template" && (
        <p className="mb-0.5 text-[11px] font-medium tracking-wide text-gray-500 uppercase">
          Template
        </p>
      )}
      {text && <p className="text-sm break-words whitespace-pre-wrap text-gray-900">{text}</p>}
    </>
  );
}

function Meta({ message, ticks }: { message: Message; ticks: boolean }) {
  return (
    <span className="mt-0.5 flex items-center justify-end gap-1 text-[11px] leading-none text-gray-500">
      {message.edited && !message.deleted && <span className="italic">Edited</span>}
      <time dateTime={message.created_at}>{clockTime(message.created_at)}</time>
      {ticks && <DeliveryTicks status={message.status} />}
      <Price message={message} />
    </span>
  );
}

/** What Meta charged for the message, once Meta has said (free, a price, or unknown). */
function Price({ message }: { message: Message }) {
  const pricing = message.pricing;
  if (!pricing) return null;
  const what = [pricing.category, pricing.type].filter(Boolean).join(", ");
  const label = !pricing.billable
    ? "free"
    : message.cost
      ? formatMoney(message.cost.amount, message.cost.currency)
      : "price unknown";
  return (
    <span
      data-testid="message-cost"
      className="ml-1 rounded bg-black/5 px-1 py-px tabular-nums"
      title={`Meta: ${what || "priced"}${pricing.billable ? ", billed" : ", not billed"}`}
    >
      {label}
    </span>
  );
}

function FailureNote({ message }: { message: Message }) {
  if (message.status !== "failed") return null;
  return (
    <p className="mt-1 flex items-center gap-1 text-xs text-red-600" data-testid="message-failure">
      <AlertCircle className="size-3.5 shrink-0" aria-hidden="true" />
      Not delivered: {failureText(message.error)}
    </p>
  );
}

export function SystemNote({ message }: { message: Message }) {
  return (
    <div className="flex justify-center py-1" data-testid="message" data-author="system">
      <p className="max-w-[80%] rounded-md bg-gray-200/70 px-2.5 py-1 text-center text-xs text-gray-600">
        <span className="font-medium">System · </span>
        {message.text || mediaLabel(message) || "Update"}
      </p>
    </div>
  );
}

/**
 * One message as the business sees it: the lead on the left; the bot and humans on the right
 * in their own colours, with a small author label and delivery ticks.
 */
/** A member's private note: amber, marked private, never sent to the lead. */
export function PrivateNote({ message, byLabel }: { message: Message; byLabel?: string }) {
  return (
    <div
      className="flex flex-col items-end py-0.5"
      data-testid="message"
      data-author="note"
      data-message-id={message.id}
    >
      <span className="mb-0.5 flex items-center gap-1 px-1 text-[11px] font-medium text-amber-700">
        <Lock className="size-3" aria-hidden="true" />
        Private note{byLabel ? ` · ${byLabel}` : ""}
      </span>
      <div className="max-w-[75%] rounded-lg rounded-tr-sm border border-dashed border-amber-300 bg-amber-50 px-3 py-1.5 text-sm whitespace-pre-wrap text-amber-950">
        {message.text}
      </div>
    </div>
  );
}

export function BusinessBubble({
  message,
  humanLabel = "Human",
}: {
  message: Message;
  /** The label above a human's message (their name, or "You"). */
  humanLabel?: string;
}) {
  if (message.author === "system") return <SystemNote message={message} />;
  if (message.author === "note") return <PrivateNote message={message} byLabel={humanLabel} />;
  const outbound = message.direction === "out";
  const bot = message.author === "bot";
  return (
    <div
      className={cn("flex flex-col py-0.5", outbound ? "items-end" : "items-start")}
      data-testid="message"
      data-author={message.author}
      data-message-id={message.id}
    >
      {outbound && (
        <span className="mb-0.5 flex items-center gap-1 px-1 text-[11px] font-medium text-gray-500">
          {bot ? (
            <Bot className="size-3" aria-hidden="true" />
          ) : (
            <UserRound className="size-3" aria-hidden="true" />
          )}
          {bot ? "Bot" : humanLabel}
        </span>
      )}
      <div
        className={cn(
          "max-w-[75%] rounded-lg px-3 py-1.5 shadow-xs",
          !outbound && "rounded-tl-sm bg-white ring-1 ring-gray-200",
          outbound && bot && "rounded-tr-sm bg-violet-50 ring-1 ring-violet-100",
          outbound && !bot && "rounded-tr-sm bg-brand-100 ring-1 ring-brand-200",
          message.status === "failed" && "ring-red-300",
        )}
      >
        <Body message={message} />
        <Meta message={message} ticks={outbound} />
        <BusinessButtons message={message} />
      </div>
      {outbound && <FailureNote message={message} />}
    </div>
  );
}

/** The reply buttons the business sent, as its team sees them (not tappable). */
function BusinessButtons({ message }: { message: Message }) {
  const buttons = replyButtons(message);
  if (buttons.length === 0) return null;
  return (
    <ul className="mt-1.5 flex flex-wrap gap-1" aria-label="Reply buttons">
      {buttons.map((b) => (
        <li
          key={b.id}
          className="rounded-full bg-white px-2 py-0.5 text-xs text-violet-700 ring-1 ring-violet-200"
        >
          {b.title}
        </li>
      ))}
    </ul>
  );
}

/**
 * One message as the lead sees it on their phone: their own on the right, in green. The
 * business's reply buttons sit under its message, tappable when `onTap` is given.
 */
export function LeadBubble({
  message,
  onTap,
}: {
  message: Message;
  onTap?: (button: ReplyButton) => void;
}) {
  if (message.author === "system") return <SystemNote message={message} />;
  // The team's private notes never reach the lead's phone.
  if (message.author === "note") return null;
  const mine = message.direction === "in";
  const buttons = mine ? [] : replyButtons(message);
  return (
    <div
      className={cn("flex py-0.5", mine ? "justify-end" : "justify-start")}
      data-testid="message"
      data-author={message.author}
      data-message-id={message.id}
    >
      <div
        className={cn(
          "max-w-[80%] rounded-lg px-2.5 py-1.5 shadow-xs",
          mine ? "rounded-tr-sm bg-[#d9fdd3]" : "rounded-tl-sm bg-white",
        )}
      >
        <Body message={message} />
        <Meta message={message} ticks={false} />
        {buttons.length > 0 && (
          <div className="-mx-2.5 mt-1.5 -mb-1.5 divide-y divide-gray-100 border-t border-gray-100">
            {buttons.map((b) => (
              <button
                key={b.id}
                type="button"
                disabled={!onTap}
                onClick={() => onTap?.(b)}
                className="block w-full py-1.5 text-center text-sm font-medium text-[#027eb5] hover:bg-gray-50 disabled:cursor-default disabled:hover:bg-transparent"
              >
                {b.title}
              </button>
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
