/**
 * `Event`: a one-shot flag tasks can wait for.
 *
 * @module
 */
import { currentNode, Waiter, type WaitOptions, foreignSignal, retainShape } from "@anyio/core";
import { cancelledNow, cancelledRejection, schedulePoint } from "./internal/cancel-point.js";
import { WaiterQueue } from "./internal/waiter-queue.js";

/**
 * What {@link Event.statistics} reports.
 *
 * @example
 * ```ts
 * const { tasksWaiting }: EventStatistics = event.statistics();
 * ```
 */
export interface EventStatistics {
  /** Tasks blocked in {@link Event.wait}. */
  readonly tasksWaiting: number;
}

/**
 * A one-shot event, as AnyIO's and Trio's: once set it stays set (there is no `clear()`;
 * make a new `Event` for the next round). Can be created outside `run()`.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * await withTaskGroup(async (tg) => {
 *   tg.startSoon(async () => {
 *     await ready.wait();
 *     console.log("go");
 *   });
 *   ready.set();
 * });
 * ```
 */
export class Event {
  private _set = false;
  private readonly _waiters = new WaiterQueue<Waiter<void>>();

  constructor() {
    retainShape(Event, () => new Event());
  }

  /**
   * Sets the event and wakes every waiting task. Idempotent; never a checkpoint.
   *
   * @example
   * ```ts
   * event.set();
   * event.set(); // no effect
   * ```
   */
  set(): void {
    if (this._set) return;
    this._set = true;
    // A woken waiter completes its wait even if its scope is cancelled before it resumes:
    // the event did fire for it, and the cancellation arrives at its next checkpoint.
    for (const w of this._waiters.drain()) w.wake();
  }

  /**
   * True once {@link set} has been called.
   *
   * @example
   * ```ts
   * if (!event.isSet()) await event.wait();
   * ```
   */
  isSet(): boolean {
    return this._set;
  }

  /**
   * Waits until the event is set. A checkpoint even when it is already set (cancel point and
   * schedule point), so a loop around it stays cancellable and fair.
   *
   * @param options - `{ signal }`: the task's or a scope's signal (explicit context), or any
   *   other `AbortSignal` that also aborts this wait
   * @example
   * ```ts
   * await event.wait();
   * await event.wait({ signal: cx.signal }); // explicit context
   * ```
   */
  wait(options?: WaitOptions): Promise<void> {
    const node = currentNode(options, "Event.wait");
    if (cancelledNow(node, options)) return cancelledRejection(options);
    if (this._set) return schedulePoint(node);
    const w = new Waiter<void>("Event.wait", node, { signal: foreignSignal(options), onAbort: this._waiters.onAbort });
    const parked = w.park();
    if (w.pending) this._waiters.push(w);
    return parked;
  }

  /**
   * How many tasks wait.
   *
   * @example
   * ```ts
   * event.statistics().tasksWaiting; // 0
   * ```
   */
  statistics(): EventStatistics {
    return { tasksWaiting: this._waiters.size };
  }
}
