import { cn } from "../lib/cn";
import { useRealtimeStatus } from "./RealtimeProvider";

const LABELS = { live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…" };

/** A small dot and word: is the page receiving live updates? */
export function RealtimeIndicator({ className }: { className?: string }) {
  const status = useRealtimeStatus();
  return (
    <span
      data-testid="realtime-status"
      data-status={status}
      title={
        status === "live"
          ? "Receiving updates as they happen"
          : "Live updates are paused; trying to reconnect"
      }
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium",
        status === "live" ? "bg-brand-50 text-brand-700" : "bg-amber-50 text-amber-800",
        className,
      )}
    >
      <span
        aria-hidden="true"
        className={cn(
          "size-1.5 rounded-full",
          status === "live" ? "bg-brand-500" : "animate-pulse bg-amber-500",
        )}
      />
      {LABELS[status]}
    </span>
  );
}
