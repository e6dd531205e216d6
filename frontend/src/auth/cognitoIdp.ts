/**
 * The few Cognito user pool API operations the site makes without a password proof: plain JSON
 * POSTs with an X-Amz-Target header, as AWS's SDKs send them (public app client, no signing).
 * Kept in-house rather than in the SDK so these calls carry no retries of their own and the SDK
 * is only loaded for SRP (see ./cognitoSrp.ts).
 */
import type { CognitoConfig } from "./cognitoConfig";

/** A failure as Cognito names it ("NotAuthorizedException", ...), or "NetworkError". */
export class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "CognitoError";
  }
}

/** What a successful sign-in or refresh hands back. */
export interface CognitoTokens {
  accessToken: string;
  /** Absent on a refresh: the old refresh token stays valid. */
  refreshToken?: string;
  /** Lifetime of the access token in seconds. */
  expiresIn: number;
}

interface AuthenticationResult {
  AccessToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
}

interface InitiateAuthAnswer {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
}

export class CognitoIdp {
  constructor(
    private readonly config: CognitoConfig,
    private readonly fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
  ) {}

  async signUp(email: string, password: string, attributes: Record<string, string>): Promise<{ confirmed: boolean }> {
    const answer = await this.call<{ UserConfirmed?: boolean }>("SignUp", {
      ClientId: this.config.clientId,
      Username: email,
      Password: password,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    });
    return { confirmed: answer.UserConfirmed === true };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await this.call("ConfirmSignUp", { ClientId: this.config.clientId, Username: email, ConfirmationCode: code });
  }

  async resendConfirmationCode(email: string): Promise<void> {
    await this.call("ResendConfirmationCode", { ClientId: this.config.clientId, Username: email });
  }

  /** USER_PASSWORD_AUTH: the password goes to Cognito (over TLS) in one round trip. */
  async passwordSignIn(email: string, password: string): Promise<CognitoTokens> {
    const answer = await this.call<InitiateAuthAnswer>("InitiateAuth", {
      ClientId: this.config.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    return tokensOf(answer);
  }

  async refresh(refreshToken: string): Promise<CognitoTokens> {
    const answer = await this.call<InitiateAuthAnswer>("InitiateAuth", {
      ClientId: this.config.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    return tokensOf(answer);
  }

  /** Ends every session of this user at Cognito: the refresh token stops working everywhere. */
  async globalSignOut(accessToken: string): Promise<void> {
    await this.call("GlobalSignOut", { AccessToken: accessToken });
  }

  private async call<T>(operation: string, body: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.config.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
        },
        body: JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      throw new CognitoError("NetworkError", "The sign-in service could not be reached.");
    }
    const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) return data as T;
    // Cognito names the error in __type ("...#NotAuthorizedException" in some regions) or, for
    // some proxies, only in the x-amzn-errortype header ("Code:http://...").
    const named = typeof data.__type === "string" ? data.__type : response.headers.get("x-amzn-errortype") ?? "";
    const code = named.split(":")[0]!.split("#").pop() || `HTTP${response.status}`;
    const message = typeof data.message === "string" ? data.message : typeof data.Message === "string" ? data.Message : "";
    throw new CognitoError(code, message);
  }
}

function tokensOf(answer: InitiateAuthAnswer): CognitoTokens {
  const result = answer.AuthenticationResult;
  if (!result?.AccessToken) {
    // MFA, a forced new password or a custom challenge: steps this site does not offer.
    throw new CognitoError("UnsupportedChallenge", answer.ChallengeName ?? "no tokens in the answer");
  }
  const tokens: CognitoTokens = {
    accessToken: result.AccessToken,
    expiresIn: result.ExpiresIn ?? tokenLifetime(result.AccessToken),
  };
  if (result.RefreshToken) tokens.refreshToken = result.RefreshToken;
  return tokens;
}

/**
 * Seconds between a JWT's `iat` and `exp`. A lifetime rather than `exp` itself, so a browser
 * whose clock is off still keeps the token for as long as Cognito meant.
 */
export function tokenLifetime(jwt: string): number {
  try {
    const part = jwt.split(".")[1] ?? "";
    const payload = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: unknown; iat?: unknown };
    if (typeof payload.exp === "number" && typeof payload.iat === "number" && payload.exp > payload.iat) {
      return payload.exp - payload.iat;
    }
  } catch {
    // fall through: not a JWT we can read
  }
  throw new CognitoError("InvalidToken", "Cognito's access token carries no readable lifetime.");
}
