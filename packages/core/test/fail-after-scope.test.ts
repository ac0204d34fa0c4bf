import { CancelScope, FailAfterScope, TimeoutError, failAfter, failAt, run, sleep } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { describe, expect, it } from "vitest";

// FailAfterScope is a CancelScope by a prototype link, not by `extends` (see its fields' comment).
describe("FailAfterScope", () => {
  it("has a CancelScope's own fields, in the same order (one field list must not drift from the other)", () => {
    expect(Object.keys(new FailAfterScope())).toEqual(Object.keys(new CancelScope()));
    expect(Object.keys(failAfter(10))).toEqual(Object.keys(new CancelScope()));
  });

  it("is a CancelScope: instanceof, the inherited methods and its own constructor", () => {
    for (const scope of [failAfter(10), failAt(0), new FailAfterScope({ shield: true })]) {
      expect(scope).toBeInstanceOf(FailAfterScope);
      expect(scope).toBeInstanceOf(CancelScope);
      expect(scope.constructor).toBe(FailAfterScope);
      expect(scope.cancel).toBe(CancelScope.prototype.cancel);
      expect(scope.run).toBe(CancelScope.prototype.run);
    }
    expect(new CancelScope()).not.toBeInstanceOf(FailAfterScope);
  });

  it("checks its options as CancelScope does, naming itself", () => {
    expect(() => new FailAfterScope(null as never)).toThrow(new TypeError("FailAfterScope(): options must be an object, got null"));
    expect(() => new FailAfterScope({ shield: 1 as never })).toThrow(TypeError);
    expect(new FailAfterScope({ deadline: 5, shield: true })).toMatchObject({ deadline: 5, shield: true });
  });

  it("a subclass of it still throws TimeoutError at its own deadline", async () => {
    class Named extends FailAfterScope {
      label = "named";
    }
    const scope = new Named();
    await run(async () => {
      scope.deadline = 0;
      await expect(scope.run(() => sleep(1_000))).rejects.toBeInstanceOf(TimeoutError);
    }, { backend: nativeBackend() });
    expect(scope).toBeInstanceOf(CancelScope);
    expect(scope.cancelledCaught).toBe(true);
  });
});
