import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { ApiError, fieldErrors, formMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { useLogin } from "./api";
import { AuthLayout } from "./AuthLayout";
import { useStartSession } from "./session";

const FIELDS = ["email", "password"];

function hasCode(error: unknown, code: string): boolean {
  return error instanceof ApiError && error.code === code;
}

export function LoginPage() {
  const startSession = useStartSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  // The server asked for a second factor: the page's second step.
  const [askCode, setAskCode] = useState(false);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const login = useLogin(startSession);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!email.trim()) errors.email = "Enter your email address.";
    if (!password) errors.password = "Enter your password.";
    setLocalErrors(errors);
    if (Object.keys(errors).length > 0) return;
    login.mutate(
      { email, password },
      { onError: (err) => setAskCode(hasCode(err, "second_factor_required")) },
    );
  };

  const onSubmitCode = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) {
      setLocalErrors({ code: "Enter the code from your authenticator app." });
      return;
    }
    setLocalErrors({});
    login.mutate({ email, password, code: code.trim() });
  };

  if (askCode) {
    const wrongCode = hasCode(login.error, "invalid_second_factor");
    const message =
      wrongCode || hasCode(login.error, "second_factor_required")
        ? null
        : formMessage(login.error, []);
    return (
      <AuthLayout
        title="Enter your code"
        subtitle="Open your authenticator app and enter the 6-digit code for Closer."
      >
        <form onSubmit={onSubmitCode} noValidate className="space-y-5">
          {message && <Alert>{message}</Alert>}
          <Field
            label="Authentication code"
            hint="No phone? Enter one of your recovery codes instead."
            error={
              localErrors.code ?? (wrongCode ? "That code is not valid or was already used." : null)
            }
          >
            <Input
              value={code}
              onChange={(e) => setCode(e.target.value)}
              inputMode="numeric"
              autoComplete="one-time-code"
              className="font-mono tracking-widest"
              autoFocus
            />
          </Field>
          <Button type="submit" className="w-full" loading={login.isPending}>
            Verify and log in
          </Button>
        </form>
        <p className="mt-8 text-center text-sm text-gray-500">
          <button
            type="button"
            className="font-medium text-brand-700 hover:text-brand-800"
            onClick={() => {
              setAskCode(false);
              setCode("");
              login.reset();
            }}
          >
            Use another account
          </button>
        </p>
      </AuthLayout>
    );
  }

  const serverFields = fieldErrors(login.error);
  const message = formMessage(login.error, FIELDS);

  return (
    <AuthLayout
      title="Log in to Closer"
      subtitle="Welcome back. Pick up where your agent left off."
    >
      <form onSubmit={onSubmit} noValidate className="space-y-5">
        {message && <Alert>{message}</Alert>}
        <Field label="Email" error={localErrors.email ?? serverFields.email}>
          <Input
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </Field>
        <Field label="Password" error={localErrors.password ?? serverFields.password}>
          <Input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <p className="-mt-2 text-right text-sm">
          <Link to="/forgot-password" className="font-medium text-brand-700 hover:text-brand-800">
            Forgot password?
          </Link>
        </p>
        <Button type="submit" className="w-full" loading={login.isPending}>
          Log in
        </Button>
      </form>
      <p className="mt-8 text-center text-sm text-gray-500">
        New to Closer?{" "}
        <Link to="/signup" className="font-medium text-brand-700 hover:text-brand-800">
          Create an organisation
        </Link>
      </p>
    </AuthLayout>
  );
}
