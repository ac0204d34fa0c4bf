/**
 * vitest helpers: run a `describe` block once per backend (AnyIO's pytest parametrisation, the
 * vitest way), and register the conformance suite as vitest tests.
 *
 * @module
 */
import { type Backend, run, type RunOptions, type TaskContext } from "@anyio/core";
import { describe, it } from "vitest";
import { type BackendUnderTest, standardBackends } from "./backends.js";
import type { ConformanceCase } from "./conformance-case.js";
import { conformanceCases } from "./conformance/index.js";

/** What {@link describeEachBackend} hands each block. */
export interface BackendTestKit extends BackendUnderTest {
  /** `run(main)` on a fresh backend of this kind (options such as `context` pass through). */
  run<T>(main: (cx: TaskContext) => T | PromiseLike<T>, options?: Omit<RunOptions, "backend">): Promise<T>;
}

/**
 * Declares `body` once per backend, inside `describe("<title> [<backend>]")`.
 *
 * @example
 * ```ts
 * describeEachBackend("Event", ({ run }) => {
 *   it("wait() returns once set() is called", () =>
 *     run(async () => {
 *       const event = new Event();
 *       await withTaskGroup(async (tg) => {
 *         tg.startSoon(() => event.wait());
 *         event.set();
 *       });
 *     }));
 * });
 * ```
 */
export function describeEachBackend(
  title: string,
  body: (kit: BackendTestKit) => void,
  backends: readonly BackendUnderTest[] = standardBackends,
): void {
  for (const b of backends) {
    describe(`${title} [${b.name}]`, () => {
      body({
        name: b.name,
        make: b.make,
        run: (main, options) => run(main, { ...options, backend: b.make() }),
      });
    });
  }
}

/**
 * Registers every conformance case as a vitest test, for one backend factory.
 *
 * @example
 * ```ts
 * // my-backend.test.ts
 * import { conformanceTests } from "@anyio/testing/vitest";
 * conformanceTests("my-backend", () => myBackend());
 * ```
 */
export function conformanceTests(
  name: string,
  makeBackend: () => Backend,
  cases: readonly ConformanceCase[] = conformanceCases,
): void {
  const groups = new Map<string, ConformanceCase[]>();
  for (const c of cases) {
    const list = groups.get(c.group) ?? [];
    list.push(c);
    groups.set(c.group, list);
  }
  describe(`conformance [${name}]`, () => {
    for (const [group, list] of groups) {
      describe(group, () => {
        for (const c of list) it(c.name, () => c.run(makeBackend), c.timeout ?? 10_000);
      });
    }
  });
}
