import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { CalendarChangeBody } from "../../api/models";
import { CALENDAR_KEY, FEED_KEY } from "./keys";

/** Events starting in `[from, to)`, and the bookings whose time is still to be agreed. */
export function useCalendar(from: Date, to: Date) {
  const range = { from: from.toISOString(), to: to.toISOString() };
  return useQuery({
    queryKey: [...CALENDAR_KEY, "range", range],
    queryFn: () => unwrap(api.GET("/api/v1/calendar", { params: { query: range } })),
  });
}

/** Moves, cancels or completes an event; the answer says whether the lead was told. */
export function useChangeEvent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: CalendarChangeBody }) =>
      unwrap(api.PATCH("/api/v1/calendar/{id}", { params: { path: { id } }, body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: CALENDAR_KEY }),
  });
}

/** Whether the member has a feed URL (it is shown only when made). */
export function useFeedStatus() {
  return useQuery({
    queryKey: FEED_KEY,
    queryFn: () => unwrap(api.GET("/api/v1/calendar/feed-token")),
  });
}

/** A new feed URL; the old one stops working. */
export function useRotateFeed() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/calendar/feed-token")),
    onSuccess: () => void client.invalidateQueries({ queryKey: FEED_KEY }),
  });
}
