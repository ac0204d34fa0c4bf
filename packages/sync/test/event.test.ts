import { CancelScope, checkpoint, isCancelled, sleep, withTaskGroup } from "@anyio/core";
import { Event } from "@anyio/sync";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { runCounting, startParked } from "./helpers.js";

describeEachBackend("Event", ({ run, make }) => {
  it("set() wakes every waiting task", () =>
    run(async () => {
      const event = new Event();
      const woken: number[] = [];
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 3; i++) await startParked(tg, () => event.wait(), () => void woken.push(i));
        expect(event.statistics()).toEqual({ tasksWaiting: 3 });
        expect(event.isSet()).toBe(false);
        event.set();
        expect(event.isSet()).toBe(true);
        expect(event.statistics()).toEqual({ tasksWaiting: 0 });
      });
      expect(woken.sort()).toEqual([0, 1, 2]);
    }));

  it("wait() takes a schedule point even when the event is already set", () =>
    runCounting(make, async (counter) => {
      const event = new Event();
      event.set();
      const before = counter.mine();
      await event.wait();
      expect(counter.mine() - before).toBe(1);
    }));

  it("set() is idempotent and the event stays set (one-shot, no clear())", () =>
    run(async () => {
      const event = new Event();
      event.set();
      event.set();
      await event.wait();
      await event.wait();
      expect(event.isSet()).toBe(true);
      expect("clear" in event).toBe(false);
    }));

  it("a waiter woken by set() completes its wait even if cancelled in the same step", () =>
    run(async () => {
      const event = new Event();
      let afterWait = false;
      let nextCheckpointCancelled = false;
      await withTaskGroup(async (tg) => {
        const w = await startParked(tg, () => event.wait(), async () => {
          afterWait = true;
          try {
            await checkpoint();
          } catch (err) {
            nextCheckpointCancelled = isCancelled(err);
            throw err;
          }
        });
        event.set();
        w.scope.cancel();
      });
      expect(afterWait).toBe(true);
      expect(nextCheckpointCancelled).toBe(true);
    }));

  it("a waiter cancelled before set() throws Cancelled and leaves the queue", () =>
    run(async () => {
      const event = new Event();
      await withTaskGroup(async (tg) => {
        const w = await startParked(tg, () => event.wait());
        w.scope.cancel();
        await sleep(1);
        expect(w.cancelled).toBe(true);
        expect(event.statistics().tasksWaiting).toBe(0);
        event.set();
      });
    }));

  it("wait() in a cancelled scope throws even when set", () =>
    run(async () => {
      const event = new Event();
      event.set();
      const scope = new CancelScope();
      scope.cancel();
      let error: unknown;
      await scope.run(async () => {
        error = await event.wait().catch((e: unknown) => e);
      });
      expect(isCancelled(error)).toBe(true);
    }));

  it("is constructible outside run() and can be set outside it", () =>
    run(async () => {
      const event = new Event();
      event.set();
      await event.wait();
    }));
});
