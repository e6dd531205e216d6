/** Sign-in: email and password through the AuthClient, then back to where the customer was. */
import { useState, type FormEvent } from "react";
import { ApiError, networkError } from "../api/errors";
import { Page } from "../app/Page";
import { useServices } from "../app/services";
import { ProblemMessage } from "../components/ProblemMessage";
import { TextField } from "../components/TextField";
import { hrefFor, navigate, paths } from "../routing";

type Field = "email" | "password";

export function validateEmail(email: string): string | undefined {
  if (!email.trim()) return "Enter your email address.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return "Enter an email address like name@example.com.";
  return undefined;
}

export function SignInPage({ next, expired }: { next: string | null; expired: boolean }) {
  const { auth } = useServices();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Partial<Record<Field, string>> = {
      email: validateEmail(email),
      password: password ? undefined : "Enter your password.",
    };
    setErrors(found);
    if (found.email || found.password) {
      document.getElementById(found.email ? "sign-in-email" : "sign-in-password")?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await auth.signIn(email, password);
      navigate(next ?? paths.tickets(), { replace: true });
    } catch (caught) {
      setProblem(caught instanceof ApiError ? caught : networkError());
      setBusy(false);
    }
  }

  return (
    <Page title="Sign in">
      {expired && (
        <p className="notice" role="status">
          Your session has ended. Sign in again to carry on where you were.
        </p>
      )}
      <form className="auth-form" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          id="sign-in-email"
          label="Email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={setEmail}
          error={errors.email}
        />
        <TextField
          id="sign-in-password"
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
        />
        {problem && <ProblemMessage error={problem} />}
        <button type="submit" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here? <a href={hrefFor(paths.register(next))}>Create an account</a>.
      </p>
      <p className="demo-hint">Trying the demo? Sign in as alice@example.com with the password Funland-2026.</p>
    </Page>
  );
}
