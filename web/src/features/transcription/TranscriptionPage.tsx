import { AudioLines, CheckCircle2, KeyRound } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import type { TranscriptionSettings, TranscriptionSettingsBody } from "../../api/models";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime } from "../../lib/format";
import { useSession } from "../auth";
import { useSaveTranscriptionSettings, useTranscriptionSettings } from "./api";

const FIELDS = [
  "base_url",
  "model",
  "api_key",
] satisfies readonly (keyof TranscriptionSettingsBody)[];

interface FormState {
  base_url: string;
  model: string;
  /** A new key as typed; never prefilled. Blank keeps the saved one. */
  api_key: string;
  removeKey: boolean;
}

function toForm(settings: TranscriptionSettings): FormState {
  return { base_url: settings.base_url, model: settings.model, api_key: "", removeKey: false };
}

/** The request: the key only when it changes. */
export function toBody(form: FormState): TranscriptionSettingsBody {
  const body: TranscriptionSettingsBody = {
    base_url: form.base_url.trim(),
    model: form.model.trim(),
  };
  if (form.removeKey) body.api_key = "";
  else if (form.api_key.trim() !== "") body.api_key = form.api_key.trim();
  return body;
}

export function TranscriptionPage() {
  const settings = useTranscriptionSettings();
  return (
    <>
      <SettingsHeader
        title="Transcription"
        description="Voice notes from leads are turned into text, shown under the player, and answered by your agent."
      />
      {settings.isPending ? (
        <Card>
          <LoadingState label="Loading your transcription settings…" />
        </Card>
      ) : settings.isError ? (
        <Card>
          <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
        </Card>
      ) : (
        <TranscriptionForm settings={settings.data} />
      )}
    </>
  );
}

function TranscriptionForm({ settings }: { settings: TranscriptionSettings }) {
  const { user } = useSession();
  const editable = canManage(user.role);
  const { toast } = useToast();
  const [form, setForm] = useState<FormState>(() => toForm(settings));
  const save = useSaveTranscriptionSettings({
    onSuccess: (updated) => {
      setForm(toForm(updated));
      toast({ title: "Transcription saved" });
    },
  });
  const set = (key: "base_url" | "model" | "api_key") => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [key]: e.target.value }));
    if (save.isError) save.reset();
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (editable) save.mutate(toBody(form));
  };
  const err = fieldErrors(save.error);
  const message = formMessage(save.error, FIELDS);

  return (
    <Card>
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            Speech-to-text provider
            {settings.configured ? <Badge tone="green">On</Badge> : <Badge tone="gray">Off</Badge>}
          </span>
        }
        description="Any OpenAI-compatible server with /audio/transcriptions: OpenAI, Groq, a local Whisper…"
      />
      <form onSubmit={onSubmit} noValidate aria-label="Transcription">
        <div className="space-y-5 p-5">
          {!editable && (
            <Alert tone="info">Only owners and admins can change the transcription provider.</Alert>
          )}
          {!settings.configured && editable && (
            <div className="flex items-start gap-3 text-sm text-gray-600">
              <span className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-brand-50 text-brand-600">
                <AudioLines className="size-5" aria-hidden="true" />
              </span>
              <p>
                Voice notes are not transcribed yet: your team can play them, but the agent only
                knows a voice note arrived. Save a provider to have them transcribed. The key is
                encrypted and never shown again.
              </p>
            </div>
          )}
          {message && <Alert>{message}</Alert>}
          <div className="grid gap-5 sm:grid-cols-2">
            <Field
              label="Base URL"
              error={err.base_url}
              hint={
                editable
                  ? "Up to and including the version, e.g. https://api.openai.com/v1."
                  : undefined
              }
              className="sm:col-span-2"
            >
              <Input
                type="url"
                value={form.base_url}
                onChange={set("base_url")}
                readOnly={!editable}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field label="Model" error={err.model}>
              <Input
                value={form.model}
                onChange={set("model")}
                readOnly={!editable}
                placeholder="whisper-1"
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <div className="space-y-2">
              <Field
                label="API key"
                error={err.api_key}
                hint={
                  settings.has_api_key
                    ? form.removeKey
                      ? "The saved key will be removed when you save."
                      : "A key is saved. Type a new one to replace it."
                    : editable
                      ? "Write-only: it is encrypted and never shown again."
                      : undefined
                }
              >
                <Input
                  type="password"
                  value={form.api_key}
                  onChange={set("api_key")}
                  readOnly={!editable || form.removeKey}
                  placeholder={settings.has_api_key ? "••••••••" : "sk-…"}
                  autoComplete="new-password"
                  spellCheck={false}
                />
              </Field>
              {settings.has_api_key && editable && (
                <Button
                  type="button"
                  variant="secondary"
                  size="sm"
                  onClick={() => setForm((f) => ({ ...f, removeKey: !f.removeKey, api_key: "" }))}
                >
                  <KeyRound className="size-4" aria-hidden="true" />
                  {form.removeKey ? "Keep the saved key" : "Remove the saved key"}
                </Button>
              )}
            </div>
          </div>
        </div>
        <div className="flex flex-col-reverse gap-3 border-t border-gray-200 bg-gray-50/60 px-5 py-3 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-xs text-gray-500">
            {settings.updated_at
              ? `Last saved ${formatDateTime(settings.updated_at)}`
              : "Not saved yet"}
          </p>
          {editable && (
            <Button type="submit" loading={save.isPending}>
              <CheckCircle2 className="size-4" aria-hidden="true" />
              Save
            </Button>
          )}
        </div>
      </form>
    </Card>
  );
}
