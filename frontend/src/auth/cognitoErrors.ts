/**
 * Cognito's error names put into the site's ApiError, with the codes the pages already know
 * (invalid_credentials, email_taken, weak_password, ...) so a Cognito build and the local build
 * read the same to the customer. An unknown sign-in user reads as a wrong password on purpose:
 * the form must not tell who has an account.
 */
import { ApiError, networkError } from "../api/errors";
import { CognitoError } from "./cognitoIdp";

export type CognitoStep = "signUp" | "confirm" | "resend" | "signIn" | "refresh";

function problem(status: number, code: string, detail: string, guidance: string): ApiError {
  return new ApiError({ status, code, title: detail, detail, guidance, retryAfter: null });
}

const TOO_MANY = (): ApiError =>
  problem(429, "too_many_attempts", "Too many attempts in a short time.", "Wait a few minutes, then try again.");

/** Anything else (a server fault, a wrong pool or client id): Cognito's name kept for support. */
const UNAVAILABLE = (cognitoCode = "unknown"): ApiError =>
  new ApiError({
    status: 503,
    code: "sign_in_unavailable",
    title: "Sign-in is not available right now.",
    detail: "Sign-in is not available right now.",
    guidance: "Nothing was changed. Please try again in a few minutes.",
    retryAfter: null,
    extra: { cognito_error: cognitoCode },
  });

/** Cognito words its policy failures as "Password did not conform with policy: <rule>". */
function passwordRule(message: string): string {
  const rule = /policy:\s*(.+)$/i.exec(message)?.[1]?.trim();
  return rule ? `${rule.replace(/\.?$/, ".")}` : "Use a longer password that mixes upper- and lower-case letters, digits and symbols.";
}

export function cognitoProblem(error: unknown, step: CognitoStep): ApiError {
  if (error instanceof ApiError) return error;
  if (!(error instanceof CognitoError)) return UNAVAILABLE();
  const message = error.message;
  switch (error.code) {
    case "NetworkError":
      return networkError();
    case "NotAuthorizedException":
      if (/attempts exceeded/i.test(message)) return TOO_MANY();
      if (/disabled/i.test(message)) {
        return problem(403, "account_disabled", "This account is disabled.", "Contact us if you think this is a mistake.");
      }
      if (step === "refresh") return problem(401, "session_expired", "Your session has ended.", "Please sign in again.");
      if (step === "signIn") return wrongPassword();
      // Sign-up and confirmation refuse with this name when the app client may not do that.
      return problem(403, "not_allowed", "Your account could not be set up.", "Please contact us; nothing was created.");
    case "UserNotFoundException":
      return step === "signIn" ? wrongPassword() : problem(404, "account_not_found", "We have no account with this email.", "Check the address, or create an account.");
    case "UserNotConfirmedException":
      return problem(403, "account_not_confirmed", "Your account is not confirmed yet.", "Enter the code we emailed you when you signed up.");
    case "PasswordResetRequiredException":
      return problem(403, "password_reset_required", "Your password must be reset before you can sign in.", "Please contact us to reset it.");
    case "UsernameExistsException":
    case "AliasExistsException":
      return problem(409, "email_taken", "An account with this email already exists.", "Sign in instead, or use another email address.");
    case "InvalidPasswordException":
      return problem(400, "weak_password", "This password is not strong enough.", passwordRule(message));
    case "CodeMismatchException":
      return problem(400, "invalid_code", "That code is not right.", "Check the code in the email we sent you and enter it again.");
    case "ExpiredCodeException":
      return problem(400, "expired_code", "That code has expired.", "Ask for a new code and enter that one.");
    case "InvalidParameterException":
      return problem(400, "invalid_input", message || "Some details were not accepted.", "Check what you entered and try again.");
    case "TooManyRequestsException":
    case "TooManyFailedAttemptsException":
    case "LimitExceededException":
      return TOO_MANY();
    case "CodeDeliveryFailureException":
      return problem(503, "code_not_sent", "We could not send the confirmation email.", "Please try again in a few minutes.");
    case "UnsupportedChallenge":
      return problem(403, "unsupported_sign_in_step", "Your account needs a sign-in step this site does not offer yet.", "Please contact us for help.");
    default:
      return UNAVAILABLE(error.code);
  }
}

function wrongPassword(): ApiError {
  return problem(401, "invalid_credentials", "The email or password is incorrect.", "Check both and try again.");
}
