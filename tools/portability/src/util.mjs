/**
 * Small helpers shared by the portability steps: paths, running commands, timing, the matrix table.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** tools/portability */
export const toolDir = dirname(dirname(fileURLToPath(import.meta.url)));
/** The repository root. */
export const repoRoot = dirname(dirname(toolDir));
/** Runtime binaries and their caches (gitignored): reused across runs so repeated runs are fast. */
export const cacheDir = join(toolDir, ".cache");

export const log = (msg) => process.stderr.write(`[portability] ${msg}\n`);

/**
 * Runs a command and resolves with its exit code and captured output (never rejects on a
 * non-zero exit; rejects only when the program cannot be started). `timeoutMs` kills it.
 */
export function exec(cmd, args, { cwd = repoRoot, env = process.env, timeoutMs = 300_000, inherit = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout?.on("data", (d) => (out += d));
    child.stderr?.on("data", (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (timedOut) out += `\n(killed after ${timeoutMs} ms)`;
      resolve({ code: code ?? (signal ? 128 : 1), out, ms: Date.now() - started });
    });
  });
}

/** Like {@link exec} but throws with the command's output when it fails. */
export async function mustExec(cmd, args, options) {
  const r = await exec(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.code}):\n${r.out}`);
  return r;
}

/** Runs `tasks` (functions returning promises) with at most `limit` at a time, in order. */
export async function pool(limit, tasks) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Prints rows (arrays of strings) as an aligned table with a header row. */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
