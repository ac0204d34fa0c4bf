import { CancelScope, isCancelled, waitAllTasksBlocked, withTaskGroup } from "@anyio/core";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { fsCall } from "../src/fs-call.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describeEachBackend("fsCall (how every file operation waits)", ({ run }) => {
  it("an operation in flight when its scope is cancelled runs to completion and returns its result", () =>
    run(async () => {
      const op = deferred<string>();
      const scope = new CancelScope();
      let result: string | undefined;
      let later: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(() =>
          scope.run(async () => {
            result = await fsCall("test", undefined, () => op.promise);
            try {
              await fsCall("test", undefined, async () => "never");
            } catch (err) {
              later = err;
              throw err;
            }
          }),
        );
        await waitAllTasksBlocked();
        scope.cancel();
        await waitAllTasksBlocked();
        expect(result).toBeUndefined(); // still waiting for the operation, not abandoned
        op.resolve("done");
      });
      expect(result).toBe("done");
      expect(isCancelled(later)).toBe(true);
      expect(scope.cancelledCaught).toBe(true);
    }));

  it("an abortable operation is aborted on cancel and Cancelled is thrown only after it settled", () =>
    run(async () => {
      const scope = new CancelScope();
      let aborted = false;
      let settled = false;
      let caught: unknown;
      const op = deferred<void>();
      await withTaskGroup(async (tg) => {
        tg.startSoon(() =>
          scope.run(async () => {
            try {
              await fsCall(
                "test",
                undefined,
                async (signal) => {
                  signal!.addEventListener("abort", () => (aborted = true));
                  await op.promise;
                  settled = true;
                  throw signal!.reason;
                },
                "abort",
              );
            } catch (err) {
              caught = err;
              expect(settled).toBe(true);
              throw err;
            }
          }),
        );
        await waitAllTasksBlocked();
        scope.cancel();
        expect(aborted).toBe(true);
        await waitAllTasksBlocked();
        expect(caught).toBeUndefined(); // waits for the operation to settle (its handle to close)
        op.resolve();
      });
      expect(isCancelled(caught)).toBe(true);
    }));

  it("a foreign AbortSignal aborts an abortable operation with its reason", () =>
    run(async () => {
      const controller = new AbortController();
      controller.abort(new Error("stop"));
      let started = false;
      await expect(
        fsCall(
          "test",
          { signal: controller.signal },
          async () => {
            started = true;
          },
          "abort",
        ),
      ).rejects.toThrow("stop");
      expect(started).toBe(false);
    }));

  it("a bad limiter is a TypeError", () =>
    run(async () => {
      await expect(fsCall("test", { limiter: {} as never }, async () => 1)).rejects.toThrow(/limiter must have acquire/);
    }));
});
