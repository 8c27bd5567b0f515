import { MessageSquareText, Pencil, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { ApiError, errorMessage, fieldErrors, formMessage } from "../../api/errors";
import type { CannedReply } from "../../api/models";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input, Textarea } from "../../components/ui/Input";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { useSession } from "../auth";
import { useCannedReplies, useDeleteCannedReply, useSaveCannedReply } from "./api";

const FIELDS = ["shortcut", "text"] as const;

/** Create a canned reply, or edit `editing`; `onDone` after it saved or on cancel. */
function CannedReplyForm({ editing, onDone }: { editing: CannedReply | null; onDone: () => void }) {
  const [shortcut, setShortcut] = useState(editing?.shortcut ?? "");
  const [text, setText] = useState(editing?.text ?? "");
  const save = useSaveCannedReply(editing?.id ?? null);
  const { toast } = useToast();
  const errors = fieldErrors(save.error);
  const message =
    save.error instanceof ApiError && save.error.code === "shortcut_exists"
      ? "Another canned reply already uses this shortcut."
      : formMessage(save.error, FIELDS);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      { shortcut: shortcut.trim().replace(/^\//, ""), text },
      {
        onSuccess: () => {
          toast({ title: editing ? "Canned reply saved" : "Canned reply added" });
          setShortcut("");
          setText("");
          onDone();
        },
      },
    );
  };
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Canned reply">
      {message && <Alert tone="error">{message}</Alert>}
      <Field
        label="Shortcut"
        error={errors.shortcut}
        hint="Type / and this in the inbox's composer. Lower-case letters, digits, _ and -."
      >
        <Input
          value={shortcut}
          onChange={(e) => setShortcut(e.target.value.toLowerCase())}
          placeholder="price"
          maxLength={31}
        />
      </Field>
      <Field
        label="Text"
        error={errors.text}
        hint="{{name}}, {{first_name}}, {{phone}}, {{email}} and {{city}} are filled from the lead."
      >
        <Textarea
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={4096}
          placeholder="Hi {{first_name}}, the course is ₹2,999 with EMI options."
        />
      </Field>
      <div className="flex justify-end gap-2">
        {editing && (
          <Button type="button" variant="secondary" onClick={onDone}>
            Cancel
          </Button>
        )}
        <Button type="submit" loading={save.isPending}>
          {editing ? "Save" : "Add canned reply"}
        </Button>
      </div>
    </form>
  );
}

/** Settings → Canned replies: the team's saved answers, inserted with "/" in the inbox. */
export function CannedRepliesPage() {
  const { user } = useSession();
  const canEdit = user.role !== "viewer";
  const replies = useCannedReplies();
  const remove = useDeleteCannedReply();
  const { toast } = useToast();
  const [editing, setEditing] = useState<CannedReply | null>(null);
  return (
    <>
      <SettingsHeader
        title="Canned replies"
        description="Saved answers for the inbox: type / in the composer to insert one."
      />
      {canEdit && (
        <Card className="mb-6 p-4 sm:p-5">
          <CannedReplyForm
            key={editing?.id ?? "new"}
            editing={editing}
            onDone={() => setEditing(null)}
          />
        </Card>
      )}
      {replies.isPending ? (
        <LoadingState label="Loading canned replies…" />
      ) : replies.isError ? (
        <ErrorState error={replies.error} onRetry={() => void replies.refetch()} />
      ) : replies.data.items.length === 0 ? (
        <EmptyState
          icon={MessageSquareText}
          title="No canned replies yet"
          description="Add the answers you give most often: prices, address, timings."
        />
      ) : (
        <ul className="divide-y divide-gray-100 rounded-lg border border-gray-200 bg-white">
          {replies.data.items.map((r) => (
            <li key={r.id} className="flex items-start gap-3 p-4" data-testid="canned-reply">
              <div className="min-w-0 flex-1">
                <p className="font-mono text-sm font-semibold text-gray-900">/{r.shortcut}</p>
                <p className="mt-1 text-sm break-words whitespace-pre-wrap text-gray-600">
                  {r.text}
                </p>
              </div>
              {canEdit && (
                <div className="flex shrink-0 gap-1">
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Edit /${r.shortcut}`}
                    onClick={() => setEditing(r)}
                  >
                    <Pencil className="size-4" aria-hidden="true" />
                  </Button>
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Delete /${r.shortcut}`}
                    onClick={() =>
                      remove.mutate(r.id, {
                        onError: (error) =>
                          toast({
                            tone: "error",
                            title: "Couldn't delete it",
                            description: errorMessage(error),
                          }),
                      })
                    }
                  >
                    <Trash2 className="size-4" aria-hidden="true" />
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
