import { BellOff, Clock, SendHorizontal } from "lucide-react";
import { useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { ApiError, errorMessage, fieldErrors } from "../../api/errors";
import type { Conversation } from "../../api/models";
import { Spinner } from "../../components/ui/Spinner";
import { cn } from "../../lib/cn";
import { useNow } from "../../lib/useNow";
import { useRealtimeEvent } from "../../realtime/RealtimeProvider";
import { TemplateSender } from "../templates";
import { useMessageSent, useSendMessage } from "./api";
import { windowStatus } from "./format";

/**
 * Shown instead of the composer once the 24-hour customer-service window has closed: an
 * approved template, filled from the lead, is what may go.
 */
export function WindowClosedNotice({
  conversationId,
  disabledReason,
}: {
  conversationId: string;
  disabledReason?: string;
}) {
  const sent = useMessageSent(conversationId);
  return (
    <div
      className="border-t border-gray-200 bg-amber-50 px-4 py-3 text-sm text-amber-900"
      data-testid="window-closed"
    >
      <p className="mb-2 flex items-start gap-2">
        <Clock className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
        The 24-hour window is closed. You can only send an approved template.
      </p>
      <TemplateSender conversationId={conversationId} disabled={!!disabledReason} onSent={sent} />
    </div>
  );
}

/** What the composer says, and why it cannot send, when the lead has opted out. */
export const OPTED_OUT_MESSAGE =
  "This lead opted out. You can't message them unless they write again and opt back in.";

/** Shown above the (disabled) composer while the lead is opted out. */
export function OptedOutNotice() {
  return (
    <div
      role="status"
      className="flex items-start gap-3 border-t border-gray-200 bg-red-50 px-4 py-3 text-sm text-red-900"
      data-testid="opted-out"
    >
      <BellOff className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
      <p className="min-w-0 flex-1">{OPTED_OUT_MESSAGE}</p>
    </div>
  );
}

/** Reply as a human. Enter sends; Shift+Enter starts a new line. */
export function Composer({
  conversation,
  disabledReason,
}: {
  conversation: Conversation;
  /** When set, the composer is read-only and says why (e.g. a viewer's role). */
  disabledReason?: string;
}) {
  const [text, setText] = useState("");
  const send = useSendMessage(conversation.id);
  // A refusal stands until the lead writes again (and perhaps opts back in): the contact's
  // flag, refetched by then, says which.
  useRealtimeEvent((event) => {
    if (
      event.type === "message:received" &&
      event.data.conversation_id === conversation.id &&
      send.isError
    )
      send.reset();
  });
  const now = useNow(15_000);
  const input = useRef<HTMLTextAreaElement>(null);
  const serviceWindow = windowStatus(conversation.window_open_until, now);
  const refused = send.error instanceof ApiError ? send.error.code : null;
  // Known before typing (the contact says so), or learnt from the send's 422.
  const optedOut = conversation.contact.opted_out || refused === "opted_out";

  if (!optedOut && (!serviceWindow.open || refused === "window_closed"))
    return <WindowClosedNotice conversationId={conversation.id} disabledReason={disabledReason} />;

  const locked = optedOut || !!disabledReason;
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const body = text.trim();
    if (!body || send.isPending || locked) return;
    send.mutate(body, {
      onSuccess: () => {
        setText("");
        input.current?.focus();
      },
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const fieldError = fieldErrors(send.error).text;
  const otherError =
    send.error && !fieldError && refused !== "opted_out" ? errorMessage(send.error) : null;
  const messageId = `composer-${conversation.id}-message`;

  return (
    <>
      {optedOut && <OptedOutNotice />}
      <form
        onSubmit={submit}
        aria-label="Reply"
        className={cn("bg-white px-3 pt-3 pb-2 sm:px-4", !optedOut && "border-t border-gray-200")}
      >
        <div className="flex items-end gap-2">
          <textarea
            ref={input}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              if (send.isError) send.reset();
            }}
            onKeyDown={onKeyDown}
            rows={1}
            disabled={locked}
            aria-label="Message"
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={messageId}
            placeholder={optedOut ? "This lead opted out" : (disabledReason ?? "Type a reply…")}
            className={cn(
              "block max-h-40 min-h-10 w-full resize-none rounded-lg border bg-white px-3 py-2 text-sm text-gray-900 shadow-sm [field-sizing:content] placeholder:text-gray-400 focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 focus:outline-none disabled:bg-gray-50",
              fieldError ? "border-red-400" : "border-gray-300",
            )}
          />
          <button
            type="submit"
            aria-label="Send"
            aria-busy={send.isPending || undefined}
            disabled={!text.trim() || locked || send.isPending}
            className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-brand-600 text-white shadow-sm transition-colors hover:bg-brand-700 disabled:cursor-not-allowed disabled:bg-brand-600/50"
          >
            {send.isPending ? (
              <Spinner className="size-4" />
            ) : (
              <SendHorizontal className="size-4" aria-hidden="true" />
            )}
          </button>
        </div>
        <div id={messageId} className="mt-1.5 min-h-4 text-xs">
          {fieldError || otherError ? (
            <p role="alert" className="text-red-600">
              {fieldError ?? otherError}
            </p>
          ) : optedOut ? null : (
            <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-0.5 text-gray-500">
              <p>
                {conversation.mode === "bot" && (
                  <span className="font-medium text-amber-700">
                    Sending takes over from the bot.{" "}
                  </span>
                )}
                <span className="hidden sm:inline">Enter sends · Shift+Enter for a new line</span>
              </p>
              <p className="text-gray-400">{serviceWindow.label}</p>
            </div>
          )}
        </div>
      </form>
    </>
  );
}
