import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import { checkpoint, getCurrentTask, sleep, withTaskGroup } from "@anyio/core";
import { describeEachBackend } from "@anyio/testing/vitest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// Tests resolve @anyio/core to its sources, so this is the carrier the package itself uses.
import { type AmbientCarrier, ambientCarrier, installAmbientCarrier } from "../src/internal/ambient.js";

// Other libraries' AsyncLocalStorage (a request id, an OpenTelemetry span) must follow a task
// from the code that spawned it, as asyncio and Trio copy the spawner's contextvars.
describeEachBackend("ambient runs and other AsyncLocalStorage values", ({ run: runOn }) => {
  const requestId = new AsyncLocalStorage<string>();

  it("startSoon() starts the child in its spawner's context, whatever else is queued", () =>
    runOn(async () => {
      const seen: Array<[string, string | undefined]> = [];
      await withTaskGroup(async (tg) => {
        // Queued first, outside any request: the backend's next batch is scheduled from here.
        tg.startSoon(() => checkpoint());
        for (const id of ["req-1", "req-2"]) {
          requestId.run(id, () =>
            tg.startSoon(async () => {
              seen.push([id, requestId.getStore()]);
              await sleep(0);
              seen.push([id, requestId.getStore()]);
            }),
          );
        }
        tg.startSoon(async () => {
          seen.push(["none", requestId.getStore()]);
        });
      });
      expect(seen.sort()).toEqual([
        ["none", undefined],
        ["req-1", "req-1"],
        ["req-1", "req-1"],
        ["req-2", "req-2"],
        ["req-2", "req-2"],
      ]);
    }));

  it("start() starts the child in the caller's context", () =>
    runOn(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => checkpoint());
        const seen = await requestId.run("req-3", () =>
          tg.start<string | undefined>(async (cx) => {
            await checkpoint();
            cx.started(requestId.getStore());
          }),
        );
        expect(seen).toBe("req-3");
      });
    }));

  it("run() starts its main task in the caller's context", async () => {
    const seen = await requestId.run("req-4", () => runOn(async () => requestId.getStore()));
    expect(seen).toBe("req-4");
  });

  it("a value a child sets for itself stays in that child", () =>
    runOn(async () => {
      const seen: Array<string | undefined> = [];
      await requestId.run("outer", () =>
        withTaskGroup(async (tg) => {
          tg.startSoon(() => requestId.run("inner", () => checkpoint()));
          tg.startSoon(async () => {
            await sleep(0);
            seen.push(requestId.getStore());
          });
        }),
      );
      expect(seen).toEqual(["outer"]);
    }));

  it("a value a child enters with enterWith() stays in that child, also for tasks started after it", () =>
    runOn(async () => {
      const seen: Array<[string, string | undefined]> = [];
      await requestId.run("outer", () =>
        withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            requestId.enterWith("first");
            await checkpoint();
            seen.push(["first", requestId.getStore()]);
          });
          tg.startSoon(async () => {
            seen.push(["second", requestId.getStore()]);
            await checkpoint();
            seen.push(["second", requestId.getStore()]);
          });
        }),
      );
      expect(seen.sort()).toEqual([
        ["first", "first"],
        ["second", "outer"],
        ["second", "outer"],
      ]);
    }));
});

// workerd's AsyncLocalStorage has no enterWith(): a task then enters its context with run().
describe("ambient runs on a host whose AsyncLocalStorage has no enterWith()", () => {
  const requestId = new AsyncLocalStorage<string>();
  let installed: AmbientCarrier | null = null;

  beforeEach(() => {
    installed = ambientCarrier();
    const carrier = installed!;
    const withoutEnterWith: AmbientCarrier = {
      getStore: () => carrier.getStore(),
      run: (store, fn, ...args) => carrier.run(store, fn, ...args),
      disable: () => carrier.disable?.(),
    };
    installAmbientCarrier(withoutEnterWith, () => new AsyncResource("anyio.Task"));
  });
  afterEach(() => {
    installAmbientCarrier(installed!, () => new AsyncResource("anyio.Task"));
  });

  describeEachBackend("tasks", ({ run: runOn }) => {
    it("start in their spawner's context and know which task they are", () =>
      runOn(async () => {
        const seen: Array<[string, string | undefined, string]> = [];
        await withTaskGroup(async (tg) => {
          for (const id of ["req-1", "req-2"]) {
            requestId.run(id, () =>
              tg.startSoon(
                async () => {
                  seen.push([id, requestId.getStore(), getCurrentTask().name]);
                  await checkpoint();
                  seen.push([id, requestId.getStore(), getCurrentTask().name]);
                },
                { name: `task ${id}` },
              ),
            );
          }
        });
        expect(seen.sort()).toEqual([
          ["req-1", "req-1", "task req-1"],
          ["req-1", "req-1", "task req-1"],
          ["req-2", "req-2", "task req-2"],
          ["req-2", "req-2", "task req-2"],
        ]);
      }));
  });
});
