import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client";
import { fieldErrors, formMessage } from "../../api/errors";
import type { PasswordResetBody, PasswordResetConfirmBody } from "../../api/models";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { AuthLayout } from "./AuthLayout";

function BackToLogin() {
  return (
    <p className="mt-8 text-center text-sm text-gray-500">
      <Link to="/login" className="font-medium text-brand-700 hover:text-brand-800">
        Back to log in
      </Link>
    </p>
  );
}

/** "Forgot password?": asks for a reset link by email. The answer is the same for any address. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const ask = useMutation({
    mutationFn: (body: PasswordResetBody) =>
      unwrap(api.POST("/api/v1/auth/password-reset", { body })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim()) {
      setError("Enter your email address.");
      return;
    }
    setError(null);
    ask.mutate({ email: email.trim() });
  };
  if (ask.isSuccess) {
    return (
      <AuthLayout title="Check your email">
        <Alert tone="success">
          If {email.trim()} has an account, a link to choose a new password is on its way. It works
          for an hour.
        </Alert>
        <BackToLogin />
      </AuthLayout>
    );
  }
  const message = formMessage(ask.error, ["email"]);
  return (
    <AuthLayout
      title="Reset your password"
      subtitle="Enter your account's email and we'll send you a link to choose a new password."
    >
      <form onSubmit={submit} noValidate className="space-y-5" aria-label="Reset your password">
        {message && <Alert>{message}</Alert>}
        <Field label="Email" error={error ?? fieldErrors(ask.error).email}>
          <Input
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </Field>
        <Button type="submit" className="w-full" loading={ask.isPending}>
          Send reset link
        </Button>
      </form>
      <BackToLogin />
    </AuthLayout>
  );
}

/** The emailed link's page: a new password, once; every session ends. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const confirm = useMutation({
    mutationFn: (body: PasswordResetConfirmBody) =>
      unwrap(api.POST("/api/v1/auth/password-reset/confirm", { body })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password.length < 8) {
      setError("Use at least 8 characters.");
      return;
    }
    if (password !== repeat) {
      setError("The two passwords differ.");
      return;
    }
    setError(null);
    confirm.mutate({ token, password });
  };
  if (confirm.isSuccess) {
    return (
      <AuthLayout title="Password changed">
        <Alert tone="success">
          Your new password is set, and you were signed out everywhere. Log in with it now.
        </Alert>
        <BackToLogin />
      </AuthLayout>
    );
  }
  const errors = fieldErrors(confirm.error);
  const message = errors.token
    ? "This link is unknown, used or expired. Ask for a new one."
    : formMessage(confirm.error, ["token", "password"]);
  return (
    <AuthLayout title="Choose a new password">
      <form onSubmit={submit} noValidate className="space-y-5" aria-label="Choose a new password">
        {!token && <Alert>This page needs the link from the reset email.</Alert>}
        {message && (
          <Alert>
            {message}{" "}
            {errors.token && (
              <Link to="/forgot-password" className="font-medium underline">
                Ask again
              </Link>
            )}
          </Alert>
        )}
        <Field label="New password" error={error ?? errors.password}>
          <Input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoFocus
          />
        </Field>
        <Field label="Repeat it">
          <Input
            type="password"
            autoComplete="new-password"
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
          />
        </Field>
        <Button type="submit" className="w-full" loading={confirm.isPending} disabled={!token}>
          Set new password
        </Button>
      </form>
      <BackToLogin />
    </AuthLayout>
  );
}
