#!/usr/bin/env node
/**
 * Fails when a public export of @anyio/core, backend-native, backend-strict, sync, testing, net,
 * fs, process or worker lacks TSDoc, and lists top-level functions, classes and constants whose
 * TSDoc has no `@example` (the house style: an example on every export).
 *
 *   node tools/check-tsdoc.mjs            undocumented exports fail; missing examples fail too
 *   node tools/check-tsdoc.mjs --no-examples   only undocumented exports fail
 *
 * It runs TypeDoc's own `validation.notDocumented` over each package's `src/index.ts` (the
 * same reflection tree that `pnpm docs` publishes), with warnings treated as errors, so what
 * it checks is exactly what the API site shows.
 *
 * Members a package inherits from another one (e.g. `extra()` on @anyio/sync's streams, from
 * @anyio/core's `AsyncResourceBase`) are read from that package's built `.d.ts`, so run
 * `pnpm build` first (CI does); the script refuses to run without core's build.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Application, LogLevel, ReflectionKind } from "typedoc";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const CHECKED_PACKAGES = ["core", "backend-native", "backend-strict", "sync", "testing", "net", "fs", "process", "worker"];
const requireExamples = !process.argv.includes("--no-examples");

if (!existsSync(join(root, "packages/core/dist/index.d.ts"))) {
  console.error("check-tsdoc: packages/core/dist is missing; run `pnpm build` first");
  process.exit(1);
}

const app = await Application.bootstrapWithPlugins(
  {
    entryPointStrategy: "packages",
    entryPoints: CHECKED_PACKAGES.map((p) => join(root, "packages", p)),
    packageOptions: {
      entryPoints: ["src/index.ts"],
      tsconfig: "tsconfig.json",
      skipErrorChecking: true,
      excludePrivate: true,
      excludeInternal: true,
      disableSources: true,
    },
    packagesRequiringDocumentation: CHECKED_PACKAGES.map((p) => `@anyio/${p}`),
    skipErrorChecking: true,
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true,
    readme: "none",
    logLevel: LogLevel.Warn,
    validation: { notDocumented: true, notExported: false, invalidLink: false, rewrittenLink: false, unusedMergeModuleWith: false },
    treatValidationWarningsAsErrors: true,
  },
  [],
);
const project = await app.convert();
if (!project) {
  console.error("check-tsdoc: TypeDoc could not convert the packages (see above)");
  process.exit(1);
}
// Only the documentation check decides; conversion notes (e.g. an internal type named in a
// signature) are TypeDoc's business, not this check's.
const undocumented = [];
const validationWarning = app.logger.validationWarning.bind(app.logger);
app.logger.validationWarning = (message) => {
  undocumented.push(message);
  validationWarning(message);
};
app.validate(project);
let failed = undocumented.length > 0;
if (failed) console.error(`check-tsdoc error: ${undocumented.length} public declaration(s) have no TSDoc (listed above)`);

const TOP_LEVEL = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Variable;
const noExample = [];
for (const pkg of project.children ?? []) {
  for (const child of pkg.children ?? []) {
    if (!child.kindOf(TOP_LEVEL)) continue;
    const comments = [child.comment, ...(child.signatures ?? []).map((s) => s.comment)].filter(Boolean);
    if (!comments.some((c) => c.blockTags.some((t) => t.tag === "@example"))) noExample.push(`${pkg.name}: ${child.name}`);
  }
}
if (noExample.length > 0) {
  const label = requireExamples ? "error" : "note";
  console.error(`check-tsdoc ${label}: ${noExample.length} exported function(s)/class(es)/constant(s) have TSDoc without an @example:`);
  for (const name of noExample) console.error(`  ${name}`);
  if (requireExamples) failed = true;
}
if (failed) {
  console.error("check-tsdoc: FAILED");
  process.exit(1);
}
console.log(`check-tsdoc: every public export of ${CHECKED_PACKAGES.map((p) => `@anyio/${p}`).join(", ")} has TSDoc${requireExamples ? " with an example" : ""}`);
