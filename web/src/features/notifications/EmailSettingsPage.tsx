import { Mail, Send } from "lucide-react";
import { useState, type FormEvent } from "react";
import { ApiError, fieldErrors, formMessage } from "../../api/errors";
import { optionsOf, SMTP_TLS_LABELS, SMTP_TLS_MODES } from "../../api/enums";
import type { EmailSettings, EmailSettingsBody, SmtpTls } from "../../api/models";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime } from "../../lib/format";
import { useSession } from "../auth";
import { useEmailSettings, useSaveEmailSettings, useTestEmail } from "./api";

const FIELDS = [
  "smtp_host",
  "smtp_port",
  "username",
  "password",
  "from",
  "tls",
] satisfies readonly (keyof EmailSettingsBody)[];

const TLS_OPTIONS = optionsOf(SMTP_TLS_MODES, SMTP_TLS_LABELS);

function EmailForm({ settings }: { settings: EmailSettings }) {
  const [host, setHost] = useState(settings.smtp_host);
  const [port, setPort] = useState(String(settings.smtp_port));
  const [username, setUsername] = useState(settings.username ?? "");
  // Write-only: blank keeps the saved password.
  const [password, setPassword] = useState("");
  const [from, setFrom] = useState(settings.from);
  const [tls, setTls] = useState<SmtpTls>(settings.tls);
  const { toast } = useToast();
  const save = useSaveEmailSettings({
    onSuccess: () => {
      setPassword("");
      toast({ title: "Email settings saved" });
    },
  });
  const test = useTestEmail();
  const errors = fieldErrors(save.error);
  const message = formMessage(save.error, FIELDS);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      smtp_host: host,
      smtp_port: Number(port) || 0,
      username: username.trim() || null,
      ...(password ? { password } : {}),
      from,
      tls,
    });
  };
  const testMessage =
    test.error instanceof ApiError && test.error.code === "email_not_configured"
      ? "Save the settings first."
      : test.error
        ? formMessage(test.error, [])
        : null;
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Mail server">
      {message && <Alert tone="error">{message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
        <Field label="SMTP host" error={errors.smtp_host}>
          <Input
            value={host}
            onChange={(e) => setHost(e.target.value)}
            placeholder="smtp.example.com"
          />
        </Field>
        <Field label="Port" error={errors.smtp_port}>
          <Input
            value={port}
            onChange={(e) => setPort(e.target.value.replace(/\D/g, ""))}
            inputMode="numeric"
          />
        </Field>
      </div>
      <Field label="Security" error={errors.tls}>
        <Select value={tls} onValueChange={setTls} options={TLS_OPTIONS} aria-label="Security" />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Username" optional error={errors.username}>
          <Input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            autoComplete="off"
          />
        </Field>
        <Field
          label="Password"
          optional
          error={errors.password}
          hint={settings.has_password ? "Saved. Leave blank to keep it." : undefined}
        >
          <Input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="new-password"
            placeholder={settings.has_password ? "••••••••" : ""}
          />
        </Field>
      </div>
      <Field
        label="From"
        error={errors.from}
        hint="The sender people see, e.g. Closer <team@example.com>."
      >
        <Input
          value={from}
          onChange={(e) => setFrom(e.target.value)}
          placeholder="Closer <team@example.com>"
        />
      </Field>
      {test.data && (
        <Alert tone={test.data.ok ? "success" : "error"} className="break-words">
          {test.data.ok
            ? `Test email sent to ${test.data.to}.`
            : `The mail server refused: ${test.data.message ?? "unknown error"}`}
        </Alert>
      )}
      {testMessage && <Alert tone="error">{testMessage}</Alert>}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button
          type="button"
          variant="secondary"
          onClick={() => test.mutate()}
          loading={test.isPending}
          disabled={!settings.configured}
        >
          <Send className="size-4" aria-hidden="true" />
          Send test email
        </Button>
        <Button type="submit" loading={save.isPending}>
          Save
        </Button>
      </div>
      {settings.updated_at && (
        <p className="text-xs text-gray-500">Saved {formatDateTime(settings.updated_at)}</p>
      )}
    </form>
  );
}

/** Settings → Email: the mail server for notifications, password resets and invites. */
export function EmailSettingsPage() {
  const { user } = useSession();
  const allowed = canManage(user.role);
  const settings = useEmailSettings({ enabled: allowed });
  return (
    <>
      <SettingsHeader
        title="Email"
        description="The mail server Closer sends notifications, password resets and invites through."
      />
      {!allowed ? (
        <EmptyState
          icon={Mail}
          title="Only owners and admins set up email"
          description="Ask an owner or admin of your organisation."
        />
      ) : settings.isPending ? (
        <LoadingState label="Loading email settings…" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <Card className="p-4 sm:p-5">
          <EmailForm key={settings.data.updated_at ?? "new"} settings={settings.data} />
        </Card>
      )}
    </>
  );
}
