// How to test application code with @anyio/testing: the same test on every backend
// (native: real time; strict: virtual clock, deterministic), and strict-only tests that lean on
// virtual time. docs/testing.md walks through this file.
import { currentTime, moveOnAfter, run, sleep, TimeoutError } from "@anyio/core";
import { strictBackend } from "@anyio/backend-strict";
import { describeEachBackend } from "@anyio/testing/vitest";
import { describe, expect, it } from "vitest";
import { retryWithBackoff } from "../lib/retry.mjs";

describeEachBackend("retryWithBackoff", ({ run }) => {
  it("returns the first success", () =>
    run(async () => {
      const result = await retryWithBackoff(async (attempt) => {
        if (attempt < 3) throw new Error(`flaky ${attempt}`);
        return `ok on attempt ${attempt}`;
      }, { baseDelay: 5 });
      expect(result).toBe("ok on attempt 3");
    }));

  it("throws the last error once every attempt failed", () =>
    run(async () => {
      let calls = 0;
      const attempt = async () => {
        calls++;
        throw new Error(`failure ${calls}`);
      };
      await expect(retryWithBackoff(attempt, { attempts: 3, baseDelay: 5 })).rejects.toThrow("failure 3");
      expect(calls).toBe(3);
    }));

  it("does not count the caller's cancellation as a failed attempt", () =>
    run(async () => {
      let calls = 0;
      const scope = moveOnAfter(20);
      await scope.run(() => retryWithBackoff(async () => { calls++; await sleep(10_000); }, { baseDelay: 5 }));
      expect(scope.cancelledCaught).toBe(true);
      expect(calls).toBe(1);
    }));
});

describe("retryWithBackoff on the strict backend's virtual clock", () => {
  it("backs off 1, 2, 4, 8 s between five timed-out attempts: 65 s, exactly, at once", async () => {
    const starts: number[] = [];
    const error = await run(async () => {
      const t0 = currentTime();
      return retryWithBackoff(async () => {
        starts.push(currentTime() - t0);
        await sleep(3_600_000);
      }).catch((e: unknown) => e);
    }, { backend: strictBackend() });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(starts).toEqual([0, 11_000, 23_000, 37_000, 55_000]);
  });

  it("behaves the same under every scheduling seed", async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = await run(() => retryWithBackoff(async (n) => (n < 2 ? Promise.reject(new Error("no")) : n)), {
        backend: strictBackend({ seed }),
      });
      expect(result).toBe(2);
    }
  });
});
