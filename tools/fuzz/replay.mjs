#!/usr/bin/env node
/**
 * Replays one fuzz program printed by a failing run:
 *   node tools/fuzz/replay.mjs '<program json>'
 * Runs the fuzzer's replay test (vitest resolves @anyio/* to the sources) with FUZZ_REPLAY set,
 * and prints the program's outcome and violations.
 */
import { spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const json = process.argv[2];
if (json === undefined) {
  process.stderr.write("usage: node tools/fuzz/replay.mjs '<program json>'\n");
  process.exit(2);
}
JSON.parse(json); // fail early on a mangled argument
const here = dirname(fileURLToPath(import.meta.url));
const r = spawnSync("npx", ["vitest", "run", "test/schedule-fuzz.test.ts"], {
  cwd: here,
  stdio: "inherit",
  env: { ...process.env, FUZZ_REPLAY: json },
});
process.exit(r.status ?? 1);
