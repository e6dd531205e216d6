/**
 * "Complete your profile": the names for POST /api/me when a signed-in Cognito account has no
 * customer record and the names from sign-up are not known in this tab. Shown by the sign-in
 * and registration pages (focus on the first field: the customer is mid-form) and by the shell
 * when an API call finds no profile (focus on the heading: it took the page's place unasked).
 */
import { useEffect, useState, type FormEvent } from "react";
import type { ApiError } from "../api/errors";
import { Page } from "../app/Page";
import { useServices } from "../app/services";
import { ProblemMessage } from "../components/ProblemMessage";
import { TextField } from "../components/TextField";
import { placeFormError } from "./formErrors";
import { createProfile } from "./profileStep";

type Field = "firstName" | "lastName";
const FIELD_IDS: Record<Field, string> = { firstName: "profile-first-name", lastName: "profile-last-name" };
const CODE_FIELD: Record<string, Field> = { invalid_first_name: "firstName", invalid_last_name: "lastName" };

export interface CompleteProfileStepProps {
  onDone: () => void;
  /** Where focus goes when the step appears. */
  focus?: "field" | "heading";
}

export function CompleteProfileStep({ onDone, focus = "field" }: CompleteProfileStepProps) {
  const { api } = useServices();
  const [values, setValues] = useState<Record<Field, string>>({ firstName: "", lastName: "" });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (focus === "field") document.getElementById(FIELD_IDS.firstName)?.focus();
  }, [focus]);

  const set = (field: Field) => (value: string) => setValues((prev) => ({ ...prev, [field]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Partial<Record<Field, string>> = {
      firstName: values.firstName.trim() ? undefined : "Enter your first name.",
      lastName: values.lastName.trim() ? undefined : "Enter your last name.",
    };
    setErrors(found);
    const first = (Object.keys(FIELD_IDS) as Field[]).find((field) => found[field]);
    if (first) {
      document.getElementById(FIELD_IDS[first])?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await createProfile(api, values);
      onDone();
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

  return (
    <Page title="Complete your profile" focusHeading={focus === "heading"}>
      <p>Your account is ready. Tell us your name to finish setting it up.</p>
      <form className="auth-form" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField id={FIELD_IDS.firstName} label="First name" autoComplete="given-name" value={values.firstName} onChange={set("firstName")} error={errors.firstName} />
        <TextField id={FIELD_IDS.lastName} label="Last name" autoComplete="family-name" value={values.lastName} onChange={set("lastName")} error={errors.lastName} />
        {problem && <ProblemMessage error={problem} />}
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save and continue"}
        </button>
      </form>
    </Page>
  );
}
