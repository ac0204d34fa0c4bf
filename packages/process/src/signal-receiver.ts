/**
 * OS signals as a receive stream: `openSignalReceiver()`.
 *
 * @module
 */
import { constants } from "node:os";
import {
  BusyResourceError,
  ClosedResourceError,
  ObjectReceiveStreamBase,
  type WaitOptions,
  checkpoint,
} from "@anyio/core";
import { WakeSet } from "./internal/wake-set.js";

/** Validates signal names for a handler: known to the OS and catchable. */
export function checkSignals(signals: readonly unknown[], caller: string): NodeJS.Signals[] {
  if (signals.length === 0) throw new TypeError(`${caller}(): give at least one signal name, e.g. "SIGINT"`);
  return signals.map((sig, i) => {
    if (typeof sig !== "string") throw new TypeError(`${caller}(): signal ${i} must be a signal name such as "SIGTERM", got ${sig === null ? "null" : typeof sig}`);
    if (!Object.hasOwn(constants.signals, sig)) throw new RangeError(`${caller}(): unknown signal ${JSON.stringify(sig)}`);
    if (sig === "SIGKILL" || sig === "SIGSTOP") throw new RangeError(`${caller}(): ${sig} cannot be caught`);
    return sig as NodeJS.Signals;
  });
}

/**
 * Receives the OS signals it was opened for, as AnyIO's `open_signal_receiver`. Made by
 * {@link openSignalReceiver}; `receive()` (or `for await`) yields signal names in arrival order.
 *
 * While open, its handler replaces the default action of those signals (a `SIGINT` no longer
 * ends the process); handlers installed by others keep running alongside, as Node's
 * `process.on` always does. Closing removes only its own handler, so the previous state — other
 * handlers, or the default action — is back. As in Trio, a signal that arrives again while an
 * earlier delivery of it is still unread is coalesced into that one.
 *
 * @example
 * ```ts
 * await using signals = openSignalReceiver("SIGHUP", "SIGTERM");
 * for await (const sig of signals) {
 *   if (sig === "SIGHUP") await reloadConfig();
 *   else break;
 * }
 * ```
 */
export class SignalReceiver extends ObjectReceiveStreamBase<NodeJS.Signals> {
  /** The signals this receiver listens for. */
  readonly signals: readonly NodeJS.Signals[];
  readonly #pending = new Set<NodeJS.Signals>();
  readonly #wakers = new WakeSet("an OS signal");
  #closed = false;
  #busy = false;

  readonly #onSignal = (signal: NodeJS.Signals): void => {
    if (this.#closed) return;
    this.#pending.add(signal);
    this.#wakers.wakeAll();
  };

  /** @internal Made by {@link openSignalReceiver}. */
  constructor(signals: readonly NodeJS.Signals[]) {
    super();
    if (!Array.isArray(signals) || !signals.every((s) => typeof s === "string")) {
      throw new TypeError(`SignalReceiver(): signals must be an array of signal names, got ${signals === null ? "null" : typeof signals}`);
    }
    this.signals = [...new Set(signals as readonly NodeJS.Signals[])];
    for (const sig of this.signals) process.on(sig, this.#onSignal);
  }

  /** Waits for the next signal (a checkpoint) and returns its name. */
  async receive(options?: WaitOptions): Promise<NodeJS.Signals> {
    if (this.#closed) throw new ClosedResourceError();
    if (this.#busy) throw new BusyResourceError("receiving from");
    this.#busy = true;
    try {
      await checkpoint(options);
      for (;;) {
        if (this.#closed) throw new ClosedResourceError();
        const next = this.#pending.values().next();
        if (next.done !== true) {
          this.#pending.delete(next.value);
          return next.value;
        }
        await this.#wakers.wait(options, "SignalReceiver.receive");
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Removes the handlers (synchronously); a parked `receive()` throws `ClosedResourceError`. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const sig of this.signals) process.off(sig, this.#onSignal);
    this.#pending.clear();
    this.#wakers.wakeAll();
  }

  /** Same as {@link close}. */
  async aclose(): Promise<void> {
    this.close();
  }

  /** `using signals = openSignalReceiver(…)` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Starts receiving the given OS signals (AnyIO's `open_signal_receiver`). Close it (or use
 * `using` / `await using`) to restore the previous handling.
 *
 * @example
 * ```ts
 * using signals = openSignalReceiver("SIGUSR1");
 * const sig = await signals.receive(); // "SIGUSR1"
 * ```
 */
export function openSignalReceiver(...signals: NodeJS.Signals[]): SignalReceiver {
  return new SignalReceiver(checkSignals(signals, "openSignalReceiver"));
}
