/**
 * Renders the whole App at a route with `fetch` replaced by a fake API, optionally with a
 * signed-in session already in sessionStorage (as after a reload).
 */
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../App";
import type { FakeApi } from "./fakeApi";

export interface RenderAppOptions {
  at: string;
  api: FakeApi;
  signedIn?: boolean;
}

export function renderApp({ at, api, signedIn = false }: RenderAppOptions) {
  window.history.replaceState(null, "", `/#${at}`);
  sessionStorage.clear();
  if (signedIn) {
    sessionStorage.setItem(
      "tap.session",
      JSON.stringify({ accessToken: "tok", expiresAt: Date.now() + 3600_000, email: "alice@example.com" }),
    );
  }
  vi.stubGlobal("fetch", api.fetch);
  const user = userEvent.setup();
  const view = render(<App />);
  return { user, ...view };
}

/** The current hash route ("/tickets"). */
export function route(): string {
  return window.location.hash.replace(/^#/, "");
}
