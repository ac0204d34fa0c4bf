/**
 * Conformance, explicit context: the run/context cases of `../conformance/run-and-context.ts`
 * with the context passed explicitly.
 */
import {
  CancelScope,
  NoContextError,
  RunVar,
  awaitCancellable,
  checkpoint,
  currentSignal,
  currentTime,
  getCurrentTask,
  isCancelled,
  run,
  sleep,
  waitAllTasksBlocked,
  withTaskGroup,
} from "@anyio/core";
import { assert, assertEqual, assertRejects } from "../assertions.js";
import { defineCases } from "../conformance-case.js";
import { runExplicit } from "./cancel-scopes.js";

export const explicitRunCases = defineCases("run and context (explicit context)", {
  "run() resolves with main's value and rejects with main's error": async (make) => {
    assertEqual(await runExplicit(make, async () => 5), 5, "value");
    class Oops extends Error {}
    await assertRejects(
      () =>
        runExplicit(make, async () => {
          throw new Oops("x");
        }),
      Oops,
      "error",
    );
  },

  "run() hands main its task context": (make) =>
    run(
      async (cx) => {
        assertEqual(cx.id, getCurrentTask(cx).id, "cx is the root task");
        assertEqual(cx.name, "main-task", "the root task's name");
        assert(cx.signal instanceof AbortSignal && !cx.signal.aborted, "a live signal");
      },
      { backend: make(), name: "main-task", context: "explicit" },
    ),

  "a waiting call without a context throws NoContextError naming the call": (make) =>
    runExplicit(make, async () => {
      const err = await assertRejects(() => checkpoint(), NoContextError, "checkpoint()");
      assert(/checkpoint\(\)/.test(err.message) && /signal/.test(err.message), `the message says how to pass a context: ${err.message}`);
    }),

  "RunVar values are fresh in every run": async (make) => {
    const counter = new RunVar<number>("counter", 0);
    for (let i = 0; i < 2; i++) {
      await runExplicit(make, async (cx) => {
        assertEqual(counter.get(cx), 0, "starts at the default");
        counter.set(counter.get(cx) + 1, cx);
        assertEqual(counter.get(cx), 1, "set");
      });
    }
    const noDefault = new RunVar<string>("noDefault");
    await runExplicit(make, async (cx) => {
      let err: unknown;
      try {
        noDefault.get(cx);
      } catch (e) {
        err = e;
      }
      assert(err instanceof Error && /noDefault/.test(err.message), "LookupError naming the RunVar");
      const token = noDefault.set("a", cx);
      noDefault.reset(token, cx);
      let reused: unknown;
      try {
        noDefault.reset(token, cx);
      } catch (e) {
        reused = e;
      }
      assert(reused instanceof Error, "a token works once");
    });
  },

  "awaitCancellable abandons a foreign promise on cancellation and aborts its signal": (make) =>
    runExplicit(make, async (cx) => {
      let seen: AbortSignal | undefined;
      const scope = new CancelScope();
      await scope.run(
        (s) =>
          withTaskGroup(async (tg) => {
            tg.startSoon(async (c) => {
              await waitAllTasksBlocked(c);
              scope.cancel();
            });
            await awaitCancellable((signal) => {
              seen = signal;
              return new Promise<never>(() => undefined);
            }, tg.cancelScope);
          }, s),
        cx,
      );
      assert(scope.cancelledCaught, "cancelled");
      assert(seen !== undefined && seen.aborted, "the operation's signal was aborted");
      assertEqual(await awaitCancellable(Promise.resolve(3), cx), 3, "a resolved foreign promise passes its value");
    }),

  "currentSignal(scope) is that scope's signal": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      await scope.run(async (s) => {
        const signal = currentSignal(s);
        assert(signal === scope.signal, "the scope's own signal");
        assert(!signal.aborted, "live");
        scope.cancel();
        assert(signal.aborted && isCancelled(signal.reason), "aborted with Cancelled");
      }, cx);
    }),

  "waitAllTasksBlocked returns once every other task is parked": (make) =>
    runExplicit(make, async (cx) => {
      let parked = 0;
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 3; i++) {
          tg.startSoon(async (c) => {
            await checkpoint(c);
            await checkpoint(c);
            parked++;
            await sleep(60_000, c);
          });
        }
        await waitAllTasksBlocked(tg.cancelScope);
        assertEqual(parked, 3, "all three reached their sleep");
        tg.cancel();
      }, cx);
    }),

  "the clock is monotonic": (make) =>
    runExplicit(make, async (cx) => {
      let last = currentTime(cx);
      for (let i = 0; i < 20; i++) {
        await checkpoint(cx);
        const now = currentTime(cx);
        assert(now >= last, "never goes back");
        last = now;
      }
    }),

  "an explicit run started inside another run does not inherit its task": (make) =>
    runExplicit(make, async (outer) => {
      const innerId = await runExplicit(make, async (inner) => {
        await sleep(1, inner);
        return getCurrentTask(inner).id;
      });
      assert(typeof innerId === "number", "the inner run has its own root task");
      await checkpoint(outer);
    }),
});
