import { Check, Copy } from "lucide-react";
import { useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import { ROLE_DESCRIPTIONS, ROLES } from "../../api/enums";
import type { CreatedInvite, Role } from "../../api/models";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { copyText } from "../../lib/clipboard";
import { formatDateTime, roleLabel } from "../../lib/format";
import { useCreateInvite } from "./api";

const roleOptions = ROLES.map((role) => ({
  value: role,
  label: roleLabel(role),
  description: ROLE_DESCRIPTIONS[role],
}));

export function InviteDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      {open && <InviteDialogBody onDone={() => onOpenChange(false)} />}
    </Dialog>
  );
}

function InviteDialogBody({ onDone }: { onDone: () => void }) {
  const [role, setRole] = useState<Role>("agent");
  const [email, setEmail] = useState("");
  const [created, setCreated] = useState<CreatedInvite | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);

  const create = useCreateInvite({
    onSuccess: async (invite) => {
      setCreated(invite);
      setCopied(await copyText(invite.url));
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ role, email: email.trim() === "" ? null : email.trim() });
  };

  if (created) {
    return (
      <DialogContent
        title="Invite created"
        description={`Send this link to the person you're inviting as ${roleLabel(role)}. It expires ${formatDateTime(created.expires_at)}.`}
      >
        <div className="space-y-4">
          {copied ? (
            <Alert tone="success">Link copied to your clipboard.</Alert>
          ) : copied === false ? (
            <Alert tone="info">Copy the link below and share it.</Alert>
          ) : null}
          <Field label="Invite link">
            <Input readOnly value={created.url} onFocus={(e) => e.currentTarget.select()} />
          </Field>
          <div className="flex justify-end gap-2">
            <Button
              variant="secondary"
              onClick={async () => setCopied(await copyText(created.url))}
            >
              {copied ? <Check className="size-4" /> : <Copy className="size-4" />}
              Copy link
            </Button>
            <Button onClick={onDone}>Done</Button>
          </div>
        </div>
      </DialogContent>
    );
  }

  const server = fieldErrors(create.error);
  const message = formMessage(create.error, ["role", "email"]);
  return (
    <DialogContent
      title="Invite a teammate"
      description="Create a signup link. Anyone who opens it can join your organisation with the role you choose."
    >
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        {message && <Alert>{message}</Alert>}
        <Field label="Role" error={server.role}>
          <Select value={role} onValueChange={setRole} options={roleOptions} />
        </Field>
        <Field
          label="Email"
          optional
          error={server.email}
          hint="Restrict the invite to this address."
        >
          <Input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            placeholder="teammate@company.com"
          />
        </Field>
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" type="button" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create invite link
          </Button>
        </div>
      </form>
    </DialogContent>
  );
}
