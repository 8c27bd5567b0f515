import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RealtimeEvent } from "../api/models";
import { FakeWebSocket } from "../test/fakeWebSocket";
import { realtimeHandler } from "./handlers";
import { RealtimeIndicator } from "./RealtimeIndicator";
import { RealtimeProvider, useRealtimeEvent } from "./RealtimeProvider";

/** Two features: one takes received messages, the other takeovers; both resync. */
function setup() {
  const client = new QueryClient();
  const seen: string[] = [];
  const resyncs: string[] = [];
  const heard: string[] = [];
  const messages = realtimeHandler({
    feature: "messages",
    on: {
      "message:received": (event, c) => {
        expect(c).toBe(client);
        seen.push(`messages ${event.type} ${event.data.message_id}`);
      },
    },
    resync: () => resyncs.push("messages"),
  });
  const takeovers = realtimeHandler({
    feature: "takeovers",
    on: {
      "conversation:takeover_started": (event) =>
        seen.push(`takeovers ${event.type} ${event.data.conversation_id}`),
    },
    resync: () => resyncs.push("takeovers"),
  });
  const onSessionEnded = vi.fn();
  function Listener() {
    useRealtimeEvent((event: RealtimeEvent) => heard.push(event.type));
    return null;
  }
  const utils = render(
    <QueryClientProvider client={client}>
      <RealtimeProvider handlers={[messages, takeovers]} onSessionEnded={onSessionEnded}>
        <RealtimeIndicator />
        <Listener />
      </RealtimeProvider>
    </QueryClientProvider>,
  );
  return { client, seen, resyncs, heard, onSessionEnded, ...utils };
}

describe("RealtimeProvider", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("connects (the session cookie goes along) and shows Live once open", () => {
    setup();
    const ws = FakeWebSocket.latest();
    expect(ws.url).toBe(`ws://${window.location.host}/api/v1/ws`);
    expect(screen.getByTestId("realtime-status")).toHaveTextContent("Connecting…");
    act(() => ws.serverOpen());
    expect(screen.getByTestId("realtime-status")).toHaveTextContent("Live");
  });

  it("hands each event to the features that take its type, and tells listeners", () => {
    const { seen, resyncs, heard } = setup();
    const ws = FakeWebSocket.latest();
    act(() => ws.serverOpen());
    resyncs.length = 0;

    act(() =>
      ws.serverSend({ type: "message:received", data: { conversation_id: "c1", message_id: "m" } }),
    );
    act(() =>
      ws.serverSend({
        type: "conversation:takeover_started",
        data: { conversation_id: "c1" },
      }),
    );
    // No feature takes this one: listeners still hear it.
    act(() =>
      ws.serverSend({
        type: "message:status",
        data: { conversation_id: "c1", message_id: "m", status: "read" },
      }),
    );
    expect(seen).toEqual([
      "messages message:received m",
      "takeovers conversation:takeover_started c1",
    ]);
    expect(heard).toEqual(["message:received", "conversation:takeover_started", "message:status"]);
    expect(resyncs).toEqual([]);
  });

  it("resyncs every feature on a resync event", () => {
    const { seen, resyncs } = setup();
    const ws = FakeWebSocket.latest();
    act(() => ws.serverOpen());
    resyncs.length = 0;
    act(() => ws.serverSend({ type: "resync", data: {} }));
    expect(resyncs).toEqual(["messages", "takeovers"]);
    expect(seen).toEqual([]);
  });

  it("ignores garbage and types this build does not know", () => {
    const { seen, resyncs, heard } = setup();
    const ws = FakeWebSocket.latest();
    act(() => ws.serverOpen());
    resyncs.length = 0;
    act(() => ws.serverSend("{nope"));
    act(() => ws.serverSend({ type: "something:new", data: {} }));
    expect([...seen, ...resyncs, ...heard]).toEqual([]);
  });

  it("reconnects with backoff after drops and resyncs on every (re)connect", () => {
    const { resyncs } = setup();
    act(() => FakeWebSocket.latest().serverOpen());
    // The first connection resyncs too: events may have been missed before it opened.
    expect(resyncs).toEqual(["messages", "takeovers"]);
    resyncs.length = 0;

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
    expect(resyncs).toEqual([]);

    // A successful connection resets the backoff and refetches what may have been missed.
    act(() => vi.advanceTimersByTime(15_000));
    act(() => FakeWebSocket.latest().serverOpen());
    expect(screen.getByTestId("realtime-status")).toHaveTextContent("Live");
    expect(resyncs).toEqual(["messages", "takeovers"]);
    const count = FakeWebSocket.instances.length;
    act(() => FakeWebSocket.latest().drop());
    act(() => vi.advanceTimersByTime(1_000));
    expect(FakeWebSocket.instances).toHaveLength(count + 1);
  });

  it("says so when the server ends the session (close code 4401)", () => {
    const { onSessionEnded } = setup();
    act(() => FakeWebSocket.latest().serverOpen());
    act(() => FakeWebSocket.latest().drop());
    expect(onSessionEnded).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(1_000));
    act(() => FakeWebSocket.latest().serverOpen());
    act(() => {
      const ws = FakeWebSocket.latest();
      ws.readyState = FakeWebSocket.CLOSED;
      ws.onclose?.(new CloseEvent("close", { code: 4401, reason: "session ended" }));
    });
    expect(onSessionEnded).toHaveBeenCalledOnce();
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
