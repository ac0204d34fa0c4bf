/**
 * `runInWorker()`: AnyIO's `to_thread.run_sync` / `to_process.run_sync` in JavaScript's form.
 *
 * @module
 */
import { type RunInWorkerOptions, WorkerPool } from "./worker-pool.js";

let defaultPool: WorkerPool | null = null;

/**
 * The process-wide pool {@link runInWorker} uses, made on first use: at most
 * `os.availableParallelism()` concurrent calls, idle workers terminated after 300 s.
 *
 * @example
 * ```ts
 * console.log(defaultWorkerPool().statistics()); // { idle, busy, availableTokens }
 * ```
 */
export function defaultWorkerPool(): WorkerPool {
  defaultPool ??= new WorkerPool();
  return defaultPool;
}

/**
 * Runs an exported function of a module in a worker thread and returns its (awaited) result.
 * Code crosses by module URL, data by structured clone (arguments and result), so CPU-bound work
 * runs in parallel with the event loop and with other calls.
 *
 * - Concurrency is bounded by `options.limiter` (any `{ acquire(options?), release() }`, such as
 *   `CapacityLimiter` of `@anyio/sync`) or else by the pool's own limiter, and workers are reused.
 * - Cancellation (of the task, or `options.signal`): by default the call runs to its end — code in
 *   the worker sees `fromWorker.checkCancelled()` throw and may stop early — and then `Cancelled`
 *   (or the signal's reason) is thrown, as in AnyIO. With `cancellation: "terminate"` the worker
 *   is terminated at once and replaced; its slot is free when this throws.
 * - An error thrown in the worker is rethrown here with its name, message, stack and fields
 *   such as `code` (built-in classes like `TypeError` are kept). A worker that dies mid-call
 *   gives `BrokenWorkerError`, and the pool replaces it.
 * - The worker may call host functions given in `options.handlers` with `fromWorker.run()`;
 *   they run as tasks of this call, in the caller's run.
 *
 * @example
 * ```ts
 * // primes.mjs:  export function countPrimes(limit) { … }
 * const n = await runInWorker(new URL("./primes.mjs", import.meta.url), "countPrimes", [1e7]);
 * // cancellable at once, even in the middle of a tight loop:
 * await moveOnAfter(100).run(() =>
 *   runInWorker(url, "countPrimes", [1e9], { cancellation: "terminate" }));
 * ```
 */
export function runInWorker<T = unknown>(
  moduleUrl: string | URL,
  exportName: string,
  args: readonly unknown[] = [],
  options: RunInWorkerOptions = {},
): Promise<T> {
  return defaultWorkerPool().run<T>(moduleUrl, exportName, args, options);
}
