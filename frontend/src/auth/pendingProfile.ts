/**
 * The names typed at sign-up, kept in sessionStorage until the profile step after the first
 * sign-in sends them to POST /api/me (a Cognito account carries no customer record yet). Only
 * one sign-up is kept, for one email; closing the tab forgets it and the site asks again.
 */

export interface ProfileNames {
  firstName: string;
  lastName: string;
}

const KEY = "tap.pendingProfile";

function storage(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null; // storage disabled: the profile step will ask for the names
  }
}

export function rememberProfile(email: string, names: ProfileNames): void {
  storage()?.setItem(KEY, JSON.stringify({ email: email.trim().toLowerCase(), ...names }));
}

/** The names given at sign-up for this email, or null when none are known in this tab. */
export function pendingProfile(email: string): ProfileNames | null {
  try {
    const raw = storage()?.getItem(KEY);
    if (!raw) return null;
    const saved = JSON.parse(raw) as Partial<ProfileNames & { email: string }>;
    if (saved.email !== email.trim().toLowerCase()) return null;
    if (typeof saved.firstName !== "string" || typeof saved.lastName !== "string") return null;
    if (!saved.firstName.trim() || !saved.lastName.trim()) return null;
    return { firstName: saved.firstName, lastName: saved.lastName };
  } catch {
    return null;
  }
}

export function forgetProfile(): void {
  storage()?.removeItem(KEY);
}
