import { awaitCancellable, CancelScope, run, sleep, sleepForever, withTaskGroup } from "@anyio/core";
import { DeadlockError, strictBackend } from "@anyio/backend-strict";
import { describe, expect, it } from "vitest";
import { TestEvent } from "./support/test-event.js";

async function deadlockOf(main: () => Promise<unknown>, seed?: number): Promise<DeadlockError> {
  const error = await run(main, { backend: strictBackend(seed === undefined ? {} : { seed }), name: "main" }).then(
    () => {
      throw new Error("the run should have failed with DeadlockError");
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DeadlockError);
  return error as DeadlockError;
}

/** Two tasks, each waiting for the other's event before setting its own. */
function twoTasksWaitingForEachOther(): () => Promise<void> {
  return async () => {
    const aDone = new TestEvent("aDone.wait");
    const bDone = new TestEvent("bDone.wait");
    await withTaskGroup(async (tg) => {
      tg.startSoon(async () => { await bDone.wait(); aDone.set(); }, { name: "task-a" });
      tg.startSoon(async () => { await aDone.wait(); bDone.set(); }, { name: "task-b" });
    });
  };
}

describe("deadlock detection", () => {
  it("fails two tasks waiting for each other's event with a DeadlockError naming both", async () => {
    const error = await deadlockOf(twoTasksWaitingForEachOther());
    expect(error.message).toMatch(/Deadlock: every task is blocked/);
    expect(error.message).toMatch(/"task-a" \(#\d+\) waits for bDone\.wait/);
    expect(error.message).toMatch(/"task-b" \(#\d+\) waits for aDone\.wait/);
    expect(error.message).toMatch(/"main" \(#\d+\) waits for TaskGroup join/);
  });

  it("shows the task tree, children indented under their parent", async () => {
    const error = await deadlockOf(twoTasksWaitingForEachOther());
    const tree = error.message.slice(error.message.indexOf("Task tree:"));
    expect(tree).toMatch(/\n {2}"main" \(#\d+\) — TaskGroup join\n {4}"task-a" \(#\d+\) — bDone\.wait\n {4}"task-b" \(#\d+\) — aDone\.wait/);
    expect(error.tasks.map((t) => [t.task.name, t.depth, t.waitingFor])).toEqual([
      ["main", 0, "TaskGroup join"],
      ["task-a", 1, "bDone.wait"],
      ["task-b", 1, "aDone.wait"],
    ]);
  });

  it("reports the seed in use, or that there was none", async () => {
    const seeded = await deadlockOf(twoTasksWaitingForEachOther(), 77);
    expect(seeded.seed).toBe(77);
    expect(seeded.message).toContain("seed 77");
    const unseeded = await deadlockOf(twoTasksWaitingForEachOther());
    expect(unseeded.seed).toBeUndefined();
    expect(unseeded.message).toContain("no seed");
  });

  it("cancels the blocked tasks so their finally blocks run before run() rejects", async () => {
    const cleaned: string[] = [];
    await deadlockOf(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          try {
            await sleepForever();
          } finally {
            cleaned.push("sleeper");
          }
        }, { name: "sleeper" });
      });
    });
    expect(cleaned).toEqual(["sleeper"]);
  });

  it("fails the run at once when cleanup deadlocks too", async () => {
    const error = await deadlockOf(async () => {
      try {
        await sleepForever();
      } finally {
        // A shielded wait nobody will end: the second deadlock must not hang either.
        await new CancelScope({ shield: true }).run(() => new TestEvent("cleanup.wait").wait());
      }
    });
    expect(error.message).toMatch(/"main" \(#\d+\) waits for sleepForever/);
  });

  it("does not report a deadlock while a timer is pending", async () => {
    const done = await run(async () => {
      await sleep(1_000);
      return "slept";
    }, { backend: strictBackend() });
    expect(done).toBe("slept");
  });

  it("does not report a deadlock while an external wait is pending", async () => {
    const value = await run(
      () => awaitCancellable(new Promise<number>((resolve) => setTimeout(() => resolve(7), 3))),
      { backend: strictBackend() },
    );
    expect(value).toBe(7);
  });

  it("detects a deadlock on the real clock too", async () => {
    const error = await run(() => new TestEvent().wait(), { backend: strictBackend({ clock: "real" }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlockError);
  });
});
