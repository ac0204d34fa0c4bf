/**
 * retainShape: core's per-run objects keep their V8 hidden classes — and the code optimized
 * against them — after a run ends and the heap is collected, so the next run does not start
 * over in slow code (tools/bench measures a full GC before every repetition).
 */
import {
  CancelScope,
  createTaskGroup,
  currentNode,
  failAfter,
  moveOnAfter,
  retainShape,
  run,
  TimerQueue,
  Waiter,
  type TaskContext,
} from "@anyio/core";
import { hiddenClassOutlivesInstances, standardBackends } from "@anyio/testing";
import { describe, expect, it } from "vitest";

/** Runs `body` in an explicit-context run on `backend` and returns what it made, the run finished. */
function madeInRun<T extends object>(backend: (typeof standardBackends)[number], body: (cx: TaskContext) => T): () => Promise<T> {
  return async () => {
    let made: T | undefined;
    await run(
      (cx) => {
        made = body(cx);
      },
      { backend: backend.make(), context: "explicit" },
    );
    return made!;
  };
}

for (const backend of standardBackends) {
  describe(`hidden classes outlive their instances (${backend.name})`, () => {
    it("a task context", async () => {
      expect(await hiddenClassOutlivesInstances(madeInRun(backend, (cx) => cx))).toBe(true);
    });
    it("a CancelScope, moveOnAfter()'s and failAfter()'s scopes", async () => {
      expect(await hiddenClassOutlivesInstances(madeInRun(backend, () => new CancelScope()))).toBe(true);
      expect(await hiddenClassOutlivesInstances(madeInRun(backend, (cx) => moveOnAfter(1000, cx)))).toBe(true);
      expect(await hiddenClassOutlivesInstances(madeInRun(backend, (cx) => failAfter(1000, cx)))).toBe(true);
    });
    it("a task group", async () => {
      expect(await hiddenClassOutlivesInstances(madeInRun(backend, () => createTaskGroup()))).toBe(true);
    });
    it("a Waiter", async () => {
      expect(await hiddenClassOutlivesInstances(madeInRun(backend, (cx) => new Waiter("probe", currentNode(cx, "probe"))))).toBe(true);
    });
  });
}

describe("retainShape()", () => {
  it("keeps a class's hidden class with one instance built by make(), once", async () => {
    let builds = 0;
    class Probe {
      value = 1;
      other = "x";
      constructor() {
        builds++;
        retainShape(Probe, () => new Probe());
      }
    }
    expect(await hiddenClassOutlivesInstances(() => new Probe())).toBe(true);
    new Probe();
    expect(builds).toBe(3); // the first, its retained twin, and the one above
  });

  it("without it, the hidden class dies with its last instance (the probe can tell)", async () => {
    class Unretained {
      value = 1;
    }
    expect(await hiddenClassOutlivesInstances(() => new Unretained())).toBe(false);
  });

  it("a make() that throws leaves the class without a retained instance, and is not retried", () => {
    let attempts = 0;
    class Fragile {
      constructor(arg?: number) {
        retainShape(Fragile, () => {
          attempts++;
          return new Fragile(Number.NaN);
        });
        if (Number.isNaN(arg)) throw new Error("no");
      }
    }
    expect(() => new Fragile(1)).not.toThrow();
    expect(() => new Fragile(2)).not.toThrow();
    expect(attempts).toBe(1);
  });

  it("TimerQueue and its entries keep theirs", async () => {
    expect(await hiddenClassOutlivesInstances(() => new TimerQueue())).toBe(true);
    expect(await hiddenClassOutlivesInstances(() => new TimerQueue().add(10, { onTimer() {} }))).toBe(true);
  });
});
