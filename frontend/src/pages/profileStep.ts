/**
 * After a sign-in with an identity provider that keeps accounts apart from customer records
 * (Cognito), make sure the customer has one: GET /api/me, and on 403 customer_not_registered
 * create it with POST /api/me from the names typed at sign-up. Without those names (the account
 * was confirmed in another tab, or they were refused) the page asks for them.
 */
import type { ApiClient } from "../api/client";
import { ApiError } from "../api/errors";
import type { AuthClient } from "../auth";
import { forgetProfile, pendingProfile, type ProfileNames } from "../auth/pendingProfile";

export type ProfileState = "ready" | "needs-names";

export async function ensureProfile(api: ApiClient, auth: AuthClient, email: string): Promise<ProfileState> {
  if (!auth.separateProfiles) return "ready";
  try {
    await api.me();
    forgetProfile();
    return "ready";
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "customer_not_registered") throw error;
  }
  const names = pendingProfile(email);
  if (!names) return "needs-names";
  try {
    await createProfile(api, names);
    return "ready";
  } catch (error) {
    // Names the API refuses (too long, not a name) go back to the customer to correct.
    if (error instanceof ApiError && error.code.startsWith("invalid_")) {
      forgetProfile();
      return "needs-names";
    }
    throw error;
  }
}

/** POST /api/me; a record that already exists (another tab got there first) is as good. */
export async function createProfile(api: ApiClient, names: ProfileNames): Promise<void> {
  try {
    await api.createProfile({ first_name: names.firstName.trim(), last_name: names.lastName.trim() });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "customer_exists") throw error;
  }
  forgetProfile();
}

/** Signs in, then makes sure of the profile: what the sign-in and registration pages share. */
export async function signInWithProfile(
  api: ApiClient,
  auth: AuthClient,
  email: string,
  password: string,
): Promise<ProfileState> {
  await auth.signIn(email, password);
  return ensureProfile(api, auth, email);
}
