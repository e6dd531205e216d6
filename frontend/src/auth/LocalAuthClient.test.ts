import { ApiClient } from "../api/client";
import { LocalAuthClient } from "./LocalAuthClient";
import { SessionStore } from "./sessionStore";

function loginAnswer(): Response {
  return new Response(JSON.stringify({ access_token: "tok", token_type: "Bearer", expires_in: 3600 }), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
}

describe("LocalAuthClient", () => {
  beforeEach(() => sessionStorage.clear());

  it("keeps the token in memory and sessionStorage, never in a cookie", async () => {
    let now = 1_000_000;
    const store = new SessionStore(sessionStorage, () => now);
    const auth = new LocalAuthClient(new ApiClient({ fetch: async () => loginAnswer() }), store, () => now);
    await auth.signIn(" Alice@Example.com ", "Funland-2026");
    expect(auth.currentToken()).toBe("tok");
    expect(sessionStorage.getItem("tap.session")).toContain("tok");
    expect(document.cookie).toBe("");
    // A reload in the same tab: a new store reads the session back.
    expect(new SessionStore(sessionStorage, () => now).get()?.email).toBe("alice@example.com");
    now += 3600 * 1000;
    expect(auth.currentToken()).toBeNull();
    expect(auth.canRenew()).toBe(false); // no refresh token: the shell asks for a sign-in at once
    expect(await auth.refresh()).toBeNull();
  });

  it("forgets everything on sign-out and tells subscribers", async () => {
    const auth = new LocalAuthClient(new ApiClient({ fetch: async () => loginAnswer() }), new SessionStore(sessionStorage));
    const seen: Array<string | null> = [];
    auth.subscribe((session) => seen.push(session?.accessToken ?? null));
    await auth.signIn("alice@example.com", "Funland-2026");
    await auth.signOut();
    expect(auth.currentToken()).toBeNull();
    expect(sessionStorage.getItem("tap.session")).toBeNull();
    expect(seen).toEqual(["tok", null]);
  });
});
