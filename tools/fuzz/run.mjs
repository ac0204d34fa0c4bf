#!/usr/bin/env node
/**
 * `pnpm fuzz` (10,000 programs) / `pnpm fuzz --long` (100,000): runs the schedule fuzzer, the
 * bad-input sweep and the fault-injection tests, records their results in
 * tools/fuzz/results/{fuzz[-long],bad-input,faults}.json, and regenerates
 * tools/RELIABILITY.md. `--runs N` overrides the count, `--seed S` fixes fast-check's seed.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const long = args.includes("--long");
const at = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const runs = at("--runs") ?? (long ? "100000" : "10000");
const seed = at("--seed");
mkdirSync(join(here, "results"), { recursive: true });
const results = join(here, "results", long ? "fuzz-long.json" : "fuzz.json");
const env = {
  ...process.env,
  FUZZ_RUNS: runs,
  FUZZ_RESULTS: results,
  BADINPUT_RESULTS: join(here, "results", "bad-input.json"),
  FAULTS_RESULTS: join(here, "results", "faults.json"),
};
if (seed !== undefined) env.FUZZ_SEED = seed;
process.stderr.write(`[fuzz] ${runs} programs -> ${results}\n`);
const r = spawnSync("npx", ["vitest", "run", "test/schedule-fuzz.test.ts", "test/bad-input.test.ts", "test/fault-injection.test.ts"], { cwd: here, stdio: "inherit", env });
spawnSync(process.execPath, [join(here, "report.mjs")], { stdio: "inherit" });
process.exit(r.status ?? 1);
