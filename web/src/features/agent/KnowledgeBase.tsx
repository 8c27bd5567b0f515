import { BookOpen, Globe, HelpCircle, ScanSearch, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { errorMessage, fieldErrors, formMessage } from "../../api/errors";
import { KNOWLEDGE_KIND_LABELS, SCAN_STATUS_LABELS } from "../../api/enums";
import type { KnowledgeEntry, KnowledgeScan, ScanStatus } from "../../api/models";
import { ListSection } from "../../components/ListSection";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { EmptyState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDate, formatDateTime } from "../../lib/format";
import { useSession } from "../auth";
import { useOrg } from "../organisation";
import {
  useAgentProfile,
  useDeleteKnowledge,
  useKnowledgeEntries,
  useLatestScan,
  useScan,
  useStartScan,
} from "./api";
import { FaqAddButton, FaqAdded, FaqFileButton, FaqText, useFaqUpload } from "./FaqUpload";
import {
  scanIsActive,
  scanPercent,
  scanSummary,
  shortUrl,
  skipReason,
  suggestedWebsite,
} from "./scan";

function AddFaq() {
  const faq = useFaqUpload({ verb: "Created" });
  return (
    <Card>
      <CardHeader
        title="Add FAQ entries"
        description="Question and answer pairs the agent can quote. Write each as a Q: line and an A: line, with a blank line between pairs."
        actions={
          // The file goes up as it is; the server reads and checks it.
          <FaqFileButton
            faq={faq}
            testId="faq-file"
            onFile={(file) => faq.submit(file, file.name)}
          />
        }
      />
      <div className="space-y-3 p-5">
        {faq.add.error ? <Alert>{errorMessage(faq.add.error)}</Alert> : null}
        {/* Said under the card's header (a toast would cover the list being added to). */}
        <FaqAdded faq={faq} testId="faq-created" />
        <FaqText faq={faq} rows={6} />
        <div className="flex justify-end">
          <FaqAddButton faq={faq} />
        </div>
      </div>
    </Card>
  );
}

const STATUS_TONES: Record<ScanStatus, "gray" | "blue" | "green" | "red"> = {
  queued: "gray",
  running: "blue",
  done: "green",
  failed: "red",
};

/** The pages a scan passed over, and why; long lists fold. */
function SkippedPages({ skipped }: { skipped: KnowledgeScan["skipped"] }) {
  const [all, setAll] = useState(false);
  if (skipped.length === 0) return null;
  const shown = all ? skipped : skipped.slice(0, 6);
  return (
    <div className="space-y-1">
      <p className="text-xs font-medium text-gray-700">
        Skipped {skipped.length} {skipped.length === 1 ? "page" : "pages"}
      </p>
      <ul className="space-y-0.5 text-xs text-gray-600" aria-label="Skipped pages">
        {shown.map((page) => (
          <li
            key={`${page.url} ${page.reason}`}
            className="flex min-w-0 gap-1.5"
            data-testid="scan-skipped"
          >
            <span className="truncate font-mono text-gray-700" title={page.url}>
              {shortUrl(page.url)}
            </span>
            <span className="shrink-0">— {skipReason(page.reason)}</span>
          </li>
        ))}
      </ul>
      {skipped.length > shown.length && (
        <button
          type="button"
          className="text-xs font-medium text-brand-700 hover:underline"
          onClick={() => setAll(true)}
        >
          Show {skipped.length - shown.length} more
        </button>
      )}
    </div>
  );
}

/** Where a scan is (live while it runs) or what it came to. */
function ScanStatus({ scan }: { scan: KnowledgeScan }) {
  const percent = scanPercent(scan);
  const active = scanIsActive(scan.status);
  return (
    <div
      className="space-y-3 rounded-md border border-gray-200 bg-gray-50 p-4"
      data-testid="scan-status"
    >
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <Badge tone={STATUS_TONES[scan.status]}>{SCAN_STATUS_LABELS[scan.status]}</Badge>
        <a
          href={scan.url}
          target="_blank"
          rel="noreferrer noopener"
          className="truncate font-medium text-gray-900 hover:underline"
        >
          {shortUrl(scan.url)}
        </a>
        <span className="text-xs text-gray-500">
          {scan.finished_at
            ? `Finished ${formatDateTime(scan.finished_at)}`
            : `Started ${formatDateTime(scan.started_at ?? scan.created_at)}`}
        </span>
      </div>
      <div
        role="progressbar"
        aria-label="Scan progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        className="h-1.5 overflow-hidden rounded-full bg-gray-200"
      >
        <div
          className={
            scan.status === "failed"
              ? "h-full bg-red-400"
              : `h-full bg-brand-600 transition-[width] duration-500 ${active ? "animate-pulse" : ""}`
          }
          style={{ width: `${Math.max(percent, active ? 4 : 0)}%` }}
        />
      </div>
      <p
        aria-live="polite"
        data-testid="scan-summary"
        className={scan.status === "failed" ? "text-sm text-red-700" : "text-sm text-gray-700"}
      >
        {scanSummary(scan)}
      </p>
      <SkippedPages skipped={scan.skipped} />
    </div>
  );
}

/** Scans the business's website into the knowledge base and shows the latest scan. */
function ScanWebsite() {
  const profile = useAgentProfile();
  const org = useOrg();
  const latest = useLatestScan();
  // Only a scan under way changes; a finished one is shown as the list answered it.
  const polled = useScan(latest.data && scanIsActive(latest.data.status) ? latest.data.id : null);
  const start = useStartScan();
  // Null until the owner types: until then the address on file is offered.
  const [typed, setTyped] = useState<string | null>(null);
  const url = typed ?? suggestedWebsite(profile.data?.business_config, org.data?.website);
  const scan = polled.data && polled.data.id === latest.data?.id ? polled.data : latest.data;
  const active = scanIsActive(scan?.status);
  const errors = fieldErrors(start.error);
  const message = formMessage(start.error, ["url"]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!url.trim() || active) return;
    start.mutate(url.trim());
  };

  return (
    <Card>
      <CardHeader
        title="Scan your website"
        description="Reads your home, pricing, about, FAQ, contact and terms or refund pages into the knowledge base. robots.txt is respected; a new scan replaces the pages of the previous one and leaves your FAQ alone."
      />
      <div className="space-y-4 p-5">
        <form
          className="flex flex-col gap-3 sm:flex-row sm:items-start"
          onSubmit={submit}
          noValidate
        >
          <Field label="Website address" error={errors.url} className="flex-1">
            <Input
              value={url}
              onChange={(e) => {
                setTyped(e.target.value);
                if (start.isError) start.reset();
              }}
              inputMode="url"
              autoComplete="url"
              placeholder="https://yourbusiness.com"
            />
          </Field>
          <Button
            type="submit"
            className="sm:mt-6"
            loading={start.isPending}
            disabled={!url.trim() || active}
          >
            {!start.isPending && <ScanSearch className="size-4" aria-hidden="true" />}
            {active ? "Scanning…" : "Scan website"}
          </Button>
        </form>
        {message && <Alert>{message}</Alert>}
        {scan && <ScanStatus scan={scan} />}
      </div>
    </Card>
  );
}

function SourceCell({ entry }: { entry: KnowledgeEntry }) {
  if (entry.source_url)
    return (
      <a
        href={entry.source_url}
        target="_blank"
        rel="noreferrer noopener"
        className="block max-w-48 truncate text-brand-700 hover:underline"
      >
        {entry.source_url.replace(/^https?:\/\//, "")}
      </a>
    );
  return null;
}

function Entries({ manager }: { manager: boolean }) {
  const entries = useKnowledgeEntries();
  const remove = useDeleteKnowledge();
  const { toast } = useToast();
  const [deleting, setDeleting] = useState<KnowledgeEntry | null>(null);

  return (
    <>
      <ListSection
        list={entries}
        title="Entries"
        description="What the agent can look up when a lead asks."
        loading="Loading the knowledge base…"
        empty={
          <EmptyState
            icon={BookOpen}
            title="The knowledge base is empty"
            description="Add your FAQ or scan your website so the agent can answer questions about fees, timings and policies from your own words."
          />
        }
      >
        {(items) => (
          <ul className="divide-y divide-gray-100" aria-label="Knowledge entries">
            {items.map((entry) => (
              <li
                key={entry.id}
                className="flex items-start gap-3 px-5 py-3"
                data-testid="knowledge-entry"
              >
                <span className="mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-md bg-gray-100 text-gray-500">
                  {entry.kind === "web" ? (
                    <Globe className="size-4" aria-hidden="true" />
                  ) : (
                    <HelpCircle className="size-4" aria-hidden="true" />
                  )}
                </span>
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2">
                    <span className="font-medium text-gray-900">{entry.title}</span>
                    <Badge tone={entry.kind === "web" ? "blue" : "gray"}>
                      {KNOWLEDGE_KIND_LABELS[entry.kind]}
                    </Badge>
                    {entry.stale && <Badge tone="amber">Stale</Badge>}
                  </p>
                  <p className="mt-0.5 line-clamp-2 text-sm whitespace-pre-line text-gray-600">
                    {entry.content}
                  </p>
                  <p className="mt-1 flex flex-wrap gap-x-3 text-xs text-gray-500">
                    <SourceCell entry={entry} />
                    <span>
                      {entry.last_verified_at
                        ? `Verified ${formatDate(entry.last_verified_at)}`
                        : `Added ${formatDate(entry.created_at)}`}
                    </span>
                  </p>
                </div>
                {manager && (
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Delete ${entry.title}`}
                    title="Delete"
                    onClick={() => {
                      remove.reset();
                      setDeleting(entry);
                    }}
                  >
                    <Trash2 className="size-4" aria-hidden="true" />
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </ListSection>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title="Delete this entry?"
        description={deleting ? `“${deleting.title}” — the agent stops using it.` : ""}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              toast({ title: "Entry deleted" });
              setDeleting(null);
            },
          })
        }
      />
    </>
  );
}

/** The knowledge base: FAQ entries and scanned web pages the agent answers from. */
export function KnowledgeBase() {
  const { user } = useSession();
  const manager = canManage(user.role);
  return (
    <div className="space-y-6">
      {manager && <ScanWebsite />}
      {manager && <AddFaq />}
      <Entries manager={manager} />
    </div>
  );
}

/** Settings → Knowledge base. */
export function KnowledgePage() {
  return (
    <>
      <SettingsHeader
        title="Knowledge base"
        description="What your agent knows about your business. It answers from these entries, in your words."
      />
      <KnowledgeBase />
    </>
  );
}
