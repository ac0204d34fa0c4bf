/**
 * Builds the packages, packs each publishable one (`pnpm pack`, which also rewrites
 * `workspace:*` to real versions, as a publish would) and installs the tarballs into a fresh
 * consumer project with npm, exactly as a user would.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { log, mustExec, repoRoot, seconds } from "./util.mjs";

const bin = (name) => join(repoRoot, "node_modules", ".bin", name);

/** Every package under packages/ that is published (not private), with its directory. */
export function publishablePackages() {
  const dir = join(repoRoot, "packages");
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, "package.json")))
    .map((d) => ({ dir: join(dir, d), short: d, manifest: JSON.parse(readFileSync(join(dir, d, "package.json"), "utf8")) }))
    .filter((p) => p.manifest.private !== true)
    .map((p) => ({ ...p, name: p.manifest.name, hasExports: hasExports(p.dir) }));
}

/**
 * True when the package's `src/index.ts` exports something (packages still being written have
 * `export {};` only and get no smoke program yet).
 */
function hasExports(dir) {
  const file = join(dir, "src", "index.ts");
  if (!existsSync(file)) return false;
  const src = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  return /\bexport\s+(?:\*|\{\s*[\w*]|(?:async\s+)?(?:function|class|const|let|var|enum|abstract)\b)/.test(src);
}

/** `turbo run build` for every package (cached by turbo when nothing changed). */
export async function buildPackages() {
  const r = await mustExec(bin("turbo"), ["run", "build", "--filter=./packages/*", "--output-logs=errors-only"], {
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    timeoutMs: 900_000,
  });
  log(`built the packages (${seconds(r.ms)})`);
}

/**
 * Packs `packages` into `<dir>/tarballs` and installs them into `<dir>` (a consumer project
 * with a package.json of its own). Returns the consumer directory.
 */
export async function createConsumer(packages, dir = mkdtempSync(join(tmpdir(), "anyio-portability-"))) {
  const started = Date.now();
  const tarballs = join(dir, "tarballs");
  mkdirSync(tarballs, { recursive: true });
  const deps = {};
  await Promise.all(
    packages.map(async (p) => {
      const r = await mustExec(bin("pnpm"), ["pack", "--pack-destination", tarballs], { cwd: p.dir });
      const file = r.out.trim().split("\n").filter((l) => l.endsWith(".tgz")).pop();
      if (file === undefined) throw new Error(`pnpm pack printed no tarball for ${p.name}:\n${r.out}`);
      deps[p.name] = `file:./tarballs/${file.split("/").pop()}`;
    }),
  );
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "anyio-consumer", private: true, dependencies: deps }, null, 2)}\n`);
  // --prefer-offline: the tarballs are local and have no third-party runtime dependencies.
  await mustExec("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefer-offline"], { cwd: dir });
  log(`packed ${packages.length} packages and npm-installed the tarballs into ${dir} (${seconds(Date.now() - started)})`);
  return dir;
}

export function removeConsumer(dir) {
  rmSync(dir, { recursive: true, force: true });
}
