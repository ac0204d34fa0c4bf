/**
 * Deadlines whose timer is set late (see `CancelNode._armDeadlines`): a scope sets its timer at
 * the first park, checkpoint or signal under it, not on entry. These cases make time pass while
 * the body has not waited yet — synchronously, by busy-waiting on the native backend's real
 * clock and by `advance()` on a strict backend's virtual clock — and check that nothing a task
 * can observe differs from a timer set on entry.
 */
import { type Backend, checkpoint, currentTime, moveOnAfter, run, sleep } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { VirtualClock, strictBackend } from "@anyio/backend-strict";
import { describe, expect, it } from "vitest";

interface ClockKit {
  backend: Backend;
  /**
   * The timeout the cases use: long enough on a real clock that a loaded machine does not pass
   * it before the body's first line runs (the cases pass `timeout + 10` ms on purpose).
   */
  timeout: number;
  /** Lets `ms` pass without the calling task waiting. */
  passTime(ms: number): void;
}

const kits: Array<{ name: string; make: () => ClockKit }> = [
  {
    name: "native",
    make: () => ({
      backend: nativeBackend(),
      timeout: 100,
      passTime(ms) {
        const end = currentTime() + ms;
        while (currentTime() < end) {
          // busy: the point is that the task does not wait
        }
      },
    }),
  },
  {
    name: "strict",
    make: () => {
      const clock = new VirtualClock();
      return { backend: strictBackend({ clock }), timeout: 10, passTime: (ms) => clock.advance(ms) };
    },
  },
];

for (const { name, make } of kits) {
  describe(`deadlines set at the first wait [${name}]`, () => {
    it("a deadline that passes before the body first waits cancels at that first checkpoint", async () => {
      const { backend, timeout, passTime } = make();
      let passed = false;
      const scope = moveOnAfter(timeout);
      await run(
        () =>
          scope.run(async () => {
            passTime(timeout + 10);
            await checkpoint();
            passed = true;
          }),
        { backend },
      );
      expect(passed).toBe(false);
      expect(scope.cancelledCaught).toBe(true);
      expect(scope.cancelReason).toBe("deadline exceeded");
    });

    it("cancelCalled reads the clock while the body has not waited yet", async () => {
      const { backend, timeout, passTime } = make();
      const seen: boolean[] = [];
      let clockBefore = true;
      await run(
        () =>
          moveOnAfter(timeout).run((scope) => {
            seen.push(scope.cancelCalled);
            // Read after it: if even this is before the deadline, cancelCalled's own reading was.
            clockBefore = currentTime() < scope.deadline;
            passTime(timeout + 10);
            seen.push(scope.cancelCalled);
          }),
        { backend },
      );
      // (A machine that stalled past the deadline before the first read decides nothing there.)
      if (clockBefore) expect(seen[0]).toBe(false);
      expect(seen[1]).toBe(true);
    });

    it("a signal made under a scope aborts at its deadline while the body awaits nothing of ours", async () => {
      const { backend, timeout, passTime } = make();
      const reasons: unknown[] = [];
      await run(
        () =>
          moveOnAfter(timeout).run(async (scope) => {
            const signal = scope.signal;
            passTime(timeout + 10);
            // A plain promise, not a checkpoint: only the signal can end this wait.
            await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
            reasons.push(signal.reason);
          }),
        { backend },
      );
      expect(reasons).toHaveLength(1);
      expect(String(reasons[0])).toContain("deadline exceeded");
    });

    it("a scope whose signal was made before entry sets its timer on entry", async () => {
      const { backend, timeout, passTime } = make();
      const scope = moveOnAfter(timeout);
      const signal = scope.signal;
      await run(
        () =>
          scope.run(async () => {
            passTime(timeout + 10);
            await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
          }),
        { backend },
      );
      expect(signal.aborted).toBe(true);
      expect(scope.cancelCalled).toBe(true);
    });

    it("a wait inside nested scopes sets the pending deadlines of the scopes around it", async () => {
      const { backend, timeout } = make();
      const outer = moveOnAfter(timeout);
      const inner = moveOnAfter(60_000);
      const elapsed = await run(async () => {
        const t0 = currentTime();
        await outer.run(() => inner.run(() => sleep(120_000)));
        return currentTime() - t0;
      }, { backend });
      expect(outer.cancelledCaught).toBe(true);
      expect(inner.cancelCalled).toBe(false);
      expect(elapsed).toBeLessThan(60_000);
    });
  });
}
