import { awaitCancellable, moveOnAfter, run, sleep, withTaskGroup } from "@anyio/core";
import { DeadlockError, strictBackend, VirtualClock } from "@anyio/backend-strict";
import { describe, expect, it } from "vitest";
import { TestEvent } from "./support/test-event.js";

/** Host timers and immediates alive right now (Node's resource tracking). */
function hostHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "Immediate").length;
}

describe("closing a run", () => {
  it("leaves no host timer behind after a real-clock run with long deadlines", async () => {
    const before = hostHandles();
    await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => moveOnAfter(3_600_000).run(() => sleep(1)));
        tg.startSoon(() => moveOnAfter(60_000).run(() => sleep(2)));
      });
    }, { backend: strictBackend({ clock: "real" }) });
    expect(hostHandles()).toBe(before);
  });

  it("leaves no poll timer behind after a virtual run that waited on real I/O", async () => {
    const before = hostHandles();
    await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => awaitCancellable(new Promise((resolve) => setTimeout(resolve, 3))));
        tg.startSoon(() => sleep(50));
      });
    }, { backend: strictBackend() });
    expect(hostHandles()).toBe(before);
  });

  it("leaves no handle behind after a deadlock", async () => {
    const before = hostHandles();
    await expect(run(() => new TestEvent().wait(), { backend: strictBackend() })).rejects.toBeInstanceOf(DeadlockError);
    expect(hostHandles()).toBe(before);
  });

  it("releases a shared virtual clock for the next run", async () => {
    const clock = new VirtualClock({ start: 0 });
    const backend = strictBackend({ clock });
    await run(() => sleep(10), { backend });
    await run(() => sleep(10), { backend });
    expect(clock.now()).toBe(20);
  });
});
