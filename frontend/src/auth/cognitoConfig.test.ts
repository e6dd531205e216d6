import { createAuthClient } from ".";
import { CognitoAuthClient } from "./CognitoAuthClient";
import { cognitoConfigFrom } from "./cognitoConfig";
import { LocalAuthClient } from "./LocalAuthClient";

describe("cognitoConfigFrom", () => {
  it("names every missing setting", () => {
    expect(() => cognitoConfigFrom({})).toThrow(
      "Cognito build misconfigured: VITE_COGNITO_USER_POOL_ID and VITE_COGNITO_CLIENT_ID are not set.",
    );
    expect(() => cognitoConfigFrom({ VITE_COGNITO_USER_POOL_ID: "eu-west-1_Abc123", VITE_COGNITO_CLIENT_ID: "  " })).toThrow(
      /VITE_COGNITO_CLIENT_ID is not set/,
    );
  });

  it("refuses a malformed pool id, flow or endpoint", () => {
    const base = { VITE_COGNITO_USER_POOL_ID: "eu-west-1_Abc123", VITE_COGNITO_CLIENT_ID: "client" };
    expect(() => cognitoConfigFrom({ ...base, VITE_COGNITO_USER_POOL_ID: "Abc123" })).toThrow(/is not a user pool id/);
    expect(() => cognitoConfigFrom({ ...base, VITE_COGNITO_AUTH_FLOW: "SRP" })).toThrow(
      /"SRP" is not one of USER_SRP_AUTH, USER_PASSWORD_AUTH/,
    );
    expect(() => cognitoConfigFrom({ ...base, VITE_COGNITO_ENDPOINT: "localhost:5000" })).toThrow(/not an http\(s\) URL/);
  });

  it("defaults to SRP against AWS's endpoint for the pool's region", () => {
    expect(cognitoConfigFrom({ VITE_COGNITO_USER_POOL_ID: "eu-west-1_Abc123", VITE_COGNITO_CLIENT_ID: "client" })).toEqual({
      userPoolId: "eu-west-1_Abc123",
      clientId: "client",
      region: "eu-west-1",
      endpoint: "https://cognito-idp.eu-west-1.amazonaws.com/",
      authFlow: "USER_SRP_AUTH",
    });
  });

  it("takes an emulator endpoint and the password flow when asked", () => {
    const config = cognitoConfigFrom({
      VITE_COGNITO_USER_POOL_ID: "us-east-1_b6616debd83a49d3",
      VITE_COGNITO_CLIENT_ID: "client",
      VITE_COGNITO_ENDPOINT: "http://127.0.0.1:5055",
      VITE_COGNITO_AUTH_FLOW: "USER_PASSWORD_AUTH",
    });
    expect(config).toMatchObject({ endpoint: "http://127.0.0.1:5055", authFlow: "USER_PASSWORD_AUTH", region: "us-east-1" });
  });
});

describe("createAuthClient", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("gives the local client by default", () => {
    vi.stubEnv("VITE_AUTH_PROVIDER", undefined);
    expect(createAuthClient()).toBeInstanceOf(LocalAuthClient);
  });

  it("gives the Cognito client in a Cognito build, and fails loudly without its ids", () => {
    vi.stubEnv("VITE_AUTH_PROVIDER", "cognito");
    vi.stubEnv("VITE_COGNITO_USER_POOL_ID", "");
    vi.stubEnv("VITE_COGNITO_CLIENT_ID", "");
    expect(() => createAuthClient()).toThrow(/VITE_COGNITO_USER_POOL_ID and VITE_COGNITO_CLIENT_ID are not set/);
    vi.stubEnv("VITE_COGNITO_USER_POOL_ID", "eu-west-1_Abc123");
    vi.stubEnv("VITE_COGNITO_CLIENT_ID", "client");
    const auth = createAuthClient();
    expect(auth).toBeInstanceOf(CognitoAuthClient);
    expect(auth.separateProfiles).toBe(true);
  });

  it("refuses a provider this build does not have", () => {
    vi.stubEnv("VITE_AUTH_PROVIDER", "okta");
    expect(() => createAuthClient()).toThrow('Auth provider "okta" is not available in this build.');
  });
});
