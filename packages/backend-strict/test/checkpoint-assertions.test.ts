import { CancelScope, checkpoint, checkpointIfCancelled, cancelShieldedCheckpoint, run as runOn, sleep } from "@anyio/core";
import { strictBackend } from "@anyio/backend-strict";
import { AssertionError, assertCheckpoints, assertNoCheckpoints } from "@anyio/testing";
import { describeEachBackend } from "@anyio/testing/vitest";
import { describe, expect, it } from "vitest";
import { TestEvent } from "./support/test-event.js";

describeEachBackend("assertCheckpoints / assertNoCheckpoints", ({ run }) => {
  it("assertCheckpoints passes for checkpoint() and sleep()", () =>
    run(async () => {
      await assertCheckpoints(() => checkpoint());
      await assertCheckpoints(() => sleep(1));
    }));

  it("assertCheckpoints resolves with the block's value from its normal run", () =>
    run(async () => {
      let calls = 0;
      const value = await assertCheckpoints(async () => {
        calls++;
        await checkpoint();
        return "value";
      });
      expect(value).toBe("value");
      expect(calls).toBe(2);
    }));

  it("assertCheckpoints fails for a block without any await", () =>
    run(async () => {
      await expect(assertCheckpoints(() => 1)).rejects.toThrow(/no cancel point/);
    }));

  it("assertCheckpoints fails for a block with a schedule point but no cancel point", () =>
    run(async () => {
      await expect(assertCheckpoints(() => cancelShieldedCheckpoint())).rejects.toBeInstanceOf(AssertionError);
    }));

  it("assertCheckpoints passes the block's own error through unwrapped", () =>
    run(async () => {
      const boom = new Error("boom");
      let calls = 0;
      const fn = async () => {
        calls++;
        await checkpoint();
        if (calls === 2) throw boom;
      };
      await expect(assertCheckpoints(fn)).rejects.toBe(boom);
    }));

  it("assertNoCheckpoints passes for synchronous work and returns its value", () =>
    run(async () => {
      const event = new TestEvent();
      expect(await assertNoCheckpoints(() => {
        event.set();
        return 5;
      })).toBe(5);
    }));

  it("assertNoCheckpoints fails for a cancel point", () =>
    run(async () => {
      await expect(assertNoCheckpoints(() => checkpointIfCancelled())).rejects.toThrow(/has a cancel point/);
    }));

  it("assertNoCheckpoints fails for a shielded wait (a schedule point without a cancel point)", () =>
    run(async () => {
      await expect(assertNoCheckpoints(() => new CancelScope({ shield: true }).run(() => sleep(1)))).rejects.toThrow(
        /has a schedule point/,
      );
    }));

  it("assertNoCheckpoints fails for any suspension, since other tasks may run meanwhile", () =>
    run(async () => {
      await expect(assertNoCheckpoints(async () => {
        await null;
      })).rejects.toThrow(/has a schedule point/);
    }));
});

describe("checkpoint assertions on the strict backend", () => {
  // Strict's schedule point suspends, so even a bare cancelShieldedCheckpoint() is visible;
  // on native it is an already-resolved promise, indistinguishable from an async no-op.
  it("assertNoCheckpoints sees a bare cancelShieldedCheckpoint()", () =>
    runOn(async () => {
      await expect(assertNoCheckpoints(() => cancelShieldedCheckpoint())).rejects.toThrow(/has a schedule point/);
    }, { backend: strictBackend() }));

  it("assertCheckpoints rejects a cancel point that does not yield, even under a seed", async () => {
    for (const seed of [1, 2, 3]) {
      await runOn(async () => {
        await expect(assertCheckpoints(() => checkpointIfCancelled())).rejects.toThrow(/no schedule point/);
        await assertCheckpoints(() => checkpoint());
      }, { backend: strictBackend({ seed }) });
    }
  });
});
