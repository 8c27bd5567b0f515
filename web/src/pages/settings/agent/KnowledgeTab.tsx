import { BookOpen, FileUp, Globe, HelpCircle, Plus, Trash2 } from "lucide-react";
import { useRef, useState, type ChangeEvent, type ReactNode } from "react";
import { errorMessage } from "../../../api/errors";
import { api, unwrap } from "../../../api/client";
import type { KnowledgeEntry } from "../../../api/models";
import { useSession } from "../../../auth/session";
import { LoadMore } from "../../../components/LoadMore";
import { Alert } from "../../../components/ui/Alert";
import { Badge } from "../../../components/ui/Badge";
import { Button } from "../../../components/ui/Button";
import { Card, CardHeader } from "../../../components/ui/Card";
import { ConfirmDialog } from "../../../components/ui/ConfirmDialog";
import { Field } from "../../../components/ui/Field";
import { Textarea } from "../../../components/ui/Input";
import { EmptyState, ErrorState, LoadingState } from "../../../components/ui/States";
import { useToast } from "../../../components/ui/Toast";
import { canManage, formatDate } from "../../../lib/format";
import { useCursorList } from "../../../lib/useCursorList";
import { KNOWLEDGE_KEY } from "../keys";
import { SettingsHeader } from "../SettingsLayout";
import { useAddFaq, useDeleteKnowledge } from "./api";
import { parseFaq } from "./faq";

const EXAMPLE =
  "Q: What are the fees?\nA: The course costs ₹2999.\n\nQ: Do you offer EMI?\nA: Yes, over 3 months.";

function entriesLabel(n: number): string {
  return `${n} ${n === 1 ? "entry" : "entries"}`;
}

function AddFaq() {
  const add = useAddFaq();
  const { toast } = useToast();
  const [text, setText] = useState("");
  const [created, setCreated] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const pairs = parseFaq(text);

  const submit = (content: string, source: string) => {
    setCreated(null);
    add.mutate(content, {
      onSuccess: (result) => {
        // Said under the card's header (a toast would cover the list being added to).
        setCreated(`Created ${entriesLabel(result.created)} from ${source}.`);
        if (source === "the pasted text") setText("");
      },
    });
  };

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    let content: string;
    try {
      content = await file.text();
    } catch {
      toast({ tone: "error", title: "Couldn't read that file" });
      return;
    }
    submit(content, file.name);
  };

  return (
    <Card>
      <CardHeader
        title="Add FAQ entries"
        description="Question and answer pairs the agent can quote. Write each as a Q: line and an A: line, with a blank line between pairs."
        actions={
          <>
            <input
              ref={fileInput}
              type="file"
              accept=".txt,text/plain"
              className="sr-only"
              tabIndex={-1}
              aria-label="faq.txt file"
              data-testid="faq-file"
              onChange={(e) => void onFile(e)}
            />
            <Button
              variant="secondary"
              onClick={() => fileInput.current?.click()}
              disabled={add.isPending}
            >
              <FileUp className="size-4" aria-hidden="true" />
              Upload faq.txt
            </Button>
          </>
        }
      />
      <div className="space-y-3 p-5">
        {add.error ? <Alert>{errorMessage(add.error)}</Alert> : null}
        {created && !add.error && (
          <p className="text-sm font-medium text-brand-700" data-testid="faq-created">
            {created}
          </p>
        )}
        <Field
          label="Paste questions and answers"
          hint={
            text.trim()
              ? pairs.length > 0
                ? `${pairs.length} question${pairs.length === 1 ? "" : "s"} found.`
                : "No Q:/A: pairs found yet."
              : undefined
          }
        >
          <Textarea
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setCreated(null);
              if (add.isError) add.reset();
            }}
            rows={6}
            placeholder={EXAMPLE}
            className="font-mono text-xs leading-5"
          />
        </Field>
        <div className="flex justify-end">
          <Button
            onClick={() => submit(text, "the pasted text")}
            disabled={!text.trim()}
            loading={add.isPending}
          >
            {!add.isPending && <Plus className="size-4" aria-hidden="true" />}
            {pairs.length > 0 ? `Add ${entriesLabel(pairs.length)}` : "Add entries"}
          </Button>
        </div>
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
  const entries = useCursorList(KNOWLEDGE_KEY, (cursor) =>
    unwrap(api.GET("/api/v1/knowledge", { params: { query: { limit: 50, cursor } } })),
  );
  const remove = useDeleteKnowledge();
  const { toast } = useToast();
  const [deleting, setDeleting] = useState<KnowledgeEntry | null>(null);

  let body: ReactNode;
  if (entries.isPending) body = <LoadingState label="Loading the knowledge base…" />;
  else if (entries.isError && entries.items.length === 0)
    body = <ErrorState error={entries.error} onRetry={() => void entries.refetch()} />;
  else if (entries.items.length === 0)
    body = (
      <EmptyState
        icon={BookOpen}
        title="The knowledge base is empty"
        description="Add your FAQ so the agent can answer questions about fees, timings and policies from your own words."
      />
    );
  else
    body = (
      <>
        <ul className="divide-y divide-gray-100" aria-label="Knowledge entries">
          {entries.items.map((entry) => (
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
                    {entry.kind === "web" ? "Web" : "FAQ"}
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
        <LoadMore
          hasNextPage={entries.hasNextPage}
          isFetchingNextPage={entries.isFetchingNextPage}
          fetchNextPage={entries.fetchNextPage}
          error={entries.isFetchNextPageError ? entries.error : undefined}
        />
      </>
    );

  return (
    <Card>
      <CardHeader title="Entries" description="What the agent can look up when a lead asks." />
      {body}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title="Delete this entry?"
        description={deleting ? `“${deleting.title}” — the agent stops using it.` : ""}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error ? <Alert>{errorMessage(remove.error)}</Alert> : null}
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
    </Card>
  );
}

/** The knowledge base: FAQ entries (and scanned web pages) the agent answers from. */
export function KnowledgeBase() {
  const { user } = useSession();
  const manager = canManage(user.role);
  return (
    <div className="space-y-6">
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
