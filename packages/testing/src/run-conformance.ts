/**
 * Runs the conformance suite against a backend without any test framework.
 *
 * @module
 */
import type { Backend } from "@anyio/core";
import type { ConformanceCase } from "./conformance-case.js";
import { conformanceCases } from "./conformance/index.js";

/** Outcome of one case. */
export interface CaseResult {
  /** The case's group, e.g. `"cancel scopes"`. */
  readonly group: string;
  /** The rule the case checks, as a sentence. */
  readonly name: string;
  /** Whether the backend kept the rule. */
  readonly ok: boolean;
  /** What the case threw, when it failed. */
  readonly error?: unknown;
  /** How long the case took, in real milliseconds. */
  readonly ms: number;
}

/** Options of {@link runConformance}. */
export interface RunConformanceOptions {
  /** Only cases whose `group › name` contains this text (or matches this RegExp). */
  filter?: string | RegExp;
  /** Called after each case, e.g. to print progress. */
  onResult?: (result: CaseResult) => void;
  /** The cases to run; defaults to the whole suite. */
  cases?: readonly ConformanceCase[];
}

/**
 * Runs every conformance case against backends made by `makeBackend`, one after another, and
 * resolves with the results (it never throws because a case failed — inspect `failed`).
 * This is the one call a third-party backend author needs.
 *
 * @example
 * ```ts
 * import { runConformance } from "@anyio/testing";
 * import { myBackend } from "./my-backend.js";
 *
 * const report = await runConformance(() => myBackend(), { onResult: (r) => console.log(r.ok ? "✓" : "✗", r.name) });
 * if (report.failed.length > 0) process.exit(1);
 * ```
 */
export async function runConformance(
  makeBackend: () => Backend,
  options: RunConformanceOptions = {},
): Promise<{
  /** Every case's result, in the order run. */
  results: CaseResult[];
  /** The results with `ok: true`. */
  passed: CaseResult[];
  /** The results with `ok: false`. */
  failed: CaseResult[];
}> {
  if (typeof makeBackend !== "function") throw new TypeError("runConformance(): makeBackend must be a function returning a Backend");
  const { filter } = options;
  const cases = (options.cases ?? conformanceCases).filter((c) => {
    if (filter === undefined) return true;
    const title = `${c.group} › ${c.name}`;
    return typeof filter === "string" ? title.includes(filter) : filter.test(title);
  });
  const results: CaseResult[] = [];
  for (const c of cases) {
    const started = Date.now();
    let result: CaseResult;
    try {
      await c.run(makeBackend);
      result = { group: c.group, name: c.name, ok: true, ms: Date.now() - started };
    } catch (error) {
      result = { group: c.group, name: c.name, ok: false, error, ms: Date.now() - started };
    }
    results.push(result);
    options.onResult?.(result);
  }
  return { results, passed: results.filter((r) => r.ok), failed: results.filter((r) => !r.ok) };
}
