/**
 * The build every @anyio package shares: ESM + CJS + `.d.ts`/`.d.cts` from `src/`, with
 * builtins and sibling packages left external. Packages differ only in their entries and in
 * whether they run anywhere (`platform: "neutral"`, browser-safe) or on server runtimes only.
 */
import { defineConfig, type Options } from "tsup";

export interface PackageBuildOptions {
  /** Entry points; defaults to `{ index: "src/index.ts" }`. */
  entry?: Record<string, string>;
  /** `"any"`: browser-safe, neutral platform. `"server"`: Node ≥ 20 (and Deno/Bun through it). */
  runs: "any" | "server";
  /** More imports to leave external (peer dependencies). */
  external?: Array<string | RegExp>;
}

export function packageBuild(options: PackageBuildOptions): Options {
  return defineConfig({
    entry: options.entry ?? { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: options.runs === "any" ? "es2022" : "node20",
    platform: options.runs === "any" ? "neutral" : "node",
    external: [/^node:/, /^@anyio\//, ...(options.external ?? [])],
    tsconfig: "tsconfig.build.json",
    // Keep `node:` specifiers: Deno and Bun resolve builtins by them.
    removeNodeProtocol: false,
  }) as Options;
}
