/**
 * `fromWorker`: what code running inside `runInWorker` uses to reach the host.
 *
 * @module
 */
import { NoEventLoopError } from "./errors.js";
import { FROM_WORKER_KEY } from "./internal/worker-bootstrap.js";

interface WorkerSide {
  run(name: string, args: unknown[]): Promise<unknown>;
  cancelRequested(): boolean;
  cancelledError(): Error;
}

function workerSide(what: string): WorkerSide {
  const side = (globalThis as Record<symbol, WorkerSide | undefined>)[Symbol.for(FROM_WORKER_KEY)];
  if (side === undefined) {
    throw new NoEventLoopError(`${what} must be called inside a worker thread of @anyio/worker, from a function that runInWorker() is running`);
  }
  return side;
}

/**
 * The worker side of `runInWorker`, as AnyIO's `from_thread`: call back into the host's event
 * loop, and notice that the host cancelled the call. Import it in the module that
 * `runInWorker` loads; outside such a call it throws {@link NoEventLoopError}.
 *
 * @example
 * ```ts
 * // work.mjs, run with runInWorker(new URL("./work.mjs", import.meta.url), "crunch", [data],
 * //                              { handlers: { progress: (pct) => bar.update(pct) } })
 * import { fromWorker } from "@anyio/worker";
 * export async function crunch(data) {
 *   for (let i = 0; i < data.length; i++) {
 *     fromWorker.checkCancelled();            // throws once the host cancelled the call
 *     step(data[i]);
 *     if (i % 1000 === 0) await fromWorker.run("progress", (100 * i) / data.length);
 *   }
 * }
 * ```
 */
export const fromWorker = Object.freeze({
  /**
   * Runs the host handler `name` (from `runInWorker(…, { handlers })`) with `args` in a task of
   * the host's run, and resolves with its result (or rejects with its error, rebuilt as in
   * `runInWorker`). Arguments and result cross by structured clone. If the host call was
   * cancelled, the handler is cancelled too and this rejects with an error named `Cancelled`.
   */
  run<T = unknown>(name: string, ...args: unknown[]): Promise<T> {
    if (typeof name !== "string") throw new TypeError(`fromWorker.run(): name must be a string, got ${typeof name}`);
    return workerSide("fromWorker.run()").run(name, args) as Promise<T>;
  },

  /** True once the host cancelled the current call (it waits for the call to finish). */
  cancelRequested(): boolean {
    return workerSide("fromWorker.cancelRequested()").cancelRequested();
  },

  /**
   * Throws an error named `Cancelled` (recognised by `isCancelled` of `@anyio/core`) once the
   * host cancelled the current call — AnyIO's `from_thread.check_cancelled()`. Synchronous and
   * cheap (one atomic load), so CPU-bound loops can call it often.
   */
  checkCancelled(): void {
    const side = workerSide("fromWorker.checkCancelled()");
    if (side.cancelRequested()) throw side.cancelledError();
  },
});
