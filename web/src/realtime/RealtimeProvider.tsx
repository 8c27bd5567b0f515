import { useQueryClient } from "@tanstack/react-query";
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import type { RealtimeEvent } from "../api/models";
import { reconnectDelay } from "./backoff";
import { parseEvent, socketUrl } from "./events";
import { dispatchEvent, resyncAll, type AnyRealtimeHandler } from "./handlers";

/** `connecting`: the first attempt; `live`: connected; `reconnecting`: dropped, retrying. */
export type RealtimeStatus = "connecting" | "live" | "reconnecting";

/** The close code the server uses when the socket's session is no longer valid. */
const SESSION_ENDED = 4401;

type Listener = (event: RealtimeEvent) => void;

interface RealtimeApi {
  status: RealtimeStatus;
  subscribe: (listener: Listener) => () => void;
}

const RealtimeContext = createContext<RealtimeApi | null>(null);

/**
 * Keeps one WebSocket to the server for the signed-in session. Each event goes to the features'
 * `handlers` that take its type (they invalidate the queries it is about); every (re)connect
 * resyncs them all, since events may have been missed while the socket was down. Reconnects
 * with backoff (1 s → 15 s).
 */
export function RealtimeProvider({
  handlers,
  onSessionEnded,
  children,
}: {
  /** The features' handlers (the app's registry). */
  handlers: readonly AnyRealtimeHandler[];
  /** The server closed the socket because the session is no longer valid. */
  onSessionEnded?: () => void;
  children: ReactNode;
}) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<RealtimeStatus>("connecting");
  const listeners = useRef(new Set<Listener>());
  // The socket outlives renders: it reads the latest props rather than reconnecting on them.
  const latest = useRef({ handlers, onSessionEnded });
  useEffect(() => {
    latest.current = { handlers, onSessionEnded };
  });

  useEffect(() => {
    if (typeof WebSocket === "undefined") return;
    let socket: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;

    const scheduleReconnect = () => {
      if (stopped || timer !== undefined) return;
      setStatus("reconnecting");
      timer = setTimeout(() => {
        timer = undefined;
        connect();
      }, reconnectDelay(attempt));
      attempt += 1;
    };

    function connect() {
      if (stopped) return;
      let ws: WebSocket;
      try {
        ws = new WebSocket(socketUrl(window.location));
      } catch {
        scheduleReconnect();
        return;
      }
      socket = ws;
      ws.onopen = () => {
        if (socket !== ws) return;
        attempt = 0;
        setStatus("live");
        void resyncAll(queryClient, latest.current.handlers);
      };
      ws.onmessage = (message: MessageEvent) => {
        if (socket !== ws) return;
        const event = parseEvent(message.data);
        if (!event) return;
        void dispatchEvent(queryClient, latest.current.handlers, event);
        for (const listener of listeners.current) listener(event);
      };
      ws.onclose = (event: CloseEvent) => {
        if (socket !== ws) return;
        socket = null;
        // 4401: the server ended the session (logout elsewhere, deactivated); the app re-checks
        // the account, and its 401 handling sends the user to the login page.
        if (event.code === SESSION_ENDED) latest.current.onSessionEnded?.();
        scheduleReconnect();
      };
      // An error is always followed by close, which schedules the retry.
      ws.onerror = () => {};
    }

    // Back online after a network loss: try now rather than at the end of the backoff.
    const onOnline = () => {
      if (timer === undefined || stopped) return;
      clearTimeout(timer);
      timer = undefined;
      connect();
    };

    connect();
    window.addEventListener("online", onOnline);
    return () => {
      stopped = true;
      window.removeEventListener("online", onOnline);
      if (timer !== undefined) clearTimeout(timer);
      const ws = socket;
      socket = null;
      if (ws) {
        ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
        ws.close();
      }
    };
  }, [queryClient]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo<RealtimeApi>(() => ({ status, subscribe }), [status, subscribe]);

  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}

/** The socket's state; `connecting` outside a provider (e.g. in isolated component tests). */
export function useRealtimeStatus(): RealtimeStatus {
  return useContext(RealtimeContext)?.status ?? "connecting";
}

/** Calls `listener` for every event while the component is mounted. */
export function useRealtimeEvent(listener: Listener): void {
  const api = useContext(RealtimeContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  const subscribe = api?.subscribe;
  useEffect(() => {
    if (!subscribe) return;
    return subscribe((event) => latest.current(event));
  }, [subscribe]);
}
