import { getEventListeners } from "node:events";
import { CancelScope, awaitCancellable, checkpoint, moveOnAfter, run, sleep, withTaskGroup } from "@anyio/core";
import { describe, expect, it } from "vitest";
import { describeEachBackend } from "@anyio/testing/vitest";

describeEachBackend("AbortSignal interop", ({ run: runOn }) => {
  it("waits on a long-lived foreign signal leave no listener behind", () =>
    runOn(async () => {
      const controller = new AbortController();
      for (let i = 0; i < 100; i++) {
        await sleep(0, { signal: controller.signal });
        await moveOnAfter(0).run(() => sleep(1_000, { signal: controller.signal }));
        await awaitCancellable(Promise.resolve(i), { signal: controller.signal });
      }
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    }));

  it("a foreign signal aborted before the call rejects checkpoint() with its reason", () =>
    runOn(async () => {
      const reason = new Error("stop");
      await expect(checkpoint({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    }));

  it("a task context can be passed as the options of a waiting call", () =>
    runOn(async (cx) => {
      const scope = new CancelScope();
      await scope.run(async (s) => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async (child) => {
            await sleep(0, child);
            s.cancel();
            await sleep(1_000, child);
          });
        }, s);
      }, cx);
      expect(scope.cancelledCaught).toBe(true);
    }, { context: "explicit" }));
});

describe("run() on the default entry", () => {
  it("is exported", () => expect(typeof run).toBe("function"));
});

describeEachBackend("a task context or scope passed as options only names the context", ({ run: runOn }) => {
  it("moveOnAfter(ms, shieldedScope) does not inherit the scope's shield, and start(fn, cx) keeps the child's own name", () =>
    runOn(async (cx) => {
      const shielded = new CancelScope({ shield: true });
      await shielded.run(async (s) => {
        expect(moveOnAfter(10, s).shield).toBe(false);
      }, cx);
      await withTaskGroup(async (tg) => {
        const name = await tg.start<string>(async function worker(child) {
          child.started(child.name);
        }, cx);
        expect(name).toBe("worker");
      }, cx);
    }, { context: "explicit" }));
});

describeEachBackend("options.cx", ({ run: runOn }) => {
  it("combines an explicit context with a foreign signal: the call is aborted by the signal", () =>
    runOn(async (cx) => {
      const controller = new AbortController();
      const reason = new Error("user abort");
      await withTaskGroup(async (tg) => {
        tg.startSoon(async (child) => {
          await checkpoint(child);
          controller.abort(reason);
        });
        await expect(sleep(60_000, { cx, signal: controller.signal })).rejects.toBe(reason);
      }, cx);
    }, { context: "explicit" }));

  it("rejects a context that is not a task context or scope", () =>
    runOn(async () => {
      expect(() => checkpoint({ cx: { signal: new AbortController().signal } })).toThrow(/options.cx/);
    }));
});
