import {
  Cancelled,
  CancelScope,
  awaitCancellable,
  isCancelled,
  run,
  withTaskGroup,
} from "@anyio/core";
import { BrokenWorkerError, NoEventLoopError, WorkerPool, fromWorker, runInWorker, type WorkerLimiter } from "@anyio/worker";
import { nativeBackend } from "@anyio/backend-native";
import { describeEachBackend } from "@anyio/testing/vitest";
import { afterAll, expect, it } from "vitest";

const TASKS = new URL("./fixtures/tasks.mjs", import.meta.url);
const pools: WorkerPool[] = [];
function pool(options?: ConstructorParameters<typeof WorkerPool>[0]): WorkerPool {
  const p = new WorkerPool(options);
  pools.push(p);
  return p;
}
afterAll(async () => {
  await run(async () => {
    for (const p of pools) await p.aclose();
  }, { backend: nativeBackend() });
});

/** A real sleep on the host, as an external wait. */
const realSleep = (ms: number) => awaitCancellable(new Promise((r) => setTimeout(r, ms)));

describeEachBackend("runInWorker", ({ run }) => {
  it("runs an exported function in a worker thread with structured-clone data", () =>
    run(async () => {
      expect(await runInWorker(TASKS, "add", [2, 3])).toBe(5);
      const res = await runInWorker<{ doubled: number; when: Date; bytes: Uint8Array }>(TASKS.href, "asyncDouble", [21]);
      expect(res.doubled).toBe(42);
      expect(res.when).toBeInstanceOf(Date);
      expect(Array.from(res.bytes)).toEqual([21]);
      const tid = await runInWorker<number>(TASKS, "whoAmI");
      expect(tid).toBeGreaterThan(0);
      // An absolute path works as well as a URL.
      expect(await runInWorker(TASKS.pathname, "add", [1, 1])).toBe(2);
    }));

  it("reuses an idle worker for the next call", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      const a = await p.run<number>(TASKS, "whoAmI");
      const b = await p.run<number>(TASKS, "whoAmI");
      expect(b).toBe(a);
      expect(p.statistics()).toEqual({ idle: 1, busy: 0, availableTokens: 1 });
    }));

  it("an error thrown in the worker surfaces with its class, name, message, fields and stack", () =>
    run(async () => {
      const custom = (await runInWorker(TASKS, "throwsCustom").catch((e: unknown) => e)) as Error & { code: string; details: unknown };
      expect(custom).toBeInstanceOf(Error);
      expect(custom.name).toBe("CustomError");
      expect(custom.message).toBe("custom failure");
      expect(custom.code).toBe("E_CUSTOM");
      expect(custom.details).toEqual({ retry: false });
      expect(custom.stack).toContain("tasks.mjs");
      expect(custom.stack).toContain("throwsCustom");
      expect(custom.cause).toBeInstanceOf(RangeError);
      const typed = (await runInWorker(TASKS, "throwsWithCause").catch((e: unknown) => e)) as TypeError;
      expect(typed).toBeInstanceOf(TypeError);
      expect((typed.cause as Error).message).toBe("inner");
      await expect(runInWorker(TASKS, "throwsString")).rejects.toBe("just a string");
    }));

  it("a missing export or module is an error from the call; the worker stays usable", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      await expect(p.run(TASKS, "noSuchExport")).rejects.toThrow(/has no exported function "noSuchExport"/);
      await expect(p.run(new URL("./fixtures/missing.mjs", import.meta.url), "x")).rejects.toMatchObject({ code: "ERR_MODULE_NOT_FOUND" });
      expect(await p.run(TASKS, "add", [1, 2])).toBe(3);
    }));

  it("bad arguments are TypeErrors and leave the slot free", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      await expect(p.run("relative/path.mjs", "x")).rejects.toThrow(/absolute URL/);
      await expect(p.run(TASKS, 5 as unknown as string)).rejects.toThrow(TypeError);
      await expect(p.run(TASKS, "add", "nope" as unknown as unknown[])).rejects.toThrow(/args must be an array/);
      await expect(p.run(TASKS, "add", [], { cancellation: "abandon" as "wait" })).rejects.toThrow(/cancellation/);
      // Arguments that cannot be cloned fail before anything runs.
      await expect(p.run(TASKS, "add", [() => 1])).rejects.toThrow(/could not be cloned/);
      expect(p.statistics().availableTokens).toBe(1);
      // A result that cannot be cloned comes back as a TypeError.
      await expect(p.run(TASKS, "returnsFunction")).rejects.toThrow(/could not be sent to the host/);
      expect(await p.run(TASKS, "add", [2, 2])).toBe(4);
      expect(() => new WorkerPool({ maxWorkers: 0 })).toThrow(RangeError);
    }));

  it("a worker that exits mid-call gives BrokenWorkerError and is replaced", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      const before = await p.run<number>(TASKS, "whoAmI");
      const err = await p.run(TASKS, "exits").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokenWorkerError);
      expect((err as Error).message).toMatch(/exited with code 3/);
      const after = await p.run<number>(TASKS, "whoAmI");
      expect(after).not.toBe(before);
      expect(p.statistics()).toEqual({ idle: 1, busy: 0, availableTokens: 1 });
    }));

  it("an uncaught error in the worker gives BrokenWorkerError with the error as cause", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      const err = (await p.run(TASKS, "crashesLater").catch((e: unknown) => e)) as BrokenWorkerError;
      expect(err).toBeInstanceOf(BrokenWorkerError);
      expect((err.cause as Error).message).toBe("async boom");
      expect(await p.run(TASKS, "add", [1, 2])).toBe(3);
    }));

  it("the worker calls host handlers with fromWorker.run(); handler errors come back to it", () =>
    run(async () => {
      const res = await runInWorker(TASKS, "callsBack", [21], {
        handlers: {
          double: async (x: number) => {
            await realSleep(1);
            return x * 2;
          },
          fail: () => {
            throw Object.assign(new Error("host says no"), { code: "E_HOST" });
          },
        },
      });
      expect(res).toEqual({
        doubled: 42,
        failure: { name: "Error", message: "host says no", code: "E_HOST" },
        missing: expect.stringMatching(/no handler named "nope"/),
      });
    }));

  it("cancellation (default 'wait'): the call finishes, sees checkCancelled() throw, then Cancelled is raised", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      const scope = new CancelScope();
      let error: unknown;
      let tid = 0;
      await scope.run(async () => {
        try {
          await p.run(TASKS, "spinsUntilCancelled", [], {
            handlers: {
              started: (id: number) => {
                tid = id;
                scope.cancel();
              },
            },
          });
        } catch (err) {
          error = err;
          throw err;
        }
      });
      expect(error).toBeInstanceOf(Cancelled);
      expect(scope.cancelledCaught).toBe(true);
      // The same worker ran to the end of the call and is idle again, not replaced.
      expect(p.statistics()).toEqual({ idle: 1, busy: 0, availableTokens: 1 });
      expect(await p.run<number>(TASKS, "whoAmI")).toBe(tid);
    }));

  it("cancellation (default 'wait') waits for a call that ignores it", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      const scope = new CancelScope();
      let finishedBeforeRaise = false;
      await scope.run(async () => {
        try {
          await p.run(TASKS, "ignoresCancellation", [50], { handlers: { started: () => scope.cancel() } });
        } catch (err) {
          // By the time Cancelled arrives, the worker is idle: the call ran to its end.
          finishedBeforeRaise = isCancelled(err) && p.statistics().busy === 0;
          throw err;
        }
      });
      expect(finishedBeforeRaise).toBe(true);
    }));

  it("cancellation 'terminate' stops a tight loop at once, frees the slot, and replaces the worker", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      const scope = new CancelScope();
      let tid = 0;
      await scope.run(() =>
        p.run(TASKS, "spinsForever", [], {
          cancellation: "terminate",
          handlers: {
            started: (id: number) => {
              tid = id;
              scope.cancel();
            },
          },
        }),
      );
      expect(scope.cancelledCaught).toBe(true);
      expect(p.statistics()).toEqual({ idle: 0, busy: 0, availableTokens: 1 });
      const next = await p.run<number>(TASKS, "whoAmI");
      expect(next).not.toBe(tid);
    }));

  it("a foreign AbortSignal aborts with its reason", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      const controller = new AbortController();
      const reason = new Error("user aborted");
      const err = await p
        .run(TASKS, "spinsForever", [], {
          cancellation: "terminate",
          signal: controller.signal,
          handlers: { started: () => controller.abort(reason) },
        })
        .catch((e: unknown) => e);
      expect(err).toBe(reason);
      expect(p.statistics().availableTokens).toBe(1);
    }));

  it("a cancelled wait for a slot holds nothing", () =>
    run(async () => {
      const p = pool({ maxWorkers: 1 });
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(() => p.run(TASKS, "add", [1, 2]));
      expect(scope.cancelledCaught).toBe(true);
      expect(p.statistics()).toEqual({ idle: 0, busy: 0, availableTokens: 1 });
    }));

  it("the pool's limiter bounds concurrent calls", () =>
    run(async () => {
      const p = pool({ maxWorkers: 2 });
      let active = 0;
      let maxActive = 0;
      const threads = new Set<number>();
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 6; i++) {
          tg.startSoon(async () => {
            const tid = await p.run<number>(TASKS, "tracked", [15], {
              handlers: {
                enter: async () => {
                  active++;
                  maxActive = Math.max(maxActive, active);
                  // Hold the call until a second one is in (a worker thread may still be
                  // starting): proves two run at once; the limiter must keep out a third.
                  for (let i = 0; i < 100 && active < 2; i++) await realSleep(5);
                },
                leave: () => void active--,
              },
            });
            threads.add(tid);
          });
        }
      });
      expect(maxActive).toBe(2);
      expect(threads.size).toBe(2);
      expect(p.statistics()).toEqual({ idle: 2, busy: 0, availableTokens: 2 });
    }));

  it("accepts any { acquire, release } limiter", () =>
    run(async () => {
      const calls: string[] = [];
      let tokens = 1;
      const limiter: WorkerLimiter = {
        async acquire() {
          calls.push("acquire");
          while (tokens === 0) await realSleep(1);
          tokens--;
        },
        release() {
          calls.push("release");
          tokens++;
        },
      };
      const p = pool({ maxWorkers: 8 });
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => p.run(TASKS, "add", [1, 1], { limiter }));
        tg.startSoon(() => p.run(TASKS, "add", [1, 1], { limiter }));
      });
      expect(calls.filter((c) => c === "acquire")).toHaveLength(2);
      expect(calls.filter((c) => c === "release")).toHaveLength(2);
      // One token: the second call reused the first call's worker.
      expect(p.statistics().idle).toBe(1);
    }));

  it("idle workers are reaped after idleTimeout", () =>
    run(async () => {
      const p = pool({ idleTimeout: 30 });
      await p.run(TASKS, "add", [1, 2]);
      expect(p.statistics().idle).toBe(1);
      for (let i = 0; i < 100 && p.statistics().idle > 0; i++) await realSleep(10);
      expect(p.statistics().idle).toBe(0);
      expect(await p.run(TASKS, "add", [1, 2])).toBe(3);
    }));

  it("a closed pool refuses calls", () =>
    run(async () => {
      const p = new WorkerPool();
      await p.run(TASKS, "add", [1, 2]);
      await p.aclose();
      expect(p.statistics().idle).toBe(0);
      await expect(p.run(TASKS, "add", [1, 2])).rejects.toThrow(/closed/);
    }));

  it("fromWorker outside a worker throws NoEventLoopError", () =>
    run(async () => {
      expect(() => fromWorker.checkCancelled()).toThrow(NoEventLoopError);
      expect(() => fromWorker.run("x")).toThrow(NoEventLoopError);
    }));
});

describeEachBackend(
  "runInWorker parallelism",
  ({ run }) => {
    // The one wall-clock assertion the issue asks for: two ~200 ms busy loops in two workers
    // take < 350 ms on two cores. The cores are shared with other test processes on this
    // machine, so a slow attempt is retried (up to 5 times) before the test fails.
    it("two CPU-bound calls run in parallel on two workers", () =>
      run(async () => {
        const p = pool({ maxWorkers: 2 });
        // Warm up two workers so thread start-up is not measured.
        await withTaskGroup(async (tg) => {
          tg.startSoon(() => p.run(TASKS, "busy", [20]));
          tg.startSoon(() => p.run(TASKS, "busy", [20]));
        });
        const attempts: number[] = [];
        for (let attempt = 0; attempt < 5; attempt++) {
          const ids = new Set<number>();
          const start = performance.now();
          await withTaskGroup(async (tg) => {
            for (let i = 0; i < 2; i++) {
              tg.startSoon(async () => {
                const r = await p.run<{ threadId: number }>(TASKS, "busy", [200]);
                ids.add(r.threadId);
              });
            }
          });
          const wall = performance.now() - start;
          attempts.push(Math.round(wall));
          expect(ids.size).toBe(2);
          if (wall < 350) break;
        }
        expect(attempts.at(-1), `wall times of the attempts: ${attempts.join(", ")} ms`).toBeLessThan(350);
      }));
  },
  [{ name: "native", make: () => nativeBackend() }],
);


