/**
 * The whole conformance suite, in a stable order.
 *
 * @module
 */
import type { ConformanceCase } from "../conformance-case.js";
import { cancelScopeCases } from "./cancel-scopes.js";
import { checkpointCases } from "./checkpoints-and-time.js";
import { runCases } from "./run-and-context.js";
import { taskGroupCases } from "./task-groups.js";

/**
 * Every case a backend must pass, grouped by topic.
 *
 * @example
 * ```ts
 * const groups = new Set(conformanceCases.map((c) => c.group));
 * await runConformance(() => myBackend(), { cases: conformanceCases.filter((c) => c.group === "cancel scopes") });
 * ```
 */
export const conformanceCases: readonly ConformanceCase[] = [
  ...cancelScopeCases,
  ...taskGroupCases,
  ...checkpointCases,
  ...runCases,
];
