// How features take part in realtime. The core (this folder) owns the socket, its reconnects
// and the dispatch; it knows no feature and no query key. Each feature that shows live data
// exports a handler (`features/<name>/realtime.ts`) saying which of its queries an event makes
// stale and what to refetch on a resync; the app lists them in one registry
// (`app/realtime.ts`), which fails to compile while an event type is neither handled by some
// feature nor explicitly ignored.
import type { QueryClient } from "@tanstack/react-query";
import type { RealtimeEvent, RealtimeEventType } from "../api/models";

/** The events features handle. `resync` is the core's: it calls every handler's `resync`. */
export type FeatureEventType = Exclude<RealtimeEventType, "resync">;

/** The event of one type, with its typed `data`. */
export type RealtimeEventOf<T extends RealtimeEventType> = Extract<RealtimeEvent, { type: T }>;

/** What a feature does on one type of event: typically invalidate the queries it is about. */
export type EventHandler<T extends FeatureEventType> = (
  event: RealtimeEventOf<T>,
  client: QueryClient,
) => unknown;

/** One feature's part in realtime: the events it takes (`K`) and its resync. */
export interface RealtimeHandler<K extends FeatureEventType = never> {
  /** The feature's name, for tests and debugging. */
  feature: string;
  /** One function per event type the feature takes. */
  on: { [T in K]: EventHandler<T> };
  /**
   * After a (re)connect or a `resync` event (events may have been missed): refetch whatever of
   * the feature's data is shown.
   */
  resync: (client: QueryClient) => unknown;
}

/** Any feature's handler, whatever events it takes. */
export interface AnyRealtimeHandler {
  feature: string;
  on: { [T in FeatureEventType]?: EventHandler<T> };
  resync: (client: QueryClient) => unknown;
}

/**
 * Declares a feature's handler. The event types are the keys of `on`; each function gets its
 * event typed from the OpenAPI document's `RealtimeEvent`.
 */
export function realtimeHandler<K extends FeatureEventType = never>(
  handler: RealtimeHandler<K>,
): RealtimeHandler<K> {
  return handler;
}

type HandledBy<H> = H extends RealtimeHandler<infer K> ? K : never;

/** The event types no handler in `H` takes and `I` does not ignore. */
export type Unhandled<
  H extends readonly AnyRealtimeHandler[],
  I extends readonly FeatureEventType[],
> = Exclude<FeatureEventType, HandledBy<H[number]> | I[number]>;

/**
 * The app's registry: every feature's handler, and the event types no feature needs. Fails to
 * compile unless each event type is in one of them (the error names the missing ones), so an
 * event type added on the server breaks the build until a feature handles or ignores it.
 */
export function realtimeRegistry<
  const H extends readonly AnyRealtimeHandler[],
  const I extends readonly FeatureEventType[],
>(
  registry: { handlers: H; ignored: I } & ([Unhandled<H, I>] extends [never]
    ? unknown
    : { unhandled: Unhandled<H, I> }),
): readonly AnyRealtimeHandler[] {
  return registry.handlers;
}

/** After a (re)connect or a `resync` event: every feature refetches what it shows. */
export function resyncAll(
  client: QueryClient,
  handlers: readonly AnyRealtimeHandler[],
): Promise<unknown> {
  return Promise.all(handlers.map((handler) => handler.resync(client)));
}

/** Hands an event to every feature that takes its type (a `resync` to all of them). */
export function dispatchEvent(
  client: QueryClient,
  handlers: readonly AnyRealtimeHandler[],
  event: RealtimeEvent,
): Promise<unknown> {
  if (event.type === "resync") return resyncAll(client, handlers);
  return Promise.all(
    handlers.map((handler) => {
      // `on` is keyed by type, so the function found takes this very event.
      const handle = handler.on[event.type] as EventHandler<typeof event.type> | undefined;
      return handle?.(event as RealtimeEventOf<typeof event.type>, client);
    }),
  );
}
