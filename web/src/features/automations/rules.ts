// The editor's rows and the API's rule document, each way.
import type { Automation, AutomationActionType, Glue, Operator } from "../../api/models";

/** Operators whose value is a list, written comma-separated. */
export const LIST_OPERATORS: Operator[] = ["in", "not_in", "all_of", "between"];
export const NO_VALUE: Operator[] = ["is_present", "is_not_present"];

export interface ConditionRow {
  field: string;
  operator: Operator;
  value: string;
  glue: Glue;
}

export interface ActionRow {
  type: AutomationActionType;
  params: Record<string, string>;
}

export function rowsOf(rule: Automation | null): {
  conditions: ConditionRow[];
  actions: ActionRow[];
} {
  const text = (v: unknown) =>
    Array.isArray(v) ? v.join(", ") : v === null || v === undefined ? "" : String(v);
  return {
    conditions: (rule?.conditions ?? []).map((c) => ({
      field: c.field,
      operator: c.operator,
      value: text(c.value),
      glue: c.glue ?? "and",
    })),
    actions: (rule?.actions ?? []).map((a) => ({
      type: a.type,
      params: Object.fromEntries(
        Object.entries((a.params ?? {}) as Record<string, unknown>)
          .filter(([k]) => k !== "variables")
          .map(([k, v]) => [k, text(v)]),
      ),
    })),
  };
}

export function conditionBody(c: ConditionRow) {
  const value = NO_VALUE.includes(c.operator)
    ? null
    : LIST_OPERATORS.includes(c.operator)
      ? c.value
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean)
      : c.value;
  return { field: c.field.trim(), operator: c.operator, value, glue: c.glue };
}

/** "at once", "after 2 h", … for a rule's delay. */
export function delayText(seconds: number): string {
  if (seconds === 0) return "at once";
  if (seconds % 86_400 === 0) return `after ${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `after ${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `after ${seconds / 60} min`;
  return `after ${seconds} s`;
}
