import { CheckCircle2, MessageCircle, PlugZap, RefreshCw } from "lucide-react";
import { useState, type FormEvent, type ReactNode } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import { exhaustive, NUMBER_STATUS_LABELS, QUALITY_RATING_LABELS } from "../../api/enums";
import type {
  NumberStatus,
  WhatsappConfigBody,
  WhatsappConnectBody,
  WhatsappStatus,
} from "../../api/models";
import { CopyField } from "../../components/CopyField";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime } from "../../lib/format";
import { useNow } from "../../lib/useNow";
import { useSession } from "../auth";
import {
  useConnectWhatsapp,
  useDisconnectWhatsapp,
  useSaveWhatsappConfig,
  useWhatsappStatus,
} from "./api";

/** Every credential the connect request takes, in the form's order. */
const FIELDS = exhaustive<keyof WhatsappConnectBody>()([
  "phone_number_id",
  "waba_id",
  "access_token",
  "app_secret",
  "verify_token",
  "display_phone_number",
] as const satisfies readonly (keyof WhatsappConnectBody)[]);

type FormState = Record<(typeof FIELDS)[number], string>;

function randomToken(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const STATUS_TONES: Record<NumberStatus, "green" | "red" | "gray"> = {
  connected: "green",
  token_invalid: "red",
  disconnected: "gray",
};

export function WhatsAppStatusBadge({ status }: { status: WhatsappStatus }) {
  return (
    <Badge tone={STATUS_TONES[status.status]}>
      <span data-testid="whatsapp-status" data-status={status.status}>
        {NUMBER_STATUS_LABELS[status.status]}
      </span>
    </Badge>
  );
}

const STATUS_DESCRIPTIONS: Record<NumberStatus, string> = {
  connected: "Leads who message this number are answered by your agent.",
  token_invalid:
    "Meta refused the saved access token, so your agent can't answer this number. Edit the connection and paste a new token.",
  disconnected:
    "No WhatsApp number is connected. Until you connect one, try your agent in the Playground.",
};

export function WhatsAppPage() {
  const status = useWhatsappStatus();

  return (
    <>
      <SettingsHeader
        title="WhatsApp"
        description="Connect your WhatsApp Business number so your agent can answer leads."
      />
      {status.isPending ? (
        <Card>
          <LoadingState label="Checking your WhatsApp connection…" />
        </Card>
      ) : status.isError ? (
        <Card>
          <ErrorState error={status.error} onRetry={() => void status.refetch()} />
        </Card>
      ) : (
        <WhatsAppSettings status={status.data} />
      )}
    </>
  );
}

function Detail({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium text-gray-500">{label}</dt>
      <dd className="mt-0.5 text-sm break-all text-gray-900">{children || "—"}</dd>
    </div>
  );
}

/** Meta's quality events that mean the number's standing dropped. */
const QUALITY_DROPS = ["DOWNGRADE", "FLAGGED"];

/**
 * Meta's word on the number's health: an alert when quality drops or Meta restricts the
 * account (business-initiated templates are refused while it lasts).
 */
export function AccountHealthAlerts({ status }: { status: WhatsappStatus }) {
  const now = useNow(60_000);
  const restrictions = status.restrictions.filter(
    (r) => !r.until || new Date(r.until).getTime() > now.getTime(),
  );
  const dropped =
    status.quality_rating === "red" ||
    status.quality_rating === "yellow" ||
    QUALITY_DROPS.includes(status.quality_event ?? "");
  if (!dropped && restrictions.length === 0) return null;
  return (
    <div className="space-y-3" data-testid="account-health">
      {restrictions.map((r) => (
        <Alert key={r.type} title="Meta restricted this account">
          {r.type === "RESTRICTED_BIZ_INITIATED_MESSAGING"
            ? "You can't start conversations with templates"
            : r.type.replaceAll("_", " ").toLowerCase()}
          {r.until ? ` until ${formatDateTime(r.until)}` : ""}. Replies inside the 24-hour window
          still go.
        </Alert>
      ))}
      {dropped && (
        <Alert title="Your number's quality dropped">
          Meta reports {status.quality_event?.toLowerCase() ?? "a lower rating"}
          {status.messaging_limit ? `; messaging limit ${status.messaging_limit}` : ""}. Send fewer
          marketing templates and make sure leads expect them.
        </Alert>
      )}
    </div>
  );
}

function WhatsAppSettings({ status }: { status: WhatsappStatus }) {
  const { user } = useSession();
  const manager = canManage(user.role);
  const { toast } = useToast();
  const [editing, setEditing] = useState(false);
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);

  const disconnect = useDisconnectWhatsapp({
    onSuccess: () => {
      setConfirmDisconnect(false);
      setEditing(false);
      toast({ title: "WhatsApp disconnected" });
    },
  });

  const hasAccount = status.phone_number_id != null;

  return (
    <div className="space-y-6">
      <AccountHealthAlerts status={status} />
      <Card>
        <CardHeader
          title={
            <span className="flex items-center gap-2">
              Connection <WhatsAppStatusBadge status={status} />
            </span>
          }
          description={STATUS_DESCRIPTIONS[status.status]}
          actions={
            manager && hasAccount ? (
              <>
                <Button variant="secondary" onClick={() => setEditing((v) => !v)}>
                  {editing ? "Cancel editing" : "Edit connection"}
                </Button>
                <Button
                  variant="secondary"
                  className="text-red-600 hover:text-red-700"
                  onClick={() => {
                    disconnect.reset();
                    setConfirmDisconnect(true);
                  }}
                >
                  Disconnect
                </Button>
              </>
            ) : null
          }
        />
        {hasAccount ? (
          <dl className="grid gap-x-6 gap-y-4 p-5 sm:grid-cols-2 lg:grid-cols-3">
            <Detail label="Phone number">{status.display_phone_number}</Detail>
            <Detail label="Phone number ID">{status.phone_number_id}</Detail>
            <Detail label="WhatsApp Business Account ID">{status.waba_id}</Detail>
            <Detail label="Quality rating">
              {status.quality_rating && QUALITY_RATING_LABELS[status.quality_rating]}
            </Detail>
            <Detail label="Messaging limit">{status.messaging_limit}</Detail>
            <Detail label="Latest quality event">{status.quality_event}</Detail>
            <Detail label="Latest account event">{status.account_event}</Detail>
            <Detail label="Last webhook received">
              {status.last_webhook_at ? formatDateTime(status.last_webhook_at) : "Never"}
            </Detail>
          </dl>
        ) : (
          <div className="flex items-start gap-3 p-5 text-sm text-gray-600">
            <span className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-brand-50 text-brand-600">
              <MessageCircle className="size-5" aria-hidden="true" />
            </span>
            <p>
              You'll need your number's <strong>phone number ID</strong>, your{" "}
              <strong>WhatsApp Business Account ID</strong>, a system-user{" "}
              <strong>access token</strong> and your Meta app's <strong>app secret</strong>, all
              from Meta's developer dashboard. Closer checks them with Meta before saving, and never
              shows the token or secret again.
            </p>
          </div>
        )}
      </Card>

      {manager && !hasAccount && <ConnectForm />}
      {manager && hasAccount && editing && (
        <ConfigForm status={status} onDone={() => setEditing(false)} />
      )}
      {hasAccount && (
        <SendRateCard key={status.send_rate_per_second} status={status} manager={manager} />
      )}
      {!manager && !hasAccount && (
        <Alert tone="info">Ask an owner or admin of your organisation to connect WhatsApp.</Alert>
      )}

      <Card>
        <CardHeader
          title="Webhook"
          description="In Meta's developer dashboard, under WhatsApp → Configuration, paste these values and subscribe to the messages field."
        />
        <div className="space-y-4 p-5">
          <CopyField label="Callback URL" value={status.webhook_url} />
          {status.verify_token && <CopyField label="Verify token" value={status.verify_token} />}
        </div>
      </Card>

      <ConfirmDialog
        open={confirmDisconnect}
        onOpenChange={setConfirmDisconnect}
        title="Disconnect WhatsApp?"
        description="Your agent stops answering this number and its credentials are deleted from Closer. Conversations and leads are kept."
        confirmLabel="Disconnect"
        pending={disconnect.isPending}
        error={disconnect.error}
        onConfirm={() => disconnect.mutate()}
      />
    </div>
  );
}

function CredentialFields({
  form,
  set,
  err,
  secretsOptional,
  onGenerate,
}: {
  form: FormState;
  set: (key: keyof FormState) => (e: { target: { value: string } }) => void;
  err: (key: string) => string | undefined;
  secretsOptional: boolean;
  onGenerate: () => void;
}) {
  const secretHint = secretsOptional ? "Leave blank to keep the current one." : undefined;
  return (
    <div className="grid gap-5 sm:grid-cols-2">
      <Field label="Phone number ID" error={err("phone_number_id")}>
        <Input
          value={form.phone_number_id}
          onChange={set("phone_number_id")}
          inputMode="numeric"
          autoComplete="off"
        />
      </Field>
      <Field label="WhatsApp Business Account ID" error={err("waba_id")}>
        <Input
          value={form.waba_id}
          onChange={set("waba_id")}
          inputMode="numeric"
          autoComplete="off"
        />
      </Field>
      <Field label="Access token" error={err("access_token")} hint={secretHint}>
        <Input
          type="password"
          value={form.access_token}
          onChange={set("access_token")}
          autoComplete="off"
        />
      </Field>
      <Field label="App secret" error={err("app_secret")} hint={secretHint}>
        <Input
          type="password"
          value={form.app_secret}
          onChange={set("app_secret")}
          autoComplete="off"
        />
      </Field>
      <div className="flex items-start gap-2">
        <Field
          label="Verify token"
          error={err("verify_token")}
          hint="Any secret string; you paste the same value into Meta."
          className="min-w-0 flex-1"
        >
          <Input value={form.verify_token} onChange={set("verify_token")} autoComplete="off" />
        </Field>
        <Button type="button" variant="secondary" className="mt-6.5" onClick={onGenerate}>
          <RefreshCw className="size-4" aria-hidden="true" />
          Generate
        </Button>
      </div>
      <Field label="Display phone number" optional error={err("display_phone_number")}>
        <Input
          type="tel"
          value={form.display_phone_number}
          onChange={set("display_phone_number")}
          placeholder="+91 98765 43210"
        />
      </Field>
    </div>
  );
}

function useCredentialForm(initial: FormState) {
  const [form, setForm] = useState<FormState>(initial);
  const set = (key: keyof FormState) => (e: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [key]: e.target.value }));
  const generate = () => setForm((current) => ({ ...current, verify_token: randomToken() }));
  return { form, set, generate };
}

/** The credentials in a card: the request's error on top and under its fields, `children` in the footer. */
function CredentialsCard({
  title,
  description,
  label,
  credentials: { form, set, generate },
  localErrors = {},
  error,
  secretsOptional,
  onSubmit,
  children,
}: {
  title: string;
  description: string;
  label: string;
  credentials: ReturnType<typeof useCredentialForm>;
  localErrors?: Record<string, string>;
  /** The failed request's error. */
  error: unknown;
  secretsOptional: boolean;
  onSubmit: (event: FormEvent) => void;
  children: ReactNode;
}) {
  const server = fieldErrors(error);
  const message = formMessage(error, FIELDS);
  return (
    <Card>
      <CardHeader title={title} description={description} />
      <form onSubmit={onSubmit} noValidate aria-label={label}>
        <div className="space-y-5 p-5">
          {message && <Alert>{message}</Alert>}
          <CredentialFields
            form={form}
            set={set}
            err={(key) => localErrors[key] ?? server[key]}
            secretsOptional={secretsOptional}
            onGenerate={generate}
          />
        </div>
        <div className="flex justify-end gap-2 border-t border-gray-200 bg-gray-50/60 px-5 py-3">
          {children}
        </div>
      </form>
    </Card>
  );
}

function ConnectForm() {
  const { toast } = useToast();
  const credentials = useCredentialForm({
    phone_number_id: "",
    waba_id: "",
    access_token: "",
    app_secret: "",
    verify_token: randomToken(),
    display_phone_number: "",
  });
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const connect = useConnectWhatsapp({
    onSuccess: () => toast({ title: "WhatsApp connected" }),
  });

  const { form } = credentials;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    for (const key of [
      "phone_number_id",
      "waba_id",
      "access_token",
      "app_secret",
      "verify_token",
    ] as const) {
      if (!form[key].trim()) errors[key] = "Required.";
    }
    setLocalErrors(errors);
    if (Object.keys(errors).length > 0) return;
    connect.mutate({
      phone_number_id: form.phone_number_id.trim(),
      waba_id: form.waba_id.trim(),
      access_token: form.access_token.trim(),
      app_secret: form.app_secret.trim(),
      verify_token: form.verify_token.trim(),
      display_phone_number: form.display_phone_number.trim() || null,
    });
  };

  return (
    <CredentialsCard
      title="Connect a number"
      description="Closer verifies these with Meta before saving."
      label="Connect WhatsApp"
      credentials={credentials}
      localErrors={localErrors}
      error={connect.error}
      secretsOptional={false}
      onSubmit={onSubmit}
    >
      <Button type="submit" loading={connect.isPending}>
        <PlugZap className="size-4" aria-hidden="true" />
        Connect WhatsApp
      </Button>
    </CredentialsCard>
  );
}

function ConfigForm({ status, onDone }: { status: WhatsappStatus; onDone: () => void }) {
  const { toast } = useToast();
  const initial: FormState = {
    phone_number_id: status.phone_number_id ?? "",
    waba_id: status.waba_id ?? "",
    access_token: "",
    app_secret: "",
    verify_token: status.verify_token ?? "",
    display_phone_number: status.display_phone_number ?? "",
  };
  const credentials = useCredentialForm(initial);
  const { form } = credentials;

  const save = useSaveWhatsappConfig({
    onSuccess: () => {
      toast({ title: "WhatsApp connection updated" });
      onDone();
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Send only what changed; blank secrets keep the stored ones.
    const body: Record<string, string> = {};
    for (const key of Object.keys(form) as Array<keyof FormState>) {
      const value = form[key].trim();
      if (value !== "" && value !== initial[key]) body[key] = value;
    }
    save.mutate(body as WhatsappConfigBody);
  };

  return (
    <CredentialsCard
      title="Edit connection"
      description="Changes are verified with Meta again before they're saved."
      label="Edit WhatsApp connection"
      credentials={credentials}
      error={save.error}
      secretsOptional
      onSubmit={onSubmit}
    >
      <Button type="button" variant="secondary" onClick={onDone}>
        Cancel
      </Button>
      <Button type="submit" loading={save.isPending}>
        <CheckCircle2 className="size-4" aria-hidden="true" />
        Save and verify
      </Button>
    </CredentialsCard>
  );
}

/**
 * The number's pace: how many messages a second it sends at most, every sender together
 * (campaigns, sequences, automations, the agent's templates). Meta grants 80 by default;
 * raise it only once Meta has raised the number's throughput.
 */
export function SendRateCard({ status, manager }: { status: WhatsappStatus; manager: boolean }) {
  const { toast } = useToast();
  const [rate, setRate] = useState(String(status.send_rate_per_second));
  const save = useSaveWhatsappConfig({
    onSuccess: (saved) => {
      setRate(String(saved.send_rate_per_second));
      toast({ title: `Sending pace set to ${saved.send_rate_per_second} messages a second` });
    },
  });
  const typed = Number(rate.trim());
  const local =
    rate.trim() === "" || !Number.isInteger(typed) || typed < 1 || typed > 1000
      ? "A whole number from 1 to 1000."
      : undefined;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (local) return;
    save.mutate({ send_rate_per_second: typed });
  };
  const error = fieldErrors(save.error).send_rate_per_second;
  const message = formMessage(save.error, ["send_rate_per_second"]);
  return (
    <Card>
      <CardHeader
        title="Sending pace"
        description="Messages a second this number sends at most — broadcasts, sequences, automations and the agent's templates share it. Meta allows 80 until it raises your number's throughput; Closer slows down by itself when Meta says it is too fast."
      />
      <form onSubmit={onSubmit} noValidate aria-label="Sending pace" className="p-5">
        {message && <Alert>{message}</Alert>}
        <div className="flex flex-wrap items-end gap-3">
          <Field
            label="Messages per second"
            error={(rate !== String(status.send_rate_per_second) && local) || error}
            className="w-48"
          >
            <Input
              type="number"
              inputMode="numeric"
              min={1}
              max={1000}
              value={rate}
              disabled={!manager}
              onChange={(e) => setRate(e.target.value)}
            />
          </Field>
          {manager && (
            <Button
              type="submit"
              variant="secondary"
              loading={save.isPending}
              disabled={rate.trim() === String(status.send_rate_per_second)}
            >
              Save pace
            </Button>
          )}
        </div>
      </form>
    </Card>
  );
}
