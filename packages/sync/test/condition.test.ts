import { CancelScope, getCurrentTask, isCancelled, moveOnAfter, sleep, waitAllTasksBlocked, withTaskGroup } from "@anyio/core";
import { Condition, Lock } from "@anyio/sync";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { runCounting, startParked } from "./helpers.js";

const NOT_HOLDING = "The current task is not holding the underlying lock";

describeEachBackend("Condition", ({ run, make }) => {
  /** A child that acquires, waits once, records, releases; resolves once it is parked in wait(). */
  async function waitOnce(tg: Parameters<Parameters<typeof withTaskGroup>[0]>[0], cond: Condition, log: string[], name: string) {
    const handle = await startParked(tg, async () => {
      await cond.acquire();
      try {
        await cond.wait();
        log.push(name);
      } catch (err) {
        log.push(`${name} ${isCancelled(err) ? "cancelled" : "failed"} holding=${cond.statistics().lockStatistics.owner?.id === getCurrentTask().id}`);
        throw err;
      } finally {
        cond.release();
      }
    });
    await waitAllTasksBlocked();
    return handle;
  }

  it("notify() wakes waiters one at a time in FIFO order", () =>
    run(async () => {
      const cond = new Condition();
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        for (const name of ["a", "b", "c"]) await waitOnce(tg, cond, log, name);
        expect(cond.statistics().tasksWaiting).toBe(3);
        await cond.run(() => cond.notify());
        await waitAllTasksBlocked();
        expect(log).toEqual(["a"]);
        await cond.run(() => cond.notify(2));
      });
      expect(log).toEqual(["a", "b", "c"]);
    }));

  it("notifyAll() wakes every waiter", () =>
    run(async () => {
      const cond = new Condition();
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        for (const name of ["a", "b", "c"]) await waitOnce(tg, cond, log, name);
        await cond.run(() => cond.notifyAll());
      });
      expect(log).toEqual(["a", "b", "c"]);
      expect(cond.statistics()).toEqual({
        tasksWaiting: 0,
        lockStatistics: { locked: false, owner: null, tasksWaiting: 0 },
      });
    }));

  it("wait() releases the lock while waiting and holds it again when it returns", () =>
    run(async () => {
      const cond = new Condition();
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        await waitOnce(tg, cond, log, "a");
        expect(cond.locked()).toBe(false);
        await cond.acquire();
        cond.notify();
        await sleep(1);
        expect(log).toEqual([]); // woken, but cannot return before it has the lock back
        cond.release();
      });
      expect(log).toEqual(["a"]);
    }));

  it("a waiter cancelled while waiting re-acquires the lock (shielded) before Cancelled propagates", () =>
    run(async () => {
      const cond = new Condition();
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        const a = await waitOnce(tg, cond, log, "a");
        await cond.acquire();
        a.scope.cancel();
        await sleep(1);
        expect(log).toEqual([]); // still blocked on the lock, cancellation notwithstanding
        expect(cond.statistics().lockStatistics.tasksWaiting).toBe(1);
        cond.release();
      });
      expect(log).toEqual(["a cancelled holding=true"]);
      expect(cond.locked()).toBe(false);
    }));

  it("a notification aimed at a waiter cancelled before it resumes passes to the next waiter", () =>
    run(async () => {
      const cond = new Condition();
      const log: string[] = [];
      await moveOnAfter(1_000).run(() =>
        withTaskGroup(async (tg) => {
          const a = await waitOnce(tg, cond, log, "a");
          await waitOnce(tg, cond, log, "b");
          await cond.run(() => {
            cond.notify(); // aimed at a…
            a.scope.cancel(); // …which is cancelled before it resumes
          });
        }),
      );
      expect(log).toEqual(["a cancelled holding=true", "b"]);
    }));

  it("notify() skips waiters cancelled before it", () =>
    run(async () => {
      const cond = new Condition();
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        const a = await waitOnce(tg, cond, log, "a");
        await waitOnce(tg, cond, log, "b");
        a.scope.cancel();
        await waitAllTasksBlocked();
        expect(cond.statistics().tasksWaiting).toBe(1);
        await cond.run(() => cond.notify());
      });
      expect(log).toEqual(["a cancelled holding=true", "b"]);
    }));

  it("wait() is a cancel point: in a cancelled scope it throws before releasing the lock", () =>
    run(async () => {
      const cond = new Condition();
      await cond.acquire();
      const scope = new CancelScope();
      scope.cancel();
      let error: unknown;
      await scope.run(async () => {
        error = await cond.wait().catch((e: unknown) => e);
      });
      expect(isCancelled(error)).toBe(true);
      expect(cond.statistics().lockStatistics.owner?.id).toBe(getCurrentTask().id);
      expect(cond.statistics().tasksWaiting).toBe(0);
      cond.release();
    }));

  it("notify(), notifyAll(), wait() and waitFor() without holding the lock throw", () =>
    run(async () => {
      const cond = new Condition();
      expect(() => cond.notify()).toThrow(NOT_HOLDING);
      expect(() => cond.notifyAll()).toThrow(NOT_HOLDING);
      await expect(cond.wait()).rejects.toThrow(NOT_HOLDING);
      await expect(cond.waitFor(() => true)).rejects.toThrow(NOT_HOLDING);
      expect(() => cond.release()).toThrow("The current task is not holding this lock");
    }));

  it("waitFor() returns the predicate's truthy value, re-checking after each notification", () =>
    run(async () => {
      const cond = new Condition();
      const queue: string[] = [];
      let got: string | undefined;
      let checks = 0;
      await withTaskGroup(async (tg) => {
        tg.startSoon(() =>
          cond.run(async () => {
            got = await cond.waitFor(() => {
              checks++;
              return queue.shift();
            });
          }),
        );
        await waitAllTasksBlocked();
        await cond.run(() => cond.notify()); // spurious: nothing queued yet
        await waitAllTasksBlocked();
        await cond.run(() => {
          queue.push("job");
          cond.notify();
        });
      });
      expect(got).toBe("job");
      expect(checks).toBe(3);
    }));

  it("waitFor() checkpoints even when the predicate is already true", () =>
    runCounting(make, async (counter) => {
      const cond = new Condition();
      await cond.acquire();
      const before = counter.mine();
      expect(await cond.waitFor(() => 7)).toBe(7);
      expect(counter.mine() - before).toBe(1);
      const scope = new CancelScope();
      scope.cancel();
      let error: unknown;
      await scope.run(async () => {
        error = await cond.waitFor(() => 7).catch((e: unknown) => e);
      });
      expect(isCancelled(error)).toBe(true);
      cond.release();
    }));

  it("uses the lock it is given, and hold()/run() hold that lock", () =>
    run(async () => {
      const lock = new Lock();
      const cond = new Condition(lock);
      {
        using _ = await cond.hold();
        expect(lock.locked()).toBe(true);
      }
      expect(lock.locked()).toBe(false);
      await cond.run(() => expect(lock.locked()).toBe(true));
      lock.acquireNowait();
      expect(cond.locked()).toBe(true);
      cond.release();
      expect(() => new Condition({} as never)).toThrow(TypeError);
    }));
});
