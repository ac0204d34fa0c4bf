import { awaitCancellable, currentTime, run, sleep, waitAllTasksBlocked, withTaskGroup } from "@anyio/core";
import { strictBackend } from "@anyio/backend-strict";
import { describe, expect, it } from "vitest";
import { TestEvent } from "./support/test-event.js";

describe("waitAllTasksBlocked on the strict backend", () => {
  it("returns once every other task is parked", async () => {
    const log: string[] = [];
    await run(async () => {
      const event = new TestEvent();
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 3; i++) {
          tg.startSoon(async () => {
            await sleep(0);
            await sleep(0);
            log.push(`parked ${i}`);
            await event.wait();
          });
        }
        await waitAllTasksBlocked();
        log.push("all blocked");
        event.set();
      });
    }, { backend: strictBackend() });
    expect(log).toEqual(["parked 0", "parked 1", "parked 2", "all blocked"]);
  });

  it("takes priority over autojump: it returns before a pending sleep's deadline", async () => {
    await run(async () => {
      const t0 = currentTime();
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => sleep(1_000));
        await waitAllTasksBlocked();
        expect(currentTime()).toBe(t0);
      });
      expect(currentTime() - t0).toBe(1_000);
    }, { backend: strictBackend() });
  });

  it("waits for a task awaiting a foreign promise until it parks", async () => {
    const log: string[] = [];
    await run(async () => {
      const event = new TestEvent();
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          log.push("foreign promise settled");
          await event.wait();
        });
        await waitAllTasksBlocked();
        log.push("all blocked");
        event.set();
      });
    }, { backend: strictBackend() });
    expect(log).toEqual(["foreign promise settled", "all blocked"]);
  });

  it("counts a task in an external wait as blocked", async () => {
    await run(async () => {
      await withTaskGroup(async (tg) => {
        let release!: () => void;
        tg.startSoon(() => awaitCancellable(new Promise<void>((resolve) => (release = resolve))));
        await waitAllTasksBlocked();
        release();
      });
    }, { backend: strictBackend() });
  });
});
