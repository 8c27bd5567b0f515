import { MessagesSquare } from "lucide-react";
import { useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { ESCALATION_PRIORITIES } from "../../api/enums";
import type { ConversationFilters } from "../../api/models";
import { EmptyState } from "../../components/ui/States";
import { cn } from "../../lib/cn";
import { RealtimeIndicator } from "../../realtime/RealtimeIndicator";
import { ConversationList } from "./ConversationList";
import { ConversationPane } from "./ConversationPane";

/** The filters a link's query names: `needs_human=true`, `priority=high`. */
export function filtersOf(params: URLSearchParams): ConversationFilters {
  const priority = ESCALATION_PRIORITIES.find((p) => p === params.get("priority"));
  return {
    ...(params.get("needs_human") === "true" ? { needs_human: true } : {}),
    ...(priority ? { priority } : {}),
  };
}

/**
 * The inbox: conversations on the left, the open one in the middle, the lead on the right.
 * On a phone the list and the conversation each take the whole screen.
 */
export function InboxPage() {
  const { conversationId } = useParams();
  // A link may open the inbox filtered (the dashboard's hand-offs: `?needs_human=true`).
  const [params] = useSearchParams();
  const [filters, setFilters] = useState<ConversationFilters>(() => filtersOf(params));

  return (
    <div className="flex h-[calc(100dvh-3.5rem)] min-h-0 md:h-dvh">
      <section
        aria-label="Conversation list"
        className={cn(
          "w-full min-w-0 flex-col border-r border-gray-200 bg-white md:flex md:w-80 md:shrink-0 lg:w-96",
          conversationId ? "hidden" : "flex",
        )}
      >
        <div className="flex items-center justify-between gap-2 px-4 pt-4 pb-3">
          <h1 className="text-xl font-semibold tracking-tight text-gray-900">Inbox</h1>
          <RealtimeIndicator />
        </div>
        <ConversationList
          selectedId={conversationId}
          filters={filters}
          onFiltersChange={setFilters}
        />
      </section>
      <div className={cn("min-w-0 flex-1", conversationId ? "flex" : "hidden md:flex")}>
        {conversationId ? (
          <ConversationPane key={conversationId} id={conversationId} />
        ) : (
          <EmptyState
            className="flex-1 justify-center"
            icon={MessagesSquare}
            title="Select a conversation"
            description="Pick a conversation on the left to read it, take over from the bot, or reply."
          />
        )}
      </div>
    </div>
  );
}
