import { describe, expect, it } from "vitest";
import { diffCounts, diffJson, diffText, foldUnchanged, hasChanges } from "./diff";

describe("diffText", () => {
  it("numbers kept, removed and added lines", () => {
    expect(diffText("a\nb\nc\n", "a\nB\nc\n")).toEqual([
      { kind: "same", text: "a", oldLine: 1, newLine: 1 },
      { kind: "remove", text: "b", oldLine: 2, newLine: null },
      { kind: "add", text: "B", oldLine: null, newLine: 2 },
      { kind: "same", text: "c", oldLine: 3, newLine: 3 },
    ]);
  });

  it("handles text without a final newline and additions at the end", () => {
    const rows = diffText("a", "a\nb");
    expect(rows.filter((r) => r.kind === "add").map((r) => r.text)).toEqual(["b"]);
    expect(diffCounts(rows)).toEqual({ added: 1, removed: 0 });
  });
});

describe("diffJson", () => {
  it("shows the changed value as one removed and one added line", () => {
    const before = { language: "en", message_length_max_words: 25, honorifics: false };
    const after = { language: "en", message_length_max_words: 40, honorifics: false };
    const rows = diffJson(before, after);
    expect(rows.filter((r) => r.kind !== "same")).toEqual([
      { kind: "remove", text: '  "message_length_max_words": 25', oldLine: 4, newLine: null },
      { kind: "add", text: '  "message_length_max_words": 40', oldLine: null, newLine: 4 },
    ]);
    expect(hasChanges(rows)).toBe(true);
  });

  it("ignores key order", () => {
    expect(hasChanges(diffJson({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }))).toBe(
      false,
    );
    expect(hasChanges(diffJson(null, {}))).toBe(false);
  });
});

describe("foldUnchanged", () => {
  const lines = (n: number, prefix = "l") =>
    Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`).join("\n");

  it("keeps context around a change and folds the rest", () => {
    const before = lines(20);
    const after = before.replace("l10", "changed");
    const display = foldUnchanged(diffText(before, after), 2);
    expect(display[0]).toEqual({ kind: "fold", count: 7 });
    const shown = display.filter((r) => r.kind !== "fold").map((r) => ("text" in r ? r.text : ""));
    expect(shown).toEqual(["l8", "l9", "l10", "changed", "l11", "l12"]);
    expect(display[display.length - 1]).toEqual({ kind: "fold", count: 8 });
  });

  it("shows a lone hidden line instead of folding it", () => {
    const before = lines(7);
    const after = before.replace("l1\n", "x\n").replace("l7", "y");
    const display = foldUnchanged(diffText(before, after), 2);
    expect(display.some((r) => r.kind === "fold")).toBe(false);
  });

  it("folds everything when nothing changed", () => {
    expect(foldUnchanged(diffText(lines(5), lines(5)))).toEqual([{ kind: "fold", count: 5 }]);
  });
});
