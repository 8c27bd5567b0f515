// The editor's conversions between what the owner types and the sequence document.

/** Operators whose value is a list (typed as `a, b, c`). */
export const LIST_OPERATORS = new Set(["in", "not_in", "all_of"]);

/** The wait in the largest unit it is a whole number of. */
export function splitWait(seconds: number): { amount: number; unit: string } {
  for (const u of [86400, 3600, 60]) {
    if (seconds >= u && seconds % u === 0) return { amount: seconds / u, unit: String(u) };
  }
  return { amount: seconds, unit: "1" };
}

/** A condition's value as typed: a list for list operators, a number when it reads as one. */
export function valueOf(operator: string, text: string): unknown {
  if (LIST_OPERATORS.has(operator))
    return text
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
  if (operator.startsWith("is_")) return null;
  const n = Number(text);
  return text.trim() !== "" && !Number.isNaN(n) && operator !== "contains" ? n : text;
}

export function textOf(value: unknown): string {
  if (Array.isArray(value)) return value.join(", ");
  if (value == null) return "";
  return String(value);
}
