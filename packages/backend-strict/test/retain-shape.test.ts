/**
 * The strict backend's per-run state and its settings keep their V8 hidden classes after the
 * run ends, so the code optimized against them survives a full GC between runs (tools/bench:
 * spawn + join on this backend threw that code away once per run).
 */
import type { RunController } from "@anyio/core";
import { strictBackend } from "@anyio/backend-strict";
import { hiddenClassOutlivesInstances } from "@anyio/testing";
import { expect, it } from "vitest";

/** A run's backend half, started and closed outside any run. */
function startedRun(): { close(): void } {
  const r = strictBackend().start({} as RunController);
  r.close();
  return r;
}

it("a run's backend half (StrictRun) outlives its instances", async () => {
  expect(await hiddenClassOutlivesInstances(startedRun)).toBe(true);
});

it("the backend's settings, read on every step, outlive theirs", async () => {
  // White-box: the settings object is private to the run; the probe only reads its hidden class.
  const make = () => (startedRun() as unknown as { settings: object }).settings;
  expect(await hiddenClassOutlivesInstances(make)).toBe(true);
});
