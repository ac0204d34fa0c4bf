/**
 * Conformance, explicit context: the task-group cases of `../conformance/task-groups.ts` with
 * the context passed explicitly (children use their `cx`, a group body uses `tg.cancelScope`).
 */
import {
  CancelScope,
  Cancelled,
  ExceptionGroup,
  TaskGroup,
  checkpoint,
  createTaskGroup,
  getCurrentTask,
  getRunningTasks,
  isCancelled,
  sleep,
  sleepForever,
  withTaskGroup,
} from "@anyio/core";
import { assert, assertEqual, assertRejects } from "../assertions.js";
import { defineCases } from "../conformance-case.js";
import { runExplicit } from "./cancel-scopes.js";

class Boom extends Error {}

export const explicitTaskGroupCases = defineCases("task groups (explicit context)", {
  "leaving the body waits for every child": (make) =>
    runExplicit(make, async (cx) => {
      const done: string[] = [];
      await withTaskGroup(async (tg) => {
        tg.startSoon(async (c) => {
          // Both children are still asleep when the body returns. The order they finish in is
          // not the point (a loaded machine can stall 35 ms between the two starts), only that
          // the group waited for both.
          await sleep(40, c);
          done.push("slow");
        });
        tg.startSoon(async (c) => {
          await sleep(5, c);
          done.push("fast");
        });
      }, cx);
      assertEqual(done.sort(), ["fast", "slow"], "both children finished before the group exited");
    }),

  "children start only after the spawning task yields": (make) =>
    runExplicit(make, async (cx) => {
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => {
          log.push("child");
        });
        log.push("body before yield");
        await checkpoint(tg.cancelScope);
        log.push("body after yield");
      }, cx);
      assertEqual(log, ["body before yield", "child", "body after yield"], "order");
    }),

  "the first failure cancels the siblings and the body": (make) =>
    runExplicit(make, async (cx) => {
      const cancelled: string[] = [];
      const err = await assertRejects(
        () =>
          withTaskGroup(async (tg) => {
            tg.startSoon(async (c) => {
              try {
                await sleepForever(c);
              } catch (e) {
                if (isCancelled(e)) cancelled.push("sibling");
                throw e;
              }
            });
            tg.startSoon(async (c) => {
              await sleep(5, c);
              throw new Boom("child failed");
            });
            try {
              await sleepForever(tg.cancelScope);
            } catch (e) {
              if (isCancelled(e)) cancelled.push("body");
              throw e;
            }
          }, cx),
        ExceptionGroup,
        "group error",
      );
      assertEqual(cancelled.sort(), ["body", "sibling"], "cancelled");
      assertEqual(err.errors.length, 1, "one failure");
      assert(err.errors[0] instanceof Boom, "the child's error");
    }),

  "failures of several children are thrown together in an ExceptionGroup": (make) =>
    runExplicit(make, async (cx) => {
      const err = await assertRejects(
        () =>
          withTaskGroup(async (tg) => {
            for (const name of ["a", "b"]) {
              tg.startSoon(async (c) => {
                await new CancelScope({ shield: true }).run((s) => sleep(5, s), c);
                throw new Boom(name);
              });
            }
          }, cx),
        ExceptionGroup,
        "group",
      );
      assertEqual(err.errors.map((e) => (e as Error).message).sort(), ["a", "b"], "both errors");
      assert(!err.errors.some((e) => isCancelled(e)), "no Cancelled inside the group");
    }),

  "a failing body is grouped with failing children": (make) =>
    runExplicit(make, async (cx) => {
      const err = await assertRejects(
        () =>
          withTaskGroup(async (tg) => {
            tg.startSoon(async (c) => {
              await new CancelScope({ shield: true }).run((s) => checkpoint(s), c);
              throw new Boom("child");
            });
            throw new Boom("body");
          }, cx),
        ExceptionGroup,
        "group",
      );
      assertEqual(err.errors.map((e) => (e as Error).message).sort(), ["body", "child"], "errors");
    }),

  "a group left only by cancellations raises one plain Cancelled that the cancelling scope absorbs": (make) =>
    runExplicit(make, async (cx) => {
      const outer = new CancelScope();
      let escaped: unknown;
      await outer.run(async (o) => {
        try {
          await withTaskGroup(async (tg) => {
            tg.startSoon((c) => sleepForever(c));
            tg.startSoon((c) => sleepForever(c));
            await checkpoint(tg.cancelScope);
            outer.cancel();
          }, o);
        } catch (err) {
          escaped = err;
          throw err;
        }
      }, cx);
      assert(escaped instanceof Cancelled, "a plain Cancelled left the group");
      assert(!(escaped instanceof ExceptionGroup), "not a group");
      assert(outer.cancelledCaught, "the outer scope absorbed it");
    }),

  "tg.cancel() cancels the body and children, and the group's own scope absorbs it": (make) =>
    runExplicit(make, async (cx) => {
      const tg = createTaskGroup();
      const result = await tg.run(async () => {
        tg.startSoon((c) => sleepForever(c));
        await checkpoint(tg.cancelScope);
        tg.cancel("enough");
        await sleepForever(tg.cancelScope);
      }, cx);
      assertEqual(result, undefined, "run() resolves undefined");
      assert(tg.cancelScope.cancelledCaught, "the group's scope caught");
    }),

  "start() resolves with the value passed to started() and the child keeps running in the group": (make) =>
    runExplicit(make, async (cx) => {
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        const value = await tg.start<number>(async (c) => {
          c.started(42);
          await sleep(5, c);
          log.push("child finished");
        }, { signal: tg.signal });
        assertEqual(value, 42, "start value");
        log.push("start returned");
      }, cx);
      assertEqual(log, ["start returned", "child finished"], "order");
    }),

  "calling started() twice throws": (make) =>
    runExplicit(make, async (cx) => {
      let second: unknown;
      await withTaskGroup(async (tg) => {
        await tg.start(async (c) => {
          c.started();
          try {
            c.started();
          } catch (err) {
            second = err;
          }
        }, { signal: tg.signal });
      }, cx);
      assert(second instanceof Error && /already/.test(second.message), "second started() threw");
    }),

  "start() throws when the child returns without calling started()": (make) =>
    runExplicit(make, async (cx) => {
      await withTaskGroup(async (tg) => {
        const err = await assertRejects(() => tg.start(async () => undefined, { signal: tg.signal }), Error, "start");
        assert(/started\(\)/.test(err.message), `message names started(): ${err.message}`);
      }, cx);
    }),

  "an error before started() comes out of start() unwrapped and does not fail the group": (make) =>
    runExplicit(make, async (cx) => {
      let siblingDone = false;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async (c) => {
          await sleep(5, c);
          siblingDone = true;
        });
        const err = await assertRejects(
          () =>
            tg.start(async () => {
              throw new Boom("before started");
            }, { signal: tg.signal }),
          Boom,
          "start",
        );
        assert(!(err instanceof ExceptionGroup), "unwrapped");
      }, cx);
      assert(siblingDone, "the group carried on");
    }),

  "start() called inside a cancelled inner scope cancels only that child, never the group": (make) =>
    runExplicit(make, async (cx) => {
      let siblingDone = false;
      const tg = createTaskGroup();
      await tg.run(async () => {
        tg.startSoon(async (c) => {
          await sleep(10, c);
          siblingDone = true;
        });
        const inner = new CancelScope();
        await inner.run(async (i) => {
          const starting = tg.start(async (c) => {
            await sleepForever(c);
            c.started();
          }, { signal: i.signal });
          await checkpoint(i);
          inner.cancel();
          await starting;
        }, tg.cancelScope);
        assert(inner.cancelledCaught, "the inner scope absorbed the child's cancellation");
      }, cx);
      assert(siblingDone, "the sibling was not cancelled");
      assert(!tg.cancelScope.cancelCalled, "the group was not cancelled");
    }),

  "startSoon on a group that is not open throws": (make) =>
    runExplicit(make, async (cx) => {
      const tg = new TaskGroup();
      let beforeEntry: unknown;
      try {
        tg.startSoon(() => undefined);
      } catch (err) {
        beforeEntry = err;
      }
      assert(beforeEntry instanceof Error, "not entered yet");
      await tg.run(() => undefined, cx);
      let afterExit: unknown;
      try {
        tg.startSoon(() => undefined);
      } catch (err) {
        afterExit = err;
      }
      assert(afterExit instanceof Error && /not active/.test(afterExit.message), "closed");
    }),

  "a task group can be entered only once": (make) =>
    runExplicit(make, async (cx) => {
      const tg = new TaskGroup();
      await tg.run(() => undefined, cx);
      await assertRejects(() => tg.run(() => undefined, cx), Error, "second entry");
    }),

  "children may be started while the host waits for the group to finish": (make) =>
    runExplicit(make, async (cx) => {
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        tg.startSoon(async (c) => {
          await sleep(5, c);
          tg.startSoon(async (late) => {
            await sleep(5, late);
            log.push("late child");
          });
        });
      }, cx);
      assertEqual(log, ["late child"], "the late child ran before the group exited");
    }),

  "exiting an empty group is a schedule point but not a cancel point": (make) =>
    runExplicit(make, async (cx) => {
      const log: string[] = [];
      await withTaskGroup(async (outer) => {
        outer.startSoon(() => {
          log.push("other task ran");
        });
        const scope = new CancelScope();
        await scope.run(async (s) => {
          scope.cancel();
          await withTaskGroup(() => undefined, s);
          log.push("empty group exited without Cancelled");
        }, outer.cancelScope);
      }, cx);
      assertEqual(log, ["other task ran", "empty group exited without Cancelled"], "order");
    }),

  "tasks carry names and parent ids, and getRunningTasks lists them": (make) =>
    runExplicit(make, async (cx) => {
      const root = getCurrentTask(cx);
      assertEqual(root.parentId, null, "the root has no parent");
      assertEqual(root.id, cx.id, "cx is the current task");
      await withTaskGroup(async (tg) => {
        let childParent: number | null = -1;
        tg.startSoon(
          async (c) => {
            childParent = getCurrentTask(c).parentId;
            await sleepForever(c);
          },
          { name: "worker" },
        );
        await checkpoint(tg.cancelScope);
        const tasks = getRunningTasks(tg.cancelScope);
        const worker = tasks.find((t) => t.name === "worker");
        assert(worker !== undefined, "worker listed");
        assertEqual(worker!.parentId, root.id, "worker's parent is the host");
        assertEqual(childParent, root.id, "the child sees its parent");
        assert(tasks.some((t) => t.id === root.id), "root listed");
        tg.cancel();
      }, cx);
    }),

  "a start() child's parent is the caller until started(), then the group's host": (make) =>
    runExplicit(make, async (cx) => {
      const host = getCurrentTask(cx);
      await withTaskGroup(async (tg) => {
        let callerId = -1;
        let before: number | null = -2;
        let after: number | null = -2;
        await tg
          .start(async (caller) => {
            await tg.start(async (c) => {
              before = getCurrentTask(c).parentId;
              c.started();
              after = getCurrentTask(c).parentId;
            }, { signal: caller.signal });
            callerId = getCurrentTask(caller).id;
          }, { signal: tg.signal })
          .catch(() => undefined);
        assertEqual(before, callerId, "before started(): the caller");
        assertEqual(after, host.id, "after started(): the host");
      }, cx);
    }),

  "startSoon rejects a non-function with a TypeError naming the argument": (make) =>
    runExplicit(make, async (cx) => {
      await withTaskGroup(async (tg) => {
        let err: unknown;
        try {
          tg.startSoon(42 as never);
        } catch (e) {
          err = e;
        }
        assert(err instanceof TypeError && /fn/.test(err.message), "TypeError naming fn");
      }, cx);
    }),
});
