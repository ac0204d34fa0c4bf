/**
 * Conformance, explicit context: the cancel-scope cases of `../conformance/cancel-scopes.ts`
 * with the context passed to every call (`cx`, a scope, or `tg.cancelScope`) and
 * `run(main, { context: "explicit" })`, so they hold where there is no AsyncLocalStorage
 * (browsers) as well as everywhere else.
 */
import {
  type Backend,
  CancelScope,
  Cancelled,
  TimeoutError,
  Waiter,
  checkpoint,
  currentEffectiveDeadline,
  currentNode,
  currentTime,
  failAfter,
  isCancelled,
  moveOnAfter,
  run,
  sleep,
  sleepForever,
  type TaskContext,
  withTaskGroup,
} from "@anyio/core";
import { assert, assertEqual, assertRejects } from "../assertions.js";
import { defineCases } from "../conformance-case.js";

/** `run(main, { backend, context: "explicit" })`. */
export function runExplicit<T>(make: () => Backend, main: (cx: TaskContext) => Promise<T>): Promise<T> {
  return run(main, { backend: make(), context: "explicit" });
}

export const explicitCancelScopeCases = defineCases("cancel scopes (explicit context)", {
  "cancellation is level-triggered: every later checkpoint in the scope throws again": (make) =>
    runExplicit(make, async (cx) => {
      let throws = 0;
      const scope = new CancelScope();
      await scope.run(async (s) => {
        scope.cancel();
        for (let i = 0; i < 3; i++) {
          try {
            await checkpoint(s);
          } catch (err) {
            if (isCancelled(err)) throws++;
          }
        }
      }, cx);
      assertEqual(throws, 3, "checkpoints that threw Cancelled");
      assert(!scope.cancelledCaught, "the body swallowed the cancellations, so the scope caught nothing");
    }),

  "a scope cancelled before it is entered cancels the body's first checkpoint": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      scope.cancel("early");
      let reached = false;
      const result = await scope.run(async (s) => {
        await checkpoint(s);
        reached = true;
        return 1;
      }, cx);
      assertEqual(result, undefined, "run() resolves undefined when the scope absorbed a cancellation");
      assert(!reached, "code after the checkpoint must not run");
      assert(scope.cancelledCaught, "cancelledCaught");
    }),

  "a body that finishes without a checkpoint is not interrupted by cancel()": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      const result = await scope.run(() => {
        scope.cancel();
        return "done";
      }, cx);
      assertEqual(result, "done", "result");
      assert(scope.cancelCalled && !scope.cancelledCaught, "cancel called, nothing caught");
    }),

  "a task already woken with a value completes its wait even if cancelled in the same step": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      let waiter: Waiter<string> | null = null;
      let got: string | undefined;
      let laterCheckpointThrew = false;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async (child) => {
          await scope.run(async (s) => {
            waiter = new Waiter<string>("test.wait", currentNode(s, "test"));
            got = await waiter.park();
            try {
              await checkpoint(s);
            } catch (err) {
              laterCheckpointThrew = isCancelled(err);
              throw err;
            }
          }, child);
        });
        while (waiter === null) await checkpoint(tg.cancelScope);
        (waiter as Waiter<string>).wake("value");
        scope.cancel();
      }, cx);
      assertEqual(got, "value", "the handed-over value");
      assert(laterCheckpointThrew, "the cancellation arrives at the next checkpoint");
      assert(scope.cancelledCaught, "scope caught it");
    }),

  "a waiter with onCancelledAfterWake hands a value back when cancelled between wake and resume": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      let waiter: Waiter<string, string> | null = null;
      const handedBack: string[] = [];
      let outcome: unknown = null;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async (child) => {
          await scope.run(async (s) => {
            waiter = new Waiter<string, string>("test.acquire", currentNode(s, "test"), {
              payload: "permit-7",
              onCancelledAfterWake: (w) => handedBack.push(`${w.what} ${w.payload}`),
            });
            try {
              await waiter.park();
              outcome = "resolved";
            } catch (err) {
              outcome = err;
              throw err;
            }
          }, child);
        });
        while (waiter === null) await checkpoint(tg.cancelScope);
        (waiter as Waiter<string, string>).wake("token");
        scope.cancel();
      }, cx);
      assertEqual(handedBack.join(), "test.acquire permit-7", "the hand-back ran once, for this waiter, with its payload");
      assert(isCancelled(outcome), "the park rejected with Cancelled instead of resolving");
      assert(scope.cancelledCaught, "scope caught it");
    }),

  "the waits one cancel() interrupts reject with the same Cancelled": (make) =>
    runExplicit(make, async (cx) => {
      const caught: unknown[] = [];
      let parked = 0;
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 3; i++) {
          tg.startSoon(async (child) => {
            try {
              parked++;
              await sleep(Infinity, child);
            } catch (err) {
              caught.push(err);
              throw err;
            }
          });
        }
        while (parked < 3) await checkpoint(tg.cancelScope);
        tg.cancel("stop");
      }, cx);
      assertEqual(caught.length, 3, "every sleeper was cancelled");
      assert(caught.every((e) => isCancelled(e) && e === caught[0]), "one shared Cancelled");
      assert(String((caught[0] as Error).message).includes("stop"), "it names the reason");
    }),

  "a shield blocks outer cancellation and unshielding resumes its delivery": (make) =>
    runExplicit(make, async (cx) => {
      const outer = new CancelScope();
      const log: string[] = [];
      await outer.run(async (o) => {
        const inner = new CancelScope({ shield: true });
        await inner.run(async (i) => {
          outer.cancel();
          await checkpoint(i);
          log.push("shielded checkpoint passed");
          assertEqual(currentEffectiveDeadline(i), Infinity, "deadline inside a shield");
          inner.shield = false;
          try {
            await checkpoint(i);
            log.push("unshielded checkpoint passed");
          } catch (err) {
            if (!isCancelled(err)) throw err;
            log.push("unshielded checkpoint cancelled");
            throw err;
          }
        }, o);
        log.push("after inner");
      }, cx);
      assertEqual(log, ["shielded checkpoint passed", "unshielded checkpoint cancelled"], "log");
      assert(outer.cancelledCaught, "the outer scope caught the cancellation");
    }),

  "a shield set while a task is parked keeps the wait going; clearing it cancels the wait": (make) =>
    runExplicit(make, async (cx) => {
      const outer = new CancelScope();
      const inner = new CancelScope({ shield: true });
      let slept = false;
      await outer.run(async (o) => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async (child) => {
            await inner.run(async (i) => {
              await sleep(5, i);
              slept = true;
              await sleep(10_000, i);
            }, child);
          });
          await checkpoint(tg.cancelScope);
          outer.cancel();
          // The body is cancelled too; wait for the shielded sleep inside a shield of its own.
          await new CancelScope({ shield: true }).run(async (s) => {
            while (!slept) await sleep(1, s);
          }, tg.cancelScope);
          inner.shield = false;
        }, o);
      }, cx);
      assert(slept, "the shielded sleep completed");
      assert(outer.cancelledCaught, "outer caught");
      assert(!inner.cancelledCaught, "inner must not catch: the cancellation is the outer scope's");
    }),

  "with nested cancelled scopes the outermost one catches and only it has cancelledCaught": (make) =>
    runExplicit(make, async (cx) => {
      const outer = new CancelScope();
      const middle = new CancelScope();
      const inner = new CancelScope();
      await outer.run(
        (o) =>
          middle.run(
            (m) =>
              inner.run(async (i) => {
                inner.cancel();
                middle.cancel();
                outer.cancel();
                await checkpoint(i);
              }, m),
            o,
          ),
        cx,
      );
      assert(outer.cancelledCaught, "outer caught");
      assert(!middle.cancelledCaught && !inner.cancelledCaught, "inner scopes did not catch");
    }),

  "inside a shield, the outermost cancelled scope within the shield catches": (make) =>
    runExplicit(make, async (cx) => {
      const outer = new CancelScope();
      const shielded = new CancelScope({ shield: true });
      const inner = new CancelScope();
      await outer.run(async (o) => {
        outer.cancel();
        await shielded.run(
          (s) =>
            inner.run(async (i) => {
              inner.cancel();
              await checkpoint(i);
            }, s),
          o,
        );
      }, cx);
      assert(inner.cancelledCaught, "inner caught (the shield hides the outer cancellation)");
      assert(!outer.cancelledCaught, "the outer body never reached a checkpoint after the shield");
    }),

  "a deadline moved later while entered avoids the timeout": (make) =>
    runExplicit(make, async (cx) => {
      // 50 ms, not less: see the ambient twin.
      const scope = moveOnAfter(50, { signal: cx.signal });
      await scope.run(async (s) => {
        scope.deadline = currentTime(s) + 60_000;
        await sleep(100, s);
      }, cx);
      assert(!scope.cancelCalled && !scope.cancelledCaught, "no timeout");
    }),

  "a deadline moved earlier while entered fires at the new time": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      const start = currentTime(cx);
      await scope.run(async (s) => {
        scope.deadline = currentTime(s) + 10;
        await sleep(60_000, s);
      }, cx);
      assert(scope.cancelledCaught, "timed out");
      assert(currentTime(cx) - start >= 9, "not before the deadline");
      assert(currentTime(cx) - start < 30_000, "long before the sleep would have ended");
    }),

  "a deadline already past on entry cancels at the first checkpoint": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope({ deadline: currentTime(cx) - 1 });
      await scope.run((s) => checkpoint(s), cx);
      assert(scope.cancelledCaught, "caught");
      assertEqual(scope.cancelReason, "deadline exceeded", "reason");
    }),

  "moveOnAfter and failAfter count their deadline from entry, not from the call": (make) =>
    runExplicit(make, async (cx) => {
      for (const relative of [moveOnAfter, failAfter]) {
        const scope = relative(50, cx);
        // Before entry: the deadline it would get if entered now (bracketed by the clock).
        let before = currentTime(cx);
        const projected = scope.deadline;
        let after = currentTime(cx);
        assert(projected >= before + 50 && projected <= after + 50, `${relative.name}: projected ${projected} in [${before + 50}, ${after + 50}]`);
        assertEqual(relative(50).deadline, Infinity, `${relative.name}: with no context given there is no clock to project from`);
        await sleep(20, cx);
        let inside = Number.NaN;
        before = currentTime(cx);
        const entered = scope.run((s) => {
          inside = s.deadline;
        }, cx);
        after = currentTime(cx);
        await entered;
        assert(inside >= before + 50 && inside <= after + 50, `${relative.name}: deadline ${inside} in [${before + 50}, ${after + 50}]`);
        assertEqual(scope.deadline, inside, `${relative.name}: the deadline stays fixed after entry`);
      }
    }),

  "time spent between making failAfter and entering it does not eat into its timeout": (make) =>
    runExplicit(make, async (cx) => {
      const scope = failAfter(100, cx);
      await sleep(120, cx);
      assertEqual(await scope.run(async (s) => {
        await sleep(1, s);
        return "done";
      }, cx), "done", "the body had its whole 100 ms");
      // Not asserted: that the deadline never fired. On a loaded machine the host timer can run
      // late enough to fire it after the body's 1 ms sleep woke, which changes nothing.
    }),

  "failAfter throws TimeoutError when its own deadline expires": (make) =>
    runExplicit(make, async (cx) => {
      const scope = failAfter(10, { signal: cx.signal });
      await assertRejects(() => scope.run((s) => sleep(60_000, s), cx), TimeoutError, "failAfter");
      assert(scope.cancelledCaught, "the scope caught the cancellation before converting it");
    }),

  "failAfter does not throw TimeoutError when cancelled explicitly": (make) =>
    runExplicit(make, async (cx) => {
      const scope = failAfter(60_000, { signal: cx.signal });
      const result = await scope.run(async (s) => {
        scope.cancel();
        await checkpoint(s);
        return "unreachable";
      }, cx);
      assertEqual(result, undefined, "explicit cancel moves on");
    }),

  "failAfter does not throw TimeoutError when an outer scope is cancelled": (make) =>
    runExplicit(make, async (cx) => {
      const outer = new CancelScope();
      const inner = failAfter(60_000, { signal: cx.signal });
      await outer.run(
        (o) =>
          inner.run(async (i) => {
            outer.cancel();
            await sleep(60_000, i);
          }, o),
        cx,
      );
      assert(outer.cancelledCaught, "outer caught");
      assert(!inner.cancelledCaught, "inner did not");
    }),

  "failAfter passes the body's value through when in time": (make) =>
    runExplicit(make, async (cx) => {
      assertEqual(await failAfter(60_000, { signal: cx.signal }).run(async () => 7, cx), 7, "value");
    }),

  "currentEffectiveDeadline is the minimum deadline, -Infinity once cancelled, Infinity inside a shield": (make) =>
    runExplicit(make, async (cx) => {
      assertEqual(currentEffectiveDeadline(cx), Infinity, "no deadline");
      const now = currentTime(cx);
      await new CancelScope({ deadline: now + 1000 }).run(async (a) => {
        await new CancelScope({ deadline: now + 5000 }).run(async (b) => {
          assertEqual(currentEffectiveDeadline(b), now + 1000, "minimum of nested deadlines");
          await new CancelScope({ shield: true }).run((s) => {
            assertEqual(currentEffectiveDeadline(s), Infinity, "a shield hides outer deadlines");
          }, b);
        }, a);
      }, cx);
      const scope = new CancelScope();
      await scope.run((s) => {
        scope.cancel();
        assertEqual(currentEffectiveDeadline(s), -Infinity, "cancelled");
      }, cx);
    }),

  "a cancel scope can be entered only once": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      await scope.run(() => undefined, cx);
      await assertRejects(() => scope.run(() => undefined, cx), Error, "second entry");
    }),

  "cancel() keeps the first reason and reports it in Cancelled's message": (make) =>
    runExplicit(make, async (cx) => {
      const scope = new CancelScope();
      let message = "";
      await scope.run(async (s) => {
        scope.cancel("first");
        scope.cancel("second");
        try {
          await checkpoint(s);
        } catch (err) {
          message = (err as Error).message;
          throw err;
        }
      }, cx);
      assertEqual(scope.cancelReason, "first", "reason");
      assert(message.includes("first"), `message "${message}" names the reason`);
    }),

  "scope.signal aborts with a Cancelled reason when the scope is cancelled, and not through a shield": (make) =>
    runExplicit(make, async (cx) => {
      const outer = new CancelScope();
      await outer.run(async (o) => {
        const shielded = new CancelScope({ shield: true });
        await shielded.run(async (s) => {
          const inner = new CancelScope();
          await inner.run(async () => {
            const outerSignal = outer.signal;
            const innerSignal = inner.signal;
            outer.cancel();
            assert(outerSignal.aborted, "outer signal aborted");
            assert(outerSignal.reason instanceof Cancelled, "reason is Cancelled");
            assert(!innerSignal.aborted, "a shield keeps the inner signal alive");
            inner.cancel();
            assert(innerSignal.aborted, "inner signal aborted by its own cancel");
          }, s);
        }, o);
      }, cx);
    }),

  "a scope's signal given as { signal } names the context, as the scope itself does": (make) =>
    runExplicit(make, async (cx) => {
      const scope = moveOnAfter(5, { signal: cx.signal });
      await scope.run(async (s) => {
        await sleepForever({ signal: s.signal });
      }, { signal: cx.signal });
      assert(scope.cancelledCaught, "the deadline cancelled a sleep that was given only the scope's signal");
    }),
});
