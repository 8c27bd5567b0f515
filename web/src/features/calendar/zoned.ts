// Times in the organisation's timezone, whatever the browser's: the calendar's days start at
// the organisation's midnight, and a time typed into the reschedule form is read there too.
// Intl knows every IANA zone; these helpers only turn its answers into instants and back.

/** The wall-clock parts of `at` in `timeZone`. */
export function zonedParts(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/** The instant at which the wall clock in `timeZone` reads the given time. */
export function zonedTime(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
): Date {
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wanted;
  // Twice: the offset at the first guess may differ from the offset at the answer (DST).
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(new Date(guess), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wanted - shown;
  }
  return new Date(guess);
}

/** Midnight of `at`'s day in `timeZone`, `days` days later. */
export function startOfDay(at: Date, timeZone: string, days = 0): Date {
  const p = zonedParts(at, timeZone);
  return zonedTime(timeZone, p.year, p.month, p.day + days);
}

/** Midnight of the Monday of `at`'s week in `timeZone`, `weeks` weeks later. */
export function startOfWeek(at: Date, timeZone: string, weeks = 0): Date {
  const p = zonedParts(at, timeZone);
  const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7;
  return zonedTime(timeZone, p.year, p.month, p.day - weekday + weeks * 7);
}

/** `YYYY-MM-DD` of `at` in `timeZone`: the key events are grouped by. */
export function dayKeyIn(at: Date, timeZone: string): string {
  const p = zonedParts(at, timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** `YYYY-MM-DDTHH:MM` of `at` in `timeZone`, for a datetime-local input. */
export function localInputValue(at: Date, timeZone: string): string {
  const p = zonedParts(at, timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** A datetime-local input's value read in `timeZone`; null when it is not a time. */
export function fromLocalInput(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return zonedTime(timeZone, y, mo, d, h, mi);
}

/** "15:00" in `timeZone`. */
export function clockIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(at);
}

/** "Tue 8 Dec" in `timeZone`. */
export function dayIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
  }).format(at);
}
