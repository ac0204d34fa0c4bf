import { assert, assertEqual, assertRejects, conformanceCases, deepEqual, defineCases, runConformance } from "@anyio/testing";
import { nativeBackend } from "@anyio/backend-native";
import { describe, expect, it } from "vitest";

describe("runConformance", () => {
  it("reports passing and failing cases without throwing", async () => {
    const cases = defineCases("demo", {
      "passes": async () => undefined,
      "fails": async () => assert(false, "deliberately broken"),
    });
    const seen: string[] = [];
    const report = await runConformance(() => nativeBackend(), { cases, onResult: (r) => void seen.push(`${r.name}:${r.ok}`) });
    expect(seen).toEqual(["passes:true", "fails:false"]);
    expect(report.failed).toHaveLength(1);
    expect(String(report.failed[0]!.error)).toMatch(/deliberately broken/);
  });

  it("filters cases by text or RegExp", async () => {
    const report = await runConformance(() => nativeBackend(), { filter: /^cancel scopes › a cancel scope can be entered only once$/ });
    expect(report.results).toHaveLength(1);
    expect(report.passed).toHaveLength(1);
  });

  it("the suite has a case for every core rule group", () => {
    const groups = new Set(conformanceCases.map((c) => c.group));
    expect([...groups].sort()).toEqual(["cancel scopes", "checkpoints and time", "run and context", "task groups"]);
  });

  it("refuses a factory that is not a function", async () => {
    await expect(runConformance(5 as never)).rejects.toThrow(TypeError);
  });
});

describe("assertions", () => {
  it("deepEqual compares plain data structurally", () => {
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });

  it("assertEqual and assertRejects fail with messages that show the values", async () => {
    expect(() => assertEqual([1], [2], "lists")).toThrow(/lists: expected \[2\], got \[1\]/);
    await expect(assertRejects(async () => 5, TypeError, "x")).rejects.toThrow(/resolved with 5/);
    await expect(assertRejects(async () => { throw new RangeError("r"); }, TypeError, "x")).rejects.toThrow(/got RangeError/);
    const err = await assertRejects(async () => { throw new TypeError("t"); }, TypeError, "x");
    expect(err.message).toBe("t");
  });
});
