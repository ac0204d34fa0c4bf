/**
 * A level-triggered wake-up for tasks waiting on events of a Node object (socket readable,
 * drained, closed…). Waiters re-check their condition after every wake, so a notification
 * can never be lost or mis-targeted, and every wait is an *external* wait (real I/O), as the
 * strict backend requires.
 *
 * @module
 */
import { Waiter, currentNode, foreignSignal, type WaitOptions } from "@anyio/core";

/** Wakes every task parked in {@link Notifier.wait} when {@link Notifier.notify} is called. */
export class Notifier {
  #waiters = new Set<Waiter<void>>();
  readonly #remove = (w: Waiter<void>): void => void this.#waiters.delete(w);

  /**
   * Parks until the next `notify()`. A cancel point (rejects with `Cancelled` when the task's
   * scope is cancelled) unless `cancellable` is false.
   */
  wait(what: string, caller: string, options?: WaitOptions, cancellable = true): Promise<void> {
    const waiter = new Waiter<void>(what, currentNode(options, caller), {
      signal: foreignSignal(options),
      kind: "external",
      cancellable,
      onAbort: this.#remove,
    });
    const parked = waiter.park();
    if (waiter.pending) this.#waiters.add(waiter);
    return parked;
  }

  /** True if some task is parked here. */
  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  notify(): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w.wake();
  }
}
