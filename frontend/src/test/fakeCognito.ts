/**
 * A fake of the Cognito user pool JSON API at the HTTP level: requests are told apart by their
 * X-Amz-Target header ("AWSCognitoIdentityProviderService.SignUp"), every call is recorded with
 * its parsed body, and an answer is JSON or a Cognito error ({"__type", "message"}, HTTP 400).
 * A handler given as a list answers with each item in turn, repeating the last.
 */

export const ENDPOINT = "http://cognito.test/";
export const POOL_ID = "us-east-1_TestPool1";
export const CLIENT_ID = "test-client-id";

export interface CognitoCall {
  operation: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  url: string;
}

export type CognitoAnswer = Record<string, unknown> | { error: string; message?: string; status?: number } | "network-down";
type Handler = CognitoAnswer | ((call: CognitoCall) => CognitoAnswer);

export function cognitoError(name: string, message = "", status = 400): CognitoAnswer {
  return { error: name, message, status };
}

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** A JWT-shaped token (unsigned): the client reads only its lifetime. */
export function accessToken(name: string, lifetimeSeconds = 3600, issuedAt = Math.floor(Date.now() / 1000)): string {
  return [
    base64url({ alg: "RS256", kid: "test" }),
    base64url({ sub: name, token_use: "access", client_id: CLIENT_ID, iat: issuedAt, exp: issuedAt + lifetimeSeconds }),
    "signature",
  ].join(".");
}

export function tokens(name: string, refreshToken: string | null = `refresh-${name}`): Record<string, unknown> {
  const result: Record<string, unknown> = { AccessToken: accessToken(name), IdToken: "id-token", ExpiresIn: 3600, TokenType: "Bearer" };
  if (refreshToken) result.RefreshToken = refreshToken;
  return { AuthenticationResult: result };
}

export function fakeCognito(routes: Record<string, Handler | Handler[]>) {
  const calls: CognitoCall[] = [];
  const used: Record<string, number> = {};

  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const headers = { ...(init.headers as Record<string, string> | undefined) };
    const target = headers["X-Amz-Target"] ?? "";
    const operation = target.replace("AWSCognitoIdentityProviderService.", "");
    const body = (typeof init.body === "string" ? JSON.parse(init.body) : {}) as Record<string, unknown>;
    const call = { operation, body, headers, url: String(input) };
    calls.push(call);
    const route = routes[operation];
    if (route === undefined) {
      return new Response(JSON.stringify({ __type: "InternalErrorException", message: `no fake for ${operation}` }), { status: 500 });
    }
    const list = Array.isArray(route) ? route : [route];
    const index = Math.min(used[operation] ?? 0, list.length - 1);
    used[operation] = (used[operation] ?? 0) + 1;
    const handler = list[index]!;
    const answer = typeof handler === "function" ? handler(call) : handler;
    if (answer === "network-down") throw new TypeError("Failed to fetch");
    if ("error" in answer && typeof answer.error === "string") {
      return new Response(JSON.stringify({ __type: answer.error, message: answer.message ?? "" }), {
        status: typeof answer.status === "number" ? answer.status : 400,
        headers: { "Content-Type": "application/x-amz-json-1.1" },
      });
    }
    return new Response(JSON.stringify(answer), { status: 200, headers: { "Content-Type": "application/x-amz-json-1.1" } });
  };

  return {
    fetch,
    calls,
    callsTo: (operation: string) => calls.filter((call) => call.operation === operation),
  };
}

export type FakeCognito = ReturnType<typeof fakeCognito>;
