/**
 * Cancellation latency: N tasks sleep forever inside try/finally; once all are parked, the
 * clock starts, the group is cancelled, and it stops when the group has exited (every
 * `finally` ran). Setup is not timed: each variant returns its own { ms }.
 * Floor: N async functions awaiting a promise that one AbortSignal's listeners reject.
 */
import { performance } from "node:perf_hooks";
import { checkpoint, createTaskGroup, run, sleepForever } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { Effect, Fiber } from "effect";

function check(count, n) {
  if (count !== n) throw new Error(`only ${count} of ${n} finally blocks ran`);
}

export const variants = {
  raw: async (n) => {
    const ac = new AbortController();
    let done = 0;
    const sleeper = async () => {
      try {
        await new Promise((_, reject) => ac.signal.addEventListener("abort", () => reject(ac.signal.reason), { once: true }));
      } catch {
        // cancelled, as expected
      } finally {
        done++;
      }
    };
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = sleeper();
    await new Promise((r) => setImmediate(r));
    const t0 = performance.now();
    ac.abort();
    await Promise.all(all);
    const ms = performance.now() - t0;
    check(done, n);
    return { ms };
  },
  ours: async (n) => {
    let ms = 0;
    let done = 0;
    await run(
      async (cx) => {
        let parked = 0;
        const tg = createTaskGroup();
        let t0 = 0;
        await tg.run(async () => {
          const sleeper = async (tcx) => {
            parked++;
            try {
              await sleepForever(tcx);
            } finally {
              done++;
            }
          };
          for (let i = 0; i < n; i++) tg.startSoon(sleeper);
          while (parked < n) await checkpoint(cx);
          await checkpoint(cx);
          t0 = performance.now();
          tg.cancel();
        }, cx);
        ms = performance.now() - t0;
      },
      { backend: nativeBackend(), context: "explicit" },
    );
    check(done, n);
    return { ms };
  },
  effect: async (n) => {
    let done = 0;
    const ms = await Effect.runPromise(
      Effect.gen(function* () {
        const sleeper = Effect.never.pipe(Effect.ensuring(Effect.sync(() => void done++)));
        const fibers = new Array(n);
        for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(sleeper);
        yield* Effect.yieldNow;
        yield* Effect.yieldNow;
        const t0 = performance.now();
        yield* Fiber.interruptAll(fibers);
        return performance.now() - t0;
      }),
    );
    check(done, n);
    return { ms };
  },
};
