import { CancelScope, getCurrentTask, isCancelled, sleep, withTaskGroup, WouldBlock } from "@anyio/core";
import { CapacityLimiter } from "@anyio/sync";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { runCounting, startParked } from "./helpers.js";

describeEachBackend("CapacityLimiter", ({ run, make }) => {
  it("acquire() admits up to totalTokens borrowers and queues the rest in FIFO order", () =>
    run(async () => {
      const limiter = new CapacityLimiter(2);
      const order: number[] = [];
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 5; i++) {
          await startParked(tg, () => limiter.acquire(), async () => {
            order.push(i);
            await sleep(1);
            limiter.release();
          });
        }
        expect(limiter.statistics().tasksWaiting).toBe(3);
        expect(limiter.borrowedTokens).toBe(2);
      });
      expect(order).toEqual([0, 1, 2, 3, 4]);
      expect(limiter.borrowedTokens).toBe(0);
    }));

  it("raising totalTokens admits waiters at once; 0 and Infinity are allowed", () =>
    run(async () => {
      const limiter = new CapacityLimiter(0);
      await withTaskGroup(async (tg) => {
        const a = await startParked(tg, () => limiter.acquire(), async () => limiter.release());
        const b = await startParked(tg, () => limiter.acquire(), async () => limiter.release());
        expect(limiter.availableTokens).toBe(0);
        limiter.totalTokens = 1;
        expect(limiter.borrowedTokens).toBe(1); // granted synchronously by the setter
        limiter.totalTokens = Infinity;
        expect(limiter.borrowedTokens).toBe(2);
        expect(limiter.availableTokens).toBe(Infinity);
        await sleep(1);
        expect(a.outcome?.ok && b.outcome?.ok).toBe(true);
      });
      expect(limiter.borrowedTokens).toBe(0);
    }));

  it("lowering totalTokens below what is borrowed takes nothing back; new borrowers wait", () =>
    run(async () => {
      const limiter = new CapacityLimiter(2);
      limiter.acquireOnBehalfOfNowait("x");
      limiter.acquireOnBehalfOfNowait("y");
      limiter.totalTokens = 1;
      expect(limiter.availableTokens).toBe(-1);
      limiter.releaseOnBehalfOf("x");
      expect(() => limiter.acquireOnBehalfOfNowait("z")).toThrow(WouldBlock);
      limiter.releaseOnBehalfOf("y");
      limiter.acquireOnBehalfOfNowait("z");
      expect(limiter.statistics().borrowers).toEqual(["z"]);
    }));

  it("a waiter cancelled before the grant borrows nothing", () =>
    run(async () => {
      const limiter = new CapacityLimiter(1);
      limiter.acquireOnBehalfOfNowait("holder");
      await withTaskGroup(async (tg) => {
        const w = await startParked(tg, () => limiter.acquireOnBehalfOf("w"));
        w.scope.cancel();
        await sleep(1);
        expect(w.cancelled).toBe(true);
        limiter.releaseOnBehalfOf("holder");
      });
      expect(limiter.borrowedTokens).toBe(0);
      expect(limiter.statistics().tasksWaiting).toBe(0);
    }));

  it("a waiter granted a token but cancelled before it resumes passes the token on", () =>
    run(async () => {
      const limiter = new CapacityLimiter(1);
      limiter.acquireOnBehalfOfNowait("holder");
      await withTaskGroup(async (tg) => {
        const b = await startParked(tg, () => limiter.acquireOnBehalfOf("b"));
        const c = await startParked(tg, () => limiter.acquireOnBehalfOf("c"), () => {
          expect(limiter.statistics().borrowers).toEqual(["c"]);
          limiter.releaseOnBehalfOf("c");
        });
        limiter.releaseOnBehalfOf("holder"); // grants to b
        b.scope.cancel();
        await sleep(1);
        expect(b.cancelled).toBe(true);
        expect(c.outcome?.ok).toBe(true);
      });
      expect(limiter.borrowedTokens).toBe(0);
      expect(limiter.availableTokens).toBe(1);
    }));

  it("acquireNowait() cannot take a token granted to a waiter that has not resumed yet", () =>
    run(async () => {
      const limiter = new CapacityLimiter(1);
      limiter.acquireOnBehalfOfNowait("holder");
      await withTaskGroup(async (tg) => {
        await startParked(tg, () => limiter.acquire(), () => limiter.release());
        limiter.releaseOnBehalfOf("holder");
        expect(() => limiter.acquireNowait()).toThrow(WouldBlock);
        expect(() => limiter.acquireOnBehalfOfNowait("other")).toThrow(WouldBlock);
      });
    }));

  it("acquire() with a free token is a cancel point and a schedule point; the Nowait forms never checkpoint", () =>
    runCounting(make, async (counter) => {
      const limiter = new CapacityLimiter(1);
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(async () => {
        const error = await limiter.acquire().catch((e: unknown) => e);
        expect(isCancelled(error)).toBe(true);
        expect(limiter.borrowedTokens).toBe(0);
        const before = counter.mine();
        limiter.acquireNowait();
        limiter.release();
        limiter.acquireOnBehalfOfNowait("b");
        limiter.releaseOnBehalfOf("b");
        expect(counter.mine()).toBe(before);
      });
      const before = counter.mine();
      await limiter.acquire();
      expect(counter.mine() - before).toBe(1);
      limiter.release();
    }));

  it("a borrower may hold only one token", () =>
    run(async () => {
      const limiter = new CapacityLimiter(5);
      await limiter.acquire();
      const held = "this borrower is already holding one of this CapacityLimiter's tokens";
      await expect(limiter.acquire()).rejects.toThrow(held);
      expect(() => limiter.acquireNowait()).toThrow(held);
      limiter.acquireOnBehalfOfNowait("job");
      await expect(limiter.acquireOnBehalfOf("job")).rejects.toThrow(held);
      expect(limiter.borrowedTokens).toBe(2);
      limiter.release();
      limiter.releaseOnBehalfOf("job");
      const notHolding = "this borrower isn't holding any of this CapacityLimiter's tokens";
      expect(() => limiter.release()).toThrow(notHolding);
      expect(() => limiter.releaseOnBehalfOf("job")).toThrow(notHolding);
    }));

  it("a borrower already waiting cannot queue a second time (that would over-grant)", () =>
    run(async () => {
      const limiter = new CapacityLimiter(0);
      await withTaskGroup(async (tg) => {
        await startParked(tg, () => limiter.acquireOnBehalfOf("job"), () => limiter.releaseOnBehalfOf("job"));
        await expect(limiter.acquireOnBehalfOf("job")).rejects.toThrow("already waiting");
        expect(() => limiter.acquireOnBehalfOfNowait("job")).toThrow("already waiting");
        limiter.totalTokens = 2;
      });
      expect(limiter.borrowedTokens).toBe(0);
    }));

  it("statistics() lists tasks as TaskInfo and other borrowers as themselves; cx is the task's borrower", () =>
    run(async (cx) => {
      const limiter = new CapacityLimiter(3);
      await limiter.acquire();
      const job = { id: 1 };
      limiter.acquireOnBehalfOfNowait(job);
      expect(limiter.statistics()).toEqual({
        borrowedTokens: 2,
        totalTokens: 3,
        borrowers: [getCurrentTask(), job],
        tasksWaiting: 0,
      });
      // The task's context object is the same borrower as the task.
      limiter.releaseOnBehalfOf(cx);
      limiter.releaseOnBehalfOf(job);
      expect(limiter.borrowedTokens).toBe(0);
    }));

  it("hold() and run() borrow for the current task and return the token, also on throw", () =>
    run(async () => {
      const limiter = new CapacityLimiter(1);
      {
        using _ = await limiter.hold();
        expect(limiter.statistics().borrowers).toEqual([getCurrentTask()]);
      }
      expect(limiter.borrowedTokens).toBe(0);
      await expect(limiter.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
      expect(await limiter.run(() => 5)).toBe(5);
      expect(limiter.borrowedTokens).toBe(0);
    }));
});
