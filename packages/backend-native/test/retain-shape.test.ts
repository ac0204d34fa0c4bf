/**
 * The native backend's per-run state keeps its V8 hidden class after the run ends, so the
 * code optimized against it (the run queue, checkpoints) survives a full GC between runs.
 */
import type { RunController, TaskInfo } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { hiddenClassOutlivesInstances } from "@anyio/testing";
import { expect, it } from "vitest";

it("a run's backend half (NativeRun) outlives its instances", async () => {
  const make = () => {
    const r = nativeBackend().start({} as RunController);
    r.close();
    return r;
  };
  expect(await hiddenClassOutlivesInstances(make)).toBe(true);
});

it("…and keeps it once the run measured its time slice (a timestamp is a fraction, not a small integer)", async () => {
  const task: TaskInfo = { id: 1, parentId: null, name: "probe" };
  const make = () => {
    const r = nativeBackend().start({} as RunController);
    // Every 64th schedule point reads the clock and files the time in the run (sliceSpent).
    for (let i = 0; i < 64; i++) void r.yieldNow(task);
    r.close();
    return r;
  };
  expect(await hiddenClassOutlivesInstances(make)).toBe(true);
});
