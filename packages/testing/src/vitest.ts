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
import { isClean, LeakError, LeakWatch } from "./leak-check.js";

/** What {@link describeEachBackend} hands each block. */
export interface BackendTestKit extends BackendUnderTest {
  /**
   * `run(main)` on a fresh backend of this kind (options such as `context` pass through), then
   * a leak check: once the run settled, no task of it may be alive and no timer, socket,
   * server, child process, DNS request or open file that appeared during it may remain
   * (Node; see `leak-check.ts`). A leak fails with a {@link LeakError} (its `cause` is the
   * run's own error, if it failed too). Pass `{ leakCheck: false }` to skip the check.
   */
  run<T>(main: (cx: TaskContext) => T | PromiseLike<T>, options?: Omit<RunOptions, "backend"> & KitRunOptions): Promise<T>;
}

/** Options of {@link BackendTestKit.run} beyond `run()`'s own. */
export interface KitRunOptions {
  /** `false` skips the leak check (for a test that leaves something behind on purpose). */
  leakCheck?: boolean;
}

/**
 * `run(main, { backend: make() })` followed by the leak check of {@link BackendTestKit.run}.
 *
 * @example
 * ```ts
 * await runChecked(() => nativeBackend(), async () => { await sleep(1); });
 * ```
 */
export async function runChecked<T>(
  make: () => Backend,
  main: (cx: TaskContext) => T | PromiseLike<T>,
  options?: Omit<RunOptions, "backend"> & KitRunOptions,
): Promise<T> {
  const { leakCheck = true, ...runOptions } = options ?? {};
  if (!leakCheck) return run(main, { ...runOptions, backend: make() });
  const watch = await LeakWatch.start();
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await run(main, { ...runOptions, backend: watch.backend(make()) }) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const report = await watch.check();
  if (!isClean(report)) throw new LeakError(report, outcome.ok ? undefined : { cause: outcome.error });
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
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
        run: (main, options) => runChecked(b.make, main, options),
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
        for (const c of list) {
          it(
            c.name,
            async () => {
              // The case makes its own runs: watch every backend it makes.
              const watch = await LeakWatch.start();
              let failure: { error: unknown } | null = null;
              try {
                await c.run(() => watch.backend(makeBackend()));
              } catch (error) {
                failure = { error };
              }
              const report = await watch.check();
              if (!isClean(report)) throw new LeakError(report, failure === null ? undefined : { cause: failure.error });
              if (failure !== null) throw failure.error;
            },
            c.timeout ?? 10_000,
          );
        }
      });
    }
  });
}
