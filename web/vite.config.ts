/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";

// In development (and `vite preview`) the SPA talks to a locally running `closer serve`.
// The Host header is kept so links the server builds from it (invites) point back here.
const apiTarget = process.env.CLOSER_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: keep them in their own cacheable chunks.
        codeSplitting: {
          groups: [
            {
              name: "react",
              test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/,
            },
            // Charts are heavy and only the pages that draw them need them: their own chunk,
            // fetched with the first such page rather than on sign-in.
            {
              name: "charts",
              test: /node_modules[\\/](recharts|victory-vendor|d3-[a-z-]+|@reduxjs|immer|reselect|react-redux|redux|redux-thunk|es-toolkit|decimal\.js-light|eventemitter3|tiny-invariant|internmap)[\\/]/,
            },
            { name: "vendor", test: /node_modules/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      "/api": { target: apiTarget, ws: true },
      "/healthz": { target: apiTarget },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
