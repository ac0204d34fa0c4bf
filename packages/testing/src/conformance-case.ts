/**
 * The shape of a conformance case and a tiny registry the case files add to.
 *
 * @module
 */
import type { Backend } from "@anyio/core";

/**
 * One named rule of the contract, checked against a backend. `run` throws (an
 * `AssertionError` or the unexpected error) when the backend breaks the rule.
 */
export interface ConformanceCase {
  /** The section of the contract, e.g. `"cancel scopes"`. */
  readonly group: string;
  /** The rule as a sentence, e.g. `"a shield blocks outer cancellation"`. */
  readonly name: string;
  /** Checks the rule on a fresh backend from the factory. */
  readonly run: (makeBackend: () => Backend) => Promise<void>;
  /** Real time the case may take on a real-clock backend, in ms (default 2 000). */
  readonly timeout?: number;
}

/**
 * Declares a list of cases under one group name.
 *
 * @example
 * ```ts
 * const myCases = defineCases("my backend extras", {
 *   "the clock starts at zero": async (makeBackend) => {
 *     const t = await run(() => currentTime(), { backend: makeBackend() });
 *     assertEqual(t, 0);
 *   },
 * });
 * await runConformance(() => myBackend(), { cases: [...conformanceCases, ...myCases] });
 * ```
 */
export function defineCases(group: string, cases: Record<string, ConformanceCase["run"]>): ConformanceCase[] {
  return Object.entries(cases).map(([name, run]) => ({ group, name, run }));
}
