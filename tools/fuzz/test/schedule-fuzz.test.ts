/**
 * The schedule fuzzer: random programs over scopes, groups, shields, deadlines and the sync
 * primitives, each on the strict backend under its own seed (one in four unseeded, in FIFO
 * order), checked against the model in src/interpreter.ts. FUZZ_RUNS sets the number of
 * programs (default 10,000, `pnpm fuzz --long` runs 100,000); FUZZ_REPLAY='<program json>'
 * runs one program only (see replay.mjs).
 */
import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runProgram } from "../src/interpreter.js";
import { type Program, programArbitrary } from "../src/program.js";

const replay = process.env.FUZZ_REPLAY;
const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
// Only `pnpm fuzz` (run.mjs) records results; a plain test run leaves the tree untouched.
const resultsFile = process.env.FUZZ_RESULTS;

function replayCommand(p: Program): string {
  return `node tools/fuzz/replay.mjs '${JSON.stringify(p)}'`;
}

describe("schedule fuzzer", () => {
  if (replay !== undefined) {
    it("replays one program", async () => {
      const program = JSON.parse(replay) as Program;
      const result = await runProgram(program);
      console.log(JSON.stringify({ program, ...result }, null, 2));
      expect(result.violations).toEqual([]);
    });
    return;
  }

  it(`${runs} random programs keep every invariant of the model`, async () => {
    const started = performance.now();
    let programs = 0;
    let scopes = 0;
    let tasks = 0;
    let absorbed = 0;
    let timeouts = 0;
    let cancelledCheckpoints = 0;
    const seeds: Array<number | null> = [];
    let unseeded = 0;
    const outcomes: Record<string, number> = {};
    let failure: { program: Program; violations: string[] } | null = null;
    const details = await fc.check(
      fc.asyncProperty(programArbitrary(), async (p) => {
        const r = await runProgram(p);
        programs++;
        scopes += r.scopes;
        tasks += r.tasks;
        absorbed += r.absorbed;
        timeouts += r.timeouts;
        cancelledCheckpoints += r.cancelledCheckpoints;
        if (seeds.length < 20) seeds.push(p.seed);
        if (p.seed === null) unseeded++;
        const kind = r.outcome.startsWith("ExceptionGroup") ? "ExceptionGroup" : r.outcome.replace(/\(.*/, "");
        outcomes[kind] = (outcomes[kind] ?? 0) + 1;
        if (r.violations.length > 0) {
          failure = { program: p, violations: r.violations };
          return false;
        }
        return true;
      }),
      { numRuns: runs, seed: process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED) },
    );
    const durationMs = Math.round(performance.now() - started);
    const shrunk = details.failed ? (details.counterexample?.[0] as Program) : null;
    let shrunkViolations: string[] = [];
    if (shrunk !== null) shrunkViolations = (await runProgram(shrunk)).violations;
    if (resultsFile !== undefined) writeFileSync(
      resultsFile,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          requestedRuns: runs,
          programsRun: programs,
          fastCheckSeed: details.seed,
          sampleSchedulingSeeds: seeds,
          unseededPrograms: unseeded,
          scopesEntered: scopes,
          tasksStarted: tasks,
          scopesThatAbsorbedCancellation: absorbed,
          timeoutErrors: timeouts,
          checkpointsThatThrewCancelled: cancelledCheckpoints,
          runOutcomes: outcomes,
          durationMs,
          failed: details.failed,
          counterexample: shrunk,
          violations: shrunkViolations,
        },
        null,
        2,
      ) + "\n",
    );
    if (shrunk !== null) {
      const first = failure as { program: Program; violations: string[] } | null;
      throw new Error(
        `schedule fuzzer: invariant violated (fast-check seed ${details.seed}, scheduling seed ${shrunk.seed ?? "none (FIFO)"})\n` +
          `${shrunkViolations.join("\n")}\nfirst failing program's violations: ${first?.violations.join("; ")}\n` +
          `replay the shrunk program with:\n  ${replayCommand(shrunk)}\n`,
      );
    }
    expect(details.failed).toBe(false);
    // Both scheduling paths ran: seeded shuffles and unseeded FIFO (shared checkpoint entries).
    if (runs >= 100) expect(unseeded).toBeGreaterThan(0);
    if (runs >= 100) expect(unseeded).toBeLessThan(programs);
  }, 600_000);
});
