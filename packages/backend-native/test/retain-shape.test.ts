/**
 * The native backend's per-run state keeps its V8 hidden class after the run ends, so the
 * code optimized against it (the run queue, checkpoints) survives a full GC between runs.
 */
import type { RunController } from "@anyio/core";
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
