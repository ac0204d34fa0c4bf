/**
 * Conformance: cancel scopes, deadlines, shields and level-triggered cancellation
 * (DESIGN.md §3, §10).
 */
import {
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
  withTaskGroup,
} from "@anyio/core";
import { assert, assertEqual, assertRejects } from "../assertions.js";
import { defineCases } from "../conformance-case.js";

export const cancelScopeCases = defineCases("cancel scopes", {
  "cancellation is level-triggered: every later checkpoint in the scope throws again": async (make) => {
    await run(async () => {
      let throws = 0;
      const scope = new CancelScope();
      await scope.run(async () => {
        scope.cancel();
        for (let i = 0; i < 3; i++) {
          try {
            await checkpoint();
          } catch (err) {
            if (isCancelled(err)) throws++;
          }
        }
      });
      assertEqual(throws, 3, "checkpoints that threw Cancelled");
      assert(!scope.cancelledCaught, "the body swallowed the cancellations, so the scope caught nothing");
    }, { backend: make() });
  },

  "a scope cancelled before it is entered cancels the body's first checkpoint": async (make) => {
    await run(async () => {
      const scope = new CancelScope();
      scope.cancel("early");
      let reached = false;
      const result = await scope.run(async () => {
        await checkpoint();
        reached = true;
        return 1;
      });
      assertEqual(result, undefined, "run() resolves undefined when the scope absorbed a cancellation");
      assert(!reached, "code after the checkpoint must not run");
      assert(scope.cancelledCaught, "cancelledCaught");
    }, { backend: make() });
  },

  "a body that finishes without a checkpoint is not interrupted by cancel()": async (make) => {
    await run(async () => {
      const scope = new CancelScope();
      const result = await scope.run(() => {
        scope.cancel();
        return "done";
      });
      assertEqual(result, "done", "result");
      assert(scope.cancelCalled && !scope.cancelledCaught, "cancel called, nothing caught");
    }, { backend: make() });
  },

  "a task already woken with a value completes its wait even if cancelled in the same step": async (make) => {
    await run(async () => {
      const scope = new CancelScope();
      let waiter: Waiter<string> | null = null;
      let got: string | undefined;
      let laterCheckpointThrew = false;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await scope.run(async () => {
            waiter = new Waiter<string>("test.wait", currentNode(undefined, "test"));
            got = await waiter.park();
            try {
              await checkpoint();
            } catch (err) {
              laterCheckpointThrew = isCancelled(err);
              throw err;
            }
          });
        });
        while (waiter === null) await checkpoint();
        (waiter as Waiter<string>).wake("value");
        scope.cancel();
      });
      assertEqual(got, "value", "the handed-over value");
      assert(laterCheckpointThrew, "the cancellation arrives at the next checkpoint");
      assert(scope.cancelledCaught, "scope caught it");
    }, { backend: make() });
  },

  "a waiter with onCancelledAfterWake hands a value back when cancelled between wake and resume": async (make) => {
    await run(async () => {
      const scope = new CancelScope();
      let waiter: Waiter<string, string> | null = null;
      const handedBack: string[] = [];
      let outcome: unknown = null;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await scope.run(async () => {
            waiter = new Waiter<string, string>("test.acquire", currentNode(undefined, "test"), {
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
          });
        });
        while (waiter === null) await checkpoint();
        (waiter as Waiter<string, string>).wake("token");
        scope.cancel();
      });
      assertEqual(handedBack.join(), "test.acquire permit-7", "the hand-back ran once, for this waiter, with its payload");
      assert(isCancelled(outcome), "the park rejected with Cancelled instead of resolving");
      assert(scope.cancelledCaught, "scope caught it");
    }, { backend: make() });
  },

  "the waits one cancel() interrupts reject with the same Cancelled": async (make) => {
    await run(async () => {
      const caught: unknown[] = [];
      let parked = 0;
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 3; i++) {
          tg.startSoon(async () => {
            try {
              parked++;
              await sleep(Infinity);
            } catch (err) {
              caught.push(err);
              throw err;
            }
          });
        }
        while (parked < 3) await checkpoint();
        tg.cancel("stop");
      });
      assertEqual(caught.length, 3, "every sleeper was cancelled");
      assert(caught.every((e) => isCancelled(e) && e === caught[0]), "one shared Cancelled");
      assert(String((caught[0] as Error).message).includes("stop"), "it names the reason");
    }, { backend: make() });
  },

  "a shield blocks outer cancellation and unshielding resumes its delivery": async (make) => {
    await run(async () => {
      const outer = new CancelScope();
      const log: string[] = [];
      await outer.run(async () => {
        const inner = new CancelScope({ shield: true });
        await inner.run(async () => {
          outer.cancel();
          await checkpoint();
          log.push("shielded checkpoint passed");
          assertEqual(currentEffectiveDeadline(), Infinity, "deadline inside a shield");
          inner.shield = false;
          try {
            await checkpoint();
            log.push("unshielded checkpoint passed");
          } catch (err) {
            if (!isCancelled(err)) throw err;
            log.push("unshielded checkpoint cancelled");
            throw err;
          }
        });
        log.push("after inner");
      });
      assertEqual(log, ["shielded checkpoint passed", "unshielded checkpoint cancelled"], "log");
      assert(outer.cancelledCaught, "the outer scope caught the cancellation");
    }, { backend: make() });
  },

  "a shield set while a task is parked keeps the wait going; clearing it cancels the wait": async (make) => {
    await run(async () => {
      const outer = new CancelScope();
      const inner = new CancelScope({ shield: true });
      let slept = false;
      await outer.run(async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            await inner.run(async () => {
              await sleep(5);
              slept = true;
              await sleep(10_000);
            });
          });
          await checkpoint();
          outer.cancel();
          // The body is cancelled too; wait for the shielded sleep inside a shield of its own.
          await new CancelScope({ shield: true }).run(async () => {
            while (!slept) await sleep(1);
          });
          inner.shield = false;
        });
      });
      assert(slept, "the shielded sleep completed");
      assert(outer.cancelledCaught, "outer caught");
      assert(!inner.cancelledCaught, "inner must not catch: the cancellation is the outer scope's");
    }, { backend: make() });
  },

  "with nested cancelled scopes the outermost one catches and only it has cancelledCaught": async (make) => {
    await run(async () => {
      const outer = new CancelScope();
      const middle = new CancelScope();
      const inner = new CancelScope();
      await outer.run(() =>
        middle.run(() =>
          inner.run(async () => {
            inner.cancel();
            middle.cancel();
            outer.cancel();
            await checkpoint();
          }),
        ),
      );
      assert(outer.cancelledCaught, "outer caught");
      assert(!middle.cancelledCaught && !inner.cancelledCaught, "inner scopes did not catch");
    }, { backend: make() });
  },

  "inside a shield, the outermost cancelled scope within the shield catches": async (make) => {
    await run(async () => {
      const outer = new CancelScope();
      const shielded = new CancelScope({ shield: true });
      const inner = new CancelScope();
      await outer.run(async () => {
        outer.cancel();
        await shielded.run(() =>
          inner.run(async () => {
            inner.cancel();
            await checkpoint();
          }),
        );
      });
      assert(inner.cancelledCaught, "inner caught (the shield hides the outer cancellation)");
      assert(!outer.cancelledCaught, "the outer body never reached a checkpoint after the shield");
    }, { backend: make() });
  },

  "a deadline moved later while entered avoids the timeout": async (make) => {
    await run(async () => {
      // 50 ms, not less: on a real clock a loaded machine can stall the process between the
      // call and the move below long enough for a shorter deadline to pass first.
      const scope = moveOnAfter(50);
      await scope.run(async () => {
        scope.deadline = currentTime() + 60_000;
        await sleep(100);
      });
      assert(!scope.cancelCalled && !scope.cancelledCaught, "no timeout");
    }, { backend: make() });
  },

  "a deadline moved earlier while entered fires at the new time": async (make) => {
    await run(async () => {
      const scope = new CancelScope();
      const start = currentTime();
      await scope.run(async () => {
        scope.deadline = currentTime() + 10;
        await sleep(60_000);
      });
      assert(scope.cancelledCaught, "timed out");
      assert(currentTime() - start >= 9, "not before the deadline");
      assert(currentTime() - start < 30_000, "long before the sleep would have ended");
    }, { backend: make() });
  },

  "a deadline already past on entry cancels at the first checkpoint": async (make) => {
    await run(async () => {
      const scope = new CancelScope({ deadline: currentTime() - 1 });
      await scope.run(() => checkpoint());
      assert(scope.cancelledCaught, "caught");
      assertEqual(scope.cancelReason, "deadline exceeded", "reason");
    }, { backend: make() });
  },

  "moveOnAfter and failAfter count their deadline from entry, not from the call": async (make) => {
    await run(async () => {
      for (const relative of [moveOnAfter, failAfter]) {
        const scope = relative(50);
        // Before entry: the deadline it would get if entered now (bracketed by the clock).
        let before = currentTime();
        const projected = scope.deadline;
        let after = currentTime();
        assert(projected >= before + 50 && projected <= after + 50, `${relative.name}: projected ${projected} in [${before + 50}, ${after + 50}]`);
        await sleep(20);
        let inside = Number.NaN;
        before = currentTime();
        const entered = scope.run((s) => {
          inside = s.deadline;
        });
        after = currentTime();
        await entered;
        assert(inside >= before + 50 && inside <= after + 50, `${relative.name}: deadline ${inside} in [${before + 50}, ${after + 50}]`);
        assertEqual(scope.deadline, inside, `${relative.name}: the deadline stays fixed after entry`);
      }
    }, { backend: make() });
  },

  "time spent between making failAfter and entering it does not eat into its timeout": async (make) => {
    await run(async () => {
      const scope = failAfter(100);
      await sleep(120);
      assertEqual(await scope.run(async () => {
        await sleep(1);
        return "done";
      }), "done", "the body had its whole 100 ms");
      // Not asserted: that the deadline never fired. On a loaded machine the host timer can run
      // late enough to fire it after the body's 1 ms sleep woke, which changes nothing.
    }, { backend: make() });
  },

  "failAfter throws TimeoutError when its own deadline expires": async (make) => {
    await run(async () => {
      const scope = failAfter(10);
      await assertRejects(() => scope.run(() => sleep(60_000)), TimeoutError, "failAfter");
      assert(scope.cancelledCaught, "the scope caught the cancellation before converting it");
    }, { backend: make() });
  },

  "failAfter does not throw TimeoutError when cancelled explicitly": async (make) => {
    await run(async () => {
      const scope = failAfter(60_000);
      const result = await scope.run(async () => {
        scope.cancel();
        await checkpoint();
        return "unreachable";
      });
      assertEqual(result, undefined, "explicit cancel moves on");
    }, { backend: make() });
  },

  "failAfter does not throw TimeoutError when an outer scope is cancelled": async (make) => {
    await run(async () => {
      const outer = new CancelScope();
      const inner = failAfter(60_000);
      await outer.run(() =>
        inner.run(async () => {
          outer.cancel();
          await sleep(60_000);
        }),
      );
      assert(outer.cancelledCaught, "outer caught");
      assert(!inner.cancelledCaught, "inner did not");
    }, { backend: make() });
  },

  "failAfter passes the body's value through when in time": async (make) => {
    await run(async () => {
      assertEqual(await failAfter(60_000).run(async () => 7), 7, "value");
    }, { backend: make() });
  },

  "currentEffectiveDeadline is the minimum deadline, -Infinity once cancelled, Infinity inside a shield": async (make) => {
    await run(async () => {
      assertEqual(currentEffectiveDeadline(), Infinity, "no deadline");
      const now = currentTime();
      await new CancelScope({ deadline: now + 1000 }).run(async () => {
        await new CancelScope({ deadline: now + 5000 }).run(async () => {
          assertEqual(currentEffectiveDeadline(), now + 1000, "minimum of nested deadlines");
          await new CancelScope({ shield: true }).run(() => {
            assertEqual(currentEffectiveDeadline(), Infinity, "a shield hides outer deadlines");
          });
        });
      });
      const scope = new CancelScope();
      await scope.run(() => {
        scope.cancel();
        assertEqual(currentEffectiveDeadline(), -Infinity, "cancelled");
      });
    }, { backend: make() });
  },

  "a cancel scope can be entered only once": async (make) => {
    await run(async () => {
      const scope = new CancelScope();
      await scope.run(() => undefined);
      await assertRejects(() => scope.run(() => undefined), Error, "second entry");
    }, { backend: make() });
  },

  "cancel() keeps the first reason and reports it in Cancelled's message": async (make) => {
    await run(async () => {
      const scope = new CancelScope();
      let message = "";
      await scope.run(async () => {
        scope.cancel("first");
        scope.cancel("second");
        try {
          await checkpoint();
        } catch (err) {
          message = (err as Error).message;
          throw err;
        }
      });
      assertEqual(scope.cancelReason, "first", "reason");
      assert(message.includes("first"), `message "${message}" names the reason`);
    }, { backend: make() });
  },

  "scope.signal aborts with a Cancelled reason when the scope is cancelled, and not through a shield": async (make) => {
    await run(async () => {
      const outer = new CancelScope();
      await outer.run(async () => {
        const shielded = new CancelScope({ shield: true });
        await shielded.run(async () => {
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
          });
        });
      });
    }, { backend: make() });
  },
});
