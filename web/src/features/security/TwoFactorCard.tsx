import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import type { TwoFactorSetup } from "../../api/models";
import { CopyField } from "../../components/CopyField";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { useToast } from "../../components/ui/Toast";
import { ME_KEY, useSession } from "../auth";
import {
  useDisableTwoFactor,
  useEnableTwoFactor,
  useRegenerateRecoveryCodes,
  useStartTwoFactorSetup,
} from "./api";
import { RecoveryCodes } from "./RecoveryCodes";

/** The QR code the server drew, as an image (no markup of the server's is put in the page). */
export function qrImageSrc(svg: string): string {
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}

/** Two-factor sign-in: set it up, see the recovery codes once, renew them, turn it off. */
export function TwoFactorCard() {
  const { two_factor } = useSession();
  const queryClient = useQueryClient();
  const [codes, setCodes] = useState<string[] | null>(null);
  const start = useStartTwoFactorSetup();

  const finish = () => {
    setCodes(null);
    start.reset();
    // The session now says two-factor is on (and lets an enrolling member through).
    void queryClient.invalidateQueries({ queryKey: ME_KEY });
  };

  // Just turned on: the session catches up once the codes are saved.
  const on = two_factor.enabled || codes !== null;
  let body;
  if (codes) {
    body = <RecoveryCodes codes={codes} onDone={finish} />;
  } else if (two_factor.enabled) {
    body = <EnabledActions onNewCodes={setCodes} />;
  } else if (start.data) {
    body = <SetupSteps setup={start.data} onEnabled={setCodes} onCancel={() => start.reset()} />;
  } else {
    body = (
      <div className="space-y-3">
        <p className="text-sm text-gray-600">
          Besides your password, sign-in will ask for a 6-digit code from an authenticator app such
          as Google Authenticator, 1Password or Authy.
        </p>
        {start.error ? <Alert>{formMessage(start.error, [])}</Alert> : null}
        <Button onClick={() => start.mutate()} loading={start.isPending}>
          Set up two-factor sign-in
        </Button>
      </div>
    );
  }

  return (
    <Card>
      <CardHeader
        id="two-factor-heading"
        title="Two-factor sign-in"
        description="A code from your phone at every sign-in keeps a stolen password useless."
        actions={<Badge tone={on ? "green" : "gray"}>{on ? "On" : "Off"}</Badge>}
      />
      <div className="px-5 py-4">{body}</div>
    </Card>
  );
}

function SetupSteps({
  setup,
  onEnabled,
  onCancel,
}: {
  setup: TwoFactorSetup;
  onEnabled: (codes: string[]) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState("");
  const enable = useEnableTwoFactor();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    enable.mutate(code.trim(), { onSuccess: (r) => onEnabled(r.recovery_codes) });
  };
  const message = formMessage(enable.error, ["code"]);
  return (
    <div className="grid gap-6 md:grid-cols-[auto_1fr]">
      <div className="flex flex-col items-center gap-2">
        <img
          src={qrImageSrc(setup.qr_svg)}
          alt="QR code for your authenticator app"
          width={184}
          height={184}
          className="size-46 rounded-md border border-gray-200 bg-white"
        />
        <p className="text-xs text-gray-500">Scan with your authenticator app</p>
      </div>
      <form onSubmit={submit} noValidate className="min-w-0 space-y-4">
        <ol className="list-decimal space-y-1 pl-5 text-sm text-gray-600">
          <li>Open your authenticator app and add an account.</li>
          <li>Scan the QR code, or type the setup key below.</li>
          <li>Enter the 6-digit code the app shows.</li>
        </ol>
        <CopyField label="Setup key" value={setup.secret} />
        {message && <Alert>{message}</Alert>}
        <Field label="6-digit code" error={fieldErrors(enable.error).code}>
          <Input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            className="max-w-40 font-mono tracking-widest"
          />
        </Field>
        <div className="flex gap-2">
          <Button type="submit" loading={enable.isPending} disabled={code.trim().length < 6}>
            Turn on
          </Button>
          <Button type="button" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </div>
  );
}

function EnabledActions({ onNewCodes }: { onNewCodes: (codes: string[]) => void }) {
  const [open, setOpen] = useState<"codes" | "disable" | null>(null);
  return (
    <div className="space-y-4">
      <p className="text-sm text-gray-600">
        Sign-in asks for a code from your authenticator app. Lost your phone? A recovery code works
        once in its place.
      </p>
      {open === null && (
        <div className="flex flex-wrap gap-2">
          <Button variant="secondary" onClick={() => setOpen("codes")}>
            New recovery codes
          </Button>
          <Button variant="secondary" onClick={() => setOpen("disable")}>
            Turn off
          </Button>
        </div>
      )}
      {open === "codes" && <NewCodesForm onDone={onNewCodes} onCancel={() => setOpen(null)} />}
      {open === "disable" && <DisableForm onCancel={() => setOpen(null)} />}
    </div>
  );
}

function NewCodesForm({
  onDone,
  onCancel,
}: {
  onDone: (codes: string[]) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState("");
  const regenerate = useRegenerateRecoveryCodes();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    regenerate.mutate(code.trim(), { onSuccess: (r) => onDone(r.recovery_codes) });
  };
  const message = formMessage(regenerate.error, ["code"]);
  return (
    <form onSubmit={submit} noValidate className="max-w-sm space-y-3">
      {message && <Alert>{message}</Alert>}
      <Field
        label="Current code"
        hint="From your app, or an unused recovery code. The old recovery codes stop working."
        error={fieldErrors(regenerate.error).code}
      >
        <Input
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="one-time-code"
          className="font-mono"
        />
      </Field>
      <div className="flex gap-2">
        <Button type="submit" loading={regenerate.isPending} disabled={!code.trim()}>
          Show new codes
        </Button>
        <Button type="button" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function DisableForm({ onCancel }: { onCancel: () => void }) {
  const { two_factor } = useSession();
  const { toast } = useToast();
  const [password, setPassword] = useState("");
  const disable = useDisableTwoFactor();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    disable.mutate(password, {
      onSuccess: () => toast({ title: "Two-factor sign-in is off" }),
    });
  };
  const message = formMessage(disable.error, ["password"]);
  return (
    <form onSubmit={submit} noValidate className="max-w-sm space-y-3">
      {two_factor.required && (
        <Alert tone="info">
          Your organisation requires two-factor sign-in: you will have to set it up again before you
          can continue working.
        </Alert>
      )}
      {message && <Alert>{message}</Alert>}
      <Field label="Your password" error={fieldErrors(disable.error).password}>
        <Input
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <div className="flex gap-2">
        <Button type="submit" variant="danger" loading={disable.isPending} disabled={!password}>
          Turn off two-factor
        </Button>
        <Button type="button" variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
