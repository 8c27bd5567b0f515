import { BellOff, Clock, FileText, Lock, Paperclip, SendHorizontal, X } from "lucide-react";
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { ApiError, errorMessage, fieldErrors } from "../../api/errors";
import type { CannedReply, Conversation } from "../../api/models";
import { Spinner } from "../../components/ui/Spinner";
import { cn } from "../../lib/cn";
import { useNow } from "../../lib/useNow";
import { useRealtimeEvent } from "../../realtime/RealtimeProvider";
import { useCannedReplies } from "../canned";
import { TemplateSender } from "../templates";
import { useAddNote, useMessageSent, useSendMessage } from "./api";
import { cannedQuery, fillVariables, filterCanned, leadValues } from "./canned";
import { formatBytes, windowStatus } from "./format";
import { ATTACH_ACCEPT, attachLimit, uploadMedia, useSendMedia } from "./media";
import type { MediaView } from "../../api/models";

/** A file chosen in the composer: uploading, uploaded (ready to send) or refused. */
interface PendingFile {
  file: File;
  progress: number;
  media?: MediaView;
  error?: string;
  abort: AbortController;
}

/** The attach button's file: uploaded at once, with its progress; sent with the caption. */
function useAttachment() {
  const [pending, setPending] = useState<PendingFile | null>(null);
  const current = useRef<AbortController | null>(null);
  // Leaving the conversation cancels an upload in flight.
  useEffect(() => () => current.current?.abort(), []);
  const choose = (file: File) => {
    current.current?.abort();
    const abort = new AbortController();
    current.current = abort;
    const base: PendingFile = { file, progress: 0, abort };
    const limit = attachLimit(file);
    if (file.size > limit.bytes) {
      setPending({ ...base, error: `This file is larger than WhatsApp's ${limit.label} limit.` });
      return;
    }
    setPending(base);
    const update = (patch: Partial<PendingFile>) =>
      setPending((p) => (p?.abort === abort ? { ...p, ...patch } : p));
    uploadMedia(file, (progress) => update({ progress }), abort.signal).then(
      (media) => update({ media, progress: 1 }),
      (error: unknown) => {
        if (abort.signal.aborted) return;
        update({ error: fieldErrors(error).file ?? errorMessage(error) });
      },
    );
  };
  const clear = () => {
    current.current?.abort();
    current.current = null;
    setPending(null);
  };
  return { pending, choose, clear };
}

function AttachmentBar({ pending, onRemove }: { pending: PendingFile; onRemove: () => void }) {
  const percent = Math.round(pending.progress * 100);
  return (
    <div
      className={cn(
        "mb-2 flex items-center gap-2.5 rounded-lg border px-3 py-2 text-sm",
        pending.error ? "border-red-200 bg-red-50" : "border-gray-200 bg-gray-50",
      )}
      data-testid="composer-attachment"
    >
      <FileText className="size-4 shrink-0 text-gray-500" aria-hidden="true" />
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium text-gray-900">{pending.file.name}</p>
        {pending.error ? (
          <p role="alert" className="text-xs text-red-600">
            {pending.error}
          </p>
        ) : pending.media ? (
          <p className="text-xs text-gray-500">
            {formatBytes(pending.file.size)} · ready to send; the text below is its caption
          </p>
        ) : (
          <div
            role="progressbar"
            aria-label="Uploading"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="mt-1 h-1.5 w-full overflow-hidden rounded-full bg-gray-200"
          >
            <div
              className="h-full bg-brand-600 transition-[width]"
              style={{ width: `${percent}%` }}
            />
          </div>
        )}
      </div>
      <button
        type="button"
        onClick={onRemove}
        aria-label="Remove the file"
        className="rounded p-1 text-gray-500 hover:bg-gray-200"
      >
        <X className="size-4" aria-hidden="true" />
      </button>
    </div>
  );
}

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

/** The canned replies matching what follows "/", to pick one with the keyboard or a click. */
function CannedPicker({
  replies,
  active,
  onPick,
}: {
  replies: CannedReply[];
  active: number;
  onPick: (reply: CannedReply) => void;
}) {
  return (
    <ul
      role="listbox"
      aria-label="Canned replies"
      className="absolute right-0 bottom-full left-0 z-20 mb-1 max-h-56 overflow-y-auto rounded-lg border border-gray-200 bg-white p-1 shadow-lg"
    >
      {replies.length === 0 ? (
        <li className="px-2 py-1.5 text-sm text-gray-500">
          No canned reply matches. Add them in Settings → Canned replies.
        </li>
      ) : (
        replies.map((r, i) => (
          <li
            key={r.id}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => {
              // Keep the focus in the textarea.
              e.preventDefault();
              onPick(r);
            }}
            className={cn(
              "cursor-pointer rounded px-2 py-1.5 text-sm",
              i === active ? "bg-brand-50" : "hover:bg-gray-50",
            )}
          >
            <span className="font-mono font-semibold text-gray-900">/{r.shortcut}</span>
            <span className="ml-2 text-gray-500">{r.text.slice(0, 80)}</span>
          </li>
        ))
      )}
    </ul>
  );
}

/**
 * Reply as a human, or write a private note ("Note" on). Enter sends; Shift+Enter starts a
 * new line; "/" opens the canned replies.
 */
export function Composer({
  conversation,
  disabledReason,
}: {
  conversation: Conversation;
  /** When set, the composer is read-only and says why (e.g. a viewer's role). */
  disabledReason?: string;
}) {
  const [text, setText] = useState("");
  const [notingChosen, setNoting] = useState(false);
  const [picked, setPicked] = useState(0);
  const send = useSendMessage(conversation.id);
  const sendMedia = useSendMedia(conversation.id);
  const attachment = useAttachment();
  const fileInput = useRef<HTMLInputElement>(null);
  const note = useAddNote(conversation.id);
  const canned = useCannedReplies();
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
  const sendError = send.error ?? sendMedia.error;
  const refused = sendError instanceof ApiError ? sendError.code : null;
  // Known before typing (the contact says so), or learnt from the send's 422.
  const optedOut = conversation.contact.opted_out || refused === "opted_out";

  // Outside the window only a template may reach the lead; a note never leaves the team, so
  // the composer stays for notes.
  const windowClosed = !optedOut && (!serviceWindow.open || refused === "window_closed");
  const noting = windowClosed || notingChosen;

  const query = cannedQuery(text);
  const choices = query === null ? [] : filterCanned(canned.data?.items ?? [], query);
  const pick = (reply: CannedReply) => {
    setText(fillVariables(reply.text, leadValues(conversation.contact)));
    setPicked(0);
    input.current?.focus();
  };
  // A note is not a message to the lead: an opt-out does not stop it.
  const locked = (optedOut && !noting) || !!disabledReason;
  const pending = send.isPending || note.isPending || sendMedia.isPending;
  const file = noting ? null : attachment.pending;
  const fileReady = !!file?.media;
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const body = text.trim();
    if (pending || locked) return;
    const done = {
      onSuccess: () => {
        setText("");
        input.current?.focus();
      },
    };
    if (file) {
      if (!file.media) return;
      sendMedia.mutate(
        { mediaId: file.media.id, caption: body },
        { onSuccess: () => (done.onSuccess(), attachment.clear()) },
      );
      return;
    }
    if (!body) return;
    if (noting) note.mutate(body, done);
    else send.mutate(body, done);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (query !== null && choices.length > 0) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : choices.length - 1;
        setPicked((i) => (i + step) % choices.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        pick(choices[Math.min(picked, choices.length - 1)]!);
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const error = noting ? note.error : sendError;
  const fieldError = fieldErrors(error).text ?? fieldErrors(error).caption;
  const otherError =
    error && !fieldError && (noting || refused !== "opted_out") ? errorMessage(error) : null;
  const messageId = `composer-${conversation.id}-message`;

  return (
    <>
      {windowClosed && (
        <WindowClosedNotice conversationId={conversation.id} disabledReason={disabledReason} />
      )}
      {optedOut && !noting && <OptedOutNotice />}
      <form
        onSubmit={submit}
        aria-label={noting ? "Private note" : "Reply"}
        className={cn(
          "px-3 pt-3 pb-2 sm:px-4",
          noting ? "bg-amber-50" : "bg-white",
          (!optedOut || noting) && "border-t border-gray-200",
        )}
      >
        {file && <AttachmentBar pending={file} onRemove={attachment.clear} />}
        <div className="relative flex items-end gap-2">
          {query !== null && !locked && (
            <CannedPicker replies={choices} active={picked} onPick={pick} />
          )}
          <button
            type="button"
            aria-pressed={noting}
            onClick={() => setNoting((n) => !n)}
            disabled={!!disabledReason || windowClosed}
            title={
              windowClosed
                ? "The window is closed: only a private note can be written here"
                : "A private note: the team sees it, the lead never does"
            }
            className={cn(
              "flex h-10 shrink-0 items-center gap-1 rounded-lg border px-2.5 text-xs font-medium transition-colors disabled:opacity-50",
              noting
                ? "border-amber-400 bg-amber-100 text-amber-900"
                : "border-gray-300 bg-white text-gray-600 hover:bg-gray-50",
            )}
          >
            <Lock className="size-3.5" aria-hidden="true" />
            Note
          </button>
          {!noting && (
            <>
              <input
                ref={fileInput}
                type="file"
                accept={ATTACH_ACCEPT}
                className="sr-only"
                tabIndex={-1}
                aria-label="Attach a file"
                data-testid="attach-input"
                onChange={(e) => {
                  const chosen = e.target.files?.[0];
                  if (chosen) attachment.choose(chosen);
                  e.target.value = "";
                  if (sendMedia.isError) sendMedia.reset();
                }}
              />
              <button
                type="button"
                onClick={() => fileInput.current?.click()}
                disabled={locked}
                title="Attach an image (up to 5 MB) or a document (up to 16 MB)"
                aria-label="Attach"
                className="flex size-10 shrink-0 items-center justify-center rounded-lg border border-gray-300 bg-white text-gray-600 transition-colors hover:bg-gray-50 disabled:opacity-50"
              >
                <Paperclip className="size-4" aria-hidden="true" />
              </button>
            </>
          )}
          <textarea
            ref={input}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setPicked(0);
              if (send.isError) send.reset();
              if (sendMedia.isError) sendMedia.reset();
              if (note.isError) note.reset();
            }}
            onKeyDown={onKeyDown}
            rows={1}
            disabled={locked}
            aria-label={noting ? "Private note" : "Message"}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={messageId}
            placeholder={
              disabledReason ??
              (noting
                ? "Write a private note — the lead won't see it"
                : optedOut
                  ? "This lead opted out"
                  : file
                    ? "Add a caption (optional)…"
                    : "Type a reply, or / for canned replies…")
            }
            className={cn(
              "block max-h-40 min-h-10 w-full resize-none rounded-lg border bg-white px-3 py-2 text-sm text-gray-900 shadow-sm [field-sizing:content] placeholder:text-gray-400 focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 focus:outline-none disabled:bg-gray-50",
              fieldError ? "border-red-400" : noting ? "border-amber-300" : "border-gray-300",
            )}
          />
          <button
            type="submit"
            aria-label={noting ? "Add note" : "Send"}
            aria-busy={pending || undefined}
            disabled={(file ? !fileReady : !text.trim()) || locked || pending}
            className={cn(
              "flex size-10 shrink-0 items-center justify-center rounded-lg text-white shadow-sm transition-colors disabled:cursor-not-allowed",
              noting
                ? "bg-amber-600 hover:bg-amber-700 disabled:bg-amber-600/50"
                : "bg-brand-600 hover:bg-brand-700 disabled:bg-brand-600/50",
            )}
          >
            {pending ? (
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
          ) : noting ? (
            <p className="text-amber-800">Private note: only your team sees it.</p>
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
