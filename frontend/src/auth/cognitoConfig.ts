/**
 * The Cognito build's settings, read from Vite env at build time. A missing or malformed value
 * is an error naming the variable: vite.config.ts runs the same check so such a build fails
 * before it starts, and createAuthClient runs it again so a bad bundle fails on load, not at the
 * first sign-in.
 */

/** SRP keeps the password off the wire (the default, for AWS); USER_PASSWORD_AUTH sends it over
 * TLS and is what local tests need, since moto's SRP accepts any password. */
export type CognitoAuthFlow = "USER_SRP_AUTH" | "USER_PASSWORD_AUTH";

export interface CognitoConfig {
  userPoolId: string;
  clientId: string;
  /** The user pool API: AWS's regional endpoint unless VITE_COGNITO_ENDPOINT names another. */
  endpoint: string;
  region: string;
  authFlow: CognitoAuthFlow;
}

export type CognitoEnv = Partial<Record<string, string | boolean | undefined>>;

const FLOWS: readonly CognitoAuthFlow[] = ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"];
/** The shape Cognito gives pool ids: "<region>_<id>"; the region prefixes the endpoint. */
const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9a-zA-Z]+$/;

function value(env: CognitoEnv, name: string): string {
  const raw = env[name];
  return typeof raw === "string" ? raw.trim() : "";
}

export class CognitoConfigError extends Error {
  constructor(message: string) {
    super(`Cognito build misconfigured: ${message}`);
    this.name = "CognitoConfigError";
  }
}

export function cognitoConfigFrom(env: CognitoEnv): CognitoConfig {
  const userPoolId = value(env, "VITE_COGNITO_USER_POOL_ID");
  const clientId = value(env, "VITE_COGNITO_CLIENT_ID");
  const missing = [
    userPoolId ? "" : "VITE_COGNITO_USER_POOL_ID",
    clientId ? "" : "VITE_COGNITO_CLIENT_ID",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new CognitoConfigError(
      `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set. ` +
        "Set them to the user pool id and its app client id when building with VITE_AUTH_PROVIDER=cognito.",
    );
  }
  const pool = POOL_ID.exec(userPoolId);
  if (!pool) {
    throw new CognitoConfigError(
      `VITE_COGNITO_USER_POOL_ID "${userPoolId}" is not a user pool id (expected "<region>_<id>", e.g. "eu-west-1_AbC123").`,
    );
  }
  const region = pool[1]!;

  const flow = value(env, "VITE_COGNITO_AUTH_FLOW") || "USER_SRP_AUTH";
  if (!(FLOWS as readonly string[]).includes(flow)) {
    throw new CognitoConfigError(`VITE_COGNITO_AUTH_FLOW "${flow}" is not one of ${FLOWS.join(", ")}.`);
  }

  const given = value(env, "VITE_COGNITO_ENDPOINT");
  if (given && !/^https?:\/\/[^/\s]+/.test(given)) {
    throw new CognitoConfigError(`VITE_COGNITO_ENDPOINT "${given}" is not an http(s) URL.`);
  }
  return {
    userPoolId,
    clientId,
    endpoint: given || `https://cognito-idp.${region}.amazonaws.com/`,
    region,
    authFlow: flow as CognitoAuthFlow,
  };
}
