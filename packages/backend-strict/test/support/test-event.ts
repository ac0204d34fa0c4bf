/**
 * A minimal one-shot event built on core's `Waiter` (the real `Event` lives in @anyio/sync,
 * which this package must not depend on).
 */
import { currentNode, Waiter } from "@anyio/core";

export class TestEvent {
  #isSet = false;
  readonly #waiters = new Set<Waiter<void>>();

  constructor(readonly label = "TestEvent.wait") {}

  async wait(): Promise<void> {
    if (this.#isSet) return;
    const waiter = new Waiter<void>(this.label, currentNode(undefined, this.label), {
      onAbort: (w) => this.#waiters.delete(w),
    });
    this.#waiters.add(waiter);
    await waiter.park();
  }

  set(): void {
    this.#isSet = true;
    for (const waiter of this.#waiters) waiter.wake();
    this.#waiters.clear();
  }
}
