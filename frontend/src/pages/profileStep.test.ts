import { ApiClient } from "../api/client";
import type { AuthClient } from "../auth";
import { pendingProfile, rememberProfile } from "../auth/pendingProfile";
import { fakeApi, json, problem } from "../test/fakeApi";
import { ensureProfile } from "./profileStep";

const NOT_REGISTERED = problem(403, { code: "customer_not_registered", detail: "No profile yet." });
const ZOE = { id: "c1", email: "zoe@example.com", first_name: "Zoe", last_name: "Park" };

function authWith(separateProfiles: boolean): AuthClient {
  return { separateProfiles } as AuthClient;
}

function apiOver(routes: Parameters<typeof fakeApi>[0]) {
  const fake = fakeApi(routes);
  return { fake, api: new ApiClient({ fetch: fake.fetch }) };
}

describe("ensureProfile", () => {
  beforeEach(() => sessionStorage.clear());

  it("asks nothing where signing up already made the customer (local build)", async () => {
    const { fake, api } = apiOver({});
    expect(await ensureProfile(api, authWith(false), "zoe@example.com")).toBe("ready");
    expect(fake.calls).toHaveLength(0);
  });

  it("creates the profile from the sign-up names of the same email, once", async () => {
    rememberProfile("Zoe@Example.com", { firstName: "Zoe", lastName: "Park" });
    const { fake, api } = apiOver({ "GET /api/me": NOT_REGISTERED, "POST /api/me": json(ZOE, 201) });
    expect(await ensureProfile(api, authWith(true), "zoe@example.com")).toBe("ready");
    expect(fake.callsTo("POST /api/me")[0]!.body).toEqual({ first_name: "Zoe", last_name: "Park" });
    expect(pendingProfile("zoe@example.com")).toBeNull();
  });

  it("needs the names when none are known for this email", async () => {
    rememberProfile("other@example.com", { firstName: "Ola", lastName: "Other" });
    const { fake, api } = apiOver({ "GET /api/me": NOT_REGISTERED });
    expect(await ensureProfile(api, authWith(true), "zoe@example.com")).toBe("needs-names");
    expect(fake.callsTo("POST /api/me")).toHaveLength(0);
  });

  it("takes a profile made meanwhile (409 customer_exists) as done", async () => {
    rememberProfile("zoe@example.com", { firstName: "Zoe", lastName: "Park" });
    const { api } = apiOver({ "GET /api/me": NOT_REGISTERED, "POST /api/me": problem(409, { code: "customer_exists" }) });
    expect(await ensureProfile(api, authWith(true), "zoe@example.com")).toBe("ready");
  });

  it("asks again for names the API refuses, and passes other failures on", async () => {
    rememberProfile("zoe@example.com", { firstName: "Zoe", lastName: "Park" });
    const refused = apiOver({ "GET /api/me": NOT_REGISTERED, "POST /api/me": problem(400, { code: "invalid_last_name" }) });
    expect(await ensureProfile(refused.api, authWith(true), "zoe@example.com")).toBe("needs-names");
    expect(pendingProfile("zoe@example.com")).toBeNull();

    rememberProfile("zoe@example.com", { firstName: "Zoe", lastName: "Park" });
    const down = apiOver({ "GET /api/me": NOT_REGISTERED, "POST /api/me": problem(503, { code: "service_unavailable" }) });
    await expect(ensureProfile(down.api, authWith(true), "zoe@example.com")).rejects.toMatchObject({ status: 503 });
    const forbidden = apiOver({ "GET /api/me": problem(403, { code: "account_disabled" }) });
    await expect(ensureProfile(forbidden.api, authWith(true), "zoe@example.com")).rejects.toMatchObject({ code: "account_disabled" });
  });
});
