import { createServer, connect, type AddressInfo } from "node:net";
import { CancelScope, checkpoint, currentTime, moveOnAfter, run, sleep, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { describe, expect, it } from "vitest";

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("nativeBackend", () => {
  it("never ends a sleep before its deadline, although Node's timers run on a coarser cached clock", async () => {
    // Node schedules setTimeout from the event loop's cached millisecond clock, so a host timer
    // can fire before performance.now() reaches our deadline; some synchronous work before
    // each sleep moves where in the millisecond it starts. (Firing those timers anyway ended
    // ~3 % of these sleeps early, the shortest after 0.05 ms.)
    const short: number[] = [];
    await run(async () => {
      for (let i = 0; i < 300; i++) {
        const until = performance.now() + (i % 10) / 10;
        while (performance.now() < until);
        const t0 = currentTime();
        await sleep(1);
        const slept = currentTime() - t0;
        if (slept < 1) short.push(slept);
      }
    }, { backend: nativeBackend() });
    expect(short).toEqual([]);
  });

  it("a task looping on checkpoint() does not starve a host timer", async () => {
    await run(async () => {
      let fired = false;
      setTimeout(() => (fired = true), 5);
      const start = performance.now();
      let spins = 0;
      // A safety cut-off only: the loop must end because the timer fired.
      while (!fired && performance.now() - start < 5_000) {
        await checkpoint();
        spins++;
      }
      expect(fired).toBe(true);
      expect(spins).toBeGreaterThan(0);
    }, { backend: nativeBackend() });
  });

  it("a task with slow steps between checkpoints lets a due timer run within two gates (~256 checkpoints)", async () => {
    // Each step outlasts the time slice, so the count of checkpoints, not the clock, says when
    // the gate closes: the marker is queued within 64 checkpoints and the gate checked by the
    // 128th. The timer may run only at the second gate (the first can open at the marker's
    // check phase before the loop reaches its timers), hence two: 256 here. The rule before
    // (a marker at each turn's first checkpoint, the clock read every 128th) took 258; reading
    // the clock only every 128th checkpoint took 512.
    await run(async () => {
      let fired = false;
      setTimeout(() => (fired = true), 1);
      let steps = 0;
      while (!fired && steps < 2_000) {
        const until = performance.now() + 0.5;
        while (performance.now() < until);
        await checkpoint();
        steps++;
      }
      expect(fired).toBe(true);
      expect(steps).toBeLessThanOrEqual(258);
    }, { backend: nativeBackend() });
  });

  it("a task looping on checkpoint() does not starve a real loopback socket", async () => {
    const server = createServer((socket) => socket.end("hello"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await run(async () => {
        let received = "";
        const client = connect(port, "127.0.0.1");
        client.on("data", (chunk) => (received += chunk.toString()));
        const start = performance.now();
        while (received !== "hello" && performance.now() - start < 5_000) await checkpoint();
        client.destroy();
        expect(received).toBe("hello");
      }, { backend: nativeBackend() });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("two busy tasks and a sleeper all make progress", async () => {
    await run(async () => {
      let sleeperWoke = false;
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 2; i++) {
          tg.startSoon(async () => {
            while (!sleeperWoke) await checkpoint();
          });
        }
        tg.startSoon(async () => {
          await sleep(10);
          sleeperWoke = true;
        });
      });
      expect(sleeperWoke).toBe(true);
    }, { backend: nativeBackend() });
  });

  it("a delay beyond setTimeout's range does not fire early", async () => {
    await run(async () => {
      const start = currentTime();
      const scope = moveOnAfter(20);
      await scope.run(() => sleep(2 ** 31 + 1000));
      expect(scope.cancelledCaught).toBe(true);
      expect(currentTime() - start).toBeGreaterThanOrEqual(19);
    }, { backend: nativeBackend() });
  });

  it("a cancelled sleep and an exited deadline scope leave no host timer behind", async () => {
    const before = timers();
    await run(async () => {
      const scope = new CancelScope({ deadline: currentTime() + 60_000 });
      await scope.run(async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(() => sleep(60_000));
          await checkpoint();
          tg.cancel();
        });
      });
    }, { backend: nativeBackend() });
    expect(timers()).toBe(before);
  });

  it("rejects bad options with errors naming them", () => {
    expect(() => nativeBackend({ timeSlice: Number.NaN })).toThrow(/timeSlice/);
    expect(() => nativeBackend(5 as never)).toThrow(TypeError);
  });
});
