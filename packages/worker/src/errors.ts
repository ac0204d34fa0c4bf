/**
 * Errors of `@anyio/worker`.
 *
 * @module
 */

/**
 * The worker running a call died (it crashed with an uncaught error, called `process.exit()`,
 * ran out of memory, or could not be started), as AnyIO's `BrokenWorkerProcess`. The pool
 * discards that worker; the next call gets a fresh one. `cause` holds the worker's error, if any.
 *
 * @example
 * ```ts
 * try {
 *   await runInWorker(url, "crashes", []);
 * } catch (err) {
 *   if (err instanceof BrokenWorkerError) console.error("worker died:", err.cause);
 * }
 * ```
 */
export class BrokenWorkerError extends Error {
  constructor(message = "the worker died while running the call", options?: { cause?: unknown }) {
    super(message, options);
  }

  static {
    Object.defineProperty(this.prototype, "name", { value: "BrokenWorkerError", writable: true, configurable: true });
  }
}

/**
 * A `fromWorker` call was made outside a function run by `runInWorker` (AnyIO's
 * `NoEventLoopError`).
 *
 * @example
 * ```ts
 * fromWorker.checkCancelled(); // on the main thread: NoEventLoopError
 * ```
 */
export class NoEventLoopError extends Error {
  static {
    Object.defineProperty(this.prototype, "name", { value: "NoEventLoopError", writable: true, configurable: true });
  }
}
