/**
 * Sign-in: email and password through the AuthClient, then back to where the customer was.
 * With Cognito two steps may come between: the emailed code for an account never confirmed,
 * and the customer's name when their profile does not exist yet (see profileStep.ts).
 */
import { useState, type FormEvent } from "react";
import { ApiError, networkError } from "../api/errors";
import { Page } from "../app/Page";
import { useServices } from "../app/services";
import { ProblemMessage } from "../components/ProblemMessage";
import { TextField } from "../components/TextField";
import { hrefFor, navigate, paths } from "../routing";
import { CompleteProfileStep } from "./CompleteProfileStep";
import { ConfirmCodeStep } from "./ConfirmCodeStep";
import { signInWithProfile } from "./profileStep";

type Field = "email" | "password";
type Stage = "credentials" | "confirm" | "profile";

export function validateEmail(email: string): string | undefined {
  if (!email.trim()) return "Enter your email address.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return "Enter an email address like name@example.com.";
  return undefined;
}

export function SignInPage({ next, expired }: { next: string | null; expired: boolean }) {
  const { api, auth } = useServices();
  const [stage, setStage] = useState<Stage>("credentials");
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
      await finish();
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : networkError();
      if (error.code === "account_not_confirmed") setStage("confirm");
      else setProblem(error);
      setBusy(false);
    }
  }

  const done = () => navigate(next ?? paths.tickets(), { replace: true });

  /** Signs in and makes sure of the profile; throws ApiError. */
  async function finish() {
    const profile = await signInWithProfile(api, auth, email, password);
    if (profile === "ready") done();
    else setStage("profile");
  }

  if (stage === "confirm") {
    return (
      <ConfirmCodeStep
        email={email.trim()}
        notice="Your account is not confirmed yet. Enter the code we emailed you when you signed up."
        onConfirmed={finish}
      />
    );
  }
  if (stage === "profile") return <CompleteProfileStep onDone={done} />;

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
      {/* The demo logins live in the local build's own identity store, not in a Cognito pool. */}
      {import.meta.env.VITE_AUTH_PROVIDER !== "cognito" && (
        <p className="demo-hint">Trying the demo? Sign in as alice@example.com with the password Funland-2026.</p>
      )}
    </Page>
  );
}
