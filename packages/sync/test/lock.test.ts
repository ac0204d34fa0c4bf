import { CancelScope, checkpoint, getCurrentTask, isCancelled, run, sleep, withTaskGroup, WouldBlock } from "@anyio/core";
import { Lock } from "@anyio/sync";
import { describeEachBackend } from "@anyio/testing/vitest";
import { describe, expect, it } from "vitest";
import { runCounting, startParked } from "./helpers.js";

describeEachBackend("Lock", ({ run, make }) => {
  it("acquire() hands the lock to waiters in FIFO order", () =>
    run(async () => {
      const lock = new Lock();
      const order: number[] = [];
      await lock.acquire();
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 5; i++) {
          await startParked(tg, () => lock.acquire(), async () => {
            order.push(i);
            await checkpoint();
            lock.release();
          });
        }
        expect(lock.statistics().tasksWaiting).toBe(5);
        lock.release();
      });
      expect(order).toEqual([0, 1, 2, 3, 4]);
      expect(lock.locked()).toBe(false);
    }));

  it("release() gives the lock straight to the first waiter: the releaser cannot barge back in", () =>
    run(async () => {
      const lock = new Lock();
      const log: string[] = [];
      await lock.acquire();
      await withTaskGroup(async (tg) => {
        const waiter = await startParked(tg, () => lock.acquire(), async () => {
          log.push("waiter");
          await checkpoint();
          lock.release();
        });
        lock.release();
        // Handed over already, before the waiter even resumed.
        expect(lock.locked()).toBe(true);
        expect(lock.statistics().owner?.id).not.toBe(getCurrentTask().id);
        expect(() => lock.acquireNowait()).toThrow(WouldBlock);
        await lock.acquire();
        log.push("releaser");
        lock.release();
        expect(waiter.outcome?.ok).toBe(true);
      });
      expect(log).toEqual(["waiter", "releaser"]);
    }));

  it("a waiter cancelled before the grant never acquires the lock", () =>
    run(async () => {
      const lock = new Lock();
      let acquiredByCancelled = false;
      await lock.acquire();
      await withTaskGroup(async (tg) => {
        const b = await startParked(tg, () => lock.acquire(), () => {
          acquiredByCancelled = true;
        });
        const c = await startParked(tg, () => lock.acquire(), () => lock.release());
        b.scope.cancel();
        expect(lock.statistics().tasksWaiting).toBe(1);
        lock.release();
        await sleep(1);
        expect(c.outcome?.ok).toBe(true);
      });
      expect(acquiredByCancelled).toBe(false);
      expect(lock.locked()).toBe(false);
    }));

  it("a waiter granted the lock but cancelled before it resumes throws Cancelled and passes the lock on", () =>
    run(async () => {
      const lock = new Lock();
      const holders: number[] = [];
      await lock.acquire();
      await withTaskGroup(async (tg) => {
        const b = await startParked(tg, () => lock.acquire(), () => {
          holders.push(getCurrentTask().id);
          lock.release();
        });
        const c = await startParked(tg, () => lock.acquire(), async () => {
          holders.push(getCurrentTask().id);
          expect(lock.statistics().owner?.id).toBe(getCurrentTask().id);
          await checkpoint();
          lock.release();
        });
        lock.release(); // grants to b
        b.scope.cancel(); // …which is cancelled before it resumes
        await sleep(1);
        expect(b.cancelled).toBe(true);
        expect(c.outcome?.ok).toBe(true);
      });
      expect(holders).toHaveLength(1); // only c held it: never both kept and passed
      expect(lock.locked()).toBe(false); // and never lost
    }));

  it("a granted-then-cancelled last waiter leaves the lock free", () =>
    run(async () => {
      const lock = new Lock();
      await lock.acquire();
      await withTaskGroup(async (tg) => {
        const b = await startParked(tg, () => lock.acquire());
        lock.release();
        b.scope.cancel();
        await sleep(1);
        expect(b.cancelled).toBe(true);
      });
      expect(lock.statistics()).toEqual({ locked: false, owner: null, tasksWaiting: 0 });
      lock.acquireNowait();
      lock.release();
    }));

  it("acquireNowait() cannot take a lock reserved for a woken waiter", () =>
    run(async () => {
      const lock = new Lock();
      await lock.acquire();
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await checkpoint(); // runs right after the release below, before the waiter resumes
          expect(() => lock.acquireNowait()).toThrow(WouldBlock);
        });
        await startParked(tg, () => lock.acquire(), () => lock.release());
        lock.release();
        expect(() => lock.acquireNowait()).toThrow(WouldBlock);
      });
    }));

  it("acquire() on a free lock is a cancel point: in a cancelled scope it throws and leaves the lock free", () =>
    run(async () => {
      const lock = new Lock({ fastAcquire: true });
      const scope = new CancelScope();
      scope.cancel();
      let error: unknown = null;
      await scope.run(async () => {
        error = await lock.acquire().catch((e: unknown) => e);
      });
      expect(isCancelled(error)).toBe(true);
      expect(lock.locked()).toBe(false);
    }));

  it("acquire() on a free lock is a schedule point; fastAcquire skips it only when uncontended", () =>
    runCounting(make, async (counter) => {
      const slow = new Lock();
      let before = counter.mine();
      await slow.acquire();
      expect(counter.mine() - before).toBe(1);
      slow.release();

      const fast = new Lock({ fastAcquire: true });
      before = counter.mine();
      await fast.acquire();
      expect(counter.mine() - before).toBe(0);
      fast.release();

      await withTaskGroup(async (tg) => {
        await startParked(tg, () => fast.acquire(), async () => {
          await sleep(1);
          fast.release();
        });
        before = counter.mine();
        await fast.acquire(); // contended: waits, which is a schedule point
        expect(counter.mine() - before).toBeGreaterThanOrEqual(1);
        fast.release();
      });
    }));

  it("acquireNowait() and release() never checkpoint, even in a cancelled scope", () =>
    runCounting(make, async (counter) => {
      const lock = new Lock();
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(() => {
        const before = counter.mine();
        lock.acquireNowait();
        expect(lock.locked()).toBe(true);
        lock.release();
        expect(counter.mine()).toBe(before);
      });
    }));

  it("release() by a task that does not hold the lock throws", () =>
    run(async () => {
      const lock = new Lock();
      expect(() => lock.release()).toThrow("The current task is not holding this lock");
      await withTaskGroup(async (tg) => {
        await lock.acquire();
        tg.startSoon(() => {
          expect(() => lock.release()).toThrow("The current task is not holding this lock");
        });
        await sleep(1);
        lock.release();
      });
    }));

  it("acquire() and acquireNowait() by the owner throw instead of deadlocking", () =>
    run(async () => {
      const lock = new Lock();
      await lock.acquire();
      await expect(lock.acquire()).rejects.toThrow("Attempted to acquire an already held Lock");
      expect(() => lock.acquireNowait()).toThrow("Attempted to acquire an already held Lock");
      lock.release();
    }));

  it("statistics() reports locked, owner and tasksWaiting", () =>
    run(async () => {
      const lock = new Lock();
      expect(lock.statistics()).toEqual({ locked: false, owner: null, tasksWaiting: 0 });
      await lock.acquire();
      const me = getCurrentTask();
      await withTaskGroup(async (tg) => {
        await startParked(tg, () => lock.acquire(), () => lock.release());
        expect(lock.statistics()).toEqual({ locked: true, owner: me, tasksWaiting: 1 });
        lock.release();
      });
    }));

  it("hold() returns a Disposable: `using` releases the lock when the block exits, also on throw", () =>
    run(async () => {
      const lock = new Lock();
      {
        using _ = await lock.hold();
        expect(lock.locked()).toBe(true);
      }
      expect(lock.locked()).toBe(false);
      await expect(
        (async () => {
          using _ = await lock.hold();
          throw new Error("boom");
        })(),
      ).rejects.toThrow("boom");
      expect(lock.locked()).toBe(false);
      const held = await lock.hold();
      held[Symbol.dispose]();
      held[Symbol.dispose](); // second dispose is a no-op, not a double release
      expect(lock.locked()).toBe(false);
    }));

  it("run(fn) holds the lock while fn runs and resolves with its value", () =>
    run(async () => {
      const lock = new Lock();
      let inside = 0;
      let maxInside = 0;
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 4; i++) {
          tg.startSoon(() =>
            lock.run(async () => {
              inside++;
              maxInside = Math.max(maxInside, inside);
              await sleep(1);
              inside--;
            }),
          );
        }
      });
      expect(maxInside).toBe(1);
      expect(await lock.run(() => 42)).toBe(42);
      await expect(lock.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
      expect(lock.locked()).toBe(false);
    }));

  it("a foreign AbortSignal aborts a waiting acquire() with its reason and the waiter leaves the queue", () =>
    run(async () => {
      const lock = new Lock();
      await lock.acquire();
      const controller = new AbortController();
      await withTaskGroup(async (tg) => {
        const b = await startParked(tg, () => lock.acquire({ signal: controller.signal }));
        controller.abort(new Error("gave up"));
        await sleep(1);
        expect(b.outcome).toEqual({ ok: false, error: new Error("gave up") });
        expect(lock.statistics().tasksWaiting).toBe(0);
        lock.release();
      });
      expect(lock.locked()).toBe(false);
      await expect(lock.acquire({ signal: AbortSignal.abort("no") })).rejects.toBe("no");
      expect(lock.locked()).toBe(false);
    }));
});

describe("Lock outside describeEachBackend", () => {
  it("is constructible outside run() and usable from several runs", async () => {
    const lock = new Lock();
    const { nativeBackend } = await import("@anyio/backend-native");
    for (let i = 0; i < 2; i++) {
      await run(async () => {
        await lock.run(() => checkpoint());
      }, { backend: nativeBackend() });
    }
    expect(lock.locked()).toBe(false);
  });

  it("works with explicit context (no ambient task): every call takes { signal }", async () => {
    const { nativeBackend } = await import("@anyio/backend-native");
    const lock = new Lock();
    await run(
      async (cx) => {
        await lock.acquire({ signal: cx.signal });
        expect(lock.statistics().owner?.id).toBe(cx.id);
        lock.release({ signal: cx.signal });
        using _ = await lock.hold({ signal: cx.signal });
      },
      { backend: nativeBackend(), context: "explicit" },
    );
    expect(lock.locked()).toBe(false);
  });
});
