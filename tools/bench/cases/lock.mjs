/**
 * Lock rows. Uncontended: one task acquires and releases N times. Contended: 100 tasks each
 * acquire 1000 times with a synchronous critical section (N = 100 × 1000).
 * Floor: a bare microtask hop per acquire (the schedule point an acquire must contain).
 */
import { run, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { Lock } from "@anyio/sync";
import { Mutex } from "async-mutex";

const hop = (resolve) => queueMicrotask(resolve);
const WORKERS = 100;

function ours(fastAcquire) {
  return (n) =>
    run(
      async (cx) => {
        const lock = new Lock({ fastAcquire });
        for (let i = 0; i < n; i++) {
          await lock.acquire(cx);
          lock.release(cx);
        }
      },
      { backend: nativeBackend(), context: "explicit" },
    );
}

export const variants = {
  microtask: async (n) => {
    for (let i = 0; i < n; i++) await new Promise(hop);
  },
  lock: ours(false),
  lockFast: ours(true),
  asyncMutex: async (n) => {
    const m = new Mutex();
    for (let i = 0; i < n; i++) {
      const release = await m.acquire();
      release();
    }
  },
  contendedMicrotask: async (n) => {
    const per = n / WORKERS;
    const worker = async () => {
      for (let i = 0; i < per; i++) await new Promise(hop);
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
  },
  contendedLock: (n) =>
    run(
      (cx) => {
        const lock = new Lock();
        const per = n / WORKERS;
        let shared = 0;
        return withTaskGroup((tg) => {
          for (let w = 0; w < WORKERS; w++) {
            tg.startSoon(async (tcx) => {
              for (let i = 0; i < per; i++) {
                await lock.acquire(tcx);
                shared++;
                lock.release(tcx);
              }
            });
          }
        }, cx);
      },
      { backend: nativeBackend(), context: "explicit" },
    ),
  contendedAsyncMutex: async (n) => {
    const m = new Mutex();
    const per = n / WORKERS;
    let shared = 0;
    const worker = async () => {
      for (let i = 0; i < per; i++) {
        const release = await m.acquire();
        shared++;
        release();
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    if (shared !== n) throw new Error("lost updates");
  },
};
