import { Cancelled, CancelScope, ClosedResourceError, awaitCancellable, waitAllTasksBlocked, withTaskGroup } from "@anyio/core";
import { cancelOnSignals, openSignalReceiver, SignalReceiver } from "@anyio/process";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";

/** Waits forever on the outside world (as a real program waiting on I/O would). */
const foreverExternal = () => awaitCancellable(new Promise<never>(() => {}));

describeEachBackend("openSignalReceiver", ({ run }) => {
  it("receives a real SIGUSR2 sent to this process", () =>
    run(async () => {
      using signals = openSignalReceiver("SIGUSR2");
      expect(signals).toBeInstanceOf(SignalReceiver);
      process.kill(process.pid, "SIGUSR2");
      expect(await signals.receive()).toBe("SIGUSR2");
      process.kill(process.pid, "SIGUSR2");
      for await (const sig of signals) {
        expect(sig).toBe("SIGUSR2");
        break;
      }
    }));

  it("closing removes its handler and restores the previous ones", () =>
    run(async () => {
      const before = process.listeners("SIGUSR2");
      const other = () => {};
      process.on("SIGUSR2", other);
      try {
        const signals = openSignalReceiver("SIGUSR2", "SIGHUP");
        expect(process.listenerCount("SIGUSR2")).toBe(before.length + 2);
        expect(process.listenerCount("SIGHUP")).toBe(1);
        await signals.aclose();
        await signals.aclose(); // idempotent
        expect(process.listeners("SIGUSR2")).toEqual([...before, other]);
        expect(process.listenerCount("SIGHUP")).toBe(0);
      } finally {
        process.off("SIGUSR2", other);
      }
    }));

  it("a receive parked in another task throws ClosedResourceError when closed; later ones too", () =>
    run(async () => {
      const signals = openSignalReceiver("SIGUSR2");
      let error: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          error = await signals.receive().catch((e: unknown) => e);
        });
        await waitAllTasksBlocked();
        signals.close();
      });
      expect(error).toBeInstanceOf(ClosedResourceError);
      await expect(signals.receive()).rejects.toBeInstanceOf(ClosedResourceError);
    }));

  it("a receive is a cancel point", () =>
    run(async () => {
      using signals = openSignalReceiver("SIGUSR2");
      const scope = new CancelScope();
      let error: unknown;
      await scope.run(async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async () => {
            try {
              await signals.receive();
            } catch (err) {
              error = err;
              throw err;
            }
          });
          await waitAllTasksBlocked();
          scope.cancel();
        });
      });
      expect(error).toBeInstanceOf(Cancelled);
      // The signal that comes later is still delivered to the next receive.
      process.kill(process.pid, "SIGUSR2");
      expect(await signals.receive()).toBe("SIGUSR2");
    }));

  it("rejects unknown and uncatchable signals", () =>
    run(async () => {
      expect(() => openSignalReceiver()).toThrow(TypeError);
      expect(() => openSignalReceiver("SIGNOPE" as NodeJS.Signals)).toThrow(RangeError);
      expect(() => openSignalReceiver("SIGKILL")).toThrow(/cannot be caught/);
      expect(() => openSignalReceiver(9 as unknown as NodeJS.Signals)).toThrow(TypeError);
      expect(process.listenerCount("SIGNOPE")).toBe(0);
    }));
});

describeEachBackend("cancelOnSignals", ({ run }) => {
  it("a real signal cancels the scope, and the code unwinds through finally", () =>
    run(async () => {
      const scope = new CancelScope();
      const steps: string[] = [];
      const before = process.listenerCount("SIGUSR2");
      {
        using stop = cancelOnSignals(scope, ["SIGUSR2"]);
        expect(process.listenerCount("SIGUSR2")).toBe(before + 1);
        await scope.run(async () => {
          try {
            process.kill(process.pid, "SIGUSR2");
            await foreverExternal();
          } finally {
            steps.push("finally ran");
          }
        });
        expect(stop.received).toBe("SIGUSR2");
      }
      expect(scope.cancelledCaught).toBe(true);
      expect(scope.cancelReason).toBe("received SIGUSR2");
      expect(steps).toEqual(["finally ran"]);
      expect(process.listenerCount("SIGUSR2")).toBe(before);
    }));

  it("works with a task group, and received stays null without a signal", () =>
    run(async () => {
      await withTaskGroup(async (tg) => {
        const stop = cancelOnSignals(tg, ["SIGUSR2"]);
        expect(stop.received).toBeNull();
        stop.close();
        stop.close();
      });
      expect(() => cancelOnSignals({} as CancelScope)).toThrow(TypeError);
      expect(() => cancelOnSignals(new CancelScope(), ["SIGSTOP"])).toThrow(RangeError);
    }));
});
