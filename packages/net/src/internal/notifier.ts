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
  // Almost every notifier has at most one waiter (one receive or send at a time per stream):
  // it is kept in a field, and only further ones go to a Set. notify() runs per chunk Node
  // delivers, so it must not allocate.
  #first: Waiter<void> | null = null;
  #more: Set<Waiter<void>> | null = null;
  readonly #remove = (w: Waiter<void>): void => {
    if (this.#first === w) this.#first = null;
    else this.#more?.delete(w);
  };

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
    if (waiter.pending) {
      if (this.#first === null) this.#first = waiter;
      else (this.#more ??= new Set()).add(waiter);
    }
    return parked;
  }

  /** True if some task is parked here. */
  get waiting(): boolean {
    return this.#first !== null || (this.#more !== null && this.#more.size > 0);
  }

  notify(): void {
    const first = this.#first;
    const more = this.#more;
    if (first !== null) {
      this.#first = null;
      first.wake();
    }
    if (more !== null && more.size > 0) {
      // Taken out before waking: a woken waiter that parks again waits for the next notify().
      this.#more = null;
      for (const w of more) w.wake();
    }
  }
}
