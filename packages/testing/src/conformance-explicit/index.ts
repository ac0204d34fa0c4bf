/**
 * The explicit-context conformance suite: every case passes its context explicitly and runs
 * with `run(main, { context: "explicit" })`, so it holds on hosts without AsyncLocalStorage
 * (browsers) as well as on Node, Deno and Bun.
 *
 * @module
 */
import type { ConformanceCase } from "../conformance-case.js";
import { explicitCancelScopeCases } from "./cancel-scopes.js";
import { explicitCheckpointCases } from "./checkpoints-and-time.js";
import { explicitRunCases } from "./run-and-context.js";
import { explicitTaskGroupCases } from "./task-groups.js";

/**
 * The conformance cases in explicit-context form (the twins of `conformanceCases`), for
 * browsers and for code that runs with `context: "explicit"`.
 *
 * @example
 * ```ts
 * import { explicitConformanceCases, runConformance } from "@anyio/testing";
 * import { nativeBackend } from "@anyio/backend-native";
 *
 * const report = await runConformance(() => nativeBackend(), { cases: explicitConformanceCases });
 * console.log(`${report.passed.length}/${report.results.length} passed`);
 * ```
 */
export const explicitConformanceCases: readonly ConformanceCase[] = [
  ...explicitCancelScopeCases,
  ...explicitTaskGroupCases,
  ...explicitCheckpointCases,
  ...explicitRunCases,
];
