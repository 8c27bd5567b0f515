import { FilePlus2, RefreshCw } from "lucide-react";
import { useState } from "react";
import { errorMessage } from "../../api/errors";
import { QUALITY_RATING_LABELS } from "../../api/enums";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { canManage } from "../../lib/format";
import { cn } from "../../lib/cn";
import { useSession } from "../auth";
import { useSyncTemplates, useTemplates, type Template } from "./api";
import { TemplateEditor } from "./TemplateEditor";
import { CATEGORY_LABELS, STATUS_LABELS, STATUS_TONES } from "./labels";

const QUALITY_TONES = { green: "green", yellow: "amber", red: "red", unknown: "gray" } as const;

export function TemplateBadges({ template: t }: { template: Template }) {
  return (
    <span className="flex flex-wrap items-center gap-1.5">
      <Badge tone={STATUS_TONES[t.status]}>
        <span data-testid="template-status" data-status={t.status}>
          {STATUS_LABELS[t.status]}
        </span>
      </Badge>
      <Badge>{CATEGORY_LABELS[t.category]}</Badge>
      {t.quality && (
        <Badge tone={QUALITY_TONES[t.quality]}>Quality: {QUALITY_RATING_LABELS[t.quality]}</Badge>
      )}
    </span>
  );
}

/** Templates: the list with Meta's review state, and the editor with its live preview. */
export function TemplatesPage() {
  const { user } = useSession();
  const manage = canManage(user.role);
  const list = useTemplates();
  const sync = useSyncTemplates();
  const { toast } = useToast();
  // null: nothing open; "new": a new draft; else a template's id.
  const [open, setOpen] = useState<string | null>(null);
  const selected = list.data?.items.find((t) => t.id === open) ?? null;

  const onSync = () =>
    sync.mutate(undefined, {
      onSuccess: (r) =>
        toast({
          tone: "success",
          title: "Synced with Meta",
          description: `${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged.`,
        }),
      onError: (e) => toast({ tone: "error", title: "Sync failed", description: errorMessage(e) }),
    });

  return (
    <div className="mx-auto w-full max-w-6xl space-y-4 p-4 sm:p-6">
      <header className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold text-gray-900">Templates</h1>
          <p className="mt-0.5 text-sm text-gray-500">
            Approved WhatsApp templates reach leads after the 24-hour window closes.
          </p>
        </div>
        {manage && (
          <div className="flex gap-2">
            <Button variant="secondary" onClick={onSync} loading={sync.isPending}>
              <RefreshCw className="size-4" aria-hidden="true" />
              Sync from Meta
            </Button>
            <Button onClick={() => setOpen("new")}>
              <FilePlus2 className="size-4" aria-hidden="true" />
              New template
            </Button>
          </div>
        )}
      </header>
      <div className="grid gap-4 lg:grid-cols-[18rem_minmax(0,1fr)]">
        <nav aria-label="Templates" className={cn(open && "hidden lg:block")}>
          {list.isPending ? (
            <LoadingState label="Loading templates…" />
          ) : list.isError ? (
            <ErrorState error={list.error} onRetry={() => void list.refetch()} />
          ) : list.data.items.length === 0 ? (
            <EmptyState
              title="No templates yet"
              description="Write one here, or sync those you made in Meta's WhatsApp Manager."
            />
          ) : (
            <ul className="space-y-2">
              {list.data.items.map((t) => (
                <li key={t.id}>
                  <button
                    type="button"
                    onClick={() => setOpen(t.id)}
                    aria-current={t.id === open || undefined}
                    className={cn(
                      "w-full rounded-lg border bg-white px-3 py-2.5 text-left shadow-xs hover:border-brand-300",
                      t.id === open ? "border-brand-500 ring-1 ring-brand-500" : "border-gray-200",
                    )}
                  >
                    <span className="block truncate font-mono text-sm font-medium text-gray-900">
                      {t.name}
                    </span>
                    <span className="mt-0.5 mb-1.5 block text-xs text-gray-500">{t.language}</span>
                    <TemplateBadges template={t} />
                  </button>
                </li>
              ))}
            </ul>
          )}
        </nav>
        {open ? (
          <TemplateEditor
            key={open}
            template={selected}
            readOnly={!manage}
            onClose={() => setOpen(null)}
            onSaved={(t) => setOpen(t.id)}
          />
        ) : (
          <EmptyState
            className="hidden rounded-lg border border-dashed border-gray-300 lg:flex"
            title="Pick a template"
            description="Or start a new one: the preview shows it as your lead will see it."
          />
        )}
      </div>
    </div>
  );
}
