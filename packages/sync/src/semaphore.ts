/**
 * `Semaphore`: a counter of permits with fair, direct hand-off.
 *
 * @module
 */
import { currentNode, Waiter, type WaitOptions, WouldBlock, foreignSignal, retainShape } from "@anyio/core";
import {
  cancelledNow,
  cancelledRejection,
  checkCount,
  checkOptions,
  type CoreNode,
  describeValue,
  RESOLVED,
  schedulePoint,
} from "./internal/cancel-point.js";
import { WaiterQueue } from "./internal/waiter-queue.js";

/**
 * Options of {@link Semaphore}.
 *
 * @example
 * ```ts
 * const options: SemaphoreOptions = { maxValue: 4, fastAcquire: false };
 * const sem = new Semaphore(4, options);
 * ```
 */
export interface SemaphoreOptions {
  /** The most permits the semaphore may hold; releasing past it throws. Default: no limit. */
  maxValue?: number | undefined;
  /** When true, an uncontended `acquire()` skips its schedule point (it stays a cancel point). */
  fastAcquire?: boolean;
}

/**
 * What {@link Semaphore.statistics} reports.
 *
 * @example
 * ```ts
 * const { tasksWaiting }: SemaphoreStatistics = sem.statistics();
 * ```
 */
export interface SemaphoreStatistics {
  /** Tasks blocked in `acquire()`. */
  readonly tasksWaiting: number;
}

/**
 * A semaphore, as AnyIO's: `acquire()` takes a permit (waiting in FIFO order when there is
 * none), `release()` returns one — straight to the longest waiter if any, so a releasing task
 * cannot take it back before the waiter. Permits are not owned: any task may release. Can be
 * created outside `run()`.
 *
 * @example
 * ```ts
 * const sem = new Semaphore(2); // at most two downloads at a time
 * await withTaskGroup(async (tg) => {
 *   for (const url of urls) {
 *     tg.startSoon(() => sem.run(() => download(url)));
 *   }
 * });
 * ```
 */
export class Semaphore {
  private _value: number;
  private readonly _max: number | null;
  private readonly _fast: boolean;
  private readonly _waiters = new WaiterQueue<Waiter<void>>();
  /** One give closure per semaphore (waiters share it), not one per wait. */
  private readonly _giveBound = (): void => this._give();

  /**
   * @param initialValue - permits available at first (an integer >= 0)
   */
  constructor(initialValue: number, options?: SemaphoreOptions) {
    checkCount(initialValue, "new Semaphore()", "initialValue", false);
    checkOptions(options, "new Semaphore()");
    const max = options?.maxValue;
    if (max !== undefined) {
      checkCount(max, "new Semaphore()", "options.maxValue", false);
      if (max < initialValue) {
        throw new RangeError(
          `new Semaphore(): options.maxValue must be equal to or larger than the initial value, got maxValue ${max} < initialValue ${initialValue}`,
        );
      }
    }
    const fast = options?.fastAcquire ?? false;
    if (typeof fast !== "boolean") {
      throw new TypeError(`new Semaphore(): options.fastAcquire must be a boolean, got ${describeValue(fast)}`);
    }
    this._value = initialValue;
    this._max = max ?? null;
    this._fast = fast;
    retainShape(Semaphore, () => new Semaphore(0));
  }

  /** Permits available now (0 while tasks wait). */
  get value(): number {
    return this._value;
  }

  /** The limit given as `maxValue`, or `null`. */
  get maxValue(): number | null {
    return this._max;
  }

  /**
   * Takes a permit, waiting in FIFO order if there is none. A cancel point, and a schedule
   * point even when a permit is free (unless `fastAcquire`). Cancelled while waiting: no
   * permit taken. Granted a permit but cancelled before resuming: the permit passes to the
   * next waiter and `Cancelled` is thrown.
   *
   * @example
   * ```ts
   * await sem.acquire();
   * try { await work(); } finally { sem.release(); }
   * ```
   */
  acquire(options?: WaitOptions): Promise<void> {
    const node = currentNode(options, "Semaphore.acquire");
    if (cancelledNow(node, options)) return cancelledRejection(options);
    // Direct hand-off keeps value at 0 while anyone waits, so value > 0 means no queue to jump.
    if (this._value > 0) {
      this._value--;
      return this._fast ? RESOLVED : schedulePoint(node);
    }
    return this._acquireSlow(node, options);
  }

  private _acquireSlow(node: CoreNode, options: WaitOptions | undefined): Promise<void> {
    // Granted, then cancelled before resuming: the permit goes on, never kept and lost.
    const w = new Waiter<void>("Semaphore.acquire", node, {
      signal: foreignSignal(options),
      onAbort: this._waiters.onAbort,
      onCancelledAfterWake: this._giveBound,
    });
    const parked = w.park();
    if (w.pending) this._waiters.push(w);
    return parked;
  }

  /**
   * Takes a permit if one is free, without waiting or checkpointing; otherwise throws
   * `WouldBlock`. A permit already handed to a waiter is not free.
   *
   * @example
   * ```ts
   * try { sem.acquireNowait(); } catch (e) { if (e instanceof WouldBlock) return "busy"; throw e; }
   * ```
   */
  acquireNowait(): void {
    if (this._value === 0) throw new WouldBlock();
    this._value--;
  }

  /**
   * Returns a permit, handing it straight to the longest waiter if any. Throws a
   * `RangeError` ("semaphore released too many times") past `maxValue`. Never a checkpoint.
   *
   * @example
   * ```ts
   * sem.release();
   * ```
   */
  release(): void {
    if (this._max !== null && this._value === this._max) throw new RangeError("semaphore released too many times");
    this._give();
  }

  private _give(): void {
    const w = this._waiters.shift();
    if (w === undefined) this._value++;
    else w.wake();
  }

  /**
   * Takes a permit and returns a `Disposable` that gives it back: the `using` form. Releases
   * once; disposing again does nothing.
   *
   * @example
   * ```ts
   * using _ = await sem.hold();
   * await work();
   * ```
   */
  async hold(options?: WaitOptions): Promise<Disposable> {
    await this.acquire(options);
    return new PermitHold(this);
  }

  /**
   * Runs `fn` holding a permit: acquires, awaits `fn()`, releases (also when it throws).
   *
   * @example
   * ```ts
   * const body = await sem.run(() => fetchText(url));
   * ```
   */
  async run<T>(fn: () => T | PromiseLike<T>, options?: WaitOptions): Promise<T> {
    if (typeof fn !== "function") throw new TypeError(`Semaphore.run(): fn must be a function, got ${describeValue(fn)}`);
    await this.acquire(options);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /**
   * How many tasks wait.
   *
   * @example
   * ```ts
   * sem.statistics().tasksWaiting;
   * ```
   */
  statistics(): SemaphoreStatistics {
    return { tasksWaiting: this._waiters.size };
  }
}

/** The `Disposable` of {@link Semaphore.hold}. */
class PermitHold implements Disposable {
  constructor(private sem: Semaphore | null) {}
  [Symbol.dispose](): void {
    const sem = this.sem;
    if (sem === null) return;
    this.sem = null;
    sem.release();
  }
}
