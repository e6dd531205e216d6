"""Identity adapters: the local token issuer and the JWT verifier (for it and for Cognito)."""
