/**
 * Mapping SIGINT/SIGTERM onto cancellation: `cancelOnSignals()`.
 *
 * @module
 */
import { checkSignals } from "./signal-receiver.js";

/** Anything with AnyIO's `cancel(reason?)`: a `CancelScope`, a `TaskGroup`. */
export interface Cancellable {
  /** Cancels the scope or group; `cancelOnSignals` passes `"received SIGINT"` (or the signal that came). */
  cancel(reason?: string): void;
}

/** The handle returned by {@link cancelOnSignals}. */
export interface SignalCancellation extends Disposable {
  /** The first signal that cancelled the scope, or `null` if none came. */
  readonly received: NodeJS.Signals | null;
  /** Removes the handlers (the previous handling is back). Idempotent. */
  close(): void;
}

/**
 * Cancels `scope` when one of `signals` (default `SIGINT` and `SIGTERM`) arrives, so Ctrl-C or
 * a service manager's stop unwinds the program through its `finally` blocks and `aclose()`s
 * instead of killing it mid-step — the structured form of Python's `KeyboardInterrupt`.
 *
 * While installed, those signals no longer end the process by their default action; a repeated
 * signal after the first is ignored (the cancellation is already under way). `close()` (or
 * `using`) removes the handler. Afterwards `received` tells which signal came, e.g. to exit with
 * the conventional status `128 + signo`.
 *
 * @example
 * ```ts
 * import { constants } from "node:os";
 * await run(async () => {
 *   const scope = new CancelScope();
 *   using stop = cancelOnSignals(scope);
 *   await scope.run(async () => {
 *     try {
 *       await serveForever();
 *     } finally {
 *       await flushState(); // runs on Ctrl-C (shield it if it must wait)
 *     }
 *   });
 *   if (stop.received !== null) process.exitCode = 128 + constants.signals[stop.received];
 * }, { backend: nativeBackend() });
 * ```
 */
export function cancelOnSignals(
  scope: Cancellable,
  signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"],
): SignalCancellation {
  if (scope === null || typeof scope !== "object" || typeof (scope as Cancellable).cancel !== "function") {
    throw new TypeError(`cancelOnSignals(): scope must be a CancelScope or TaskGroup (anything with cancel()), got ${scope === null ? "null" : typeof scope}`);
  }
  if (!Array.isArray(signals)) throw new TypeError(`cancelOnSignals(): signals must be an array of signal names`);
  const names = [...new Set(checkSignals(signals, "cancelOnSignals"))];
  let received: NodeJS.Signals | null = null;
  let closed = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== null) return;
    received = signal;
    scope.cancel(`received ${signal}`);
  };
  for (const sig of names) process.on(sig, onSignal);
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const sig of names) process.off(sig, onSignal);
  };
  return {
    get received() {
      return received;
    },
    close,
    [Symbol.dispose]: close,
  };
}
