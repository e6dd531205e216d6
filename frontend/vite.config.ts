/// <reference types="vitest/config" />
// Vite builds the site into frontend/dist (served by the local build at /). In development the
// dev server proxies the API and its WebSockets to `tap serve` on 127.0.0.1:8080, so the site
// and the API share one origin exactly as they do in production.
//
// VITE_AUTH_PROVIDER picks the sign-in at build time ("local" or "cognito", see src/auth). A
// Cognito build with a missing or malformed VITE_COGNITO_* setting stops here, before bundling.
import { defineConfig, loadEnv } from "vite";
import react from "@vitejs/plugin-react";
import { cognitoConfigFrom } from "./src/auth/cognitoConfig.js";

const API = "http://127.0.0.1:8080";
const PROVIDERS = ["local", "cognito"];

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, ".", "VITE_");
  const provider = env.VITE_AUTH_PROVIDER || "local";
  if (!PROVIDERS.includes(provider)) {
    throw new Error(`VITE_AUTH_PROVIDER "${provider}" is not one of ${PROVIDERS.join(", ")}.`);
  }
  if (provider === "cognito") cognitoConfigFrom(env);

  return {
    plugins: [react()],
    // amazon-cognito-identity-js (SRP sign-in, loaded only by the Cognito build) and its `buffer`
    // dependency read Node's `global`; browsers call it globalThis.
    define: { global: "globalThis" },
    build: { outDir: "dist", emptyOutDir: true },
    server: {
      host: "127.0.0.1",
      port: 5173,
      proxy: { "/api": { target: API, ws: true, changeOrigin: false } },
    },
    preview: { host: "127.0.0.1", port: 4173 },
    test: {
      environment: "jsdom",
      globals: true,
      setupFiles: ["./src/setupTests.ts"],
      include: ["src/**/*.test.{ts,tsx}"],
    },
  };
});
