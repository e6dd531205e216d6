/**
 * Registration: the four fields the API wants, its errors put next to the field they are about.
 * With Cognito the account then needs the emailed code; after it the customer is signed in and
 * their profile created from the names given here (see profileStep.ts).
 */
import { useState, type FormEvent } from "react";
import type { ApiError } from "../api/errors";
import { Page } from "../app/Page";
import { useServices } from "../app/services";
import { ProblemMessage } from "../components/ProblemMessage";
import { TextField } from "../components/TextField";
import { hrefFor, navigate, paths } from "../routing";
import { CompleteProfileStep } from "./CompleteProfileStep";
import { placeFormError } from "./formErrors";
import { ConfirmCodeStep } from "./ConfirmCodeStep";
import { signInWithProfile } from "./profileStep";
import { validateEmail } from "./SignInPage";

type Field = "firstName" | "lastName" | "email" | "password";
const FIELD_IDS: Record<Field, string> = {
  firstName: "register-first-name",
  lastName: "register-last-name",
  email: "register-email",
  password: "register-password",
};

/** Which field an API error code is about. */
const CODE_FIELD: Record<string, Field> = {
  invalid_first_name: "firstName",
  invalid_last_name: "lastName",
  invalid_email: "email",
  email_taken: "email",
  weak_password: "password",
};

function validate(values: Record<Field, string>): Partial<Record<Field, string>> {
  return {
    firstName: values.firstName.trim() ? undefined : "Enter your first name.",
    lastName: values.lastName.trim() ? undefined : "Enter your last name.",
    email: validateEmail(values.email),
    password:
      values.password.length >= 8 && /\d/.test(values.password) && /[a-z]/i.test(values.password)
        ? undefined
        : "Use at least 8 characters, with letters and digits.",
  };
}

type Stage = "details" | "confirm" | "profile";

export function RegisterPage({ next }: { next: string | null }) {
  const { api, auth } = useServices();
  const [values, setValues] = useState<Record<Field, string>>({ firstName: "", lastName: "", email: "", password: "" });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [stage, setStage] = useState<Stage>("details");

  const set = (field: Field) => (value: string) => setValues((prev) => ({ ...prev, [field]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate(values);
    setErrors(found);
    const first = (Object.keys(FIELD_IDS) as Field[]).find((field) => found[field]);
    if (first) {
      document.getElementById(FIELD_IDS[first])?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const result = await auth.signUp(values);
      if (result.needsConfirmation) {
        setStage("confirm");
        setBusy(false);
        return;
      }
      await finish();
    } catch (caught) {
      placeFormError(caught, {
        codeField: CODE_FIELD,
        fieldIds: FIELD_IDS,
        setFieldError: (field, message) => setErrors({ [field]: message }),
        setProblem,
      });
      setBusy(false);
    }
  }

  const done = () => navigate(next ?? paths.tickets(), { replace: true });

  /** Signs the new account in and makes sure of its profile; throws ApiError. */
  async function finish() {
    const profile = await signInWithProfile(api, auth, values.email, values.password);
    if (profile === "ready") done();
    else setStage("profile");
  }

  if (stage === "confirm") return <ConfirmCodeStep email={values.email.trim()} onConfirmed={finish} />;
  if (stage === "profile") return <CompleteProfileStep onDone={done} />;

  return (
    <Page title="Create an account">
      <form className="auth-form" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField id={FIELD_IDS.firstName} label="First name" autoComplete="given-name" value={values.firstName} onChange={set("firstName")} error={errors.firstName} />
        <TextField id={FIELD_IDS.lastName} label="Last name" autoComplete="family-name" value={values.lastName} onChange={set("lastName")} error={errors.lastName} />
        <TextField id={FIELD_IDS.email} label="Email" type="email" autoComplete="email" value={values.email} onChange={set("email")} error={errors.email} />
        <TextField
          id={FIELD_IDS.password}
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters, with letters and digits."
          value={values.password}
          onChange={set("password")}
          error={errors.password}
        />
        {problem && <ProblemMessage error={problem} />}
        <button type="submit" disabled={busy}>
          {busy ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <a href={hrefFor(paths.signIn(next))}>Sign in</a>.
      </p>
    </Page>
  );
}
