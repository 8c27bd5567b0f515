import { BellRing } from "lucide-react";
import { useEffect, useState } from "react";
import { errorMessage } from "../../api/errors";
import {
  NOTIFICATION_CHANNEL_LABELS,
  NOTIFICATION_CHANNELS,
  NOTIFICATION_KIND_DESCRIPTIONS,
  NOTIFICATION_KIND_LABELS,
  NOTIFICATION_KINDS,
} from "../../api/enums";
import type { NotificationChannel, NotificationKind } from "../../api/models";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { Switch } from "../../components/ui/Switch";
import { useToast } from "../../components/ui/Toast";
import { useNotificationPreferences, useSaveNotificationPreferences } from "./api";
import { enablePush, pushState, type PushState } from "./push";

const PUSH_TEXT: Record<PushState, string> = {
  unsupported: "This browser cannot receive push notifications.",
  denied: "Notifications are blocked for this site in the browser's settings.",
  off: "Get pushes on this browser, even when Closer is not open.",
  on: "This browser gets push notifications.",
};

/** Subscribes this browser to pushes (the service worker shows them). */
function PushCard() {
  const [state, setState] = useState<PushState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void pushState().then(setState);
  }, []);
  const enable = () => {
    setBusy(true);
    setError(null);
    enablePush()
      .then(setState)
      .catch((e: unknown) => setError(errorMessage(e)))
      .finally(() => setBusy(false));
  };
  return (
    <Card className="mb-6 flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:p-5">
      <BellRing className="hidden size-5 shrink-0 text-gray-400 sm:block" aria-hidden="true" />
      <div className="min-w-0 flex-1">
        <p className="text-sm font-medium text-gray-900">Push on this browser</p>
        <p className="text-sm text-gray-500" data-testid="push-state">
          {state ? PUSH_TEXT[state] : "Checking…"}
        </p>
        {error && (
          <Alert tone="error" className="mt-2">
            {error}
          </Alert>
        )}
      </div>
      {state === "off" && (
        <Button variant="secondary" onClick={enable} loading={busy}>
          Enable push
        </Button>
      )}
    </Card>
  );
}

/** Settings → Notifications: the member's own channels for each kind of notification. */
export function NotificationSettingsPage() {
  const prefs = useNotificationPreferences();
  const save = useSaveNotificationPreferences();
  const { toast } = useToast();
  const toggle = (kind: NotificationKind, channel: NotificationChannel, on: boolean) => {
    if (!prefs.data) return;
    const current = prefs.data[kind] ?? { in_app: false, email: false, push: false };
    const choice = { ...current, [channel]: on };
    save.mutate(
      { ...prefs.data, [kind]: choice },
      {
        onSuccess: () => toast({ title: "Notification settings saved" }),
        onError: (e) =>
          toast({ tone: "error", title: "Couldn't save", description: errorMessage(e) }),
      },
    );
  };
  return (
    <>
      <SettingsHeader
        title="Notifications"
        description="What you hear about, and where: in Closer, by email, or as a push."
      />
      <PushCard />
      {prefs.isPending ? (
        <LoadingState label="Loading your notification settings…" />
      ) : prefs.isError ? (
        <ErrorState error={prefs.error} onRetry={() => void prefs.refetch()} />
      ) : (
        <Card className="divide-y divide-gray-100">
          {NOTIFICATION_KINDS.map((kind) => (
            <div
              key={kind}
              className="flex flex-col gap-3 p-4 sm:flex-row sm:items-center sm:p-5"
              data-testid={`preference-${kind}`}
            >
              <div className="min-w-0 flex-1">
                <p className="text-sm font-medium text-gray-900">
                  {NOTIFICATION_KIND_LABELS[kind]}
                </p>
                <p className="text-sm text-gray-500">{NOTIFICATION_KIND_DESCRIPTIONS[kind]}</p>
              </div>
              <div className="flex gap-5">
                {NOTIFICATION_CHANNELS.map((channel) => {
                  const id = `pref-${kind}-${channel}`;
                  return (
                    <label key={channel} htmlFor={id} className="flex items-center gap-2">
                      <Switch
                        id={id}
                        checked={prefs.data[kind]?.[channel] ?? false}
                        onCheckedChange={(on) => toggle(kind, channel, on)}
                        disabled={save.isPending}
                        aria-label={`${NOTIFICATION_KIND_LABELS[kind]}: ${NOTIFICATION_CHANNEL_LABELS[channel]}`}
                      />
                      <span className="text-sm text-gray-700">
                        {NOTIFICATION_CHANNEL_LABELS[channel]}
                      </span>
                    </label>
                  );
                })}
              </div>
            </div>
          ))}
        </Card>
      )}
    </>
  );
}
