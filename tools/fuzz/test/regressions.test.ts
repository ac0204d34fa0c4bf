/**
 * Programs the schedule fuzzer found failing, kept as regression tests (each was shrunk by
 * fast-check and fixed; see tools/fuzz/findings.json).
 */
import { strictBackend } from "@anyio/backend-strict";
import { currentTime, moveOnAfter, run, sleepForever } from "@anyio/core";
import { describe, expect, it } from "vitest";
import { runProgram } from "../src/interpreter.js";
import type { Program } from "../src/program.js";

describe("fuzzer regressions", () => {
  it("strict autojump: a deadline that wakes nobody (behind a shield) does not stop later timers", async () => {
    const t = await run(
      async () => {
        await moveOnAfter(10).run(() => moveOnAfter(20, { shield: true }).run(() => sleepForever()));
        return currentTime();
      },
      { backend: strictBackend({ clock: "virtual" }) },
    );
    expect(Number.isFinite(t)).toBe(true);
  }, 5_000);

  it("strict autojump: Condition.wait in a shielded deadline scope inside an expiring one ends", async () => {
    const program: Program = {
      seed: 0,
      buffer: 0,
      semaphore: 1,
      limiter: 1,
      guard: 5,
      children: [[{ k: "scope", kind: "moveOn", ms: 1, shield: false, body: [{ k: "scope", kind: "moveOn", ms: 2, shield: true, body: [{ k: "condWait" }] }] }], []],
      body: [],
      chaos: [],
    };
    expect((await runProgram(program, 3_000)).violations).toEqual([]);
  }, 5_000);
});
