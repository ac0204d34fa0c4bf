/**
 * Conformance: task groups, start()/started(), error grouping (DESIGN.md §4, §10).
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
  run,
  sleep,
  sleepForever,
  withTaskGroup,
} from "@anyio/core";
import { assert, assertEqual, assertRejects } from "../assertions.js";
import { defineCases } from "../conformance-case.js";

class Boom extends Error {}

export const taskGroupCases = defineCases("task groups", {
  "leaving the body waits for every child": async (make) => {
    await run(async () => {
      const done: string[] = [];
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          // Both children are still asleep when the body returns. The order they finish in is
          // not the point (a loaded machine can stall 35 ms between the two starts), only that
          // the group waited for both.
          await sleep(40);
          done.push("slow");
        });
        tg.startSoon(async () => {
          await sleep(5);
          done.push("fast");
        });
      });
      assertEqual(done.sort(), ["fast", "slow"], "both children finished before the group exited");
    }, { backend: make() });
  },

  "children start only after the spawning task yields": async (make) => {
    await run(async () => {
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => {
          log.push("child");
        });
        log.push("body before yield");
        await checkpoint();
        log.push("body after yield");
      });
      assertEqual(log, ["body before yield", "child", "body after yield"], "order");
    }, { backend: make() });
  },

  "the first failure cancels the siblings and the body": async (make) => {
    await run(async () => {
      const cancelled: string[] = [];
      const err = await assertRejects(
        () =>
          withTaskGroup(async (tg) => {
            tg.startSoon(async () => {
              try {
                await sleepForever();
              } catch (e) {
                if (isCancelled(e)) cancelled.push("sibling");
                throw e;
              }
            });
            tg.startSoon(async () => {
              await sleep(5);
              throw new Boom("child failed");
            });
            try {
              await sleepForever();
            } catch (e) {
              if (isCancelled(e)) cancelled.push("body");
              throw e;
            }
          }),
        ExceptionGroup,
        "group error",
      );
      assertEqual(cancelled.sort(), ["body", "sibling"], "cancelled");
      assertEqual(err.errors.length, 1, "one failure");
      assert(err.errors[0] instanceof Boom, "the child's error");
    }, { backend: make() });
  },

  "failures of several children are thrown together in an ExceptionGroup": async (make) => {
    await run(async () => {
      const err = await assertRejects(
        () =>
          withTaskGroup(async (tg) => {
            for (const name of ["a", "b"]) {
              tg.startSoon(async () => {
                await new CancelScope({ shield: true }).run(() => sleep(5));
                throw new Boom(name);
              });
            }
          }),
        ExceptionGroup,
        "group",
      );
      assertEqual(err.errors.map((e) => (e as Error).message).sort(), ["a", "b"], "both errors");
      assert(!err.errors.some((e) => isCancelled(e)), "no Cancelled inside the group");
    }, { backend: make() });
  },

  "a failing body is grouped with failing children": async (make) => {
    await run(async () => {
      const err = await assertRejects(
        () =>
          withTaskGroup(async (tg) => {
            tg.startSoon(async () => {
              await new CancelScope({ shield: true }).run(() => checkpoint());
              throw new Boom("child");
            });
            throw new Boom("body");
          }),
        ExceptionGroup,
        "group",
      );
      assertEqual(err.errors.map((e) => (e as Error).message).sort(), ["body", "child"], "errors");
    }, { backend: make() });
  },

  "a group left only by cancellations raises one plain Cancelled that the cancelling scope absorbs": async (make) => {
    await run(async () => {
      const outer = new CancelScope();
      let escaped: unknown;
      await outer.run(async () => {
        try {
          await withTaskGroup(async (tg) => {
            tg.startSoon(() => sleepForever());
            tg.startSoon(() => sleepForever());
            await checkpoint();
            outer.cancel();
          });
        } catch (err) {
          escaped = err;
          throw err;
        }
      });
      assert(escaped instanceof Cancelled, "a plain Cancelled left the group");
      assert(!(escaped instanceof ExceptionGroup), "not a group");
      assert(outer.cancelledCaught, "the outer scope absorbed it");
    }, { backend: make() });
  },

  "tg.cancel() cancels the body and children, and the group's own scope absorbs it": async (make) => {
    await run(async () => {
      const tg = createTaskGroup();
      const result = await tg.run(async () => {
        tg.startSoon(() => sleepForever());
        await checkpoint();
        tg.cancel("enough");
        await sleepForever();
      });
      assertEqual(result, undefined, "run() resolves undefined");
      assert(tg.cancelScope.cancelledCaught, "the group's scope caught");
    }, { backend: make() });
  },

  "start() resolves with the value passed to started() and the child keeps running in the group": async (make) => {
    await run(async () => {
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        const value = await tg.start<number>(async (cx) => {
          cx.started(42);
          await sleep(5);
          log.push("child finished");
        });
        assertEqual(value, 42, "start value");
        log.push("start returned");
      });
      assertEqual(log, ["start returned", "child finished"], "order");
    }, { backend: make() });
  },

  "calling started() twice throws": async (make) => {
    await run(async () => {
      let second: unknown;
      await withTaskGroup(async (tg) => {
        await tg.start(async (cx) => {
          cx.started();
          try {
            cx.started();
          } catch (err) {
            second = err;
          }
        });
      });
      assert(second instanceof Error && /already/.test(second.message), "second started() threw");
    }, { backend: make() });
  },

  "start() throws when the child returns without calling started()": async (make) => {
    await run(async () => {
      await withTaskGroup(async (tg) => {
        const err = await assertRejects(() => tg.start(async () => undefined), Error, "start");
        assert(/started\(\)/.test(err.message), `message names started(): ${err.message}`);
      });
    }, { backend: make() });
  },

  "an error before started() comes out of start() unwrapped and does not fail the group": async (make) => {
    await run(async () => {
      let siblingDone = false;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await sleep(5);
          siblingDone = true;
        });
        const err = await assertRejects(
          () =>
            tg.start(async () => {
              throw new Boom("before started");
            }),
          Boom,
          "start",
        );
        assert(!(err instanceof ExceptionGroup), "unwrapped");
      });
      assert(siblingDone, "the group carried on");
    }, { backend: make() });
  },

  "start() called inside a cancelled inner scope cancels only that child, never the group": async (make) => {
    await run(async () => {
      let siblingDone = false;
      const tg = createTaskGroup();
      await tg.run(async () => {
        tg.startSoon(async () => {
          await sleep(10);
          siblingDone = true;
        });
        const inner = new CancelScope();
        await inner.run(async () => {
          const starting = tg.start(async (cx) => {
            await sleepForever();
            cx.started();
          });
          await checkpoint();
          inner.cancel();
          await starting;
        });
        assert(inner.cancelledCaught, "the inner scope absorbed the child's cancellation");
      });
      assert(siblingDone, "the sibling was not cancelled");
      assert(!tg.cancelScope.cancelCalled, "the group was not cancelled");
    }, { backend: make() });
  },

  "startSoon on a group that is not open throws": async (make) => {
    await run(async () => {
      const tg = new TaskGroup();
      let beforeEntry: unknown;
      try {
        tg.startSoon(() => undefined);
      } catch (err) {
        beforeEntry = err;
      }
      assert(beforeEntry instanceof Error, "not entered yet");
      await tg.run(() => undefined);
      let afterExit: unknown;
      try {
        tg.startSoon(() => undefined);
      } catch (err) {
        afterExit = err;
      }
      assert(afterExit instanceof Error && /not active/.test(afterExit.message), "closed");
    }, { backend: make() });
  },

  "a task group can be entered only once": async (make) => {
    await run(async () => {
      const tg = new TaskGroup();
      await tg.run(() => undefined);
      await assertRejects(() => tg.run(() => undefined), Error, "second entry");
    }, { backend: make() });
  },

  "children may be started while the host waits for the group to finish": async (make) => {
    await run(async () => {
      const log: string[] = [];
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await sleep(5);
          tg.startSoon(async () => {
            await sleep(5);
            log.push("late child");
          });
        });
      });
      assertEqual(log, ["late child"], "the late child ran before the group exited");
    }, { backend: make() });
  },

  "exiting an empty group is a schedule point but not a cancel point": async (make) => {
    await run(async () => {
      const log: string[] = [];
      await withTaskGroup(async (outer) => {
        outer.startSoon(() => {
          log.push("other task ran");
        });
        const scope = new CancelScope();
        await scope.run(async () => {
          scope.cancel();
          await withTaskGroup(() => undefined);
          log.push("empty group exited without Cancelled");
        });
      });
      assertEqual(log, ["other task ran", "empty group exited without Cancelled"], "order");
    }, { backend: make() });
  },

  "tasks carry names and parent ids, and getRunningTasks lists them": async (make) => {
    await run(async () => {
      const root = getCurrentTask();
      assertEqual(root.parentId, null, "the root has no parent");
      await withTaskGroup(async (tg) => {
        let childParent: number | null = -1;
        tg.startSoon(
          async () => {
            childParent = getCurrentTask().parentId;
            await sleepForever();
          },
          { name: "worker" },
        );
        await checkpoint();
        const tasks = getRunningTasks();
        const worker = tasks.find((t) => t.name === "worker");
        assert(worker !== undefined, "worker listed");
        assertEqual(worker!.parentId, root.id, "worker's parent is the host");
        assertEqual(childParent, root.id, "the child sees its parent");
        assert(tasks.some((t) => t.id === root.id), "root listed");
        tg.cancel();
      });
    }, { backend: make() });
  },

  "a start() child's parent is the caller until started(), then the group's host": async (make) => {
    await run(async () => {
      const host = getCurrentTask();
      await withTaskGroup(async (tg) => {
        let callerId = -1;
        let before: number | null = -2;
        let after: number | null = -2;
        await tg.start(async () => {
          await tg.start(async (cx) => {
            before = getCurrentTask().parentId;
            cx.started();
            after = getCurrentTask().parentId;
          });
          callerId = getCurrentTask().id;
        }).catch(() => undefined);
        assertEqual(before, callerId, "before started(): the caller");
        assertEqual(after, host.id, "after started(): the host");
      });
    }, { backend: make() });
  },

  "startSoon rejects a non-function with a TypeError naming the argument": async (make) => {
    await run(async () => {
      await withTaskGroup(async (tg) => {
        let err: unknown;
        try {
          tg.startSoon(42 as never);
        } catch (e) {
          err = e;
        }
        assert(err instanceof TypeError && /fn/.test(err.message), "TypeError naming fn");
      });
    }, { backend: make() });
  },
});
