/**
 * Conformance: run(), ambient and explicit context, RunVar, introspection, foreign promises.
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
  moveOnAfter,
  run,
  sleep,
  waitAllTasksBlocked,
  withTaskGroup,
} from "@anyio/core";
import { assert, assertEqual, assertRejects } from "../assertions.js";
import { defineCases } from "../conformance-case.js";

export const runCases = defineCases("run and context", {
  "run() resolves with main's value and rejects with main's error": async (make) => {
    assertEqual(await run(async () => 5, { backend: make() }), 5, "value");
    class Oops extends Error {}
    await assertRejects(() => run(async () => {
      throw new Oops("x");
    }, { backend: make() }), Oops, "error");
  },

  "run() hands main its task context": async (make) => {
    await run(async (cx) => {
      assertEqual(cx.id, getCurrentTask().id, "cx is the root task");
      assert(cx.signal instanceof AbortSignal && !cx.signal.aborted, "a live signal");
    }, { backend: make(), name: "main-task" });
  },

  "RunVar values are fresh in every run": async (make) => {
    const counter = new RunVar<number>("counter", 0);
    for (let i = 0; i < 2; i++) {
      await run(async () => {
        assertEqual(counter.get(), 0, "starts at the default");
        counter.set(counter.get() + 1);
        assertEqual(counter.get(), 1, "set");
      }, { backend: make() });
    }
    const noDefault = new RunVar<string>("noDefault");
    await run(async () => {
      let err: unknown;
      try {
        noDefault.get();
      } catch (e) {
        err = e;
      }
      assert(err instanceof Error && /noDefault/.test(err.message), "LookupError naming the RunVar");
      const token = noDefault.set("a");
      noDefault.reset(token);
      let reused: unknown;
      try {
        noDefault.reset(token);
      } catch (e) {
        reused = e;
      }
      assert(reused instanceof Error, "a token works once");
    }, { backend: make() });
  },

  "a waiting call outside run() throws NoContextError": async () => {
    let err: unknown;
    try {
      await sleep(1);
    } catch (e) {
      err = e;
    }
    assert(err instanceof NoContextError, "NoContextError");
  },

  "explicit context: calls find their task through { signal: cx.signal }": async (make) => {
    await run(async (cx) => {
      let missing: unknown;
      try {
        await checkpoint();
      } catch (e) {
        missing = e;
      }
      assert(missing instanceof NoContextError, "no ambient context in explicit mode");
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        tg.startSoon(async (child) => {
          await sleep(5, { signal: child.signal });
          log.push(`child ${getCurrentTask({ signal: child.signal }).id !== cx.id}`);
        });
        const scope = moveOnAfter(5, { signal: tg.signal });
        await scope.run(async (s) => {
          await sleep(60_000, { signal: s.signal });
        }, { signal: tg.signal });
        log.push(`timeout ${scope.cancelledCaught}`);
      }, { signal: cx.signal });
      assertEqual(log.sort(), ["child true", "timeout true"], "log");
    }, { backend: make(), context: "explicit" });
  },

  "awaitCancellable abandons a foreign promise on cancellation and aborts its signal": async (make) => {
    await run(async () => {
      let seen: AbortSignal | undefined;
      // Cancelled by a sibling, not a deadline: a virtual clock rightly stands still while an
      // external wait is pending.
      const scope = new CancelScope();
      await scope.run(() =>
        withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            await waitAllTasksBlocked();
            scope.cancel();
          });
          await awaitCancellable((signal) => {
            seen = signal;
            return new Promise<never>(() => undefined);
          });
        }),
      );
      assert(scope.cancelledCaught, "cancelled");
      assert(seen !== undefined && seen.aborted, "the operation's signal was aborted");
      assertEqual(await awaitCancellable(Promise.resolve(3)), 3, "a resolved foreign promise passes its value");
    }, { backend: make() });
  },

  "currentSignal() is the current scope's signal": async (make) => {
    await run(async () => {
      const scope = new CancelScope();
      await scope.run(async () => {
        const signal = currentSignal();
        assert(!signal.aborted, "live");
        scope.cancel();
        assert(signal.aborted && isCancelled(signal.reason), "aborted with Cancelled");
      });
    }, { backend: make() });
  },

  "waitAllTasksBlocked returns once every other task is parked": async (make) => {
    await run(async () => {
      let parked = 0;
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 3; i++) {
          tg.startSoon(async () => {
            await checkpoint();
            await checkpoint();
            parked++;
            await sleep(60_000);
          });
        }
        await waitAllTasksBlocked();
        assertEqual(parked, 3, "all three reached their sleep");
        tg.cancel();
      });
    }, { backend: make() });
  },

  "the clock is monotonic": async (make) => {
    await run(async () => {
      let last = currentTime();
      for (let i = 0; i < 20; i++) {
        await checkpoint();
        const now = currentTime();
        assert(now >= last, "never goes back");
        last = now;
      }
    }, { backend: make() });
  },
});
