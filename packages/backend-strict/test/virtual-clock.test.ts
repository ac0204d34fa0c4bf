import { awaitCancellable, currentTime, failAfter, moveOnAfter, run, sleep, TimeoutError, waitAllTasksBlocked, withTaskGroup } from "@anyio/core";
import { strictBackend, VirtualClock } from "@anyio/backend-strict";
import { describe, expect, it } from "vitest";

const realDelay = (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve("io done"), ms));

describe("virtual clock", () => {
  it("finishes an hour-long sleep in well under a second with exactly an hour of virtual time", async () => {
    const started = performance.now();
    const elapsed = await run(async () => {
      const t0 = currentTime();
      await sleep(3_600_000);
      return currentTime() - t0;
    }, { backend: strictBackend() });
    expect(elapsed).toBe(3_600_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("stands still while tasks run", async () => {
    await run(async () => {
      const t0 = currentTime();
      let x = 0;
      for (let i = 0; i < 100_000; i++) x += i;
      expect(x).toBeGreaterThan(0);
      expect(currentTime()).toBe(t0);
    }, { backend: strictBackend() });
  });

  it("starts at a whole-ms offset between 10^7 and 2·10^8 ms that depends only on the seed", async () => {
    const start = (seed?: number) => run(() => currentTime(), { backend: strictBackend(seed === undefined ? {} : { seed }) });
    const a = await start(1);
    expect(Number.isInteger(a)).toBe(true);
    expect(a).toBeGreaterThanOrEqual(10_000_000);
    expect(a).toBeLessThan(200_000_000);
    expect(await start(1)).toBe(a);
    expect(await start(2)).not.toBe(a);
    expect(await start()).toBe(await start());
  });

  it("fires sleeps in deadline order, equal deadlines in the order they were set", async () => {
    const log: string[] = [];
    await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => { await sleep(20); log.push("20a"); });
        tg.startSoon(async () => { await sleep(10); log.push("10"); });
        tg.startSoon(async () => { await sleep(20); log.push("20b"); });
      });
    }, { backend: strictBackend() });
    expect(log).toEqual(["10", "20a", "20b"]);
  });

  it("times out failAfter in virtual time", async () => {
    await run(async () => {
      const t0 = currentTime();
      await expect(failAfter(500).run(() => sleep(10_000))).rejects.toBeInstanceOf(TimeoutError);
      expect(currentTime() - t0).toBe(500);
    }, { backend: strictBackend() });
  });

  it("moves time only through advance() when autojump is off", async () => {
    const clock = new VirtualClock({ start: 0, autojump: false });
    const log: string[] = [];
    await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await sleep(100);
          log.push(`woke at ${currentTime()}`);
        });
        await sleep(0);
        clock.advance(99);
        await sleep(0);
        log.push(`after 99 at ${currentTime()}`);
        clock.advance(1);
      });
    }, { backend: strictBackend({ clock }) });
    expect(log).toEqual(["after 99 at 99", "woke at 100"]);
    expect(clock.now()).toBe(100);
  });

  it("wakes a sleeper on advance() once waitAllTasksBlocked() saw it park (README example)", async () => {
    const clock = new VirtualClock({ start: 0, autojump: false });
    let wokeAt = -1;
    await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await sleep(100);
          wokeAt = currentTime();
        });
        await waitAllTasksBlocked();
        clock.advance(100);
      });
    }, { backend: strictBackend({ clock }) });
    expect(wokeAt).toBe(100);
  });

  it("continues a shared clock from where the previous run left it", async () => {
    const clock = new VirtualClock({ start: 1_000 });
    const backend = strictBackend({ clock });
    await run(() => sleep(500), { backend });
    expect(await run(() => currentTime(), { backend })).toBe(1_500);
  });

  it("refuses to drive two runs at once with one clock", async () => {
    const clock = new VirtualClock();
    const backend = strictBackend({ clock });
    await run(async () => {
      expect(() => run(() => undefined, { backend })).toThrow(/already driving another run/);
    }, { backend });
  });

  it("rejects a negative, NaN or infinite advance", () => {
    const clock = new VirtualClock({ start: 0 });
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.advance(Infinity)).toThrow(RangeError);
    expect(clock.now()).toBe(0);
  });

  it("does not jump over a pending real I/O wait", async () => {
    await run(async () => {
      const t0 = currentTime();
      // The deadline is 1 virtual ms away, the I/O takes a few real ms: a jump would cancel it.
      const scope = moveOnAfter(1);
      const result = await scope.run(() => awaitCancellable(realDelay(5)));
      expect(result).toBe("io done");
      expect(scope.cancelledCaught).toBe(false);
      expect(currentTime()).toBe(t0);
    }, { backend: strictBackend() });
  });

  it("does not jump while a task awaits a foreign promise directly", async () => {
    await run(async () => {
      const t0 = currentTime();
      await withTaskGroup(async (tg) => {
        const scope = moveOnAfter(1);
        tg.startSoon(() => scope.run(() => sleep(10)));
        expect(await realDelay(3)).toBe("io done");
        expect(currentTime()).toBe(t0);
      });
    }, { backend: strictBackend() });
  });

  it("jumps over external waits once idle for jumpOverExternalWaitsAfter real ms", async () => {
    const clock = new VirtualClock({ jumpOverExternalWaitsAfter: 2 });
    await run(async () => {
      const t0 = currentTime();
      const scope = moveOnAfter(1_000);
      await scope.run(() => awaitCancellable(new Promise<never>(() => {})));
      expect(scope.cancelledCaught).toBe(true);
      expect(currentTime() - t0).toBe(1_000);
    }, { backend: strictBackend({ clock }) });
  });

  it("runs on performance.now() and host timers with clock: \"real\"", async () => {
    await run(async () => {
      const before = performance.now();
      const t0 = currentTime();
      expect(Math.abs(t0 - before)).toBeLessThan(50);
      await sleep(3);
      expect(currentTime() - t0).toBeGreaterThanOrEqual(3);
    }, { backend: strictBackend({ clock: "real" }) });
  });
});
