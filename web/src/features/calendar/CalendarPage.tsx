import { CalendarDays, ChevronLeft, ChevronRight, MessageSquare, User } from "lucide-react";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { errorMessage } from "../../api/errors";
import { EVENT_KIND_LABELS, EVENT_STATUS_LABELS } from "../../api/enums";
import type { CalendarEvent, CalendarChangeBody, EventStatus } from "../../api/models";
import { Page } from "../../components/Page";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Dialog, DialogClose, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { TabList } from "../../components/ui/Tabs";
import { useToast } from "../../components/ui/Toast";
import { cn } from "../../lib/cn";
import { useSession } from "../auth";
import { contactName } from "../inbox";
import { useOrg } from "../organisation";
import { useCalendar, useChangeEvent } from "./api";
import { FeedCard } from "./FeedCard";
import {
  clockIn,
  dayIn,
  dayKeyIn,
  fromLocalInput,
  localInputValue,
  startOfDay,
  startOfWeek,
} from "./zoned";

type View = "day" | "week" | "list";
const VIEWS = [
  { value: "day", label: "Day" },
  { value: "week", label: "Week" },
  { value: "list", label: "List" },
] as const;
/** How far the list view looks ahead. */
const LIST_DAYS = 30;

const STATUS_TONES: Record<EventStatus, "green" | "amber" | "gray" | "blue"> = {
  booked: "green",
  rescheduled: "amber",
  cancelled: "gray",
  done: "blue",
};

function viewParam(v: string | null): View {
  return VIEWS.find((x) => x.value === v)?.value ?? "week";
}

function dateParam(v: string | null): Date {
  const d = v ? new Date(v) : new Date();
  return Number.isNaN(d.getTime()) ? new Date() : d;
}

/** The range a view shows around `anchor`, in the organisation's zone. */
function rangeOf(view: View, anchor: Date, tz: string): { from: Date; to: Date } {
  switch (view) {
    case "day":
      return { from: startOfDay(anchor, tz), to: startOfDay(anchor, tz, 1) };
    case "week":
      return { from: startOfWeek(anchor, tz), to: startOfWeek(anchor, tz, 1) };
    case "list":
      return { from: startOfDay(anchor, tz), to: startOfDay(anchor, tz, LIST_DAYS) };
  }
}

function step(view: View, anchor: Date, tz: string, by: number): Date {
  const days = view === "day" ? 1 : view === "week" ? 7 : LIST_DAYS;
  // Noon of the target day: never on the wrong side of a DST change.
  return new Date(startOfDay(anchor, tz, days * by).getTime() + 12 * 3600 * 1000);
}

/** The days `[from, to)` as the organisation counts them. */
function daysOf(from: Date, to: Date, tz: string): Date[] {
  const days: Date[] = [];
  for (let d = from; d < to && days.length < 62; d = startOfDay(d, tz, 1)) days.push(d);
  return days;
}

/** The calendar: booked calls, demos and meetings by day, week or list, in the org's zone. */
export function CalendarPage() {
  const org = useOrg();
  const tz = org.data?.timezone || "UTC";
  // A link may open a view at a day (the dashboard's bookings: `?view=list&date=…`).
  const [params] = useSearchParams();
  const [view, setView] = useState<View>(() => viewParam(params.get("view")));
  const [anchor, setAnchor] = useState(() => dateParam(params.get("date")));
  const { from, to } = rangeOf(view, anchor, tz);
  const calendar = useCalendar(from, to);
  const days = daysOf(from, to, tz);
  const byDay = new Map<string, CalendarEvent[]>();
  for (const e of calendar.data?.items ?? []) {
    if (!e.starts_at) continue;
    const key = dayKeyIn(new Date(e.starts_at), tz);
    byDay.set(key, [...(byDay.get(key) ?? []), e]);
  }
  const last = new Date(to.getTime() - 1);
  const period = view === "day" ? dayIn(from, tz) : `${dayIn(from, tz)} – ${dayIn(last, tz)}`;
  return (
    <Page title="Calendar" description={`Calls, demos and meetings booked with leads, in ${tz}.`}>
      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <TabList
          label="View"
          idPrefix="calendar"
          items={VIEWS}
          value={view}
          onValueChange={(v) => setView(v as View)}
          size="sm"
        />
        <div className="flex items-center gap-2">
          <Button
            variant="secondary"
            size="sm"
            aria-label="Previous"
            onClick={() => setAnchor(step(view, anchor, tz, -1))}
          >
            <ChevronLeft className="size-4" aria-hidden="true" />
          </Button>
          <Button variant="secondary" size="sm" onClick={() => setAnchor(new Date())}>
            Today
          </Button>
          <Button
            variant="secondary"
            size="sm"
            aria-label="Next"
            onClick={() => setAnchor(step(view, anchor, tz, 1))}
          >
            <ChevronRight className="size-4" aria-hidden="true" />
          </Button>
          <span className="ml-1 text-sm font-medium text-gray-700" data-testid="period">
            {period}
          </span>
        </div>
      </div>
      <div id={`calendar-panel-${view}`} role="tabpanel" aria-labelledby={`calendar-tab-${view}`}>
        {calendar.isPending ? (
          <LoadingState label="Loading the calendar…" />
        ) : calendar.isError ? (
          <ErrorState error={calendar.error} onRetry={() => void calendar.refetch()} />
        ) : (
          <>
            <ToBeAgreed events={calendar.data.to_be_agreed} tz={tz} />
            {view === "week" ? (
              <WeekGrid days={days} byDay={byDay} tz={tz} />
            ) : (
              <DayList
                days={days}
                byDay={byDay}
                tz={tz}
                empty={
                  view === "day"
                    ? "Nothing booked on this day."
                    : `Nothing booked in the next ${LIST_DAYS} days.`
                }
              />
            )}
          </>
        )}
      </div>
      <FeedCard />
    </Page>
  );
}

function ToBeAgreed({ events, tz }: { events: CalendarEvent[]; tz: string }) {
  if (events.length === 0) return null;
  return (
    <section className="mb-6" aria-label="Time to be agreed">
      <h2 className="mb-2 text-sm font-semibold text-gray-900">Time to be agreed</h2>
      <p className="mb-3 text-sm text-gray-500">
        The lead said yes but gave no time the agent could read. Agree one with them, then set it
        here.
      </p>
      <ul className="space-y-3">
        {events.map((e) => (
          <EventCard key={e.id} event={e} tz={tz} />
        ))}
      </ul>
    </section>
  );
}

function WeekGrid({
  days,
  byDay,
  tz,
}: {
  days: Date[];
  byDay: Map<string, CalendarEvent[]>;
  tz: string;
}) {
  const today = dayKeyIn(new Date(), tz);
  const [open, setOpen] = useState<CalendarEvent | null>(null);
  return (
    <>
      <ol className="grid grid-cols-1 gap-2 md:grid-cols-7" aria-label="Week">
        {days.map((d) => {
          const key = dayKeyIn(d, tz);
          const events = byDay.get(key) ?? [];
          return (
            <li
              key={key}
              data-testid="day"
              className={cn(
                "min-h-16 rounded-lg border bg-white p-2 md:min-h-40",
                key === today ? "border-brand-400" : "border-gray-200",
              )}
            >
              <h3 className="mb-1.5 text-xs font-semibold text-gray-600">{dayIn(d, tz)}</h3>
              {events.length === 0 ? (
                <p className="text-xs text-gray-400 md:hidden">Nothing booked</p>
              ) : (
                <ul className="space-y-1.5">
                  {events.map((e) => (
                    <li key={e.id}>
                      <button
                        type="button"
                        data-testid="event-chip"
                        onClick={() => setOpen(e)}
                        className={cn(
                          "w-full rounded-md px-2 py-1 text-left text-xs hover:ring-1 hover:ring-brand-400",
                          e.status === "cancelled"
                            ? "bg-gray-100 text-gray-500 line-through"
                            : e.status === "done"
                              ? "bg-blue-50 text-blue-800"
                              : "bg-brand-50 text-brand-800",
                        )}
                      >
                        <span className="font-semibold">{clockIn(new Date(e.starts_at!), tz)}</span>{" "}
                        <span className="break-words">{e.title}</span>
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
      <Dialog open={open !== null} onOpenChange={(o) => !o && setOpen(null)}>
        {open && (
          <DialogContent title={open.title} description={timeText(open, tz)}>
            <EventBody event={open} tz={tz} onChanged={() => setOpen(null)} />
          </DialogContent>
        )}
      </Dialog>
    </>
  );
}

function DayList({
  days,
  byDay,
  tz,
  empty,
}: {
  days: Date[];
  byDay: Map<string, CalendarEvent[]>;
  tz: string;
  empty: string;
}) {
  const shown = days.filter((d) => byDay.has(dayKeyIn(d, tz)));
  if (shown.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-gray-300 bg-white px-4 py-10 text-center">
        <CalendarDays className="mx-auto size-6 text-gray-400" aria-hidden="true" />
        <p className="mt-2 text-sm text-gray-600">{empty}</p>
        <p className="mt-1 text-xs text-gray-500">
          Calls and demos the agent books with leads appear here.
        </p>
      </div>
    );
  }
  return (
    <div className="space-y-6">
      {shown.map((d) => (
        <section key={d.toISOString()} aria-label={dayIn(d, tz)}>
          <h2 className="mb-2 text-sm font-semibold text-gray-900">{dayIn(d, tz)}</h2>
          <ul className="space-y-3">
            {byDay.get(dayKeyIn(d, tz))!.map((e) => (
              <EventCard key={e.id} event={e} tz={tz} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function timeText(e: CalendarEvent, tz: string): string {
  if (!e.starts_at) return "Time to be agreed";
  const start = new Date(e.starts_at);
  const end = e.ends_at ? `–${clockIn(new Date(e.ends_at), tz)}` : "";
  return `${dayIn(start, tz)}, ${clockIn(start, tz)}${end}`;
}

function EventCard({ event, tz }: { event: CalendarEvent; tz: string }) {
  return (
    <li
      className="rounded-lg border border-gray-200 bg-white p-4 shadow-xs"
      data-testid="event"
      data-status={event.status}
    >
      <p className="mb-1 text-sm font-semibold text-gray-900">{timeText(event, tz)}</p>
      <p className="mb-2 font-medium break-words text-gray-900">{event.title}</p>
      <EventBody event={event} tz={tz} />
    </li>
  );
}

/** Badges, the links to the lead and the conversation, and what a member may do. */
function EventBody({
  event,
  tz,
  onChanged,
}: {
  event: CalendarEvent;
  tz: string;
  onChanged?: () => void;
}) {
  const { user } = useSession();
  const lead = event.contact ? contactName({ contact: event.contact }) : "Deleted lead";
  const open = event.status === "booked" || event.status === "rescheduled";
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0 space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone="violet">{EVENT_KIND_LABELS[event.kind]}</Badge>
          <Badge tone={STATUS_TONES[event.status]}>{EVENT_STATUS_LABELS[event.status]}</Badge>
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
          {event.contact ? (
            <Link
              to={`/leads/${event.contact.id}`}
              className="inline-flex items-center gap-1 font-medium text-brand-700 hover:underline"
            >
              <User className="size-4" aria-hidden="true" />
              {lead}
            </Link>
          ) : (
            <span className="text-gray-500">{lead}</span>
          )}
          {event.conversation_id && (
            <Link
              to={`/inbox/${event.conversation_id}`}
              className="inline-flex items-center gap-1 font-medium text-brand-700 hover:underline"
            >
              <MessageSquare className="size-4" aria-hidden="true" />
              Conversation
            </Link>
          )}
        </div>
      </div>
      {open && user.role !== "viewer" && (
        <EventActions event={event} tz={tz} onChanged={onChanged} />
      )}
    </div>
  );
}

function EventActions({
  event,
  tz,
  onChanged,
}: {
  event: CalendarEvent;
  tz: string;
  onChanged?: () => void;
}) {
  const { toast } = useToast();
  const change = useChangeEvent();
  const [moving, setMoving] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const submit = (body: CalendarChangeBody, done: string, after: () => void) =>
    change.mutate(
      { id: event.id, body },
      {
        onSuccess: (r) => {
          after();
          onChanged?.();
          const notice = r.lead_notice;
          if (notice && !notice.told) {
            toast({
              tone: "error",
              title: `${done}, but the lead was not told`,
              description: notice.reason ?? undefined,
            });
          } else {
            toast({ title: notice?.told ? `${done}; the lead was told.` : `${done}.` });
          }
        },
        onError: (error) =>
          toast({
            tone: "error",
            title: "Couldn't change the event",
            description: errorMessage(error),
          }),
      },
    );
  return (
    <div className="flex shrink-0 flex-wrap items-center gap-2">
      <Button variant="secondary" size="sm" onClick={() => setMoving(true)}>
        {event.starts_at ? "Reschedule" : "Set time"}
      </Button>
      {event.starts_at && (
        <Button
          variant="secondary"
          size="sm"
          loading={change.isPending && change.variables?.body.status === "done"}
          onClick={() => submit({ status: "done" }, "Marked done", () => {})}
        >
          Mark done
        </Button>
      )}
      <Button variant="ghost" size="sm" onClick={() => setCancelling(true)}>
        Cancel event
      </Button>
      <RescheduleDialog
        open={moving}
        onOpenChange={setMoving}
        event={event}
        tz={tz}
        pending={change.isPending}
        onMove={(startsAt) =>
          submit({ starts_at: startsAt }, event.starts_at ? "Rescheduled" : "Time set", () =>
            setMoving(false),
          )
        }
      />
      <ConfirmDialog
        open={cancelling}
        onOpenChange={setCancelling}
        title="Cancel this event?"
        description="The lead is told, unless they opted out or their 24-hour window has closed."
        confirmLabel="Cancel event"
        pending={change.isPending}
        onConfirm={() => submit({ status: "cancelled" }, "Cancelled", () => setCancelling(false))}
      />
    </div>
  );
}

function RescheduleDialog({
  open,
  onOpenChange,
  event,
  tz,
  pending,
  onMove,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  event: CalendarEvent;
  tz: string;
  pending: boolean;
  onMove: (startsAt: string) => void;
}) {
  const initial = event.starts_at
    ? new Date(event.starts_at)
    : new Date(startOfDay(new Date(), tz, 1).getTime() + 10 * 3600 * 1000);
  const [value, setValue] = useState(() => localInputValue(initial, tz));
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        title={event.starts_at ? "Reschedule" : "Set the time"}
        description={`A new start in ${tz}. The lead is told through WhatsApp when they may be written to.`}
      >
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            const at = fromLocalInput(value, tz);
            if (!at) {
              setError("Choose a date and time.");
              return;
            }
            onMove(at.toISOString());
          }}
        >
          <Field label={`Starts (${tz})`} error={error}>
            <Input
              type="datetime-local"
              value={value}
              onChange={(e) => {
                setValue(e.target.value);
                setError(null);
              }}
            />
          </Field>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button type="button" variant="secondary">
                Keep it
              </Button>
            </DialogClose>
            <Button type="submit" loading={pending}>
              Save
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
