/**
 * The shell's two guards over the whole App: a Cognito session kept over a reload whose access
 * token lapsed is renewed silently (sign-in only when the renewal fails), and a signed-in
 * Cognito account without a customer profile is asked for its name in the page's place. The
 * local build keeps its behaviour for both.
 */
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../App";
import type { Session } from "../auth";
import { CognitoAuthClient } from "../auth/CognitoAuthClient";
import { cognitoConfigFrom } from "../auth/cognitoConfig";
import { fakeApi, json, problem, type FakeApi } from "../test/fakeApi";
import { CLIENT_ID, ENDPOINT, POOL_ID, cognitoError, fakeCognito, tokens, type FakeCognito } from "../test/fakeCognito";
import { aliceTickets } from "../test/fixtures";
import { route } from "../test/renderApp";
import { createServices } from "./services";

const NOT_REGISTERED = problem(403, {
  code: "customer_not_registered",
  detail: "You have signed in, but there is no customer profile for you yet.",
});
const ZOE = { id: "c-zoe", email: "zoe@example.com", first_name: "Zoe", last_name: "Park", created_at: "2026-11-28T10:00:00Z", updated_at: "2026-11-28T10:00:00Z" };
const HOUR = 3600_000;

function session(expiresIn: number, accessToken = "token-before-reload"): Session {
  return { accessToken, expiresAt: Date.now() + expiresIn, email: "zoe@example.com", refreshToken: "refresh-zoe" };
}

/** The Cognito build after a reload: `stored` is what the tab kept in sessionStorage. */
function reloadCognitoApp(at: string, stored: Session | null, api: FakeApi, cognito: FakeCognito) {
  window.history.replaceState(null, "", `/#${at}`);
  sessionStorage.clear();
  if (stored) sessionStorage.setItem("tap.session", JSON.stringify(stored));
  vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) =>
    String(input).startsWith(ENDPOINT) ? cognito.fetch(input, init) : api.fetch(input, init),
  );
  const config = cognitoConfigFrom({
    VITE_COGNITO_USER_POOL_ID: POOL_ID,
    VITE_COGNITO_CLIENT_ID: CLIENT_ID,
    VITE_COGNITO_ENDPOINT: ENDPOINT,
    VITE_COGNITO_AUTH_FLOW: "USER_PASSWORD_AUTH",
  });
  // The scheduled renewal is an hour away at the soonest: these tests never fire it.
  const auth = new CognitoAuthClient(config, { timers: { setTimeout: () => 0, clearTimeout: () => undefined } });
  const user = userEvent.setup();
  render(<App services={createServices(auth)} />);
  return { user, auth };
}

afterEach(() => vi.unstubAllGlobals());

describe("a lapsed Cognito access token on load", () => {
  it("is renewed with the refresh token, and the customer stays where they were", async () => {
    const cognito = fakeCognito({ InitiateAuth: tokens("zoe-renewed", null) });
    const api = fakeApi({ "GET /api/tickets": json(aliceTickets()) });
    const { auth } = reloadCognitoApp("/tickets", session(-60_000), api, cognito);

    // While Cognito answers, the page says so rather than flashing the sign-in form.
    expect(screen.getByRole("status")).toHaveTextContent("Signing you back in…");
    expect(await screen.findByRole("heading", { level: 2, name: "TKT-10000001" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    expect(route()).toBe("/tickets");
    expect(cognito.callsTo("InitiateAuth")).toHaveLength(1);
    expect(cognito.calls[0]!.body).toEqual({ ClientId: CLIENT_ID, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: "refresh-zoe" } });
    // The API only ever saw the renewed token, never the lapsed one.
    const renewed = auth.currentToken();
    expect(renewed).not.toBeNull();
    expect(api.calls.map((call) => call.headers.Authorization)).toEqual([`Bearer ${renewed}`]);
    expect(JSON.parse(sessionStorage.getItem("tap.session")!)).toMatchObject({ accessToken: renewed, refreshToken: "refresh-zoe" });
    expect(screen.getByRole("button", { name: "Sign out" })).toBeInTheDocument();
  });

  it.each([
    ["refuses the refresh token", cognitoError("NotAuthorizedException", "Refresh Token has been revoked")],
    ["cannot be reached", "network-down" as const],
  ])("sends the customer to sign-in with the route kept when Cognito %s", async (_why, answer) => {
    const cognito = fakeCognito({ InitiateAuth: answer });
    const api = fakeApi({ "GET /api/upgrades": json([]) });
    reloadCognitoApp("/upgrades", session(-60_000), api, cognito);

    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(route()).toBe("/sign-in?next=%2Fupgrades&expired=1");
    expect(screen.getByText("Your session has ended. Sign in again to carry on where you were.")).toBeInTheDocument();
    expect(cognito.callsTo("InitiateAuth")).toHaveLength(1);
    expect(api.calls).toHaveLength(0);
    expect(sessionStorage.getItem("tap.session")).toBeNull();
    expect(screen.queryByRole("navigation", { name: "Main" })).not.toBeInTheDocument();
  });

  it("is not renewed while it is still valid", async () => {
    const cognito = fakeCognito({});
    const api = fakeApi({ "GET /api/tickets": json([]) });
    reloadCognitoApp("/tickets", session(HOUR, "still-good"), api, cognito);
    expect(await screen.findByText("You have no tickets on this account yet.")).toBeInTheDocument();
    expect(cognito.calls).toHaveLength(0);
    expect(api.callsTo("GET /api/tickets")[0]!.headers.Authorization).toBe("Bearer still-good");
  });
});

describe("a lapsed local session on load (no refresh token)", () => {
  it("goes straight to sign-in with the route kept, as before", async () => {
    window.history.replaceState(null, "", "/#/tickets");
    sessionStorage.clear();
    sessionStorage.setItem("tap.session", JSON.stringify({ accessToken: "tok", expiresAt: Date.now() - 60_000, email: "alice@example.com" }));
    const api = fakeApi({ "GET /api/tickets": json(aliceTickets()) });
    vi.stubGlobal("fetch", api.fetch);
    render(<App />);
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(route()).toBe("/sign-in?next=%2Ftickets");
    expect(screen.queryByText("Signing you back in…")).not.toBeInTheDocument();
    expect(api.calls).toHaveLength(0);
    expect(sessionStorage.getItem("tap.session")).toBeNull();
  });
});

describe("a signed-in Cognito account without a customer profile", () => {
  it("is asked for its name in the page's place, then shown the page it was on", async () => {
    const cognito = fakeCognito({});
    const api = fakeApi({
      "GET /api/tickets": [NOT_REGISTERED, json(aliceTickets())],
      "POST /api/me": json(ZOE, 201),
    });
    const { user, auth } = reloadCognitoApp("/tickets", session(HOUR), api, cognito);

    const heading = await screen.findByRole("heading", { level: 1, name: "Complete your profile" });
    // It replaced the page unasked: focus on its heading, so a screen reader starts there.
    await vi.waitFor(() => expect(heading).toHaveFocus());
    expect(document.title).toBe("Complete your profile · Ticket upgrades");
    expect(screen.queryByText(/no customer profile for you yet/)).not.toBeInTheDocument();
    expect(screen.queryByRole("heading", { level: 1, name: "My tickets" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Ask our assistant" })).not.toBeInTheDocument();
    expect(route()).toBe("/tickets");

    await user.click(screen.getByRole("button", { name: "Save and continue" }));
    expect(screen.getByLabelText("First name")).toHaveAccessibleDescription("Enter your first name.");
    expect(api.callsTo("POST /api/me")).toHaveLength(0);
    await user.type(screen.getByLabelText("First name"), "Zoe");
    await user.type(screen.getByLabelText("Last name"), "Park");
    await user.click(screen.getByRole("button", { name: "Save and continue" }));

    // Back on My tickets, loaded afresh, with focus on its heading.
    expect(await screen.findByRole("heading", { level: 2, name: "TKT-10000001" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "My tickets" })).toHaveFocus();
    expect(route()).toBe("/tickets");
    const [create] = api.callsTo("POST /api/me");
    expect(create!.body).toEqual({ first_name: "Zoe", last_name: "Park" });
    expect(create!.headers.Authorization).toBe(`Bearer ${auth.currentToken()}`);
    expect(api.callsTo("GET /api/tickets")).toHaveLength(2);
    expect(screen.getByRole("button", { name: "Ask our assistant" })).toBeInTheDocument();
  });

  it("is forgotten at sign-out, so the next customer (who has a profile) is not asked", async () => {
    const cognito = fakeCognito({ GlobalSignOut: {}, InitiateAuth: tokens("ola") });
    const api = fakeApi({
      "GET /api/tickets": [NOT_REGISTERED, json([])],
      "GET /api/me": json({ ...ZOE, id: "c-ola", email: "ola@example.com", first_name: "Ola" }),
    });
    const { user } = reloadCognitoApp("/tickets", session(HOUR), api, cognito);
    expect(await screen.findByRole("heading", { level: 1, name: "Complete your profile" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    await user.type(screen.getByLabelText("Email"), "ola@example.com");
    await user.type(screen.getByLabelText("Password"), "Funland-2026");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("You have no tickets on this account yet.")).toBeInTheDocument();
    expect(screen.queryByRole("heading", { level: 1, name: "Complete your profile" })).not.toBeInTheDocument();
  });
});

describe("the local build and a 403 customer_not_registered", () => {
  it("shows the API's problem on the page: there is no profile step to offer", async () => {
    window.history.replaceState(null, "", "/#/tickets");
    sessionStorage.clear();
    sessionStorage.setItem("tap.session", JSON.stringify({ accessToken: "tok", expiresAt: Date.now() + HOUR, email: "alice@example.com" }));
    const api = fakeApi({ "GET /api/tickets": NOT_REGISTERED });
    vi.stubGlobal("fetch", api.fetch);
    render(<App />);
    expect(await screen.findByText(/no customer profile for you yet/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    expect(screen.queryByRole("heading", { level: 1, name: "Complete your profile" })).not.toBeInTheDocument();
  });
});
