/**
 * Parking tasks until a Node event fires: the bridge between emitter callbacks and Waiters.
 *
 * @module
 */
import { type WaitOptions, Waiter, currentNode, foreignSignal } from "@anyio/core";

/**
 * Tasks parked until something in the outside world happens (data on a pipe, a child's exit,
 * a signal). Every wait is `external`: it waits on the operating system, so the strict
 * backend holds its virtual clock still and never calls it a deadlock.
 */
export class WakeSet {
  readonly #waiters = new Set<Waiter<void>>();
  readonly #what: string;

  constructor(what: string) {
    this.#what = what;
  }

  /** Wakes every parked task (they re-check their condition). Usable as an event listener. */
  readonly wakeAll = (): void => {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w.wake();
  };

  /**
   * Parks the current task until {@link wakeAll}; throws `Cancelled` (or a foreign signal's
   * reason) if cancelled first. `options` may be a cancel scope (a shielded wait).
   */
  async wait(options: WaitOptions | undefined, caller: string): Promise<void> {
    const w = new Waiter<void>(this.#what, currentNode(options, caller), {
      signal: foreignSignal(options),
      kind: "external",
      onAbort: (waiter) => this.#waiters.delete(waiter),
    });
    this.#waiters.add(w);
    try {
      await w.park();
    } finally {
      this.#waiters.delete(w);
    }
  }
}
