/**
 * CapacityLimiter(10) over N tasks, each holding a token across one checkpoint, against
 * p-limit(10) (each task awaits a resolved promise) and Effect's Semaphore(10).
 * Floor: the raw spawn+join floor (N async functions awaiting a resolved promise).
 * rawSemaphore (a bound): N async functions that each take a permit of a hand-written promise
 * semaphore (no cancellation, no checks) — the row's shape as AnyIO has it, every task started
 * and parked until a permit frees, with nothing of ours in it.
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

/** The least a semaphore can do: a permit count and a FIFO of resolvers. */
class RawSemaphore {
  constructor(permits) {
    this.free = permits;
    this.waiters = [];
    this.head = 0;
  }
  acquire() {
    if (this.free > 0) {
      this.free--;
      return RESOLVED;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    if (this.head < this.waiters.length) {
      const resolve = this.waiters[this.head];
      this.waiters[this.head++] = undefined;
      resolve();
    } else {
      this.free++;
    }
  }
}

export const variants = {
  raw: async (n) => {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = rawChild();
    await Promise.all(all);
  },
  rawSemaphore: async (n) => {
    const semaphore = new RawSemaphore(10);
    const child = async () => {
      await semaphore.acquire();
      try {
        await RESOLVED;
      } finally {
        semaphore.release();
      }
    };
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = child();
    await Promise.all(all);
    if (semaphore.free !== 10) throw new Error(`the semaphore ended with ${semaphore.free} of 10 permits free`);
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
