/**
 * Shared vitest settings: every package's tests import `@anyio/*` by package name, and
 * those names resolve to the packages' sources, so one module instance of each package
 * serves a whole test run (no build needed, no duplicate `Cancelled` classes).
 * The built packages are exercised separately by the portability checks.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export const sourceAliases = [
  { find: /^@anyio\/core$/, replacement: here("./packages/core/src/index.node.ts") },
  { find: /^@anyio\/backend-native$/, replacement: here("./packages/backend-native/src/index.ts") },
  { find: /^@anyio\/backend-strict$/, replacement: here("./packages/backend-strict/src/index.ts") },
  { find: /^@anyio\/sync$/, replacement: here("./packages/sync/src/index.ts") },
  { find: /^@anyio\/testing$/, replacement: here("./packages/testing/src/index.ts") },
  { find: /^@anyio\/testing\/vitest$/, replacement: here("./packages/testing/src/vitest.ts") },
  { find: /^@anyio\/net$/, replacement: here("./packages/net/src/index.ts") },
  { find: /^@anyio\/fs$/, replacement: here("./packages/fs/src/index.ts") },
  { find: /^@anyio\/process$/, replacement: here("./packages/process/src/index.ts") },
  { find: /^@anyio\/worker$/, replacement: here("./packages/worker/src/index.ts") },
];

export function packageTestConfig() {
  return defineConfig({
    resolve: { alias: sourceAliases },
    test: {
      include: ["test/**/*.test.ts"],
      environment: "node",
      testTimeout: 20_000,
      hookTimeout: 20_000,
    },
  });
}
