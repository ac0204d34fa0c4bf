/**
 * Packaging gates, run on the packed tarballs as installed in the consumer project:
 * - publint --strict for every published package;
 * - @arethetypeswrong/cli on every tarball;
 * - the browser export path of the browser packages has no `node:` (or bare builtin) import:
 *   each entry is bundled with esbuild for platform=browser, and an offending import is
 *   reported with the built file and the source file and line it came from;
 * - every `exports` entry resolves and loads for `import` and for `require`, with the same
 *   named exports.
 */
import { builtinModules } from "node:module";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { originalPosition } from "./sourcemap.mjs";
import { exec, pool, repoRoot, toolDir } from "./util.mjs";

/** The packages that promise to run in browsers (DESIGN §1). */
export const BROWSER_PACKAGES = ["@anyio/core", "@anyio/sync", "@anyio/backend-native", "@anyio/backend-strict"];

const toolBin = (name) => join(toolDir, "node_modules", ".bin", name);

/** @returns {Promise<{ gate: string, pkg: string, ok: boolean, detail: string }[]>} */
export async function runGates(packages, consumerDir) {
  const tarballs = join(consumerDir, "tarballs");
  const tarballOf = (p) => join(tarballs, readdirSync(tarballs).find((f) => f.startsWith(`${p.name.slice(1).replace("/", "-")}-`)));
  const jobs = [];
  for (const p of packages) {
    jobs.push(async () => {
      // The installed copy is exactly the tarball's content, so publint need not pack again.
      const installed = join(consumerDir, "node_modules", ...p.name.split("/"));
      const r = await exec(toolBin("publint"), ["run", "--strict", "--pack", "false", installed], { cwd: consumerDir });
      return { gate: "publint --strict", pkg: p.name, ok: r.code === 0, detail: r.out.trim() };
    });
    jobs.push(async () => {
      const r = await exec(toolBin("attw"), [tarballOf(p), "--format", "ascii", "--no-color"], { cwd: consumerDir });
      return { gate: "attw", pkg: p.name, ok: r.code === 0, detail: r.out.trim() };
    });
    jobs.push(() => exportsGate(p, consumerDir));
  }
  for (const name of BROWSER_PACKAGES.filter((n) => packages.some((p) => p.name === n))) {
    jobs.push(() => browserGate(name, consumerDir));
  }
  return pool(2, jobs);
}

const BUILTINS = new Set(builtinModules);

/** Bundles `name`'s browser entry for platform=browser and reports every host-only import. */
export async function browserGate(name, consumerDir) {
  const offenders = [];
  let result;
  try {
    result = await build({
      stdin: { contents: `export * from ${JSON.stringify(name)};`, resolveDir: consumerDir, loader: "js" },
      bundle: true,
      write: false,
      platform: "browser",
      format: "esm",
      tsconfigRaw: "{}",
      metafile: true,
      logLevel: "silent",
      plugins: [
        {
          name: "find-node-imports",
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => {
              const bare = args.path.replace(/^node:/, "").split("/")[0];
              if (args.path.startsWith("node:") || BUILTINS.has(args.path) || (BUILTINS.has(bare) && !args.path.startsWith("."))) {
                offenders.push({ specifier: args.path, importer: args.importer });
                return { path: args.path, external: true };
              }
              return undefined;
            });
          },
        },
      ],
    });
  } catch (err) {
    const msgs = (err.errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`);
    return { gate: "browser bundle", pkg: name, ok: false, detail: `esbuild --platform=browser failed:\n${msgs.join("\n") || err.message}` };
  }
  const inputs = Object.keys(result.metafile.inputs).filter((f) => f !== "<stdin>");
  const nodeEntry = inputs.filter((f) => /\.node\.(c?js)$/.test(f));
  const lines = offenders.map((o) => `${describeImport(o, consumerDir)}`);
  if (nodeEntry.length > 0) lines.push(`the browser bundle pulled in a node-only entry: ${nodeEntry.join(", ")}`);
  const ok = lines.length === 0;
  const kb = (result.outputFiles[0].contents.length / 1024).toFixed(1);
  return {
    gate: "browser bundle",
    pkg: name,
    ok,
    detail: ok
      ? `no node: import in ${inputs.length} bundled files (${kb} KiB unminified)`
      : `the browser export path imports host-only modules:\n${lines.map((l) => `  - ${l}`).join("\n")}`,
  };
}

/**
 * "dist/index.js imports node:fs (from packages/core/src/checkpoint.ts:3)": the built file and,
 * through its source map, the source file that wrote the import.
 */
function describeImport({ specifier, importer }, consumerDir) {
  const shownImporter = relative(consumerDir, importer);
  let origin = "";
  try {
    const text = readFileSync(importer, "utf8");
    const quoted = [`"${specifier}"`, `'${specifier}'`].map((q) => text.indexOf(q)).filter((i) => i >= 0);
    const mapFile = `${importer}.map`;
    if (quoted.length > 0 && existsSync(mapFile)) {
      const at = Math.min(...quoted);
      const before = text.slice(0, at).split("\n");
      const map = JSON.parse(readFileSync(mapFile, "utf8"));
      const pos = originalPosition(map, before.length - 1, before[before.length - 1].length);
      if (pos !== null) {
        // node_modules/@anyio/core/dist/x.js.map names ../src/y.ts: show it in the repository.
        const pkgRoot = dirname(dirname(importer));
        const pkgShort = pkgRoot.split("/").pop();
        const inRepo = join(repoRoot, "packages", pkgShort, relative(pkgRoot, resolve(dirname(importer), pos.source)));
        origin = ` (from ${relative(repoRoot, inRepo)}:${pos.line})`;
      }
    }
  } catch (err) {
    origin = ` (source map unreadable: ${err.message})`;
  }
  return `${shownImporter} imports "${specifier}"${origin}`;
}

/**
 * Resolves and loads every `exports` subpath of an installed package with `import` and with
 * `require` (Node's own resolver, as a user's code would) and compares the named exports.
 */
async function exportsGate(p, consumerDir) {
  const subpaths = Object.keys(p.manifest.exports ?? { ".": null }).filter((s) => !s.endsWith(".json"));
  const peers = Object.keys(p.manifest.peerDependencies ?? {});
  const script = `
const { createRequire } = require("node:module");
const { existsSync } = require("node:fs");
const req = createRequire(${JSON.stringify(join(consumerDir, "package.json"))});
const peers = ${JSON.stringify(peers)};
const missingPeer = (err) => peers.some((peer) => String(err && err.message).includes("'" + peer + "'") || String(err && err.message).includes('"' + peer + '"'));
(async () => {
  const problems = [];
  const notes = [];
  for (const sub of ${JSON.stringify(subpaths)}) {
    const spec = ${JSON.stringify(p.name)} + sub.slice(1);
    let esmFile, cjsFile, esm, cjs;
    try { cjsFile = req.resolve(spec); if (!existsSync(cjsFile)) problems.push(spec + ": require resolves to a missing file " + cjsFile); }
    catch (err) { problems.push(spec + ": require.resolve failed: " + err.message); }
    try { esmFile = new URL(await import.meta.resolve(spec)).pathname; if (!existsSync(esmFile)) problems.push(spec + ": import resolves to a missing file " + esmFile); }
    catch (err) { problems.push(spec + ": import.meta.resolve failed: " + err.message); }
    try { cjs = req(spec); } catch (err) { if (missingPeer(err)) notes.push(spec + ": require needs its peer (" + err.message.split("\\n")[0] + ")"); else problems.push(spec + ": require() failed: " + err.message); }
    try { esm = await import(spec); } catch (err) { if (missingPeer(err)) notes.push(spec + ": import needs its peer"); else problems.push(spec + ": import() failed: " + err.message); }
    if (esm && cjs) {
      const a = Object.keys(esm).filter((k) => k !== "default" && k !== "module.exports").sort().join(",");
      const b = Object.keys(cjs).sort().join(",");
      if (a !== b) problems.push(spec + ": ESM and CJS export different names:\\n    import:  " + a + "\\n    require: " + b);
      else notes.push(spec + ": " + Object.keys(cjs).length + " names via import and require (" + esmFile.split("/node_modules/").pop() + ", " + cjsFile.split("/node_modules/").pop() + ")");
    }
  }
  console.log(JSON.stringify({ problems, notes }));
})();
`;
  const r = await exec(process.execPath, ["--input-type=module", "-e", `import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url); ${script}`], { cwd: consumerDir });
  let parsed;
  try {
    parsed = JSON.parse(r.out.trim().split("\n").pop());
  } catch {
    return { gate: "exports", pkg: p.name, ok: false, detail: r.out };
  }
  return {
    gate: "exports import/require",
    pkg: p.name,
    ok: r.code === 0 && parsed.problems.length === 0,
    detail: [...parsed.problems, ...parsed.notes].join("\n"),
  };
}
