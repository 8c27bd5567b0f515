import { CheckCircle2, Cpu, KeyRound, PlugZap, Undo2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage, type FieldErrors } from "../../api/errors";
import { LLM_PROVIDER_LABELS, LLM_PROVIDERS, optionsOf } from "../../api/enums";
import type { ConnectionTest, LlmProvider, LlmSettings, LlmSettingsBody } from "../../api/models";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime } from "../../lib/format";
import { useSession } from "../auth";
import { useLlmSettings, useSaveLlmSettings, useTestLlmConnection } from "./api";

const FIELDS = [
  "provider",
  "base_url",
  "model",
  "api_key",
  "timeout_ms",
  "input_usd_per_mtok",
  "output_usd_per_mtok",
] satisfies readonly (keyof LlmSettingsBody)[];

const PROVIDERS = optionsOf(LLM_PROVIDERS, LLM_PROVIDER_LABELS, {
  openai: "OpenAI, Azure, Groq, Together, OpenRouter, Ollama, vLLM, llama.cpp…",
  anthropic: "Claude, through the Messages API",
});

const HINTS: Record<LlmProvider, { baseUrl: string; model: string }> = {
  openai: {
    baseUrl:
      "Up to and including the version, e.g. https://api.openai.com/v1 or http://localhost:11434/v1.",
    model: "gpt-4o-mini",
  },
  anthropic: { baseUrl: "The host, e.g. https://api.anthropic.com.", model: "claude-sonnet-4-5" },
};

/** The per-token prices, for cost tracking. */
const PRICES = [
  { key: "input_usd_per_mtok", label: "Input price (USD / 1M tokens)" },
  { key: "output_usd_per_mtok", label: "Output price (USD / 1M tokens)" },
] as const;

/** What happens to the saved key on the next save or test. */
export type KeyAction = "keep" | "replace" | "remove";

export interface LlmFormState {
  provider: LlmProvider;
  base_url: string;
  model: string;
  /** A new key as typed; never prefilled. */
  api_key: string;
  keyAction: KeyAction;
  timeout_ms: string;
  input_usd_per_mtok: string;
  output_usd_per_mtok: string;
}

export function toForm(settings: LlmSettings): LlmFormState {
  return {
    provider: settings.provider,
    base_url: settings.base_url,
    model: settings.model,
    api_key: "",
    // Without a saved key there is nothing to keep: the field is simply for a new one.
    keyAction: settings.has_api_key ? "keep" : "replace",
    timeout_ms: String(settings.timeout_ms),
    input_usd_per_mtok: String(settings.input_usd_per_mtok),
    output_usd_per_mtok: String(settings.output_usd_per_mtok),
  };
}

function sameUrl(a: string, b: string): boolean {
  const norm = (url: string) => url.trim().replace(/\/+$/, "");
  return norm(a) === norm(b);
}

/**
 * Switches provider. A base URL that is still the previous provider's default (or empty)
 * becomes the new provider's default; a custom one is the user's and stays.
 */
export function switchProvider(
  form: LlmFormState,
  next: LlmProvider,
  defaults: LlmSettings["default_base_urls"],
): LlmFormState {
  if (next === form.provider) return form;
  const untouched =
    form.base_url.trim() === "" ||
    Object.values(defaults).some((url) => sameUrl(url, form.base_url));
  return { ...form, provider: next, base_url: untouched ? defaults[next] : form.base_url };
}

/** Numbers the browser cannot even send; everything else is the server's to judge. */
export function localErrors(form: LlmFormState): FieldErrors {
  const errors: FieldErrors = {};
  const timeout = form.timeout_ms.trim();
  if (timeout === "" || !Number.isInteger(Number(timeout))) {
    errors.timeout_ms = "Enter a whole number of milliseconds.";
  }
  for (const { key } of PRICES) {
    const value = form[key].trim();
    if (value !== "" && !Number.isFinite(Number(value))) errors[key] = "Enter a number.";
  }
  return errors;
}

/** The request for a save or a test: the key only when it changes. */
export function toBody(form: LlmFormState): LlmSettingsBody {
  const body: LlmSettingsBody = {
    provider: form.provider,
    base_url: form.base_url.trim(),
    model: form.model.trim(),
    timeout_ms: Number(form.timeout_ms.trim()),
    // A blank price means "unknown", which costs nothing.
    input_usd_per_mtok: Number(form.input_usd_per_mtok.trim() || "0"),
    output_usd_per_mtok: Number(form.output_usd_per_mtok.trim() || "0"),
  };
  if (form.keyAction === "remove") body.api_key = "";
  else if (form.keyAction === "replace" && form.api_key.trim() !== "")
    body.api_key = form.api_key.trim();
  return body;
}

export function LlmPage() {
  const settings = useLlmSettings();

  return (
    <>
      <SettingsHeader
        title="LLM provider"
        description="The language model your agent writes with. Without one, it replies with the rule-based engine."
      />
      {settings.isPending ? (
        <Card>
          <LoadingState label="Loading your LLM settings…" />
        </Card>
      ) : settings.isError ? (
        <Card>
          <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
        </Card>
      ) : (
        <LlmForm settings={settings.data} />
      )}
    </>
  );
}

function TestResult({ result }: { result: ConnectionTest }) {
  if (result.ok) {
    return (
      <Alert tone="success" title="Connection works">
        <span data-testid="llm-test-result">
          {result.model} answered in {result.latency_ms} ms.
        </span>
      </Alert>
    );
  }
  return (
    <Alert title="Connection failed">
      <span data-testid="llm-test-result">{result.message}</span>
      {result.code && <span className="ml-1 text-red-600/80">({result.code})</span>}
    </Alert>
  );
}

function LlmForm({ settings }: { settings: LlmSettings }) {
  const { user } = useSession();
  const editable = canManage(user.role);
  const readOnly = !editable;
  const { toast } = useToast();
  const [form, setForm] = useState<LlmFormState>(() => toForm(settings));
  const [local, setLocal] = useState<FieldErrors>({});

  const save = useSaveLlmSettings({
    onSuccess: (updated) => {
      // Back to the saved state: the typed key is gone, only "a key is saved" remains.
      setForm(toForm(updated));
      toast({ title: "LLM provider saved" });
    },
  });
  const test = useTestLlmConnection();

  const update = (patch: Partial<LlmFormState>) => {
    setForm((current) => ({ ...current, ...patch }));
    // A result (or error) about other values would mislead.
    if (!test.isPending) test.reset();
  };
  const set =
    (
      key:
        | "base_url"
        | "model"
        | "api_key"
        | "timeout_ms"
        | "input_usd_per_mtok"
        | "output_usd_per_mtok",
    ) =>
    (event: { target: { value: string } }) =>
      update({ [key]: event.target.value });

  const checked = (): LlmSettingsBody | null => {
    const errors = localErrors(form);
    setLocal(errors);
    return Object.keys(errors).length === 0 ? toBody(form) : null;
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!editable) return;
    const body = checked();
    if (!body) return;
    test.reset();
    save.mutate(body);
  };

  const onTest = () => {
    const body = checked();
    if (!body) return;
    save.reset();
    test.mutate(body);
  };

  const lastError = save.error ?? test.error;
  const server = fieldErrors(lastError);
  const err = (key: string) => local[key] ?? server[key];
  const message = formMessage(lastError, FIELDS);
  const hints = HINTS[form.provider];

  return (
    <Card>
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            Provider
            {settings.configured ? (
              <Badge tone="green">Configured</Badge>
            ) : (
              <Badge tone="gray">Not configured</Badge>
            )}
          </span>
        }
        description="Any OpenAI-compatible chat completions server, or Anthropic."
      />
      <form onSubmit={onSubmit} noValidate aria-label="LLM provider">
        <div className="space-y-5 p-5">
          {readOnly && (
            <Alert tone="info">Only owners and admins can change the LLM provider.</Alert>
          )}
          {!settings.configured && editable && (
            <div className="flex items-start gap-3 text-sm text-gray-600">
              <span className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-brand-50 text-brand-600">
                <Cpu className="size-5" aria-hidden="true" />
              </span>
              <p>
                No model is set up yet, so your agent answers with its rule-based engine. Pick a
                provider, enter the model and your API key, and <strong>test the connection</strong>{" "}
                before you save. The key is encrypted and never shown again.
              </p>
            </div>
          )}
          {message && <Alert>{message}</Alert>}
          <div className="grid gap-5 sm:grid-cols-2">
            <Field label="Provider" error={err("provider")}>
              <Select
                value={form.provider}
                onValueChange={(value) =>
                  update(switchProvider(form, value, settings.default_base_urls))
                }
                options={PROVIDERS}
                disabled={readOnly}
              />
            </Field>
            <Field label="Model" error={err("model")}>
              <Input
                value={form.model}
                onChange={set("model")}
                readOnly={readOnly}
                placeholder={hints.model}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <Field
              label="Base URL"
              error={err("base_url")}
              hint={readOnly ? undefined : hints.baseUrl}
              className="sm:col-span-2"
            >
              <Input
                type="url"
                value={form.base_url}
                onChange={set("base_url")}
                readOnly={readOnly}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
            <div className="sm:col-span-2">
              <ApiKeyField
                form={form}
                hasKey={settings.has_api_key}
                readOnly={readOnly}
                error={err("api_key")}
                onChange={set("api_key")}
                onAction={(keyAction) => update({ keyAction, api_key: "" })}
              />
            </div>
          </div>
          <div className="grid gap-5 sm:grid-cols-3">
            <Field
              label="Timeout (ms)"
              error={err("timeout_ms")}
              hint={readOnly ? undefined : "Per call, 1000 to 120000."}
            >
              <Input
                type="number"
                inputMode="numeric"
                min={1000}
                max={120000}
                step={1000}
                value={form.timeout_ms}
                onChange={set("timeout_ms")}
                readOnly={readOnly}
              />
            </Field>
            {PRICES.map(({ key, label }) => (
              <Field
                key={key}
                label={label}
                error={err(key)}
                hint={readOnly ? undefined : "For cost tracking; 0 if unknown."}
              >
                <Input
                  type="number"
                  inputMode="decimal"
                  min={0}
                  step="any"
                  value={form[key]}
                  onChange={set(key)}
                  readOnly={readOnly}
                />
              </Field>
            ))}
          </div>
          {test.data && <TestResult result={test.data} />}
        </div>
        <div className="flex flex-col-reverse gap-3 border-t border-gray-200 bg-gray-50/60 px-5 py-3 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-xs text-gray-500">
            {settings.updated_at
              ? `Last saved ${formatDateTime(settings.updated_at)}`
              : "Not saved yet"}
          </p>
          {editable && (
            <div className="flex gap-2">
              <Button type="button" variant="secondary" onClick={onTest} loading={test.isPending}>
                <PlugZap className="size-4" aria-hidden="true" />
                Test connection
              </Button>
              <Button type="submit" loading={save.isPending}>
                <CheckCircle2 className="size-4" aria-hidden="true" />
                Save
              </Button>
            </div>
          )}
        </div>
      </form>
    </Card>
  );
}

function ApiKeyField({
  form,
  hasKey,
  readOnly,
  error,
  onChange,
  onAction,
}: {
  form: LlmFormState;
  hasKey: boolean;
  readOnly: boolean;
  error?: string;
  onChange: (event: { target: { value: string } }) => void;
  onAction: (action: KeyAction) => void;
}) {
  if (hasKey && form.keyAction !== "replace") {
    const removing = form.keyAction === "remove";
    return (
      <div className="space-y-1.5">
        <p className="text-sm font-medium text-gray-700">API key</p>
        <div
          className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-gray-200 bg-gray-50 px-3 py-2"
          data-testid="llm-key-state"
        >
          <span className="flex items-center gap-2 text-sm text-gray-700">
            <KeyRound className="size-4 text-gray-400" aria-hidden="true" />
            {removing ? "The saved key will be removed when you save." : "A key is saved."}
          </span>
          {!readOnly && (
            <span className="flex gap-2">
              {removing ? (
                <Button
                  type="button"
                  variant="secondary"
                  size="sm"
                  onClick={() => onAction("keep")}
                >
                  <Undo2 className="size-4" aria-hidden="true" />
                  Keep the key
                </Button>
              ) : (
                <>
                  <Button
                    type="button"
                    variant="secondary"
                    size="sm"
                    onClick={() => onAction("replace")}
                  >
                    Replace
                  </Button>
                  <Button
                    type="button"
                    variant="secondary"
                    size="sm"
                    className="text-red-600 hover:text-red-700"
                    onClick={() => onAction("remove")}
                  >
                    Remove
                  </Button>
                </>
              )}
            </span>
          )}
        </div>
        {error && <p className="text-sm text-red-600">{error}</p>}
      </div>
    );
  }
  if (readOnly) {
    return (
      <div className="space-y-1.5">
        <p className="text-sm font-medium text-gray-700">API key</p>
        <p className="text-sm text-gray-500" data-testid="llm-key-state">
          No key saved.
        </p>
      </div>
    );
  }
  return (
    <div className="flex items-start gap-2">
      <Field
        label="API key"
        error={error}
        hint={
          hasKey
            ? "The new key replaces the saved one when you save."
            : form.provider === "openai"
              ? "Leave blank for local servers that need no key. Encrypted, never shown again."
              : "Encrypted, never shown again."
        }
        className="min-w-0 flex-1"
      >
        <Input
          type="password"
          value={form.api_key}
          onChange={onChange}
          autoComplete="new-password"
          spellCheck={false}
          autoFocus={hasKey}
          placeholder={hasKey ? "Paste the new key" : undefined}
        />
      </Field>
      {hasKey && (
        <Button
          type="button"
          variant="secondary"
          className="mt-6.5"
          onClick={() => onAction("keep")}
        >
          Cancel
        </Button>
      )}
    </div>
  );
}
