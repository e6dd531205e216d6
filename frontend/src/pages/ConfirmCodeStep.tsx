/**
 * The confirmation step of a Cognito sign-up: the code from the email, a way to ask for a new
 * one, and then `onConfirmed` (sign-in and profile) runs. Once the code is accepted it is not
 * asked again: a failure after that offers to retry only what is left.
 */
import { useEffect, useState, type FormEvent } from "react";
import { ApiError, networkError } from "../api/errors";
import { Page } from "../app/Page";
import { useServices } from "../app/services";
import { ProblemMessage } from "../components/ProblemMessage";
import { TextField } from "../components/TextField";

const CODE_ID = "confirm-code";
/** Problems about the code itself belong next to the code field. */
const CODE_PROBLEMS = new Set(["invalid_code", "expired_code"]);

function asProblem(caught: unknown): ApiError {
  return caught instanceof ApiError ? caught : networkError();
}

export interface ConfirmCodeStepProps {
  email: string;
  /** Why the step is shown, when it is not straight after sign-up (e.g. at sign-in). */
  notice?: string;
  onConfirmed: () => Promise<void>;
}

export function ConfirmCodeStep({ email, notice, onConfirmed }: ConfirmCodeStepProps) {
  const { auth } = useServices();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmed, setConfirmed] = useState(false);
  const [sent, setSent] = useState("");

  // A new step replaces the form the customer was on: put them in its field.
  useEffect(() => document.getElementById(CODE_ID)?.focus(), []);

  async function finish() {
    setBusy(true);
    setProblem(null);
    try {
      await onConfirmed();
    } catch (caught) {
      setProblem(asProblem(caught));
      setBusy(false);
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!code.trim()) {
      setError("Enter the code from the email.");
      document.getElementById(CODE_ID)?.focus();
      return;
    }
    setError(undefined);
    setProblem(null);
    setSent("");
    setBusy(true);
    try {
      await auth.confirmSignUp(email, code);
    } catch (caught) {
      const found = asProblem(caught);
      if (CODE_PROBLEMS.has(found.code)) {
        setError([found.detail, found.guidance].filter(Boolean).join(" "));
        document.getElementById(CODE_ID)?.focus();
      } else {
        setProblem(found);
      }
      setBusy(false);
      return;
    }
    setConfirmed(true);
    await finish();
  }

  async function resend() {
    setProblem(null);
    setSent("");
    try {
      await auth.resendConfirmation(email);
      setSent(`We sent a new code to ${email}.`);
    } catch (caught) {
      setProblem(asProblem(caught));
    }
  }

  if (confirmed) {
    return (
      <Page title="Account confirmed">
        <p role="status">{busy ? "Your account is confirmed. Signing you in…" : "Your account is confirmed."}</p>
        {problem && <ProblemMessage error={problem} onRetry={() => void finish()} retrying={busy} />}
      </Page>
    );
  }

  return (
    <Page title="Confirm your email">
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form className="auth-form" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          id={CODE_ID}
          label="Confirmation code"
          inputMode="numeric"
          autoComplete="one-time-code"
          hint={`Enter the code we emailed to ${email}.`}
          value={code}
          onChange={setCode}
          error={error}
        />
        {problem && <ProblemMessage error={problem} />}
        <button type="submit" disabled={busy}>
          {busy ? "Confirming…" : "Confirm account"}
        </button>
      </form>
      <p>
        No email?{" "}
        <button type="button" className="link-button" onClick={() => void resend()} disabled={busy}>
          Send a new code
        </button>
      </p>
      <p role="status">{sent}</p>
    </Page>
  );
}
