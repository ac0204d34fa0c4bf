import { CancelScope, checkpoint, createTaskGroup, run, sleep, withTaskGroup } from "@anyio/core";
import { StepBudgetError, strictBackend } from "@anyio/backend-strict";
import { describe, expect, it } from "vitest";

/** Keeps the loop busy for `ms` real milliseconds without yielding. */
function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

describe("step budget", () => {
  // Budgets are real time: generous numbers keep a loaded machine (a preempted step) from
  // charging an ordinary task before the hog.
  it("fails the run with a StepBudgetError naming a task that hogs the loop", async () => {
    const error = await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await checkpoint();
          busyFor(400);
          await checkpoint();
        }, { name: "hog" });
      });
    }, { backend: strictBackend({ stepBudget: 150, seed: 3 }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepBudgetError);
    const budgetError = error as StepBudgetError;
    expect(budgetError.task.name).toBe("hog");
    expect(budgetError.elapsed).toBeGreaterThanOrEqual(400);
    expect(budgetError.message).toMatch(/Task "hog" \(#\d+\) ran for [\d.]+ ms without reaching a checkpoint \(stepBudget 150 ms\).*seed 3/);
  });

  it("reports to onStepBudgetExceeded instead of failing when one is given", async () => {
    const reported: StepBudgetError[] = [];
    const result = await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => busyFor(400), { name: "hog" });
        tg.startSoon(() => checkpoint(), { name: "polite" });
      });
      return "finished";
    }, { backend: strictBackend({ stepBudget: 150, onStepBudgetExceeded: (e) => void reported.push(e) }) });
    expect(result).toBe("finished");
    expect(reported.map((e) => e.task.name)).toContain("hog");
    expect(reported.map((e) => e.task.name)).not.toContain("polite");
  });

  it("does not count time spent waiting for host timers or I/O as a step", async () => {
    const reported: StepBudgetError[] = [];
    await run(async () => {
      await withTaskGroup(async (tg) => {
        // Waits twice the budget long: counted as a step, they would be reported.
        tg.startSoon(() => sleep(300), { name: "sleeper" });
        tg.startSoon(() => new Promise((resolve) => setTimeout(resolve, 300)), { name: "raw-awaiter" });
      });
    }, { backend: strictBackend({ clock: "real", stepBudget: 150, onStepBudgetExceeded: (e) => void reported.push(e) }) });
    expect(reported.map((e) => e.task.name)).toEqual([]);
  });

  it("rejects a stepBudget that is not a positive number", () => {
    expect(() => strictBackend({ stepBudget: 0 })).toThrow(RangeError);
    expect(() => strictBackend({ stepBudget: Number.NaN })).toThrow(RangeError);
  });
});

describe("core's strict checks surface on the strict backend", () => {
  it("refuses to enter a cancel scope twice", async () => {
    await run(async () => {
      const scope = new CancelScope();
      await scope.run(() => undefined);
      await expect(scope.run(() => undefined)).rejects.toThrow(/only be entered once/);
    }, { backend: strictBackend() });
  });

  it("refuses to start tasks in a task group after it closed", async () => {
    await run(async () => {
      const tg = createTaskGroup();
      await tg.run(() => undefined);
      expect(() => tg.startSoon(() => undefined)).toThrow(/not active/);
    }, { backend: strictBackend() });
  });

  it("refuses a call from a cancel scope that has already exited", async () => {
    await run(async () => {
      let escaped: AbortSignal | undefined;
      await new CancelScope().run((scope) => {
        escaped = scope.signal;
      });
      expect(() => sleep(1, { signal: escaped })).toThrow(/already exited/);
    }, { backend: strictBackend() });
  });
});
