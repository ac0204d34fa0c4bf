/**
 * Time: the run's clock and sleeping on it.
 *
 * @module
 */
import type { TimerTarget } from "./backend.js";
import { checkpoint } from "./checkpoint.js";
import { currentNode, foreignSignal, type WaitOptions } from "./context.js";
import type { CancelNode } from "./internal/cancel-node.js";
import { checkDeadline, checkDelay } from "./internal/validate.js";
import { Waiter } from "./waiter.js";

/**
 * The run's clock in milliseconds: monotonic, not wall time (the strict backend's clock is
 * virtual). Deadlines are values of this clock.
 *
 * @example
 * ```ts
 * const t0 = currentTime();
 * await sleep(100);
 * console.log(currentTime() - t0); // ≈ 100
 * ```
 */
export function currentTime(options?: WaitOptions): number {
  return currentNode(options, "currentTime")._run.backend.now();
}

/**
 * A wait that a timer ends. The timer's handle is its payload (`null` when none is armed), not
 * a field of its own: a sleeping task holds one of these, and every field is 8 bytes of it.
 */
class SleepWaiter extends Waiter<void, unknown> implements TimerTarget {
  onTimer(): void {
    this.payload = null;
    this.wake();
  }
}

function clearSleepTimer(waiter: Waiter<void, unknown>): void {
  const timer = waiter.payload;
  if (timer !== null) {
    waiter._node._run.backend.clearTimer(timer);
    waiter.payload = null;
  }
}

function sleepOn(node: CancelNode, deadline: number, options: WaitOptions | undefined, what: string): Promise<void> {
  const waiter = new SleepWaiter(what, node, { signal: foreignSignal(options), onAbort: clearSleepTimer, payload: null });
  const parked = waiter.park();
  if (waiter.pending && deadline !== Infinity) waiter.payload = node._run.backend.setTimer(deadline, waiter);
  return parked;
}

/**
 * Sleeps `delay` ms (a checkpoint; `sleep(0)` is exactly `checkpoint()`). Negative acts as 0;
 * `Infinity` sleeps until cancelled.
 *
 * @example
 * ```ts
 * await sleep(250);
 * await sleep(250, { signal: cx.signal }); // explicit context (browsers)
 * ```
 */
export function sleep(delay: number, options?: WaitOptions): Promise<void> {
  const ms = checkDelay(delay, "delay");
  if (ms === 0) return checkpoint(options);
  const node = currentNode(options, "sleep");
  return sleepOn(node, ms === Infinity ? Infinity : node._run.backend.now() + ms, options, "sleep");
}

/**
 * Sleeps until the run's clock reaches `deadline` (a checkpoint even if it already has).
 *
 * @example
 * ```ts
 * const next = currentTime() + 1_000;
 * await sleepUntil(next);
 * ```
 */
export function sleepUntil(deadline: number, options?: WaitOptions): Promise<void> {
  const at = checkDeadline(deadline, "deadline");
  const node = currentNode(options, "sleepUntil");
  if (at <= node._run.backend.now()) return checkpoint(options);
  return sleepOn(node, at, options, "sleepUntil");
}

/**
 * Sleeps until cancelled.
 *
 * @example
 * ```ts
 * tg.startSoon(async () => { try { await sleepForever(); } finally { cleanup(); } });
 * tg.cancel();
 * ```
 */
export function sleepForever(options?: WaitOptions): Promise<never> {
  const node = currentNode(options, "sleepForever");
  return sleepOn(node, Infinity, options, "sleepForever") as Promise<never>;
}
