import { RefreshCw } from "lucide-react";
import { useState } from "react";
import { errorMessage } from "../../api/errors";
import type { FeedToken } from "../../api/models";
import { CopyField } from "../../components/CopyField";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { useToast } from "../../components/ui/Toast";
import { formatDateTime } from "../../lib/format";
import { useFeedStatus, useRotateFeed } from "./api";

/** The member's secret feed URL for Google Calendar or Outlook: made, copied, replaced. */
export function FeedCard() {
  const status = useFeedStatus();
  const rotate = useRotateFeed();
  const { toast } = useToast();
  const [made, setMade] = useState<FeedToken | null>(null);
  const [confirming, setConfirming] = useState(false);
  const since = status.data?.created_at;
  const url = made ? (made.url ?? `${window.location.origin}${made.path}`) : null;
  const create = () =>
    rotate.mutate(undefined, {
      onSuccess: (token) => {
        setMade(token);
        setConfirming(false);
      },
      onError: (error) =>
        toast({
          tone: "error",
          title: "Couldn't make a feed URL",
          description: errorMessage(error),
        }),
    });
  return (
    <Card className="mt-8 p-4 sm:p-5">
      <section aria-label="Calendar feed" className="space-y-3">
        <div>
          <h2 className="text-sm font-semibold text-gray-900">Subscribe in your calendar app</h2>
          <p className="mt-1 text-sm text-gray-500">
            A private address for Google Calendar, Outlook or Apple Calendar. Anyone with it can
            read the organisation's calendar, so keep it to yourself; replacing it stops the old one
            at once.
          </p>
        </div>
        {url && (
          <>
            <CopyField label="Feed URL" value={url} />
            <p className="text-xs text-amber-700">
              Copy it now: it is shown only this once (Closer keeps only a fingerprint of it).
            </p>
          </>
        )}
        {!url && since && (
          <p className="text-sm text-gray-600" data-testid="feed-since">
            Your feed URL was made {formatDateTime(since)}. Replace it to see a new one.
          </p>
        )}
        <div>
          {since || made ? (
            <Button variant="secondary" size="sm" onClick={() => setConfirming(true)}>
              <RefreshCw className="size-3.5" aria-hidden="true" />
              Replace the feed URL
            </Button>
          ) : (
            <Button size="sm" loading={rotate.isPending} onClick={create}>
              Make my feed URL
            </Button>
          )}
        </div>
      </section>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Replace the feed URL?"
        description="Calendar apps subscribed to the current address stop updating until you give them the new one."
        confirmLabel="Replace"
        pending={rotate.isPending}
        onConfirm={create}
      />
    </Card>
  );
}
