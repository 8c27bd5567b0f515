import { Monitor } from "lucide-react";
import { useState } from "react";
import { errorMessage } from "../../api/errors";
import type { AccountSession } from "../../api/models";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { formatDateTime } from "../../lib/format";
import { useRevokeOtherSessions, useRevokeSession, useSessions } from "./api";

/** "Active now" within a couple of minutes (last-seen moves once a minute), else the time. */
export function lastSeenLabel(lastSeen: string, now: Date = new Date()): string {
  const ms = now.getTime() - new Date(lastSeen).getTime();
  return ms < 2 * 60_000 ? "Active now" : `Last seen ${formatDateTime(lastSeen)}`;
}

/** Where the member is signed in; sign one out, or all but this one. */
export function SessionsCard() {
  const sessions = useSessions();
  const revokeOthers = useRevokeOtherSessions();
  const [confirming, setConfirming] = useState(false);
  // This device first, then the most recently used.
  const items = [...(sessions.data?.items ?? [])].sort(
    (a, b) => Number(b.current) - Number(a.current),
  );
  const others = items.filter((s) => !s.current).length;

  return (
    <Card>
      <CardHeader
        title="Where you're signed in"
        description="Sign out a device you don't recognise or no longer use."
        actions={
          <Button
            variant="secondary"
            size="sm"
            disabled={others === 0}
            onClick={() => setConfirming(true)}
          >
            Sign out all other sessions
          </Button>
        }
      />
      {sessions.isPending ? (
        <LoadingState />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : (
        <ul aria-label="Sessions" className="divide-y divide-gray-100">
          {items.map((s) => (
            <SessionRow key={s.id} session={s} />
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Sign out all other sessions?"
        description={`${others} other ${others === 1 ? "session" : "sessions"} will be signed out at once. This one stays signed in.`}
        confirmLabel="Sign out others"
        pending={revokeOthers.isPending}
        error={revokeOthers.error}
        onConfirm={() => revokeOthers.mutate(undefined, { onSuccess: () => setConfirming(false) })}
      />
    </Card>
  );
}

function SessionRow({ session }: { session: AccountSession }) {
  const revoke = useRevokeSession();
  return (
    <li className="flex flex-col gap-2 px-5 py-3 sm:flex-row sm:items-center sm:gap-4">
      <Monitor className="hidden size-5 shrink-0 text-gray-400 sm:block" aria-hidden="true" />
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-gray-900">
          <span className="truncate">{session.device ?? "Unknown device"}</span>
          {session.current && <Badge tone="green">This device</Badge>}
        </p>
        <p className="mt-0.5 text-xs text-gray-500">
          {session.ip ?? "Unknown address"} · {lastSeenLabel(session.last_seen_at)} · Signed in{" "}
          {formatDateTime(session.created_at)}
        </p>
        {revoke.error ? <Alert className="mt-2">{errorMessage(revoke.error)}</Alert> : null}
      </div>
      {!session.current && (
        <Button
          variant="secondary"
          size="sm"
          loading={revoke.isPending}
          onClick={() => revoke.mutate(session.id)}
          aria-label={`Sign out ${session.device ?? "unknown device"} (${session.ip ?? "unknown address"})`}
          className="self-start sm:self-auto"
        >
          Sign out
        </Button>
      )}
    </li>
  );
}
