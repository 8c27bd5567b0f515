// The business's working hours as days and times (business_config.working_schedule): outside
// them a lead handed to the team hears when a person is back instead of "shortly".
import { Plus, X } from "lucide-react";
import { Button } from "../../../components/ui/Button";
import { Input } from "../../../components/ui/Input";
import { object, strings, text } from "./controls";

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

interface OpenHours {
  days: string[];
  open: string;
  close: string;
}

/** The rows of a stored schedule; a row of the wrong shape shows as empty. */
function rowsOf(value: unknown): OpenHours[] {
  if (!Array.isArray(value)) return [];
  return value.map((v) => {
    const row = object(v);
    return { days: strings(row.days), open: text(row.open), close: text(row.close) };
  });
}

/** "monday", "MON" and "Mon" are the same day to the server. */
const sameDay = (a: string, b: string) => a.slice(0, 3).toLowerCase() === b.toLowerCase();

export function WorkingScheduleField({
  value,
  onChange,
  disabled,
  error,
}: {
  value: unknown;
  /** The new rows; undefined when none is left (the free-text hours apply again). */
  onChange: (rows: OpenHours[] | undefined) => void;
  disabled: boolean;
  error?: string;
}) {
  const rows = rowsOf(value);
  const update = (i: number, row: OpenHours) => onChange(rows.map((r, j) => (j === i ? row : r)));
  const remove = (i: number) => {
    const left = rows.filter((_, j) => j !== i);
    onChange(left.length ? left : undefined);
  };
  const toggle = (row: OpenHours, day: string, on: boolean) =>
    on
      ? DAYS.filter((d) => d === day || row.days.some((r) => sameDay(r, d)))
      : row.days.filter((r) => !sameDay(r, day));
  return (
    <fieldset className="space-y-2" data-testid="working-schedule">
      <legend className="text-sm font-medium text-gray-700">Opening hours, day by day</legend>
      <p className="text-sm text-gray-500">
        In the timezone below. Outside these hours a lead handed to your team is told when you are
        back. None set: the agent reads the working hours as written (e.g. “Mon-Sat 9am-7pm”).
      </p>
      <ul className="space-y-2">
        {rows.map((row, i) => {
          const n = i + 1;
          return (
            <li key={i} className="flex flex-wrap items-center gap-3 text-sm">
              <span className="flex flex-wrap gap-2">
                {DAYS.map((day) => (
                  <label key={day} className="flex items-center gap-1 text-gray-700">
                    <input
                      type="checkbox"
                      className="size-4 rounded border-gray-300 text-brand-600 focus:ring-brand-500"
                      checked={row.days.some((d) => sameDay(d, day))}
                      disabled={disabled}
                      onChange={(e) =>
                        update(i, { ...row, days: toggle(row, day, e.target.checked) })
                      }
                      aria-label={`${day} (hours ${n})`}
                    />
                    {day}
                  </label>
                ))}
              </span>
              <Input
                type="time"
                value={row.open.slice(0, 5)}
                onChange={(e) => update(i, { ...row, open: e.target.value })}
                disabled={disabled}
                aria-label={`Opens (hours ${n})`}
                className="w-32"
              />
              <span className="text-gray-500">to</span>
              <Input
                type="time"
                value={row.close.slice(0, 5)}
                onChange={(e) => update(i, { ...row, close: e.target.value })}
                disabled={disabled}
                aria-label={`Closes (hours ${n})`}
                className="w-32"
              />
              <Button
                variant="ghost"
                size="sm"
                onClick={() => remove(i)}
                disabled={disabled}
                aria-label={`Remove hours ${n}`}
              >
                <X className="size-4" aria-hidden="true" />
              </Button>
            </li>
          );
        })}
      </ul>
      {!disabled && (
        <Button
          variant="secondary"
          size="sm"
          onClick={() =>
            onChange([...rows, { days: [...DAYS.slice(0, 6)], open: "09:00", close: "19:00" }])
          }
        >
          <Plus className="size-4" aria-hidden="true" />
          Add opening hours
        </Button>
      )}
      {error && <p className="text-sm text-red-600">{error}</p>}
    </fieldset>
  );
}
