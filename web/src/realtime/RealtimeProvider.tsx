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
import { ME_KEY } from "../auth/session";
import { getToken } from "../auth/token";
import { reconnectDelay } from "./backoff";
import type { RealtimeEvent } from "../api/models";
import { parseEvent, socketUrl } from "./events";
import { applyEvent, resyncQueries } from "./invalidate";

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
 * Keeps one WebSocket to the server for the signed-in session. Every event invalidates the
 * queries it is about; every (re)connect refetches all conversation data, since events may
 * have been missed while the socket was down. Reconnects with backoff (1 s → 15 s).
 */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<RealtimeStatus>("connecting");
  const listeners = useRef(new Set<Listener>());

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
      const token = getToken();
      if (!token) return; // signed out: the shell is about to go away
      let ws: WebSocket;
      try {
        ws = new WebSocket(socketUrl(window.location, token));
      } catch {
        scheduleReconnect();
        return;
      }
      socket = ws;
      ws.onopen = () => {
        if (socket !== ws) return;
        attempt = 0;
        setStatus("live");
        void resyncQueries(queryClient);
      };
      ws.onmessage = (message: MessageEvent) => {
        if (socket !== ws) return;
        const event = parseEvent(message.data);
        if (!event) return;
        void applyEvent(queryClient, event);
        for (const listener of listeners.current) listener(event);
      };
      ws.onclose = (event: CloseEvent) => {
        if (socket !== ws) return;
        socket = null;
        // 4401: the server ended the session (logout elsewhere, deactivated). Re-checking the
        // account lets the app's 401 handling send the user to the login page.
        if (event.code === SESSION_ENDED) void queryClient.invalidateQueries({ queryKey: ME_KEY });
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
