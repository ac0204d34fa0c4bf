/**
 * `CapacityLimiter`: a pool of tokens, each borrowed by one borrower (a task by default).
 *
 * @module
 */
import { currentNode, Waiter, type WaitOptions, WouldBlock, foreignSignal, retainShape } from "@anyio/core";
import {
  cancelledNow,
  cancelledRejection,
  checkCount,
  type CoreNode,
  describeValue,
  misuse,
  schedulePoint,
} from "./internal/cancel-point.js";
import { WaiterQueue } from "./internal/waiter-queue.js";

/**
 * What {@link CapacityLimiter.statistics} reports.
 *
 * @example
 * ```ts
 * const { borrowedTokens, totalTokens, borrowers }: CapacityLimiterStatistics = limiter.statistics();
 * ```
 */
export interface CapacityLimiterStatistics {
  /** Tokens currently borrowed (granted to a waiter counts). */
  readonly borrowedTokens: number;
  /** The limiter's size. */
  readonly totalTokens: number;
  /** Who holds the tokens: tasks appear as their `TaskInfo`, other borrowers as themselves. */
  readonly borrowers: readonly unknown[];
  /** Tasks blocked in an acquire. */
  readonly tasksWaiting: number;
}

const ALREADY_HOLDING = "this borrower is already holding one of this CapacityLimiter's tokens";
const ALREADY_WAITING = "this borrower is already waiting for one of this CapacityLimiter's tokens";
const NOT_HOLDING = "this borrower isn't holding any of this CapacityLimiter's tokens";

/** A wait for a token; its payload is the borrower it waits for (a plain Waiter: see `Waiter.payload`). */
type BorrowWaiter = Waiter<void, unknown>;

/** Our task records are their own `_task`; that is how a borrower is recognised as a task. */
function isTaskRecord(b: unknown): b is { info(): unknown } {
  return typeof b === "object" && b !== null && (b as { _task?: unknown })._task === b && typeof (b as { info?: unknown }).info === "function";
}

/**
 * Limits how many borrowers may hold a token at once, as AnyIO's `CapacityLimiter`. Each
 * borrower (the current task, or any object given to `*OnBehalfOf`) holds at most one
 * token. Waiters are served FIFO with direct hand-off; `totalTokens` can be changed at any
 * time (raising it admits waiters at once; `0` and `Infinity` are allowed). Can be created
 * outside `run()`.
 *
 * A task's own context object (`cx`) is the same borrower as the task itself, so
 * `acquireOnBehalfOf(cx)` and `acquire()` in that task are interchangeable.
 *
 * @example
 * ```ts
 * const limiter = new CapacityLimiter(10);
 * await withTaskGroup(async (tg) => {
 *   for (const job of jobs) tg.startSoon(() => limiter.run(() => handle(job)));
 * });
 * ```
 */
export class CapacityLimiter {
  private _total: number;
  private readonly _borrowers = new Set<unknown>();
  private readonly _waitingBorrowers = new Set<unknown>();
  private readonly _waiters = new WaiterQueue<BorrowWaiter>();
  private readonly _onAbort = (w: BorrowWaiter): void => {
    this._waiters.onAbort();
    this._waitingBorrowers.delete(w.payload);
  };
  /** Granted, then cancelled before resuming: the token goes to the next waiter. */
  private readonly _onCancelledAfterWake = (w: BorrowWaiter): void => {
    this._borrowers.delete(w.payload);
    this._admit();
  };

  /**
   * @param totalTokens - an integer >= 0, or `Infinity`
   */
  constructor(totalTokens: number) {
    this._total = checkCount(totalTokens, "new CapacityLimiter()", "totalTokens", true);
    retainShape(CapacityLimiter, () => new CapacityLimiter(1));
  }

  /**
   * The number of tokens. Setting it re-sizes the limiter: raising it grants tokens to waiters
   * at once (FIFO); lowering it below `borrowedTokens` takes nothing back, new borrowers just
   * wait until enough are released.
   *
   * @example
   * ```ts
   * limiter.totalTokens = 20;
   * ```
   */
  get totalTokens(): number {
    return this._total;
  }
  /** Re-sizes the limiter (an integer >= 0, or `Infinity`). */
  set totalTokens(value: number) {
    this._total = checkCount(value, "CapacityLimiter.totalTokens", "totalTokens", true);
    this._admit();
  }

  /** Tokens currently held. */
  get borrowedTokens(): number {
    return this._borrowers.size;
  }

  /** `totalTokens - borrowedTokens` (negative after shrinking below what is borrowed, as in AnyIO). */
  get availableTokens(): number {
    return this._total - this._borrowers.size;
  }

  /**
   * Borrows a token for the current task, waiting FIFO if none is free. A cancel point and a
   * schedule point even when a token is free. Cancelled while waiting: nothing borrowed.
   * Granted but cancelled before resuming: the token passes to the next waiter and
   * `Cancelled` is thrown.
   *
   * @example
   * ```ts
   * await limiter.acquire();
   * try { await work(); } finally { limiter.release(); }
   * ```
   */
  acquire(options?: WaitOptions): Promise<void> {
    const node = currentNode(options, "CapacityLimiter.acquire");
    return this._acquire(node, node._task, options);
  }

  /**
   * Borrows a token on behalf of `borrower` (any value; one token per borrower), waiting FIFO
   * if none is free. Same cancellation rules as {@link acquire}.
   *
   * @example
   * ```ts
   * const job = { id: 7 };
   * await limiter.acquireOnBehalfOf(job);
   * // … later, from any task:
   * limiter.releaseOnBehalfOf(job);
   * ```
   */
  acquireOnBehalfOf(borrower: unknown, options?: WaitOptions): Promise<void> {
    const node = currentNode(options, "CapacityLimiter.acquireOnBehalfOf");
    return this._acquire(node, borrower, options);
  }

  private _acquire(node: CoreNode, borrower: unknown, options: WaitOptions | undefined): Promise<void> {
    if (cancelledNow(node, options)) return cancelledRejection(options);
    if (this._borrowers.has(borrower)) return Promise.reject(misuse(ALREADY_HOLDING));
    // The calling task is running, so it cannot be waiting already.
    if (borrower !== node._task && this._isWaiting(borrower)) return Promise.reject(misuse(ALREADY_WAITING));
    if (this._waiters.size === 0 && this._borrowers.size < this._total) {
      this._borrowers.add(borrower);
      return schedulePoint(node);
    }
    return this._acquireSlow(node, borrower, options);
  }

  /**
   * Whether `borrower` waits for a token. Tasks waiting for themselves are not in
   * `_waitingBorrowers` (that would cost a Set entry per wait): their current wait says it.
   */
  private _isWaiting(borrower: unknown): boolean {
    if (this._waitingBorrowers.has(borrower)) return true;
    if (!isTaskRecord(borrower)) return false;
    const w = (borrower as { _waitingOn?: unknown })._waitingOn;
    // Its onAbort says the wait is this limiter's.
    return w instanceof Waiter && w.onAbort === this._onAbort && w.payload === borrower;
  }

  private _acquireSlow(node: CoreNode, borrower: unknown, options: WaitOptions | undefined): Promise<void> {
    const w: BorrowWaiter = new Waiter("CapacityLimiter.acquire", node, {
      signal: foreignSignal(options),
      onAbort: this._onAbort,
      onCancelledAfterWake: this._onCancelledAfterWake,
      payload: borrower,
    });
    const parked = w.park();
    if (w.pending) {
      this._waiters.push(w);
      // A task cannot wait twice at once (it is running now), so only other borrowers are tracked.
      if (borrower !== node._task) this._waitingBorrowers.add(borrower);
    }
    return parked;
  }

  /**
   * Borrows a token for the current task if one is free (and nobody waits), without a
   * checkpoint; otherwise throws `WouldBlock`.
   *
   * @example
   * ```ts
   * limiter.acquireNowait();
   * ```
   */
  acquireNowait(options?: WaitOptions): void {
    this._acquireNowait(currentNode(options, "CapacityLimiter.acquireNowait")._task);
  }

  /**
   * Borrows a token for `borrower` if one is free (and nobody waits), without a checkpoint;
   * otherwise throws `WouldBlock`. Needs no task context.
   *
   * @example
   * ```ts
   * limiter.acquireOnBehalfOfNowait(request);
   * ```
   */
  acquireOnBehalfOfNowait(borrower: unknown): void {
    this._acquireNowait(borrower);
  }

  private _acquireNowait(borrower: unknown): void {
    if (this._borrowers.has(borrower)) throw misuse(ALREADY_HOLDING);
    if (this._isWaiting(borrower)) throw misuse(ALREADY_WAITING);
    // Tokens granted to waiters are already in _borrowers; a queue means none is spare.
    if (this._waiters.size > 0 || this._borrowers.size >= this._total) throw new WouldBlock();
    this._borrowers.add(borrower);
  }

  /**
   * Returns the current task's token, handing it to the longest waiter if any. Throws if the
   * task holds none. Never a checkpoint.
   *
   * @example
   * ```ts
   * limiter.release();
   * ```
   */
  release(options?: WaitOptions): void {
    this.releaseOnBehalfOf(currentNode(options, "CapacityLimiter.release")._task);
  }

  /**
   * Returns `borrower`'s token, handing it to the longest waiter if any. Throws if `borrower`
   * holds none. Needs no task context.
   *
   * @example
   * ```ts
   * limiter.releaseOnBehalfOf(job);
   * ```
   */
  releaseOnBehalfOf(borrower: unknown): void {
    if (!this._borrowers.delete(borrower)) throw misuse(NOT_HOLDING);
    this._admit();
  }

  /** Grants free tokens to waiters, oldest first. */
  private _admit(): void {
    while (this._borrowers.size < this._total) {
      const w = this._waiters.shift();
      if (w === undefined) return;
      this._waitingBorrowers.delete(w.payload);
      this._borrowers.add(w.payload);
      w.wake();
    }
  }

  /**
   * Borrows a token for the current task and returns a `Disposable` that returns it: the
   * `using` form. Releases once; disposing again does nothing.
   *
   * @example
   * ```ts
   * using _ = await limiter.hold();
   * await work();
   * ```
   */
  async hold(options?: WaitOptions): Promise<Disposable> {
    const node = currentNode(options, "CapacityLimiter.hold");
    await this._acquire(node, node._task, options);
    return new TokenHold(this, node._task);
  }

  /**
   * Runs `fn` while the current task borrows a token (released when `fn` settles).
   *
   * @example
   * ```ts
   * const rows = await limiter.run(() => query(sql));
   * ```
   */
  async run<T>(fn: () => T | PromiseLike<T>, options?: WaitOptions): Promise<T> {
    if (typeof fn !== "function") throw new TypeError(`CapacityLimiter.run(): fn must be a function, got ${describeValue(fn)}`);
    const node = currentNode(options, "CapacityLimiter.run");
    const borrower = node._task;
    await this._acquire(node, borrower, options);
    try {
      return await fn();
    } finally {
      this.releaseOnBehalfOf(borrower);
    }
  }

  /**
   * The limiter's state, as AnyIO's `CapacityLimiterStatistics`.
   *
   * @example
   * ```ts
   * const { borrowedTokens, totalTokens, tasksWaiting } = limiter.statistics();
   * ```
   */
  statistics(): CapacityLimiterStatistics {
    const borrowers: unknown[] = [];
    for (const b of this._borrowers) borrowers.push(isTaskRecord(b) ? b.info() : b);
    return {
      borrowedTokens: this._borrowers.size,
      totalTokens: this._total,
      borrowers,
      tasksWaiting: this._waiters.size,
    };
  }
}

/** The `Disposable` of {@link CapacityLimiter.hold}. */
class TokenHold implements Disposable {
  private limiter: CapacityLimiter | null;
  constructor(
    limiter: CapacityLimiter,
    private readonly borrower: unknown,
  ) {
    this.limiter = limiter;
  }
  [Symbol.dispose](): void {
    const limiter = this.limiter;
    if (limiter === null) return;
    this.limiter = null;
    limiter.releaseOnBehalfOf(this.borrower);
  }
}
