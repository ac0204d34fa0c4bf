import { awaitCancellable, type Backend, moveOnAfter, run, sleep, withTaskGroup } from "@anyio/core";
import { LeakWatch, describeLeaks, isClean } from "@anyio/testing";
import { DeadlockError, strictBackend, VirtualClock } from "@anyio/backend-strict";
import { describe, expect, it } from "vitest";
import { TestEvent } from "./support/test-event.js";

/**
 * Runs `main` on a strict backend and reports what it left behind. The shared leak watch tracks
 * each host timer the run created, so timers of unrelated code coming and going meanwhile
 * cannot hide a leak or fake one (a plain handle count did both under load).
 */
async function leftBehind(main: () => Promise<unknown>, backend: Backend): Promise<string> {
  const watch = await LeakWatch.start();
  await run(main, { backend: watch.backend(backend) }).catch((err: unknown) => {
    if (!(err instanceof DeadlockError)) throw err;
  });
  const report = await watch.check();
  return isClean(report) ? "" : describeLeaks(report);
}

describe("closing a run", () => {
  it("leaves no host timer behind after a real-clock run with long deadlines", async () => {
    const left = await leftBehind(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => moveOnAfter(3_600_000).run(() => sleep(1)));
        tg.startSoon(() => moveOnAfter(60_000).run(() => sleep(2)));
      });
    }, strictBackend({ clock: "real" }));
    expect(left).toBe("");
  });

  it("leaves no poll timer behind after a virtual run that waited on real I/O", async () => {
    const left = await leftBehind(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => awaitCancellable(new Promise((resolve) => setTimeout(resolve, 3))));
        tg.startSoon(() => sleep(50));
      });
    }, strictBackend());
    expect(left).toBe("");
  });

  it("leaves no handle behind after a deadlock", async () => {
    await expect(run(() => new TestEvent().wait(), { backend: strictBackend() })).rejects.toBeInstanceOf(DeadlockError);
    expect(await leftBehind(() => new TestEvent().wait(), strictBackend())).toBe("");
  });

  it("releases a shared virtual clock for the next run", async () => {
    const clock = new VirtualClock({ start: 0 });
    const backend = strictBackend({ clock });
    await run(() => sleep(10), { backend });
    await run(() => sleep(10), { backend });
    expect(clock.now()).toBe(20);
  });
});
