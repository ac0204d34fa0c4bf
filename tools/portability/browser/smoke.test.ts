// Smoke programs for core, sync and both backends in Chromium, explicit context throughout
// (the browser-side twins of tools/portability/smoke/*.js).
import {
  EndOfStream,
  ExceptionGroup,
  TimeoutError,
  currentTime,
  failAfter,
  moveOnAfter,
  run,
  sleep,
  sleepForever,
  checkpoint,
  withTaskGroup,
} from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { DeadlockError, strictBackend } from "@anyio/backend-strict";
import { CapacityLimiter, Event, Lock, createMemoryObjectStream } from "@anyio/sync";
import { standardBackends } from "@anyio/testing";
import { describe, expect, it } from "vitest";

for (const b of standardBackends) {
  describe(`core and sync on ${b.name} (chromium)`, () => {
    it("task groups, timeouts and error grouping", async () => {
      const log: string[] = [];
      await run(async (cx) => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async (c) => {
            await sleep(5, c);
            log.push("child");
          });
          log.push("body");
        }, cx);
        const scope = moveOnAfter(10, { signal: cx.signal });
        await scope.run((s) => sleepForever(s), cx);
        expect(scope.cancelledCaught).toBe(true);
        await expect(failAfter(10, { signal: cx.signal }).run((s) => sleep(60_000, s), cx)).rejects.toBeInstanceOf(TimeoutError);
        const failing = withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            throw new RangeError("one");
          });
          await sleepForever(tg.cancelScope);
        }, cx);
        await expect(failing).rejects.toBeInstanceOf(ExceptionGroup);
      }, { backend: b.make(), context: "explicit" });
      expect(log).toEqual(["body", "child"]);
    });

    it("Event, Lock, CapacityLimiter and a memory object stream", async () => {
      const got = await run(async (cx) => {
        const event = new Event();
        const lock = new Lock();
        const limiter = new CapacityLimiter(2);
        const [send, receive] = createMemoryObjectStream<number>(1);
        const items: number[] = [];
        let inside = 0;
        let maxInside = 0;
        await withTaskGroup(async (tg) => {
          tg.startSoon(async (c) => {
            await event.wait(c);
            for (let i = 0; i < 5; i++) await send.send(i, c);
            await send.aclose();
          });
          tg.startSoon(async (c) => {
            for (;;) {
              try {
                items.push(await receive.receive(c));
              } catch (err) {
                if (err instanceof EndOfStream) break;
                throw err;
              }
            }
          });
          for (let i = 0; i < 4; i++) {
            tg.startSoon(async (c) => {
              await limiter.acquire(c);
              try {
                inside++;
                maxInside = Math.max(maxInside, inside);
                await lock.acquire(c);
                try {
                  await sleep(1, c);
                } finally {
                  lock.release(c);
                }
                inside--;
              } finally {
                limiter.release(c);
              }
            });
          }
          await sleep(1, tg.cancelScope);
          event.set();
        }, cx);
        expect(maxInside).toBe(2);
        expect(lock.locked()).toBe(false);
        return items;
      }, { backend: b.make(), context: "explicit" });
      expect(got).toEqual([0, 1, 2, 3, 4]);
    });
  });
}

describe("backend-native (chromium)", () => {
  it("fires timers in deadline order on the browser's clock and honours a foreign AbortSignal", async () => {
    const order = await run(async (cx) => {
      const seen: number[] = [];
      await withTaskGroup(async (tg) => {
        for (const ms of [30, 10, 20]) {
          tg.startSoon(async (c) => {
            const deadline = currentTime(c) + ms;
            await sleep(ms, c);
            seen.push(deadline);
          });
        }
      }, cx);
      return seen;
    }, { backend: nativeBackend(), context: "explicit" });
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order).toHaveLength(3);
  });
});

describe("backend-strict (chromium)", () => {
  it("autojumps its virtual clock and reports deadlocks", async () => {
    const started = Date.now();
    const elapsed = await run(async (cx) => {
      const t0 = currentTime(cx);
      await sleep(3_600_000, cx);
      return currentTime(cx) - t0;
    }, { backend: strictBackend(), context: "explicit" });
    expect(elapsed).toBe(3_600_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    const stuck = run(async (cx) => {
      await withTaskGroup(async (tg) => {
        tg.startSoon((c) => sleepForever(c), { name: "stuck" });
      }, cx);
    }, { backend: strictBackend(), context: "explicit" });
    await expect(stuck).rejects.toBeInstanceOf(DeadlockError);
  });

  it("reproduces a schedule from its seed", async () => {
    const orderFor = (seed: number) =>
      run(async (cx) => {
        const seen: number[] = [];
        await withTaskGroup(async (tg) => {
          for (let i = 0; i < 8; i++) {
            tg.startSoon(async (c) => {
              await checkpoint(c);
              seen.push(i);
            });
          }
        }, cx);
        return seen.join("");
      }, { backend: strictBackend({ seed }), context: "explicit" });
    expect(await orderFor(7)).toBe(await orderFor(7));
  });
});
