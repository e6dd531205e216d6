import { screen } from "@testing-library/react";
import { aliceTickets } from "../test/fixtures";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderApp, route } from "../test/renderApp";

const TOKEN = { access_token: "tok-new", token_type: "Bearer", expires_in: 3600 };
const BAD_LOGIN = problem(401, {
  code: "invalid_credentials",
  detail: "The email or password is incorrect.",
  guidance: "Check both and try again.",
});

async function signIn(user: ReturnType<typeof renderApp>["user"], password = "Funland-2026") {
  await user.type(screen.getByLabelText("Email"), "alice@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("sign-in", () => {
  it("signs in and goes back to the page the customer asked for", async () => {
    const api = fakeApi({ "POST /api/auth/login": json(TOKEN), "GET /api/upgrades": json([]) });
    const { user } = renderApp({ at: "/sign-in?next=%2Fupgrades", api });
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    await signIn(user);
    expect(await screen.findByRole("heading", { level: 1, name: "My upgrades" })).toHaveFocus();
    expect(route()).toBe("/upgrades");
    expect(api.callsTo("POST /api/auth/login")[0]!.body).toEqual({ email: "alice@example.com", password: "Funland-2026" });
    // The API calls after sign-in carry the new token.
    expect(api.callsTo("GET /api/upgrades")[0]!.headers.Authorization).toBe("Bearer tok-new");
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
  });

  it("explains a wrong password and stays on the form", async () => {
    const api = fakeApi({ "POST /api/auth/login": BAD_LOGIN });
    const { user } = renderApp({ at: "/sign-in", api });
    await signIn(user, "wrong-one");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("We could not sign you in.");
    expect(alert).toHaveTextContent("The email or password is incorrect.");
    expect(alert).toHaveTextContent("Check both and try again.");
    expect(route()).toBe("/sign-in");
    expect(screen.getByRole("button", { name: "Sign in" })).toBeEnabled();
  });

  it("shows inline errors tied to their fields before sending anything", async () => {
    const api = fakeApi({});
    const { user } = renderApp({ at: "/sign-in", api });
    await user.type(screen.getByLabelText("Email"), "alice");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    const email = screen.getByLabelText("Email");
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription("Enter an email address like name@example.com.");
    expect(email).toHaveFocus();
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription("Enter your password.");
    expect(api.calls).toHaveLength(0);
  });

  it("sends a signed-out customer to sign-in and then to the page they opened", async () => {
    const api = fakeApi({ "POST /api/auth/login": json(TOKEN), "GET /api/tickets": json(aliceTickets()) });
    const { user } = renderApp({ at: "/tickets", api });
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(route()).toBe("/sign-in?next=%2Ftickets");
    expect(api.callsTo("GET /api/tickets")).toHaveLength(0);
    await signIn(user);
    expect(await screen.findByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    expect(route()).toBe("/tickets");
  });

  it("on an expired session (401) keeps the route, says why, and returns there after sign-in", async () => {
    const api = fakeApi({
      "GET /api/tickets": [problem(401, { code: "unauthorized", detail: "The token is not valid." }), json(aliceTickets())],
      "POST /api/auth/login": json(TOKEN),
    });
    const { user } = renderApp({ at: "/tickets", api, signedIn: true });
    expect(await screen.findByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByText(/Your session has ended/)).toBeInTheDocument();
    expect(route()).toBe("/sign-in?next=%2Ftickets&expired=1");
    expect(sessionStorage.getItem("tap.session")).toBeNull();
    await signIn(user);
    expect(await screen.findByRole("heading", { level: 2, name: "TKT-10000001" })).toBeInTheDocument();
    expect(route()).toBe("/tickets");
  });
});

describe("registration", () => {
  it("puts the API's error next to its field, then creates the account and signs in", async () => {
    const api = fakeApi({
      "POST /api/auth/register": [
        problem(409, { code: "email_taken", detail: "An account with this email already exists.", guidance: "Sign in instead, or use another email address." }),
        json({ id: "c1", email: "zoe@example.com", first_name: "Zoe", last_name: "Park" }, 201),
      ],
      "POST /api/auth/login": json(TOKEN),
      "GET /api/tickets": json([]),
    });
    const { user } = renderApp({ at: "/register", api });
    await user.type(screen.getByLabelText("First name"), "Zoe");
    await user.type(screen.getByLabelText("Last name"), "Park");
    await user.type(screen.getByLabelText("Email"), "alice@example.com");
    await user.type(screen.getByLabelText("Password"), "Funland-2026");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    const email = screen.getByLabelText("Email");
    expect(await screen.findByText(/An account with this email already exists/)).toBeInTheDocument();
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription(/Sign in instead, or use another email address/);
    await user.clear(email);
    await user.type(email, "zoe@example.com");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("heading", { level: 1, name: "My tickets" })).toBeInTheDocument();
    expect(api.callsTo("POST /api/auth/register")[1]!.body).toEqual({
      email: "zoe@example.com",
      password: "Funland-2026",
      first_name: "Zoe",
      last_name: "Park",
    });
  });
});
