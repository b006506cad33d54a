// Lint rules. The one architectural rule: only src/platform/ may talk to Tauri.
import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import tseslint from "typescript-eslint";

const tauriOnlyInPlatform = {
  patterns: [
    { group: ["@tauri-apps/*"], message: "Only src/platform/ may import @tauri-apps; import from the platform module." },
    { group: ["**/bindings", "**/bindings.ts"], message: "Only src/platform/ may import the generated bindings." },
    {
      group: ["preact/compat", "react", "react-dom"],
      message: "preact/compat patches Preact for the whole app (select values, events); write plain Preact.",
    },
  ],
};

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/bindings.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ["src/**/*.tsx"], ...jsxA11y.flatConfigs.recommended },
  {
    files: ["src/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", tauriOnlyInPlatform],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["src/platform/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["scripts/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
