import { describe, expect, it } from "vitest";
import type { Card } from "./api";
import {
  applyMove,
  dropTarget,
  formatDuration,
  moveTotals,
  timeInStage,
  type Columns,
} from "./board";

const card = (id: string, value: number | null = null) => ({ id, value_minor: value }) as Card;

const board = (): Columns => ({
  new: [card("a", 100), card("b"), card("c")],
  won: [card("x", 500)],
  empty: [],
});

const ids = (cols: Columns, s: string) => (cols[s] ?? []).map((c) => c.id);

describe("dropTarget", () => {
  it("takes the place of the card it is dropped on in another column", () => {
    expect(dropTarget(board(), "b", "x")).toEqual({ stageId: "won", position: 0 });
  });
  it("goes to the bottom of a column dropped on itself", () => {
    expect(dropTarget(board(), "a", "won")).toEqual({ stageId: "won", position: 1 });
    expect(dropTarget(board(), "a", "empty")).toEqual({ stageId: "empty", position: 0 });
  });
  it("reorders within a column, up and down", () => {
    expect(dropTarget(board(), "c", "a")).toEqual({ stageId: "new", position: 0 });
    expect(dropTarget(board(), "a", "c")).toEqual({ stageId: "new", position: 2 });
  });
  it("knows nothing of an unknown target", () => {
    expect(dropTarget(board(), "a", "nowhere")).toBeNull();
  });
});

describe("applyMove", () => {
  it("moves between columns and within one", () => {
    const moved = applyMove(board(), "b", { stageId: "won", position: 0 });
    expect(ids(moved, "new")).toEqual(["a", "c"]);
    expect(ids(moved, "won")).toEqual(["b", "x"]);
    expect(ids(applyMove(board(), "a", { stageId: "new", position: 2 }), "new")).toEqual([
      "b",
      "c",
      "a",
    ]);
  });
  it("leaves the board untouched for an unknown card", () => {
    const b = board();
    expect(applyMove(b, "zz", { stageId: "won", position: 0 })).toBe(b);
  });
});

describe("moveTotals", () => {
  it("moves the count and the value", () => {
    const t = { new: { count: 3, value: 100 }, won: { count: 1, value: 500 } };
    expect(moveTotals(t, card("a", 100), "new", "won")).toEqual({
      new: { count: 2, value: 0 },
      won: { count: 2, value: 600 },
    });
    expect(moveTotals(t, card("a", 100), "new", "new")).toBe(t);
  });
});

describe("durations", () => {
  const now = new Date("2026-01-10T12:00:00Z");
  it("reads time in stage", () => {
    expect(timeInStage("2026-01-10T11:59:30Z", now)).toBe("now");
    expect(timeInStage("2026-01-10T11:15:00Z", now)).toBe("45m");
    expect(timeInStage("2026-01-10T07:00:00Z", now)).toBe("5h");
    expect(timeInStage("2026-01-07T12:00:00Z", now)).toBe("3d");
    expect(timeInStage(null, now)).toBe("");
  });
  it("formats seconds", () => {
    expect(formatDuration(42)).toBe("42s");
    expect(formatDuration(3900)).toBe("1h 5m");
    expect(formatDuration(2 * 86400 + 3 * 3600)).toBe("2d 3h");
    expect(formatDuration(null)).toBe("");
  });
});
