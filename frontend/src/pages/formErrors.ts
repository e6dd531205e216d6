/**
 * Where a form puts an error: beside the field the API named (its problem code maps to a field),
 * with focus moved there, or as a message above the button when no field is to blame.
 */
import { ApiError, networkError } from "../api/errors";

export interface FormErrorTargets<F extends string> {
  /** Problem code → the field it is about ("invalid_first_name" → "firstName"). */
  codeField: Record<string, F>;
  /** Field → its input's id, to move focus there. */
  fieldIds: Record<F, string>;
  setFieldError: (field: F, message: string) => void;
  setProblem: (error: ApiError) => void;
}

export function placeFormError<F extends string>(caught: unknown, targets: FormErrorTargets<F>): void {
  const error = caught instanceof ApiError ? caught : networkError();
  const field = targets.codeField[error.code];
  if (field) {
    targets.setFieldError(field, [error.detail, error.guidance].filter(Boolean).join(" "));
    document.getElementById(targets.fieldIds[field])?.focus();
  } else {
    targets.setProblem(error);
  }
}
