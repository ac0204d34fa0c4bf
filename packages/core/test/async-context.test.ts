import { AsyncLocalStorage } from "node:async_hooks";
import { checkpoint, sleep, withTaskGroup } from "@anyio/core";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";

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
