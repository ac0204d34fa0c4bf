/**
 * Conformance, explicit context: the checkpoint and clock cases of
 * `../conformance/checkpoints-and-time.ts` with the context passed explicitly.
 */
import {
  CancelScope,
  cancelShieldedCheckpoint,
  checkpoint,
  checkpointIfCancelled,
  currentTime,
  NoContextError,
  sleep,
  sleepForever,
  sleepUntil,
  type TaskContext,
  withTaskGroup,
} from "@anyio/core";
import { assert, assertEqual, assertRejects } from "../assertions.js";
import { defineCases } from "../conformance-case.js";
import { runExplicit } from "./cancel-scopes.js";

/** Runs `step(groupScope)` in a group body while a sibling notes whether it got to run. */
async function yieldsTo(cx: TaskContext, step: (scope: CancelScope) => Promise<unknown>): Promise<boolean> {
  let siblingRan = false;
  await withTaskGroup(async (tg) => {
    tg.startSoon(() => {
      siblingRan = true;
    });
    await step(tg.cancelScope);
    tg.cancel();
  }, cx);
  return siblingRan;
}

export const explicitCheckpointCases = defineCases("checkpoints and time (explicit context)", {
  "checkpoint() lets other ready tasks run": (make) =>
    runExplicit(make, async (cx) => {
      assert(await yieldsTo(cx, (s) => checkpoint(s)), "the sibling ran during checkpoint()");
    }),

  "tasks interleave at checkpoints in round-robin order": (make) =>
    runExplicit(make, async (cx) => {
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        for (const name of ["a", "b"]) {
          tg.startSoon(async (c) => {
            for (let i = 0; i < 3; i++) {
              log.push(`${name}${i}`);
              await checkpoint(c);
            }
          });
        }
      }, cx);
      assertEqual(log, ["a0", "b0", "a1", "b1", "a2", "b2"], "interleaving");
    }),

  "checkpointIfCancelled() passes when not cancelled and throws when cancelled": (make) =>
    runExplicit(make, async (cx) => {
      await checkpointIfCancelled(cx);
      const scope = new CancelScope();
      await scope.run(async (s) => {
        scope.cancel();
        await checkpointIfCancelled(s);
      }, cx);
      assert(scope.cancelledCaught, "cancel point");
    }),

  "cancelShieldedCheckpoint() yields but never throws Cancelled": (make) =>
    runExplicit(make, async (cx) => {
      assert(await yieldsTo(cx, (s) => cancelShieldedCheckpoint(s)), "schedule point");
      const scope = new CancelScope();
      let passed = false;
      await scope.run(async (s) => {
        scope.cancel();
        await cancelShieldedCheckpoint(s);
        passed = true;
      }, cx);
      assert(passed && !scope.cancelledCaught, "no cancel point");
    }),

  "sleep(ms) advances the clock by at least ms": (make) =>
    runExplicit(make, async (cx) => {
      const start = currentTime(cx);
      await sleep(25, cx);
      const elapsed = currentTime(cx) - start;
      assert(elapsed >= 25, `elapsed ${elapsed} >= 25`);
      // Short sleeps hold too (see the ambient twin).
      for (let i = 0; i < 20; i++) {
        const t0 = currentTime(cx);
        await sleep(1, cx);
        const slept = currentTime(cx) - t0;
        assert(slept >= 1, `sleep(1) #${i} returned after ${slept} ms`);
      }
    }),

  "sleep(0) and negative delays are checkpoints": (make) =>
    runExplicit(make, async (cx) => {
      assert(await yieldsTo(cx, (s) => sleep(0, s)), "sleep(0) yields");
      assert(await yieldsTo(cx, (s) => sleep(-5, s)), "sleep(-5) yields");
      const scope = new CancelScope();
      await scope.run(async (s) => {
        scope.cancel();
        await sleep(0, s);
      }, cx);
      assert(scope.cancelledCaught, "sleep(0) is a cancel point");
    }),

  "sleep rejects NaN with a RangeError and a non-number with a TypeError": (make) =>
    runExplicit(make, async (cx) => {
      let nan: unknown;
      let str: unknown;
      try {
        await sleep(Number.NaN, cx);
      } catch (e) {
        nan = e;
      }
      try {
        await sleep("10" as never, cx);
      } catch (e) {
        str = e;
      }
      assert(nan instanceof RangeError && /delay/.test(nan.message), "RangeError naming delay");
      assert(str instanceof TypeError && /delay/.test(str.message), "TypeError naming delay");
    }),

  "sleepUntil(deadline) wakes at the deadline, and at once for a past one": (make) =>
    runExplicit(make, async (cx) => {
      const target = currentTime(cx) + 20;
      await sleepUntil(target, cx);
      assert(currentTime(cx) >= target - 1, "woke at the deadline");
      assert(await yieldsTo(cx, (s) => sleepUntil(currentTime(s) - 100, s)), "a past deadline is a checkpoint");
    }),

  "a sleeping task is woken by cancellation and its finally blocks run": (make) =>
    runExplicit(make, async (cx) => {
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        tg.startSoon(async (c) => {
          try {
            await sleepForever(c);
          } finally {
            log.push("finally");
          }
        });
        await checkpoint(tg.cancelScope);
        tg.cancel();
      }, cx);
      assertEqual(log, ["finally"], "cleanup ran");
    }),

  "an operation that throws Cancelled did not happen: a cancelled sleep leaves no timer behind": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      await scope.run(async (s) => {
        await withTaskGroup(async (tg) => {
          tg.startSoon((c) => sleep(60_000, c));
          await checkpoint(tg.cancelScope);
          scope.cancel();
        }, s);
      }, cx);
      assert(scope.cancelledCaught, "cancelled");
    }),

  // The ambient suite's "sleep accepts a foreign AbortSignal" case has no explicit twin: a
  // WaitOptions carries one signal, and a foreign one names no task. What explicit mode promises
  // instead is a clear error rather than an uncancellable wait.
  "a foreign AbortSignal alone names no task: explicit mode throws NoContextError": (make) =>
    runExplicit(make, async () => {
      const controller = new AbortController();
      await assertRejects(() => sleep(60_000, { signal: controller.signal }), NoContextError, "foreign signal only");
    }),
});
