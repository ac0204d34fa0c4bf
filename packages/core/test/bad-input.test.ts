import {
  CancelScope,
  failAfter,
  moveOnAfter,
  moveOnAt,
  run,
  sleepUntil,
  withTaskGroup,
  RunVar,
} from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { describe, expect, it } from "vitest";

describe("bad input is refused with a TypeError/RangeError naming the argument", () => {
  it("run()", () => {
    expect(() => run(42 as never, { backend: nativeBackend() })).toThrow(/main must be a function/);
    expect(() => run(async () => 1, undefined as never)).toThrow(/backend/);
    expect(() => run(async () => 1, { backend: {} as never })).toThrow(/options.backend/);
    expect(() => run(async () => 1, { backend: { ...nativeBackend(), contractVersion: 99 } })).toThrow(/contract version/);
    expect(() => run(async () => 1, { backend: nativeBackend(), context: "weird" as never })).toThrow(/options.context/);
  });

  it("cancel scopes and timeouts", () => {
    expect(() => new CancelScope({ deadline: Number.NaN })).toThrow(RangeError);
    expect(() => new CancelScope({ deadline: "soon" as never })).toThrow(/deadline/);
    expect(() => new CancelScope({ shield: 1 as never })).toThrow(/shield/);
    expect(() => moveOnAfter(Number.NaN)).toThrow(/delay must not be NaN/);
    expect(() => failAfter("1" as never)).toThrow(TypeError);
    expect(() => moveOnAt(Number.NaN)).toThrow(RangeError);
    expect(() => new CancelScope().cancel(5 as never)).toThrow(/reason/);
    expect(() => new RunVar(5 as never)).toThrow(/name/);
  });

  it("calls inside a run", async () => {
    await run(async () => {
      await expect(new CancelScope().run(5 as never)).rejects.toThrow(/body must be a function/);
      await expect(withTaskGroup(5 as never)).rejects.toThrow(/body must be a function/);
      expect(() => sleepUntil(Number.NaN)).toThrow(/deadline must not be NaN/);
      await withTaskGroup(async (tg) => {
        expect(() => tg.startSoon(() => undefined, 5 as never)).toThrow(/options must be an object/);
        await expect(tg.start(null as never)).rejects.toThrow(/fn must be a function/);
      });
    }, { backend: nativeBackend() });
  });

  it("a negative delay acts as zero", async () => {
    await run(async () => {
      const scope = moveOnAfter(-10);
      await scope.run(() => undefined);
      expect(scope.deadline).toBeLessThanOrEqual(performance.now());
    }, { backend: nativeBackend() });
  });
});
