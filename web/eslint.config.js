import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist",
      "node_modules",
      "test-results",
      "playwright-report",
      "e2e/screenshots",
      "src/api/types.ts",
    ],
  },
  {
    files: ["**/*.{ts,tsx}"],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      globals: { ...globals.browser },
    },
    plugins: {
      "react-hooks": reactHooks,
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  // Rooms with doors: a feature (src/features/<name>) is used through its index.ts only; shared
  // code (api, components, lib, realtime, test) knows no feature; only the app layer (src/app:
  // router, shell, realtime registry) knows them all.
  {
    files: ["src/features/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^\\.\\./[^./][^/]*/.",
              caseSensitive: true,
              message: "Import another feature through its door: `../<feature>` (its index.ts).",
            },
            {
              regex: "^(\\.\\./)+app(/|$)",
              caseSensitive: true,
              message: "A feature does not depend on the app layer (router, shell, registry).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/{api,components,lib,realtime,test}/**/*.{ts,tsx}", "src/App.tsx", "src/nav.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)(features|app)(/|$)",
              caseSensitive: true,
              message: "Shared code does not depend on features or the app layer.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/app/**/*.{ts,tsx}", "src/main.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)features/[^/]+/.",
              caseSensitive: true,
              message: "Import a feature through its door: `features/<feature>` (its index.ts).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["e2e/**/*.ts", "playwright.config.ts", "vite.config.ts", "scripts/**/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["scripts/**/*.mjs"],
    extends: [js.configs.recommended],
  },
);
