/**
 * Runs one variant of one case file in this process and prints its samples as one JSON line:
 *   node --expose-gc [flags] child.mjs <case file> <variant> <n> <reps> <warmup> [warmupN]
 */
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { measureVariant } from "./lib/measure.mjs";

const [file, name, n, reps, warmup, warmupN] = process.argv.slice(2);
const mod = await import(pathToFileURL(resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, file)).href);
const variant = mod.variants[name];
if (typeof variant !== "function") throw new Error(`${file} has no variant ${name}`);
const samples = await measureVariant(variant, {
  n: Number(n),
  reps: Number(reps),
  warmup: Number(warmup),
  warmupN: warmupN === undefined ? Number(n) : Number(warmupN),
});
process.stdout.write(`${JSON.stringify({ samples, node: process.version, execArgv: process.execArgv })}\n`);
