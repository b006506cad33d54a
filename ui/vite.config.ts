// Vite builds the UI into ui/dist, which the Tauri app embeds; Vitest runs the unit tests.
import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [preact()],
  clearScreen: false,
  envPrefix: ["VITE_"],
  server: { port: 5173, strictPort: true },
  build: { target: ["es2022", "safari15.4"], outDir: "dist", emptyOutDir: true },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
