#!/usr/bin/env node
/**
 * Instructions per operation of one bench variant, counted by valgrind (cachegrind): a
 * deterministic A/B for changes too small for wall-clock time on a noisy machine, where one
 * process can run a variant 1.5× slower than the next.
 *
 *   node tools/bench/instructions.mjs timeout moveOnAfter          # cases/timeout.mjs
 *   node tools/bench/instructions.mjs stream ours_0_1x1 --n=40000,120000
 *
 * The variant runs twice, at two sizes, each in a fresh `node --single-threaded --predictable
 * --predictable-gc-schedule` (no background compiler or GC threads; heap growth on a fixed
 * schedule, not from timings, which moved counts by up to ±10 % with the machine's load); the
 * difference divided by the difference in size leaves out start-up, module loading and
 * compilation: what remains is the steady state per operation. Run it twice before trusting a
 * difference, never beside another valgrind run: whatever depends on time does not repeat — the
 * native backend yields to the host loop after 4 ms of microtasks, which valgrind's slowdown
 * makes frequent, and spawn + join moved by ±15 % between identical runs.
 *
 * Instructions are not time: they leave out cache misses and the kernel, and `--predictable`
 * GCs more often than a default run. Use them to see what a change removes, and the full
 * bench for the ratios the goals are judged on. Needs `valgrind` on the PATH; Linux only.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

if (process.argv[2] === "--child") {
  const [file, variant, n] = process.argv.slice(3);
  const { variants } = await import(pathToFileURL(file).href);
  await variants[variant](Number(n));
  process.exit(0);
}

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const sizesFlag = process.argv.find((a) => a.startsWith("--n="));
const [caseName, variant] = args;
if (caseName === undefined || variant === undefined) {
  console.error("usage: node tools/bench/instructions.mjs <case> <variant> [--n=small,large]   (case: a file in cases/, without .mjs)");
  process.exit(2);
}
const file = join(here, "cases", `${caseName}.mjs`);
if (!existsSync(file)) {
  console.error(`instructions: no case file ${file}`);
  process.exit(2);
}
const { variants } = await import(pathToFileURL(file).href);
if (typeof variants[variant] !== "function") {
  console.error(`instructions: ${caseName} has no variant ${variant}; it has: ${Object.keys(variants).join(", ")}`);
  process.exit(2);
}
const [small, large] = (sizesFlag?.slice(4) ?? "50000,150000").split(",").map(Number);
if (!(small > 0 && large > small)) {
  console.error("instructions: --n takes two sizes, smaller first, e.g. --n=20000,60000");
  process.exit(2);
}
if (spawnSync("valgrind", ["--version"]).status !== 0) {
  console.error("instructions: valgrind is not installed (apt install valgrind)");
  process.exit(2);
}

/** Instructions one process takes to run the variant `n` times. */
function count(n) {
  const child = spawnSync(
    "valgrind",
    ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", process.execPath,
      "--single-threaded", "--predictable", "--predictable-gc-schedule", fileURLToPath(import.meta.url), "--child", file, variant, String(n)],
    { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 24 },
  );
  // valgrind writes its summary to stderr: "==pid== I   refs:      1,234,567"
  const match = /I\s+refs:\s+([\d,]+)/.exec(child.stderr ?? "");
  if (child.status !== 0 || match === null) {
    throw new Error(`instructions: the run of ${variant} (n = ${n}) failed (status ${child.status}):\n${child.stderr}`);
  }
  return Number(match[1].replaceAll(",", ""));
}

const a = count(small);
const b = count(large);
const perOp = (b - a) / (large - small);
console.log(`${caseName} ${variant}: ${perOp.toFixed(0)} instructions per op (node ${process.version}, n ${small} → ${large})`);
