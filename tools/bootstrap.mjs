#!/usr/bin/env node
/**
 * Fresh-machine bootstrap: from a clone on a machine with only Node (>= 20.19) and npm to an
 * installed workspace, then (optionally) run a command with the workspace's tools on PATH.
 *
 *   node tools/bootstrap.mjs                        install if needed, nothing else
 *   node tools/bootstrap.mjs turbo run test         install if needed, then run `turbo run test`
 *   node tools/bootstrap.mjs --quiet turbo run …    same, but show the command's output only if it fails
 *   node tools/bootstrap.mjs --force …              install even if node_modules looks current
 *
 * - pnpm: the version pinned in package.json's `packageManager`. A global `pnpm` of exactly that
 *   version is used; otherwise `npx -y pnpm@<version>` (no corepack: this registry serves no
 *   signatures, so corepack would need COREPACK_INTEGRITY_KEYS=0). pnpm is also a root
 *   devDependency, so after the first install `node_modules/.bin/pnpm` exists and turbo, which
 *   runs every task through the package manager binary, finds the right one.
 * - Install: `pnpm install --frozen-lockfile` when node_modules is missing or older than
 *   pnpm-lock.yaml. The time of the last successful install is the mtime of
 *   node_modules/.anyio-bootstrap (a stamp file); a lockfile only touched, not changed, just
 *   refreshes the stamp.
 * - The command runs with node_modules/.bin first on PATH and TURBO_TELEMETRY_DISABLED=1.
 *
 * Plain Node, no dependencies: it has to run before anything is installed.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const isWindows = process.platform === "win32";
const log = (msg) => process.stderr.write(`[bootstrap] ${msg}\n`);

function fail(msg) {
  log(`error: ${msg}`);
  process.exit(1);
}

// ---- arguments -----------------------------------------------------------------------------
const args = process.argv.slice(2);
let quiet = false;
let force = false;
while (args.length > 0 && args[0].startsWith("--")) {
  const flag = args.shift();
  if (flag === "--quiet") quiet = true;
  else if (flag === "--force") force = true;
  else if (flag === "--") break;
  else fail(`unknown option ${flag} (expected --quiet, --force or --)`);
}

// ---- Node version ----------------------------------------------------------------------------
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
{
  const wanted = /(\d+)\.(\d+)/.exec(manifest.engines?.node ?? ">=20.19") ?? ["", "20", "19"];
  const [major, minor] = process.versions.node.split(".").map(Number);
  const [wMajor, wMinor] = [Number(wanted[1]), Number(wanted[2])];
  if (major < wMajor || (major === wMajor && minor < wMinor)) {
    fail(`anyio-ts needs Node ${wMajor}.${wMinor} or newer (vite/vitest require it); this is Node ${process.versions.node}`);
  }
}

// ---- pnpm --------------------------------------------------------------------------------------
const pmField = String(manifest.packageManager ?? "");
const pmMatch = /^pnpm@(\d+\.\d+\.\d+)/.exec(pmField);
if (pmMatch === null) fail(`package.json "packageManager" must pin pnpm (pnpm@x.y.z), found ${JSON.stringify(pmField)}`);
const pnpmVersion = pmMatch[1];

/** Runs a command synchronously; `capture` collects its output instead of showing it. */
function exec(cmd, cmdArgs, { capture = false, env = process.env, timeout } = {}) {
  const result = spawnSync(cmd, cmdArgs, {
    cwd: root,
    env,
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    // npm, npx, pnpm and turbo are .cmd shims on Windows, which only a shell can start.
    shell: isWindows,
    timeout,
  });
  return {
    status: result.error ? null : result.status,
    signal: result.signal,
    error: result.error,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}`,
  };
}

/** The command line that runs the pinned pnpm: local, then global, then npx. */
function findPnpm() {
  const local = join(root, "node_modules", "pnpm");
  try {
    const version = JSON.parse(readFileSync(join(local, "package.json"), "utf8")).version;
    if (version === pnpmVersion) return { cmd: process.execPath, args: [join(local, "bin", "pnpm.cjs")], label: `pnpm ${version} (node_modules)` };
  } catch {
    // not installed yet
  }
  const probe = exec("pnpm", ["--version"], {
    capture: true,
    timeout: 60_000,
    // A corepack shim must not start a download prompt or rewrite package.json.
    env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", COREPACK_ENABLE_AUTO_PIN: "0" },
  });
  const globalVersion = probe.status === 0 ? probe.output.trim().split(/\s+/).pop() : null;
  if (globalVersion === pnpmVersion) return { cmd: "pnpm", args: [], label: `pnpm ${pnpmVersion} (global)` };
  log(
    globalVersion
      ? `global pnpm is ${globalVersion}, this repository pins ${pnpmVersion}: using npx -y pnpm@${pnpmVersion}`
      : `no global pnpm ${pnpmVersion}: using npx -y pnpm@${pnpmVersion}`,
  );
  return { cmd: "npx", args: ["-y", `pnpm@${pnpmVersion}`], label: `pnpm ${pnpmVersion} (npx)` };
}

// ---- install -------------------------------------------------------------------------------------
const lockfile = join(root, "pnpm-lock.yaml");
const nodeModules = join(root, "node_modules");
const stamp = join(nodeModules, ".anyio-bootstrap");

function lockHash() {
  return createHash("sha256").update(readFileSync(lockfile)).digest("hex");
}

function installReason() {
  if (force) return "--force";
  if (!existsSync(nodeModules)) return "node_modules is missing";
  if (!existsSync(stamp)) return "node_modules was not installed by this script yet";
  if (!existsSync(lockfile)) fail("pnpm-lock.yaml is missing");
  if (statSync(stamp).mtimeMs >= statSync(lockfile).mtimeMs) return null;
  // Newer lockfile: reinstall only if its content changed (a checkout may just touch it).
  const recorded = /^lockfile-sha256 (\w+)$/m.exec(readFileSync(stamp, "utf8"))?.[1];
  if (recorded === lockHash()) {
    writeStamp();
    return null;
  }
  return "pnpm-lock.yaml changed since the last install";
}

function writeStamp() {
  writeFileSync(stamp, `installed ${new Date().toISOString()} with pnpm ${pnpmVersion} --frozen-lockfile\nlockfile-sha256 ${lockHash()}\n`);
}

const reason = installReason();
if (reason !== null) {
  const pnpm = findPnpm();
  log(`${reason}: pnpm install --frozen-lockfile with ${pnpm.label}`);
  const started = Date.now();
  const result = exec(pnpm.cmd, [...pnpm.args, "install", "--frozen-lockfile"], {
    capture: quiet,
    env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", COREPACK_ENABLE_AUTO_PIN: "0" },
  });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(result.output);
    fail(
      `pnpm install --frozen-lockfile failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}). ` +
        "If package.json changed, run `pnpm install` to update pnpm-lock.yaml and commit it.",
    );
  }
  writeStamp();
  log(`dependencies installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// ---- the command -----------------------------------------------------------------------------------
if (args.length === 0) process.exit(0);

const pathKey = Object.keys(process.env).find((k) => k.toUpperCase() === "PATH") ?? "PATH";
const env = {
  ...process.env,
  [pathKey]: [join(nodeModules, ".bin"), process.env[pathKey]].filter(Boolean).join(delimiter),
  TURBO_TELEMETRY_DISABLED: "1",
};
const [cmd, ...cmdArgs] = args;
if (quiet) log(`${args.join(" ")} (output shown only if it fails)…`);
const result = exec(cmd, cmdArgs, { capture: quiet, env });
if (result.status !== 0) {
  if (quiet) process.stderr.write(result.output);
  fail(`\`${args.join(" ")}\` failed (${result.error?.message ?? `exit ${result.status ?? `signal ${result.signal}`}`})`);
}
