// When a snoozed action comes back: the choices the action center offers, computed from now.

export interface SnoozeChoice {
  label: string;
  until: Date;
}

/** In an hour, in three hours, tomorrow at 9:00 local time, and in a week at 9:00. */
export function snoozeChoices(now: Date): SnoozeChoice[] {
  const at9 = (days: number) => {
    const d = new Date(now);
    d.setDate(d.getDate() + days);
    d.setHours(9, 0, 0, 0);
    return d;
  };
  return [
    { label: "1 hour", until: new Date(now.getTime() + 60 * 60 * 1000) },
    { label: "3 hours", until: new Date(now.getTime() + 3 * 60 * 60 * 1000) },
    { label: "Tomorrow 9:00", until: at9(1) },
    { label: "Next week", until: at9(7) },
  ];
}
