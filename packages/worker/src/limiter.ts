/**
 * What bounds concurrent worker calls: any `{ acquire, release }` limiter, and the pool's own.
 *
 * @module
 */
import { type WaitOptions, Waiter, checkpoint, currentNode, foreignSignal } from "@anyio/core";

/**
 * The shape of limiter `runInWorker` accepts: `acquire()` waits for a token (a cancel point;
 * a cancelled acquire holds nothing), `release()` gives it back. `CapacityLimiter` and
 * `Semaphore` of `@anyio/sync` fit, and so does anything else of this shape. `release()` is
 * called from the same task that acquired.
 */
export interface WorkerLimiter {
  /** Waits for a token; a cancel point, and a cancelled acquire holds nothing. */
  acquire(options?: WaitOptions): Promise<unknown>;
  /** Gives back the token, from the task that acquired it. */
  release(): void;
}

/**
 * The pool's default limiter: a FIFO semaphore built on core's `Waiter`, so this package needs
 * nothing but `@anyio/core`. A release hands the token straight to the first waiter.
 *
 * Its waits are `external`: a token comes back when a worker thread answers, which is an event
 * of the outside world. (The default pool is shared by every `run()` of the process, so the
 * holder may even be in another run.) The strict backend thus holds its clock still and never
 * reports a deadlock while calls queue for a worker.
 *
 * @internal
 */
export class SlotLimiter implements WorkerLimiter {
  #available: number;
  readonly #queue = new Set<Waiter<void>>();

  constructor(tokens: number) {
    this.#available = tokens;
  }

  /** Tokens not lent out. */
  get available(): number {
    return this.#available;
  }

  async acquire(options?: WaitOptions): Promise<void> {
    const node = currentNode(options, "runInWorker");
    if (this.#available > 0 && this.#queue.size === 0) {
      // Cancel point and schedule point before the token is taken, so a cancelled acquire holds nothing.
      await checkpoint(options);
      if (this.#available > 0 && this.#queue.size === 0) {
        this.#available--;
        return;
      }
    }
    const w = new Waiter<void>("a worker slot", node, {
      signal: foreignSignal(options),
      kind: "external",
      onAbort: (waiter) => this.#queue.delete(waiter),
    });
    this.#queue.add(w);
    // Woken means granted: release() handed this waiter the token directly.
    try {
      await w.park();
    } catch (err) {
      this.#queue.delete(w);
      throw err;
    }
  }

  release(): void {
    for (const w of this.#queue) {
      this.#queue.delete(w);
      if (w.wake()) return;
    }
    this.#available++;
  }
}
