import { CancelScope, checkpoint, isCancelled, sleep, withTaskGroup, WouldBlock } from "@anyio/core";
import { Semaphore } from "@anyio/sync";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { runCounting, startParked } from "./helpers.js";

describeEachBackend("Semaphore", ({ run, make }) => {
  it("acquire() resolves waiters in FIFO order", () =>
    run(async () => {
      const sem = new Semaphore(0);
      const order: number[] = [];
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 5; i++) {
          await startParked(tg, () => sem.acquire(), () => void order.push(i));
        }
        expect(sem.statistics().tasksWaiting).toBe(5);
        for (let i = 0; i < 5; i++) sem.release();
      });
      expect(order).toEqual([0, 1, 2, 3, 4]);
      expect(sem.value).toBe(0);
    }));

  it("release() hands the permit to the first waiter: the releaser cannot take it back", () =>
    run(async () => {
      const sem = new Semaphore(1);
      await sem.acquire();
      await withTaskGroup(async (tg) => {
        const w = await startParked(tg, () => sem.acquire(), () => sem.release());
        sem.release();
        expect(sem.value).toBe(0);
        expect(() => sem.acquireNowait()).toThrow(WouldBlock);
        await sleep(1);
        expect(w.outcome?.ok).toBe(true);
      });
      expect(sem.value).toBe(1);
    }));

  it("a waiter cancelled before the grant takes no permit", () =>
    run(async () => {
      const sem = new Semaphore(0);
      await withTaskGroup(async (tg) => {
        const w = await startParked(tg, () => sem.acquire());
        w.scope.cancel();
        await sleep(1);
        expect(w.cancelled).toBe(true);
        sem.release();
        expect(sem.value).toBe(1);
      });
    }));

  it("a waiter granted a permit but cancelled before it resumes passes the permit on", () =>
    run(async () => {
      const sem = new Semaphore(0);
      await withTaskGroup(async (tg) => {
        const b = await startParked(tg, () => sem.acquire());
        const c = await startParked(tg, () => sem.acquire(), () => sem.release());
        sem.release();
        b.scope.cancel();
        await sleep(1);
        expect(b.cancelled).toBe(true);
        expect(c.outcome?.ok).toBe(true);
      });
      expect(sem.value).toBe(1); // one permit: not kept by b, not lost, not duplicated
      const alone = new Semaphore(0);
      await withTaskGroup(async (tg) => {
        const b = await startParked(tg, () => alone.acquire());
        alone.release();
        b.scope.cancel();
      });
      expect(alone.value).toBe(1);
    }));

  it("acquire() with a free permit is a cancel point and a schedule point; fastAcquire skips the schedule point", () =>
    runCounting(make, async (counter) => {
      const sem = new Semaphore(1);
      const scope = new CancelScope();
      scope.cancel();
      let error: unknown;
      await scope.run(async () => {
        error = await sem.acquire().catch((e: unknown) => e);
      });
      expect(isCancelled(error)).toBe(true);
      expect(sem.value).toBe(1);
      let before = counter.mine();
      await sem.acquire();
      expect(counter.mine() - before).toBe(1);
      sem.release();
      const fast = new Semaphore(1, { fastAcquire: true });
      before = counter.mine();
      await fast.acquire();
      expect(counter.mine() - before).toBe(0);
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await checkpoint();
          fast.release();
        });
        before = counter.mine();
        await fast.acquire(); // contended: it waits
        expect(counter.mine() - before).toBeGreaterThanOrEqual(1);
      });
    }));

  it("acquireNowait() and release() never checkpoint", () =>
    runCounting(make, async (counter) => {
      const sem = new Semaphore(1);
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(() => {
        const before = counter.mine();
        sem.acquireNowait();
        expect(() => sem.acquireNowait()).toThrow(WouldBlock);
        sem.release();
        expect(counter.mine()).toBe(before);
      });
      expect(sem.value).toBe(1);
    }));

  it("release() past maxValue throws 'semaphore released too many times'", () =>
    run(async () => {
      const sem = new Semaphore(1, { maxValue: 2 });
      sem.release();
      expect(sem.value).toBe(2);
      expect(() => sem.release()).toThrow(new RangeError("semaphore released too many times"));
      expect(sem.value).toBe(2);
      expect(sem.maxValue).toBe(2);
      expect(new Semaphore(3).maxValue).toBe(null);
    }));

  it("hold() and run() give the permit back, also on throw", () =>
    run(async () => {
      const sem = new Semaphore(2);
      {
        using _ = await sem.hold();
        expect(sem.value).toBe(1);
      }
      expect(sem.value).toBe(2);
      await expect(sem.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
      expect(await sem.run(() => "ok")).toBe("ok");
      expect(sem.value).toBe(2);
      let inside = 0;
      let peak = 0;
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 6; i++) {
          tg.startSoon(() =>
            sem.run(async () => {
              peak = Math.max(peak, ++inside);
              await sleep(1);
              inside--;
            }),
          );
        }
      });
      expect(peak).toBe(2);
    }));

  it("any task may release a permit (permits are not owned)", () =>
    run(async () => {
      const sem = new Semaphore(1);
      await sem.acquire();
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => sem.release());
      });
      expect(sem.value).toBe(1);
    }));
});
