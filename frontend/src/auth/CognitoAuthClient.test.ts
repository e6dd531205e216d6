import { ApiError } from "../api/errors";
import { CLIENT_ID, ENDPOINT, POOL_ID, accessToken, cognitoError, fakeCognito, tokens, type FakeCognito } from "../test/fakeCognito";
import { CognitoAuthClient, type Timers } from "./CognitoAuthClient";
import { cognitoConfigFrom, type CognitoAuthFlow } from "./cognitoConfig";
import { pendingProfile } from "./pendingProfile";
import { SessionStore } from "./sessionStore";

const PASSWORD = "Funland-2026!";

function config(flow: CognitoAuthFlow = "USER_PASSWORD_AUTH") {
  return cognitoConfigFrom({
    VITE_COGNITO_USER_POOL_ID: POOL_ID,
    VITE_COGNITO_CLIENT_ID: CLIENT_ID,
    VITE_COGNITO_ENDPOINT: ENDPOINT,
    VITE_COGNITO_AUTH_FLOW: flow,
  });
}

/** Timers the test fires by hand: the renewal is due about an hour after sign-in. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  const timers: Timers = {
    setTimeout: (callback, ms) => {
      pending.set(next, { callback, ms });
      return next++;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
  };
  return { timers, pending };
}

function setup(cognito: FakeCognito, flow: CognitoAuthFlow = "USER_PASSWORD_AUTH", start = 1_000_000) {
  vi.stubGlobal("fetch", cognito.fetch);
  const clock = { now: start };
  const { timers, pending } = manualTimers();
  const store = new SessionStore(sessionStorage, () => clock.now);
  const auth = new CognitoAuthClient(config(flow), { store, now: () => clock.now, timers });
  return { auth, clock, pending };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const caught = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ApiError);
  return caught as ApiError;
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});

afterEach(() => vi.unstubAllGlobals());

describe("CognitoAuthClient sign-up", () => {
  it("asks Cognito for the account by email and keeps the names for the profile step", async () => {
    const cognito = fakeCognito({ SignUp: { UserConfirmed: false, UserSub: "sub-1" } });
    const { auth } = setup(cognito);
    const result = await auth.signUp({ email: " Zoe@Example.com ", password: PASSWORD, firstName: " Zoe ", lastName: "Park" });
    expect(result).toEqual({ needsConfirmation: true });
    const [call] = cognito.calls;
    expect(call!.url).toBe(ENDPOINT);
    expect(call!.headers["X-Amz-Target"]).toBe("AWSCognitoIdentityProviderService.SignUp");
    expect(call!.headers["Content-Type"]).toBe("application/x-amz-json-1.1");
    expect(call!.body).toEqual({
      ClientId: CLIENT_ID,
      Username: "zoe@example.com",
      Password: PASSWORD,
      UserAttributes: [
        { Name: "email", Value: "zoe@example.com" },
        { Name: "given_name", Value: "Zoe" },
        { Name: "family_name", Value: "Park" },
      ],
    });
    expect(pendingProfile("zoe@example.com")).toEqual({ firstName: "Zoe", lastName: "Park" });
    expect(pendingProfile("other@example.com")).toBeNull();
  });

  it("says when the pool confirms accounts by itself", async () => {
    const { auth } = setup(fakeCognito({ SignUp: { UserConfirmed: true } }));
    expect(await auth.signUp({ email: "a@example.com", password: PASSWORD, firstName: "A", lastName: "B" })).toEqual({ needsConfirmation: false });
  });

  it("puts a taken email and a weak password into the site's error codes", async () => {
    const cognito = fakeCognito({
      SignUp: [
        cognitoError("UsernameExistsException", "An account with the given email already exists."),
        cognitoError("InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters"),
      ],
    });
    const { auth } = setup(cognito);
    const input = { email: "zoe@example.com", password: "weakpass1", firstName: "Zoe", lastName: "Park" };
    expect(await failure(auth.signUp(input))).toMatchObject({
      status: 409,
      code: "email_taken",
      detail: "An account with this email already exists.",
      guidance: "Sign in instead, or use another email address.",
    });
    expect(await failure(auth.signUp(input))).toMatchObject({
      status: 400,
      code: "weak_password",
      detail: "This password is not strong enough.",
      guidance: "Password must have uppercase characters.",
    });
    expect(pendingProfile("zoe@example.com")).toBeNull();
  });

  it("confirms with the code as typed (trimmed) and explains a wrong or expired code", async () => {
    const cognito = fakeCognito({
      ConfirmSignUp: [cognitoError("CodeMismatchException", "Invalid code provided"), cognitoError("ExpiredCodeException"), {}],
      ResendConfirmationCode: { CodeDeliveryDetails: { DeliveryMedium: "EMAIL" } },
    });
    const { auth } = setup(cognito);
    expect(await failure(auth.confirmSignUp("Zoe@example.com", "12345"))).toMatchObject({ status: 400, code: "invalid_code", detail: "That code is not right." });
    expect(await failure(auth.confirmSignUp("zoe@example.com", "12345"))).toMatchObject({ code: "expired_code", guidance: "Ask for a new code and enter that one." });
    await auth.resendConfirmation("zoe@example.com");
    await auth.confirmSignUp("zoe@example.com", " 123456 ");
    expect(cognito.callsTo("ConfirmSignUp").at(-1)!.body).toEqual({ ClientId: CLIENT_ID, Username: "zoe@example.com", ConfirmationCode: "123456" });
    expect(cognito.callsTo("ResendConfirmationCode")[0]!.body).toEqual({ ClientId: CLIENT_ID, Username: "zoe@example.com" });
  });
});

describe("CognitoAuthClient sign-in (USER_PASSWORD_AUTH)", () => {
  it("keeps the tokens in memory and sessionStorage only, and a reload keeps the session", async () => {
    const cognito = fakeCognito({ InitiateAuth: tokens("zoe") });
    const { auth, clock } = setup(cognito);
    const seen: Array<string | null> = [];
    auth.subscribe((session) => seen.push(session?.email ?? null));
    const session = await auth.signIn(" Zoe@Example.com", PASSWORD);
    expect(cognito.calls[0]!.body).toEqual({
      ClientId: CLIENT_ID,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: "zoe@example.com", PASSWORD },
    });
    expect(session).toEqual({
      accessToken: accessToken("zoe", 3600, JSON.parse(atob(session.accessToken.split(".")[1]!)).iat),
      refreshToken: "refresh-zoe",
      expiresAt: clock.now + 3600_000,
      email: "zoe@example.com",
    });
    expect(auth.currentToken()).toBe(session.accessToken);
    expect(seen).toEqual(["zoe@example.com"]);
    expect(JSON.parse(sessionStorage.getItem("tap.session")!)).toMatchObject({ accessToken: session.accessToken, refreshToken: "refresh-zoe" });
    expect(localStorage.length).toBe(0);
    expect(document.cookie).toBe("");
    // The same tab after a reload: a new client over the same sessionStorage.
    const reloaded = new CognitoAuthClient(config(), { store: new SessionStore(sessionStorage, () => clock.now), now: () => clock.now, timers: manualTimers().timers });
    expect(reloaded.currentToken()).toBe(session.accessToken);
  });

  it("reads a wrong password and an unknown email the same, and says when the account is unconfirmed", async () => {
    const cognito = fakeCognito({
      InitiateAuth: [
        cognitoError("NotAuthorizedException", "Incorrect username or password."),
        cognitoError("UserNotFoundException", "User does not exist."),
        cognitoError("UserNotConfirmedException", "User is not confirmed."),
        cognitoError("NotAuthorizedException", "Password attempts exceeded"),
      ],
    });
    const { auth } = setup(cognito);
    const wrong = { status: 401, code: "invalid_credentials", detail: "The email or password is incorrect.", guidance: "Check both and try again." };
    expect(await failure(auth.signIn("zoe@example.com", "nope"))).toMatchObject(wrong);
    expect(await failure(auth.signIn("nobody@example.com", "nope"))).toMatchObject(wrong);
    expect(await failure(auth.signIn("zoe@example.com", PASSWORD))).toMatchObject({ status: 403, code: "account_not_confirmed" });
    expect(await failure(auth.signIn("zoe@example.com", PASSWORD))).toMatchObject({ status: 429, code: "too_many_attempts" });
    expect(auth.currentToken()).toBeNull();
    expect(sessionStorage.getItem("tap.session")).toBeNull();
  });

  it("reports an unreachable Cognito as a network error and an unknown fault as unavailable", async () => {
    const cognito = fakeCognito({ InitiateAuth: ["network-down", cognitoError("ResourceNotFoundException", "User pool client does not exist.")] });
    const { auth } = setup(cognito);
    const offline = await failure(auth.signIn("zoe@example.com", PASSWORD));
    expect(offline).toMatchObject({ status: 0, code: "network_error", retryable: true });
    expect(await failure(auth.signIn("zoe@example.com", PASSWORD))).toMatchObject({
      status: 503,
      code: "sign_in_unavailable",
      extra: { cognito_error: "ResourceNotFoundException" },
    });
  });

  it("refuses a challenge it cannot answer (MFA) instead of hanging", async () => {
    const { auth } = setup(fakeCognito({ InitiateAuth: { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s" } }));
    expect(await failure(auth.signIn("zoe@example.com", PASSWORD))).toMatchObject({ code: "unsupported_sign_in_step" });
  });
});

describe("CognitoAuthClient sign-in (SRP, the default flow)", () => {
  it("proves the password without sending it and stores the session", async () => {
    const srpB = "ab".repeat(384); // any value that is not 0 mod N; the fake checks no proof
    const cognito = fakeCognito({
      InitiateAuth: {
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeParameters: { SALT: "5e1f", SECRET_BLOCK: btoa("secret-block"), SRP_B: srpB, USERNAME: "sub-zoe", USER_ID_FOR_SRP: "sub-zoe" },
      },
      RespondToAuthChallenge: tokens("zoe"),
    });
    const { auth } = setup(cognito, "USER_SRP_AUTH");
    const session = await auth.signIn("Zoe@example.com", PASSWORD);

    const [initiate, respond] = cognito.calls;
    expect(initiate!.operation).toBe("InitiateAuth");
    expect(initiate!.body).toMatchObject({ AuthFlow: "USER_SRP_AUTH", ClientId: CLIENT_ID, AuthParameters: { USERNAME: "zoe@example.com" } });
    expect((initiate!.body.AuthParameters as Record<string, string>).SRP_A).toMatch(/^[0-9a-f]+$/);
    expect(respond!.operation).toBe("RespondToAuthChallenge");
    expect(respond!.body).toMatchObject({ ChallengeName: "PASSWORD_VERIFIER", ChallengeResponses: { USERNAME: "sub-zoe" } });
    expect((respond!.body.ChallengeResponses as Record<string, string>).PASSWORD_CLAIM_SIGNATURE).toBeTruthy();
    for (const call of cognito.calls) expect(JSON.stringify(call.body)).not.toContain(PASSWORD);

    expect(session).toMatchObject({ email: "zoe@example.com", refreshToken: "refresh-zoe" });
    expect(auth.currentToken()).toBe(session.accessToken);
    // The SDK's own token cache is never used: nothing in localStorage.
    expect(localStorage.length).toBe(0);
  });

  it("maps SRP failures like the others", async () => {
    const cognito = fakeCognito({ InitiateAuth: cognitoError("UserNotFoundException", "User does not exist.") });
    const { auth } = setup(cognito, "USER_SRP_AUTH");
    expect(await failure(auth.signIn("nobody@example.com", PASSWORD))).toMatchObject({ code: "invalid_credentials" });
  });
});

describe("CognitoAuthClient refresh and sign-out", () => {
  it("renews the access token with the refresh token shortly before it lapses", async () => {
    const cognito = fakeCognito({ InitiateAuth: [tokens("zoe"), tokens("zoe-2", null)] });
    const { auth, clock, pending } = setup(cognito);
    await auth.signIn("zoe@example.com", PASSWORD);
    const [handle, timer] = [...pending.entries()][0]!;
    // Due a minute before expiry: 30 s before the store stops handing the token out.
    expect(timer.ms).toBe(3600_000 - 60_000);
    clock.now += timer.ms;
    pending.delete(handle);
    timer.callback();
    await vi.waitFor(() => expect(cognito.callsTo("InitiateAuth")).toHaveLength(2));
    expect(cognito.calls[1]!.body).toEqual({ ClientId: CLIENT_ID, AuthFlow: "REFRESH_TOKEN_AUTH", AuthParameters: { REFRESH_TOKEN: "refresh-zoe" } });
    await vi.waitFor(() => expect(auth.currentToken()).toBe(accessToken("zoe-2", 3600, JSON.parse(atob(auth.currentToken()!.split(".")[1]!)).iat)));
    // Cognito sent no new refresh token: the first one is kept for the next renewal.
    expect(JSON.parse(sessionStorage.getItem("tap.session")!).refreshToken).toBe("refresh-zoe");
    expect([...pending.values()].map((next) => next.ms)).toEqual([3600_000 - 60_000]); // the next renewal
  });

  it("refresh() renews a lapsed token, and gives null once Cognito refuses the refresh token", async () => {
    const cognito = fakeCognito({
      InitiateAuth: [tokens("zoe"), tokens("zoe-2", null), cognitoError("NotAuthorizedException", "Refresh Token has been revoked")],
    });
    const { auth, clock } = setup(cognito);
    const first = await auth.signIn("zoe@example.com", PASSWORD);
    expect(await auth.refresh()).toEqual(first); // still valid: no call
    expect(cognito.calls).toHaveLength(1);
    clock.now += 3600_000;
    expect(auth.currentToken()).toBeNull();
    // Lapsed, but the refresh token is kept: the shell waits for a renewal instead of a sign-in.
    expect(auth.canRenew()).toBe(true);
    const renewed = await auth.refresh();
    expect(renewed?.accessToken).not.toBe(first.accessToken);
    expect(auth.currentToken()).toBe(renewed!.accessToken);
    clock.now += 3600_000;
    expect(await auth.refresh()).toBeNull();
    expect(sessionStorage.getItem("tap.session")).toBeNull();
    expect(auth.canRenew()).toBe(false);
  });

  it("can renew a session kept over a reload only while it holds a refresh token", () => {
    const { auth, clock } = setup(fakeCognito({}));
    expect(auth.canRenew()).toBe(false); // nobody signed in
    const store = new SessionStore(sessionStorage, () => clock.now);
    store.set({ accessToken: "a", expiresAt: clock.now - 1, email: "zoe@example.com", refreshToken: "r" });
    const reloaded = new CognitoAuthClient(config(), { store: new SessionStore(sessionStorage, () => clock.now), now: () => clock.now, timers: manualTimers().timers });
    expect(reloaded.currentToken()).toBeNull();
    expect(reloaded.canRenew()).toBe(true);
    store.set({ accessToken: "a", expiresAt: clock.now - 1, email: "zoe@example.com" });
    const withoutRefresh = new CognitoAuthClient(config(), { store: new SessionStore(sessionStorage, () => clock.now), now: () => clock.now, timers: manualTimers().timers });
    expect(withoutRefresh.canRenew()).toBe(false);
  });

  it("signs out globally at Cognito and forgets the session here", async () => {
    const cognito = fakeCognito({ InitiateAuth: tokens("zoe"), GlobalSignOut: {} });
    const { auth, pending } = setup(cognito);
    const seen: Array<string | null> = [];
    auth.subscribe((session) => seen.push(session ? "in" : null));
    const session = await auth.signIn("zoe@example.com", PASSWORD);
    await auth.signOut();
    expect(cognito.callsTo("GlobalSignOut")[0]!.body).toEqual({ AccessToken: session.accessToken });
    expect(auth.currentToken()).toBeNull();
    expect(sessionStorage.getItem("tap.session")).toBeNull();
    expect(seen).toEqual(["in", null]);
    expect(pending.size).toBe(0); // no renewal after sign-out
    await auth.signOut(); // idempotent, and no second call without a session
    expect(cognito.callsTo("GlobalSignOut")).toHaveLength(1);
  });

  it("still signs out here when Cognito cannot be told (offline, or an emulator without the call)", async () => {
    for (const answer of ["network-down", cognitoError("InternalErrorException", "not implemented", 500)] as const) {
      sessionStorage.clear();
      const cognito = fakeCognito({ InitiateAuth: tokens("zoe"), GlobalSignOut: answer });
      const { auth } = setup(cognito);
      await auth.signIn("zoe@example.com", PASSWORD);
      await expect(auth.signOut()).resolves.toBeUndefined();
      expect(auth.currentToken()).toBeNull();
      expect(sessionStorage.getItem("tap.session")).toBeNull();
    }
  });
});
