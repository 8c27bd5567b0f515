import { ArrowDown, MessagesSquare } from "lucide-react";
import { useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { errorMessage } from "../../api/errors";
import type { Message } from "../../api/models";
import { Button } from "../../components/ui/Button";
import { Spinner } from "../../components/ui/Spinner";
import { EmptyState, listState } from "../../components/ui/States";
import { cn } from "../../lib/cn";
import { useNow } from "../../lib/useNow";
import { useMessages } from "./api";
import { groupByDay } from "./format";

/** Within this many pixels of the bottom counts as "at the bottom". */
const STICK_PX = 80;
/** Within this many pixels of the top, older messages load. */
const LOAD_OLDER_PX = 120;

function DaySeparator({ label }: { label: string }) {
  return (
    <div className="sticky top-1 z-10 flex justify-center py-2" data-testid="day-separator">
      <span className="rounded-md bg-white/95 px-2.5 py-0.5 text-xs font-medium text-gray-600 shadow-xs ring-1 ring-gray-200">
        {label}
      </span>
    </div>
  );
}

/**
 * A conversation's messages with day separators. Opens at the bottom; follows new messages
 * while you are at the bottom; loads older ones when you scroll to the top, keeping your place.
 */
export function Transcript({
  conversationId,
  renderMessage,
  empty,
  className,
  label = "Messages",
}: {
  conversationId: string;
  renderMessage: (message: Message) => ReactNode;
  empty?: ReactNode;
  className?: string;
  label?: string;
}) {
  const query = useMessages(conversationId);
  const { messages, hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const now = useNow(60_000);
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const previous = useRef<{ first?: string; last?: string; height: number; top: number }>({
    height: 0,
    top: 0,
  });
  const [unseen, setUnseen] = useState(false);

  const loadOlder = () => {
    if (hasNextPage && !isFetchingNextPage && !query.isFetchNextPageError) void fetchNextPage();
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    if (atBottom.current) setUnseen(false);
    previous.current.top = el.scrollTop;
    if (el.scrollTop < LOAD_OLDER_PX) loadOlder();
  };

  // Runs after every change of the list, before paint, so the view never jumps.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || messages.length === 0) return;
    const first = messages[0]!.id;
    const last = messages[messages.length - 1]!;
    const prev = previous.current;
    if (prev.last === undefined) {
      el.scrollTop = el.scrollHeight; // opening: start at the newest
    } else if (first !== prev.first && last.id === prev.last) {
      // Older messages were added above: keep the same message under the reader's eyes.
      el.scrollTop = prev.top + (el.scrollHeight - prev.height);
    } else if (atBottom.current || (last.id !== prev.last && last.author === "human")) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
    } else if (last.id !== prev.last) {
      setUnseen(true);
    }
    previous.current = { first, last: last.id, height: el.scrollHeight, top: el.scrollTop };
    // A first page too short to scroll can't be scrolled to its top: fetch more right away.
    if (el.scrollHeight <= el.clientHeight && hasNextPage && !isFetchingNextPage) {
      void fetchNextPage();
    }
  }, [messages, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const body = listState(query, messages.length, {
    loading: "Loading messages…",
    empty: empty ?? <EmptyState icon={MessagesSquare} title="No messages yet" />,
  }) ?? (
    <>
      {hasNextPage && (
        <div className="flex justify-center py-2">
          {isFetchingNextPage ? (
            <span className="flex items-center gap-2 text-xs text-gray-500">
              <Spinner className="size-3.5" /> Loading older messages…
            </span>
          ) : (
            <Button variant="ghost" size="sm" onClick={() => void fetchNextPage()}>
              {query.isFetchNextPageError ? "Retry loading older messages" : "Load older messages"}
            </Button>
          )}
        </div>
      )}
      {query.isFetchNextPageError && (
        <p role="alert" className="text-center text-xs text-red-600">
          {errorMessage(query.error)}
        </p>
      )}
      {groupByDay(messages, now).map((group) => (
        <section key={group.key} aria-label={group.label}>
          <DaySeparator label={group.label} />
          <div className="space-y-1">
            {group.items.map((message) => (
              <div key={message.id}>{renderMessage(message)}</div>
            ))}
          </div>
        </section>
      ))}
    </>
  );

  return (
    <div className={cn("relative min-h-0 flex-1", className)}>
      <div
        ref={scroller}
        onScroll={onScroll}
        role="log"
        aria-label={label}
        aria-live="polite"
        className="h-full overflow-y-auto px-3 py-2 [overflow-anchor:none] sm:px-5"
      >
        {body}
      </div>
      {unseen && (
        <button
          type="button"
          onClick={() => {
            const el = scroller.current;
            if (el) el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
            setUnseen(false);
          }}
          className="absolute bottom-3 left-1/2 flex -translate-x-1/2 items-center gap-1.5 rounded-full bg-gray-900 px-3 py-1.5 text-xs font-medium text-white shadow-lg hover:bg-gray-800"
        >
          <ArrowDown className="size-3.5" aria-hidden="true" />
          New messages
        </button>
      )}
    </div>
  );
}
