/**
 * The optional bound on concurrent filesystem calls.
 *
 * @module
 */
import type { WaitOptions } from "@anyio/core";

/**
 * Anything that limits concurrency the way `CapacityLimiter` of `@anyio/sync` does. Typed
 * structurally so that `@anyio/fs` does not depend on `@anyio/sync`: `acquire()`/`release()`
 * suffice; when `acquireOnBehalfOf()`/`releaseOnBehalfOf()` exist they are preferred, with a
 * fresh borrower per call, so a task that already holds a token of the same limiter (or runs
 * two file calls through nested helpers) never trips "already holding".
 *
 * @example
 * ```ts
 * import { CapacityLimiter } from "@anyio/sync";
 * const limiter = new CapacityLimiter(8);
 * await new Path("big.bin").readBytes({ limiter }); // at most 8 file calls in flight
 * ```
 */
export interface FsLimiter {
  /** Waits for a token for the current task (used when `acquireOnBehalfOf` is missing). */
  acquire(options?: WaitOptions): Promise<void>;
  /** Gives back the token `acquire()` took. */
  release(options?: WaitOptions): void;
  /** Waits for a token for `borrower` (preferred: each call borrows with a fresh object). */
  acquireOnBehalfOf?(borrower: unknown, options?: WaitOptions): Promise<void>;
  /** Gives back the token `acquireOnBehalfOf(borrower)` took. */
  releaseOnBehalfOf?(borrower: unknown): void;
}

/**
 * Options of every call of this package that touches the disk: `signal` (the task context or
 * an extra abort source, as everywhere in anyio-ts) and `limiter`, which bounds how many file
 * calls run at once. There is no default limiter (see the README: libuv's thread pool already
 * queues file work, four threads by default).
 */
export interface FsOptions extends WaitOptions {
  /** Bounds how many file calls run at once (default: none); see {@link FsLimiter}. */
  limiter?: FsLimiter | undefined;
}

/** Validates `options.limiter`; `caller` names the public function for messages. */
export function limiterOption(options: FsOptions | undefined, caller: string): FsLimiter | undefined {
  if (options === undefined || options === null || typeof options !== "object") return undefined;
  const limiter = (options as FsOptions).limiter;
  if (limiter === undefined) return undefined;
  if (
    limiter === null ||
    typeof limiter !== "object" ||
    typeof limiter.acquire !== "function" ||
    typeof limiter.release !== "function"
  ) {
    throw new TypeError(`${caller}(): options.limiter must have acquire() and release() methods, got ${limiter === null ? "null" : typeof limiter}`);
  }
  return limiter;
}
