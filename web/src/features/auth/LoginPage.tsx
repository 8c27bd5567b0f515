import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { fieldErrors, formMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { useLogin } from "./api";
import { AuthLayout } from "./AuthLayout";
import { useStartSession } from "./session";

const FIELDS = ["email", "password"];

export function LoginPage() {
  const startSession = useStartSession();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const login = useLogin(startSession);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!email.trim()) errors.email = "Enter your email address.";
    if (!password) errors.password = "Enter your password.";
    setLocalErrors(errors);
    if (Object.keys(errors).length === 0) login.mutate({ email, password });
  };

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
