/**
 * Bundle-size measurement: esbuild (minify, platform=browser, format=esm) over a fixture,
 * then gzip -9. Shared by `run.mjs` (the results table) and test/bundle-size.test.ts.
 *
 * `from: "dist"` resolves `@anyio/*` through node_modules to the BUILT packages (what users
 * get; needs `pnpm build`). `from: "src"` points the same names at the packages' browser
 * entry sources, so the test needs no build; `tsconfigRaw: {}` keeps esbuild from applying
 * the repo's tsconfig `paths`, which would pull in the node entry.
 */
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export const FIXTURES = {
  A: { file: here("../fixtures/a.ts"), budget: 4096, what: "run + withTaskGroup + moveOnAfter, native backend" },
  B: { file: here("../fixtures/b.ts"), budget: 6144, what: "A + Semaphore + createMemoryObjectStream" },
  "Effect A": { file: here("../fixtures/effect-a.ts"), budget: null, what: "Effect: forEach fork/join + timeoutOption" },
  "Effect B": { file: here("../fixtures/effect-b.ts"), budget: null, what: "Effect A + Semaphore + Queue.bounded" },
};

const SOURCE_ALIASES = {
  "@anyio/core": here("../../../packages/core/src/index.ts"),
  "@anyio/backend-native": here("../../../packages/backend-native/src/index.ts"),
  "@anyio/sync": here("../../../packages/sync/src/index.ts"),
};

/**
 * Bundles one fixture and returns its sizes and text.
 * @param {keyof typeof FIXTURES} name
 * @param {{ from?: "dist" | "src" }} [options]
 */
export async function bundleFixture(name, options = {}) {
  const fixture = FIXTURES[name];
  if (fixture === undefined) throw new RangeError(`unknown fixture ${JSON.stringify(name)}`);
  const result = await build({
    entryPoints: [fixture.file],
    bundle: true,
    minify: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "silent",
    tsconfigRaw: {},
    alias: options.from === "src" ? SOURCE_ALIASES : {},
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  return {
    name,
    minBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    budget: fixture.budget,
    text: new TextDecoder().decode(code),
    metafile: result.metafile,
  };
}

/** Every `node:` specifier the bundle still imports (must be none for a browser bundle). */
export function nodeImports(text) {
  return [...text.matchAll(/["'](node:[\w/]+)["']/g)].map((m) => m[1]);
}
