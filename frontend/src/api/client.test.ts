import { ApiClient } from "./client";
import { ApiError } from "./errors";

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type, ...headers } });
}

describe("ApiClient", () => {
  it("sends the bearer token and the Idempotency-Key, and no cookies", async () => {
    const fetch = vi.fn(async () => answer(200, { id: "o1", status: "confirmed" }));
    const api = new ApiClient({ fetch, tokens: { currentToken: () => "tok" } });
    const card = { number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123", name: "A" };
    await api.pay("o1", card, "key-1");
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/upgrades/o1/payment");
    expect(init.headers).toMatchObject({ Authorization: "Bearer tok", "Idempotency-Key": "key-1" });
    expect(init.credentials).toBe("omit");
    expect(JSON.parse(init.body as string)).toEqual({ card });
  });

  it("turns problem JSON into an ApiError with guidance and Retry-After", async () => {
    const fetch = vi.fn(async () =>
      answer(
        503,
        { type: "/problems/payment_unavailable", title: "Service Unavailable", status: 503, detail: "Down.", code: "payment_unavailable", guidance: "Nothing was charged." },
        { "Retry-After": "30" },
      ),
    );
    const error = await new ApiClient({ fetch }).tickets().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, code: "payment_unavailable", title: "Service Unavailable", detail: "Down.", guidance: "Nothing was charged.", retryAfter: 30, retryable: true });
  });

  it("reports a 401 to onUnauthorized so the app can send the customer to sign-in", async () => {
    const onUnauthorized = vi.fn();
    const fetch = vi.fn(async () => answer(401, { code: "invalid_token", detail: "Expired." }));
    await expect(new ApiClient({ fetch, onUnauthorized }).me()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("turns a failed connection into a retryable network error", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(new ApiClient({ fetch }).tickets()).rejects.toMatchObject({ status: 0, code: "network_error", retryable: true });
  });

  it("builds the upgrade-options query", async () => {
    const fetch = vi.fn(async () => answer(200, {}));
    await new ApiClient({ fetch }).upgradeOptions("TKT-10000001", { days: 60 });
    expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe("/api/tickets/TKT-10000001/upgrade-options?days=60");
  });
});

describe("ApiClient with a session that can renew itself (Cognito)", () => {
  const ME = { id: "c1", email: "a@example.com" };

  function renewing(first: string | null, renewed: Array<string | null>) {
    let current = first;
    return {
      currentToken: () => current,
      canRenew: () => true,
      refresh: vi.fn(async () => {
        current = renewed.shift() ?? null;
        return current ? { accessToken: current } : null;
      }),
    };
  }

  function authorization(fetch: ReturnType<typeof vi.fn>, call: number): string | undefined {
    const init = fetch.mock.calls[call]![1] as RequestInit;
    return (init.headers as Record<string, string>).Authorization;
  }

  it("renews a token that lapsed before sending, instead of sending none", async () => {
    const tokens = renewing(null, ["fresh"]);
    const fetch = vi.fn(async () => answer(200, ME));
    await new ApiClient({ fetch, tokens }).me();
    expect(tokens.refresh).toHaveBeenCalledTimes(1);
    expect(authorization(fetch, 0)).toBe("Bearer fresh");
  });

  it("retries a 401 once with a renewed token, without ending the session", async () => {
    const tokens = renewing("stale", ["fresh"]);
    const onUnauthorized = vi.fn();
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(answer(401, { code: "invalid_token", detail: "Expired." }))
      .mockResolvedValueOnce(answer(200, ME));
    await expect(new ApiClient({ fetch, tokens, onUnauthorized }).me()).resolves.toEqual(ME);
    expect(authorization(fetch, 1)).toBe("Bearer fresh");
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("ends the session once when renewing fails or the new token is refused too", async () => {
    for (const renewed of [[null], ["fresh"]]) {
      const onUnauthorized = vi.fn();
      const fetch = vi.fn(async () => answer(401, { code: "invalid_token", detail: "Revoked." }));
      const api = new ApiClient({ fetch, tokens: renewing("stale", [...renewed]), onUnauthorized });
      await expect(api.me()).rejects.toMatchObject({ status: 401 });
      expect(onUnauthorized).toHaveBeenCalledTimes(1);
      expect(fetch.mock.calls.length).toBeLessThanOrEqual(2); // never more than one retry
    }
  });
});

