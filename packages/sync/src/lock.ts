/**
 * `Lock`: a fair mutex owned by a task.
 *
 * @module
 */
import { currentNode, type TaskInfo, Waiter, type WaitOptions, WouldBlock, foreignSignal, retainShape } from "@anyio/core";
import {
  cancelledNow,
  cancelledRejection,
  checkOptions,
  type CoreNode,
  type CoreTask,
  describeValue,
  misuse,
  RESOLVED,
  schedulePoint,
} from "./internal/cancel-point.js";
import { WaiterQueue } from "./internal/waiter-queue.js";

/**
 * Options of {@link Lock}.
 *
 * @example
 * ```ts
 * const options: LockOptions = { fastAcquire: true };
 * const lock = new Lock(options);
 * ```
 */
export interface LockOptions {
  /**
   * When true, an uncontended `acquire()` skips its schedule point (it stays a cancel point).
   * Faster, but a task that re-acquires in a loop can starve others. Default false.
   */
  fastAcquire?: boolean;
}

/**
 * What {@link Lock.statistics} reports.
 *
 * @example
 * ```ts
 * const stats: LockStatistics = lock.statistics();
 * if (stats.locked) console.log(`held by ${stats.owner?.name}, ${stats.tasksWaiting} waiting`);
 * ```
 */
export interface LockStatistics {
  /** True while some task holds the lock (or it has been handed to a waiter). */
  readonly locked: boolean;
  /** The holding task, or `null`. */
  readonly owner: TaskInfo | null;
  /** Tasks blocked in `acquire()`. */
  readonly tasksWaiting: number;
}

const HELD_BY_OTHER = "The current task is not holding this lock";
const ALREADY_HELD = "Attempted to acquire an already held Lock";

/**
 * A mutual-exclusion lock owned by the task that acquired it, as AnyIO's `Lock`: FIFO with
 * direct hand-off (`release()` gives the lock to the longest waiter, so the releaser cannot
 * barge back in), not re-entrant, releasable only by its owner. Can be created outside `run()`.
 *
 * Three ways to hold it:
 * - `await lock.acquire()` … `lock.release()`;
 * - `using _ = await lock.hold()` — released when the block exits;
 * - `await lock.run(async () => …)` — released when the callback settles.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * await withTaskGroup(async (tg) => {
 *   for (let i = 0; i < 3; i++) {
 *     tg.startSoon(async () => {
 *       using _ = await lock.hold();
 *       await sleep(10); // one task at a time in here
 *     });
 *   }
 * });
 * ```
 */
export class Lock {
  /** @internal The holder (a granted-but-not-yet-resumed waiter's task counts). */
  _owner: CoreTask | null = null;
  private readonly _waiters = new WaiterQueue<Waiter<void>>();
  /** One hand-off closure per lock (waiters share it), not one per wait. */
  private readonly _handOffBound = (): void => this._handOff();
  private readonly _fast: boolean;

  constructor(options?: LockOptions) {
    checkOptions(options, "new Lock()");
    const fast = options?.fastAcquire ?? false;
    if (typeof fast !== "boolean") {
      throw new TypeError(`new Lock(): options.fastAcquire must be a boolean, got ${describeValue(fast)}`);
    }
    this._fast = fast;
    retainShape(Lock, () => new Lock());
  }

  /**
   * Acquires the lock, waiting in FIFO order if another task holds it. A cancel point, and a
   * schedule point even when the lock is free (unless `fastAcquire`). If the task is
   * cancelled while waiting it never acquires; if it is granted the lock but cancelled before
   * it resumes, it passes the lock to the next waiter and throws `Cancelled`.
   *
   * Throws if the current task already holds the lock (it is not re-entrant).
   *
   * @example
   * ```ts
   * await lock.acquire();
   * try { await critical(); } finally { lock.release(); }
   * ```
   */
  acquire(options?: WaitOptions): Promise<void> {
    return this._acquire(currentNode(options, "Lock.acquire"), options);
  }

  /** @internal */
  _acquire(node: CoreNode, options: WaitOptions | undefined): Promise<void> {
    if (cancelledNow(node, options)) return cancelledRejection(options);
    const task = node._task;
    const owner = this._owner;
    if (owner === null) {
      // Take it first, then yield: the yield cannot cancel (the acquire has happened).
      this._owner = task;
      return this._fast ? RESOLVED : schedulePoint(node);
    }
    if (owner === task) return Promise.reject(misuse(ALREADY_HELD));
    return this._acquireSlow(node, options);
  }

  private _acquireSlow(node: CoreNode, options: WaitOptions | undefined): Promise<void> {
    // Granted, but cancelled before resuming: the waiter passes the lock on instead of keeping
    // it, so the cancelled call did not happen (AnyIO's rule).
    const w = new Waiter<void>("Lock.acquire", node, {
      signal: foreignSignal(options),
      onAbort: this._waiters.onAbort,
      onCancelledAfterWake: this._handOffBound,
    });
    const parked = w.park();
    if (w.pending) this._waiters.push(w);
    return parked;
  }

  /**
   * Acquires the lock if it is free, without waiting and without a checkpoint; otherwise
   * throws `WouldBlock`. A lock already handed to a waiter is not free.
   *
   * @example
   * ```ts
   * try { lock.acquireNowait(); } catch (e) { if (e instanceof WouldBlock) return; throw e; }
   * ```
   */
  acquireNowait(options?: WaitOptions): void {
    const task = currentNode(options, "Lock.acquireNowait")._task;
    const owner = this._owner;
    if (owner === null) {
      this._owner = task;
      return;
    }
    if (owner === task) throw misuse(ALREADY_HELD);
    throw new WouldBlock();
  }

  /**
   * Releases the lock, handing it straight to the longest-waiting task if there is one.
   * Throws if the current task does not hold it. Never a checkpoint.
   *
   * @example
   * ```ts
   * lock.release();
   * ```
   */
  release(options?: WaitOptions): void {
    this._releaseBy(currentNode(options, "Lock.release")._task);
  }

  /** @internal */
  _releaseBy(task: CoreTask): void {
    if (this._owner !== task) throw misuse(HELD_BY_OTHER);
    this._handOff();
  }

  /** @internal Gives the lock to the first waiter still parked, or frees it. */
  _handOff(): void {
    const w = this._waiters.shift();
    if (w === undefined) {
      this._owner = null;
      return;
    }
    this._owner = w._node._task;
    w.wake();
  }

  /**
   * @internal Acquires on behalf of a task that must get the lock back whatever happens to
   * its scope (Condition.wait re-acquiring after a cancellation): an uncancellable wait.
   */
  _acquireShielded(node: CoreNode, what: string): Promise<void> {
    if (this._owner === null) {
      this._owner = node._task;
      return RESOLVED;
    }
    const w = new Waiter<void>(what, node, { cancellable: false });
    const parked = w.park();
    this._waiters.push(w);
    return parked;
  }

  /**
   * Acquires the lock and returns a `Disposable` that releases it: the `using` form. The
   * disposable releases once; disposing it again does nothing.
   *
   * @example
   * ```ts
   * {
   *   using _ = await lock.hold();
   *   await critical();
   * } // released here, also on throw or cancellation
   * ```
   */
  async hold(options?: WaitOptions): Promise<Disposable> {
    const node = currentNode(options, "Lock.hold");
    await this._acquire(node, options);
    return new LockHold(this, node._task);
  }

  /**
   * Runs `fn` while holding the lock: acquires, awaits `fn()`, releases (also when it throws).
   * Resolves with `fn`'s value.
   *
   * @example
   * ```ts
   * const n = await lock.run(async () => ++counter);
   * ```
   */
  async run<T>(fn: () => T | PromiseLike<T>, options?: WaitOptions): Promise<T> {
    if (typeof fn !== "function") throw new TypeError(`Lock.run(): fn must be a function, got ${describeValue(fn)}`);
    const node = currentNode(options, "Lock.run");
    await this._acquire(node, options);
    try {
      return await fn();
    } finally {
      this._releaseBy(node._task);
    }
  }

  /**
   * True while the lock is held (including while it is being handed to a waiter).
   *
   * @example
   * ```ts
   * if (!lock.locked()) lock.acquireNowait();
   * ```
   */
  locked(): boolean {
    return this._owner !== null;
  }

  /**
   * The lock's state: whether it is held, by whom, and how many tasks wait.
   *
   * @example
   * ```ts
   * const { locked, owner, tasksWaiting } = lock.statistics();
   * ```
   */
  statistics(): LockStatistics {
    const owner = this._owner;
    return { locked: owner !== null, owner: owner === null ? null : owner.info(), tasksWaiting: this._waiters.size };
  }
}

/** The `Disposable` of {@link Lock.hold}: releases once, for the task that acquired. */
class LockHold implements Disposable {
  private lock: Lock | null;
  constructor(
    lock: Lock,
    private readonly task: CoreTask,
  ) {
    this.lock = lock;
  }
  [Symbol.dispose](): void {
    const lock = this.lock;
    if (lock === null) return;
    this.lock = null;
    lock._releaseBy(this.task);
  }
}
