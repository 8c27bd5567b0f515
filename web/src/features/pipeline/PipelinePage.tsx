import {
  closestCorners,
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
} from "@dnd-kit/core";
import {
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from "@dnd-kit/sortable";
import { useMoney } from "../organisation";
import { CSS } from "@dnd-kit/utilities";
import * as DialogPrimitive from "@radix-ui/react-dialog";
import { ExternalLink, KanbanSquare, MessageCircle, Search, Settings, X } from "lucide-react";
import { useMemo, useState, type KeyboardEvent } from "react";
import { Link } from "react-router";
import { formMessage } from "../../api/errors";
import { Page } from "../../components/Page";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Input } from "../../components/ui/Input";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { canManage, formatCount } from "../../lib/format";
import { cn } from "../../lib/cn";
import { useDebounced } from "../../lib/useDebounced";
import { useNow } from "../../lib/useNow";
import { useSession } from "../auth";
import { BusinessBubble, Transcript } from "../inbox";
import {
  fetchColumnPage,
  useBoard,
  useMoveLead,
  type Board,
  type BoardQuery,
  type Card,
  type Stage,
} from "./api";
import {
  applyMove,
  cardsIn,
  columnsOf,
  dropTarget,
  moveTotals,
  stageOf,
  timeInStage,
  type Columns,
} from "./board";

type Totals = Record<string, { count: number; value: number }>;

/** Pipeline: a kanban board of the leads by stage; drag a card to move it. */
export function PipelinePage() {
  const [text, setText] = useState("");
  const q = useDebounced(text.trim(), 300);
  const query: BoardQuery = q ? { q } : {};
  const { user } = useSession();
  const board = useBoard(query);
  const [open, setOpen] = useState<Card | null>(null);
  return (
    <Page
      title="Pipeline"
      description="Every lead by stage. The agent moves leads forward as their conversations progress; your moves win."
      className="max-w-none"
      actions={
        canManage(user.role) && (
          <Link
            to="/settings/pipeline-stages"
            className="inline-flex h-9 items-center gap-2 rounded-md border border-gray-300 bg-white px-3 text-sm text-gray-700 shadow-sm hover:bg-gray-50"
          >
            <Settings className="size-4" /> Stages
          </Link>
        )
      }
    >
      <div className="relative mb-4 max-w-sm">
        <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-gray-400" />
        <Input
          aria-label="Search leads"
          placeholder="Search name, phone, tag…"
          className="pl-9"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      {board.isPending ? (
        <LoadingState label="Loading the pipeline…" />
      ) : board.isError ? (
        <ErrorState error={board.error} onRetry={() => void board.refetch()} />
      ) : (
        // A fresh board (and fresh "Load more" pages) for every search and every answer.
        <BoardView
          key={`${q}|${board.dataUpdatedAt}`}
          data={board.data}
          query={query}
          canMove={user.role !== "viewer"}
          onOpen={setOpen}
        />
      )}
      <LeadPanel card={open} onClose={() => setOpen(null)} />
    </Page>
  );
}

interface Extra {
  cards: Card[];
  cursor: string | null;
  loading: boolean;
}

function BoardView({
  data,
  query,
  canMove,
  onOpen,
}: {
  data: Board;
  query: BoardQuery;
  canMove: boolean;
  onOpen: (card: Card) => void;
}) {
  const move = useMoveLead();
  const [extra, setExtra] = useState<Record<string, Extra>>({});
  const [optimistic, setOptimistic] = useState<{ cols: Columns; totals: Totals } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState<Card | null>(null);
  const now = useNow(60_000);

  const base = useMemo(() => {
    const cols = columnsOf(data.columns);
    for (const [stage, more] of Object.entries(extra)) {
      const seen = new Set(cols[stage]?.map((c) => c.id));
      cols[stage] = [...cardsIn(cols, stage), ...more.cards.filter((c) => !seen.has(c.id))];
    }
    const totals: Totals = Object.fromEntries(
      data.columns.map((c) => [c.stage.id, { count: c.count, value: c.value_sum_minor }]),
    );
    return { cols, totals };
  }, [data, extra]);
  const shown = optimistic ?? base;

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: sortableKeyboardCoordinates,
      keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] },
    }),
  );

  const cursorOf = (stageId: string) => {
    const more = extra[stageId];
    if (more) return more.cursor;
    return data.columns.find((c) => c.stage.id === stageId)?.next_cursor ?? null;
  };

  const loadMore = async (stageId: string) => {
    const cursor = cursorOf(stageId);
    if (!cursor) return;
    setExtra((e) => ({
      ...e,
      [stageId]: { cards: e[stageId]?.cards ?? [], cursor, loading: true },
    }));
    try {
      const page = await fetchColumnPage(query, stageId, cursor);
      const col = page.columns[0];
      setExtra((e) => ({
        ...e,
        [stageId]: {
          cards: [...(e[stageId]?.cards ?? []), ...(col?.cards ?? [])],
          cursor: col?.next_cursor ?? null,
          loading: false,
        },
      }));
    } catch (err) {
      setError(formMessage(err, []) ?? "Could not load more cards.");
      setExtra((e) => ({
        ...e,
        [stageId]: { cards: e[stageId]?.cards ?? [], cursor, loading: false },
      }));
    }
  };

  const onDragStart = (e: DragStartEvent) => {
    const id = String(e.active.id);
    const stage = stageOf(shown.cols, id);
    setDragging(stage ? (cardsIn(shown.cols, stage).find((c) => c.id === id) ?? null) : null);
  };

  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null);
    if (!e.over) return;
    const cardId = String(e.active.id);
    const from = stageOf(shown.cols, cardId);
    const drop = dropTarget(shown.cols, cardId, String(e.over.id));
    if (!from || !drop) return;
    const oldIndex = cardsIn(shown.cols, from).findIndex((c) => c.id === cardId);
    if (from === drop.stageId && oldIndex === drop.position) return;
    const card = cardsIn(shown.cols, from)[oldIndex];
    if (!card) return;
    setError(null);
    setOptimistic({
      cols: applyMove(shown.cols, cardId, drop),
      totals: moveTotals(shown.totals, card, from, drop.stageId),
    });
    move.mutate(
      { leadId: cardId, body: { stage_id: drop.stageId, position: drop.position } },
      {
        // The board comes back with the server's answer (a fresh key); until then it shows
        // the move. A refusal puts the card back where it was.
        onError: (err) => {
          setOptimistic(null);
          setError(
            `${card.name ?? card.phone ?? "The lead"} could not be moved: ${formMessage(err, []) ?? "try again"}`,
          );
        },
      },
    );
  };

  if (data.columns.length === 0)
    return (
      <EmptyState icon={KanbanSquare} title="No stages" description="Add stages in Settings." />
    );

  return (
    <>
      {error && (
        <Alert tone="error" className="mb-3">
          {error}
        </Alert>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setDragging(null)}
        accessibility={{
          screenReaderInstructions: {
            draggable:
              "To move a lead, press space. Use the arrow keys to choose a stage and a place, space to drop it there, escape to cancel. Press enter to open the lead.",
          },
        }}
      >
        <div
          className="-mx-4 flex snap-x gap-3 overflow-x-auto px-4 pb-4 sm:mx-0 sm:px-0"
          aria-label="Pipeline board"
          role="region"
        >
          {data.columns.map((col) => (
            <Column
              key={col.stage.id}
              stage={col.stage}
              cards={cardsIn(shown.cols, col.stage.id)}
              total={shown.totals[col.stage.id] ?? { count: 0, value: 0 }}
              hasMore={Boolean(cursorOf(col.stage.id))}
              loadingMore={extra[col.stage.id]?.loading ?? false}
              onLoadMore={() => void loadMore(col.stage.id)}
              onOpen={onOpen}
              canMove={canMove}
              now={now}
            />
          ))}
        </div>
        <DragOverlay>
          {dragging && <CardBody card={dragging} now={now} className="rotate-1 shadow-lg" />}
        </DragOverlay>
      </DndContext>
    </>
  );
}

function Column({
  stage,
  cards,
  total,
  hasMore,
  loadingMore,
  onLoadMore,
  onOpen,
  canMove,
  now,
}: {
  stage: Stage;
  cards: Card[];
  total: { count: number; value: number };
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  onOpen: (card: Card) => void;
  canMove: boolean;
  now: Date;
}) {
  const money = useMoney();
  const { setNodeRef, isOver } = useDroppable({ id: stage.id });
  const headingId = `stage-${stage.id}`;
  return (
    <section
      aria-labelledby={headingId}
      data-testid="pipeline-column"
      data-stage={stage.name}
      data-over={isOver || undefined}
      className={cn(
        "flex w-72 shrink-0 snap-start flex-col rounded-lg border border-gray-200 bg-gray-50",
        isOver && "ring-2 ring-brand-500/40",
      )}
    >
      <header
        className="border-b border-gray-200 px-3 py-2.5"
        style={{ borderTop: `3px solid ${stage.color}` }}
      >
        <div className="flex items-center justify-between gap-2">
          <h2 id={headingId} className="truncate text-sm font-semibold text-gray-900">
            {stage.name}
          </h2>
          <span className="flex items-center gap-1.5">
            {stage.kind !== "open" && (
              <Badge tone={stage.kind === "won" ? "green" : "red"}>{stage.kind}</Badge>
            )}
            <span
              className="rounded-full bg-white px-2 py-0.5 text-xs font-medium text-gray-700 ring-1 ring-gray-200"
              data-testid="column-count"
              aria-label={`${formatCount(total.count)} leads`}
            >
              {formatCount(total.count)}
            </span>
          </span>
        </div>
        <p className="mt-0.5 text-xs text-gray-500" data-testid="column-value">
          {money(total.value)}
        </p>
      </header>
      <SortableContext items={cards.map((c) => c.id)} strategy={verticalListSortingStrategy}>
        <ol
          ref={setNodeRef}
          className="flex min-h-24 flex-1 flex-col gap-2 p-2"
          aria-label={`${stage.name} leads`}
        >
          {cards.map((c) => (
            <SortableCard key={c.id} card={c} onOpen={onOpen} canMove={canMove} now={now} />
          ))}
          {cards.length === 0 && (
            <li className="rounded-md border border-dashed border-gray-300 p-3 text-center text-xs text-gray-400">
              No leads
            </li>
          )}
        </ol>
      </SortableContext>
      {hasMore && (
        <div className="px-2 pb-2">
          <Button
            variant="ghost"
            size="sm"
            className="w-full"
            onClick={onLoadMore}
            disabled={loadingMore}
          >
            {loadingMore ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
    </section>
  );
}

function SortableCard({
  card,
  onOpen,
  canMove,
  now,
}: {
  card: Card;
  onOpen: (card: Card) => void;
  canMove: boolean;
  now: Date;
}) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: card.id,
    disabled: !canMove,
  });
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key === "Enter" && !isDragging) {
      e.preventDefault();
      onOpen(card);
      return;
    }
    listeners?.onKeyDown?.(e);
  };
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      className={cn(isDragging && "opacity-40")}
    >
      <CardBody
        card={card}
        now={now}
        {...attributes}
        {...listeners}
        onKeyDown={onKeyDown}
        onClick={() => onOpen(card)}
        aria-roledescription={canMove ? "draggable lead" : undefined}
        aria-label={`${card.name ?? card.phone ?? "Lead"}${canMove ? ", press space to move" : ""}`}
        className={cn(canMove ? "cursor-grab active:cursor-grabbing" : "cursor-pointer")}
      />
    </li>
  );
}

function CardBody({
  card,
  now,
  className,
  ...rest
}: {
  card: Card;
  now: Date;
  className?: string;
} & React.HTMLAttributes<HTMLDivElement>) {
  const money = useMoney();
  return (
    <div
      data-testid="pipeline-card"
      className={cn(
        "touch-manipulation rounded-md border border-gray-200 bg-white p-2.5 text-left shadow-xs outline-none hover:border-gray-300 focus-visible:ring-2 focus-visible:ring-brand-500",
        className,
      )}
      {...rest}
    >
      <div className="flex items-start justify-between gap-2">
        <p className="truncate text-sm font-medium text-gray-900">
          {card.erased_at ? "Erased lead" : (card.name ?? card.phone ?? "Unnamed")}
        </p>
        <span className="shrink-0 text-xs text-gray-400" title="Time in stage">
          {timeInStage(card.stage_entered_at, now)}
        </span>
      </div>
      {card.name && card.phone && <p className="text-xs text-gray-500">{card.phone}</p>}
      {(card.value_minor !== null && card.value_minor !== undefined) || card.tags.length > 0 ? (
        <div className="mt-1.5 flex flex-wrap items-center gap-1">
          {card.value_minor !== null && card.value_minor !== undefined && (
            <span className="text-xs font-medium text-gray-700">{money(card.value_minor)}</span>
          )}
          {card.tags.slice(0, 3).map((t) => (
            <Badge key={t} tone="gray" className="px-1.5 py-0 text-[11px]">
              {t}
            </Badge>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** The lead's conversation beside the board, without leaving it. */
function LeadPanel({ card, onClose }: { card: Card | null; onClose: () => void }) {
  const money = useMoney();
  return (
    <DialogPrimitive.Root open={card !== null} onOpenChange={(o) => !o && onClose()}>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-gray-900/30" />
        <DialogPrimitive.Content
          className="fixed inset-y-0 right-0 z-50 flex w-full max-w-md flex-col bg-white shadow-xl focus:outline-none"
          aria-describedby={undefined}
        >
          {card && (
            <>
              <div className="flex items-start justify-between gap-3 border-b border-gray-200 p-4">
                <div className="min-w-0">
                  <DialogPrimitive.Title className="truncate text-base font-semibold text-gray-900">
                    {card.name ?? card.phone ?? "Lead"}
                  </DialogPrimitive.Title>
                  <p className="text-sm text-gray-500">
                    {[
                      card.phone,
                      card.stage?.name,
                      card.value_minor != null ? money(card.value_minor) : null,
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </p>
                  <div className="mt-2 flex flex-wrap gap-2 text-sm">
                    <Link
                      to={`/leads/${card.id}`}
                      className="inline-flex items-center gap-1 text-brand-700 hover:underline"
                    >
                      <ExternalLink className="size-3.5" /> Lead page
                    </Link>
                    {card.conversation_id && (
                      <Link
                        to={`/inbox/${card.conversation_id}`}
                        className="inline-flex items-center gap-1 text-brand-700 hover:underline"
                      >
                        <MessageCircle className="size-3.5" /> Open in inbox
                      </Link>
                    )}
                  </div>
                </div>
                <DialogPrimitive.Close
                  className="rounded-md p-1 text-gray-400 hover:bg-gray-100 hover:text-gray-600"
                  aria-label="Close"
                >
                  <X className="size-4" />
                </DialogPrimitive.Close>
              </div>
              {card.conversation_id ? (
                <Transcript
                  conversationId={card.conversation_id}
                  label={`Messages with ${card.name ?? card.phone ?? "the lead"}`}
                  renderMessage={(m) => <BusinessBubble message={m} />}
                />
              ) : (
                <p className="p-4 text-sm text-gray-500">This lead has no conversation yet.</p>
              )}
            </>
          )}
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}
