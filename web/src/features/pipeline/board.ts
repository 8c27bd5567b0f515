// Pure helpers of the pipeline board: where a dragged card lands, the optimistic board a move
// leaves behind, and how time in a stage reads. The server decides for real; these make the
// board answer at once and put things back when it refuses.
import type { BoardColumn, Card } from "./api";

/** The board's state a drag works on: each stage's cards, in order. */
export type Columns = Record<string, Card[]>;

export function columnsOf(columns: BoardColumn[]): Columns {
  return Object.fromEntries(columns.map((c) => [c.stage.id, c.cards]));
}

/** A column's cards (none for an unknown stage). */
export function cardsIn(columns: Columns, stageId: string): Card[] {
  return columns[stageId] ?? [];
}

/** The stage holding a card (or the stage whose id this is, for a drop on an empty column). */
export function stageOf(columns: Columns, id: string): string | undefined {
  if (id in columns) return id;
  return Object.keys(columns).find((s) => cardsIn(columns, s).some((c) => c.id === id));
}

export interface Drop {
  stageId: string;
  /** Index in the target column once the card is out of its old place, 0 = top. */
  position: number;
}

/**
 * Where a card dropped on `overId` (a card or a column) lands: on a card, it takes that card's
 * place; on a column, it goes to the bottom of what is shown.
 */
export function dropTarget(columns: Columns, cardId: string, overId: string): Drop | null {
  const stageId = stageOf(columns, overId);
  if (!stageId) return null;
  const column = cardsIn(columns, stageId);
  const without = column.filter((c) => c.id !== cardId);
  if (overId === stageId) return { stageId, position: without.length };
  const from = stageOf(columns, cardId);
  const overIndex = column.findIndex((c) => c.id === overId);
  const cardIndex = column.findIndex((c) => c.id === cardId);
  // Within one column, dragging down puts the card below the one it is over.
  if (from === stageId && cardIndex !== -1 && cardIndex < overIndex)
    return { stageId, position: overIndex };
  return {
    stageId,
    position: Math.max(
      0,
      without.findIndex((c) => c.id === overId),
    ),
  };
}

/** The board after moving `cardId` to `drop`: what is shown until the server answers. */
export function applyMove(columns: Columns, cardId: string, drop: Drop): Columns {
  const from = stageOf(columns, cardId);
  const card = from ? cardsIn(columns, from).find((c) => c.id === cardId) : undefined;
  if (!from || !card) return columns;
  const next: Columns = {
    ...columns,
    [from]: cardsIn(columns, from).filter((c) => c.id !== cardId),
  };
  const target = [...cardsIn(next, drop.stageId)];
  target.splice(Math.min(drop.position, target.length), 0, card);
  next[drop.stageId] = target;
  return next;
}

/** The count and value sum of each column after a card moved between two of them. */
export function moveTotals(
  totals: Record<string, { count: number; value: number }>,
  card: Card,
  from: string,
  to: string,
): Record<string, { count: number; value: number }> {
  if (from === to) return totals;
  const value = card.value_minor ?? 0;
  const a = totals[from] ?? { count: 0, value: 0 };
  const b = totals[to] ?? { count: 0, value: 0 };
  return {
    ...totals,
    [from]: { count: a.count - 1, value: a.value - value },
    [to]: { count: b.count + 1, value: b.value + value },
  };
}

/** `3d`, `5h`, `12m`, `now`: how long a card has been in its stage. */
export function timeInStage(since: string | null | undefined, now: Date = new Date()): string {
  if (!since) return "";
  const seconds = Math.max(0, (now.getTime() - new Date(since).getTime()) / 1000);
  if (seconds < 60) return "now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** `1h 5m`, `2d 3h`: a duration in seconds, for history rows. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
