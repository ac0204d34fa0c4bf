/**
 * CapacityLimiter(10) over N tasks, each holding a token across one checkpoint, against
 * p-limit(10) (each task awaits a resolved promise) and Effect's Semaphore(10).
 * Floor: the raw spawn+join floor (N async functions awaiting a resolved promise).
 */
import { checkpoint, run, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { CapacityLimiter } from "@anyio/sync";
import { Effect, Semaphore } from "effect";
import pLimit from "p-limit";

const RESOLVED = Promise.resolve();
async function rawChild() {
  await RESOLVED;
}

export const variants = {
  raw: async (n) => {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = rawChild();
    await Promise.all(all);
  },
  limiter: (n) =>
    run(
      (cx) => {
        const limiter = new CapacityLimiter(10);
        const child = async (tcx) => {
          await limiter.acquire(tcx);
          try {
            await checkpoint(tcx);
          } finally {
            limiter.release(tcx);
          }
        };
        return withTaskGroup((tg) => {
          for (let i = 0; i < n; i++) tg.startSoon(child);
        }, cx);
      },
      { backend: nativeBackend(), context: "explicit" },
    ),
  pLimit: async (n) => {
    const limit = pLimit(10);
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = limit(rawChild);
    await Promise.all(all);
  },
  effectSemaphore: (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const sem = yield* Semaphore.make(10);
        const one = sem.withPermits(1)(Effect.yieldNow);
        const fibers = new Array(n);
        for (let i = 0; i < n; i++) fibers[i] = one;
        yield* Effect.all(fibers, { concurrency: "unbounded", discard: true });
      }),
    ),
};
