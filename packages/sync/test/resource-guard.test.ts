import { BusyResourceError, sleep, withTaskGroup } from "@anyio/core";
import { ResourceGuard } from "@anyio/sync";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";

describeEachBackend("ResourceGuard", ({ run }) => {
  it("a second concurrent entry throws BusyResourceError naming the action, instead of waiting", () =>
    run(async () => {
      const guard = new ResourceGuard("reading from");
      const errors: unknown[] = [];
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 2; i++) {
          tg.startSoon(async () => {
            try {
              await guard.run(() => sleep(5));
            } catch (err) {
              errors.push(err);
            }
          });
        }
      });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(BusyResourceError);
      expect((errors[0] as Error).message).toBe("Another task is already reading from this resource");
    }));

  it("hold() is a synchronous Disposable; the guard is free again after the block, also on throw", () =>
    run(async () => {
      const guard = new ResourceGuard();
      {
        using _ = guard.hold();
        expect(() => guard.hold()).toThrow("Another task is already using this resource");
      }
      expect(() => {
        using _ = guard.hold();
        throw new Error("boom");
      }).toThrow("boom");
      const held = guard.hold();
      held[Symbol.dispose]();
      held[Symbol.dispose]();
      await expect(guard.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
      expect(await guard.run(() => 3)).toBe(3);
      expect(guard.action).toBe("using");
    }));
});
