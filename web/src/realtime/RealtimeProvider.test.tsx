import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TOKEN_KEY } from "../auth/token";
import {
  conversationKey,
  conversationListKey,
  decisionsKey,
  messagesKey,
} from "../pages/inbox/keys";
import { FakeWebSocket } from "../test/fakeWebSocket";
import { RealtimeIndicator } from "./RealtimeIndicator";
import { RealtimeProvider, useRealtimeEvent } from "./RealtimeProvider";

function setup(onEvent?: (type: string) => void) {
  const client = new QueryClient();
  // Seed the caches the events should invalidate.
  client.setQueryData(conversationListKey({}), { pages: [], pageParams: [] });
  client.setQueryData(conversationKey("c1"), { id: "c1" });
  client.setQueryData(conversationKey("c2"), { id: "c2" });
  client.setQueryData(messagesKey("c1"), { pages: [], pageParams: [] });
  client.setQueryData(messagesKey("c2"), { pages: [], pageParams: [] });
  client.setQueryData(["jobs", "dead"], { pages: [], pageParams: [] });
  client.setQueryData([...decisionsKey("c1"), 10], { items: [] });
  client.setQueryData([...decisionsKey("c2"), 10], { items: [] });
  function Listener() {
    useRealtimeEvent((event) => onEvent?.(event.type));
    return null;
  }
  const utils = render(
    <QueryClientProvider client={client}>
      <RealtimeProvider>
        <RealtimeIndicator />
        <Listener />
      </RealtimeProvider>
    </QueryClientProvider>,
  );
  const stale = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated ?? false;
  return { client, stale, ...utils };
}

describe("RealtimeProvider", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    window.localStorage.setItem(TOKEN_KEY, "tok en");
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("connects with the session token and shows Live once open", () => {
    setup();
    const ws = FakeWebSocket.latest();
    expect(ws.url).toBe(`ws://${window.location.host}/api/v1/ws?token=tok%20en`);
    expect(screen.getByTestId("realtime-status")).toHaveTextContent("Connecting…");
    act(() => ws.serverOpen());
    expect(screen.getByTestId("realtime-status")).toHaveTextContent("Live");
  });

  it("invalidates the queries an event is about, and tells listeners", () => {
    const seen: string[] = [];
    const { stale, client } = setup((type) => seen.push(type));
    const ws = FakeWebSocket.latest();
    act(() => ws.serverOpen());
    // The (re)connect itself resyncs: reset the flags to watch the event alone.
    client
      .getQueryCache()
      .getAll()
      .forEach((q) => q.setState({ isInvalidated: false }));

    act(() =>
      ws.serverSend({ type: "message:received", data: { conversation_id: "c1", message_id: "m" } }),
    );
    expect(stale(messagesKey("c1"))).toBe(true);
    expect(stale(conversationKey("c1"))).toBe(true);
    expect(stale(conversationListKey({}))).toBe(true);
    expect(stale(messagesKey("c2"))).toBe(false);
    expect(stale(conversationKey("c2"))).toBe(false);
    expect(stale(["jobs", "dead"])).toBe(false);
    expect(seen).toEqual(["message:received"]);

    client
      .getQueryCache()
      .getAll()
      .forEach((q) => q.setState({ isInvalidated: false }));
    act(() =>
      ws.serverSend({
        type: "message:status",
        data: { conversation_id: "c2", message_id: "m", status: "delivered" },
      }),
    );
    expect(stale(messagesKey("c2"))).toBe(true);
    // The decision panel shows its reply's send status.
    expect(stale([...decisionsKey("c2"), 10])).toBe(true);
    expect(stale(decisionsKey("c1"))).toBe(false);
    expect(stale(conversationListKey({}))).toBe(false);

    client
      .getQueryCache()
      .getAll()
      .forEach((q) => q.setState({ isInvalidated: false }));
    act(() => ws.serverSend({ type: "resync", data: {} }));
    expect(stale(messagesKey("c1"))).toBe(true);
    expect(stale(messagesKey("c2"))).toBe(true);
    expect(stale(conversationKey("c2"))).toBe(true);

    // Garbage and unknown types change nothing.
    client
      .getQueryCache()
      .getAll()
      .forEach((q) => q.setState({ isInvalidated: false }));
    act(() => ws.serverSend("{nope"));
    act(() => ws.serverSend({ type: "something:new", data: {} }));
    expect(
      client
        .getQueryCache()
        .getAll()
        .some((q) => q.state.isInvalidated),
    ).toBe(false);
  });

  it("refetches a conversation's decisions after the agent acts", () => {
    const { stale, client } = setup();
    act(() => FakeWebSocket.latest().serverOpen());
    const reset = () =>
      client
        .getQueryCache()
        .getAll()
        .forEach((q) => q.setState({ isInvalidated: false }));
    const ws = FakeWebSocket.latest();

    for (const type of [
      "conversation:updated",
      "action:human_attention_required",
      "action:conversations_flagged",
    ]) {
      reset();
      act(() => ws.serverSend({ type, data: { conversation_id: "c1" } }));
      expect(stale([...decisionsKey("c1"), 10])).toBe(true);
      expect(stale(conversationKey("c1"))).toBe(true);
      expect(stale([...decisionsKey("c2"), 10])).toBe(false);
    }

    reset();
    act(() =>
      ws.serverSend({ type: "message:sent", data: { conversation_id: "c2", message_id: "m" } }),
    );
    expect(stale([...decisionsKey("c2"), 10])).toBe(true);
    expect(stale(messagesKey("c2"))).toBe(true);

    // A lead's message alone is no decision yet; a takeover is none either.
    reset();
    act(() =>
      ws.serverSend({ type: "message:received", data: { conversation_id: "c1", message_id: "m" } }),
    );
    act(() =>
      ws.serverSend({
        type: "conversation:takeover_started",
        data: { conversation_id: "c1", user_id: "u" },
      }),
    );
    expect(stale([...decisionsKey("c1"), 10])).toBe(false);
  });

  it("reconnects with backoff after drops and resyncs on every reconnect", () => {
    const { stale, client } = setup();
    act(() => FakeWebSocket.latest().serverOpen());
    client
      .getQueryCache()
      .getAll()
      .forEach((q) => q.setState({ isInvalidated: false }));

    act(() => FakeWebSocket.latest().drop());
    expect(screen.getByTestId("realtime-status")).toHaveTextContent("Reconnecting…");
    expect(FakeWebSocket.instances).toHaveLength(1);

    // Each failed attempt waits longer: 1 s, 2 s, 4 s...
    const waits = [1_000, 2_000, 4_000, 8_000, 15_000, 15_000];
    for (const [i, wait] of waits.entries()) {
      act(() => vi.advanceTimersByTime(wait - 1));
      expect(FakeWebSocket.instances).toHaveLength(i + 1);
      act(() => vi.advanceTimersByTime(1));
      expect(FakeWebSocket.instances).toHaveLength(i + 2);
      act(() => FakeWebSocket.latest().drop());
    }

    // A successful connection resets the backoff and refetches what may have been missed.
    act(() => vi.advanceTimersByTime(15_000));
    act(() => FakeWebSocket.latest().serverOpen());
    expect(screen.getByTestId("realtime-status")).toHaveTextContent("Live");
    expect(stale(messagesKey("c1"))).toBe(true);
    expect(stale(conversationListKey({}))).toBe(true);
    const count = FakeWebSocket.instances.length;
    act(() => FakeWebSocket.latest().drop());
    act(() => vi.advanceTimersByTime(1_000));
    expect(FakeWebSocket.instances).toHaveLength(count + 1);
  });

  it("re-checks the session when the server ends it (close code 4401)", () => {
    const { client } = setup();
    client.setQueryData(["me"], { user: {}, org: {} });
    act(() => FakeWebSocket.latest().serverOpen());
    act(() => {
      const ws = FakeWebSocket.latest();
      ws.readyState = FakeWebSocket.CLOSED;
      ws.onclose?.(new CloseEvent("close", { code: 4401, reason: "session ended" }));
    });
    expect(client.getQueryState(["me"])?.isInvalidated).toBe(true);
  });

  it("closes the socket and stops retrying when unmounted", () => {
    const { unmount } = setup();
    const ws = FakeWebSocket.latest();
    act(() => ws.serverOpen());
    unmount();
    expect(ws.readyState).toBe(FakeWebSocket.CLOSED);
    act(() => vi.advanceTimersByTime(60_000));
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});
