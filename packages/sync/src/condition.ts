/**
 * `Condition`: wait for a notification while temporarily giving up a lock.
 *
 * @module
 */
import { currentNode, Waiter, type WaitOptions, foreignSignal, retainShape } from "@anyio/core";
import {
  cancelledNow,
  cancelledRejection,
  type CoreNode,
  describeValue,
  misuse,
  schedulePoint,
} from "./internal/cancel-point.js";
import { WaiterQueue } from "./internal/waiter-queue.js";
import { Lock, type LockStatistics } from "./lock.js";

/**
 * What {@link Condition.statistics} reports.
 *
 * @example
 * ```ts
 * const { tasksWaiting, lockStatistics }: ConditionStatistics = cond.statistics();
 * ```
 */
export interface ConditionStatistics {
  /** Tasks blocked in `wait()`. */
  readonly tasksWaiting: number;
  /** The underlying lock's statistics. */
  readonly lockStatistics: LockStatistics;
}

const NOT_HOLDING = "The current task is not holding the underlying lock";

/**
 * A condition variable over a {@link Lock}, as AnyIO's `Condition`. A task holding the lock
 * calls `wait()`, which releases the lock, waits for `notify()`/`notifyAll()` from another
 * holder, and re-acquires the lock before returning — also when it is cancelled, so the
 * caller's `finally` always runs with the lock held. Can be created outside `run()`.
 *
 * Notifications are FIFO. A waiter cancelled before it is notified is skipped; a waiter
 * notified but cancelled before it resumes passes the notification to the next waiter.
 *
 * @example
 * ```ts
 * const cond = new Condition();
 * const queue: string[] = [];
 * // consumer
 * await cond.run(async () => {
 *   await cond.waitFor(() => queue.length > 0);
 *   console.log(queue.shift());
 * });
 * // producer (another task)
 * await cond.run(() => { queue.push("job"); cond.notify(); });
 * ```
 */
export class Condition {
  private readonly _lock: Lock;
  private readonly _waiters = new WaiterQueue<Waiter<void>>();

  /**
   * @param lock - the lock to use; a new one by default
   */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError(`new Condition(): lock must be a Lock, got ${describeValue(lock)}`);
    }
    this._lock = lock ?? new Lock();
    retainShape(Condition, () => new Condition());
  }

  /**
   * Acquires the underlying lock (see {@link Lock.acquire}).
   *
   * @example
   * ```ts
   * await cond.acquire();
   * ```
   */
  acquire(options?: WaitOptions): Promise<void> {
    return this._lock._acquire(currentNode(options, "Condition.acquire"), options);
  }

  /**
   * Acquires the underlying lock without waiting, or throws `WouldBlock`.
   *
   * @example
   * ```ts
   * cond.acquireNowait();
   * ```
   */
  acquireNowait(options?: WaitOptions): void {
    this._lock.acquireNowait(options);
  }

  /**
   * Releases the underlying lock.
   *
   * @example
   * ```ts
   * cond.release();
   * ```
   */
  release(options?: WaitOptions): void {
    this._lock.release(options);
  }

  /**
   * True while the underlying lock is held.
   *
   * @example
   * ```ts
   * cond.locked();
   * ```
   */
  locked(): boolean {
    return this._lock.locked();
  }

  /**
   * Acquires the underlying lock and returns a `Disposable` releasing it (the `using` form).
   *
   * @example
   * ```ts
   * using _ = await cond.hold();
   * cond.notifyAll();
   * ```
   */
  hold(options?: WaitOptions): Promise<Disposable> {
    return this._lock.hold(options);
  }

  /**
   * Runs `fn` holding the underlying lock.
   *
   * @example
   * ```ts
   * await cond.run(() => cond.notify());
   * ```
   */
  run<T>(fn: () => T | PromiseLike<T>, options?: WaitOptions): Promise<T> {
    return this._lock.run(fn, options);
  }

  /**
   * Wakes up to `n` waiting tasks, oldest first. The current task must hold the lock. Never a
   * checkpoint.
   *
   * @example
   * ```ts
   * cond.notify();   // one waiter
   * cond.notify(3);  // up to three
   * ```
   */
  notify(n = 1, options?: WaitOptions): void {
    if (typeof n !== "number" || !(Number.isInteger(n) || n === Infinity)) {
      throw new TypeError(`Condition.notify(): n must be an integer, got ${describeValue(n)}`);
    }
    if (n < 0) throw new RangeError(`Condition.notify(): n cannot be negative, got ${n}`);
    this._checkHeld(currentNode(options, "Condition.notify"));
    this._notify(n);
  }

  /**
   * Wakes every waiting task. The current task must hold the lock.
   *
   * @example
   * ```ts
   * cond.notifyAll();
   * ```
   */
  notifyAll(options?: WaitOptions): void {
    this._checkHeld(currentNode(options, "Condition.notifyAll"));
    for (const w of this._waiters.drain()) w.wake();
  }

  private _notify(n: number): void {
    for (let i = 0; i < n; i++) {
      const w = this._waiters.shift();
      if (w === undefined) return;
      w.wake();
    }
  }

  private _checkHeld(node: CoreNode): void {
    if (this._lock._owner !== node._task) throw misuse(NOT_HOLDING);
  }

  /**
   * Releases the lock, waits for a notification, and re-acquires the lock before returning.
   * The current task must hold the lock. A checkpoint. On cancellation the lock is still
   * re-acquired (shielded) before `Cancelled` propagates, and a notification this task
   * received but could not act on is passed to the next waiter.
   *
   * @example
   * ```ts
   * await cond.acquire();
   * try {
   *   while (!ready) await cond.wait();
   * } finally {
   *   cond.release();
   * }
   * ```
   */
  async wait(options?: WaitOptions): Promise<void> {
    const node = currentNode(options, "Condition.wait");
    if (cancelledNow(node, options)) return cancelledRejection(options);
    this._checkHeld(node);
    const w = new Waiter<void>("Condition.wait", node, { signal: foreignSignal(options), onAbort: this._waiters.onAbort });
    const parked = w.park();
    if (w.pending) this._waiters.push(w);
    this._lock._handOff();
    let failure: unknown;
    let failed = false;
    try {
      await parked;
    } catch (err) {
      failed = true;
      failure = err;
    }
    if (!failed && cancelledNow(node, options)) {
      // Notified, but cancelled before we could act on it: the notifier meant to wake *a*
      // waiter, so hand the notification on rather than lose it.
      this._notify(1);
      failed = true;
      try {
        await cancelledRejection(options);
      } catch (err) {
        failure = err;
      }
    }
    // The caller's finally blocks expect the lock held, whatever happened.
    await this._lock._acquireShielded(node, "Condition.wait (re-acquiring the lock)");
    if (failed) throw failure;
  }

  /**
   * Waits until `predicate()` returns a truthy value and returns it: evaluates it now and
   * after each notification. The current task must hold the lock. A checkpoint even if the
   * predicate is already true.
   *
   * @example
   * ```ts
   * await cond.run(async () => {
   *   const item = await cond.waitFor(() => queue.shift());
   * });
   * ```
   */
  async waitFor<T>(predicate: () => T, options?: WaitOptions): Promise<T> {
    if (typeof predicate !== "function") {
      throw new TypeError(`Condition.waitFor(): predicate must be a function, got ${describeValue(predicate)}`);
    }
    const node = currentNode(options, "Condition.waitFor");
    if (cancelledNow(node, options)) return cancelledRejection(options);
    this._checkHeld(node);
    let result = predicate();
    if (result) {
      await schedulePoint(node);
      return result;
    }
    while (!result) {
      await this.wait(options);
      result = predicate();
    }
    return result;
  }

  /**
   * How many tasks wait, and the lock's statistics.
   *
   * @example
   * ```ts
   * cond.statistics().lockStatistics.locked;
   * ```
   */
  statistics(): ConditionStatistics {
    return { tasksWaiting: this._waiters.size, lockStatistics: this._lock.statistics() };
  }
}
