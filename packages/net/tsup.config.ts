import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
  external: [/^node:/, /^@anyio\//],
  tsconfig: "tsconfig.build.json",
  // Keep `node:` specifiers: Deno and Bun resolve builtins by them.
  removeNodeProtocol: false,
});
