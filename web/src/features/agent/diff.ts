// Line diffs of two versions of a JSON document, for the versions tab. The diff itself is
// jsdiff's; this only turns it into numbered rows and folds long unchanged stretches.
import { diffLines } from "diff";
import { prettyJson, sortKeys } from "./documents";

export interface DiffRow {
  kind: "add" | "remove" | "same";
  text: string;
  /** Line number in the old text (remove, same). */
  oldLine: number | null;
  /** Line number in the new text (add, same). */
  newLine: number | null;
}

export interface FoldRow {
  kind: "fold";
  /** How many unchanged lines are hidden here. */
  count: number;
}

export type DisplayRow = DiffRow | FoldRow;

/** Numbered line rows from `before` to `after`. */
export function diffText(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let oldLine = 1;
  let newLine = 1;
  // Every line ends in a newline, so the last line compares like the others.
  const end = (text: string) => (text === "" || text.endsWith("\n") ? text : `${text}\n`);
  for (const change of diffLines(end(before), end(after))) {
    const lines = change.value.replace(/\n$/, "").split("\n");
    for (const text of lines) {
      if (change.added) rows.push({ kind: "add", text, oldLine: null, newLine: newLine++ });
      else if (change.removed)
        rows.push({ kind: "remove", text, oldLine: oldLine++, newLine: null });
      else rows.push({ kind: "same", text, oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return rows;
}

/** The line diff of two JSON values, pretty-printed with sorted keys so order is no change. */
export function diffJson(before: unknown, after: unknown): DiffRow[] {
  return diffText(prettyJson(sortKeys(before ?? {})), prettyJson(sortKeys(after ?? {})));
}

export function hasChanges(rows: readonly DiffRow[]): boolean {
  return rows.some((r) => r.kind !== "same");
}

export function diffCounts(rows: readonly DiffRow[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const r of rows) {
    if (r.kind === "add") added += 1;
    else if (r.kind === "remove") removed += 1;
  }
  return { added, removed };
}

/**
 * Keeps `context` unchanged lines around each change and folds the rest into one row saying
 * how many lines it hides. A fold of a single line is not worth it: that line is shown.
 */
export function foldUnchanged(rows: readonly DiffRow[], context = 3): DisplayRow[] {
  const keep = rows.map(() => false);
  rows.forEach((row, i) => {
    if (row.kind === "same") return;
    for (let j = Math.max(0, i - context); j <= Math.min(rows.length - 1, i + context); j += 1)
      keep[j] = true;
  });
  const out: DisplayRow[] = [];
  let i = 0;
  while (i < rows.length) {
    if (keep[i]) {
      out.push(rows[i]!);
      i += 1;
      continue;
    }
    let j = i;
    while (j < rows.length && !keep[j]) j += 1;
    if (j - i === 1) out.push(rows[i]!);
    else out.push({ kind: "fold", count: j - i });
    i = j;
  }
  return out;
}
