/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// Django serves the build: the HTML shell comes from Django (with the chain's
// configuration and the CSP nonce) and names the files Vite's manifest lists, so
// there is no index.html here. Hashed files live under /static/app/ with a year's cache.
export default defineConfig({
  base: "/static/app/",
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    target: "es2022",
    sourcemap: false,
    assetsInlineLimit: 2048,
    rollupOptions: {
      // The storefront; the box office (a screen of the chain's dashboard); and the
      // dashboard's charts and the apex's sign-up form (small islands on server-rendered
      // pages).
      input: [
        "src/main.tsx",
        "src/backoffice/main.tsx",
        "src/dashboard/charts.ts",
        "src/signup/signup.ts",
      ],
      onwarn(warning, warn) {
        // React Query marks its modules "use client" for React Server Components; a
        // client-only bundle has nothing to do with that.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  test: {
    include: ["src/**/*.test.{ts,tsx}"],
    environment: "node",
    // A machine zone far from every demo venue: times must come out in the venue's zone.
    env: { TZ: "Pacific/Kiritimati" },
  },
});
