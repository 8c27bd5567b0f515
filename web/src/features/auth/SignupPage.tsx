import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { ApiError, fieldErrors, formMessage } from "../../api/errors";
import type { InviteLookup, SignupBody } from "../../api/models";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { roleLabel } from "../../lib/format";
import { useInviteLookup, useSignup } from "./api";
import { AuthLayout } from "./AuthLayout";
import { RedirectIfSignedIn, useStartSession } from "./session";

const FIELDS = ["org_name", "name", "email", "password"];
const MIN_PASSWORD = 8;

export function SignupPage() {
  const [params] = useSearchParams();
  const inviteToken = params.get("invite");
  if (inviteToken) return <InviteSignup token={inviteToken} key={inviteToken} />;
  return (
    <RedirectIfSignedIn>
      <SignupForm />
    </RedirectIfSignedIn>
  );
}

function InviteSignup({ token }: { token: string }) {
  const invite = useInviteLookup(token);

  if (invite.isPending) {
    return (
      <AuthLayout title="Join your team" subtitle="Checking your invitation…">
        <LoadingState label="Checking your invitation…" />
      </AuthLayout>
    );
  }
  if (invite.isError) {
    const notFound = invite.error instanceof ApiError && invite.error.status === 404;
    if (notFound) {
      return (
        <AuthLayout title="This invite can't be used" subtitle="Ask your admin for a new link.">
          <Alert title="Invite not found or expired">
            This invitation link is invalid, has expired, or has already been used.
          </Alert>
          <p className="mt-6 text-sm text-gray-600">
            Want to start fresh?{" "}
            <Link to="/signup" className="font-medium text-brand-700 hover:text-brand-800">
              Create a new organisation
            </Link>{" "}
            or{" "}
            <Link to="/login" className="font-medium text-brand-700 hover:text-brand-800">
              log in
            </Link>
            .
          </p>
        </AuthLayout>
      );
    }
    return (
      <AuthLayout title="Join your team">
        <ErrorState
          title="Couldn't check your invitation"
          error={invite.error}
          onRetry={() => void invite.refetch()}
        />
      </AuthLayout>
    );
  }
  return <SignupForm invite={invite.data} inviteToken={token} />;
}

export function SignupForm({
  invite,
  inviteToken,
}: {
  invite?: InviteLookup;
  inviteToken?: string;
}) {
  const startSession = useStartSession();
  const [orgName, setOrgName] = useState(invite?.org.name ?? "");
  const [name, setName] = useState("");
  const [email, setEmail] = useState(invite?.email ?? "");
  const [password, setPassword] = useState("");
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const signup = useSignup(startSession);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!invite && !orgName.trim()) errors.org_name = "Enter your organisation's name.";
    if (!name.trim()) errors.name = "Enter your name.";
    if (!email.trim()) errors.email = "Enter your email address.";
    else if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) errors.email = "Enter a valid email address.";
    if (password.length < MIN_PASSWORD)
      errors.password = `Use at least ${MIN_PASSWORD} characters.`;
    setLocalErrors(errors);
    if (Object.keys(errors).length === 0)
      signup.mutate(
        (inviteToken
          ? { invite_token: inviteToken, name, email, password }
          : { org_name: orgName, name, email, password }) as SignupBody,
      );
  };

  const server = fieldErrors(signup.error);
  const message = formMessage(signup.error, FIELDS);
  const err = (field: string) => localErrors[field] ?? server[field];

  const title = invite ? (
    <>
      Join {invite.org.name} as {roleLabel(invite.role)}
    </>
  ) : (
    "Create your organisation"
  );
  const subtitle = invite
    ? "You've been invited to Closer. Create your account to join the team."
    : "Set up Closer for your business. You can invite your team afterwards.";

  return (
    <AuthLayout title={title} subtitle={subtitle}>
      <form onSubmit={onSubmit} noValidate className="space-y-5">
        {message && <Alert>{message}</Alert>}
        <Field
          label="Organisation name"
          error={err("org_name")}
          hint={invite ? "You're joining this organisation." : undefined}
        >
          <Input
            value={orgName}
            onChange={(e) => setOrgName(e.target.value)}
            readOnly={Boolean(invite)}
            autoComplete="organization"
            autoFocus={!invite}
          />
        </Field>
        <Field label="Your name" error={err("name")}>
          <Input
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="name"
            autoFocus={Boolean(invite)}
          />
        </Field>
        <Field label="Email" error={err("email")}>
          <Input
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoComplete="email"
          />
        </Field>
        <Field label="Password" error={err("password")} hint="At least 8 characters.">
          <Input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="new-password"
          />
        </Field>
        <Button type="submit" className="w-full" loading={signup.isPending}>
          {invite ? "Join organisation" : "Create organisation"}
        </Button>
      </form>
      <p className="mt-8 text-center text-sm text-gray-500">
        Already have an account?{" "}
        <Link to="/login" className="font-medium text-brand-700 hover:text-brand-800">
          Log in
        </Link>
      </p>
    </AuthLayout>
  );
}
