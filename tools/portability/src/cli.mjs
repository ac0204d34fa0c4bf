#!/usr/bin/env node
/**
 * `pnpm portability [steps…] [--runtimes=node20,node22,node24,deno,bun] [--keep] [--no-build]`
 *
 * Steps (default: all of them, in this order):
 *   gates     publint --strict, attw, no `node:` import on the browser path, exports resolve
 *   runtimes  conformance suite + smoke programs, ESM and CJS, on Node 20/22/24, Deno, Bun
 *   browser   core, sync and both backends in headless Chromium (vitest browser mode)
 *
 * Every step works on the built packages: `turbo run build` first, then `pnpm pack` of each
 * published package and `npm install` of the tarballs into a temporary consumer project.
 * Exits non-zero when anything fails, after printing the whole matrix.
 */
import { join } from "node:path";
import { buildPackages, createConsumer, publishablePackages, removeConsumer } from "./consumer.mjs";
import { runGates } from "./gates.mjs";
import { RUNTIMES, runRuntimes, smokeTemplates, writePrograms } from "./runtimes.mjs";
import { exec, log, seconds, table, toolDir } from "./util.mjs";

const STEPS = ["gates", "runtimes", "browser"];
const argv = process.argv.slice(2);
const steps = argv.filter((a) => !a.startsWith("--"));
for (const s of steps) if (!STEPS.includes(s)) fail(`unknown step "${s}" (expected ${STEPS.join(", ")})`);
const opt = (name) => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const runtimeIds = (opt("runtimes")?.split("=")[1] ?? Object.keys(RUNTIMES).join(",")).split(",").filter(Boolean);
for (const id of runtimeIds) if (!(id in RUNTIMES)) fail(`unknown runtime "${id}" (expected ${Object.keys(RUNTIMES).join(", ")})`);
const want = (step) => steps.length === 0 || steps.includes(step);

function fail(msg) {
  log(`error: ${msg}`);
  process.exit(2);
}

const timings = [];
const timed = async (what, fn) => {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push([what, seconds(Date.now() - started)]);
  }
};

const started = Date.now();
let failed = false;
const packages = publishablePackages();
let consumer = null;
try {
  if (!opt("no-build")) await timed("build (turbo)", buildPackages);
  if (want("gates") || want("runtimes")) consumer = await timed("pack + npm install", () => createConsumer(packages));
} catch (err) {
  console.log(`\n✗ ${err.message}`);
  console.log("\nportability: FAILED (the packages could not be built, packed or installed)");
  process.exit(1);
}

try {
  if (want("gates")) {
    const results = await timed("gates", () => runGates(packages, consumer));
    console.log(`\nPackaging gates (on the packed tarballs)\n`);
    console.log(table(["gate", "package", "result"], results.map((r) => [r.gate, r.pkg, r.ok ? "ok" : "FAIL"])));
    for (const r of results.filter((x) => !x.ok)) {
      failed = true;
      console.log(`\n✗ ${r.gate} — ${r.pkg}\n${r.detail}`);
    }
    const bundles = results.filter((r) => r.gate === "browser bundle" && r.ok);
    if (bundles.length > 0) console.log(`\n${bundles.map((r) => `  ${r.pkg}: ${r.detail}`).join("\n")}`);
  }

  if (want("runtimes")) {
    const templates = smokeTemplates(packages);
    const skipped = packages.filter((p) => !p.hasExports).map((p) => p.name);
    const programs = writePrograms(consumer, templates);
    const { rows, versions } = await timed("runtimes", () => runRuntimes(runtimeIds, programs, consumer));
    const checks = templates.map((t) => t.name);
    const matrix = [];
    for (const id of runtimeIds) {
      for (const backend of ["native", "strict"]) {
        for (const format of ["esm", "cjs"]) {
          const cells = checks.map((c) => {
            const r = rows.find((x) => x.runtime === id && x.backend === backend && x.format === format && x.check === c);
            if (r === undefined) return "-";
            return r.ok ? (r.detail ? r.detail : "ok") : "FAIL";
          });
          matrix.push([versions[id] ?? id, backend, format, ...cells]);
        }
      }
    }
    console.log(`\nRuntime matrix (built tarballs installed with npm; "-" = not applicable)\n`);
    console.log(table(["runtime", "backend", "module", ...checks], matrix));
    if (skipped.length > 0) console.log(`\nNo smoke program yet (src/index.ts exports nothing): ${skipped.join(", ")}`);
    for (const r of rows.filter((x) => !x.ok)) {
      failed = true;
      console.log(`\n✗ ${versions[r.runtime]} ${r.backend} ${r.format} ${r.check}\n${r.error}`);
    }
  }
} finally {
  if (consumer !== null && !opt("keep")) removeConsumer(consumer);
  else if (consumer !== null) log(`kept the consumer project at ${consumer}`);
}

if (want("browser")) {
  const r = await timed("browser (chromium)", () =>
    exec(join(toolDir, "node_modules", ".bin", "vitest"), ["run", "--config", join(toolDir, "vitest.config.ts")], {
      cwd: toolDir,
      inherit: true,
      timeoutMs: 600_000,
    }),
  );
  if (r.code !== 0) {
    failed = true;
    console.log(`\n✗ browser tests failed (exit ${r.code})`);
  }
}

console.log(`\nTimings\n\n${table(["step", "time"], [...timings, ["total", seconds(Date.now() - started)]])}`);
console.log(failed ? "\nportability: FAILED" : "\nportability: all passed");
process.exit(failed ? 1 : 0);
