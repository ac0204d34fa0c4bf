import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", vitest: "src/vitest.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  external: [/^node:/, /^@anyio\//, "vitest"],
  tsconfig: "tsconfig.build.json",
  // Keep `node:` specifiers: Deno and Bun resolve builtins by them.
  removeNodeProtocol: false,
});
