/// <reference types="vitest/config" />
// Vite builds the site into frontend/dist (served by the local build at /). In development the
// dev server proxies the API and its WebSockets to `tap serve` on 127.0.0.1:8080, so the site
// and the API share one origin exactly as they do in production.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const API = "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
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
});
