/**
 * The sign-up and sign-in pages over a CognitoAuthClient: Cognito answered at the HTTP level
 * (X-Amz-Target), the site's API by the fake API, both behind one stubbed fetch.
 */
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../App";
import { createServices } from "../app/services";
import { CognitoAuthClient } from "../auth/CognitoAuthClient";
import { cognitoConfigFrom } from "../auth/cognitoConfig";
import { aliceTickets } from "../test/fixtures";
import { fakeApi, json, problem, type FakeApi } from "../test/fakeApi";
import { CLIENT_ID, ENDPOINT, POOL_ID, cognitoError, fakeCognito, tokens, type FakeCognito } from "../test/fakeCognito";
import { route } from "../test/renderApp";

const PASSWORD = "Funland-2026";
const NOT_REGISTERED = problem(403, {
  code: "customer_not_registered",
  detail: "You have signed in, but there is no customer profile for you yet.",
});
const ZOE = { id: "c-zoe", email: "zoe@example.com", first_name: "Zoe", last_name: "Park", created_at: "2026-11-28T10:00:00Z", updated_at: "2026-11-28T10:00:00Z" };

function renderCognitoApp(at: string, api: FakeApi, cognito: FakeCognito) {
  window.history.replaceState(null, "", `/#${at}`);
  sessionStorage.clear();
  vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) =>
    String(input).startsWith(ENDPOINT) ? cognito.fetch(input, init) : api.fetch(input, init),
  );
  const config = cognitoConfigFrom({
    VITE_COGNITO_USER_POOL_ID: POOL_ID,
    VITE_COGNITO_CLIENT_ID: CLIENT_ID,
    VITE_COGNITO_ENDPOINT: ENDPOINT,
    VITE_COGNITO_AUTH_FLOW: "USER_PASSWORD_AUTH",
  });
  // Renewal is an hour away: the page tests never fire it.
  const auth = new CognitoAuthClient(config, { timers: { setTimeout: () => 0, clearTimeout: () => undefined } });
  const user = userEvent.setup();
  render(<App services={createServices(auth)} />);
  return { user, auth };
}

async function fillRegistration(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("First name"), "Zoe");
  await user.type(screen.getByLabelText("Last name"), "Park");
  await user.type(screen.getByLabelText("Email"), "Zoe@Example.com");
  await user.type(screen.getByLabelText("Password"), PASSWORD);
  await user.click(screen.getByRole("button", { name: "Create account" }));
}

async function signIn(user: ReturnType<typeof userEvent.setup>, password = PASSWORD) {
  await user.type(screen.getByLabelText("Email"), "zoe@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

afterEach(() => vi.unstubAllGlobals());

describe("Cognito registration", () => {
  it("asks for the emailed code, then signs in and creates the profile from the sign-up names", async () => {
    const cognito = fakeCognito({
      SignUp: { UserConfirmed: false, UserSub: "sub-zoe" },
      ConfirmSignUp: [cognitoError("CodeMismatchException", "Invalid verification code provided, please try again."), {}],
      InitiateAuth: tokens("zoe"),
    });
    const api = fakeApi({
      "GET /api/me": NOT_REGISTERED,
      "POST /api/me": json(ZOE, 201),
      "GET /api/tickets": json([]),
    });
    const { user, auth } = renderCognitoApp("/register", api, cognito);
    await fillRegistration(user);

    expect(await screen.findByRole("heading", { level: 1, name: "Confirm your email" })).toBeInTheDocument();
    const code = screen.getByLabelText("Confirmation code");
    expect(code).toHaveFocus();
    expect(code).toHaveAccessibleDescription(/^Enter the code we emailed to Zoe@Example.com\.\s*$/);
    expect(cognito.callsTo("InitiateAuth")).toHaveLength(0);

    await user.type(code, "000000");
    await user.click(screen.getByRole("button", { name: "Confirm account" }));
    expect(await screen.findByText(/That code is not right/)).toBeInTheDocument();
    expect(code).toHaveAttribute("aria-invalid", "true");
    expect(code).toHaveAccessibleDescription(/That code is not right\. Check the code in the email we sent you/);
    expect(code).toHaveFocus();

    await user.clear(code);
    await user.type(code, "123456");
    await user.click(screen.getByRole("button", { name: "Confirm account" }));
    expect(await screen.findByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    expect(route()).toBe("/tickets");

    expect(cognito.callsTo("ConfirmSignUp")[1]!.body).toMatchObject({ Username: "zoe@example.com", ConfirmationCode: "123456" });
    const [create] = api.callsTo("POST /api/me");
    expect(create!.body).toEqual({ first_name: "Zoe", last_name: "Park" });
    expect(create!.headers.Authorization).toBe(`Bearer ${auth.currentToken()}`);
    expect(sessionStorage.getItem("tap.pendingProfile")).toBeNull();
  });

  it("sends a new code when asked", async () => {
    const cognito = fakeCognito({ SignUp: { UserConfirmed: false }, ResendConfirmationCode: {} });
    const { user } = renderCognitoApp("/register", fakeApi({}), cognito);
    await fillRegistration(user);
    await user.click(await screen.findByRole("button", { name: "Send a new code" }));
    expect(await screen.findByText("We sent a new code to Zoe@Example.com.")).toBeInTheDocument();
    expect(cognito.callsTo("ResendConfirmationCode")[0]!.body).toMatchObject({ Username: "zoe@example.com" });
  });

  it("puts Cognito's password rule next to the password field", async () => {
    const cognito = fakeCognito({
      SignUp: cognitoError("InvalidPasswordException", "Password did not conform with policy: Password must have symbol characters"),
    });
    const { user } = renderCognitoApp("/register", fakeApi({}), cognito);
    await user.type(screen.getByLabelText("First name"), "Zoe");
    await user.type(screen.getByLabelText("Last name"), "Park");
    await user.type(screen.getByLabelText("Email"), "zoe@example.com");
    await user.type(screen.getByLabelText("Password"), "Funland2026");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    const password = screen.getByLabelText("Password");
    expect(await screen.findByText(/This password is not strong enough/)).toBeInTheDocument();
    expect(password).toHaveAttribute("aria-invalid", "true");
    expect(password).toHaveAccessibleDescription(/Password must have symbol characters\./);
  });
});

describe("Cognito sign-in", () => {
  it("asks for the name when there is no profile and the sign-up names are not known here", async () => {
    const cognito = fakeCognito({ InitiateAuth: tokens("zoe") });
    const api = fakeApi({
      "GET /api/me": NOT_REGISTERED,
      "POST /api/me": [
        problem(400, { code: "invalid_last_name", detail: "The last name is too long.", guidance: "Use at most 100 characters." }),
        json(ZOE, 201),
      ],
      "GET /api/tickets": json(aliceTickets()),
    });
    const { user } = renderCognitoApp("/sign-in", api, cognito);
    await signIn(user);

    expect(await screen.findByRole("heading", { level: 1, name: "Complete your profile" })).toBeInTheDocument();
    const first = screen.getByLabelText("First name");
    expect(first).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Save and continue" }));
    expect(first).toHaveAccessibleDescription("Enter your first name.");
    expect(api.callsTo("POST /api/me")).toHaveLength(0);

    await user.type(first, "Zoe");
    await user.type(screen.getByLabelText("Last name"), "P".repeat(120));
    await user.click(screen.getByRole("button", { name: "Save and continue" }));
    const last = screen.getByLabelText("Last name");
    expect(await screen.findByText(/The last name is too long/)).toBeInTheDocument();
    expect(last).toHaveAccessibleDescription("The last name is too long. Use at most 100 characters.");
    await user.clear(last);
    await user.type(last, "Park");
    await user.click(screen.getByRole("button", { name: "Save and continue" }));

    expect(await screen.findByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    expect(api.callsTo("POST /api/me")[1]!.body).toEqual({ first_name: "Zoe", last_name: "Park" });
  });

  it("goes straight on when the profile exists", async () => {
    const cognito = fakeCognito({ InitiateAuth: tokens("zoe") });
    const api = fakeApi({ "GET /api/me": json(ZOE), "GET /api/tickets": json([]) });
    const { user } = renderCognitoApp("/sign-in?next=%2Ftickets", api, cognito);
    await signIn(user);
    expect(await screen.findByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    expect(api.callsTo("POST /api/me")).toHaveLength(0);
  });

  it("takes an unconfirmed account through the code step, then signs it in", async () => {
    const cognito = fakeCognito({
      InitiateAuth: [cognitoError("UserNotConfirmedException", "User is not confirmed."), tokens("zoe")],
      ConfirmSignUp: {},
    });
    const api = fakeApi({ "GET /api/me": json(ZOE), "GET /api/tickets": json([]) });
    const { user } = renderCognitoApp("/sign-in", api, cognito);
    await signIn(user);
    expect(await screen.findByRole("heading", { level: 1, name: "Confirm your email" })).toBeInTheDocument();
    expect(screen.getByText(/Your account is not confirmed yet/)).toBeInTheDocument();
    await user.type(screen.getByLabelText("Confirmation code"), "123456");
    await user.click(screen.getByRole("button", { name: "Confirm account" }));
    expect(await screen.findByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    expect(cognito.callsTo("InitiateAuth")).toHaveLength(2);
  });

  it("explains a wrong password in plain words and stays on the form", async () => {
    const cognito = fakeCognito({ InitiateAuth: cognitoError("NotAuthorizedException", "Incorrect username or password.") });
    const { user } = renderCognitoApp("/sign-in", fakeApi({}), cognito);
    await signIn(user, "wrong-password");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("We could not sign you in.");
    expect(alert).toHaveTextContent("The email or password is incorrect.");
    expect(route()).toBe("/sign-in");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
    expect(sessionStorage.getItem("tap.session")).toBeNull();
  });

  it("signs out at Cognito and back to sign-in, leaving no token behind", async () => {
    const cognito = fakeCognito({ InitiateAuth: tokens("zoe"), GlobalSignOut: {} });
    const api = fakeApi({ "GET /api/me": json(ZOE), "GET /api/tickets": json([]) });
    const { user } = renderCognitoApp("/sign-in", api, cognito);
    await signIn(user);
    expect(await screen.findByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(sessionStorage.getItem("tap.session")).toBeNull();
    await vi.waitFor(() => expect(cognito.callsTo("GlobalSignOut")).toHaveLength(1));
  });
});
