/**
 * SRP sign-in (USER_SRP_AUTH) through amazon-cognito-identity-js: the password never leaves the
 * browser, only a proof of it. This module is imported dynamically by CognitoAuthClient, so the
 * SDK (about 25 kB gzipped) is fetched on the first SRP sign-in and never by the local build.
 * The SDK's own token cache is given a storage that keeps nothing: the site's SessionStore is
 * the only place tokens live.
 */
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage,
} from "amazon-cognito-identity-js";
import type { CognitoConfig } from "./cognitoConfig";
import { CognitoError, tokenLifetime, type CognitoTokens } from "./cognitoIdp";

const KEEPS_NOTHING: ICognitoStorage = {
  setItem: () => undefined,
  getItem: () => null,
  removeItem: () => undefined,
  clear: () => undefined,
};

export function srpSignIn(config: CognitoConfig, email: string, password: string): Promise<CognitoTokens> {
  const pool = new CognitoUserPool({
    UserPoolId: config.userPoolId,
    ClientId: config.clientId,
    endpoint: config.endpoint,
    Storage: KEEPS_NOTHING,
    AdvancedSecurityDataCollectionFlag: false,
  });
  const user = new CognitoUser({ Username: email, Pool: pool, Storage: KEEPS_NOTHING });
  user.setAuthenticationFlowType("USER_SRP_AUTH");
  const details = new AuthenticationDetails({ Username: email, Password: password });

  return new Promise((resolve, reject) => {
    const unsupported = (challenge: string) => () => reject(new CognitoError("UnsupportedChallenge", challenge));
    user.authenticateUser(details, {
      onSuccess: (session: CognitoUserSession) => {
        try {
          const accessToken = session.getAccessToken().getJwtToken();
          resolve({
            accessToken,
            refreshToken: session.getRefreshToken().getToken(),
            expiresIn: tokenLifetime(accessToken),
          });
        } catch (error) {
          reject(error);
        }
      },
      onFailure: (error: unknown) => {
        const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
        reject(new CognitoError(typeof code === "string" ? code : "UnknownError", typeof message === "string" ? message : ""));
      },
      newPasswordRequired: unsupported("NEW_PASSWORD_REQUIRED"),
      mfaRequired: unsupported("SMS_MFA"),
      totpRequired: unsupported("SOFTWARE_TOKEN_MFA"),
      customChallenge: unsupported("CUSTOM_CHALLENGE"),
      mfaSetup: unsupported("MFA_SETUP"),
      selectMFAType: unsupported("SELECT_MFA_TYPE"),
    });
  });
}
